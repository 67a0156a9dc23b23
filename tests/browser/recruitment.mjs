// Foster-home recruitment in a browser, as the coordinator and the candidate homes do it: a
// referral (first sent without its reason: the message Norwegian, at its field) walked through
// the information meeting, the family group conference and the clarification meeting to the
// family's plan of three ranked homes (two from the map, one a new person who joins it); home 1
// answers no and home 2 yes through the links from the mail outbox, home 2 saves a draft of its
// self-information form, is reminded once, and submits it through the reminder's link; the
// interviews, the matching and the service's yes with its reason. Every page is scanned for
// accessibility problems; home 2's pages never show another home, the ranking or the child; the
// staff's page and the home's form are photographed at 1280 and 390 px (target/screenshots/,
// copied to docs/screenshots/ when they change).

import { run, newPage, step, scan, expectText, mailOutbox, signIn, photograph } from './lib.mjs';

const email = process.env.TILLIT_EMAIL;
const password = process.env.TILLIT_PASSWORD;
const caseId = process.env.TILLIT_CASE_ID;

/** The first mail to `to` whose subject has `subject`, once it is in the outbox. */
async function mailTo(dir, to, subject) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const found = (await mailOutbox(dir, { to })).find((m) => m.subject.includes(subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail "${subject}" to ${to}`);
}

/** The home's own link in `mail`, after checking the mail is neutral. */
function linkIn(mail, baseUrl) {
  for (const word of ['barnevern', 'fosterhjem', 'Emmeline', 'Mormor', 'Onkel', 'Eva']) {
    if ((mail.text + mail.subject + mail.from).toLowerCase().includes(word.toLowerCase())) {
      throw new Error(`"${word}" in the email`);
    }
  }
  const link = mail.links.find((l) => l.startsWith(`${baseUrl}/r/`));
  if (!link) throw new Error(`no link in ${mail.links.join(', ')}`);
  return link;
}

/** Home 2's page shows nothing of the other homes, the ranking or the child. */
async function onlyOwn(page) {
  const text = await page.locator('body').innerText();
  for (const word of ['Mormor', 'Eva', 'Lise', 'Emmeline', 'Rangering', 'Testesen']) {
    if (text.includes(word)) throw new Error(`home 2 sees "${word}"`);
  }
}

/** The button of step `label`'s form ("Registrer", the step's name hidden but read out). */
function registerButton(page, label) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByRole('button', { name: new RegExp(`^Registrer\\W*${escaped}$`) });
}

/** Records the step named `label` from its form on the recruitment page. */
async function record(page, label) {
  await registerButton(page, label).click();
  await expectText(page, '[role=status]', 'Lagret.');
}

run(async ({ browser, baseUrl, mailDir }) => {
  if (!email || !password || !caseId) throw new Error('the coordinator and the case are missing');
  const staff = await newPage(browser);

  await step(staff, 'the coordinator refers the case to the foster care service', async () => {
    await signIn(staff, baseUrl, { email, password });
    await staff.goto(`${baseUrl}/cases/${caseId}`);
    await staff.getByRole('link', { name: 'Fosterhjemsrekruttering og henvisning' }).click();
    await expectText(staff, 'main h1', 'Fosterhjem i familie og nettverk');
    await scan(staff, 'the case\'s recruitments');
    await staff.getByLabel('Hvor det haster').selectOption('urgent');
    await staff.getByRole('button', { name: 'Send henvisningen' }).click();
    await expectText(staff, '#referral-reason-error', 'Fyll ut feltet.');
    await scan(staff, 'the referral without its reason');
    await staff.getByLabel('Begrunnelse').fill('Mor klarer ikke omsorgen nå.');
    await staff.getByLabel('Familieråd er ønsket').check();
    await staff.getByRole('button', { name: 'Send henvisningen' }).click();
    await expectText(staff, 'main h1', 'Fosterhjemsrekruttering i familie og nettverk');
    await expectText(staff, '#status-referral', 'Fullført');
    await scan(staff, 'the referral');
  });

  await step(staff, 'through the family group conference to the family\'s plan of three homes', async () => {
    await record(staff, 'Koordinator har startet');
    await record(staff, 'Informasjonsmøte');
    await staff.getByLabel('Hvilket familieråd').selectOption({ index: 1 });
    await record(staff, 'Familierådsmøte: Hvor kan barnet bo?');
    await expectText(staff, 'main', 'Til familierådet');
    await record(staff, 'Avklaringsmøte');
    for (const name of ['Mormor Kari', 'Onkel Per']) {
      await staff.getByLabel('Person', { exact: true }).selectOption({ label: name });
      await staff.getByRole('button', { name: 'Legg til hjemmet' }).click();
      await expectText(staff, '[role=status]', 'Lagret.');
    }
    await staff.getByLabel('Hvem er personen for barnet?').fill('tante på farssiden');
    await staff.getByLabel('Hvor personen hører til').selectOption('other_parent_family');
    await staff.getByLabel('Hvor nær').selectOption('close');
    await staff.getByLabel('Hvordan relasjonen er').selectOption('supportive');
    await staff.getByRole('button', { name: 'Legg til personen og hjemmet' }).click();
    await expectText(staff, '#new-name-error', 'Fyll ut feltet.');
    if ((await staff.getByLabel('Hvem er personen for barnet?').inputValue()) !== 'tante på farssiden') {
      throw new Error('what was typed is lost');
    }
    await scan(staff, 'a new person without a name');
    await staff.getByLabel('Navn', { exact: true }).fill('Tante Eva');
    await staff.getByLabel('E-post', { exact: true }).fill('eva@example.no');
    await staff.getByRole('button', { name: 'Legg til personen og hjemmet' }).click();
    await expectText(staff, '#candidate-3', 'Tante Eva');
    await record(staff, 'Familiens plan');
    await expectText(staff, '#status-family_plan', 'Fullført');
    await scan(staff, 'the family\'s plan');
  });

  const home1 = await newPage(browser);
  await step(home1, 'home 1 answers no through its link', async () => {
    const link = linkIn(await mailTo(mailDir, 'mormor@example.no', 'En personlig melding'), baseUrl);
    await home1.goto(link);
    await expectText(home1, 'main h1', 'Et spørsmål til deg');
    await scan(home1, 'home 1\'s question');
    await home1.getByLabel('Nei', { exact: true }).check();
    await home1.getByRole('button', { name: 'Send svaret' }).click();
    await expectText(home1, '[role=status]', 'Svaret ditt er lagret.');
    await scan(home1, 'home 1\'s answer');
  });

  const home2 = await newPage(browser);
  await step(home2, 'home 2 answers yes, saves a draft, is reminded and submits its form', async () => {
    const link = linkIn(await mailTo(mailDir, 'per@example.no', 'En personlig melding'), baseUrl);
    await home2.goto(link);
    await onlyOwn(home2);
    await home2.getByLabel('Ja', { exact: true }).check();
    await home2.getByRole('button', { name: 'Send svaret' }).click();
    await expectText(home2, '[role=status]', 'Svaret ditt er lagret.');
    const formLink = linkIn(await mailTo(mailDir, 'per@example.no', 'Et skjema å fylle ut'), baseUrl);
    await home2.goto(formLink);
    await home2.getByLabel('Bolig').fill('Enebolig med eget rom');
    await home2.getByRole('button', { name: 'Lagre utkast' }).click();
    await expectText(home2, '[role=status]', 'Utkastet er lagret.');
    await onlyOwn(home2);
    await scan(home2, 'home 2\'s draft');
    await photograph(home2, 'recruitment-candidate-form');
    const reminder = linkIn(await mailTo(mailDir, 'per@example.no', 'Påminnelse om skjemaet'), baseUrl);
    await home2.goto(reminder);
    if ((await home2.getByLabel('Bolig').inputValue()) !== 'Enebolig med eget rom') {
      throw new Error('the draft is lost');
    }
    const answers = {
      'Hvem bor i husstanden?': 'Vi er to voksne',
      'Arbeid': 'Sykepleier',
      'Helse': 'God',
      'Erfaring med barn': 'Egne barn',
      'Hvorfor vil du dette?': 'Vi kjenner barnet godt',
      'Din relasjon til barnet': 'Onkel',
      'Hva slags støtte trenger du?': 'Avlastning',
    };
    for (const [label, text] of Object.entries(answers)) await home2.getByLabel(label).fill(text);
    await home2.getByRole('button', { name: 'Send inn' }).click();
    await expectText(home2, '[role=status]', 'Skjemaet er sendt inn. Takk!');
    await onlyOwn(home2);
    await scan(home2, 'home 2\'s submitted form');
  });

  await step(staff, 'the interviews, the matching and the service\'s yes', async () => {
    await staff.reload();
    await expectText(staff, '#candidate-1', 'Nei');
    await expectText(staff, '#candidate-2', 'Sendt inn');
    await staff.getByRole('link', { name: /Sendt inn/ }).click();
    await expectText(staff, 'main h1', 'Egeninformasjon fra hjemmet');
    await expectText(staff, 'main', 'Enebolig med eget rom');
    await scan(staff, 'home 2\'s form read by the staff');
    await staff.getByRole('link', { name: 'Til familiens plan' }).click();
    await record(staff, 'Samtaler (tilknytningssamtale, hjemmebesøk)');
    await record(staff, 'Matching');
    await registerButton(staff, 'Beslutning').click();
    await expectText(staff, '#decision-note-error', 'Fyll ut feltet.');
    await scan(staff, 'the decision without its reason');
    await staff.getByLabel('Ja, barnet kan bo her').check();
    await staff.getByLabel('Begrunnelse', { exact: true }).fill('Onkel Per kjenner barnet godt.');
    await record(staff, 'Beslutning');
    await expectText(staff, '#status-decision', 'Fullført');
    await expectText(staff, '#candidate-2', 'Onkel Per kjenner barnet godt.');
    await scan(staff, 'the decision');
    await photograph(staff, 'recruitment-staff');
  });
});
