// The outbox reader (`mailOutbox`, `latestMail` in lib.mjs) against real messages that
// tests/browser.rs has the app's mailer write into <mail_dir>: decoded subjects and bodies, the
// links, the recipients, newest first.
// Run by tests/browser.rs: node tests/browser/mail_outbox.mjs <base_url> <mail_dir>

import { readFile } from 'node:fs/promises';
import { expectEqual, latestMail, mailOutbox, run } from './lib.mjs';

function expectIncludes(text, part, what) {
  if (!text.includes(part)) {
    throw new Error(`${what}: expected to contain ${JSON.stringify(part)}, found ${JSON.stringify(text)}`);
  }
}

run(
  async ({ baseUrl, mailDir }) => {
    const all = await mailOutbox(mailDir);
    expectEqual(all.length, 3, 'messages in the outbox');

    const [base64, newest, oldest] = all;
    expectEqual(base64.to, 'per@aero.example', 'the newest message is the last sent');
    const raw = await readFile(base64.file, 'utf8');
    if (!/Content-Transfer-Encoding: base64/i.test(raw)) {
      throw new Error(`expected a base64 text part in ${base64.file}:\n${raw}`);
    }
    expectEqual(base64.subject, 'Ærø', 'subject');
    expectEqual(base64.text, `${'æøå ÆØÅ '.repeat(30)}\n${baseUrl}/r/æøå\n`, 'base64 text');
    expectEqual(JSON.stringify(base64.links), JSON.stringify([`${baseUrl}/r/æøå`]), 'links');

    expectEqual(newest.to, 'ola@bjorkelund.example', 'the second message');
    expectEqual(newest.subject, 'Påminnelse: møte på Bjørkelund skole – tirsdag', 'subject');
    expectIncludes(
      newest.text,
      'Dette er en påminnelse om møtet på Bjørkelund skole på tirsdag, der vi går gjennom planen sammen og avtaler hvem som gjør hva fram til neste gang.',
      'a long line, whole again',
    );
    // The calendar file is an attachment: its address is no link of the message.
    expectEqual(JSON.stringify(newest.links), JSON.stringify([`${baseUrl}/m/abc?x=1&y=2`]), 'links');

    expectEqual(oldest.to, 'kari.nordmann@fjordvik.example', 'recipient');
    expectEqual(oldest.subject, 'Sett opp kontoen din i Tillit', 'subject');
    expectIncludes(oldest.from, 'Fjordvik & Lia barneverntjeneste', 'sender name');
    expectIncludes(oldest.text, 'Lenken kan brukes én gang', 'text');
    expectIncludes(oldest.html, 'Fjordvik &#38; Lia', 'html as sent');
    expectIncludes(oldest.html, '<html', 'html');
    const setup = `${baseUrl}/setup/tla_${'Qx7-_aZ09'.repeat(6)}`;
    expectEqual(JSON.stringify(oldest.links), JSON.stringify([setup]), 'links');

    const forKari = await latestMail(mailDir, { to: 'kari.nordmann@fjordvik.example', timeoutMs: 0 });
    expectEqual(forKari.file, oldest.file, 'latestMail for one recipient');
    expectEqual((await mailOutbox(mailDir, { to: 'nobody@example.invalid' })).length, 0, 'a filter that matches none');
    expectEqual((await mailOutbox(`${mailDir}/absent`)).length, 0, 'an absent folder');
    console.log('  ok  all three messages read back');
  },
  { browser: false },
);
