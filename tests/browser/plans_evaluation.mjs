// A network council's plan in a browser, part two, after the test moved the clock to the
// evaluation date: the coordinator finds the follow-up council the evaluation opened, records the
// evaluation in its structured form, and follows the link to the new council. Every page is
// scanned for accessibility problems.

import { run, newPage, step, scan, expectText, signIn } from './lib.mjs';

const email = process.env.TILLIT_EMAIL;
const password = process.env.TILLIT_PASSWORD;
const caseId = process.env.TILLIT_CASE_ID;
const councilId = process.env.TILLIT_COUNCIL_ID;

run(async ({ browser, baseUrl }) => {
  if (!email || !password || !caseId || !councilId) throw new Error('the coordinator and plan are missing');
  const coordinator = await newPage(browser);
  const planUrl = `${baseUrl}/cases/${caseId}/councils/${councilId}/plan`;

  await step(coordinator, 'the evaluation is due and its follow-up is open', async () => {
    await signIn(coordinator, baseUrl, { email, password });
    await expectText(coordinator, 'main h1', 'Velkommen');
    await coordinator.goto(planUrl);
    await expectText(coordinator, '#council-state', 'Tid for evaluering');
    await expectText(coordinator, '#follow-ups + ul', 'nytt råd');
    await scan(coordinator, 'the plan with its evaluation due');
  });

  await step(coordinator, 'the coordinator records the evaluation', async () => {
    await coordinator.locator('#eval-took-part').fill('Barnet, mormor og koordinator');
    await coordinator.getByLabel('Delvis nådd').check();
    await coordinator.locator('#eval-child').fill('Det er litt bedre hjemme nå.');
    await coordinator.locator('#eval-parents').fill('Vi ser at det hjelper.');
    await coordinator.locator('#eval-decision').selectOption('end');
    await coordinator.getByRole('button', { name: 'Lagre evalueringen' }).last().click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await expectText(coordinator, '.evaluation', 'Delvis nådd');
    await expectText(coordinator, '.evaluation', 'Det er litt bedre hjemme nå.');
    await expectText(coordinator, '#follow-ups + ul', 'evaluering skrevet');
    await scan(coordinator, 'the evaluation recorded');
  });

  await step(coordinator, 'the follow-up council is open in its first state', async () => {
    await coordinator.locator('a.follow-up-council').click();
    await expectText(coordinator, 'main h1', 'Nettverksråd');
    await expectText(coordinator, '#council-state', 'Startet');
    await scan(coordinator, 'the follow-up council');
  });
});
