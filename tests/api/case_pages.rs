//! The coordinator's case pages over HTTP, as a signed-in browser uses them: opening a case, the
//! case page with its prompts, the eco-map inline and the table, the person form with the child's
//! words and its reasons when a field is wrong, the revision history, the printable acute list
//! and map, correcting the child's details, assigning staff, costly measures with the network
//! check before them, and the same assignment rule and audit trail as the JSON API.

use crate::common;

use common::{SignedIn, Staff, TestApp, answer};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;
use tillit::db::schema::{
    audit_log, costly_measures, jobs, network_checks, network_persons, users,
};
use tillit::db::{TenantId, in_tenant};

async fn page(app: &TestApp, who: &SignedIn, path: &str) -> String {
    let (status, body) = app.page_answer(path, who).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// A service "alpha" and a staff member of `role` signed in, who has opened a case through the
/// form; returns them, their session and the case's path.
async fn signed_in_case(app: &TestApp, role: &str) -> (Staff, SignedIn, String) {
    app.create_tenant("alpha", &["4624"]).await;
    let staff = app.staff("alpha", role).await;
    let me = app.sign_in(&staff).await;
    let case = open_case(app, &me).await;
    (staff, me, case)
}

/// Opens a case through the form on "my cases"; returns its path.
pub(crate) async fn open_case(app: &TestApp, who: &SignedIn) -> String {
    let location = app
        .submit(
            "/cases",
            who,
            &[
                ("first_name", "Emma"),
                ("last_name", "Nordmann"),
                ("birth_date", "2016-04-01"),
                ("gender", "girl"),
                ("language", "norsk"),
                ("phase", "investigation"),
            ],
        )
        .await;
    assert!(location.starts_with("/cases/"), "{location}");
    location
}

fn person<'a>(name: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let fields = vec![
        ("name", name),
        ("category", "near_family"),
        ("lineage", "maternal"),
        ("closeness", "close"),
        ("quality", "supportive"),
        ("words_author", "child"),
    ];
    replaced(fields, extra)
}

async fn add_person(app: &TestApp, who: &SignedIn, case: &str, fields: &[(&str, &str)]) {
    let location = app.submit(&format!("{case}/persons"), who, fields).await;
    assert_eq!(location, format!("{case}?done=person#persons"));
}

