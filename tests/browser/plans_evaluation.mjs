// A network council's plan in a browser, part two, after the test moved the clock to four weeks
// before the evaluation date: the coordinator finds the follow-up council that opened, records
// the evaluation in its structured form, follows the link to the new council — the team and the
// plan carried over, its meeting proposed for the evaluation date — and sends its invitations.
// Every page is scanned for accessibility problems.

import { run, newPage, step, scan, expectText, signIn, photograph } from './lib.mjs';

const email = process.env.TILLIT_EMAIL;
const password = process.env.TILLIT_PASSWORD;
const caseId = process.env.TILLIT_CASE_ID;
const councilId = process.env.TILLIT_COUNCIL_ID;
const childPath = process.env.TILLIT_CHILD_PATH;

run(async ({ browser, baseUrl }) => {
  if (!email || !password || !caseId || !councilId || !childPath) throw new Error('the coordinator and plan are missing');
  const coordinator = await newPage(browser);
  const planUrl = `${baseUrl}/cases/${caseId}/councils/${councilId}/plan`;
  let councilUrl;

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

  await step(coordinator, 'the follow-up council opened with the team and the plan', async () => {
    await coordinator.locator('a.follow-up-council').click();
    await expectText(coordinator, 'main h1', 'Nettverksråd');
    await expectText(coordinator, '#council-state', 'Forberedelse');
    await expectText(coordinator, '#task-team', 'Ferdig');
    await expectText(coordinator, '#task-consents', 'Ferdig');
    await scan(coordinator, 'the follow-up council');
    councilUrl = coordinator.url();
    // The coordinator changes the team as on any council: the staff member who joined for the
    // plan is not needed at the follow-up meeting.
    await coordinator.getByRole('link', { name: 'Teamet barnet velger' }).click();
    await expectText(coordinator, 'main', 'Mormor Kari');
    await coordinator.getByRole('button', { name: 'Ta ut av teamet Ansatt coordinator' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await scan(coordinator, 'the follow-up team changed');
    await coordinator.goto(`${councilUrl}/plan`);
    await expectText(coordinator, 'main', 'Jeg vil ha det rolig hjemme');
    await expectText(coordinator, 'main', 'Henter på fotball hver tirsdag');
    await expectText(coordinator, '#carried-over', 'ført videre fra forrige råd');
    await scan(coordinator, 'the plan carried over');
    await coordinator.goto(councilUrl);
  });

  await step(coordinator, 'the coordinator sends the follow-up meeting\'s invitations', async () => {
    await coordinator.getByRole('link', { name: 'Sjekk og send invitasjonene' }).click();
    await expectText(coordinator, 'main h1', 'Sjekk og send invitasjonene');
    await expectText(coordinator, '#reach-table', 'E-post: mormor@example.no');
    await scan(coordinator, 'the check before sending the follow-up');
    await coordinator.getByRole('button', { name: 'Send invitasjonene' }).click();
    await expectText(coordinator, '[role=status]', 'lagret');
    await expectText(coordinator, '#reach-table', /Sendes|Sendt/);
    await scan(coordinator, 'the follow-up invitations sent');
    await coordinator.goto(councilUrl);
    await expectText(coordinator, '#task-invitations', 'Ferdig');
    await photograph(coordinator, 'follow-up-council', { scanEach: true });
  });

  const child = await newPage(browser);
  await step(child, 'the child\'s page says when and where the follow-up meeting is', async () => {
    await child.goto(`${baseUrl}${childPath}`);
    await expectText(child, 'main h1', 'Mitt team og min plan');
    await expectText(child, '.next-meeting', /^Dere møtes \S+dag \d+\. \S+ \d{4} kl\. \d\d\.\d\d, på Biblioteket\.$/);
    await expectText(child, '.said', 'Det blir fint.');
    await expectText(child, '.said', 'Det er litt bedre hjemme nå.');
    await photograph(child, 'child-page', { scanEach: true });
  });
});
