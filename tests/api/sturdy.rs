//! Sturdy against what clients and people do: link checkers and mail gateways that send `HEAD`
//! before anyone clicks, a double click or a second tab sending the same answer twice, someone
//! taken off the team after the invitations went out (the SMTP sink and a real iCalendar parser
//! read what they get), and a meeting time the clock skips or repeats.

use crate::common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::mail::Mail;
use common::services::SmtpSink;
use common::{TestApp, form_token};
use diesel::prelude::*;
use serde_json::json;
use tillit::councils::invitations;
use tillit::db::schema::{
    council_answers, council_invitations, council_meetings, plan_approvals, plan_child_links,
    plans, recruitment_candidates, recruitment_forms,
};
use tillit::db::{TenantId, in_tenant};
use tillit::tokens::{CandidateLink, ChildLink, LetterCode, LinkToken};
use uuid::Uuid;

use common::councils::*;

/// The demo's first service, seeded into the test's database: councils with invitations sent,
/// a plan awaiting the network's approval with a child's link, a recruitment whose homes have
/// their links.
async fn demo(app: &TestApp) -> TenantId {
    tillit::demo::seed(&app.state).await.expect("the demo");
    tillit::tenancy::tenant_by_slug(
        &app.state.db,
        &tillit::tenancy::Slug::parse("fjordvik").unwrap(),
    )
    .await
    .unwrap()
    .expect("the demo's service")
}

/// A live invitation (its row id and participant) to a meeting still ahead, with a time.
fn upcoming_invitation(app: &TestApp, tenant: TenantId) -> (Uuid, Uuid) {
    use tillit::db::schema::{council_participants, network_persons};
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        council_invitations::table
            .inner_join(
                council_meetings::table.on(council_meetings::tenant_id
                    .eq(council_invitations::tenant_id)
                    .and(council_meetings::id.eq(council_invitations::meeting_id))),
            )
            // Someone who reads the service's own written standard, bokmål.
            .inner_join(
                council_participants::table.on(council_participants::tenant_id
                    .eq(council_invitations::tenant_id)
                    .and(council_participants::id.eq(council_invitations::participant_id))),
            )
            .inner_join(
                network_persons::table.on(network_persons::tenant_id
                    .eq(council_participants::tenant_id)
                    .and(
                        network_persons::id
                            .nullable()
                            .eq(council_participants::person_id),
                    )),
            )
            .filter(network_persons::language.is_null())
            .filter(council_invitations::revoked_at.is_null())
            .filter(council_invitations::expires_at.gt(Utc::now()))
            .filter(council_meetings::starts_at.gt(Utc::now()))
            .filter(council_meetings::status.eq("scheduled"))
            .select((council_invitations::id, council_invitations::participant_id))
            .first(c)
    })
    .unwrap()
}

/// The live link token of `participant`.
fn participant_token(app: &TestApp, tenant: TenantId, participant: Uuid) -> String {
    let id: Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        council_invitations::table
            .filter(council_invitations::participant_id.eq(participant))
            .filter(council_invitations::revoked_at.is_null())
            .order(council_invitations::created_at.desc())
            .select(council_invitations::id)
            .first(c)
    })
    .unwrap();
    invitations::token_for(&app.state.settings, id)
}

/// The child's live link of the plan awaiting approval, and the plan's council and version.
fn child_link(app: &TestApp, tenant: TenantId) -> (String, Uuid, i32) {
    let (link, council, version): (Uuid, Uuid, i32) =
        in_tenant(&mut app.db.app_conn(), tenant, |c| {
            plan_child_links::table
                .inner_join(
                    plans::table.on(plans::tenant_id
                        .eq(plan_child_links::tenant_id)
                        .and(plans::id.eq(plan_child_links::plan_id))),
                )
                .filter(plan_child_links::revoked_at.is_null())
                .filter(plans::status.eq("awaiting_approval"))
                .select((plan_child_links::id, plans::council_id, plans::version))
                .first(c)
        })
        .unwrap();
    let token = LinkToken::<ChildLink>::derive(&app.state.settings.token_key(), link).to_string();
    (token, council, version)
}

/// A candidate home's link that the service has not decided about and that has not answered.
fn candidate_token(app: &TestApp, tenant: TenantId) -> (String, Uuid) {
    let id: Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        recruitment_candidates::table
            .filter(recruitment_candidates::decision.is_null())
            .filter(recruitment_candidates::answer.is_null())
            .select(recruitment_candidates::id)
            .first(c)
    })
    .unwrap();
    let token = LinkToken::<CandidateLink>::derive(&app.state.settings.token_key(), id).to_string();
    (token, id)
}