#[tokio::test]
async fn a_coordinator_maps_the_network_and_sees_the_picture_the_table_and_the_prompts() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    let staff = app.staff("alpha", "coordinator").await;
    let me = app.sign_in(&staff).await;

    let empty = page(&app, &me, "/cases").await;
    assert!(
        empty.contains("Du er ikke satt opp som ansvarlig"),
        "{empty}"
    );
    let case = open_case(&app, &me).await;
    let list = page(&app, &me, "/cases").await;
    assert!(list.contains(&format!("<a href=\"{case}\">Emma Nordmann</a>")));

    let fresh = page(&app, &me, &case).await;
    assert!(fresh.contains("Barnet har ikke noe nettverkskart ennå"));
    assert!(fresh.contains("<svg"), "the picture is inline");
    assert!(fresh.contains("Ingen personer er kartlagt ennå"));

    add_person(
        &app,
        &me,
        &case,
        &person(
            "Mormor Kari",
            &[
                ("relation", "mormor"),
                ("phone", "912 34 567"),
                ("can_step_in", "on"),
                ("step_in_how", "Kan hente på skolen"),
                ("words_text", "Mormor lager pannekaker <3"),
            ],
        ),
    )
    .await;
    add_person(
        &app,
        &me,
        &case,
        &person(
            "Lærer Lise",
            &[("category", "school"), ("lineage", "not_applicable")],
        ),
    )
    .await;

    let mapped = page(&app, &me, &format!("{case}?done=person")).await;
    for expected in [
        "Personen er lagret.",
        // The table: the same content as the picture, with the child's words.
        "<caption>Personer i barnets nettverk (2)</caption>",
        "Mormor Kari</a>",
        "Kan hente på skolen",
        "<a href=\"tel:+4791234567\">912 34 567</a>",
        "«Mormor lager pannekaker &#60;3»",
        "Barnet selv",
        // The prompts: the father's side is missing; there is no revision yet.
        "Ingen er kartlagt på fars side. Fars familie blir ofte glemt.",
        "Barnet har ikke noe nettverkskart ennå",
        // The ways out: download, print, acute list, history.
        "/map.svg?download=1",
        "Utskriftsvennlig kart",
        "Akuttliste (for utskrift)",
    ] {
        assert!(
            mapped.contains(expected),
            "the case page lacks {expected:?}"
        );
    }
    assert!(!mapped.contains("<3»"), "the child's words are escaped");
    let inline = &mapped[mapped.find("<svg").unwrap()..mapped.find("</svg>").unwrap() + 6];
    let doc = roxmltree::Document::parse(inline).expect("the inline picture is well-formed");
    let people = doc
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == "person"))
        })
        .count();
    assert_eq!(people, 2);

    // Save a revision, change someone, save again: the history says what changed.
    let location = app
        .submit(
            &format!("{case}/revisions"),
            &me,
            &[
                ("revised_on", "2026-01-15"),
                ("child_participated", "yes"),
                ("participation", "Tegnet kartet med koordinator"),
            ],
        )
        .await;
    // The revision has a page of its own, and the message stands on it.
    assert_eq!(location, format!("{case}/revision?done=revision"));
    let saved = page(&app, &me, &location).await;
    assert!(saved.contains("Revisjonen er lagret."));
    assert!(saved.contains("aria-current=\"page\">Revisjon</a>"));
    let revised = page(&app, &me, &case).await;
    assert!(!revised.contains("Barnet har ikke noe nettverkskart"));
    assert!(revised.contains("Revisjon 1"), "the picture is labelled");

    let edit_link = format!("{case}/persons/");
    let start = revised.find(&format!("href=\"{edit_link}")).unwrap() + 6;
    let lise = revised[start..].split('"').next().unwrap().to_owned();
    let form = page(&app, &me, &lise).await;
    assert!(
        form.contains("value=\"Lærer Lise\""),
        "the form shows the person"
    );
    let (status, _) = app
        .form_answer(
            &lise,
            &me,
            &person(
                "Lærer Lise",
                &[
                    ("category", "school"),
                    ("lineage", "not_applicable"),
                    ("closeness", "medium"),
                ],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let unsaved = page(&app, &me, &case).await;
    assert!(unsaved.contains("Kartet er endret siden revisjon 1"));
    let (status, _) = app
        .form_answer(
            &format!("{case}/revisions"),
            &me,
            &[("child_participated", "no")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let history = page(&app, &me, &format!("{case}/revisions")).await;
    for expected in [
        "Revisjon 2",
        "Revisjon 1 – 15.01.2026",
        "Tegnet kartet med koordinator",
        "Endret:</strong> Lærer Lise",
        "Nærhet: Nær → Middels",
        "map.svg?revision=1",
    ] {
        assert!(history.contains(expected), "the history lacks {expected:?}");
    }

    let acute = page(&app, &me, &format!("{case}/acute")).await;
    assert!(acute.contains("Akuttliste for Emma"));
    assert!(acute.contains("<a href=\"tel:+4791234567\">912 34 567</a>"));
    assert!(!acute.contains("Lærer Lise"), "only those who can step in");
    let printable = page(&app, &me, &format!("{case}/map")).await;
    assert!(printable.contains("<svg") && printable.contains("Mormor Kari"));
    assert!(
        !printable.contains(&format!("href=\"{edit_link}")),
        "no edit links on paper"
    );

    let res = app
        .page(&format!("{case}/map.svg?download=1"), &me)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"nettverkskart-2-")
    );

    // Every page read is in the audit log, by the person, as the API's reads are.
    let reads: Vec<(String, Option<String>)> =
        in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
            audit_log::table
                .filter(audit_log::action.eq("case.read"))
                .select((audit_log::actor_kind, audit_log::actor_id))
                .load(c)
        })
        .unwrap();
    assert!(reads.len() >= 4, "{reads:?}");
    assert!(
        reads
            .iter()
            .all(|(kind, id)| kind == "user" && id.as_deref() == Some(&staff.user_id.to_string()))
    );
}

