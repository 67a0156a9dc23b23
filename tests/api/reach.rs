//! Reaching each person the way they prefer: the channel on the map (checked against what is
//! recorded), invitations emailed only to those reached by email (or wanting it too), and the
//! check before sending telling per participant which way, to where, and what went out.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::services::SmtpSink;
use common::{TestApp, expect_problem};
use diesel::prelude::*;
use serde_json::{Value, json};
use tillit::db::in_tenant;
use tillit::db::schema::{audit_log, sms_messages};

use common::councils::*;

async fn add(app: &TestApp, s: &Setup, person: Value) -> Value {
    app.post_json(
        &format!("/api/v1/cases/{}/persons", s.case),
        &s.staff.key,
        person,
        201,
    )
    .await
}

fn person(name: &str, extra: Value) -> Value {
    let mut p = json!({"name": name, "category": "near_family", "closeness": "close",
        "quality": "supportive"});
    if let (Value::Object(into), Value::Object(from)) = (&mut p, extra) {
        into.extend(from);
    }
    p
}

#[tokio::test]
async fn a_channel_needs_what_it_goes_to_and_defaults_to_what_there_is() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    let path = format!("/api/v1/cases/{}/persons", s.case);

    let mobile = add(
        &app,
        &s,
        person("Farmor Eva", json!({"phone": "912 34 568"})),
    )
    .await;
    assert_eq!(mobile["phone"], "+4791234568");
    assert_eq!(mobile["preferred_channel"], "sms", "a mobile only: SMS");
    let postal = add(
        &app,
        &s,
        person(
            "Far Ola",
            json!({"address": "Storgata 1, 4624 Kristiansand"}),
        ),
    )
    .await;
    assert_eq!(postal["preferred_channel"], "letter");
    let nothing = add(&app, &s, person("Onkel Jon", json!({}))).await;
    assert_eq!(nothing["preferred_channel"], "call");
    let both = add(
        &app,
        &s,
        person(
            "Tante Siv",
            json!({"phone": "+47 412 34 567",
        "email": "siv@example.no", "preferred_channel": "sms", "email_too": true}),
        ),
    )
    .await;
    assert_eq!(
        (&both["preferred_channel"], &both["email_too"]),
        (&json!("sms"), &json!(true))
    );

    let before = app.get_json(&path, &s.staff.key, 200).await;
    for (body, field, says) in [
        (
            json!({"phone": "22 33 44 55", "preferred_channel": "sms"}),
            "preferred_channel",
            "mobile",
        ),
        (
            json!({"preferred_channel": "letter"}),
            "preferred_channel",
            "postal address",
        ),
        (
            json!({"preferred_channel": "email"}),
            "preferred_channel",
            "email address",
        ),
        (
            json!({"preferred_channel": "call"}),
            "preferred_channel",
            "phone number",
        ),
        (
            json!({"preferred_channel": "pigeon"}),
            "preferred_channel",
            "sms",
        ),
        (
            json!({"phone": "912 34 567", "email_too": true}),
            "email_too",
            "email address",
        ),
        (
            json!({"phone": "12 34", "preferred_channel": "sms"}),
            "phone",
            "eight digits",
        ),
    ] {
        let res = app
            .post(&path, &s.staff.key)
            .json(&person("Feil", body.clone()))
            .send()
            .await
            .unwrap();
        let problem = expect_problem(res, 422, "validation").await;
        let fields = problem["errors"].as_array().unwrap();
        assert_eq!(fields.len(), 1, "{body}: {problem}");
        assert_eq!(fields[0]["field"], field, "{body}: {problem}");
        assert!(
            fields[0]["message"].as_str().unwrap().contains(says),
            "{body}: {problem}"
        );
    }
    assert_eq!(
        app.get_json(&path, &s.staff.key, 200).await,
        before,
        "nothing written"
    );

    // The page: the sentence at the field in Norwegian, what was typed kept.
    let who = app.sign_in(&s.staff).await;
    let (status, page) = app
        .form_answer(
            &format!("/cases/{}/persons", s.case),
            &who,
            &[
                ("name", "Nabo Nils"),
                ("category", "neighbours"),
                ("closeness", "medium"),
                ("quality", "supportive"),
                ("phone", "22 33 44 55"),
                ("preferred_channel", "sms"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains(r##"<a href="#preferred_channel">Velg en måte"##),
        "{page}"
    );
    assert!(page.contains(r#"id="preferred_channel-error""#), "{page}");
    assert!(page.contains(r#"value="sms" checked"#), "{page}");
    assert!(page.contains(r#"value="22 33 44 55""#), "{page}");
    assert!(!page.contains("mobile number is needed"), "{page}");

    // The OpenAPI description has the fields.
    let spec = app.openapi().await.to_string();
    assert!(spec.contains("preferred_channel") && spec.contains("email_too"));
}

#[tokio::test]
async fn invitations_go_the_way_each_person_prefers_and_the_check_shows_which() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let mut s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    for p in [
        person("Farmor Eva", json!({"phone": "912 34 568"})),
        person(
            "Far Ola",
            json!({"address": "Storgata 1, 4624 Kristiansand"}),
        ),
        person(
            "Tante Siv",
            json!({"phone": "412 34 567", "email": "siv@example.no",
            "preferred_channel": "sms", "email_too": true}),
        ),
        person(
            "Onkel Jon",
            json!({"phone": "22 33 44 55", "email": "jon@example.no",
            "preferred_channel": "call"}),
        ),
    ] {
        let added = add(&app, &s, p).await;
        s.persons.push(added["id"].as_str().unwrap().to_owned());
    }
    let (council, _) = s.ready_council(&app, "family_group_conference").await;
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(10, 18), "place": "Biblioteket"}),
        )
        .await;
    s.invite(&app, &council, &meeting).await;
    let workers = Workers::start(&app);
    sink.wait_for(5, Duration::from_secs(30)).await;
    // Time for anything that should not go out to show up.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let recipients: BTreeSet<String> = sink
        .wait_for(5, Duration::from_secs(1))
        .await
        .into_iter()
        .filter(|m| !m.is_setup_email())
        .map(|m| m.header("To").unwrap())
        .collect();
    assert_eq!(
        recipients,
        [
            "lise@skole.example",
            "mormor@example.no",
            "per@example.no",
            "siv@example.no"
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        "email to those reached by email or wanting it too; none to Jon, who is called"
    );

    let who = app.sign_in(&s.staff).await;
    let page_path = format!("/cases/{}/councils/{council}/tasks/invitations", s.case);
    let (status, page) = app.page_answer(&page_path, &who).await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        "SMS: 912 34 568",
        "Brev: Storgata 1, 4624 Kristiansand",
        "SMS: 412 34 567<br>E-post i tillegg: siv@example.no",
        "Telefonsamtale: 22 33 44 55",
        "Ring personen med invitasjonen og registrer svaret",
        "Send invitasjonen som brev",
        "E-post: mormor@example.no",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    assert!(page.matches(">Sendt ").count() >= 4, "{page}");
    workers.stop().await;
}

/// The printed letter's sheet: what stands between `<article class="letter"` and its end.
fn letter_sheet(page: &str) -> &str {
    let start = page.find(r#"<article class="letter""#).expect("the letter");
    let end = start + page[start..].find("</article>").expect("the letter's end");
    &page[start..end]
}

#[tokio::test]
async fn a_person_reached_by_post_gets_a_printable_letter_whose_code_opens_their_answer_page() {
    let app = TestApp::spawn().await;
    let mut s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    let ola = add(
        &app,
        &s,
        person(
            "Far Ola",
            json!({"address": "Storgata 1, 4624 Kristiansand"}),
        ),
    )
    .await;
    s.persons.push(ola["id"].as_str().unwrap().to_owned());
    let (council, participants) = s.ready_council(&app, "family_group_conference").await;
    let (ola_p, mormor_p) = (participants.last().unwrap(), &participants[0]);
    let who = app.sign_in(&s.staff).await;
    let letter =
        |participant: &str| format!("/cases/{}/councils/{council}/letters/{participant}", s.case);

    // Before the invitations go out there is no letter to print, and the page says why.
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(10, 18), "place": "Biblioteket, møterom 2"}),
        )
        .await;
    let (status, page) = app.page_answer(&letter(ola_p), &who).await;
    assert_eq!(status, 409, "{page}");
    assert!(
        page.contains("Personen har ingen gyldig invitasjon til møtet ennå"),
        "{page}"
    );
    assert!(!page.contains(r#"<article class="letter""#));

    s.invite(&app, &council, &meeting).await;
    // The invitations task offers the letter at Ola's line.
    let tasks = format!("/cases/{}/councils/{council}/tasks/invitations", s.case);
    let (_, page) = app.page_answer(&tasks, &who).await;
    assert!(
        page.contains(&format!(r#"href="{}">Skriv ut brevet"#, letter(ola_p))),
        "{page}"
    );

    let (status, page) = app.page_answer(&letter(ola_p), &who).await;
    assert_eq!(status, 200, "{page}");
    let sheet = letter_sheet(&page);
    for shown in [
        "Far Ola<br>Storgata 1<br>4624 Kristiansand",
        "Biblioteket, møterom 2",
        "<svg",
        "Invitasjon til et møte",
    ] {
        assert!(sheet.contains(shown), "{shown}: {sheet}");
    }
    // Nothing on the sheet names child welfare or the child: the window shows the neutral
    // sender, the name and the address only.
    let lower = sheet.to_lowercase();
    assert!(!lower.contains("barnevern"), "{sheet}");
    assert!(!sheet.contains(common::councils::CHILD_FIRST), "{sheet}");
    let window = &sheet[sheet.find("letter__window").unwrap()..sheet.find("letter__date").unwrap()];
    assert!(
        !window.to_lowercase().contains("barnevern") && window.contains("Far Ola"),
        "{window}"
    );

    // Printing it again prints the same code: the letter is read, not written.
    let code = |sheet: &str| {
        let at = sheet.find("/b/").expect("the short link") + 3;
        sheet[at..at + 14].to_owned()
    };
    let first = code(sheet);
    let (_, again) = app.page_answer(&letter(ola_p), &who).await;
    assert_eq!(code(letter_sheet(&again)), first);

    // The code typed from paper — in small letters, with spaces — opens Ola's answer page.
    let typed = first.to_lowercase().replace('-', " ");
    let res = app
        .client
        .get(app.url(&format!("/b/{typed}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let answer_page = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(answer_page.contains("/i/tli_"), "{answer_page}");
    let res = app.client.get(&answer_page).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Biblioteket, møterom 2"));
    // A code nobody was given gets the neutral page.
    let res = app
        .client
        .get(app.url("/b/ABCD-EFGH-JKMN"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // Someone with no postal address gets no letter, with the reason.
    let (status, page) = app.page_answer(&letter(mormor_p), &who).await;
    assert_eq!(status, 409, "{page}");
    assert!(
        page.contains("Personen har ingen postadresse i nettverkskartet"),
        "{page}"
    );

    // Each reading is audited; a colleague not on the case finds nothing.
    let reads: i64 = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        audit_log::table
            .filter(audit_log::action.eq("council.letter_read"))
            .count()
            .get_result(c)
    })
    .unwrap();
    assert_eq!(reads, 4);
    let other = app.staff("fjordvik", "coordinator").await;
    let other = app.sign_in(&other).await;
    let (status, _) = app.page_answer(&letter(ola_p), &other).await;
    assert_eq!(status, 404);
}

/// The letter follows the meeting: moved, it says so with a new code; someone taken off the team
/// gets a letter saying their invitation no longer applies; cancelled, it says so — neither of
/// those two asks for an answer.
#[tokio::test]
async fn a_letter_says_the_meeting_changed_was_cancelled_or_no_longer_concerns_them() {
    let app = TestApp::spawn().await;
    let mut s = setup(&app, "fjordvik", json!({"birth_year": 2015})).await;
    for (name, address) in [
        ("Far Ola", "Storgata 1, 4624 Kristiansand"),
        ("Tante Rut", "Fjellveien 3, 4630 Kristiansand"),
    ] {
        let added = add(&app, &s, person(name, json!({"address": address}))).await;
        s.persons.push(added["id"].as_str().unwrap().to_owned());
    }
    let (council, team) = s.ready_council(&app, "family_group_conference").await;
    let (ola, rut) = (&team[team.len() - 2], &team[team.len() - 1]);
    let who = app.sign_in(&s.staff).await;
    let read = |participant: &str| {
        let path = format!("/cases/{}/councils/{council}/letters/{participant}", s.case);
        let page = app.page(&path, &who);
        async move { common::answer(page.send().await.unwrap()).await }
    };
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(10, 18), "place": "Biblioteket"}),
        )
        .await;
    s.invite(&app, &council, &meeting).await;
    let (_, first) = read(ola).await;
    let first_code = letter_sheet(&first)
        .find("/b/")
        .map(|at| letter_sheet(&first)[at..at + 17].to_owned())
        .expect("a code");

    // Moved: a letter of the change, with the new time and a new code.
    s.post_expect(
        &app,
        &council,
        &format!("/meetings/{meeting}/reschedule"),
        json!({"starts_at": local(14, 17), "place": "Biblioteket"}),
        200,
    )
    .await;
    let (status, page) = read(ola).await;
    assert_eq!(status, 200, "{page}");
    let sheet = letter_sheet(&page);
    assert!(
        sheet.contains("Et møte du er invitert til, er endret"),
        "{sheet}"
    );
    assert!(
        sheet.contains("kl. 17:00") && sheet.contains("/b/"),
        "{sheet}"
    );
    assert!(!sheet.contains(&first_code), "a new code: {sheet}");

    // Rut is taken off the team: her letter says the invitation no longer applies.
    let removal = app
        .delete(
            &s.path(&council, &format!("/participants/{rut}")),
            &s.staff.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removal.status(), 200);
    let (status, page) = read(rut).await;
    assert_eq!(status, 200, "{page}");
    let sheet = letter_sheet(&page);
    assert!(
        sheet.contains("Invitasjonen du fikk, gjelder ikke lenger"),
        "{sheet}"
    );
    assert!(sheet.contains("Du trenger ikke gjøre noe."), "{sheet}");
    assert!(
        !sheet.contains("/b/") && !sheet.contains("<svg"),
        "no answer asked: {sheet}"
    );

    // Cancelled: Ola's letter says so, and asks for nothing.
    s.post_expect(
        &app,
        &council,
        &format!("/meetings/{meeting}/cancellation"),
        json!({}),
        200,
    )
    .await;
    let (status, page) = read(ola).await;
    assert_eq!(status, 200, "{page}");
    let sheet = letter_sheet(&page);
    assert!(
        sheet.contains("Et møte du var invitert til, er avlyst"),
        "{sheet}"
    );
    assert!(!sheet.contains("/b/") && !sheet.contains("<svg"), "{sheet}");
    assert!(!sheet.to_lowercase().contains("barnevern"), "{sheet}");

    // The invitations page lists both letters to print, each with what it says.
    let tasks = format!("/cases/{}/councils/{council}/tasks/invitations", s.case);
    let (_, page) = common::answer(app.page(&tasks, &who).send().await.unwrap()).await;
    let list = &page[page.find("letters-to-print").expect("the letters to print")..];
    let list = &list[..list.find("</ul>").expect("the list's end")];
    assert_eq!(
        list.matches("/letters/").count(),
        2,
        "only those reached by letter, not the team reached by email: {list}"
    );
    for (participant, says) in [
        (ola, "Brev om avlyst møte til Far Ola"),
        (
            rut,
            "Brev om at invitasjonen ikke gjelder lenger, til Tante Rut",
        ),
    ] {
        assert!(list.contains(says), "{says}: {list}");
        assert!(list.contains(&format!("/letters/{participant}")), "{list}");
    }
}

/// The first address of this app's answer pages in `text` (an email's or an SMS's).
fn answer_link(app: &TestApp, text: &str) -> String {
    let start = text
        .find(&format!("{}/i/", app.address))
        .unwrap_or_else(|| panic!("an answer link in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .unwrap()
        .to_owned()
}

/// The text of the one SMS in `texts` that says `words`, sent to Eva's number.
fn text_with<'a>(texts: &'a [common::services::GatewaySms], words: &str) -> &'a str {
    let found: Vec<&common::services::GatewaySms> = texts
        .iter()
        .filter(|m| m.body["userData"].as_str().unwrap().contains(words))
        .collect();
    let [sms] = found.as_slice() else {
        panic!("one SMS saying {words}: {texts:?}");
    };
    assert_eq!(sms.body["destination"], "+4791234568");
    sms.body["userData"].as_str().unwrap()
}

/// A team reached four ways — by email only, by SMS only (through the gateway's real API), by
/// a printed letter only and by a phone call — answers its invitations each its own way and
/// approves its plan: three through their own links (the letter's by its short code), the one
/// who is called through answers the coordinator records for them, shown as recorded by her.
#[tokio::test]
async fn a_team_reached_by_email_sms_letter_and_phone_answers_and_approves_its_plan() {
    use crate::plans::on_link;
    let (sink, gateway) = (SmtpSink::start(), common::services::LinkGateway::start());
    let app = crate::sms::spawn(&sink, &gateway).await;
    let mut s = setup(&app, "fjordvik", json!({"birth_year": 2014})).await;
    // Mormor Kari (email only) and the teacher stay; Farmor Eva (a mobile only) takes Onkel
    // Per's place, and Far Ola (a postal address only) and Onkel Jon (called) join them.
    let eva = add(
        &app,
        &s,
        person("Farmor Eva", json!({"phone": "912 34 568"})),
    )
    .await;
    s.persons[1] = eva["id"].as_str().unwrap().to_owned();
    for p in [
        person(
            "Far Ola",
            json!({"address": "Storgata 1, 4624 Kristiansand"}),
        ),
        person(
            "Onkel Jon",
            json!({"phone": "22 33 44 55", "preferred_channel": "call"}),
        ),
    ] {
        let added = add(&app, &s, p).await;
        s.persons.push(added["id"].as_str().unwrap().to_owned());
    }
    let (council, team) = s.ready_council(&app, "network_council").await;
    let [kari, eva, _lise, ola, jon] = team.as_slice() else {
        panic!("five on the team: {team:?}");
    };
    let (_, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(10, 18), "place": "Biblioteket"}),
        )
        .await;
    s.invite(&app, &council, &meeting).await;
    let workers = Workers::start(&app);

    // Kari's invitation comes by email, Eva's by SMS; nothing is sent to Ola or Jon.
    let mails = sink.wait_for(3, Duration::from_secs(30)).await;
    let to_kari = mails
        .iter()
        .find(|m| m.to().contains("mormor@example.no"))
        .expect("Kari's email");
    let kari_link = answer_link(&app, &to_kari.text);
    let sms = gateway.wait_for(1, Duration::from_secs(30)).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0].body["destination"], "+4791234568");
    let eva_link = answer_link(&app, sms[0].body["userData"].as_str().unwrap());
    // Ola's letter is printed; its short code opens his answer page.
    let who = app.sign_in(&s.staff).await;
    let letter = format!("/cases/{}/councils/{council}/letters/{ola}", s.case);
    let (status, page) = app.page_answer(&letter, &who).await;
    assert_eq!(status, 200, "{page}");
    let at = page.find("/b/").expect("the short link") + 3;
    let code = page[at..at + 14].to_owned();
    let res = app
        .client
        .get(app.url(&format!("/b/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let ola_link = res.headers()["location"].to_str().unwrap().to_owned();

    // Each answers: three on their own pages, Jon on the phone, recorded by the coordinator.
    for (link, response) in [
        (&kari_link, "accept"),
        (&eva_link, "accept"),
        (&ola_link, "maybe"),
    ] {
        let path = link.trim_start_matches(&app.address);
        let (status, body) = on_link(&app, path, &[("response", response)]).await;
        assert_eq!(status, 303, "{path}: {body}");
    }
    s.post_expect(
        &app,
        &council,
        &format!("/participants/{jon}/answer"),
        json!({"response": "accept", "how": "phone", "contribution": "Kan kjøre til fotball"}),
        200,
    )
    .await;
    let view = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    let answers: Vec<(String, String)> = view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let answer = &p["answer"];
            answer["response"]
                .as_str()
                .map(|r| (p["id"].as_str().unwrap().to_owned(), r.to_owned()))
        })
        .collect();
    for (participant, response) in [
        (kari, "accept"),
        (eva, "accept"),
        (ola, "maybe"),
        (jon, "accept"),
    ] {
        assert!(
            answers.contains(&(participant.clone(), response.to_owned())),
            "{participant} {response}: {answers:?}"
        );
    }

    // The meeting takes place (its start moved into the past) and makes a plan with a
    // commitment for each of the four.
    app.db.meeting_began(&meeting);
    s.post_expect(&app, &council, "/state", json!({"to": "meeting_held"}), 200)
        .await;
    s.post_expect(&app, &council, "/plan", json!({}), 201).await;
    s.post_expect(
        &app,
        &council,
        "/plan/goals",
        json!({"text": "Jeg vil ha noen å ringe", "author": "child"}),
        201,
    )
    .await;
    for (participant, text) in [
        (kari, "Middag hver onsdag"),
        (eva, "Ringer hver søndag"),
        (ola, "Henter på skolen fredager"),
        (jon, "Kjører til fotball"),
    ] {
        s.post_expect(
            &app,
            &council,
            "/plan/commitments",
            json!({"participant_id": participant, "text": text, "due_on": in_days(30)}),
            201,
        )
        .await;
    }
    let submitted = s.submit_plan(&app, &council).await;
    let version = submitted["version"].as_i64().expect("the plan's version");
    // The link's forms send it as text, the JSON calls as a number.
    let version_text = version.to_string();

    // The request to approve reaches Eva by SMS with her own link, as her invitation did;
    // nothing goes to Ola (a letter) or Jon (called), whom the coordinator asks instead.
    let texts = gateway.wait_for(2, Duration::from_secs(30)).await;
    assert_eq!(texts.len(), 2, "{texts:?}");
    let request = text_with(&texts, "godkjenner");
    assert_eq!(answer_link(&app, request), eva_link, "{request}");

    // Kari, Eva and Ola approve through their links; Lise too.
    let lise_token = s.token(&app, &team[2]);
    let lise_link = app.url(&format!("/i/{lise_token}"));
    for link in [&kari_link, &eva_link, &ola_link, &lise_link] {
        let path = format!(
            "{}/plan/confirmation",
            link.trim_start_matches(&app.address)
        );
        let (status, body) = on_link(&app, &path, &[("version", &version_text)]).await;
        assert_eq!(status, 303, "{path}: {body}");
    }
    let plan = app
        .get_json(&s.path(&council, "/plan"), &s.staff.key, 200)
        .await;
    assert_eq!(plan["status"], "awaiting_approval", "Jon has not answered");

    // On the plan page the form names each mistake at its field, in Norwegian, and keeps what
    // was chosen: an objection without his words, and no way of answering.
    let plan_page = s.path(&council, "/plan").replace("/api/v1", "");
    let (status, page) = app
        .form_answer(
            &format!("{plan_page}/record-approval"),
            &who,
            &[
                ("participant_id", jon.as_str()),
                ("answer", "object"),
                ("version", version_text.as_str()),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    for at in ["recorded-how-error", "recorded-comment-error"] {
        assert!(page.contains(&format!("id=\"{at}\"")), "{at}: {page}");
    }
    for sentence in [
        "Velg om svaret ble gitt på telefon eller ansikt til ansikt.",
        "Skriv hva personen ikke er enig i, slik de sa det.",
    ] {
        assert!(page.contains(sentence), "{sentence}: {page}");
    }
    assert!(
        page.contains("href=\"#recorded-how\""),
        "in the summary: {page}"
    );
    assert!(
        page.contains("value=\"object\" checked"),
        "the answer as chosen: {page}"
    );
    assert!(
        page.contains(&format!("value=\"{jon}\" selected")),
        "Jon still chosen: {page}"
    );
    // Jon objects on the phone first — without what he said it is refused at the field, and
    // nothing is written — then, after a second call, approves.
    let record = format!("/plan/participants/{jon}/approval");
    let refused = expect_problem(
        s.post(
            &app,
            &council,
            &record,
            json!({"answer": "object", "how": "phone", "version": version}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(refused.to_string().contains("comment"), "{refused}");
    let objected = s
        .post_expect(
            &app,
            &council,
            &record,
            json!({"answer": "object", "how": "phone", "version": version,
                "comment": "Jeg kan ikke hver lørdag"}),
            200,
        )
        .await;
    let jon_line = objected["confirmations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["participant_id"] == jon.as_str())
        .unwrap()
        .clone();
    assert_eq!(jon_line["objection"], "Jeg kan ikke hver lørdag");
    assert_eq!(jon_line["recorded"]["how"], "phone");
    // Someone not on this council's team cannot be recorded.
    expect_problem(
        s.post(
            &app,
            &council,
            &format!("/plan/participants/{}/approval", uuid::Uuid::now_v7()),
            json!({"answer": "confirm", "how": "phone", "version": version}),
        )
        .await,
        409,
        "not-asked-to-approve",
    )
    .await;
    let approved = s
        .post_expect(
            &app,
            &council,
            &record,
            json!({"answer": "confirm", "how": "in_person", "version": version}),
            200,
        )
        .await;
    assert_eq!(approved["status"], "approved", "{approved}");
    assert!(
        approved["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "confirmed"),
        "{approved}"
    );
    // The plan page says whose answer was recorded, by whom and how; it is audited.
    let (_, page) = app
        .page_answer(&s.path(&council, "/plan").replace("/api/v1", ""), &who)
        .await;
    assert!(
        page.contains("registrert av") && page.contains("ansikt til ansikt"),
        "{page}"
    );
    let recorded: i64 = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        audit_log::table
            .filter(audit_log::action.eq("plan.approval_record"))
            .count()
            .get_result(c)
    })
    .unwrap();
    assert_eq!(recorded, 2, "the objection and the approval");

    // Before her commitment's date Eva is reminded by SMS, with the date and her link; the
    // council's SMS record keeps it with the gateway's id.
    common::jobs::make_due(&app, "commitment_due");
    let texts = gateway.wait_for(3, Duration::from_secs(30)).await;
    assert_eq!(
        texts.len(),
        3,
        "Eva's reminder, and nobody else's: {texts:?}"
    );
    let reminder = text_with(&texts, "sagt ja til");
    let due = chrono::NaiveDate::parse_from_str(&in_days(30), "%Y-%m-%d")
        .unwrap()
        .format("%d.%m.%Y")
        .to_string();
    assert!(reminder.contains(&due), "{due}: {reminder}");
    assert_eq!(answer_link(&app, reminder), eva_link, "{reminder}");
    let kept: Vec<String> = in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        sms_messages::table
            .order(sms_messages::sent_at)
            .select(sms_messages::purpose)
            .load(c)
    })
    .unwrap();
    assert_eq!(
        kept,
        ["request", "plan_confirmation", "commitment_due"],
        "{kept:?}"
    );
    workers.stop().await;
}
