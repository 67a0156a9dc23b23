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
import http from 'node:http';
import { createHash } from 'node:crypto';
import Provider from 'oidc-provider';

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

async function readForm(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
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
  const handle = provider.callback();

  const requests = {};
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__requests') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(requests));
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
