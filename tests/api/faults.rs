//! Faults under load. PostgreSQL stopped and started again while invitees load their meeting
//! page and post answers and staff load a page and the JSON API: meanwhile every request is a 503
//! (a Norwegian page for a page, problem+json for the API), never a 500; afterwards the server
//! answers again by itself, every answer it acknowledged is in the database, none is
//! half-written, and the job workers that ran through it send again. Redis stopped while the same pages are loaded: they still answer, and the jobs
//! that waited go out when it is back.
//!
//! The PostgreSQL here is a cluster of the test's own (`PostgresServer`), never the machine's
//! shared one; the Redis of the second test is the test's own too.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::councils::*;
use common::jobs::{fast_jobs, fast_jobs_on};
use common::services::{PostgresServer, RedisServer, SmtpSink};
use common::{TestApp, TestDb, form_token};
use diesel::prelude::*;
use serde_json::json;
use tillit::access::account_links::{self, Purpose};
use tillit::db::schema::users;
use tillit::db::{TenantId, in_tenant};
use tokio::sync::Mutex;
use uuid::Uuid;

/// What a client got for one request.
#[derive(Debug, Clone)]
struct Sample {
    what: &'static str,
    sent: Instant,
    done: Instant,
    /// The HTTP status, or `None` when no answer came (the connection failed).
    status: Option<u16>,
    content_type: String,
    location: String,
    request_id: Option<String>,
    body: String,
}

impl Sample {
    fn ok(&self) -> bool {
        matches!(self.status, Some(200 | 303))
    }

    /// What to show of it when an assertion fails: the request, the status and the start of
    /// what the page or problem said.
    fn brief(&self) -> String {
        let said = if self.content_type.starts_with("text/html") {
            common::main_of(&self.body)
        } else {
            self.body.clone()
        };
        let said: String = said.split_whitespace().collect::<Vec<_>>().join(" ");
        format!(
            "{} → {:?} {} (request {:?}): {}",
            self.what,
            self.status,
            self.content_type,
            self.request_id,
            said.chars().take(300).collect::<String>()
        )
    }
}

/// The brief of each of `samples`, one a line.
fn briefs<'a>(samples: impl IntoIterator<Item = &'a Sample>) -> String {
    samples
        .into_iter()
        .map(Sample::brief)
        .collect::<Vec<_>>()
        .join("\n")
}

async fn sample(what: &'static str, request: reqwest::RequestBuilder) -> Sample {
    let sent = Instant::now();
    let res = request.timeout(Duration::from_secs(15)).send().await;
    let Ok(res) = res else {
        return Sample {
            what,
            sent,
            done: Instant::now(),
            status: None,
            content_type: String::new(),
            location: String::new(),
            request_id: None,
            body: format!("{}", res.unwrap_err()),
        };
    };
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, location, request_id) = (
        header("content-type").unwrap_or_default(),
        header("location").unwrap_or_default(),
        header("x-request-id"),
    );
    let status = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    Sample {
        what,
        sent,
        done: Instant::now(),
        status: Some(status),
        content_type,
        location,
        request_id,
        body,
    }
}

/// An invitee's answer posted to their page at `path` with the form token `csrf` of `cookie`.
async fn post_answer(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> Sample {
    sample(
        "invitee answer",
        app.client
            .post(app.url(path))
            .header("accept", "text/html")
            .header("cookie", cookie)
            .form(form),
    )
    .await
}

/// One answer an invitee posted: what it said, and what came back.
#[derive(Debug, Clone)]
struct Attempt {
    participant: Uuid,
    response: &'static str,
    contribution: String,
    answer: Sample,
}

/// Invites `n` staff members of `tenant` in one transaction: each a user row and an invitation
/// link, whose email is a job.
fn invite_staff(app: &TestApp, tenant: TenantId, n: usize) {
    let settings = app.state.settings.clone();
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        for i in 0..n {
            let id = Uuid::now_v7();
            diesel::insert_into(users::table)
                .values((
                    users::tenant_id.eq(tenant.0),
                    users::id.eq(id),
                    users::email.eq(format!("ny{i}@fjordvik.example")),
                    users::role.eq("caseworker"),
                ))
                .execute(c)?;
            account_links::issue(c, &settings, tenant, id, Purpose::Invitation)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .expect("staff invited");
}

#[derive(QueryableByName, Debug)]
struct AuditRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    action: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    actor_id: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    request_id: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    response: Option<String>,
}

#[derive(QueryableByName, Debug)]
struct AnswerRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    participant_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    response: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    contribution: Option<String>,
}