#[tokio::test]
async fn a_wrong_person_form_comes_back_with_the_reasons_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let (staff, me, case) = signed_in_case(&app, "caseworker").await;
    let (status, body) = app
        .form_answer(
            &format!("{case}/persons"),
            &me,
            &person(
                "Kari",
                &[
                    ("category", "cousin"),
                    ("phone", "12 34"),
                    ("email", "kari@"),
                    ("words_text", "Hun er snill"),
                ],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "Noe må rettes",
        "<a href=\"#category\">Velg et av alternativene.</a>",
        "<a href=\"#phone\">Skriv et norsk telefonnummer med åtte siffer",
        "<a href=\"#email\">Skriv en gyldig e-postadresse",
        "aria-invalid=\"true\"",
        // What was typed is kept.
        "value=\"12 34\"",
        ">Hun er snill</textarea>",
    ] {
        assert!(body.contains(expected), "the form lacks {expected:?}");
    }
    let persons: i64 = in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        tillit::db::schema::network_persons::table
            .count()
            .get_result(c)
    })
    .unwrap();
    assert_eq!(persons, 0);

    let (status, body) = app
        .form_answer(&format!("{case}/revisions"), &me, &[("revised_on", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Svar på om barnet deltok."), "{body}");
}

#[tokio::test]
async fn adding_a_person_with_a_name_already_on_the_map_asks_first_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let (staff, me, case) = signed_in_case(&app, "caseworker").await;
    add_person(&app, &me, &case, &person("Mormor Kari", &[])).await;
    let count = || {
        in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
            network_persons::table.count().get_result::<i64>(c)
        })
        .unwrap()
    };

    // The same name in other letter case and spacing: the page asks, and nothing is written.
    let typed = person(
        "  mormor   KARI ",
        &[("phone", "41234567"), ("words_text", "Hun baker boller")],
    );
    let (status, body) = app
        .form_answer(&format!("{case}/persons"), &me, &typed)
        .await;
    assert_eq!(status, StatusCode::OK);
    let existing: uuid::Uuid = in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        network_persons::table.select(network_persons::id).first(c)
    })
    .unwrap();
    for expected in [
        "Personen kan allerede stå på kartet",
        &format!("<a href=\"{case}/persons/{existing}\">Mormor Kari</a>"),
        "name=\"confirm_duplicate\"",
        "Legg til likevel",
        // What was typed is kept.
        "value=\"41234567\"",
        ">Hun baker boller</textarea>",
    ] {
        assert!(body.contains(expected), "the warning lacks {expected:?}");
    }
    assert!(!body.contains("already"), "English on a Norwegian page");
    assert_eq!(
        count(),
        1,
        "nothing is written before the coordinator confirms"
    );

    // "Legg til likevel": the second person is added.
    let mut confirmed = typed.clone();
    confirmed.push(("confirm_duplicate", "1"));
    add_person(&app, &me, &case, &confirmed).await;
    assert_eq!(count(), 2);

    // Another name goes straight in.
    add_person(&app, &me, &case, &person("Morfar Per", &[])).await;
    assert_eq!(count(), 3);
}

