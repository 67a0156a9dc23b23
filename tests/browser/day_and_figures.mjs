// A coordinator's start page walked to an overdue commitment, a leader's figures page with its
// charts and tables, and the leader's assignment of a case by reference; every page is scanned
// with axe.
// Run by tests/browser.rs: node tests/browser/day_and_figures.mjs <base_url> <mail_dir>

import { expectEqual, expectText, newPage, run, scan, signIn, step } from './lib.mjs';

async function signInTo(page, baseUrl, next, email, password) {
  await signIn(page, baseUrl, { email, password });
  await page.goto(`${baseUrl}${next}`);
}

run(async ({ browser, baseUrl }) => {
  const page = await newPage(browser);
  await step(page, 'the coordinator signs in to the start page', async () => {
    await signInTo(page, baseUrl, '/overview', process.env.TILLIT_COORDINATOR_EMAIL, process.env.TILLIT_PASSWORD);
    await expectText(page, 'main h1', 'Min dag');
    await expectText(page, '#overdue + ul', 'Henter på skolen hver fredag');
  });
  await scan(page, 'start page');
  await step(page, 'the overdue commitment leads to its plan', async () => {
    await page.locator('#overdue + ul a').first().click();
    expectEqual(new URL(page.url()).hash, '#commitments', 'the plan page at its commitments');
    await expectText(page, '#commitments', 'Hvem gjør hva innen når');
    await expectText(page, 'main', 'Henter på skolen hver fredag');
  });
  await scan(page, 'the plan with the overdue commitment');

  const leader = await newPage(browser);
  await step(leader, 'the leader opens the figures', async () => {
    await signInTo(leader, baseUrl, '/figures', process.env.TILLIT_LEADER_EMAIL, process.env.TILLIT_PASSWORD);
    await expectText(leader, 'main h1', 'Tall for tjenesten');
    expectEqual(await leader.locator('main svg[role="img"]').count(), 2, 'two charts');
    expectEqual(await leader.locator('.chart-with-table table').count(), 2, 'a table beside each');
    await expectText(leader, 'main table', 'Saker opprettet');
  });
  await scan(leader, 'figures');
  await step(leader, 'a year out of range is refused at the field', async () => {
    await leader.getByLabel('År').fill('1999');
    await leader.getByRole('button', { name: 'Vis' }).click();
    await expectText(leader, '.error-summary', 'Skriv et år fra 2000 til i år');
  });
  await scan(leader, 'figures, wrong year');
  await step(leader, 'an unknown reference is refused at the field, what was typed kept', async () => {
    await leader.goto(`${baseUrl}/case-assignments`);
    await expectText(leader, 'main h1', 'Tildel en sak etter referanse');
    await scan(leader, 'case assignment by reference');
    await leader.getByLabel('Sakens referanse').fill('finnes-ikke');
    await leader.getByLabel('Hvem skal ha saken?').selectOption({ index: 1 });
    await leader.getByRole('button', { name: 'Tildel saken' }).click();
    await expectText(leader, '.error-summary', 'Ingen sak i tjenesten har denne referansen');
    expectEqual(await leader.getByLabel('Sakens referanse').inputValue(), 'finnes-ikke', 'kept');
  });
  await scan(leader, 'case assignment, unknown reference');
});
