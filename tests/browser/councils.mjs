// A council in a browser, as the coordinator and an invitee do it, through the council's task
// list: a new network council, the child's description and questions, the team the child chose,
// consent, a meeting, the check before sending (one person without an email gets it added right
// there), the invitations and the letter printed for the father reached by post (its short address
// typed leads to his answer page); the invitee opens the link from the mail outbox and accepts; the
// coordinator sees the answer. Every form is first sent with one mistake: the message must be
// Norwegian, at its field, with what was typed kept. Every page is scanned for accessibility
// problems; the task list and the check page are photographed at 1280 and 390 px
// (target/screenshots/, copied to docs/screenshots/ when they change).

import { run, newPage, step, scan, expectText, latestMail, signIn, photograph } from './lib.mjs';

const email = process.env.TILLIT_EMAIL;
const password = process.env.TILLIT_PASSWORD;
const caseId = process.env.TILLIT_CASE_ID;
const invitee = 'mormor@example.no';

/** Ten days from now at 18:00, as a date-time field takes it. */
function meetingTime(days = 10) {
  const day = new Date(Date.now() + days * 24 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}T18:00`;
}

/** Words of the API's English messages that must never reach a Norwegian page. */
const ENGLISH = /\b(field|required|must|cannot|invalid|the meeting|characters|not a|one of)\b/i;

/**
 * Checks a page shown after a bad form: the error summary links to `inputId`, the input carries
 * its inline message (in Norwegian) and `aria-invalid`, and nothing English is on the page.
 */
async function expectFieldError(page, inputId, message) {
  await expectText(page, '.error-summary', message);
  const href = await page.locator('.error-summary a').first().getAttribute('href');
  if (href !== `#${inputId}`) throw new Error(`the summary links to ${href}, not #${inputId}`);
  await expectText(page, `#${inputId}-error`, message);
  const invalid = await page.locator(`#${inputId}`).getAttribute('aria-invalid');
  if (invalid !== 'true') throw new Error(`#${inputId} is not marked invalid`);
  const text = await page.locator('main').innerText();
  const english = text.match(ENGLISH);
  if (english) throw new Error(`English on a Norwegian page: "${english[0]}"`);
}

/** Opens task `code` from the council's task list. */
async function openTask(page, base, name) {
  await page.goto(base);
  await page.getByRole('link', { name }).click();
  await expectText(page, 'main h1', name);
}

