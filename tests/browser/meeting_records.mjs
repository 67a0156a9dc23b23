// An acute family group conference recorded afterwards, in a browser, as the coordinator does
// it: a new acute conference, the team (no written texts first: the short path), a parent's
// consent recorded as given orally, then the meeting held last night written down — first
// without a reason (the message in Norwegian at its field, what was typed kept, nothing
// written), then with it; the record of the meeting filled from who came, corrected, with the
// decisions and notes for the team; and on to the plan. Every page is scanned for accessibility
// problems; the recording form and the record are photographed at 1280 and 390 px
// (target/screenshots/, copied to docs/screenshots/ when they change).

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run, newPage, step, scan, expectText, repoRoot, signIn } from './lib.mjs';

const email = process.env.TILLIT_EMAIL;
const password = process.env.TILLIT_PASSWORD;
const caseId = process.env.TILLIT_CASE_ID;

/** Yesterday at 19:00, as a date-time field takes it. */
function lastNight() {
  const day = new Date(Date.now() - 24 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}T19:00`;
}

/** Words of the API's English messages that must never reach a Norwegian page. */
const ENGLISH = /\b(field|required|must|cannot|invalid|the meeting|characters|not a|one of)\b/i;

/** Screenshots of `page` at 1280 and 390 px wide, as `target/screenshots/<name>-<width>.png`. */
async function photograph(page, name) {
  const dir = join(repoRoot, 'target', 'screenshots');
  await mkdir(dir, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(dir, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

run(async ({ browser, baseUrl }) => {
  if (!email || !password || !caseId) throw new Error('the coordinator and case are missing');
  const page = await newPage(browser);

  await step(page, 'the coordinator logs in', async () => {
    await signIn(page, baseUrl, { email, password });
    await expectText(page, 'main h1', 'Velkommen');
  });

  await step(page, 'a new acute family group conference', async () => {
    await page.goto(`${baseUrl}/cases/${caseId}/councils`);
    await page.locator('#kind').selectOption('family_group_conference');
    await page.locator('#acute').check();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expectText(page, 'main h1', 'Familieråd (akutt)');
    await scan(page, 'a new acute conference');
  });
  const base = page.url().replace(/[?#].*$/, '');

  await step(page, 'the team, without the written texts first', async () => {
    await page.goto(`${base}/tasks/team`);
    for (const who of ['Mormor Kari', 'Onkel Per']) {
      await page.locator('#who').selectOption({ label: who });
      await page.getByRole('button', { name: 'Legg til', exact: true }).click();
      await expectText(page, '[role=status]', 'lagret');
    }
    await scan(page, 'the acute team');
  });

  await step(page, 'a consent given orally', async () => {
    await page.goto(`${base}/tasks/consents`);
    await page.locator('#consent-by').selectOption('parent');
    await page.locator('#consent-name').fill('Mor');
    await page.locator('#consent-scope').fill('Akutt familieråd samme kveld');
    await page.locator('#consent-oral').check();
    await page.getByRole('button', { name: 'Registrer samtykket' }).click();
    await expectText(page, '[role=status]', 'lagret');
    await expectText(page, '#consents ~ ul', 'gitt muntlig');
    await expectText(page, '#consents ~ ul', 'registrert av');
    await scan(page, 'an oral consent');
  });

  await step(page, 'the meeting held last night, first without a reason', async () => {
    await page.goto(base);
    await page.locator('#afterwards-link').click();
    await expectText(page, 'main h1', 'Registrer et møte som er holdt');
    await page.locator('#past-starts').fill(lastNight());
    await page.locator('#past-place').fill('Hjemme hos mormor');
    await page.getByLabel('Mormor Kari').check();
    await page.getByRole('button', { name: 'Registrer møtet' }).click();
    await expectText(page, '.error-summary', 'Skriv hvorfor møtet registreres i etterkant.');
    await expectText(page, '#past-reason-error', 'Skriv hvorfor møtet registreres i etterkant.');
    if ((await page.locator('#past-reason').getAttribute('aria-invalid')) !== 'true') {
      throw new Error('the reason is not marked invalid');
    }
    if ((await page.locator('#past-place').inputValue()) !== 'Hjemme hos mormor') {
      throw new Error('the place typed was lost');
    }
    if (!(await page.getByLabel('Mormor Kari').isChecked())) {
      throw new Error('who came was lost');
    }
    const text = await page.locator('main').innerText();
    const english = text.match(ENGLISH);
    if (english) throw new Error(`English on a Norwegian page: "${english[0]}"`);
    await scan(page, 'a past meeting without a reason');
    await photograph(page, 'meeting-afterwards-error');
    await page.locator('#past-reason').fill('Akutt familieråd samme kveld, avtalt på telefon');
    await page.getByRole('button', { name: 'Registrer møtet' }).click();
    await expectText(page, 'main h1', 'Møtereferat');
    await expectText(page, '#records', 'Møtene');
    await expectText(page, 'main', 'Registrert i etterkant');
  });

  await step(page, 'the record: who came, corrected, the decisions and the notes', async () => {
    const mormor = page.getByLabel('Mormor Kari');
    const per = page.getByLabel('Onkel Per');
    if (!(await mormor.isChecked()) || (await per.isChecked())) {
      throw new Error('who came is not as recorded');
    }
    await per.check();
    await page.locator('textarea[id^=record-decisions-]').fill('Barnet bor hos mormor denne uken\nOnkel Per kjører til skolen');
    await page.locator('textarea[id^=record-notes-]').fill('Familien ble raskt enige.');
    await page.locator('select[id^=record-shared-]').selectOption('team');
    await page.getByRole('button', { name: 'Lagre referatet' }).click();
    await expectText(page, '[role=status]', 'lagret');
    await expectText(page, 'main', 'Lagret av');
    if (!(await page.getByLabel('Onkel Per').isChecked())) throw new Error('the correction was lost');
    const decisions = await page.locator('textarea[id^=record-decisions-]').inputValue();
    if (!decisions.includes('Onkel Per kjører til skolen')) throw new Error(`decisions: ${decisions}`);
    await scan(page, 'the meeting record');
    await photograph(page, 'meeting-record');
  });

  await step(page, 'on to the plan', async () => {
    await page.goto(base);
    await expectText(page, '#council-state', 'Planen vurderes');
    await scan(page, 'the conference after its meeting');
    await page.goto(`${base}/plan`);
    await scan(page, 'the plan page');
  });
});