#[tokio::test]
async fn a_case_page_is_not_found_for_staff_not_assigned_and_for_leaders() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha", &["4624"]).await;
    app.create_tenant("beta", &["4625"]).await;
    let owner = app.staff("alpha", "caseworker").await;
    let owner_in = app.sign_in(&owner).await;
    let case = open_case(&app, &owner_in).await;
    let colleague = app.sign_in(&app.staff("alpha", "coordinator").await).await;
    let admin = app.sign_in(&app.staff("alpha", "tenant_admin").await).await;
    let other = app.sign_in(&app.staff("beta", "caseworker").await).await;
    let leader = app.sign_in(&app.staff("alpha", "leader").await).await;
    for who in [&colleague, &admin, &other, &leader] {
        for path in [
            case.clone(),
            format!("{case}/acute"),
            format!("{case}/map"),
            format!("{case}/map.svg"),
            format!("{case}/revisions"),
            format!("{case}/revision"),
            format!("{case}/staff"),
            format!("{case}/measures"),
            format!("{case}/persons/new"),
            format!("{case}/child"),
        ] {
            let (status, body) = app.page_answer(&path, who).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(body.contains("Fant ikke siden"), "a page, not JSON: {body}");
        }
        let (status, _) = app
            .form_answer(&format!("{case}/persons"), who, &person("Mormor", &[]))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let owner_id = owner.user_id.to_string();
        for (path, fields) in [
            (format!("{case}/child"), child("Ida", &[])),
            (format!("{case}/measures"), vec![("kind", "foster_home")]),
            (format!("{case}/assignments"), vec![("user_id", &owner_id)]),
        ] {
            let (status, _) = app.form_answer(&path, who, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "POST {path}");
        }
    }
    assert!(
        page(&app, &owner_in, &case).await.contains("Emma Nordmann"),
        "nothing was changed by those who may not open the case"
    );
    let (status, _) = app.page_answer("/cases", &leader).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "leaders see no case list");
    let nav = page(&app, &colleague, "/cases").await;
    assert!(nav.contains("<a href=\"/cases\" aria-current=\"page\">Mine saker</a>"));
    assert!(!nav.contains("Emma"));
    // A form without its token changes nothing.
    let res = app
        .client
        .post(app.url(&format!("{case}/persons")))
        .header("cookie", &owner_in.cookie)
        .form(&person("Mormor", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(!page(&app, &owner_in, &case).await.contains("Mormor"));
}

/// `fields` with each of `extra` replacing the field of its name, or added after them.
fn replaced<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    for (key, value) in extra {
        fields.retain(|(k, _)| k != key);
        fields.push((key, value));
    }
    fields
}

/// The child's details as the form sends them, with `extra` replacing or adding fields.
fn child<'a>(first_name: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let fields = vec![
        ("first_name", first_name),
        ("last_name", "Nordmann"),
        ("birth_date", "2016-04-01"),
        ("birth_year", ""),
        ("gender", "girl"),
        ("language", "norsk"),
    ];
    replaced(fields, extra)
}

/// The audit rows of `action` in `staff`'s service: (object kind, object id, details).
fn audited(
    app: &TestApp,
    tenant: TenantId,
    action: &str,
) -> Vec<(Option<String>, Option<String>, Value)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .order(audit_log::id)
            .select((
                audit_log::object_kind,
                audit_log::object_id,
                audit_log::details,
            ))
            .load(c)
    })
    .expect("audit rows")
}

/// The case id in a case path (`/cases/<id>`).
fn case_id(case: &str) -> uuid::Uuid {
    case.trim_start_matches("/cases/")
        .parse()
        .expect("a case id")
}

/// (status, due_at) of the service's 17½ reminders, oldest first.
fn transition_jobs(
    app: &TestApp,
    tenant: TenantId,
) -> Vec<(String, chrono::DateTime<chrono::Utc>)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        jobs::table
            .filter(jobs::kind.eq("transition_meeting"))
            .order((jobs::created_at, jobs::id))
            .select((jobs::status, jobs::due_at))
            .load(c)
    })
    .expect("jobs")
}

