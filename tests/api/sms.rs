//! SMS through LINK Mobility's Common Platform API, against a real HTTP server on loopback that
//! speaks it (tests/support/linkmobility_gateway.py): an invitation to a person reached by SMS
//! arrives neutral with a link that works, a refusal parks the job for the admin, a time-out is
//! tried again, and a delivery report on the webhook shows on the council page; a forged report is
//! refused; someone taken off the team hears by SMS that their invitation no longer applies.

use crate::common;

use std::time::Duration;

use common::TestApp;
use common::services::{LinkGateway, SmtpSink};
use serde_json::{Value, json};
use tillit::tenancy::sender::reveals_child_welfare;

use common::councils::*;

const HOOK_SECRET: &str = "hook-secret-3f9a1c7e5b";

pub(crate) async fn spawn(sink: &SmtpSink, gateway: &LinkGateway) -> TestApp {
    let mut settings = fast_jobs(sink);
    settings.extend([
        ("sms_transport", json!("http")),
        ("sms.base_url", json!(gateway.url())),
        ("sms_username", json!(LinkGateway::USER)),
        ("sms_password", json!(LinkGateway::PASSWORD)),
        ("sms_webhook_secret", json!(HOOK_SECRET)),
        ("sms.platform_partner_id", json!("4711")),
        ("sms.delivery_report_gate", json!("tillit-gate")),
        ("sms.timeout_secs", json!(1)),
    ]);
    TestApp::spawn_with(&settings).await
}

/// A service whose team has Farmor Eva, reached by SMS, and the meeting's invitations sent.
async fn invited(app: &TestApp) -> (Setup, String) {
    let mut s = setup(app, "fjordvik", json!({"birth_year": 2015})).await;
    let eva = app
        .post_json(
            &format!("/api/v1/cases/{}/persons", s.case),
            &s.staff.key,
            json!({"name": "Farmor Eva", "category": "near_family", "closeness": "close",
                "quality": "supportive", "phone": "912 34 568"}),
            201,
        )
        .await;
    assert_eq!(eva["preferred_channel"], "sms");
    s.persons.push(eva["id"].as_str().unwrap().to_owned());
    let (council, _) = s.ready_council(app, "family_group_conference").await;
    let (_, meeting) = s
        .schedule(
            app,
            &council,
            json!({"starts_at": local(10, 18), "place": "Biblioteket"}),
        )
        .await;
    s.invite(app, &council, &meeting).await;
    (s, council)
}

async fn invitations_page(app: &TestApp, s: &Setup, council: &str) -> String {
    let who = app.sign_in(&s.staff).await;
    let path = format!("/cases/{}/councils/{council}/tasks/invitations", s.case);
    let (status, page) = app.page_answer(&path, &who).await;
    assert_eq!(status, 200, "{page}");
    page
}

/// The row of `name` in the check before sending.
fn row_of<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page
        .find(&format!("<th scope=\"row\">{name}</th>"))
        .unwrap_or_else(|| panic!("{name}: {page}"));
    let rest = &page[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

async fn jobs_of(app: &TestApp, key: &str, status: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/jobs?status={status}"), key)
        .send()
        .await
        .unwrap()
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j["kind"] == "meeting_sms")
        .collect()
}

