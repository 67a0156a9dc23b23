// A real, certified OpenID Connect provider (the `oidc-provider` package) on loopback, for the
// single sign-on tests. Started as its own process by tests/api/common/oidc.rs:
//
//   node tests/support/oidc/server.mjs <client_id> <client_secret> <redirect_uri>
//
// It listens on a free loopback port and prints `READY <issuer>` on stdout. Its own sign-in page
// (/interaction/<uid>) asks for an email address and signs in the account of that address; an
// address starting with `unverified.` is given `email_verified: false`, and `groups` (comma
// separated) become the `groups` claim. Consent is granted at once (a first-party client).
// `GET /__requests` answers how many requests each path has had (JSON), so a test can tell how
// often Tillit fetched the discovery document and the keys.
//
// `POST /__tamper` with a JSON object arms a change to the ID token of the NEXT token-endpoint
// response: `{"nonce": "other"}` replaces its nonce, `{"aud": "another-client"}` its audience,
// `{"exp_seconds_ago": 600}` makes it expired that long ago (its issue time moved with it), `{}`
// changes nothing. The changed token is signed again with the provider's own signing key (the one
// it publishes at /jwks), so its signature holds and only the claim is wrong. `GET /__tamper`
// answers `{"armed": true|false}` (false once the change has been used).
import http from 'node:http';
import { createHash } from 'node:crypto';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';

const [clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!clientId || !clientSecret || !redirectUri) {
  console.error('usage: server.mjs <client_id> <client_secret> <redirect_uri>');
  process.exit(2);
}

const accounts = new Map();

/** The subject of an email address: stable, and unlike the address. */
const subjectOf = (email) =>
  'sub-' + createHash('sha256').update(email).digest('hex').slice(0, 20);

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

async function readBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

const readForm = async (req) => new URLSearchParams(await readBody(req));

// The provider's own signing key: published at /jwks, and used again for a tampered ID token.
const { privateKey: signingKey } = await generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await exportJWK(signingKey)), kid: 'tillit-test-signing', alg: 'RS256', use: 'sig' };

/** The change armed for the next token-endpoint response, if any. */
let tamper = null;

/** `idToken` with `change` applied, signed again with the provider's key. */
async function tampered(idToken, change) {
  const header = decodeProtectedHeader(idToken);
  const claims = decodeJwt(idToken);
  if ('nonce' in change) claims.nonce = change.nonce;
  if ('aud' in change) claims.aud = change.aud;
  if ('exp_seconds_ago' in change) {
    const lifetime = claims.exp - claims.iat;
    claims.exp = Math.floor(Date.now() / 1000) - Number(change.exp_seconds_ago);
    claims.iat = claims.exp - lifetime;
  }
  return new SignJWT(claims).setProtectedHeader(header).sign(signingKey);
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: ['tillit-test-provider-cookie-key'] },
    jwks: { keys: [signingJwk] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    // The email and groups travel in the ID token itself, as Entra ID and ID-porten put them.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: account.email,
            email_verified: account.verified,
            name: account.email,
            groups: account.groups,
          };
        },
      };
    },
  });
  provider.proxy = false;
  // A tamper, once armed, rewrites the ID token of the next answer of the token endpoint.
  provider.use(async (ctx, next) => {
    await next();
    if (!tamper || ctx.path !== '/token' || typeof ctx.body?.id_token !== 'string') return;
    const change = tamper;
    tamper = null;
    ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token, change) };
  });
  const handle = provider.callback();

  const requests = {};
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__requests') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(requests));
    }
    if (url.pathname === '/__tamper') {
      if (req.method === 'POST') {
        try {
          const change = JSON.parse(await readBody(req));
          if (typeof change !== 'object' || change === null || Array.isArray(change)) throw new Error('not an object');
          tamper = change;
        } catch (err) {
          res.statusCode = 400;
          return res.end(`tamper: ${err.message}`);
        }
      }
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ armed: tamper !== null }));
    }
    requests[url.pathname] = (requests[url.pathname] || 0) + 1;
    const match = url.pathname.match(/^\/interaction\/([^/]+)$/);
    if (!match) return handle(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'consent') {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      if (req.method === 'POST') {
        const form = await readForm(req);
        const email = (form.get('email') || '').trim().toLowerCase();
        const groups = (form.get('groups') || '').split(',').map((g) => g.trim()).filter(Boolean);
        const id = subjectOf(email);
        accounts.set(id, { email, verified: !email.startsWith('unverified.'), groups });
        return provider.interactionFinished(req, res, { login: { accountId: id } }, { mergeWithLastSubmission: false });
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page('Test identity provider', `
<form method="post" action="/interaction/${escape(details.uid)}">
  <p><label for="email">Email</label> <input id="email" name="email" type="email" autocomplete="off"></p>
  <p><label for="groups">Groups</label> <input id="groups" name="groups" type="text"></p>
  <p><button type="submit">Sign in</button></p>
</form>`));
    } catch (err) {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(`interaction failed: ${err.message}`);
    }
  });
  console.log(`READY ${issuer}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