#[tokio::test]
async fn the_childs_details_are_corrected_with_reasons_for_what_is_wrong() {
    let app = TestApp::spawn().await;
    let (staff, me, case) = signed_in_case(&app, "coordinator").await;
    let first = transition_jobs(&app, staff.tenant);
    assert_eq!(first.len(), 1, "opening the case set the 17½ reminder");
    assert_eq!(first[0].0, "pending");
    // Born 1 April 2016: 17½ on 1 October 2033, 09:00 in Oslo (summer time).
    assert_eq!(first[0].1.to_rfc3339(), "2033-10-01T07:00:00+00:00");

    let case_page = page(&app, &me, &case).await;
    assert!(case_page.contains(&format!("href=\"{case}/child\"")));
    let form = page(&app, &me, &format!("{case}/child")).await;
    for expected in [
        "Endre opplysninger om barnet",
        "value=\"Emma\"",
        "value=\"Nordmann\"",
        "value=\"2016-04-01\"",
        "<option value=\"girl\" selected>",
        "value=\"norsk\"",
        "name=\"csrf\"",
    ] {
        assert!(form.contains(expected), "the form lacks {expected:?}");
    }

    // Wrong fields come back with the reasons, what was typed is kept, and nothing is written.
    let (status, body) = app
        .form_answer(
            &format!("{case}/child"),
            &me,
            &child(
                " ",
                &[("birth_date", "2031-01-01"), ("language", &"x".repeat(61))],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "Noe må rettes",
        "<a href=\"#first_name\">Skriv barnets fornavn (høyst 100 tegn).</a>",
        "<a href=\"#birth_date\">Skriv fødselsdatoen (ikke fram i tid)",
        "<a href=\"#language\">Språket kan være høyst 60 tegn.</a>",
        "value=\"2031-01-01\"",
        "aria-invalid=\"true\"",
    ] {
        assert!(body.contains(expected), "the form lacks {expected:?}");
    }
    let (status, body) = answer(
        app.form(
            &format!("{case}/child"),
            &me,
            &child("Emma", &[("birth_date", ""), ("birth_year", "to tusen")]),
        )
        .header("accept-language", "en")
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Enter the date of birth (not in the future), or the year"),
        "the reasons in English: {body}"
    );
    assert!(page(&app, &me, &case).await.contains("Emma Nordmann"));
    assert!(audited(&app, staff.tenant, "case.child_update").is_empty());
    assert_eq!(transition_jobs(&app, staff.tenant).len(), 1);

    // Only the year is known after all, the child is called Emmy and needs an interpreter.
    let location = app
        .submit(
            &format!("{case}/child"),
            &me,
            &child(
                "Emmy",
                &[
                    ("birth_date", ""),
                    ("birth_year", "2015"),
                    ("language", "arabisk"),
                    ("interpreter_needed", "on"),
                ],
            ),
        )
        .await;
    assert_eq!(location, format!("{case}?done=child"));
    let saved = page(&app, &me, &location).await;
    for expected in [
        "Opplysningene om barnet er lagret.",
        "Emmy Nordmann",
        "<dd>2015</dd>",
        "arabisk (trenger tolk)",
    ] {
        assert!(saved.contains(expected), "the case page lacks {expected:?}");
    }
    let form = page(&app, &me, &format!("{case}/child")).await;
    assert!(form.contains("id=\"birth_year\" name=\"birth_year\" type=\"number\" min=\"1990\" max=\"2100\" inputmode=\"numeric\" value=\"2015\""));
    // The birth moved: the reminder counts from 1 July 2015 now.
    let moved = transition_jobs(&app, staff.tenant);
    let states: Vec<_> = moved.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(states, ["cancelled", "pending"]);
    assert_eq!(moved[1].1.to_rfc3339(), "2033-01-01T08:00:00+00:00");
    // The audit row names what changed, never the values.
    let rows = audited(&app, staff.tenant, "case.child_update");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.as_deref(), Some("child"));
    assert_eq!(
        rows[0].2["changed"],
        serde_json::json!(["first_name", "birth", "language", "interpreter_needed"])
    );
    assert_eq!(rows[0].2["case_id"], case_id(&case).to_string());
    let text = rows[0].2.to_string();
    assert!(
        !text.contains("Emmy") && !text.contains("arabisk"),
        "{text}"
    );

    // A youth who turned 17½ two months ago gets the prompt on the page, and no reminder.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive();
    let turned = today - chrono::Months::new(2);
    let born = turned - chrono::Months::new(17 * 12 + 6);
    let born_text = born.format("%Y-%m-%d").to_string();
    let (_, location) = app
        .form_answer(
            &format!("{case}/child"),
            &me,
            &child("Emmy", &[("birth_date", &born_text)]),
        )
        .await;
    let youth = page(&app, &me, &location).await;
    let prompt = format!(
        "Barnet fylte 17½ år {}. Det er tid for 17½-årsmøtet",
        (born + chrono::Months::new(17 * 12 + 6)).format("%d.%m.%Y")
    );
    assert!(youth.contains(&prompt), "{prompt} is not on {youth}");
    let states: Vec<String> = transition_jobs(&app, staff.tenant)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(states, ["cancelled", "cancelled"], "past 17½: no reminder");
}