#[tokio::test]
async fn an_sms_invitation_arrives_neutral_its_link_works_and_its_delivery_report_shows() {
    let (sink, gateway) = (SmtpSink::start(), LinkGateway::start());
    let app = spawn(&sink, &gateway).await;
    let (s, council) = invited(&app).await;
    let workers = Workers::start(&app);
    let messages = gateway.wait_for(1, Duration::from_secs(30)).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let sms = &messages[0].body;
    assert_eq!(sms["destination"], "+4791234568");
    assert_eq!(sms["platformId"], "COMMON_API");
    assert_eq!(sms["platformPartnerId"], "4711");
    assert_eq!(sms["useDeliveryReport"], true);
    assert_eq!(sms["deliveryReportGates"], json!(["tillit-gate"]));
    // The service's name says what it is, so the sender is Tillit's own.
    assert_eq!(sms["source"], "Tillit");
    let text = sms["userData"].as_str().unwrap();
    assert!(
        text.starts_with("Tillit: Du er invitert til et møte."),
        "{text}"
    );
    assert!(!reveals_child_welfare(text), "{text}");
    assert!(
        !text.contains(CHILD_FIRST) && !text.contains("Biblioteket"),
        "{text}"
    );
    assert!(tillit::sms::segments(text) <= 2, "{text}");
    let link = text
        .split_whitespace()
        .find(|w| w.starts_with(&app.address))
        .unwrap_or_else(|| panic!("a link in {text}"));
    let (status, invitee) = common::answer(app.client.get(link).send().await.unwrap()).await;
    assert_eq!(status, 200, "{invitee}");
    assert!(
        invitee.contains("Biblioteket"),
        "the link opens the meeting: {invitee}"
    );

    let page = invitations_page(&app, &s, &council).await;
    let eva = row_of(&page, "Farmor Eva");
    assert!(
        eva.contains("SMS: 912 34 568") && eva.contains(">Sendt "),
        "{eva}"
    );

    // LINK's gate reports it delivered.
    let webhook = app.url(&format!("/hooks/sms/linkmobility/{HOOK_SECRET}"));
    assert_eq!(
        gateway
            .report(&webhook, &messages[0].message_id, 1001)
            .await,
        204
    );
    let page = invitations_page(&app, &s, &council).await;
    let eva = row_of(&page, "Farmor Eva");
    assert!(eva.contains(">Levert "), "{eva}");

    // A report with the wrong secret, or for a message never sent, changes nothing and says
    // nothing.
    let wrong = app.url("/hooks/sms/linkmobility/guessed-secret");
    assert_eq!(
        gateway.report(&wrong, &messages[0].message_id, 2104).await,
        401
    );
    let forged = json!({"id": "made-up", "refId": format!("{}:{}", s.tenant.0, uuid::Uuid::now_v7()),
        "resultCode": 2104});
    let res = app
        .client
        .post(&webhook)
        .json(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().is_empty());
    let res = app
        .client
        .post(&webhook)
        .body("not a report")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let page = invitations_page(&app, &s, &council).await;
    assert!(row_of(&page, "Farmor Eva").contains(">Levert "));
    workers.stop().await;
}

#[tokio::test]
async fn a_gateway_that_refuses_parks_the_sms_where_the_admin_sees_it() {
    let (sink, gateway) = (SmtpSink::start(), LinkGateway::start());
    let app = spawn(&sink, &gateway).await;
    gateway.refuse();
    let (s, council) = invited(&app).await;
    let admin_key = app.api_key("fjordvik", "tenant_admin").await;
    let workers = Workers::start(&app);
    let mut failed = Vec::new();
    for _ in 0..150 {
        failed = jobs_of(&app, &admin_key, "failed").await;
        if !failed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["attempts"], 1, "a refusal is not tried again");
    let error = failed[0]["last_error"].as_str().unwrap();
    assert!(error.contains("400"), "{error}");
    assert!(
        !error.contains("91234568"),
        "no number in the error: {error}"
    );
    assert!(gateway.messages().is_empty());

    let admin = app.staff("fjordvik", "tenant_admin").await;
    let who = app.sign_in(&admin).await;
    let (status, jobs_page) = app.page_answer("/admin/jobs", &who).await;
    assert_eq!(status, 200, "{jobs_page}");
    assert!(
        jobs_page.contains("SMS om møte"),
        "the kind in words: {jobs_page}"
    );

    let page = invitations_page(&app, &s, &council).await;
    assert!(
        row_of(&page, "Farmor Eva").contains("Kunne ikke sendes"),
        "{page}"
    );
    workers.stop().await;
}

