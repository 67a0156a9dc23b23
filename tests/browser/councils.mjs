// A council in a browser, as the coordinator and an invitee do it: a new network council, the
// child's description and questions, the team the child chose, consent, a meeting, the
// invitations; the invitee opens the link from the mail outbox and accepts; the coordinator sees
// the answer. Every page is scanned for accessibility problems.

import { run, newPage, step, scan, expectText, latestMail, secondFactor } from './lib.mjs';

const email = process.env.TILLIT_EMAIL;
const password = process.env.TILLIT_PASSWORD;
const caseId = process.env.TILLIT_CASE_ID;
const invitee = 'mormor@example.no';

/** Ten days from now at 18:00, as a date-time field takes it. */
function meetingTime() {
  const day = new Date(Date.now() + 10 * 24 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}T18:00`;
}

run(async ({ browser, baseUrl, mailDir }) => {
  if (!email || !password || !caseId) throw new Error('the coordinator and case are missing');
  const coordinator = await newPage(browser);

  await step(coordinator, 'the coordinator logs in', async () => {
    await coordinator.goto(`${baseUrl}/login`);
    await coordinator.getByLabel('E-postadresse').fill(email);
    await coordinator.getByLabel('Passord').fill(password);
    await coordinator.getByRole('button', { name: 'Logg inn' }).click();
    await secondFactor(coordinator);
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
    await expectText(coordinator, 'main h1', 'Nettverksråd');
    await expectText(coordinator, '#council-state', 'Startet');
    await scan(coordinator, 'a new council');
  });

  const base = coordinator.url().replace(/\?.*$/, '');
  await step(coordinator, 'the child\'s description and questions', async () => {
    await coordinator.getByRole('button', { name: 'Gå videre til: Situasjonsbeskrivelse skrives' }).click();
    await expectText(coordinator, '#council-state', 'Situasjonsbeskrivelse skrives');
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
    await scan(coordinator, 'the child\'s texts');
    await coordinator.getByRole('button', { name: 'Gå videre til: Barnet velger teamet' }).click();
    await expectText(coordinator, '#council-state', 'Barnet velger teamet');
  });

  await step(coordinator, 'the team the child chose', async () => {
    await coordinator.locator('#who').selectOption({ label: 'Mormor Kari' });
    await coordinator.locator('#chosen').check();
    await coordinator.locator('#role').selectOption('support_person');
    await coordinator.getByRole('button', { name: 'Legg til', exact: true }).click();
    await expectText(coordinator, '#team-table', 'Mormor Kari');
    await coordinator.getByRole('button', { name: 'Bekreft teamet barnet har valgt' }).click();
    await expectText(coordinator, '#council-state', 'Forberedelse');
    await scan(coordinator, 'the team');
  });

  await step(coordinator, 'a meeting is refused until a parent consents', async () => {
    await coordinator.locator('#starts-at').fill(meetingTime());
    await coordinator.locator('#place').fill('Biblioteket');
    await coordinator.getByRole('button', { name: 'Avtal møtet' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await coordinator.getByRole('button', { name: 'Send invitasjonene' }).click();
    await expectText(coordinator, '.error-summary', 'consent');
    await scan(coordinator, 'a refused step');
    await coordinator.locator('#consent-name').fill('Mor');
    await coordinator.locator('#consent-scope').fill('Nettverksråd med teamet barnet har valgt');
    await coordinator.getByRole('button', { name: 'Registrer samtykket' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
  });

  await step(coordinator, 'the invitations are sent', async () => {
    await coordinator.getByRole('button', { name: 'Send invitasjonene' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await expectText(coordinator, '#meetings ~ div', 'invitasjonene er sendt');
    await scan(coordinator, 'a confirmed meeting');
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
    await coordinator.goto(base);
    await expectText(coordinator, '#team-table', 'Ja, jeg kommer');
    await expectText(coordinator, '#team-table', 'Kan hente på fotball på tirsdager');
    await scan(coordinator, 'the answer on the council page');
    await coordinator.goto(`${baseUrl}/cases/${caseId}`);
    await expectText(coordinator, '#councils', 'Nettverksråd: Forberedelse');
    await scan(coordinator, 'the case page with its council');
  });
});