/// A staff member of `slug` made straight in the database with `role`, `active` or not.
fn colleague(app: &TestApp, tenant: TenantId, role: &str, name: &str, active: bool) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        diesel::insert_into(users::table)
            .values((
                users::tenant_id.eq(tenant.0),
                users::id.eq(id),
                users::email.eq(format!("{}@alpha.example", id.simple())),
                users::display_name.eq(name),
                users::role.eq(role),
                users::active.eq(active),
            ))
            .execute(c)
    })
    .expect("a colleague");
    id
}

#[tokio::test]
async fn staff_are_assigned_and_unassigned_on_the_case_page_but_the_last_one_stays() {
    let app = TestApp::spawn().await;
    let (owner, me, case) = signed_in_case(&app, "coordinator").await;
    let helper = app.staff("alpha", "caseworker").await;
    let helper_in = app.sign_in(&helper).await;
    let leader = colleague(&app, owner.tenant, "leader", "Liv Leder", true);
    let gone = colleague(&app, owner.tenant, "caseworker", "Gunnar Gått", false);
    let admin = colleague(&app, owner.tenant, "tenant_admin", "Åse Admin", true);

    let before = page(&app, &me, &format!("{case}/staff")).await;
    assert!(before.contains("<th scope=\"row\">Ansatt coordinator</th>"));
    assert!(before.contains(&format!(
        "<option value=\"{}\">Ansatt caseworker (Saksbehandler)</option>",
        helper.user_id
    )));
    assert!(before.contains(&format!(
        "<option value=\"{admin}\">Åse Admin (Administrator)</option>"
    )));
    assert!(
        !before.contains(&leader.to_string()),
        "leaders see no cases"
    );
    assert!(!before.contains(&gone.to_string()), "only active staff");

    // Nobody chosen, or a leader: the reason, and nobody is assigned.
    for chosen in [String::new(), leader.to_string()] {
        let (status, body) = app
            .form_answer(&format!("{case}/assignments"), &me, &[("user_id", &chosen)])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{chosen:?}");
        assert!(
            body.contains("<a href=\"#assign_user\">Velg en aktiv saksbehandler, koordinator eller administrator i tjenesten.</a>"),
            "{body}"
        );
    }
    let (status, _) = app.page_answer(&case, &helper_in).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, location) = app
        .form_answer(
            &format!("{case}/assignments"),
            &me,
            &[("user_id", &helper.user_id.to_string())],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("{case}/staff?done=assigned").as_str()
        )
    );
    let assigned = page(&app, &me, &location).await;
    assert!(assigned.contains("Den ansatte er satt opp som ansvarlig for saken."));
    assert!(assigned.contains("<th scope=\"row\">Ansatt caseworker</th>"));
    assert!(
        page(&app, &helper_in, &case)
            .await
            .contains("Emma Nordmann"),
        "the helper may open it now"
    );

    // The helper takes the owner off; then the helper is the last and cannot go.
    let location = app
        .submit(
            &format!("{case}/assignments/{}/remove", owner.user_id),
            &helper_in,
            &[],
        )
        .await;
    assert_eq!(location, format!("{case}/staff?done=unassigned"));
    let (status, _) = app.page_answer(&case, &me).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the owner no longer opens it"
    );
    let (status, body) = app
        .form_answer(
            &format!("{case}/assignments/{}/remove", helper.user_id),
            &helper_in,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains(
            "Dette er den eneste ansvarlige for saken. Sett opp en annen ansvarlig først"
        ),
        "{body}"
    );
    assert!(
        page(&app, &helper_in, &case)
            .await
            .contains("Emma Nordmann")
    );

    // Someone who takes themselves off goes back to their own list.
    app.form_answer(
        &format!("{case}/assignments"),
        &helper_in,
        &[("user_id", &owner.user_id.to_string())],
    )
    .await;
    let (status, location) = app
        .form_answer(
            &format!("{case}/assignments/{}/remove", helper.user_id),
            &helper_in,
            &[],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/cases")
    );

    let who = |action| {
        audited(&app, owner.tenant, action)
            .into_iter()
            .map(|(_, _, details)| details["user_id"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        who("case.assign"),
        [helper.user_id.to_string(), owner.user_id.to_string()]
    );
    assert_eq!(
        who("case.unassign"),
        [owner.user_id.to_string(), helper.user_id.to_string()]
    );
}

/// The persons on the map by name: (name, id).
fn persons(app: &TestApp, tenant: TenantId) -> Vec<(String, uuid::Uuid)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        network_persons::table
            .order(network_persons::name)
            .select((network_persons::name, network_persons::id))
            .load(c)
    })
    .expect("persons")
}