#[tokio::test]
async fn a_gateway_that_does_not_answer_in_time_is_tried_again() {
    let (sink, gateway) = (SmtpSink::start(), LinkGateway::start());
    let app = spawn(&sink, &gateway).await;
    gateway.hang();
    let (s, _council) = invited(&app).await;
    // The sender the admin set for SMS.
    let admin = app.staff("fjordvik", "tenant_admin").await;
    let who = app.sign_in(&admin).await;
    let (status, settings) = app.page_answer("/admin", &who).await;
    assert_eq!(status, 200, "{settings}");
    assert!(settings.contains(r#"name="sms_sender""#), "{settings}");
    tillit::db::in_tenant(&mut app.db.app_conn(), s.tenant, |c| {
        use diesel::prelude::*;
        diesel::update(tillit::db::schema::tenants::table)
            .set(tillit::db::schema::tenants::sms_sender.eq("Fjordvik"))
            .execute(c)
    })
    .expect("the SMS sender");
    let admin_key = app.api_key("fjordvik", "tenant_admin").await;
    let workers = Workers::start(&app);
    let mut retrying = Vec::new();
    for _ in 0..150 {
        retrying = jobs_of(&app, &admin_key, "pending")
            .await
            .into_iter()
            .filter(|j| j["attempts"].as_i64() >= Some(1))
            .collect();
        if !retrying.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(retrying.len(), 1, "the time-out counts as an attempt");
    assert!(retrying[0]["last_error"].as_str().is_some());
    gateway.accept();
    let messages = gateway.wait_for(1, Duration::from_secs(30)).await;
    assert_eq!(messages.len(), 1, "sent on a later attempt");
    assert_eq!(messages[0].body["source"], "Fjordvik");
    workers.stop().await;
}

/// Someone reached by SMS who is taken off the team after the invitation went out gets a neutral
/// SMS that the invitation no longer applies, without a link, and no reminder after it.
#[tokio::test]
async fn someone_reached_by_sms_taken_off_the_team_hears_so_and_nothing_more() {
    let (sink, gateway) = (SmtpSink::start(), LinkGateway::start());
    let app = spawn(&sink, &gateway).await;
    let (s, council) = invited(&app).await;
    let workers = Workers::start(&app);
    assert_eq!(gateway.wait_for(1, Duration::from_secs(30)).await.len(), 1);
    let view = app.get_json(&s.path(&council, ""), &s.staff.key, 200).await;
    let eva = view["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Farmor Eva")
        .expect("Eva on the team")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let removed = app
        .delete(
            &s.path(&council, &format!("/participants/{eva}")),
            &s.staff.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 200);
    // Found by its words: under load the gateway may answer the invitation late, and it is
    // sent again.
    let withdrawal = "Tillit: Invitasjonen du fikk til et møte, gjelder ikke lenger.";
    let mut found = None;
    for _ in 0..300 {
        found = gateway.messages().into_iter().find(|m| {
            m.body["userData"]
                .as_str()
                .is_some_and(|t| t.starts_with(withdrawal))
        });
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sms = found.expect("the withdrawal by SMS").body;
    assert_eq!(sms["destination"], "+4791234568");
    let text = sms["userData"].as_str().unwrap();
    assert!(!text.contains("http"), "no link: {text}");
    assert!(!reveals_child_welfare(text), "{text}");
    make_due(&app, "meeting_reminder");
    make_due(&app, "answer_chase");
    common::jobs::settled(&app, "meeting_reminder").await;
    common::jobs::settled(&app, "answer_chase").await;
    common::jobs::settled(&app, "meeting_sms").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.stop().await;
    let texts: Vec<String> = gateway
        .messages()
        .iter()
        .filter_map(|m| m.body["userData"].as_str().map(str::to_owned))
        .collect();
    assert!(
        texts
            .iter()
            .all(|t| t.starts_with("Tillit: Du er invitert") || t.starts_with(withdrawal)),
        "no reminder or chase by SMS: {texts:?}"
    );
}
