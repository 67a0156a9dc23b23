// What every browser test of Tillit's pages uses: Debian's Chromium driven by playwright-core, an
// axe-core accessibility scan, text checks, screenshots of failures, and the development mail
// outbox (one .eml file per message). A test is a script `tests/browser/<name>.mjs` run by
// tests/browser.rs as `node tests/browser/<name>.mjs <base_url> <mail_dir>`:
//
//   import { run, newPage, step, scan, expectText } from './lib.mjs';
//   run(async ({ browser, baseUrl, mailDir }) => {
//     const page = await newPage(browser);
//     await step(page, 'front page', async () => { await page.goto(`${baseUrl}/`); ... });
//     await scan(page, 'front page');
//   });

import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where failure screenshots go: `target/browser-failures/<test>-<step>.png`. */
export const failureDir = join(repoRoot, 'target', 'browser-failures');

/** Debian's Chromium. Tests never download a browser of their own. */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags Chromium needs here: run as root without a display, and make no connection of its
 * own (the machine's network is closed, and every refused connection costs time). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The running script's name, `shell` for tests/browser/shell.mjs: it names the screenshots. */
export const testName = basename(process.argv[1] ?? 'browser', '.mjs');

/** How long one action or expectation waits before it fails (milliseconds). */
export const TIMEOUT_MS = 10_000;

/**
 * Starts headless Chromium. playwright gives every launch a fresh, empty profile of its own
 * (`--user-data-dir` in a new temporary folder, removed by `browser.close()`), so no cookie or
 * cache survives from one run to the next.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 60_000,
  });
}

/**
 * A page in a new browser context of its own (own cookies). By default a Norwegian reader's
 * browser (`Accept-Language: nb-NO`) on a 1280x900 screen; `options` are playwright's context
 * options, e.g. `{ viewport: { width: 390, height: 844 }, isMobile: true }` or
 * `{ locale: 'en-GB' }`. The context bypasses the site's Content-Security-Policy only so that
 * `scan` can inject axe-core; the policy itself is checked by tests/web_shell.rs.
 * @returns {Promise<import('playwright-core').Page>}
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    locale: 'nb-NO',
    viewport: { width: 1280, height: 900 },
    ...options,
    bypassCSP: true,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS * 2);
  return context.newPage();
}

function fileSafe(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Saves a screenshot of `page` as `target/browser-failures/<test>-<label>.png`; returns its path,
 * or a note why there is none.
 */
export async function screenshot(page, label) {
  const file = join(failureDir, `${fileSafe(testName)}-${fileSafe(label)}.png`);
  try {
    await mkdir(failureDir, { recursive: true });
    await page.screenshot({ path: file, fullPage: true, timeout: TIMEOUT_MS });
    return file;
  } catch (e) {
    return `(no screenshot: ${e.message.split('\n')[0]})`;
  }
}

/**
 * Pictures of `page` at 1280 and 390 px wide, as `target/screenshots/<name>-<width>.png` (copied
 * to docs/screenshots/ when they change); with `scanEach`, each width is scanned with axe too.
 */
export async function photograph(page, name, { scanEach = false } = {}) {
  const dir = join(repoRoot, 'target', 'screenshots');
  await mkdir(dir, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(dir, `${name}-${width}.png`), fullPage: true });
    if (scanEach) await scan(page, `${name} at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function failWithScreenshot(page, label, error) {
  if (!error.screenshot) {
    error.screenshot = await screenshot(page, label);
    error.message = `${label}: ${error.message}\n  at ${page.url()}\n  screenshot: ${error.screenshot}`;
  }
  throw error;
}

/**
 * Runs one named step of a test. If it fails, the page is saved as
 * `target/browser-failures/<test>-<name>.png` and the error names the step, the address and the
 * screenshot.
 */
export async function step(page, name, body) {
  try {
    const result = await body();
    console.log(`  ok  ${name}`);
    return result;
  } catch (error) {
    return failWithScreenshot(page, name, error);
  }
}

const AXE_SOURCE = require.resolve('axe-core/axe.min.js');

/**
 * Checks the page as it is now with axe-core (WCAG 2.1 A/AA and best-practice rules) and throws,
 * listing each violation whose impact is serious or critical with its rule, help text and first
 * offending elements. Lesser findings are printed, not failed.
 */
export async function scan(page, label) {
  try {
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
      await page.addScriptTag({ path: AXE_SOURCE });
    }
    const results = await page.evaluate(() =>
      window.axe.run(document, { resultTypes: ['violations'] }),
    );
    const describe = (v) => {
      const targets = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
      const more = v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : '';
      return `  [${v.impact}] ${v.id}: ${v.help}\n      ${targets}${more}\n      ${v.helpUrl}`;
    };
    const blocking = results.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
    const minor = results.violations.filter((v) => !blocking.includes(v));
    for (const v of minor) {
      console.log(`  note (axe, ${label}): ${describe(v).trimStart()}`);
    }
    if (blocking.length > 0) {
      throw new Error(
        `axe found ${blocking.length} serious or critical accessibility violation(s):\n` +
          blocking.map(describe).join('\n'),
      );
    }
    console.log(`  ok  axe: ${label}`);
  } catch (error) {
    await failWithScreenshot(page, `axe ${label}`, error);
  }
}

function normalise(text) {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Waits for the first element matching `selector` and checks that its text (whitespace
 * collapsed) contains `text`, or matches it if `text` is a RegExp. Throws with the text found.
 */
export async function expectText(page, selector, text) {
  const locator = page.locator(selector).first();
  const deadline = Date.now() + TIMEOUT_MS;
  let found;
  for (;;) {
    found = (await locator.count()) > 0 ? normalise(await locator.textContent()) : undefined;
    const ok =
      found !== undefined && (text instanceof RegExp ? text.test(found) : found.includes(text));
    if (ok) return found;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    found === undefined
      ? `expected ${selector} with text ${JSON.stringify(String(text))}, but no element matches ${selector}`
      : `expected ${selector} to contain ${JSON.stringify(String(text))}, found ${JSON.stringify(found)}`,
  );
}

/** Throws `message` (with what was found) unless `actual` equals `expected`. */
export function expectEqual(actual, expected, message) {
  if (actual !== expected) {
    throw new Error(`${message}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`);
  }
}

/**
 * The script's main: reads `<base_url> [mail_dir]` from the command line, launches the browser
 * (unless `{ browser: false }`), runs `body({ browser, baseUrl, mailDir })`, closes the browser,
 * and exits non-zero with the failure on stderr if anything threw.
 */
export async function run(body, { browser: wantsBrowser = true } = {}) {
  const [baseUrl, mailDir] = process.argv.slice(2);
  if (!baseUrl) {
    console.error(`usage: node tests/browser/${testName}.mjs <base_url> [mail_dir]`);
    process.exit(2);
  }
  let browser;
  try {
    if (wantsBrowser) browser = await launch();
    await body({ browser, baseUrl: baseUrl.replace(/\/$/, ''), mailDir });
    console.log(`${testName}: every step passed`);
  } catch (error) {
    console.error(`${testName}: FAILED\n${error.stack ?? error}`);
    process.exitCode = 1;
  } finally {
    await browser?.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// The development mail outbox: Tillit's `file` transport writes one .eml per message.

/** Splits a message (or part) into its headers (names lower-cased, folded lines joined) and its
 * body. Works on a "binary" string: one character per byte. */
function splitMessage(raw) {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      headers[name] ??= line.slice(colon + 1).trim();
    }
  }
  return { headers, body };
}

/** `text/plain; charset="utf-8"` → { type: 'text/plain', params: { charset: 'utf-8' } } */
function parseContentType(value = 'text/plain; charset=us-ascii') {
  const [type, ...rest] = value.split(';');
  const params = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq > 0) {
      params[param.slice(0, eq).trim().toLowerCase()] = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
    }
  }
  return { type: type.trim().toLowerCase(), params };
}

function bytes(binary) {
  return Buffer.from(binary, 'latin1');
}

function decodeCharset(buffer, charset = 'utf-8') {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(buffer);
  } catch {
    return new TextDecoder('utf-8').decode(buffer);
  }
}

/** Quoted-printable to bytes: `=XX` escapes, and `=` at a line's end joins it to the next. */
function decodeQuotedPrintable(binary) {
  const joined = binary.replace(/=\r?\n/g, '');
  const out = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      out.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(joined.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(out);
}

function decodeBody(binary, encoding = '7bit', charset) {
  const kind = encoding.trim().toLowerCase();
  const raw =
    kind === 'base64'
      ? Buffer.from(binary.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')
      : kind === 'quoted-printable'
        ? decodeQuotedPrintable(binary)
        : bytes(binary);
  return decodeCharset(raw, charset).replace(/\r\n/g, '\n');
}

/** RFC 2047 encoded words in a header (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`). */
function decodeHeader(value = '') {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2') // whitespace between encoded words is not text
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset, kind, text) => {
      const raw =
        kind.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : decodeQuotedPrintable(text.replace(/_/g, ' '));
      return decodeCharset(raw, charset.replace(/\*.*$/, ''));
    });
}

