// A network council's plan in a browser, part one: the coordinator sees the plan awaiting
// approval; the participant opens the link from the email asking them to approve, sees their
// commitment and first says they have objections; the child agrees through the child's link;
// the participant then approves the plan (confirming it, which withdraws the objection), which
// approves the plan; the coordinator decides when and how it is evaluated. Every page is scanned
// for accessibility problems; the approved plan is photographed at 1280 and 390 px.

import { run, newPage, step, scan, expectText, mailOutbox, signIn, photograph } from './lib.mjs';

/** The email asking `to` to approve, once it is in the outbox. */
async function confirmationMail(dir, to) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const found = (await mailOutbox(dir, { to })).find((m) => m.subject.includes('se på det som ble avtalt'));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no confirmation request to ${to}`);
}

const email = process.env.TILLIT_EMAIL;
const password = process.env.TILLIT_PASSWORD;
const caseId = process.env.TILLIT_CASE_ID;
const councilId = process.env.TILLIT_COUNCIL_ID;
const childPath = process.env.TILLIT_CHILD_PATH;

run(async ({ browser, baseUrl, mailDir }) => {
  if (!email || !password || !caseId || !councilId || !childPath) throw new Error('the coordinator and plan are missing');
  const coordinator = await newPage(browser);
  const planUrl = `${baseUrl}/cases/${caseId}/councils/${councilId}/plan`;

  await step(coordinator, 'the coordinator sees the plan awaiting approval', async () => {
    await signIn(coordinator, baseUrl, { email, password });
    await expectText(coordinator, 'main h1', 'Velkommen');
    await coordinator.goto(planUrl);
    await expectText(coordinator, 'main h1', 'Handlingsplan');
    await expectText(coordinator, '#plan-status', 'Venter på godkjenning');
    await expectText(coordinator, '.confirmations', 'har ikke svart ennå');
    await scan(coordinator, 'the plan awaiting approval');
    await coordinator.goto(`${planUrl}/print`);
    await expectText(coordinator, 'main', 'Henter på fotball hver tirsdag');
    await scan(coordinator, 'the printable plan');
  });

  const guest = await newPage(browser);
  await step(guest, 'the participant confirms through the link in the email', async () => {
    const mail = await confirmationMail(mailDir, 'mormor@example.no');
    for (const word of ['barnevern', 'Emmeline', 'fotball']) {
      if ((mail.text + mail.subject + mail.from).toLowerCase().includes(word.toLowerCase())) {
        throw new Error(`"${word}" in the email`);
      }
    }
    const link = mail.links.find((l) => l.startsWith(`${baseUrl}/i/`));
    if (!link) throw new Error(`no link in ${mail.links.join(', ')}`);
    await guest.goto(link);
    await expectText(guest, '#plan-heading', 'Planen');
    await expectText(guest, 'main', 'Henter på fotball hver tirsdag');
    await expectText(guest, 'main', 'Jeg vil ha det rolig hjemme');
    await scan(guest, 'the plan on the participant\'s page');
    await guest.locator('#objection-comment').fill('Jeg kan ikke hver tirsdag.');
    await guest.getByRole('button', { name: 'Jeg har innvendinger' }).click();
    await expectText(guest, 'main', 'Jeg kan ikke hver tirsdag.');
    await scan(guest, 'the objection on the participant\'s page');
  });

  await step(coordinator, 'the coordinator sees the objection', async () => {
    await coordinator.goto(planUrl);
    await expectText(coordinator, 'main', 'Jeg kan ikke hver tirsdag.');
    await expectText(coordinator, '#plan-status', 'Venter på godkjenning');
    await scan(coordinator, 'the plan with an objection');
  });

  const child = await newPage(browser);
  await step(child, 'the child agrees through the child\'s link', async () => {
    await child.goto(`${baseUrl}${childPath}`);
    await expectText(child, 'main h1', 'Mitt team og min plan');
    await expectText(child, 'main', 'Jeg vil ha det rolig hjemme');
    await scan(child, 'the child\'s page asking');
    await child.locator('#child-words').fill('Det blir fint.');
    await child.getByRole('button', { name: 'Jeg er enig' }).click();
    await expectText(child, '[role=status]', 'Takk!');
    await expectText(child, 'main', 'Det blir fint.');
    await scan(child, 'the child\'s answer');
  });

  await step(guest, 'the participant withdraws the objection by approving', async () => {
    await guest.reload();
    await guest.getByRole('button', { name: 'Jeg godkjenner' }).click();
    await expectText(guest, '[role=status]', 'Du har godkjent');
    await expectText(guest, 'main', 'Merk som gjort');
    await scan(guest, 'the confirmed plan');
  });

  await step(coordinator, 'the plan is approved; the coordinator decides the evaluation', async () => {
    await coordinator.goto(planUrl);
    await expectText(coordinator, '#plan-status', 'Godkjent');
    await expectText(coordinator, '#council-state', 'Planen er godkjent');
    // Each commitment tells when its next reminder goes out.
    await expectText(coordinator, '.next-reminder', 'Neste påminnelse sendes');
    await photograph(coordinator, 'plan-approved');
    await coordinator.locator('#evaluation-way').selectOption('new_council');
    await coordinator.getByRole('button', { name: 'Lagre evalueringen' }).first().click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await expectText(coordinator, '#council-state', 'Evaluering er avtalt');
    await expectText(coordinator, '#evaluation-plan ~ p, #evaluation-plan + p', 'Et nytt råd');
    await scan(coordinator, 'the evaluation decided');
  });
});
