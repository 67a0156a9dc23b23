// Single sign-on in a real browser: the service's login page offers its provider, the provider
// (a real oidc-provider on loopback) signs the coordinator in, and Tillit opens without asking
// for a second code. Each of Tillit's pages is scanned with axe.
// Run by tests/api/single_sign_on.rs with TILLIT_EMAIL (the invited coordinator) and
// TILLIT_SERVICE (the service's slug).

import { expectEqual, expectText, newPage, run, scan, step } from './lib.mjs';

const email = process.env.TILLIT_EMAIL;
const service = process.env.TILLIT_SERVICE;

run(async ({ browser, baseUrl }) => {
  const page = await newPage(browser);

  await step(page, "the service's login page offers its provider", async () => {
    const response = await page.goto(`${baseUrl}/login?service=${service}`);
    expectEqual(response.status(), 200, 'status');
    await expectText(page, 'main a#sso-login', 'Logg inn med Fjordvik kommune');
  });
  await scan(page, 'login page with single sign-on');

  await step(page, 'sign in at the provider', async () => {
    await page.click('main a#sso-login');
    await page.waitForSelector('input#email');
    await page.fill('input#email', email);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${baseUrl}/`);
  });
  await scan(page, 'start page after single sign-on');

  await step(page, 'signed in without a second code', async () => {
    const response = await page.goto(`${baseUrl}/account`);
    expectEqual(response.status(), 200, 'the account page opens');
    expectEqual(page.url(), `${baseUrl}/account`, 'no detour to a code page');
  });
  await scan(page, 'account page after single sign-on');
});