/// GET and HEAD of `path` (with `cookie`, as a browser): the same status and headers, and HEAD
/// without a body.
async fn head_like_get(app: &TestApp, path: &str, cookie: Option<&str>) -> u16 {
    let send = |method: reqwest::Method| {
        let mut request = app
            .client
            .request(method, app.url(path))
            .header("accept", "text/html");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let get = send(reqwest::Method::GET).await.unwrap();
    let head = send(reqwest::Method::HEAD).await.unwrap();
    assert_eq!(head.status(), get.status(), "HEAD {path}");
    for header in [
        reqwest::header::CONTENT_TYPE,
        reqwest::header::CONTENT_DISPOSITION,
        reqwest::header::LOCATION,
        reqwest::header::CACHE_CONTROL,
    ] {
        assert_eq!(
            head.headers().get(&header),
            get.headers().get(&header),
            "HEAD {path}: {header}"
        );
    }
    let status = get.status().as_u16();
    if status != 303 {
        assert!(
            !get.bytes().await.unwrap().is_empty(),
            "GET {path} has a body"
        );
    }
    assert!(
        head.bytes().await.unwrap().is_empty(),
        "HEAD {path} has no body"
    );
    status
}

/// Link checkers and mail gateways test a link with HEAD before anyone clicks it: every page an
/// email, an SMS, a letter or a staff member's bookmark leads to answers HEAD as it answers GET,
/// without the body — and HEAD answers nothing.
#[tokio::test]
async fn head_answers_like_get_on_every_page_a_link_leads_to() {
    let app = TestApp::spawn().await;
    let tenant = demo(&app).await;
    let (invitation, _) = upcoming_invitation(&app, tenant);
    let token = invitations::token_for(&app.state.settings, invitation);
    let letter = LetterCode::derive(&app.state.settings.token_key(), invitation).to_string();
    let (child, _, _) = child_link(&app, tenant);
    let (candidate, _) = candidate_token(&app, tenant);
    let answers = || -> i64 {
        in_tenant(&mut app.db.app_conn(), tenant, |c| {
            council_answers::table.count().get_result(c)
        })
        .unwrap()
    };
    let before = answers();
    for (path, status) in [
        (format!("/i/{token}"), 200),
        (format!("/i/{token}/calendar.ics"), 200),
        (format!("/b/{letter}"), 303),
        (format!("/c/{child}"), 200),
        (format!("/r/{candidate}"), 200),
        // An unknown link: the same neutral page to both.
        (format!("/i/tli_{}", "A".repeat(43)), 404),
        ("/".to_owned(), 200),
        ("/login".to_owned(), 200),
    ] {
        assert_eq!(head_like_get(&app, &path, None).await, status, "{path}");
    }
    // The staff's pages a notice links to, signed in.
    let staff = app.staff("fjordvik", "coordinator").await;
    let who = app.sign_in(&staff).await;
    for path in ["/", "/account", "/cases"] {
        assert_eq!(
            head_like_get(&app, path, Some(&who.cookie)).await,
            200,
            "{path}"
        );
    }
    // Not theirs to see: refused alike.
    head_like_get(&app, "/admin", Some(&who.cookie)).await;
    // Signed out, a staff page sends to the login and back, to HEAD as to GET.
    assert_eq!(head_like_get(&app, "/account", None).await, 303);
    assert_eq!(answers(), before, "HEAD never answers");
}

/// POSTs `fields` with a browser's form token to `path`; the status and where it leads.
async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let (cookie, csrf) = form_token(app).await;
    let res = app.link_form(path, &cookie, &csrf, fields).await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location)
}

