// The official MCP TypeScript SDK's client against a running FlexAgentPlugin in sandbox mode: it learns from the 401
// where to sign in, registers itself (RFC 7591), sends the person to the authorization endpoint with PKCE and, once
// they have signed in, calls ask_human_agent as them. The person is played over plain HTTP, as a browser would: their
// phone number on the sign-in page, the code from the sandbox console (where the emulated Verify service shows it, as
// nothing is sent), Allow on the consent page. Usage: node sign-in-and-ask.mjs [http://localhost:5002/mcp]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const mcpUrl = new URL(process.argv[2] ?? process.env.MCP_URL ?? 'http://localhost:5002/mcp');
const phone = process.env.SIGN_IN_PHONE ?? '+15550100123';

// A desktop client's loopback redirect URI. Nothing listens there: the code is read from the redirect itself.
const redirectUrl = 'http://127.0.0.1:8976/callback';

const saved = {};
let code;
const provider = {
  get redirectUrl() { return redirectUrl; },
  get clientMetadata() {
    return {
      client_name: 'MCP TypeScript SDK check',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  },
  clientInformation: () => saved.client,
  saveClientInformation: (client) => {
    saved.client = client;
    console.log(`2. Registered itself (RFC 7591): client_id ${client.client_id}`);
  },
  tokens: () => saved.tokens,
  saveTokens: (tokens) => { saved.tokens = tokens; },
  saveCodeVerifier: (verifier) => { saved.verifier = verifier; },
  codeVerifier: () => saved.verifier,
  async redirectToAuthorization(url) {
    console.log(`3. Sends the person to ${url.origin}${url.pathname} (code_challenge_method ${url.searchParams.get('code_challenge_method')}, resource ${url.searchParams.get('resource')})`);
    code = await playThePerson(url);
  },
};

/** The person at the browser: signs in with their phone and the code, and allows the client; returns the code sent back. */
async function playThePerson(authorizationUrl) {
  const cookies = new Map();
  const go = async (url, init = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const page = async (url) => {
    const response = await go(url);
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    return response.text();
  };
  const post = async (url, html, fields) => {
    const form = new URLSearchParams();
    for (const [, name, value] of html.slice(0, html.indexOf('</form>')).matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
      if (!(name in fields)) form.append(decode(name), decode(value));
    }
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    return go(url, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  };
  const at = (path) => new URL(path, authorizationUrl);

  const start = await go(authorizationUrl);
  const signIn = await page(at(start.headers.get('location')));
  const sent = await post(at('/oauth/sign-in'), signIn, { contact: phone });
  if (sent.status !== 303) throw new Error(`Sending the code answered ${sent.status}`);
  const codePage = await page(at('/oauth/sign-in/code'));
  const codes = await (await fetch(at('/sandbox/api/sign-in-codes'))).json();
  const verifyCode = codes.find((c) => c.to === phone).code;
  console.log(`4. The person signs in as ${phone} with the code ${verifyCode} (from the sandbox console; nothing was sent)`);
  const signedIn = await post(at('/oauth/sign-in/code'), codePage, { code: verifyCode });
  if (signedIn.status !== 303) throw new Error(`Checking the code answered ${signedIn.status}`);
  const consent = await page(at(signedIn.headers.get('location')));
  const client = consent.match(/<span class="client">([^<]*)<\/span>/)[1];
  console.log(`5. The consent page names "${decode(client)}"; the person allows it`);
  const allowed = await post(at('/oauth/authorize'), consent, { decision: 'allow' });
  const back = new URL(allowed.headers.get('location'));
  if (!back.searchParams.get('code')) throw new Error(`No code came back: ${back}`);
  return back.searchParams.get('code');
}

function decode(text) {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

console.log(`MCP server: ${mcpUrl}`);
console.log('1. Connects without a token');
const client = new Client({ name: 'flexagent-sdk-check', version: '1.0.0' });
try {
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
  throw new Error('The server let the client in without signing in.');
} catch (error) {
  if (!(error instanceof UnauthorizedError)) throw error;
  console.log('   That first connection ended in 401 (UnauthorizedError), as it must before the person signs in');
}

const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
await transport.finishAuth(code);
console.log(`6. Code exchanged with PKCE: access token for scope "${saved.tokens.scope}", refresh token ${saved.tokens.refresh_token ? 'issued' : 'missing'}`);
await client.connect(transport);

const { tools } = await client.listTools();
for (const tool of tools) console.log(`7. Tool ${tool.name}: ${JSON.stringify(tool.annotations)}`);

const result = await client.callTool({ name: 'ask_human_agent', arguments: { message: 'Hi, can a person check my order?' } });
console.log(`8. ask_human_agent as the signed-in person: status ${result.structuredContent.status}, user ${result.structuredContent.user}`);
console.log(`   ${result.content.map((c) => c.text).join('\n   ')}`);

const conversations = await (await fetch(new URL('/sandbox/api/conversations', mcpUrl))).json();
const mine = conversations.find((c) => c.sid === result.structuredContent.conversation_id);
console.log(`9. In the sandbox's Flex, the conversation's customer is ${mine?.customer}`);
await client.close();
if (result.isError || result.structuredContent.status !== 'replied') process.exit(1);
