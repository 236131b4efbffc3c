/** The server's base URL, fixed at build time from FLEX_APP_SERVER_URL in the plugin's .env. */
export const serverBaseUrl = (): string => process.env.FLEX_APP_SERVER_URL ?? '';