/// Catalogue text `key` in the language `page` is written in (its `<html lang>`).
fn in_page_language(page: &str, key: &'static str) -> String {
    let lang = page
        .split("<html lang=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(tillit::web::i18n::Lang::parse)
        .expect("the page's language");
    tillit::web::i18n::Tr::new(lang).t(key).to_owned()
}

async fn page_text(app: &TestApp, path: &str) -> String {
    app.text_of(path).await
}

/// A double click or a second tab sends the same thing twice. The second is a success that says
/// it was done already — never "not saved" — and writes nothing more: on the invitee's page, the
/// plan's approval, the child's page and the candidate home's page.
#[tokio::test]
async fn the_same_answer_or_confirmation_twice_is_a_success_that_says_so() {
    let app = TestApp::spawn().await;
    let tenant = demo(&app).await;
    let count = |what: &str| -> i64 {
        in_tenant(&mut app.db.app_conn(), tenant, |c| match what {
            "answers" => council_answers::table.count().get_result(c),
            _ => plan_approvals::table.count().get_result(c),
        })
        .unwrap()
    };

    // The invitee's answer.
    let (invitation, _) = upcoming_invitation(&app, tenant);
    let token = invitations::token_for(&app.state.settings, invitation);
    let path = format!("/i/{token}");
    let answer = [("response", "accept"), ("contribution", "Kan ta med kaffe")];
    let first = post_form(&app, &path, &answer).await;
    assert_eq!(first, (303, format!("{path}?saved=1")));
    let answers = count("answers");
    let second = post_form(&app, &path, &answer).await;
    assert_eq!(second, (303, format!("{path}?saved=again")));
    assert_eq!(count("answers"), answers);
    let page = page_text(&app, &second.1).await;
    assert!(
        page.contains("Svaret ditt var allerede lagret, akkurat slik."),
        "{page}"
    );
    assert!(!page.contains("ikke lagret"), "{page}");
    // A different answer is a change, saved as ever.
    let changed = post_form(&app, &path, &[("response", "decline")]).await;
    assert_eq!(changed, (303, format!("{path}?saved=1")));

    // The plan's approval: the one who approved already approves again.
    let (child, council, version) = child_link(&app, tenant);
    let version = version.to_string();
    let approved: Uuid = in_tenant(&mut app.db.app_conn(), tenant, |c| {
        plan_approvals::table
            .filter(plan_approvals::council_id.eq(council))
            .filter(plan_approvals::kind.eq("participant_confirmed"))
            .select(plan_approvals::participant_id.assume_not_null())
            .first(c)
    })
    .unwrap();
    let token = participant_token(&app, tenant, approved);
    let approvals = count("approvals");
    let again = post_form(
        &app,
        &format!("/i/{token}/plan/confirmation"),
        &[("version", &version)],
    )
    .await;
    assert_eq!(again, (303, format!("/i/{token}?plan=confirmed_again")));
    assert_eq!(count("approvals"), approvals, "nothing more is written");
    let page = page_text(&app, &again.1).await;
    // In the participant's own language (the demo's first approver may read English).
    assert!(
        page.contains(&in_page_language(&page, "again.plan_confirmed")),
        "{page}"
    );
    assert!(
        !page.contains("ikke lagret") && !page.contains("not saved"),
        "{page}"
    );

    // The child's answer, twice.
    let path = format!("/c/{child}/answer");
    let agree = [("answer", "agree"), ("version", version.as_str())];
    let first = post_form(&app, &path, &agree).await;
    assert_eq!(first, (303, format!("/c/{child}?answered=1")));
    let approvals = count("approvals");
    let second = post_form(&app, &path, &agree).await;
    assert_eq!(second, (303, format!("/c/{child}?answered=again")));
    assert_eq!(count("approvals"), approvals, "one answer, not two");
    let page = page_text(&app, &second.1).await;
    assert!(
        page.contains("Du hadde allerede svart dette."),
        "the child hears it is saved: {page}"
    );

    // The candidate home's answer, twice, and its form sent in twice.
    let (candidate, id) = candidate_token(&app, tenant);
    let path = format!("/r/{candidate}");
    let first = post_form(&app, &path, &[("answer", "yes")]).await;
    assert_eq!(first, (303, format!("{path}?saved=answer")));
    let answered_at = |app: &TestApp| -> Option<DateTime<Utc>> {
        in_tenant(&mut app.db.app_conn(), tenant, |c| {
            recruitment_candidates::table
                .filter(recruitment_candidates::id.eq(id))
                .select(recruitment_candidates::answered_at)
                .first(c)
        })
        .unwrap()
    };
    let at = answered_at(&app);
    let second = post_form(&app, &path, &[("answer", "yes")]).await;
    assert_eq!(second, (303, format!("{path}?saved=answer_again")));
    assert_eq!(answered_at(&app), at, "the answer is not written again");
    let page = page_text(&app, &second.1).await;
    assert!(page.contains("Svaret ditt var allerede lagret."), "{page}");
    let form: Vec<(&str, &str)> = vec![
        ("household", "To voksne og en hund"),
        ("housing", "Enebolig med eget rom til barnet"),
        ("work", "Begge jobber dagtid"),
        ("health", "Vi er friske"),
        ("experience", "Vi har vært besøkshjem i to år"),
        ("motivation", "Vi kjenner barnet og vil hjelpe"),
        ("relation", "Tante og onkel"),
        ("support", "Besteforeldre bor i nærheten"),
        ("action", "submit"),
    ];
    let submitted = post_form(&app, &format!("{path}/form"), &form).await;
    assert_eq!(
        submitted,
        (303, format!("{path}?saved=submitted#form")),
        "the form is sent in"
    );
    let submitted_at = |app: &TestApp| -> Option<DateTime<Utc>> {
        in_tenant(&mut app.db.app_conn(), tenant, |c| {
            recruitment_forms::table
                .filter(recruitment_forms::candidate_id.eq(id))
                .select(recruitment_forms::submitted_at)
                .first(c)
        })
        .unwrap()
    };
    let kept = submitted_at(&app);
    assert!(kept.is_some());
    let again = post_form(&app, &format!("{path}/form"), &form).await;
    assert_eq!(again, (303, format!("{path}?saved=submitted_again#form")));
    assert_eq!(submitted_at(&app), kept, "the form is not sent in twice");
    let page = page_text(&app, &again.1).await;
    assert!(page.contains("Skjemaet var allerede sendt inn."), "{page}");
}

/// The messages to invitees: everything the sink got but the service admin's setup email.
async fn invitee_mail(sink: &SmtpSink, n: usize) -> Vec<Mail> {
    sink.wait_for(n + 1, Duration::from_secs(30))
        .await
        .into_iter()
        .filter(|m| !m.is_setup_email())
        .collect()
}

/// The METHOD, UID and SEQUENCE of an `.ics`, read by a real iCalendar parser.
fn read_ics(ics: &str) -> (String, String, i64) {
    let calendar = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()))
        .next()
        .expect("one calendar")
        .expect("a calendar the parser reads");
    let method = calendar
        .properties
        .iter()
        .find(|p| p.name == "METHOD")
        .and_then(|p| p.value.clone())
        .expect("METHOD");
    let get = |name: &str| {
        calendar.events[0]
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    (method, get("UID"), get("SEQUENCE").parse().unwrap())
}

