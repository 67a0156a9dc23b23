// A coordinator works through the case's pages and their forms in the browser, moving between
// them by the tabs, each form coming back on its own page: the last person responsible
// cannot be removed (the page says why), a caseworker is made responsible too, the child's
// details are corrected (first with a missing name), and a foster home is proposed, refused as
// decided before the network is checked, checked (first with nobody ticked) and then decided.
// Every page and every form with an error is scanned for accessibility problems.
// Run by tests/browser.rs: node tests/browser/case_forms.mjs <base_url> <mail_dir>

import { expectEqual, expectText, newPage, run, scan, step, signIn } from './lib.mjs';

const email = process.env.TILLIT_STAFF_EMAIL;
const password = process.env.TILLIT_STAFF_PASSWORD;
const me = process.env.TILLIT_STAFF_NAME;
const colleague = process.env.TILLIT_COLLEAGUE_NAME;

/** Today as YYYY-MM-DD (UTC, which is never ahead of the service's day in Norway). */
const today = new Date().toISOString().slice(0, 10);

async function addPerson(page, { name, category, lineage }) {
  await page.getByRole('link', { name: 'Legg til person' }).click();
  await expectText(page, 'main h1', 'Legg til en person i nettverket');
  await page.getByLabel('Navn', { exact: true }).fill(name);
  await page.getByLabel('Kategori').selectOption({ label: category });
  await page.getByLabel('Slekt').selectOption({ label: lineage });
  await page.getByRole('radio', { name: 'Nær', exact: true }).check();
  await page.getByRole('radio', { name: 'Støttende', exact: true }).check();
  await page.getByRole('button', { name: 'Lagre personen' }).click();
  await expectText(page, '[role=status]', 'Personen er lagret.');
}