run(async ({ browser, baseUrl, mailDir }) => {
  if (!email || !password || !caseId) throw new Error('the coordinator and case are missing');
  const coordinator = await newPage(browser);

  await step(coordinator, 'the coordinator logs in', async () => {
    await signIn(coordinator, baseUrl, { email, password });
    await expectText(coordinator, 'main h1', 'Velkommen');
  });

  await step(coordinator, 'a new network council', async () => {
    await coordinator.goto(`${baseUrl}/cases/${caseId}`);
    await expectText(coordinator, '#councils', 'Saken har ingen råd');
    await coordinator.getByRole('link', { name: 'Råd og møter i saken' }).click();
    await expectText(coordinator, 'main h1', 'Råd og møter i saken');
    await scan(coordinator, 'the case\'s councils');
    await coordinator.locator('#kind').selectOption('network_council');
    await coordinator.getByRole('button', { name: 'Start', exact: true }).click();
    await expectText(coordinator, 'main h1', 'Nettverksråd for Emmeline Testesen');
    await expectText(coordinator, '.breadcrumb', 'Emmeline Testesen');
    await expectText(coordinator, '#council-state', 'Startet');
    await expectText(coordinator, '#status-description', 'Ikke startet');
    await expectText(coordinator, '#task-team', 'Kan ikke starte ennå');
    await expectText(coordinator, '#task-team', 'Barnets beskrivelse og 3–5 spørsmål');
    if (await coordinator.getByRole('button', { name: /Gå videre/ }).count()) {
      throw new Error('the council page still offers "Gå videre" buttons');
    }
    await scan(coordinator, 'a new council');
  });

  const base = coordinator.url().replace(/[?#].*$/, '');
  await step(coordinator, 'the child\'s description and questions', async () => {
    await openTask(coordinator, base, 'Barnets beskrivelse og spørsmål');
    // A text without words: the message at its field, the choices kept.
    await coordinator.locator('#text-kind').selectOption('question');
    await coordinator.locator('#text-author').selectOption('child');
    await coordinator.getByRole('button', { name: 'Legg til teksten' }).click();
    await expectFieldError(coordinator, 'text-text', 'Fyll ut feltet.');
    if ((await coordinator.locator('#text-author').inputValue()) !== 'child') {
      throw new Error('the author chosen was lost');
    }
    await scan(coordinator, 'a text without words');
    const texts = [
      ['situation', 'Jeg vil bo hjemme, men det er mye krangling.', 'child'],
      ['question', 'Hvem kan hente meg på fotball?', 'coordinator_with_child'],
      ['question', 'Hvor kan jeg være når det er krangling?', 'child'],
      ['question', 'Hvem kan jeg ringe når jeg er lei meg?', 'child'],
    ];
    for (const [kind, text, author] of texts) {
      await coordinator.locator('#text-kind').selectOption(kind);
      await coordinator.locator('#text-text').fill(text);
      await coordinator.locator('#text-author').selectOption(author);
      await coordinator.locator('#text-confirmed').check();
      await coordinator.locator('#text-shared').check();
      await coordinator.getByRole('button', { name: 'Legg til teksten' }).click();
      await expectText(coordinator, '[role=status]', 'lagret');
    }
    await expectText(coordinator, '#texts + p + div', 'Barnet selv');
    await expectText(coordinator, '#task-status', 'Ferdig');
    await scan(coordinator, 'the child\'s texts');
    await coordinator.goto(base);
    // The phase follows from the tasks done: no click moves it.
    await expectText(coordinator, '#council-state', 'Barnet velger teamet');
    await expectText(coordinator, '#status-description', 'Ferdig');
  });

  await step(coordinator, 'the team the child chose', async () => {
    await openTask(coordinator, base, 'Teamet barnet velger');
    // A new person without saying who they are to the child: no silent default.
    await coordinator.locator('#new-name').fill('Nabo Nils');
    await coordinator.getByRole('button', { name: 'Legg til', exact: true }).click();
    await expectFieldError(coordinator, 'new-category', 'Velg et av alternativene i listen.');
    if ((await coordinator.locator('#new-name').inputValue()) !== 'Nabo Nils') {
      throw new Error('the name typed was lost');
    }
    await scan(coordinator, 'a new person without a category');
    await coordinator.locator('#new-name').fill('');
    for (const who of ['Mormor Kari', 'Onkel Per', 'Far Ola']) {
      await coordinator.locator('#who').selectOption({ label: who });
      await coordinator.locator('#chosen').check();
      await coordinator.locator('#role').selectOption('support_person');
      await coordinator.getByRole('button', { name: 'Legg til', exact: true }).click();
      await expectText(coordinator, '#team-table', who);
    }
    await coordinator.getByRole('button', { name: 'Bekreft teamet barnet har valgt' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await expectText(coordinator, '#task-status', 'Ferdig');
    await scan(coordinator, 'the team');
    await coordinator.goto(base);
    await expectText(coordinator, '#council-state', 'Forberedelse');
    await expectText(coordinator, '#task-team', '3 av 3 i teamet er valgt av barnet');
  });

  await step(coordinator, 'a meeting in the past is refused at its field', async () => {
    await openTask(coordinator, base, 'Tid og sted for møtet');
    await coordinator.locator('#starts-at').fill('2020-01-01T18:00');
    await coordinator.locator('#place').fill('Biblioteket');
    await coordinator.getByRole('button', { name: 'Avtal møtet' }).click();
    await expectFieldError(coordinator, 'starts-at', 'Møtet kan ikke begynne før nå.');
    if ((await coordinator.locator('#place').inputValue()) !== 'Biblioteket') {
      throw new Error('the place typed was lost');
    }
    await scan(coordinator, 'a meeting in the past');
    await coordinator.locator('#starts-at').fill(meetingTime());
    await coordinator.getByRole('button', { name: 'Avtal møtet' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
  });

  await step(coordinator, 'no sending before a parent consents', async () => {
    await coordinator.goto(base);
    await expectText(coordinator, '#task-invitations', 'Kan ikke starte ennå');
    await expectText(coordinator, '#task-invitations', 'Samtykke mangler');
    await photograph(coordinator, 'council-task-list');
    await openTask(coordinator, base, 'Sjekk og send invitasjonene');
    if (await coordinator.getByRole('button', { name: 'Send invitasjonene' }).count()) {
      throw new Error('sending is offered although it cannot succeed');
    }
    await openTask(coordinator, base, 'Samtykke');
    await coordinator.locator('#consent-scope').fill('Nettverksråd med teamet barnet har valgt');
    await coordinator.getByRole('button', { name: 'Registrer samtykket' }).click();
    await expectFieldError(coordinator, 'consent-name', 'Fyll ut feltet.');
    if (!(await coordinator.locator('#consent-scope').inputValue()).startsWith('Nettverksråd')) {
      throw new Error('the scope typed was lost');
    }
    await scan(coordinator, 'a consent without a name');
    await coordinator.locator('#consent-name').fill('Mor');
    await coordinator.getByRole('button', { name: 'Registrer samtykket' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
  });

  await step(coordinator, 'the check before sending', async () => {
    await openTask(coordinator, base, 'Sjekk og send invitasjonene');
    await expectText(coordinator, '#reach-table', 'E-post: mormor@example.no');
    await expectText(coordinator, '#reach-table', 'Kan ikke nås: mangler e-postadresse');
    await expectText(coordinator, '#preview-subject', 'Invitasjon til et møte');
    const preview = await coordinator.locator('#preview-text').innerText();
    for (const word of ['barnevern', 'Emmeline', 'Biblioteket']) {
      if (preview.toLowerCase().includes(word.toLowerCase())) {
        throw new Error(`"${word}" in the invitation's text`);
      }
    }
    await scan(coordinator, 'the check before sending');
    await photograph(coordinator, 'council-check-before-sending');
    const address = coordinator.getByLabel('Legg til e-postadresse for Onkel Per');
    await address.fill('per@');
    await coordinator.getByRole('button', { name: 'Lagre adressen' }).click();
    const id = await coordinator.getByLabel('Legg til e-postadresse for Onkel Per').getAttribute('id');
    await expectFieldError(coordinator, id, 'Skriv en gyldig e-postadresse');
    if ((await coordinator.locator(`#${id}`).inputValue()) !== 'per@') {
      throw new Error('the address typed was lost');
    }
    await coordinator.locator(`#${id}`).fill('per@example.no');
    await coordinator.getByRole('button', { name: 'Lagre adressen' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await expectText(coordinator, '#reach-table', 'E-post: per@example.no');
  });

  await step(coordinator, 'the invitations are sent, and the page tells the truth', async () => {
    await coordinator.getByRole('button', { name: 'Send invitasjonene' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
    // The worker sends within seconds: "being sent" first, then "sent" with the time.
    for (let i = 0; i < 50; i++) {
      const text = await coordinator.locator('#reach-table').innerText();
      if ((text.match(/Sendt \d/g) ?? []).length === 2) break;
      if (!/Sendes nå|Sendt/.test(text)) throw new Error(`no sending status: ${text}`);
      await new Promise((r) => setTimeout(r, 200));
      await coordinator.reload();
    }
    await expectText(coordinator, '#reach-table', /Sendt \d.*Sendt \d/);
    await scan(coordinator, 'the invitations sent');
    await coordinator.goto(base);
    await expectText(coordinator, '#status-invitations', 'Ferdig');
  });

  await step(coordinator, 'the letter for the father reached by post', async () => {
    await coordinator.goto(`${base}/tasks/invitations`);
    await expectText(coordinator, '#reach-table', 'Send invitasjonen som brev');
    await coordinator.getByRole('link', { name: 'Skriv ut brevet Far Ola' }).click();
    await expectText(coordinator, 'main h1', 'Invitasjon som brev til Far Ola');
    await expectText(coordinator, '.letter__window', 'Far Ola');
    await expectText(coordinator, '.letter__window', '4624 Kristiansand');
    await expectText(coordinator, '.letter', 'Biblioteket');
    await scan(coordinator, 'the letter');
    await photograph(coordinator, 'council-letter');
    // On paper: the sheet alone (no header with the service's name, no controls), on one A4 page.
    await coordinator.emulateMedia({ media: 'print' });
    if (await coordinator.locator('.site-header').isVisible()) throw new Error('the header is printed');
    if (await coordinator.locator('.letter-controls').isVisible()) throw new Error('the controls are printed');
    const sheet = (await coordinator.locator('.letter').innerText()).toLowerCase();
    if (sheet.includes('barnevern')) throw new Error('"barnevern" on the letter');
    const pdf = (await coordinator.pdf({ preferCSSPageSize: true })).toString('latin1');
    const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    if (pages !== 1) throw new Error(`the letter prints on ${pages} pages`);
    await coordinator.emulateMedia({ media: 'screen' });
  });

  const posted = await newPage(browser);
  await step(posted, 'the father types the short address from the letter', async () => {
    const short = (await coordinator.locator('.letter__link').innerText()).trim();
    if (!/\/b\/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(short)) throw new Error(`short link "${short}"`);
    // Typed as people type: in small letters.
    await posted.goto(short.replace(/\/b\/(.+)$/, (_, code) => `/b/${code.toLowerCase()}`));
    await expectText(posted, 'main h1', 'Invitasjon til møte');
    await expectText(posted, 'main', 'Biblioteket');
    await scan(posted, 'the answer page from the letter');
  });

  await step(coordinator, 'the father answers on the phone, and the coordinator records it', async () => {
    await coordinator.goto(`${base}/tasks/invitations`);
    const form = coordinator.locator('details', { hasText: 'Registrer svar fra Far Ola' });
    await form.locator('summary').click();
    // Saved before choosing his answer: the mistake at its field, what was typed kept.
    await form.getByLabel('Hva jeg kan bidra med').fill('Kan kjøre til trening');
    await form.getByRole('button', { name: 'Lagre svaret Far Ola' }).click();
    const again = coordinator.locator('details[open]', { hasText: 'Registrer svar fra Far Ola' });
    await expectText(again, '.field-error', 'Velg om personen kommer: ja, nei eller kanskje.');
    if ((await again.getByLabel('Hva jeg kan bidra med').inputValue()) !== 'Kan kjøre til trening') {
      throw new Error('what was typed is lost');
    }
    await scan(coordinator, 'a recorded answer with a mistake');
    await again.scrollIntoViewIfNeeded();
    await photograph(coordinator, 'council-recorded-answer-error', { scanEach: true });
    await again.getByLabel('Ja, jeg kommer').check();
    await again.getByLabel('Hvordan svarte personen?').selectOption('phone');
    await again.getByRole('button', { name: 'Lagre svaret Far Ola' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await expectText(coordinator, '#reach-table', 'Registrert av');
    await expectText(coordinator, '#reach-table', 'på telefon');
    await expectText(coordinator, '#reach-table', 'Kan kjøre til trening');
    await scan(coordinator, 'the answer recorded by phone');
  });

  const guest = await newPage(browser);
  await step(guest, 'the invitee opens the link from the email', async () => {
    const mail = await latestMail(mailDir, { to: invitee, timeoutMs: 30_000 });
    if (mail.subject !== 'Invitasjon til et møte') throw new Error(`subject "${mail.subject}"`);
    for (const word of ['barnevern', 'Mormor', 'Biblioteket']) {
      if ((mail.text + mail.subject + mail.from).toLowerCase().includes(word.toLowerCase())) {
        throw new Error(`"${word}" in the invitation email`);
      }
    }
    const link = mail.links.find((l) => l.startsWith(`${baseUrl}/i/`));
    if (!link) throw new Error(`no invitee link in ${mail.links.join(', ')}`);
    await guest.goto(link);
    await expectText(guest, 'main h1', 'Invitasjon til møte');
    await expectText(guest, 'main', 'Hvem kan hente meg på fotball?');
    await expectText(guest, 'main', 'Biblioteket');
    // The page is as neutral as the email, down to its footer.
    const body = (await guest.locator('body').innerText()).toLowerCase();
    if (body.includes('barnevern')) throw new Error('"barnevern" on the invitee page');
    await scan(guest, 'the invitee page');
  });

  await step(guest, 'the invitee accepts', async () => {
    await guest.getByLabel('Ja, jeg kommer').check();
    await guest.getByLabel('Hva jeg kan bidra med').fill('Kan hente på fotball på tirsdager');
    await guest.getByRole('button', { name: 'Send svaret' }).click();
    await expectText(guest, '[role=status]', 'Svaret ditt er lagret');
    await scan(guest, 'the answer saved');
  });

  await step(coordinator, 'the coordinator sees the answer at once', async () => {
    await coordinator.goto(`${base}/tasks/invitations`);
    await expectText(coordinator, '#reach-table', 'Ja, jeg kommer');
    await expectText(coordinator, '#reach-table', 'Kan hente på fotball på tirsdager');
    await scan(coordinator, 'the answer on the council page');
    await coordinator.goto(`${baseUrl}/cases/${caseId}`);
    await expectText(coordinator, '#councils', 'Nettverksråd: Forberedelse');
    await scan(coordinator, 'the case page with its council');
  });
});