/** Every leaf part of a message: [{ type, text }] for text parts, in order. */
function textParts(raw) {
  const { headers, body } = splitMessage(raw);
  const { type, params } = parseContentType(headers['content-type']);
  if (type.startsWith('multipart/') && params.boundary) {
    const delimiter = `--${params.boundary}`;
    const parts = body.split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // parts[0] is the preamble; a part starting with "--" is the closing delimiter's epilogue.
    return parts
      .slice(1)
      .filter((part) => !part.startsWith('--'))
      .flatMap((part) => textParts(part.replace(/^[ \t]*\r?\n/, '')));
  }
  if (!type.startsWith('text/')) return [];
  const disposition = (headers['content-disposition'] ?? '').toLowerCase();
  return [
    {
      type,
      attachment: disposition.startsWith('attachment'),
      text: decodeBody(body, headers['content-transfer-encoding'], params.charset),
    },
  ];
}

function addresses(value) {
  return [...decodeHeader(value).matchAll(/[^\s<>",;:]+@[^\s<>",;]+/g)].map((m) => m[0]);
}

function decodeEntities(text) {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Reads one .eml file: `{ file, to, subject, from, messageId, text, html, links }`. `to` is the
 * recipients' bare addresses joined by ", "; `text` and `html` are the decoded plain-text and HTML
 * bodies; `links` are the distinct http(s) addresses in the text body and the HTML's hrefs, in order.
 */
export async function readMail(file) {
  const raw = (await readFile(file)).toString('latin1');
  const { headers } = splitMessage(raw);
  const parts = textParts(raw).filter((p) => !p.attachment);
  const text = parts.find((p) => p.type === 'text/plain')?.text ?? '';
  const html = parts.find((p) => p.type === 'text/html')?.text ?? '';
  const links = [];
  for (const m of text.matchAll(/https?:\/\/[^\s<>"')]+/g)) links.push(m[0]);
  for (const m of html.matchAll(/href\s*=\s*"(https?:\/\/[^"]+)"/gi)) links.push(decodeEntities(m[1]));
  return {
    file,
    to: addresses(headers.to).join(', '),
    from: decodeHeader(headers.from),
    subject: decodeHeader(headers.subject),
    messageId: headers['message-id'] ?? '',
    text,
    html,
    links: [...new Set(links)],
  };
}

/**
 * Every message in the outbox folder `dir`, newest first (by file time): see `readMail` for the
 * fields. `{ to }` keeps only the messages to that address. An absent folder is an empty outbox.
 */
export async function mailOutbox(dir, { to } = {}) {
  let names;
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml'));
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  const files = await Promise.all(
    names.map(async (n) => ({ path: join(dir, n), time: (await stat(join(dir, n), { bigint: true })).mtimeNs })),
  );
  files.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  const mails = await Promise.all(files.map((f) => readMail(f.path)));
  return to ? mails.filter((m) => m.to.split(', ').includes(to)) : mails;
}

/**
 * The newest message to `to` in `dir`, waiting up to `timeoutMs` for one to arrive (mail is sent
 * by background jobs, so it may come a moment after the click that caused it).
 */
export async function latestMail(dir, { to, timeoutMs = TIMEOUT_MS } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [mail] = await mailOutbox(dir, { to });
    if (mail) return mail;
    if (Date.now() > deadline) {
      throw new Error(`no email${to ? ` to ${to}` : ''} in ${dir} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The code an authenticator app with the base32 `secret` shows at `at` (RFC 6238: SHA-1, six
 *  digits, 30-second steps), so a test can play the person's phone. */
export function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/\s/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

/**
 * Signs a staff member in with their password and second factor (set up on the first login, see
 * `secondFactor`), starting from `from`: the login page, or a page that sends a signed-out person
 * there and back. Returns the factor's secret.
 */
export async function signIn(page, baseUrl, { email, password, from = '/login', secret } = {}) {
  await page.goto(`${baseUrl}${from}`);
  await page.getByLabel('E-postadresse').fill(email);
  await page.getByLabel('Passord').fill(password);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  return secondFactor(page, { secret });
}

/** After the password of a service that requires a second factor: sets it up on the first login
 *  (the secret read from the page, as a person types it into their app), or types the app's code
 *  on a later one (the secret given, or TILLIT_TOTP_SECRET); scans both pages. Returns the secret. */
export async function secondFactor(page, { secret } = {}) {
  await page.waitForURL(/\/login\/(enrol|factor)$|\/$/);
  if (page.url().endsWith('/login/enrol')) {
    await expectText(page, 'main h1', 'Sett opp totrinnsinnlogging');
    await scan(page, 'second factor enrolment');
    const shown = (await page.locator('#totp-secret').textContent()).trim();
    await page.getByLabel('Kode fra appen').fill(totp(shown));
    await page.getByRole('button', { name: 'Bekreft og logg inn' }).click();
    await expectText(page, 'main h1', 'Ta vare på gjenopprettingskodene');
    await scan(page, 'recovery codes');
    await page.getByRole('link', { name: 'Fortsett' }).click();
    return shown;
  }
  if (page.url().endsWith('/login/factor')) {
    await scan(page, 'second factor code');
    // The next step's code: the enrolment used this step's.
    const known = secret ?? process.env.TILLIT_TOTP_SECRET;
    await page.getByLabel('Engangskode').fill(totp(known, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Logg inn' }).click();
  }
  return secret;
}