fn measure_statuses(app: &TestApp, tenant: TenantId) -> Vec<(String, String)> {
    in_tenant(&mut app.db.app_conn(), tenant, |c| {
        costly_measures::table
            .order(costly_measures::proposed_at)
            .select((costly_measures::kind, costly_measures::status))
            .load(c)
    })
    .expect("measures")
}

#[tokio::test]
async fn a_costly_measure_is_decided_on_the_case_page_only_after_the_network_is_checked() {
    let app = TestApp::spawn().await;
    let (staff, me, case) = signed_in_case(&app, "caseworker").await;
    add_person(&app, &me, &case, &person("Mormor Kari", &[])).await;
    add_person(
        &app,
        &me,
        &case,
        &person(
            "Farfar Ola",
            &[("category", "other_parent_family"), ("lineage", "paternal")],
        ),
    )
    .await;
    let fresh = page(&app, &me, &format!("{case}/measures")).await;
    assert!(fresh.contains("Ingen tiltak er foreslått."));

    // A measure must be chosen.
    let (status, body) = app
        .form_answer(
            &format!("{case}/measures"),
            &me,
            &[("kind", ""), ("description", "Vurderes")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("<a href=\"#measure_kind\">Velg hvilket tiltak som foreslås.</a>"));
    assert!(
        body.contains(">Vurderes</textarea>"),
        "the description is kept"
    );
    assert!(measure_statuses(&app, staff.tenant).is_empty());

    let location = app
        .submit(
            &format!("{case}/measures"),
            &me,
            &[
                ("kind", "foster_home"),
                ("description", "Mor er innlagt over lang tid"),
            ],
        )
        .await;
    assert_eq!(location, format!("{case}/measures?done=measure"));
    let proposed = page(&app, &me, &location).await;
    for expected in [
        "Tiltaket er foreslått. Sjekk nettverket før det vedtas.",
        "Fosterhjem <span class=\"tag\">Foreslått</span>",
        "Mor er innlagt over lang tid",
        "(Ansatt caseworker)",
        "Nettverket er ikke sjekket, og ingen begrunnelse er skrevet.",
    ] {
        assert!(
            proposed.contains(expected),
            "the case page lacks {expected:?}"
        );
    }
    let measure: uuid::Uuid = in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        costly_measures::table.select(costly_measures::id).first(c)
    })
    .unwrap();
    let measure_path = format!("{case}/measures/{measure}");

    // Deciding before the network is checked is refused with the reason, at the measure.
    let (status, body) = app
        .form_answer(&format!("{measure_path}/decision"), &me, &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains(
        "Tiltaket kan ikke vedtas før nettverket er sjekket. Registrer hvem i nettverket som ble vurdert"
    ), "{body}");
    assert!(body.contains(&format!("id=\"measure-{measure}\"")));
    assert_eq!(
        measure_statuses(&app, staff.tenant),
        [("foster_home".to_owned(), "proposed".to_owned())]
    );

    // The check form names everyone on the map.
    let form = page(&app, &me, &format!("{measure_path}/check")).await;
    let people = persons(&app, staff.tenant);
    for (name, id) in &people {
        assert!(
            form.contains(&format!(
                "<input type=\"checkbox\" name=\"considered\" value=\"{id}\"> {name}"
            )),
            "{name} is offered: {form}"
        );
    }
    let (ola, kari) = (people[0].1.to_string(), people[1].1.to_string());

    // Half a check and half a justification, or a check naming nobody: reasons, nothing written.
    for (fields, reason) in [
        (
            vec![
                ("kind", "justification"),
                ("justification", "Akutt"),
                ("result", "Spurt mormor"),
            ],
            "<a href=\"#result\">Fyll ut enten nettverkssjekken eller begrunnelsen, ikke begge.</a>",
        ),
        (
            vec![
                ("kind", "check"),
                ("checked_on", "2026-11-01"),
                ("result", "Spurt"),
            ],
            "<a href=\"#considered\">Kryss av for minst én person på kartet som ble vurdert.</a>",
        ),
        (
            vec![("checked_on", "2026-11-01")],
            "<a href=\"#kind\">Velg om nettverket er sjekket, eller om dere gir en skriftlig begrunnelse.</a>",
        ),
    ] {
        let (status, body) = app
            .form_answer(&format!("{measure_path}/check"), &me, &fields)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(body.contains(reason), "{fields:?}: {body}");
    }
    let checks: i64 = in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        network_checks::table.count().get_result(c)
    })
    .unwrap();
    assert_eq!(checks, 0);

    let location = app
        .submit(
            &format!("{measure_path}/check"),
            &me,
            &[
                ("kind", "check"),
                ("checked_on", "2026-11-01"),
                ("considered", &kari),
                ("considered", &ola),
                ("result", "Mormor kan ha Emma i helgene, farfar ikke nå"),
            ],
        )
        .await;
    assert_eq!(
        location,
        format!("{case}/measures?done=check#measure-{measure}")
    );
    let checked = page(&app, &me, &location).await;
    for expected in [
        "Nettverkssjekken er registrert.",
        "Nettverket sjekket 01.11.2026.",
        "Vurdert: Farfar Ola, Mormor Kari.",
        "Mormor kan ha Emma i helgene, farfar ikke nå",
    ] {
        assert!(
            checked.contains(expected),
            "the case page lacks {expected:?}"
        );
    }

    let location = app
        .submit(&format!("{measure_path}/decision"), &me, &[])
        .await;
    let decided = page(&app, &me, &location).await;
    assert!(decided.contains("Tiltaket er vedtatt."));
    assert!(decided.contains("Fosterhjem <span class=\"tag\">Vedtatt</span>"));
    // A decided measure is neither withdrawn nor checked again.
    let (status, body) = app
        .form_answer(&format!("{measure_path}/withdrawal"), &me, &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Tiltaket er ikke lenger foreslått"), "{body}");
    let (status, body) = app
        .form_answer(
            &format!("{measure_path}/check"),
            &me,
            &[("kind", "justification"), ("justification", "Etterpå")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Tiltaket er ikke lenger foreslått"));

    // Another proposal, withdrawn.
    app.form_answer(&format!("{case}/measures"), &me, &[("kind", "institution")])
        .await;
    let second: uuid::Uuid = in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        costly_measures::table
            .filter(costly_measures::kind.eq("institution"))
            .select(costly_measures::id)
            .first(c)
    })
    .unwrap();
    let location = app
        .submit(&format!("{case}/measures/{second}/withdrawal"), &me, &[])
        .await;
    assert!(
        page(&app, &me, &location)
            .await
            .contains("Institusjon <span class=\"tag\">Trukket</span>")
    );
    assert_eq!(
        measure_statuses(&app, staff.tenant),
        [
            ("foster_home".to_owned(), "decided".to_owned()),
            ("institution".to_owned(), "withdrawn".to_owned())
        ]
    );

    // Each change is audited once; the refused attempts left nothing.
    let actions: Vec<String> = in_tenant(&mut app.db.app_conn(), staff.tenant, |c| {
        audit_log::table
            .filter(audit_log::action.like("measure.%"))
            .order(audit_log::id)
            .select(audit_log::action)
            .load(c)
    })
    .unwrap();
    assert_eq!(
        actions,
        [
            "measure.propose",
            "measure.read",
            "measure.read",
            "measure.read",
            "measure.read",
            "measure.network_check",
            "measure.decide",
            "measure.read",
            "measure.propose",
            "measure.withdraw"
        ]
    );
}