/// Someone taken off the team after the invitations went out, and someone whose link is revoked,
/// each get a neutral email cancelling their copy of the meeting (METHOD:CANCEL, the meeting's
/// UID, a higher SEQUENCE), and no chase or reminder after it; the one still invited gets the
/// reminder alone, and the meeting stands.
#[tokio::test]
async fn someone_taken_off_the_team_or_whose_link_is_revoked_gets_a_cancellation_and_no_chase() {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(&fast_jobs(&sink)).await;
    let s = setup(&app, "fjordvik", json!({ "birth_year": 2016 })).await;
    let (council, participants) = s.ready_council(&app, "network_council").await;
    let (view, meeting) = s
        .schedule(
            &app,
            &council,
            json!({"starts_at": local(10, 18), "place": "Biblioteket"}),
        )
        .await;
    let uid = view["meetings"][0]["calendar_uid"]
        .as_str()
        .unwrap()
        .to_owned();
    s.invite(&app, &council, &meeting).await;
    let workers = Workers::start(&app);
    let invited = invitee_mail(&sink, 3).await;
    assert_eq!(invited.len(), 3);
    let sequence = read_ics(invited[0].calendar().unwrap()).2;
    // The map's first two people: the grandmother taken off the team, the uncle's link revoked.
    let (removed, revoked) = (&participants[0], &participants[1]);
    let removal = app
        .delete(
            &s.path(&council, &format!("/participants/{removed}")),
            &s.staff.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removal.status(), 200);
    let revocation = app
        .delete(
            &s.path(&council, &format!("/participants/{revoked}/invitation")),
            &s.staff.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revocation.status(), 200);
    let all = invitee_mail(&sink, 5).await;
    let cancels: Vec<&Mail> = all
        .iter()
        .filter(|m| m.calendar().is_some_and(|ics| read_ics(ics).0 == "CANCEL"))
        .collect();
    let mut to: Vec<String> = cancels.iter().map(|m| m.header("To").unwrap()).collect();
    to.sort();
    assert_eq!(to, ["mormor@example.no", "per@example.no"]);
    let mut sequences = Vec::new();
    for mail in &cancels {
        let (_, event_uid, seq) = read_ics(mail.calendar().unwrap());
        assert!(event_uid.starts_with(&uid), "the meeting's own UID");
        assert!(seq > sequence, "a higher SEQUENCE: {seq} after {sequence}");
        sequences.push(seq);
        assert!(
            mail.text
                .contains("Invitasjonen du fikk til et møte, gjelder ikke lenger"),
            "{}",
            mail.text
        );
        let everything = mail.everything().to_lowercase();
        for word in [
            "barnevern",
            "emmeline",
            "testesen",
            "biblioteket",
            "/i/tli_",
        ] {
            assert!(!everything.contains(word), "{word} in {everything}");
        }
    }
    // The meeting stands for the rest of the team.
    let view = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    assert_eq!(view["meetings"][0]["status"], "scheduled");

    // Someone new on the team after the withdrawals is invited, not told of a change: the
    // SEQUENCE rose for the withdrawn copies, the meeting itself did not move.
    let view = s
        .post_expect(
            &app,
            &council,
            "/participants",
            json!({"new_person": {"name": "Trener Tor", "category": "leisure_activity",
                "closeness": "medium", "quality": "supportive", "email": "tor@klubb.example"},
                "meeting_role": "support_person"}),
            201,
        )
        .await;
    let tor = view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Trener Tor")
        .expect("on the team")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.post_expect(
        &app,
        &council,
        &format!("/participants/{tor}/invitation"),
        json!({}),
        200,
    )
    .await;
    let all = invitee_mail(&sink, 6).await;
    let to_tor: Vec<&Mail> = all
        .iter()
        .filter(|m| m.header("To").as_deref() == Some("tor@klubb.example"))
        .collect();
    assert_eq!(to_tor.len(), 1, "one invitation to him");
    assert_eq!(to_tor[0].subject, "Invitasjon til et møte");
    let (method, _, seq) = read_ics(to_tor[0].calendar().unwrap());
    assert_eq!(method, "REQUEST");
    assert!(
        sequences.iter().all(|withdrawn| seq >= *withdrawn),
        "his copy is not older than the withdrawn ones: {seq} {sequences:?}"
    );

    // The chases and the reminders come due: only the school, still invited, hears of them.
    make_due(&app, "answer_chase");
    make_due(&app, "meeting_reminder");
    common::jobs::settled(&app, "answer_chase").await;
    common::jobs::settled(&app, "meeting_reminder").await;
    common::jobs::settled(&app, "meeting_sms").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.stop().await;
    let everything = sink.messages_but_setup();
    let to = |who: &str| -> Vec<&Mail> {
        everything
            .iter()
            .filter(|m| m.header("To").as_deref() == Some(who))
            .collect()
    };
    for who in ["mormor@example.no", "per@example.no"] {
        for mail in to(who) {
            let method = mail.calendar().map(|ics| read_ics(ics).0);
            assert!(
                method.is_some(),
                "{who} gets only the invitation and its cancellation, not {:?}",
                mail.subject
            );
        }
    }
    assert!(
        to("lise@skole.example").len() > 1,
        "the school, still invited, is chased and reminded"
    );
}

