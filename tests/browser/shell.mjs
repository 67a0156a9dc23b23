// The web shell in a real browser: the front page in bokmål, the language switch and its cookie,
// the 404 page in both languages, a phone-sized screen, and an axe scan of each page.
// Run by tests/browser.rs: node tests/browser/shell.mjs <base_url> <mail_dir>

import { expectEqual, expectText, newPage, run, scan, step } from './lib.mjs';

async function expectLang(page, lang) {
  expectEqual(await page.locator('html').getAttribute('lang'), lang, 'html[lang]');
}

async function expectPressed(page, button) {
  const pressed = page.locator('.lang-switch button[aria-pressed="true"]');
  expectEqual(await pressed.count(), 1, 'language buttons pressed');
  expectEqual((await pressed.textContent()).trim(), button, 'the pressed language button');
}

run(async ({ browser, baseUrl }) => {
  // A Norwegian reader's browser.
  const page = await newPage(browser);

  await step(page, 'front page in bokmal', async () => {
    const response = await page.goto(`${baseUrl}/`);
    expectEqual(response.status(), 200, 'status');
    await expectLang(page, 'nb');
    expectEqual(await page.title(), 'Forside – Tillit', 'title');
    await expectText(page, 'main h1', 'Velkommen til Tillit');
    await expectText(page, 'main a.button[href="/login"]', 'Logg inn');
    await expectPressed(page, 'Bokmål');
    // The stylesheet arrived and applies (the policy allows only the site's own).
    const styled = await page.evaluate(() => {
      const sheet = [...document.styleSheets].find((s) => s.href?.endsWith('/static/tillit.css'));
      return sheet ? sheet.cssRules.length : 0;
    });
    if (styled === 0) throw new Error('the stylesheet /static/tillit.css did not load');
  });
  await scan(page, 'front page in bokmal');

  await step(page, 'the skip link leads to the main content', async () => {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.className);
    expectEqual(focused, 'skip-link', 'the first element reached with Tab');
    await page.keyboard.press('Enter');
    expectEqual(await page.evaluate(() => document.activeElement?.id), 'main', 'focus after the skip link');
  });

  await step(page, 'switch to English', async () => {
    await Promise.all([
      page.waitForURL(`${baseUrl}/`, { waitUntil: 'load' }),
      page.getByRole('button', { name: 'English' }).click(),
    ]);
    await expectLang(page, 'en');
    expectEqual(await page.title(), 'Home – Tillit', 'title');
    await expectText(page, 'main h1', 'Welcome to Tillit');
    await expectPressed(page, 'English');
  });
  await scan(page, 'front page in English');

  await step(page, 'English stays after a reload', async () => {
    const cookies = await page.context().cookies();
    const lang = cookies.find((c) => c.name === 'lang');
    expectEqual(lang?.value, 'en', 'the lang cookie');
    await page.reload();
    await expectLang(page, 'en');
    await expectText(page, 'main h1', 'Welcome to Tillit');
  });

  await step(page, 'an unknown address in English', async () => {
    const response = await page.goto(`${baseUrl}/no/such/page`);
    expectEqual(response.status(), 404, 'status');
    await expectLang(page, 'en');
    expectEqual(await page.title(), 'Page not found – Tillit', 'title');
    await expectText(page, 'main h1', 'Page not found');
    const reference = await expectText(page, 'main .reference code', /\S/);
    expectEqual(reference, response.headers()['x-request-id'], 'the reference shown');
  });
  await scan(page, 'not found in English');

  await step(page, 'switch back to Norsk on the 404 page', async () => {
    await Promise.all([
      page.waitForURL(`${baseUrl}/no/such/page`, { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Bokmål' }).click(),
    ]);
    await expectLang(page, 'nb');
    expectEqual(await page.title(), 'Fant ikke siden – Tillit', 'title');
    await expectText(page, 'main h1', 'Fant ikke siden');
    await expectText(page, 'main a[href="/"]', 'Gå til forsiden');
  });
  await scan(page, 'not found in bokmal');

  // A browser that prefers neither Norwegian nor English gets the default, bokmål.
  const german = await newPage(browser, { locale: 'de-DE' });
  await step(german, 'bokmal is the default', async () => {
    await german.goto(`${baseUrl}/`);
    await expectLang(german, 'nb');
    await expectText(german, 'main h1', 'Velkommen til Tillit');
  });

  // A phone.
  const phone = await newPage(browser, {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  await step(phone, 'front page on a phone', async () => {
    await phone.goto(`${baseUrl}/`);
    await expectLang(phone, 'nb');
    await expectText(phone, 'main h1', 'Velkommen til Tillit');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) throw new Error(`the page is ${width}px wide on a 390px screen: it scrolls sideways`);
    const box = await phone.getByRole('button', { name: 'English' }).boundingBox();
    if (!box || box.height < 24 || box.width < 24) {
      throw new Error(`the English button is too small to tap: ${JSON.stringify(box)}`);
    }
  });
  await scan(phone, 'front page on a phone');
});
