//! The start page across a staff member's cases: an upcoming meeting with its answers, the
//! people who have not answered after the last chase, a commitment past its date, the evaluation falling due and the map's prompts, each linking to
//! where to act; only the caller's own cases, and never for a leader.

use crate::common;

use chrono::{Datelike, Days, Months};
use common::TestApp;
use common::councils::{CHILD_FIRST, Setup, local, setup, today};
use serde_json::json;

/// A coordinator's case in "fjordvik" with a family group conference held and its plan approved,
/// its one commitment three days past its date and its evaluation in 20 days. Returns the
/// fixture and the held council.
pub async fn with_overdue_commitment(app: &TestApp) -> (Setup, String) {
    let birth = today().checked_sub_months(Months::new(5 * 12 + 2)).unwrap();
    let s = setup(
        app,
        "fjordvik",
        json!({"birth_year": birth.year(), "birth_date": birth.to_string()}),
    )
    .await;
    let caseworker = app.staff("fjordvik", "caseworker").await;
    s.assign(app, &caseworker).await;

    // A family group conference held, its plan approved with a commitment now past its date.
    let (held, team) = s.ready_council(app, "family_group_conference").await;
    let (_, meeting) = s
        .schedule(
            app,
            &held,
            json!({"starts_at": local(5, 18), "place": "Biblioteket"}),
        )
        .await;
    s.invite(app, &held, &meeting).await;
    s.post_expect(app, &held, "/state", json!({"to": "meeting"}), 200)
        .await;
    app.db.meeting_began(&meeting);
    s.post_expect(app, &held, "/state", json!({"to": "plan_review"}), 200)
        .await;
    s.draft_plan(
        app,
        &held,
        ("Trygg hverdag", "family"),
        &team[0],
        "Henter på skolen hver fredag",
        14,
    )
    .await;
    s.submit_plan(app, &held).await;
    s.approve_plan_as(app, &caseworker.key, &held).await;
    let past = today().checked_sub_days(Days::new(3)).unwrap();
    let soon = today().checked_add_days(Days::new(20)).unwrap();
    for sql in [
        format!("UPDATE plan_commitments SET due_on = '{past}'"),
        format!(
            "UPDATE plans SET evaluation_on = '{soon}', evaluation_way = 'caseworker_review', evaluation_defined_at = now()"
        ),
    ] {
        app.db.as_admin(&sql);
    }

    (s, held)
}

