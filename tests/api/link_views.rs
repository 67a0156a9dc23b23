//! The audit of what link holders read, written just after the page rather than inside its
//! transaction (`audit::views`): every view is still in the log, with the request that showed it
//! and the moment it was read, and a server that is told to stop writes the views it still holds
//! before it exits.

use crate::common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::TestApp;
use common::councils::{invitation_links, invited};
use common::process::Replica;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz};

#[derive(QueryableByName, Debug)]
struct View {
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Nullable<Text>)]
    actor_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    request_id: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
}

/// The invitees' views in the log, read past row-level security as the superuser.
fn views(app: &TestApp) -> Vec<View> {
    diesel::sql_query(
        "SELECT action, actor_id, request_id, at FROM audit_log
          WHERE actor_kind = 'invitee' ORDER BY at, id",
    )
    .load(&mut app.db.admin_conn())
    .unwrap()
}

fn request_id(res: &reqwest::Response) -> String {
    res.headers()["x-request-id"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_link_holders_view_is_audited_with_its_request_and_the_moment_it_was_read() {
    let app = TestApp::spawn().await;
    let (setup, _, meeting) = invited(&app, "viewlog", true).await;
    let (participant, token) = invitation_links(&app, setup.tenant, &meeting)
        .into_iter()
        .next()
        .unwrap();
    let before = Utc::now();
    let page = app
        .client
        .get(app.url(&format!("/i/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    // Read a while before the calendar file, so the two moments can be told apart.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let between = Utc::now();
    let calendar = app
        .client
        .get(app.url(&format!("/i/{token}/calendar.ics")))
        .send()
        .await
        .unwrap();
    assert_eq!(calendar.status(), 200);
    let after = Utc::now();
    // A link that leads nowhere shows the neutral page and audits nothing.
    let unknown = app
        .client
        .get(app.url("/i/tli_nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert!(app.views.flush(Duration::from_secs(10)).await);

    let seen = views(&app);
    assert_eq!(seen.len(), 2, "{seen:?}");
    let participant = participant.to_string();
    for (view, action, res, (from, to)) in [
        (&seen[0], "invitation.view", &page, (before, between)),
        (&seen[1], "invitation.calendar", &calendar, (between, after)),
    ] {
        assert_eq!(view.action, action);
        assert_eq!(view.actor_id.as_deref(), Some(participant.as_str()));
        assert_eq!(view.request_id.as_deref(), Some(request_id(res).as_str()));
        assert!(
            from <= view.at && view.at <= to,
            "read at {} — between {from} and {to}, not when written",
            view.at
        );
    }
}

#[tokio::test]
async fn a_server_told_to_stop_writes_the_views_it_still_holds_before_it_exits() {
    let app = TestApp::spawn().await;
    let (setup, _, meeting) = invited(&app, "viewstop", true).await;
    let (_, token) = invitation_links(&app, setup.tenant, &meeting)
        .into_iter()
        .next()
        .unwrap();
    let server = Replica::start(&app, &common::redis_url(), &[]).await;
    let base = server.base.clone();
    let client = reqwest::Client::new();

    // The log is locked against inserts, as by a long-running statement: the writer waits.
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let mut conn = app.db.admin_conn();
    let lock = std::thread::spawn(move || {
        conn.transaction(|c| {
            diesel::sql_query("LOCK TABLE audit_log IN SHARE MODE").execute(c)?;
            locked_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    });
    locked_rx.recv().unwrap();

    // The pages answer meanwhile: they do not wait for their audit rows.
    const PAGES: usize = 20;
    for _ in 0..PAGES {
        let page = tokio::time::timeout(
            Duration::from_secs(5),
            client.get(format!("{base}/i/{token}")).send(),
        )
        .await
        .expect("the page answers while its audit row waits")
        .unwrap();
        assert_eq!(page.status(), 200);
    }
    assert!(
        views(&app).is_empty(),
        "nothing written while the log is locked"
    );

    // Told to stop, the server stays until the views are written; released, it writes and exits.
    let stopping = std::thread::spawn(move || server.stop());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!stopping.is_finished(), "the server waits for its views");
    release_tx.send(()).unwrap();
    lock.join().unwrap();
    let status = tokio::task::spawn_blocking(move || stopping.join().unwrap())
        .await
        .unwrap();
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert_eq!(views(&app).len(), PAGES);
}