/// PostgreSQL goes down for four seconds and comes back while three invitees load their page
/// and change their answer over and over, and the coordinator loads the case list and the case
/// through the API. While it is down each request is a 503 in the form its caller reads; no
/// request is ever a 500 or goes unanswered; a few seconds after it is back everything answers
/// again, with no restart; and what the database holds afterwards is exactly what was committed:
/// every acknowledged answer has its audit row, the saved answer is the last one committed, and
/// every page shown was audited as a view.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_under_load_answers_503_meanwhile_recovers_and_loses_no_answer() {
    let began = Instant::now();
    let pg = Arc::new(PostgresServer::start());
    let db = TestDb::on(&pg.admin_url());
    let sink = SmtpSink::start();
    let mut settings = fast_jobs(&sink);
    settings.extend([
        // A request waits at most a second for a connection, so a four-second outage is seen as
        // one (the default, 5 s, rides out a quick restart instead).
        ("database.connection_timeout_secs", json!(1)),
        ("database.pool_size", json!(6)),
        ("rate_limits.invitee_per_address", json!(100_000)),
    ]);
    let app = Arc::new(TestApp::spawn_on(db, &settings).await);
    let (setup, _, meeting) = invited(&app, "fjordvik", true).await;
    let invitees = invitation_links(&app, setup.tenant, &meeting);
    assert_eq!(invitees.len(), 3, "three invitations");
    let who = app.sign_in(&setup.staff).await;
    // The job dispatcher and workers run through the outage too; the invitations (and the
    // admin's setup email) go out before it.
    let workers = Workers::start(&app);
    let before = sink.wait_for(4, Duration::from_secs(20)).await.len();
    assert_eq!(before, 4, "the setup email and three invitations");
    let set_up = began.elapsed();

    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let attempts = Arc::new(Mutex::new(Vec::<Attempt>::new()));
    let mut load = Vec::new();
    for (n, (participant, token)) in invitees.iter().cloned().enumerate() {
        let (app, stop, samples, attempts) =
            (app.clone(), stop.clone(), samples.clone(), attempts.clone());
        load.push(tokio::spawn(async move {
            let (cookie, csrf) = form_token(&app).await;
            let path = format!("/i/{token}");
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let page = sample(
                    "invitee page",
                    app.client
                        .get(app.url(&path))
                        .header("accept", "text/html")
                        .header("cookie", &cookie),
                )
                .await;
                samples.lock().await.push(page);
                i += 1;
                // Each answer differs from the one before, so each is a change to save.
                let response = if i % 2 == 0 { "accept" } else { "decline" };
                let contribution = format!("Forsøk {n}-{i}");
                let answer = post_answer(
                    &app,
                    &path,
                    &cookie,
                    &[
                        ("csrf", csrf.as_str()),
                        ("response", response),
                        ("contribution", &contribution),
                    ],
                )
                .await;
                samples.lock().await.push(answer.clone());
                attempts.lock().await.push(Attempt {
                    participant,
                    response,
                    contribution,
                    answer,
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    {
        let (app, stop, samples) = (app.clone(), stop.clone(), samples.clone());
        let (key, case, cookie) = (setup.staff.key.clone(), setup.case.clone(), who.cookie);
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let api = sample(
                    "case (API)",
                    app.get(&format!("/api/v1/cases/{case}"), &key),
                )
                .await;
                let page = sample(
                    "case list (page)",
                    app.client
                        .get(app.url("/cases"))
                        .header("accept", "text/html")
                        .header("cookie", &cookie),
                )
                .await;
                samples.lock().await.extend([api, page]);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    // Load with the database up, then stop it for four seconds, then start it again.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stopping = Instant::now();
    let server = pg.clone();
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .unwrap();
    let down = Instant::now();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let starting = Instant::now();
    let server = pg.clone();
    tokio::task::spawn_blocking(move || server.resume())
        .await
        .unwrap();
    let up = Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let samples = samples.lock().await.clone();
    let attempts = attempts.lock().await.clone();

    // The jobs found the database again by themselves: two staff members invited after the
    // outage get their emails, each once, from the workers that lived through it.
    let staff_invited = Instant::now();
    invite_staff(&app, setup.tenant, 2);
    let after = sink
        .wait_for(before + 2, Duration::from_secs(15))
        .await
        .len();
    let jobs_back = staff_invited.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    workers.stop().await;
    assert_eq!(after, before + 2, "each staff invitation once");
    assert_eq!(sink.messages().len(), before + 2, "nothing sent twice");

    // Never a 500, never a request left unanswered: the server stays up throughout.
    let broken: Vec<_> = samples
        .iter()
        .filter(|s| !matches!(s.status, Some(200 | 303 | 503)))
        .collect();
    assert!(broken.is_empty(), "{}", briefs(broken));
    // Every 503 is one the caller reads: a Norwegian page for the pages, problem+json for the
    // API.
    let unavailable: Vec<_> = samples.iter().filter(|s| s.status == Some(503)).collect();
    for s in &unavailable {
        if s.what.contains("API") {
            assert_eq!(s.content_type, "application/problem+json", "{}", s.brief());
            let problem: serde_json::Value = serde_json::from_str(&s.body).unwrap();
            assert_eq!(
                problem["type"],
                "urn:tillit:problem:unavailable",
                "{}",
                s.brief()
            );
        } else {
            assert!(s.content_type.starts_with("text/html"), "{}", s.brief());
            assert!(
                s.body.contains("Tillit er midlertidig utilgjengelig")
                    && s.body.contains("Prøv igjen om litt"),
                "{}",
                s.brief()
            );
        }
    }
    // While it was down (sent after the stop returned, answered before the start began) every
    // request was a 503: none was answered from a stale cache or a dead connection.
    let while_down: Vec<_> = samples
        .iter()
        .filter(|s| s.sent >= down && s.done <= starting)
        .collect();
    for what in [
        "invitee page",
        "invitee answer",
        "case (API)",
        "case list (page)",
    ] {
        assert!(
            while_down.iter().any(|s| s.what == what),
            "{what} was asked for while the database was down"
        );
    }
    assert!(
        while_down.iter().all(|s| s.status == Some(503)),
        "{}",
        briefs(while_down.iter().copied().filter(|s| s.status != Some(503)))
    );
    // Back by itself: the last failure was sent within three seconds of the database being up,
    // and everything after it succeeded.
    let last_failure = samples
        .iter()
        .filter(|s| !s.ok())
        .map(|s| s.sent)
        .max()
        .expect("some requests failed");
    let recovered = last_failure.saturating_duration_since(up);
    let first_success = samples
        .iter()
        .filter(|s| s.ok() && s.sent >= starting)
        .map(|s| s.done)
        .min()
        .expect("successes after the start")
        .saturating_duration_since(up);
    assert!(
        recovered < Duration::from_secs(3),
        "requests still failed {recovered:?} after the database was back"
    );
    for what in [
        "invitee page",
        "invitee answer",
        "case (API)",
        "case list (page)",
    ] {
        assert!(
            samples
                .iter()
                .any(|s| s.what == what && s.sent > last_failure && s.ok()),
            "{what} answers again"
        );
    }

    // The views read before the outage are in the audit's queue until the writer got through.
    assert!(
        app.views.flush(Duration::from_secs(10)).await,
        "the queued views are written once PostgreSQL is back"
    );
    // What the database holds: read past row-level security, as the superuser.
    let audit: Vec<AuditRow> = diesel::sql_query(
        "SELECT action, actor_id, request_id, details->>'response' AS response FROM audit_log
          WHERE action IN ('invitation.answer', 'invitation.view') ORDER BY at, id",
    )
    .load(&mut app.db.admin_conn())
    .unwrap();
    let answers: Vec<AnswerRow> = diesel::sql_query(
        "SELECT participant_id, response, contribution FROM council_answers WHERE meeting_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(meeting.parse::<Uuid>().unwrap())
    .load(&mut app.db.admin_conn())
    .unwrap();
    let committed = |request: &Option<String>| -> Vec<&AuditRow> {
        audit
            .iter()
            .filter(|a| {
                a.action == "invitation.answer" && request.is_some() && a.request_id == *request
            })
            .collect()
    };
    // Every acknowledged answer (303, saved) has its one audit row, saying what was sent.
    let acknowledged: Vec<_> = attempts
        .iter()
        .filter(|a| a.answer.status == Some(303))
        .collect();
    for attempt in &acknowledged {
        assert!(attempt.answer.location.ends_with("?saved=1"), "{attempt:?}");
        let rows = committed(&attempt.answer.request_id);
        assert_eq!(rows.len(), 1, "{attempt:?}");
        assert_eq!(rows[0].response.as_deref(), Some(attempt.response));
        assert_eq!(
            rows[0].actor_id.as_deref(),
            Some(attempt.participant.to_string().as_str())
        );
    }
    // An answer refused with a 503 may still have been committed only when the connection was
    // lost at the commit itself: counted, for the report.
    let failed: Vec<_> = attempts.iter().filter(|a| !a.answer.ok()).collect();
    let failed_but_kept = failed
        .iter()
        .filter(|a| !committed(&a.answer.request_id).is_empty())
        .count();
    // Each invitee's saved answer is the last one committed, with its audit row: no answer row
    // without its audit row, and no audit row whose answer was not kept.
    for (participant, _) in &invitees {
        let row = answers
            .iter()
            .find(|a| a.participant_id == *participant)
            .expect("an answer");
        let theirs: Vec<&Attempt> = attempts
            .iter()
            .filter(|a| a.participant == *participant)
            .collect();
        let kept: Vec<&&Attempt> = theirs
            .iter()
            .filter(|a| !committed(&a.answer.request_id).is_empty())
            .collect();
        let last = kept.last().expect("answers were committed");
        assert_eq!(
            (row.response.as_str(), row.contribution.as_deref()),
            (last.response, Some(last.contribution.as_str())),
            "the saved answer is the last one committed"
        );
        let audited = audit
            .iter()
            .filter(|a| {
                a.action == "invitation.answer"
                    && a.actor_id.as_deref() == Some(participant.to_string().as_str())
            })
            .count();
        assert_eq!(
            audited,
            kept.len(),
            "one audit row for each answer committed"
        );
        // The last acknowledged answer was not lost to a later one that failed.
        let last_acknowledged = theirs
            .iter()
            .rposition(|a| a.answer.status == Some(303))
            .expect("answers were acknowledged");
        let last_kept = theirs
            .iter()
            .rposition(|a| !committed(&a.answer.request_id).is_empty())
            .unwrap();
        assert!(last_kept >= last_acknowledged);
    }
    // Every page shown was audited as a view; a page that failed was not.
    for page in samples.iter().filter(|s| s.what == "invitee page") {
        let viewed = audit
            .iter()
            .any(|a| a.action == "invitation.view" && a.request_id == page.request_id);
        assert_eq!(viewed, page.ok(), "{}", page.brief());
    }

    let count = |what: &str, ok: bool| {
        samples
            .iter()
            .filter(|s| s.what == what && s.ok() == ok)
            .count()
    };
    eprintln!(
        "postgres restart under load: set up in {set_up:.1?}; stop took {:.1?}, start {:.1?}; \
         {} requests ({} answered 503, {} of them while down); pages {}/{} and answers {}/{} \
         succeeded; {} answers acknowledged, {} refused, {failed_but_kept} of those kept; \
         the first success {first_success:.1?} and the last failure sent {recovered:.1?} after \
         the database was back; the staff invitations sent {jobs_back:.1?} after they were made; \
         whole test {:.1?}",
        down - stopping,
        up - starting,
        samples.len(),
        unavailable.len(),
        while_down.len(),
        count("invitee page", true),
        count("invitee page", true) + count("invitee page", false),
        count("invitee answer", true),
        count("invitee answer", true) + count("invitee answer", false),
        acknowledged.len(),
        failed.len(),
        began.elapsed(),
    );
}

/// Redis goes away while an invitee loads their page and answers and the coordinator works:
/// the invitee's page, the staff's case list, the API and sending the invitations still answer
/// (readiness says Redis is unreachable); when it is back the invitations that waited go out,
/// each once, by themselves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_pages_still_answer_and_the_jobs_go_out_when_it_is_back() {
    let began = Instant::now();
    let sink = SmtpSink::start();
    let mut redis = RedisServer::start();
    let mut settings = fast_jobs_on(&sink, &redis.url());
    settings.push(("rate_limits.invitee_per_address", json!(100_000)));
    let app = TestApp::spawn_with(&settings).await;
    let (setup, council, meeting) = invited(&app, "fjordvik", false).await;
    let who = app.sign_in(&setup.staff).await;
    let workers = Workers::start(&app);

    redis.stop();
    let stopped = Instant::now();
    // The invitations are sent while Redis is away: their jobs wait in PostgreSQL.
    setup.invite(&app, &council, &meeting).await;
    let invitees = invitation_links(&app, setup.tenant, &meeting);
    let (cookie, csrf) = form_token(&app).await;
    // Three seconds of invitees and staff at work, Redis away throughout.
    let mut round = 0;
    while stopped.elapsed() < Duration::from_secs(3) {
        round += 1;
        for (_, token) in &invitees {
            let path = format!("/i/{token}");
            let page = sample(
                "invitee page",
                app.client
                    .get(app.url(&path))
                    .header("accept", "text/html")
                    .header("cookie", &cookie),
            )
            .await;
            assert_eq!(page.status, Some(200), "{}", page.brief());
            let response = if round % 2 == 0 { "accept" } else { "decline" };
            let answer = post_answer(
                &app,
                &path,
                &cookie,
                &[("csrf", csrf.as_str()), ("response", response)],
            )
            .await;
            assert_eq!(answer.status, Some(303), "{}", answer.brief());
            assert!(answer.location.ends_with("?saved=1"), "{}", answer.brief());
        }
        let list = sample(
            "case list",
            app.client
                .get(app.url("/cases"))
                .header("accept", "text/html")
                .header("cookie", &who.cookie),
        )
        .await;
        assert_eq!(list.status, Some(200), "{}", list.brief());
        assert!(
            list.body.contains(CHILD_FIRST),
            "the case list lists the case"
        );
        app.get_json(
            &format!("/api/v1/cases/{}", setup.case),
            &setup.staff.key,
            200,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["redis"], "unreachable");
    assert_eq!(ready["postgres"], "ok");
    assert!(
        sink.messages_but_setup().is_empty(),
        "nothing goes out while Redis is away"
    );
    let away = stopped.elapsed();

    redis.resume();
    let resumed = Instant::now();
    let mut ready_after = None;
    while resumed.elapsed() < Duration::from_secs(10) {
        let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
        if ready.status() == 200 {
            ready_after = Some(resumed.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready_after = ready_after.expect("ready again within 10 s of Redis being back");
    let expected = invitees.len();
    let mut sent = Vec::new();
    while resumed.elapsed() < Duration::from_secs(15) && sent.len() < expected {
        sent = sink.messages_but_setup();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent_after = resumed.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    workers.stop().await;
    let sent = sink.messages_but_setup();
    assert_eq!(sent.len(), expected, "each invitation goes out once");
    eprintln!(
        "redis down: pages answered throughout {away:.1?} away ({round} rounds); ready {ready_after:.1?} and \
         the {expected} invitations sent {sent_after:.1?} after Redis was back; whole test {:.1?}",
        began.elapsed()
    );
}

/// The pool does not ping a connection before handing it out. One that PostgreSQL closed while
/// it sat idle (here: every server connection terminated at once, as a restart or a failover
/// leaves them) is found out at its `BEGIN`, dropped and replaced before anything of the request
/// was sent, so the next requests all succeed: none is a 503 or a 500, and the answer posted is
/// kept.
#[tokio::test]
async fn connections_postgres_closed_while_idle_are_replaced_without_a_failed_request() {
    let app = TestApp::spawn_with(&[
        ("database.pool_size", json!(6)),
        ("rate_limits.invitee_per_address", json!(100_000)),
    ])
    .await;
    let (setup, _, meeting) = invited(&app, "fjordvik", true).await;
    let invitees = invitation_links(&app, setup.tenant, &meeting);
    let (participant, token) = invitees[0].clone();
    let path = format!("/i/{token}");
    let (cookie, csrf) = form_token(&app).await;
    let load = |n: usize| {
        let requests = (0..n).map(|_| {
            sample(
                "invitee page",
                app.client.get(app.url(&path)).header("accept", "text/html"),
            )
        });
        futures::future::join_all(requests)
    };
    // Several pages at once, so that the pool holds several connections, idle after.
    for page in load(6).await {
        assert_eq!(page.status, Some(200), "{}", page.brief());
    }

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let server_connections = |sql: &str| {
        diesel::sql_query(sql.replace("{db}", &app.db.name))
            .get_result::<Count>(&mut app.db.admin_conn())
            .expect("server connections")
            .n
    };
    let terminated = server_connections(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
          WHERE datname = '{db}' AND usename = 'tillit_app'",
    );
    assert!(terminated >= 2, "the pool held {terminated} connections");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server_connections(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{db}' AND usename = 'tillit_app'",
    ) > 0
    {
        assert!(Instant::now() < deadline, "the connections end");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Every connection the pool holds is stale now; pages, an answer and the JSON API go on.
    for page in load(6).await {
        assert_eq!(page.status, Some(200), "{}", page.brief());
    }
    let answer = post_answer(
        &app,
        &path,
        &cookie,
        &[("csrf", csrf.as_str()), ("response", "accept")],
    )
    .await;
    assert_eq!(answer.status, Some(303), "{}", answer.brief());
    app.get_json(
        &format!("/api/v1/cases/{}", setup.case),
        &setup.staff.key,
        200,
    )
    .await;
    let kept: Vec<String> = tillit::db::schema::council_answers::table
        .filter(tillit::db::schema::council_answers::participant_id.eq(participant))
        .select(tillit::db::schema::council_answers::response)
        .load(&mut app.db.admin_conn())
        .expect("answers");
    assert_eq!(kept, vec!["accept".to_owned()], "the answer is kept");
}