/// A meeting time typed on the council's page that the clock skips (the spring change) or
/// passes twice (the autumn change) in the service's zone is refused at the field with a
/// Norwegian sentence saying why, and what was typed stays; nothing is written.
#[tokio::test]
async fn a_meeting_time_the_clock_skips_or_repeats_is_refused_at_the_field_in_norwegian() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({ "birth_year": 2015 })).await;
    let who = app.sign_in(&s.staff).await;
    let (council, _) = s.ready_council(&app, "family_group_conference").await;
    let base = format!("/cases/{}/councils/{council}", s.case);
    let meetings = || -> i64 {
        in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
            council_meetings::table.count().get_result(c)
        })
        .unwrap()
    };
    for (typed, why) in [
        (
            "2030-03-31T02:30",
            "Klokkeslettet finnes ikke den natten: klokken stilles fram én time",
        ),
        (
            "2030-10-27T02:30",
            "Klokkeslettet kommer to ganger den natten, fordi klokken stilles tilbake én time",
        ),
    ] {
        let (status, page) = app
            .form_answer(
                &format!("{base}/meeting"),
                &who,
                &[("starts_at", typed), ("place", "Biblioteket")],
            )
            .await;
        assert_eq!(status, 422, "{page}");
        assert!(
            page.contains(&format!(r##"<a href="#starts-at">{why}"##)),
            "the reason in the summary, linked to the field: {page}"
        );
        assert!(page.contains(r#"id="starts-at-error""#), "{page}");
        assert!(page.contains(&format!(r#"value="{typed}""#)), "{page}");
        assert!(!page.contains("does not exist"), "{page}");
    }
    assert_eq!(meetings(), 0);
    // The hour after the spring gap is real.
    let (status, _) = app
        .form_answer(
            &format!("{base}/meeting"),
            &who,
            &[("starts_at", "2030-03-31T03:00"), ("place", "Biblioteket")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(meetings(), 1);
}

/// The JSON API reads its input strictly and alike: a yes/no field given "maybe" is refused at
/// its field (never stored as false), a whole number written `120.0` is read as 120 wherever a whole number
/// is asked for and `120.5` is refused at its field, no detail names the server's Rust types,
/// and a request with a malformed header still gets problem+json with its request id.
#[tokio::test]
async fn input_is_read_strictly_and_alike_and_errors_speak_the_apis_words() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({ "birth_year": 2016 })).await;
    let councils = format!("/api/v1/cases/{}/councils", s.case);
    let maybe = app
        .post(&councils, &s.staff.key)
        .json(&json!({"kind": "network_council", "acute": "maybe"}))
        .send()
        .await
        .unwrap();
    let problem = common::expect_problem(maybe, 422, "validation").await;
    assert_eq!(problem["errors"][0]["field"], "acute", "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("true or false"), "{message}");
    let listed = app.get_json(&councils, &s.staff.key, 200).await;
    assert_eq!(
        listed.as_array().map_or(0, Vec::len),
        0,
        "nothing was stored"
    );

    // A whole number is a whole number, however it is written.
    let (council, _) = s.ready_council(&app, "network_council").await;
    let view = s
        .post_expect(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": local(10, 18), "duration_minutes": 120.0, "place": "Skolen"}),
            201,
        )
        .await;
    assert_eq!(view["meetings"][0]["duration_minutes"], 120);
    let fraction = common::expect_problem(
        s.post(
            &app,
            &council,
            "/meetings",
            json!({"starts_at": local(11, 18), "duration_minutes": 120.5, "place": "Skolen"}),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert_eq!(
        fraction["errors"][0]["field"], "duration_minutes",
        "{fraction}"
    );
    let child = app
        .post_json(
            "/api/v1/cases",
            &s.staff.key,
            json!({"child": {"first_name": "Ola", "last_name": "Nordmann", "birth_year": 2016.0}}),
            201,
        )
        .await;
    assert!(child["id"].is_string(), "{child}");
    let half = app
        .post("/api/v1/cases", &s.staff.key)
        .json(&json!({"child": {"first_name": "Ola", "birth_year": 2016.5}}))
        .send()
        .await
        .unwrap();
    let problem = common::expect_problem(half, 422, "validation").await;
    assert_eq!(
        problem["errors"][0]["field"], "child.birth_year",
        "{problem}"
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a whole number"),
        "{problem}"
    );

    // No detail names the server's types, whatever is wrong.
    for (body, status) in [
        (json!(3), 400),
        (json!([{"child": {}}]), 400),
        (json!({"child": 3}), 422),
        (
            json!({"child": {"first_name": "Ola", "birth_year": "to tusen"}}),
            422,
        ),
    ] {
        let res = app
            .post("/api/v1/cases", &s.staff.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{body}");
        let text = res.text().await.unwrap();
        for internal in ["struct", "enum", "Request", "Raw", "i32", "u32", "Option"] {
            assert!(!text.contains(internal), "{internal} in {text}");
        }
    }

    // A malformed header: problem+json, with the request id to quote.
    for (name, value) in [
        ("authorization", "Bearer"),
        ("authorization", "Basic Zm9vOmJhcg=="),
        ("content-type", "application/json; charset"),
        ("content-length", "12x"),
    ] {
        let res = app
            .client
            .post(app.url("/api/v1/cases"))
            .header(name, value)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{name}: {}", res.status());
        assert!(
            res.headers().contains_key("x-request-id"),
            "{name}: {value}: a request id"
        );
        assert_eq!(
            res.headers()[reqwest::header::CONTENT_TYPE],
            "application/problem+json",
            "{name}: {value}"
        );
    }
}
