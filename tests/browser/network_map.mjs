// A coordinator maps a child's network in the browser: signs in, opens a case, adds ten people
// (three with the child's own words; one first with a phone number that is refused), saves a
// revision, and looks at the eco-map, its table, the printable map, the acute list and the
// history. Every page is scanned for accessibility problems.
// Run by tests/browser.rs: node tests/browser/network_map.mjs <base_url> <mail_dir>

import { expectEqual, expectText, newPage, run, scan, step, signIn } from './lib.mjs';

const email = process.env.TILLIT_STAFF_EMAIL;
const password = process.env.TILLIT_STAFF_PASSWORD;

/** The ten people: category, family side, closeness and relation as the form labels them. */
const people = [
  {
    name: 'Mormor Kari',
    relation: 'mormor',
    category: 'Nær familie',
    lineage: 'Mors side',
    closeness: 'Nær',
    quality: 'Støttende',
    acute: 'Kan hente på skolen og ha Emma noen netter',
    phone: '912 34 567',
    words: 'Mormor lager pannekaker og hører på meg',
  },
  { name: 'Morfar Per', category: 'Nær familie', lineage: 'Mors side', closeness: 'Middels', quality: 'Blandet' },
  {
    name: 'Farmor Aud',
    category: 'Den andre forelderens familie',
    lineage: 'Fars side',
    closeness: 'Middels',
    quality: 'Støttende',
    acute: 'Kan komme samme kveld',
    phone: '+46 70 123 45 67',
    words: 'Farmor har en hund som heter Lykke',
  },
  { name: 'Tante Lise', category: 'Fjernere slekt', lineage: 'Fars side', closeness: 'Fjern', quality: 'Anstrengt' },
  { name: 'Naboen Ola', category: 'Nabo', closeness: 'Middels', quality: 'Støttende' },
  {
    name: 'Fotballtrener Siv',
    category: 'Fritidsaktivitet',
    closeness: 'Nær',
    quality: 'Støttende',
    words: 'Siv sier at jeg er flink til å passe',
  },
  { name: 'Kontaktlærer Nils', category: 'Skole', closeness: 'Middels', quality: 'Støttende' },
  { name: 'Helsesykepleier Anne', category: 'Helsesykepleier', closeness: 'Fjern', quality: 'Støttende' },
  { name: 'Fastlege Berg', category: 'Fastlege', closeness: 'Fjern', quality: 'Blandet' },
  { name: 'Mias mor Hanne', category: 'Familier barnet kjenner', closeness: 'Middels', quality: 'Støttende' },
];

async function fillPerson(page, person) {
  await page.getByLabel('Navn', { exact: true }).fill(person.name);
  if (person.relation) await page.getByLabel('Hvem er personen for barnet').fill(person.relation);
  await page.getByLabel('Kategori').selectOption({ label: person.category });
  await page.getByLabel('Slekt').selectOption({ label: person.lineage ?? 'Ikke aktuelt' });
  await page.getByRole('radio', { name: person.closeness, exact: true }).check();
  await page.getByRole('radio', { name: person.quality, exact: true }).check();
  if (person.acute) {
    await page.getByLabel('Kan stille opp akutt').check();
    await page.getByLabel('Hvordan personen kan stille opp').fill(person.acute);
  }
  if (person.phone) await page.getByLabel('Telefon', { exact: true }).fill(person.phone);
  if (person.words) await page.getByLabel('Nye ord fra barnet').fill(person.words);
}

