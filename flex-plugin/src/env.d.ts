/** Build-time settings: the plugin scripts replace these with the FLEX_APP_* values of the plugin's .env. */
declare const process: { env: { FLEX_APP_SERVER_URL?: string } };