#[tokio::test]
async fn the_start_page_shows_todays_work_across_the_callers_cases() {
    let app = TestApp::spawn().await;
    let (s, held) = with_overdue_commitment(&app).await;
    let past = today().checked_sub_days(Days::new(3)).unwrap();
    // A second council with its meeting in five days and the invitations out.
    let (next, _) = s.ready_council(&app, "network_meeting_series").await;
    let (_, upcoming) = s
        .schedule(
            &app,
            &next,
            json!({"starts_at": local(5, 10), "place": "Kontoret"}),
        )
        .await;
    s.invite(&app, &next, &upcoming).await;

    let overview = app.get_json("/api/v1/overview", &s.staff.key, 200).await;
    assert_eq!(
        overview["unanswered"],
        json!([]),
        "just invited: the chases are still to come"
    );
    // Weeks later, past every chase: one person answered, two did not.
    app.db.as_admin(&format!(
        "UPDATE council_invitations SET created_at = now() - interval '60 days' \
         WHERE meeting_id = '{upcoming}'"
    ));
    app.db.as_admin(&format!(
        "INSERT INTO council_answers (tenant_id, meeting_id, participant_id, council_id, response) \
         SELECT tenant_id, meeting_id, participant_id, council_id, 'accept' \
         FROM council_invitations WHERE meeting_id = '{upcoming}' \
         ORDER BY participant_id LIMIT 1"
    ));
    let overview = app.get_json("/api/v1/overview", &s.staff.key, 200).await;
    let unanswered = overview["unanswered"].as_array().unwrap().clone();
    assert_eq!(unanswered.len(), 2, "{overview}");
    assert!(
        unanswered.iter().all(
            |u| u["meeting_id"] == upcoming.as_str() && !u["name"].as_str().unwrap().is_empty()
        ),
        "{unanswered:?}"
    );
    let to_call = unanswered[0]["participant_id"].as_str().unwrap().to_owned();
    let other = unanswered[1]["participant_id"].as_str().unwrap().to_owned();
    let meetings = overview["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 1, "{overview}");
    assert_eq!(meetings[0]["meeting_id"], upcoming.as_str());
    assert_eq!(meetings[0]["invited"], 3);
    assert_eq!(meetings[0]["accepted"], 1);
    let overdue = overview["overdue_commitments"].as_array().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["text"], "Henter på skolen hver fredag");
    assert_eq!(overdue[0]["due_on"], past.to_string());
    assert_eq!(overview["evaluations"].as_array().unwrap().len(), 1);
    // Three persons on the map, nobody who can step in, no revision yet.
    let codes: Vec<&str> = overview["prompts"][0]["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"no_map") && codes.contains(&"no_acute"),
        "{codes:?}"
    );

    // The page links each line to where to act.
    let who = app.sign_in(&s.staff).await;
    let res = app.page("/overview", &who).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!(
        "/cases/{}/councils/{held}/plan#commitments",
        s.case
    )));
    assert!(page.contains(&format!("/cases/{}/councils/{next}\"", s.case)));
    assert!(page.contains(CHILD_FIRST));
    assert!(page.contains("3 invitert: 1 kommer"));
    assert!(
        page.contains(&format!(
            "/cases/{}/councils/{next}/tasks/invitations#answer-response-{to_call}",
            s.case
        )),
        "to the form that records their answer"
    );
    assert!(page.contains("Ikke svart etter siste purring"));

    // Each is named as the team names them. A link sent again starts the chases over, and
    // someone taken off the team is not called.
    let view = s
        .post_expect(
            &app,
            &next,
            &format!("/participants/{to_call}/invitation"),
            json!({}),
            200,
        )
        .await;
    for u in &unanswered {
        let member = view["participants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == u["participant_id"])
            .unwrap();
        assert_eq!(u["name"], member["name"], "{u}");
    }
    let overview = app.get_json("/api/v1/overview", &s.staff.key, 200).await;
    let left: Vec<&str> = overview["unanswered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["participant_id"].as_str().unwrap())
        .collect();
    assert_eq!(left, [other.as_str()], "{overview}");
    let res = app
        .client
        .delete(app.url(&format!(
            "/api/v1/cases/{}/councils/{next}/participants/{other}",
            s.case
        )))
        .bearer_auth(&s.staff.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let overview = app.get_json("/api/v1/overview", &s.staff.key, 200).await;
    assert_eq!(overview["unanswered"], json!([]), "{overview}");

    // Someone else's start page shows none of it; a leader has none.
    let other = app.staff("fjordvik", "coordinator").await;
    let theirs = app.get_json("/api/v1/overview", &other.key, 200).await;
    assert_eq!(theirs["meetings"], json!([]));
    assert_eq!(theirs["unanswered"], json!([]));
    assert_eq!(theirs["prompts"], json!([]));
    let leader = app.staff("fjordvik", "leader").await;
    let res = app
        .get("/api/v1/overview", &leader.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_start_page_lists_each_open_council_with_its_next_step_and_what_blocks_it() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "fjordvik", json!({"birth_year": 2016})).await;
    // On the first case: a family group conference just started, and network meetings with
    // their first meeting invited to.
    let fresh = s.council(&app, "family_group_conference").await;
    let (invited, _) = s.ready_council(&app, "network_meeting_series").await;
    let (_, meeting) = s
        .schedule(
            &app,
            &invited,
            json!({"starts_at": local(5, 10), "place": "Kontoret"}),
        )
        .await;
    s.invite(&app, &invited, &meeting).await;
    for to in ["consented", "preparing"] {
        s.post_expect(&app, &invited, "/state", json!({ "to": to }), 200)
            .await;
    }
    // On a second case: a responsibility group with nobody on it yet, and a council that ended.
    let other_case = app
        .post_json(
            "/api/v1/cases",
            &s.staff.key,
            json!({"child": {"first_name": "Oline", "last_name": "Andersen", "birth_year": 2014}}),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let council_on = |kind: &'static str| {
        let (app, key, case) = (&app, s.staff.key.clone(), other_case.clone());
        async move {
            app.post_json(
                &format!("/api/v1/cases/{case}/councils"),
                &key,
                json!({"kind": kind}),
                201,
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let group = council_on("responsibility_group").await;
    let ended = council_on("network_meeting_series").await;
    app.post_json(
        &format!("/api/v1/cases/{other_case}/councils/{ended}/state"),
        &s.staff.key,
        json!({"to": "ended"}),
        200,
    )
    .await;

    let overview = app.get_json("/api/v1/overview", &s.staff.key, 200).await;
    let councils = overview["councils"].as_array().unwrap();
    assert_eq!(
        councils.len(),
        3,
        "the ended council waits on nothing: {overview}"
    );
    let of = |id: &str| {
        councils
            .iter()
            .find(|c| c["council_id"] == id)
            .unwrap_or_else(|| panic!("{id}: {overview}"))
    };
    assert_eq!(of(&fresh)["task"], "description");
    assert_eq!(
        of(&fresh)["blockers"],
        json!([]),
        "the child's words come first"
    );
    assert_eq!(of(&invited)["task"], json!(null), "the tasks are done");
    assert_eq!(of(&invited)["next_state"], "held");
    assert_eq!(of(&invited)["blockers"], json!(["meeting_not_held"]));
    assert_eq!(of(&group)["case_id"], other_case.as_str());
    assert_eq!(of(&group)["task"], "team");
    // The same task list the council page shows: the first task not done.
    for (case, id) in [(&s.case, &fresh), (&other_case, &group)] {
        let view = app
            .get_json(
                &format!("/api/v1/cases/{case}/councils/{id}"),
                &s.staff.key,
                200,
            )
            .await;
        let first_open = view["standing"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|step| step["done"] == false)
            .unwrap()["code"]
            .clone();
        assert_eq!(of(id)["task"], first_open);
    }

    let who = app.sign_in(&s.staff).await;
    let page = app.page_text("/overview", &who).await;
    assert!(page.contains("Råd og møter som venter på et steg"));
    assert!(page.contains(&format!(
        "href=\"/cases/{}/councils/{fresh}/tasks/description\"",
        s.case
    )));
    assert!(page.contains(&format!(
        "href=\"/cases/{other_case}/councils/{group}/tasks/team\""
    )));
    assert!(page.contains(&format!("href=\"/cases/{}/councils/{invited}\"", s.case)));
    assert!(page.contains("Møtet har ikke vært ennå."), "what blocks it");
    assert!(page.contains("Ansvarsgruppe, Oline Andersen – neste steg: Teamet barnet velger"));
    assert!(!page.contains(&format!("/councils/{ended}")));

    // A colleague not on the cases sees none of them.
    let other = app.staff("fjordvik", "coordinator").await;
    let theirs = app.get_json("/api/v1/overview", &other.key, 200).await;
    assert_eq!(theirs["councils"], json!([]));
}
