// The whole onboarding, as the people doing it see it: the platform operator logs in with their
// password and sets up their second factor, creates a service;
// its admin follows the setup link from the mail outbox, sets a password and the service's
// settings, and invites a coordinator; the coordinator follows their link, chooses a password,
// logs out and in again. Every page is scanned for accessibility problems.

import { run, newPage, step, scan, expectText, latestMail, expectEqual, secondFactor, photograph } from './lib.mjs';

const operatorEmail = process.env.TILLIT_OPERATOR_EMAIL;
const operatorPassword = process.env.TILLIT_OPERATOR_PASSWORD;
const adminEmail = 'leder@vestfjord.example';
const coordinatorEmail = 'kari@vestfjord.example';
const adminPassword = 'tre blå hester på fjellet';
const coordinatorPassword = 'mitt lange passord for tillit';

/** The first link in `mail` that goes to this Tillit, as a path. */
function linkIn(mail, baseUrl) {
  const link = mail.links.find((l) => l.startsWith(`${baseUrl}/setup/`));
  if (!link) throw new Error(`no setup link in "${mail.subject}": ${mail.links.join(', ')}`);
  return link;
}

run(async ({ browser, baseUrl, mailDir }) => {
  if (!operatorEmail || !operatorPassword) throw new Error('the operator credentials are missing');
  const operator = await newPage(browser);

  await step(operator, 'operator logs in', async () => {
    await operator.goto(`${baseUrl}/operator/login`);
    await scan(operator, 'operator login');
    await operator.getByLabel('E-postadresse').fill(operatorEmail);
    await operator.getByLabel('Passord').fill(operatorPassword);
    await operator.getByRole('button', { name: 'Logg inn' }).click();
    // Operators set up the same second factor as staff on their first login.
    await secondFactor(operator);
    await expectText(operator, 'main h1', 'Nye barneverntjenester');
    await scan(operator, 'operator home');
  });

  await step(operator, 'operator creates the service', async () => {
    await operator.getByLabel('Navnet på barneverntjenesten').fill('Vestfjord barneverntjeneste');
    await operator.locator('#slug').fill('vestfjord');
    await operator.getByLabel('Kommuner (kommunenummer)').fill('4624, 4625');
    await operator.getByLabel('Administratorens e-postadresse').fill(adminEmail);
    await operator.getByRole('button', { name: 'Opprett tjenesten' }).click();
    await expectText(operator, '[role=status]', 'vestfjord');
    await scan(operator, 'service created');
  });

  const admin = await newPage(browser);
  await step(admin, 'admin follows the setup link', async () => {
    const mail = await latestMail(mailDir, { to: adminEmail, timeoutMs: 20_000 });
    expectEqual(mail.subject, 'Sett opp kontoen din i Tillit', 'the setup email');
    await admin.goto(linkIn(mail, baseUrl));
    await expectText(admin, 'main h1', 'Sett opp kontoen din');
    await scan(admin, 'setup page');
  });

  await step(admin, 'a weak password is refused with the reason', async () => {
    await admin.getByLabel('Navnet ditt').fill('Vera Vestfjord');
    await admin.getByLabel('Nytt passord').fill('kort');
    await admin.getByLabel('Gjenta passordet').fill('kort');
    await admin.getByRole('button', { name: 'Lagre passordet' }).click();
    await expectText(admin, '.error-summary', 'minst 12 tegn');
    await scan(admin, 'setup page with an error');
  });

  await step(admin, 'admin sets a password and lands on the settings', async () => {
    await admin.getByLabel('Navnet ditt').fill('Vera Vestfjord');
    await admin.getByLabel('Nytt passord').fill(adminPassword);
    await admin.getByLabel('Gjenta passordet').fill(adminPassword);
    await admin.getByRole('button', { name: 'Lagre passordet' }).click();
    await expectText(admin, 'main h1', 'Innstillinger for tjenesten');
    await scan(admin, 'settings');
  });

  await step(admin, 'admin sets the sender name', async () => {
    await admin.getByLabel('Avsendernavn i e-post').fill('Barneverntjenesten i Vestfjord');
    await admin.getByRole('button', { name: 'Lagre endringene' }).click();
    await expectText(admin, '[role=status]', 'lagret');
  });

  await step(admin, 'two wrong numbers are named at their fields, with what was typed kept', async () => {
    await admin.getByLabel('Vanlig møtelengde (minutter)').fill('5');
    await admin.getByLabel('Høyst antall purringer').fill('11');
    await admin.getByRole('button', { name: 'Lagre endringene' }).click();
    await expectText(admin, '.error-summary', 'Møtelengden må være mellom 15 og 720 minutter.');
    await expectText(admin, '#meeting_minutes-error', 'Møtelengden må være mellom 15 og 720 minutter.');
    await expectText(admin, '#chase_max-error', 'høyst 10 purringer');
    expectEqual(await admin.locator('#meeting_minutes').inputValue(), '5', 'the minutes as typed');
    expectEqual(await admin.locator('#chase_max').inputValue(), '11', 'the chases as typed');
    expectEqual(
      await admin.locator('#sender_name').inputValue(),
      'Barneverntjenesten i Vestfjord',
      'the other fields as saved',
    );
    await scan(admin, 'settings with two mistakes');
    await photograph(admin, 'admin-settings-errors');
    // The summary's link takes the eye to the field.
    await admin.locator('.error-summary a[href="#chase_max"]').click();
    expectEqual(await admin.evaluate(() => document.activeElement?.id), 'chase_max', 'focus at the field');
    await admin.getByLabel('Vanlig møtelengde (minutter)').fill('90');
    await admin.getByLabel('Høyst antall purringer').fill('3');
    await admin.getByRole('button', { name: 'Lagre endringene' }).click();
    await expectText(admin, '[role=status]', 'lagret');
    expectEqual(await admin.locator('#meeting_minutes').inputValue(), '90', 'saved');
  });

  await step(admin, 'admin invites a coordinator', async () => {
    await admin.goto(`${baseUrl}/admin/staff`);
    await scan(admin, 'staff');
    await admin.locator('#invite-email').fill(coordinatorEmail);
    await admin.locator('#invite-name').fill('Kari Koordinator');
    await admin.locator('#invite-role').selectOption('coordinator');
    await admin.getByRole('button', { name: 'Send invitasjon' }).click();
    await expectText(admin, '[role=status]', 'Invitasjonen er sendt');
    await expectText(admin, 'table', coordinatorEmail);
    await scan(admin, 'staff after the invitation');
  });

  await step(admin, 'the audit page shows what happened', async () => {
    await admin.goto(`${baseUrl}/admin/audit`);
    // In words, with the stored action beside it for a filter.
    await expectText(admin, 'table', 'Ansatt invitert user.invite');
    await expectText(admin, 'table', 'Utført');
    await scan(admin, 'audit');
    await admin.goto(`${baseUrl}/admin/jobs`);
    await expectText(admin, 'table', 'E-post med lenke til kontoen');
    await scan(admin, 'jobs');
  });

  const coordinator = await newPage(browser);
  await step(coordinator, 'the coordinator follows the invitation', async () => {
    const mail = await latestMail(mailDir, { to: coordinatorEmail, timeoutMs: 20_000 });
    expectEqual(mail.subject, 'Du er invitert til Tillit', 'the invitation');
    if (!mail.from.includes('Barneverntjenesten i Vestfjord')) {
      throw new Error(`sent in the service's name, not "${mail.from}"`);
    }
    await coordinator.goto(linkIn(mail, baseUrl));
    await expectText(coordinator, 'main h1', 'Ta i bruk kontoen din');
    await coordinator.getByLabel('Navnet ditt').fill('Kari Koordinator');
    await coordinator.getByLabel('Nytt passord').fill(coordinatorPassword);
    await coordinator.getByLabel('Gjenta passordet').fill(coordinatorPassword);
    await coordinator.getByRole('button', { name: 'Lagre passordet' }).click();
    await expectText(coordinator, 'main', 'Koordinator');
    await scan(coordinator, 'coordinator dashboard');
  });

  await step(coordinator, 'the coordinator logs out and in again', async () => {
    await coordinator.getByRole('button', { name: 'Logg ut' }).click();
    await expectText(coordinator, 'main h1', 'Logg inn i Tillit');
    await scan(coordinator, 'login');
    await coordinator.getByLabel('E-postadresse').fill(coordinatorEmail);
    await coordinator.getByLabel('Passord').fill(coordinatorPassword);
    await coordinator.getByRole('button', { name: 'Logg inn' }).click();
    const secret = await secondFactor(coordinator);
    await expectText(coordinator, 'main h1', 'Velkommen');
    await coordinator.getByRole('link', { name: 'Min konto' }).click();
    await expectText(coordinator, '#factor-status', 'Totrinnsinnlogging er satt opp.');
    await scan(coordinator, 'my account');
    await coordinator.getByRole('button', { name: 'Logg ut', exact: true }).click();
    await coordinator.getByLabel('E-postadresse').fill(coordinatorEmail);
    await coordinator.getByLabel('Passord').fill(coordinatorPassword);
    await coordinator.getByRole('button', { name: 'Logg inn' }).click();
    await secondFactor(coordinator, { secret });
    await expectText(coordinator, 'main h1', 'Velkommen');
    const admin = await coordinator.goto(`${baseUrl}/admin`);
    expectEqual(admin.status(), 403, 'a coordinator does not manage the service');
    await scan(coordinator, 'forbidden page');
  });
});
