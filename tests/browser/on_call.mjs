// The on-call service at night: Vera of the barnevernvakt signs in, finds Nora's case by her
// name (only name, birth date and municipality are shown), is refused without a reason, opens
// the acute list with one and reads who can step in, when they can be reached and where Nora
// can go. The assigned coordinator sees on the case page that the list was opened, by whom and
// why; the leader reviews the opening by the case's reference. Twelve hours later (the test moves
// the app's clock when this script asks) the list is closed and says a new opening needs a new
// reason. Every page is scanned with axe; the on-call pages are photographed at 1280 and 390 px.
// Run by tests/api/browser.rs: node tests/browser/on_call.mjs <base_url> <mail_dir>

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { expectEqual, expectText, newPage, run, scan, screenshot, signIn, step } from './lib.mjs';

const onCall = process.env.TILLIT_ON_CALL_EMAIL;
const coordinator = process.env.TILLIT_COORDINATOR_EMAIL;
const leader = process.env.TILLIT_LEADER_EMAIL;
const password = process.env.TILLIT_PASSWORD;

/** Photographs `page` at 1280 and at 390 px wide, as `<label>-1280` and `<label>-390`. */
async function photograph(page, label) {
  await screenshot(page, `${label}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${label}-390`);
  await scan(page, `${label} at 390 px`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Asks the test to move the app's clock twelve hours on, and waits until it has. */
async function twelveHoursLater(mailDir) {
  writeFileSync(join(mailDir, 'advance-clock'), '12h');
  const deadline = Date.now() + 20_000;
  while (!existsSync(join(mailDir, 'clock-advanced'))) {
    if (Date.now() > deadline) throw new Error('the test did not move the clock');
    await new Promise((r) => setTimeout(r, 100));
  }
}

run(async ({ browser, baseUrl, mailDir }) => {
  if (!onCall || !coordinator || !leader || !password) throw new Error('the logins are missing');
  const night = await newPage(browser);
  let caseId;
  let openingUrl;

  await step(night, 'the on-call staff member signs in and sees no case list', async () => {
    await signIn(night, baseUrl, { email: onCall, password });
    await expectText(night, 'main h1', 'Velkommen, Vera Vakt');
    expectEqual(await night.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Mine saker' }).count(), 0, 'no case list');
    await night.getByRole('link', { name: 'Finn en sak og åpne akuttlisten' }).click();
    await expectText(night, 'main h1', 'Finn en sak');
  });
  await scan(night, 'the on-call search');

  await step(night, 'find Nora by her name', async () => {
    await night.getByLabel('Saksreferanse eller barnets navn').fill('nora berg');
    await night.getByRole('button', { name: 'Søk' }).click();
    await expectText(night, 'table.choices', 'Nora Berg');
    await expectText(night, 'table.choices', '09.03.2015');
    await expectText(night, 'table.choices', '2026/0042');
    const href = await night.getByRole('link', { name: 'Nora Berg' }).getAttribute('href');
    caseId = href.split('/').pop();
  });
  await scan(night, 'the search results');
  await photograph(night, 'on-call-search');

  await step(night, 'without a reason the opening is refused at the field', async () => {
    await night.getByRole('link', { name: 'Nora Berg' }).click();
    await expectText(night, 'main h1', 'Åpne akuttlisten for Nora Berg');
    await night.getByLabel('Referanse i vaktloggen (valgfritt)').fill('BV-2026-0311');
    await night.getByRole('button', { name: 'Åpne akuttlisten' }).click();
    await expectText(night, '.error-summary', 'Skriv hvorfor du trenger akuttlisten nå.');
    await expectText(night, '#reason-error', 'Skriv hvorfor du trenger akuttlisten nå.');
    expectEqual(await night.getByLabel('Referanse i vaktloggen (valgfritt)').inputValue(), 'BV-2026-0311', 'what was typed is kept');
  });
  await scan(night, 'the opening refused without a reason');
  await photograph(night, 'on-call-open-refused');

  await step(night, 'open the acute list with a reason', async () => {
    await night.getByLabel('Hvorfor trenger du akuttlisten nå?').fill('Politiet ringte kl. 02.10: mor er innlagt, Nora må hentes i natt.');
    await night.getByRole('button', { name: 'Åpne akuttlisten' }).click();
    await expectText(night, 'main h1', 'Akuttliste for Nora');
    await expectText(night, '.opening', 'Åpen for deg til');
    // 02:00 is inside the service's quiet hours (21–07): the notice to the case's staff waits.
    await expectText(night, '#notice-goes-out', 'sendes');
    await expectText(night, '#notice-goes-out', 'kl. 07:00');
    await expectText(night, 'table.acute-list', 'Tante Hilde');
    await expectText(night, 'table.acute-list', '912 34 567');
    await expectText(night, 'table.acute-list', 'Hverdager etter 16, helg hele døgnet');
    await expectText(night, '.where-child-can-go', 'ellers beredskapshjem');
    expectEqual(await night.getByText('Lærer Lise').count(), 0, 'only who can step in');
    openingUrl = night.url();
  });
  await scan(night, 'the acute list under the opening');
  await photograph(night, 'on-call-acute-list');

  const day = await newPage(browser);
  await step(day, 'the assigned coordinator sees that the list was opened', async () => {
    await signIn(day, baseUrl, { email: coordinator, password });
    await day.goto(`${baseUrl}/cases/${caseId}`);
    await expectText(day, 'main h1', 'Nora Berg');
    await expectText(day, '.openings', 'Akuttlisten er åpnet av noen som ikke er tildelt saken');
    await expectText(day, '.openings', 'Vera Vakt');
    await expectText(day, '.openings', 'Barnevernvakt');
    await expectText(day, '.openings', 'Politiet ringte kl. 02.10');
    await expectText(day, '.openings', 'åpen til');
  });
  await scan(day, 'the case page with the opening');
  await photograph(day, 'case-page-opening');

  const review = await newPage(browser);
  await step(review, 'the leader reviews the opening by the case reference', async () => {
    await signIn(review, baseUrl, { email: leader, password });
    await review.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Akuttåpninger' }).click();
    await expectText(review, 'main h1', 'Åpninger av akuttlister');
    await expectText(review, 'table.openings', '2026/0042');
    await expectText(review, 'table.openings', 'Vera Vakt');
    await expectText(review, 'table.openings', 'Åpen');
    expectEqual(await review.getByText('Nora Berg').count(), 0, 'the case by its reference only');
  });
  await scan(review, "the leader's review");
  await photograph(review, 'leader-review');

  await step(night, 'twelve hours later the acute list is closed', async () => {
    await twelveHoursLater(mailDir);
    await night.goto(openingUrl);
    await expectText(night, 'main h1', 'Akuttlisten er lukket');
    await expectText(night, 'main', 'ny begrunnelse');
    expectEqual(await night.getByText('912 34 567').count(), 0, 'no numbers once closed');
    await night.goto(`${baseUrl}/on-call`);
    await expectText(night, 'main', 'Du har ingen åpne akuttlister nå.');
  });
  await scan(night, 'the closed acute list');
  await night.goto(openingUrl);
  await photograph(night, 'on-call-closed');

  await step(review, 'the review shows it closed', async () => {
    await review.reload();
    await expectText(review, 'table.openings', 'Lukket');
  });
});