run(async ({ browser, baseUrl }) => {
  if (!email || !password) throw new Error('the staff credentials are missing');
  const page = await newPage(browser);

  await step(page, 'sign in and go to my cases', async () => {
    await signIn(page, baseUrl, { email, password, from: '/cases' });
    await expectText(page, 'main h1', 'Mine saker');
  });
  await scan(page, 'my cases, none yet');

  await step(page, 'open a case', async () => {
    await page.getByLabel('Fornavn').fill('Emma');
    await page.getByLabel('Etternavn').fill('Nordmann');
    await page.getByLabel('Fødselsdato').fill('2016-04-01');
    await page.getByRole('button', { name: 'Opprett saken' }).click();
    await expectText(page, 'main h1', 'Emma Nordmann');
    await expectText(page, '.prompts', 'Barnet har ikke noe nettverkskart ennå');
  });
  await scan(page, 'a new case');
  const caseUrl = page.url();

  await step(page, 'a wrong phone number is refused with the reason', async () => {
    await page.getByRole('link', { name: 'Legg til person' }).click();
    await expectText(page, 'main h1', 'Legg til en person i nettverket');
    await fillPerson(page, { ...people[0], phone: '12 34' });
    await page.getByRole('button', { name: 'Lagre personen' }).click();
    await expectText(page, '.error-summary', 'åtte siffer');
    expectEqual(await page.getByLabel('Nye ord fra barnet').inputValue(), people[0].words, 'the words are kept');
  });
  await scan(page, 'the person form with an error');

  for (const [i, person] of people.entries()) {
    await step(page, `add ${person.name}`, async () => {
      if (i > 0) {
        await page.getByRole('link', { name: 'Legg til person' }).click();
        await expectText(page, 'main h1', 'Legg til en person i nettverket');
      }
      await fillPerson(page, person);
      await page.getByRole('button', { name: 'Lagre personen' }).click();
      await expectText(page, '[role=status]', 'Personen er lagret.');
    });
  }

  await step(page, 'save a revision with the child taking part', async () => {
    const tabs = page.getByRole('navigation', { name: 'Sidene i saken' });
    await tabs.getByRole('link', { name: 'Revisjon' }).click();
    await page.getByRole('radio', { name: 'Ja', exact: true }).check();
    await page.getByLabel('Hvordan deltok barnet').fill('Emma tegnet kartet sammen med koordinator');
    await page.getByRole('button', { name: 'Lagre revisjon' }).click();
    await expectText(page, '[role=status]', 'Revisjonen er lagret.');
    await expectText(page, '.tabs [aria-current=page]', 'Revisjon');
    await tabs.getByRole('link', { name: 'Kartet' }).click();
    await expectText(page, '.prompts', 'Kartet er oppdatert');
  });

  await step(page, 'the picture shows all ten, and the table says the same', async () => {
    const picture = page.locator('figure.ecomap svg');
    if (!(await picture.isVisible())) throw new Error('the eco-map is not visible');
    const box = await picture.boundingBox();
    if (!box || box.width < 400) throw new Error(`the eco-map is too small: ${JSON.stringify(box)}`);
    expectEqual(await picture.locator('g.person').count(), 10, 'people on the picture');
    expectEqual(await picture.locator('g.person g.acute-mark').count(), 2, 'acute marks');
    await expectText(page, 'figure.ecomap svg title', 'Nettverkskart for Emma');
    await expectText(page, 'figure.ecomap svg .revision', 'Revisjon 1');
    expectEqual(await page.locator('table.persons tbody tr').count(), 10, 'rows in the table');
    await expectText(page, 'table.persons', '«Farmor har en hund som heter Lykke»');
    await expectText(page, 'table.persons', '912 34 567');
  });
  await scan(page, 'the case page with ten people');

  await step(page, 'the picture downloads as an SVG file', async () => {
    const href = await page.getByRole('link', { name: 'Last ned kartet (SVG)' }).getAttribute('href');
    const response = await page.request.get(`${baseUrl}${href}`);
    expectEqual(response.status(), 200, 'status');
    expectEqual(response.headers()['content-type'], 'image/svg+xml; charset=utf-8', 'content type');
    if (!response.headers()['content-disposition'].startsWith('attachment;')) {
      throw new Error(`not a download: ${response.headers()['content-disposition']}`);
    }
    const svg = await response.text();
    for (const person of people) {
      if (!svg.includes(person.name)) throw new Error(`${person.name} is not in the file`);
    }
  });

  await step(page, 'the printable map', async () => {
    await page.getByRole('link', { name: 'Utskriftsvennlig kart' }).click();
    await expectText(page, 'main h1', 'Nettverkskart – Emma');
    expectEqual(await page.locator('svg g.person').count(), 10, 'people on the printed picture');
    expectEqual(await page.locator('table.persons a[href*="/persons/"]').count(), 0, 'no edit links on paper');
    await page.emulateMedia({ media: 'print' });
    if (await page.locator('.site-nav').isVisible()) throw new Error('the menu is printed');
    await page.emulateMedia({ media: 'screen' });
  });
  await scan(page, 'the printable map');

  await step(page, 'the acute list', async () => {
    await page.goto(caseUrl);
    await page.getByRole('link', { name: 'Akuttliste (for utskrift)' }).click();
    await expectText(page, 'main h1', 'Akuttliste for Emma');
    expectEqual(await page.locator('table.acute-list tbody tr').count(), 2, 'people who can step in');
    await expectText(page, 'table.acute-list tbody tr:first-child', 'Mormor Kari');
    await expectText(page, 'table.acute-list tbody tr:first-child .phone', '912 34 567');
  });
  await scan(page, 'the acute list');

  await step(page, 'the history after a change', async () => {
    await page.goto(caseUrl);
    await page.getByRole('link', { name: 'Tante Lise' }).click();
    await page.getByRole('radio', { name: 'Middels', exact: true }).check();
    await page.getByRole('button', { name: 'Lagre personen' }).click();
    await expectText(page, '.prompts', 'Kartet er endret siden revisjon 1');
    await page.getByRole('link', { name: 'Revisjoner og endringer' }).click();
    await expectText(page, 'main h1', 'Revisjoner av nettverkskartet');
    await expectText(page, '.panel', 'Nærhet: Fjern → Middels');
  });
  await scan(page, 'the revision history');
});