run(async ({ browser, baseUrl }) => {
  if (!email || !password || !me || !colleague) throw new Error('the staff details are missing');
  const page = await newPage(browser);

  await step(page, 'sign in and open a case', async () => {
    await signIn(page, baseUrl, { email, password, from: '/cases' });
    await expectText(page, 'main h1', 'Mine saker');
    await page.getByLabel('Fornavn').fill('Emma');
    await page.getByLabel('Etternavn').fill('Nordmann');
    await page.getByLabel('Fødselsdato').fill('2016-04-01');
    await page.getByRole('button', { name: 'Opprett saken' }).click();
    await expectText(page, 'main h1', 'Emma Nordmann');
  });
  const caseUrl = page.url();

  await step(page, 'the only person responsible cannot be removed', async () => {
    await page.getByRole('navigation', { name: 'Sidene i saken' }).getByRole('link', { name: 'Fase og ansvarlige' }).click();
    await expectText(page, '.tabs [aria-current=page]', 'Fase og ansvarlige');
    await page.getByRole('button', { name: `Fjern ${me}` }).click();
    await expectText(page, '#staff .error-summary', 'Dette er den eneste ansvarlige for saken');
    await expectText(page, 'table.staff', me);
  });
  await scan(page, 'the case page refusing to remove the last person responsible');

  await step(page, 'make a caseworker responsible too', async () => {
    await page.getByLabel('Legg til en ansvarlig').selectOption({ label: `${colleague} (Saksbehandler)` });
    await page.getByRole('button', { name: 'Legg til', exact: true }).click();
    await expectText(page, '[role=status]', 'Den ansatte er satt opp som ansvarlig for saken.');
    expectEqual(await page.locator('table.staff tbody tr').count(), 2, 'people responsible');
    await expectText(page, 'table.staff', colleague);
  });

  await step(page, "a missing first name is refused on the child's page", async () => {
    await page.getByRole('link', { name: 'Endre opplysninger om barnet' }).click();
    await expectText(page, 'main h1', 'Endre opplysninger om barnet');
    expectEqual(await page.getByLabel('Fødselsdato').inputValue(), '2016-04-01', 'the recorded birth date');
    await page.getByLabel('Fornavn').fill('');
    await page.getByRole('textbox', { name: 'Språk' }).fill('arabisk');
    await page.getByRole('button', { name: 'Lagre opplysningene' }).click();
    await expectText(page, '.error-summary', 'Skriv barnets fornavn');
    expectEqual(await page.getByRole('textbox', { name: 'Språk' }).inputValue(), 'arabisk', 'what was typed is kept');
  });
  await scan(page, "the child's details with an error");

  await step(page, "correct the child's details", async () => {
    await page.getByLabel('Fornavn').fill('Emmy');
    await page.getByLabel('trenger tolk').check();
    await page.getByRole('button', { name: 'Lagre opplysningene' }).click();
    await expectText(page, '[role=status]', 'Opplysningene om barnet er lagret.');
    await expectText(page, 'main h1', 'Emmy Nordmann');
    await expectText(page, '.facts', 'arabisk (trenger tolk)');
  });

  await addPerson(page, { name: 'Mormor Kari', category: 'Nær familie', lineage: 'Mors side' });
  await addPerson(page, { name: 'Farfar Ola', category: 'Den andre forelderens familie', lineage: 'Fars side' });

  await step(page, 'a person named like someone on the map is asked about first', async () => {
    await page.getByRole('link', { name: 'Legg til person' }).click();
    await page.getByLabel('Navn', { exact: true }).fill('mormor  kari');
    await page.getByLabel('Hvem er personen for barnet').fill('bestemor');
    await page.getByRole('button', { name: 'Lagre personen' }).click();
    await expectText(page, '#duplicate', 'Personen kan allerede stå på kartet');
    await expectText(page, '#duplicate a', 'Mormor Kari');
    expectEqual(await page.getByLabel('Hvem er personen for barnet').inputValue(), 'bestemor', 'what was typed is kept');
    expectEqual(await page.getByRole('button', { name: 'Legg til likevel' }).count(), 1, 'the confirm button');
  });
  await scan(page, 'the person form asking about a likely duplicate');
  await page.goto(caseUrl);

  await step(page, "the child's own words stay in view at 1280 px when a person has an email", async () => {
    await page.getByRole('link', { name: 'Legg til person' }).click();
    await page.getByLabel('Navn', { exact: true }).fill('Tante Ingrid Marie Kristiansen-Haugland');
    await page.getByLabel('Kategori').selectOption({ label: 'Nær familie' });
    await page.getByLabel('Slekt').selectOption({ label: 'Mors side' });
    await page.getByRole('radio', { name: 'Nær', exact: true }).check();
    await page.getByRole('radio', { name: 'Støttende', exact: true }).check();
    await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('41234567');
    await page.getByRole('textbox', { name: 'E-post', exact: true }).fill('ingrid.marie.kristiansen-haugland@eksempelkommune.no');
    await page.getByLabel('Postadresse', { exact: true }).fill('Storgata 12, 9008 Tromsø');
    await page.getByLabel('Nye ord fra barnet').fill('Tante Ingrid lager de beste vaflene, og hun hører på meg.');
    await page.getByRole('button', { name: 'Lagre personen' }).click();
    await expectText(page, '[role=status]', 'Personen er lagret.');
    await page.goto(caseUrl);
    expectEqual(page.viewportSize().width, 1280, 'the viewport width');
    const header = page.locator('table.persons thead th', { hasText: 'Barnets egne ord' });
    const box = await header.boundingBox();
    if (!box) throw new Error("the child's own words column has no box");
    if (box.x < 0 || box.x + box.width > 1280) {
      throw new Error(`the child's own words header lies at ${box.x}..${box.x + box.width}, outside 1280 px`);
    }
    const words = page.locator('table.persons blockquote.child-words', { hasText: 'vaflene' });
    const wordsBox = await words.boundingBox();
    if (!wordsBox || wordsBox.x + wordsBox.width > 1280) throw new Error("the child's words fall out of view");
  });

  await step(page, 'a measure must be chosen', async () => {
    await page.getByRole('navigation', { name: 'Sidene i saken' }).getByRole('link', { name: 'Kostnadskrevende tiltak' }).click();
    await expectText(page, '.tabs [aria-current=page]', 'Kostnadskrevende tiltak');
    await page.getByLabel('Beskrivelse').fill('Mor er innlagt over lang tid');
    await page.getByRole('button', { name: 'Foreslå tiltaket' }).click();
    await expectText(page, '#measures .error-summary', 'Velg hvilket tiltak som foreslås.');
    expectEqual(await page.getByLabel('Beskrivelse').inputValue(), 'Mor er innlagt over lang tid', 'kept');
  });
  await scan(page, 'the measure form with an error');

  await step(page, 'propose a foster home', async () => {
    await page.getByLabel('Tiltak', { exact: true }).selectOption({ label: 'Fosterhjem' });
    await page.getByRole('button', { name: 'Foreslå tiltaket' }).click();
    await expectText(page, '[role=status]', 'Tiltaket er foreslått.');
    await expectText(page, 'article.measure h3', 'Fosterhjem Foreslått');
  });

  await step(page, 'deciding before the network is checked is refused with the reason', async () => {
    await page.getByRole('button', { name: /Marker som vedtatt.*Fosterhjem/ }).click();
    await expectText(page, 'article.measure .error-summary', 'kan ikke vedtas før nettverket er sjekket');
    await expectText(page, 'article.measure h3', 'Foreslått');
  });
  await scan(page, 'a decision refused');

  await step(page, 'a check needs someone ticked', async () => {
    await page.getByRole('link', { name: /Registrer nettverkssjekk eller begrunnelse.*Fosterhjem/ }).click();
    await expectText(page, 'main h1', 'Nettverkssjekk før tiltaket: Fosterhjem');
    await page.getByRole('radio', { name: 'Nettverket er sjekket' }).check();
    await page.getByLabel('Dato for sjekken').fill(today);
    await page.getByLabel('Resultat').fill('Mormor kan ha Emmy i helgene, farfar ikke nå');
    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    await expectText(page, '.error-summary', 'Kryss av for minst én person på kartet som ble vurdert.');
    expectEqual(
      await page.getByLabel('Resultat').inputValue(),
      'Mormor kan ha Emmy i helgene, farfar ikke nå',
      'the result is kept',
    );
  });
  await scan(page, 'the network check with an error');

  await step(page, 'record the check', async () => {
    await page.getByLabel('Mormor Kari').check();
    await page.getByLabel('Farfar Ola').check();
    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    await expectText(page, '[role=status]', 'Nettverkssjekken er registrert.');
    await expectText(page, 'article.measure .checks', 'Vurdert: Farfar Ola, Mormor Kari.');
  });

  await step(page, 'now the foster home can be decided', async () => {
    await page.getByRole('button', { name: /Marker som vedtatt.*Fosterhjem/ }).click();
    await expectText(page, '[role=status]', 'Tiltaket er vedtatt.');
    await expectText(page, 'article.measure h3', 'Fosterhjem Vedtatt');
    expectEqual(await page.getByRole('button', { name: /Marker som vedtatt/ }).count(), 0, 'nothing left to decide');
  });
  await scan(page, 'the case page with a decided measure');

  await step(page, 'the page reads the same in English', async () => {
    await page.goto(`${caseUrl}/measures`);
    await page.getByRole('button', { name: 'English' }).click();
    await expectText(page, '#measures h2', 'Costly measures');
    await expectText(page, 'article.measure h3', 'Foster home Decided');
    await page.getByRole('navigation', { name: "The case's pages" }).getByRole('link', { name: 'Phase and staff' }).click();
    await expectText(page, '#staff h2', 'Responsible for the case');
  });
  await scan(page, 'the case page in English');
});
