//! The demo services' cases: a few invented children, each with a network map of a dozen people
//! on both sides of the family and in the public services, the child's own words about some of
//! them, saved revisions, and here and there a costly measure. Enough for a newcomer to see the
//! case page, the eco-map, the history, the prompts and the gate before a costly measure at work.
//!
//! Everything goes through the same parsing and writing functions as the pages and the JSON API,
//! with audit rows by Tillit itself. Every name, number and word here is made up; the surnames
//! are chosen to sound invented.

use chrono::{Days, Months, NaiveDate};
use diesel::PgConnection;
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEntry};
use crate::cases::domain::{
    CaseUpdate, CaseUpdateRequest, ChildRequest, MeasureRequest, NetworkCheckRequest, NewCase,
    NewCaseRequest, NewCheck, NewMeasure, NewRevision, PersonInput, PersonRequest, RevisionRequest,
    WordsRequest,
};
use crate::cases::queries::{self, TenantClock};
use crate::cases::{lifecycle, reminders};
use crate::db::TenantId;
use crate::db::schema::{cases, users};
use crate::web::problem::AppError;

/// When an invented child was born.
#[derive(Clone, Copy)]
pub enum Born {
    On(&'static str),
    /// Only the year is known.
    Year(i32),
    /// So many months before today: a youth whose age matters to the demo whenever it runs.
    MonthsAgo(u32),
}

/// One invented person on a map.
#[derive(Clone, Copy)]
pub struct DemoPerson {
    pub name: &'static str,
    pub relation: &'static str,
    pub category: &'static str,
    pub lineage: &'static str,
    pub closeness: &'static str,
    pub quality: &'static str,
    pub can_strengthen: bool,
    /// How they can step in at short notice, if they can.
    pub step_in: Option<&'static str>,
    pub phone: Option<&'static str>,
    /// When they can be reached, in everyday words.
    pub reachable: Option<&'static str>,
    /// Whether they can take the child in at short notice.
    pub takes_child: bool,
    pub abroad: bool,
    /// Their own language (nb, nn, en), if not the service's.
    pub language: Option<&'static str>,
    /// The language an interpreter is to be booked for.
    pub interpreter: Option<&'static str>,
    /// The child's words about them, and who wrote them down.
    pub words: Option<(&'static str, &'static str)>,
}

/// The defaults the persons below leave out.
const PERSON: DemoPerson = DemoPerson {
    name: "",
    relation: "",
    category: "near_family",
    lineage: "not_applicable",
    closeness: "medium",
    quality: "supportive",
    can_strengthen: false,
    step_in: None,
    phone: None,
    reachable: None,
    takes_child: false,
    abroad: false,
    language: None,
    interpreter: None,
    words: None,
};

/// A revision saved once the first `persons` of the case's people are on the map.
#[derive(Clone, Copy)]
pub struct DemoRevision {
    pub days_ago: u64,
    pub persons: usize,
    /// How the child took part, if they did; otherwise why not.
    pub took_part: Option<&'static str>,
    pub why_not: Option<&'static str>,
}

/// A proposed costly measure, with the network check made before it (the indices of the persons
/// considered) and whether it was then decided.
#[derive(Clone, Copy)]
pub struct DemoMeasure {
    pub kind: &'static str,
    pub description: &'static str,
    pub check: Option<(&'static [usize], &'static str)>,
    pub decided: bool,
}

#[derive(Clone, Copy)]
pub struct DemoCase {
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub born: Born,
    pub gender: &'static str,
    pub language: &'static str,
    pub interpreter: bool,
    pub phase: &'static str,
    pub acute: bool,
    pub opened_days_ago: u64,
    pub persons: &'static [DemoPerson],
    pub revisions: &'static [DemoRevision],
    pub measure: Option<DemoMeasure>,
    /// Where the child can go at short notice, as the acute list shows it.
    pub where_child_can_go: Option<&'static str>,
}

pub const FJORDVIK: &[DemoCase] = &[
    DemoCase {
        first_name: "Nora",
        last_name: "Eksempelsen",
        born: Born::On("2015-05-12"),
        gender: "girl",
        language: "norsk",
        interpreter: false,
        phase: "support_measures",
        acute: false,
        opened_days_ago: 150,
        persons: &[
            DemoPerson {
                name: "Solveig Eksempelsen",
                relation: "mormor",
                lineage: "maternal",
                closeness: "close",
                step_in: Some("Kan hente på skolen og ha Nora noen netter"),
                reachable: Some("Hverdager etter 16, helg hele døgnet"),
                takes_child: true,
                phone: Some("400 00 101"),
                words: Some(("Hos mormor får jeg bake boller og se på fuglene.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Arne Eksempelsen",
                relation: "morfar",
                lineage: "maternal",
                can_strengthen: true,
                ..PERSON
            },
            DemoPerson {
                name: "Hilde Eksempelsen",
                relation: "tante",
                category: "distant_relative",
                lineage: "maternal",
                closeness: "close",
                step_in: Some("Kan komme samme kveld og bli over helgen"),
                reachable: Some("Hele døgnet, best på mobil"),
                phone: Some("400 00 102"),
                ..PERSON
            },
            DemoPerson {
                name: "Familien Oppdiktet",
                relation: "bestevenninnen Ellas familie",
                category: "known_family",
                words: Some(("Jeg kan alltid være hos Ella etter skolen.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Berit Skolesen",
                relation: "kontaktlærer",
                category: "school",
                ..PERSON
            },
            DemoPerson {
                name: "Mona Spenst",
                relation: "turntrener",
                category: "leisure_activity",
                closeness: "close",
                words: Some(("Mona sier jeg er modig på bommen.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Anne Omsorgsen",
                relation: "helsesykepleier",
                category: "health_nurse",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Gerd Diktersen",
                relation: "farmor",
                category: "other_parent_family",
                lineage: "paternal",
                quality: "mixed",
                can_strengthen: true,
                words: Some((
                    "Farmor er streng, men hun lager verdens beste vafler.",
                    "coordinator_with_child",
                )),
                ..PERSON
            },
            DemoPerson {
                name: "Petter Diktersen",
                relation: "onkel",
                category: "other_parent_family",
                lineage: "paternal",
                closeness: "distant",
                quality: "strained",
                ..PERSON
            },
            DemoPerson {
                name: "Torleif Fiktiv",
                relation: "nabo",
                category: "neighbour",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Dr. Tenkt",
                relation: "fastlege",
                category: "gp",
                closeness: "distant",
                quality: "mixed",
                ..PERSON
            },
            DemoPerson {
                name: "Ola Veiledersen",
                relation: "rådgiver i PPT",
                category: "ppt",
                closeness: "distant",
                ..PERSON
            },
        ],
        revisions: &[
            DemoRevision {
                days_ago: 140,
                persons: 7,
                took_part: Some("Nora tegnet kartet sammen med koordinatoren"),
                why_not: None,
            },
            DemoRevision {
                days_ago: 12,
                persons: 12,
                took_part: Some("Nora pekte ut farmor og onkel selv, og ville ha dem med"),
                why_not: None,
            },
        ],
        measure: None,
        where_child_can_go: Some(
            "Hos tante på Fjordvik sentrum (har nøkkel og eget rom til Nora). Ellers beredskapshjem via barnevernvakten.",
        ),
    },
    DemoCase {
        first_name: "Jonas",
        last_name: "Prøvesen",
        born: Born::MonthsAgo(17 * 12 + 7),
        gender: "boy",
        language: "norsk",
        interpreter: false,
        phase: "care",
        acute: false,
        opened_days_ago: 400,
        persons: &[
            DemoPerson {
                name: "Ida Prøvesen",
                relation: "storesøster",
                lineage: "both",
                closeness: "close",
                step_in: Some("Jonas kan bo hos henne noen dager"),
                reachable: Some("Etter kl. 15 på hverdager, helg hele døgnet"),
                takes_child: true,
                phone: Some("400 00 201"),
                words: Some(("Ida er den jeg ringer når det blir bråk hjemme.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Randi Prøvesen",
                relation: "tante",
                category: "distant_relative",
                lineage: "maternal",
                can_strengthen: true,
                ..PERSON
            },
            DemoPerson {
                name: "Geir Testrud",
                relation: "farbror",
                category: "other_parent_family",
                lineage: "paternal",
                can_strengthen: true,
                words: Some(("Geir tar meg med på fisketur.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Stian Ballsen",
                relation: "fotballtrener",
                category: "leisure_activity",
                closeness: "close",
                words: Some(("Stian bryr seg om meg også når vi taper.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Kjersti Pensum",
                relation: "kontaktlærer",
                category: "school",
                ..PERSON
            },
            DemoPerson {
                name: "Rune Tenkesen",
                relation: "bestekompisens far",
                category: "known_family",
                step_in: Some("Kan hente på trening og kjøre hjem"),
                phone: Some("400 00 202"),
                ..PERSON
            },
            DemoPerson {
                name: "Eva Samtalesen",
                relation: "behandler",
                category: "camhs",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Jon Lyttesen",
                relation: "miljøterapeut",
                category: "measure_provider",
                quality: "mixed",
                ..PERSON
            },
            DemoPerson {
                name: "Sigrid Hjelpesen",
                relation: "nabo som har kjent Jonas siden han var liten",
                category: "other_caring_adult",
                closeness: "distant",
                ..PERSON
            },
        ],
        revisions: &[DemoRevision {
            days_ago: 90,
            persons: 8,
            took_part: Some("Jonas fylte ut kartet selv og la til treneren"),
            why_not: None,
        }],
        measure: Some(DemoMeasure {
            kind: "network_foster_home",
            description: "Jonas kan ikke bo hjemme lenger; han flytter til treneren og familien \
                          hans, nær skolen og laget.",
            check: Some((
                &[1, 2],
                "Tante Randi kan ikke ta imot Jonas nå. Farbror Geir blir besøkshjem annenhver helg.",
            )),
            decided: true,
        }),
        where_child_can_go: Some(
            "Hos mormor i Lia; hun henter på skolen. Kan ikke være hos far uten avtale.",
        ),
    },
    DemoCase {
        first_name: "Amina",
        last_name: "Diktersen",
        born: Born::Year(2020),
        gender: "girl",
        language: "arabisk",
        interpreter: true,
        phase: "investigation",
        acute: true,
        opened_days_ago: 10,
        persons: &[
            DemoPerson {
                name: "Fatima (mormor)",
                relation: "mormor i utlandet",
                lineage: "maternal",
                closeness: "close",
                abroad: true,
                words: Some(("Hun snakker om mormor hver kveld.", "parent_helping")),
                ..PERSON
            },
            DemoPerson {
                name: "Yusuf Diktersen",
                relation: "morbror",
                category: "distant_relative",
                lineage: "maternal",
                step_in: Some("Kan ha Amina hos seg med kort varsel"),
                reachable: Some("Hele døgnet"),
                takes_child: true,
                phone: Some("400 00 301"),
                ..PERSON
            },
            DemoPerson {
                name: "Leila Fantasi",
                relation: "mors venninne",
                category: "family_friend",
                closeness: "close",
                words: Some(("Leila synger for meg.", "coordinator_with_child")),
                ..PERSON
            },
            DemoPerson {
                name: "Familien Påfunn",
                relation: "naboer med barn på samme alder",
                category: "neighbour",
                ..PERSON
            },
            DemoPerson {
                name: "Kari Barnehagesen",
                relation: "pedagogisk leder",
                category: "kindergarten",
                closeness: "close",
                ..PERSON
            },
            DemoPerson {
                name: "Nina Helsesen",
                relation: "helsesykepleier",
                category: "health_nurse",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Dr. Oppdiktet",
                relation: "fastlege",
                category: "gp",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Hassan (farfar)",
                relation: "farfar i utlandet",
                category: "other_parent_family",
                lineage: "paternal",
                closeness: "distant",
                quality: "mixed",
                abroad: true,
                can_strengthen: true,
                ..PERSON
            },
        ],
        revisions: &[DemoRevision {
            days_ago: 3,
            persons: 8,
            took_part: None,
            why_not: Some(
                "Amina er for liten til å lage kartet selv; det er laget med mor, med tolk",
            ),
        }],
        measure: None,
        where_child_can_go: Some("Hos tante i nabobygda, som kan hente samme kveld."),
    },
];

pub const NORDLIA: &[DemoCase] = &[
    DemoCase {
        first_name: "Tiril",
        last_name: "Tenkesen",
        born: Born::On("2012-09-03"),
        gender: "girl",
        language: "norsk",
        interpreter: false,
        phase: "investigation",
        acute: false,
        opened_days_ago: 45,
        persons: &[
            DemoPerson {
                name: "Bjørg Tenkesen",
                relation: "mormor",
                lineage: "maternal",
                closeness: "close",
                step_in: Some("Bor i nabobygda og kan komme med en gang"),
                reachable: Some("Kveld og natt, jobber dag"),
                phone: Some("400 00 401"),
                words: Some(("Mormor lar meg ri på hesten hennes.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Knut Tenkesen",
                relation: "morfar",
                lineage: "maternal",
                ..PERSON
            },
            DemoPerson {
                name: "Marit Fjellfiktiv",
                relation: "farmor",
                category: "other_parent_family",
                lineage: "paternal",
                can_strengthen: true,
                ..PERSON
            },
            DemoPerson {
                name: "Lars Fjellfiktiv",
                relation: "pappas bror",
                category: "other_parent_family",
                lineage: "paternal",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Sara Venninnesen",
                relation: "mammas venninne",
                category: "family_friend",
                words: Some(("Sara hjelper meg med lekser.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Per Nabosen",
                relation: "nabo",
                category: "neighbour",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Ingrid Timeplan",
                relation: "kontaktlærer",
                category: "school",
                ..PERSON
            },
            DemoPerson {
                name: "Ole Korpsen",
                relation: "korpsdirigent",
                category: "leisure_activity",
                closeness: "close",
                ..PERSON
            },
            DemoPerson {
                name: "Hanne Helsesen",
                relation: "helsesykepleier",
                category: "health_nurse",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Tor Terapisen",
                relation: "psykolog",
                category: "therapist",
                closeness: "distant",
                quality: "mixed",
                ..PERSON
            },
        ],
        revisions: &[DemoRevision {
            days_ago: 30,
            persons: 10,
            took_part: Some("Tiril og koordinatoren gikk gjennom kartet ved kjøkkenbordet"),
            why_not: None,
        }],
        measure: None,
        where_child_can_go: None,
    },
    DemoCase {
        first_name: "Mathias",
        last_name: "Påfunn",
        born: Born::On("2010-01-20"),
        gender: "boy",
        language: "nordsamisk",
        interpreter: false,
        phase: "support_measures",
        acute: false,
        opened_days_ago: 220,
        persons: &[
            DemoPerson {
                name: "Elle Påfunn",
                relation: "áhkku (farmor)",
                category: "other_parent_family",
                lineage: "paternal",
                closeness: "close",
                step_in: Some("Mathias kan bo hos henne i reinbeitetiden"),
                reachable: Some("Hverdager 8–20, ikke i reinbeitetiden"),
                takes_child: true,
                phone: Some("400 00 501"),
                words: Some(("Hos áhkku er det stille.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Ánte Påfunn",
                relation: "farbror",
                category: "other_parent_family",
                lineage: "paternal",
                ..PERSON
            },
            DemoPerson {
                name: "Randi Oppdikt",
                relation: "mormor",
                lineage: "maternal",
                quality: "strained",
                can_strengthen: true,
                ..PERSON
            },
            DemoPerson {
                name: "Jørgen Skiløpersen",
                relation: "skitrener",
                category: "leisure_activity",
                words: Some(("Jørgen sier at jeg har stayerhjerte.", "child")),
                ..PERSON
            },
            DemoPerson {
                name: "Berit Rektorsen",
                relation: "rektor",
                category: "school",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Familien Tenktsen",
                relation: "kompisens familie",
                category: "known_family",
                ..PERSON
            },
            DemoPerson {
                name: "Siv Samtale",
                relation: "behandler",
                category: "camhs",
                closeness: "distant",
                ..PERSON
            },
            DemoPerson {
                name: "Nils Hjelpesen",
                relation: "fritidsklubbleder",
                category: "other_caring_adult",
                ..PERSON
            },
        ],
        revisions: &[DemoRevision {
            days_ago: 200,
            persons: 8,
            took_part: Some("Mathias ville ha med farmor og treneren"),
            why_not: None,
        }],
        measure: Some(DemoMeasure {
            kind: "institution",
            description: "Vurderes hvis hjelpetiltakene ikke er nok.",
            check: None,
            decided: false,
        }),
        where_child_can_go: Some("Hos farmor i bygda; i reinbeitetiden hos nabofamilien."),
    },
];

fn days_ago(today: NaiveDate, days: u64) -> NaiveDate {
    today.checked_sub_days(Days::new(days)).unwrap_or(today)
}

fn system(action: &'static str) -> AuditEntry {
    AuditEntry::new(&Actor::System, action).details(json!({ "demo": true }))
}

/// Writes one invented case for `coordinator` (who opens it) and `caseworker`, in the caller's
/// transaction of the demo service.
fn write_case(
    conn: &mut PgConnection,
    tenant: TenantId,
    clock: &TenantClock,
    coordinator: Uuid,
    caseworker: Uuid,
    demo: &DemoCase,
) -> Result<(), AppError> {
    let (birth_date, birth_year) = match demo.born {
        Born::On(date) => (Some(date.to_owned()), None),
        Born::Year(year) => (None, Some(year)),
        Born::MonthsAgo(months) => {
            let born = clock
                .today
                .checked_sub_months(Months::new(months))
                .unwrap_or(clock.today);
            (Some(born.format("%Y-%m-%d").to_string()), None)
        }
    };
    let request = NewCaseRequest {
        child: ChildRequest {
            first_name: demo.first_name.to_owned(),
            last_name: demo.last_name.to_owned(),
            birth_date,
            birth_year,
            gender: Some(demo.gender.to_owned()),
            language: Some(demo.language.to_owned()),
            interpreter_needed: Some(demo.interpreter),
        },
        phase: Some(demo.phase.to_owned()),
        acute: Some(demo.acute),
        opened_at: Some(days_ago(clock.today, demo.opened_days_ago).to_string()),
        reference: Some(format!("{}-{}", demo.last_name, demo.opened_days_ago)),
        // The service's first municipality: the demo's inter-municipal service has its cases
        // in both through the figures' invented history.
        municipality: crate::tenancy::load_municipalities(conn)?
            .first()
            .map(|m| m.kommunenummer.clone()),
    };
    let new = NewCase::parse(&request, clock.now, clock.today)?;
    let case = lifecycle::open_case(conn, tenant, coordinator, &new, clock)?;
    audit::record(conn, tenant, system("case.create").object("case", case.id))?;
    if let Some(note) = demo.where_child_can_go {
        let update = CaseUpdate::parse(&CaseUpdateRequest {
            where_child_can_go: Some(note.to_owned()),
            ..CaseUpdateRequest::default()
        })?;
        queries::update_case(conn, tenant, &case, &update)?;
    }
    queries::assign(conn, tenant, case.id, caseworker, Some(coordinator))?;
    audit::record(
        conn,
        tenant,
        system("case.assign")
            .object("case", case.id)
            .details(json!({ "demo": true, "user_id": caseworker })),
    )?;

    let mut person_ids = Vec::with_capacity(demo.persons.len());
    let mut revisions = demo.revisions.iter().peekable();
    for (i, person) in demo.persons.iter().enumerate() {
        let input = PersonInput::parse(&person_request(person), clock.now)?;
        let id = queries::insert_person(conn, tenant, case.id, &input.fields)?;
        if let Some(words) = &input.words {
            queries::add_words(conn, tenant, case.id, id, words, Some(coordinator))?;
        }
        audit::record(conn, tenant, system("person.add").object("person", id))?;
        person_ids.push(id);
        while let Some(revision) = revisions.next_if(|r| r.persons == i + 1) {
            save_revision(conn, tenant, clock, &case, coordinator, revision)?;
        }
    }

    if let Some(measure) = demo.measure {
        let new = NewMeasure::parse(&MeasureRequest {
            kind: measure.kind.to_owned(),
            description: Some(measure.description.to_owned()),
        })?;
        let id = queries::insert_measure(conn, tenant, case.id, &new, Some(caseworker))?;
        audit::record(
            conn,
            tenant,
            system("measure.propose").object("measure", id),
        )?;
        if let Some((considered, result)) = measure.check {
            let request = NetworkCheckRequest {
                kind: "check".to_owned(),
                checked_on: Some(days_ago(clock.today, 20).to_string()),
                considered: considered
                    .iter()
                    .filter_map(|&i| person_ids.get(i))
                    .map(Uuid::to_string)
                    .collect(),
                result: Some(result.to_owned()),
                justification: None,
            };
            let check = NewCheck::parse(&request, clock.today)?;
            let view = queries::measure(conn, tenant, case.id, id)?;
            queries::insert_check(conn, tenant, case.id, &view, &check, Some(caseworker))?;
            audit::record(
                conn,
                tenant,
                system("measure.network_check").object("measure", id),
            )?;
        }
        if measure.decided {
            let view = queries::measure(conn, tenant, case.id, id)?;
            queries::decide_measure(conn, tenant, &view, Some(caseworker))?;
            audit::record(conn, tenant, system("measure.decide").object("measure", id))?;
        }
    }
    Ok(())
}

fn person_request(person: &DemoPerson) -> PersonRequest {
    PersonRequest {
        name: person.name.to_owned(),
        relation: Some(person.relation.to_owned()),
        category: person.category.to_owned(),
        side: None,
        lineage: Some(person.lineage.to_owned()),
        closeness: person.closeness.to_owned(),
        quality: person.quality.to_owned(),
        can_strengthen: Some(person.can_strengthen),
        can_step_in: Some(person.step_in.is_some()),
        step_in_how: person.step_in.map(str::to_owned),
        reachable_when: person.reachable.map(str::to_owned),
        can_take_child: Some(person.takes_child),
        email: None,
        phone: person.phone.map(str::to_owned),
        address: None,
        preferred_channel: None,
        email_too: None,
        abroad_other_culture: Some(person.abroad),
        language: person.language.map(str::to_owned),
        interpreter: person.interpreter.map(str::to_owned),
        child_words: person.words.map(|(text, author)| WordsRequest {
            text: text.to_owned(),
            author: author.to_owned(),
            written_at: None,
        }),
    }
}

fn save_revision(
    conn: &mut PgConnection,
    tenant: TenantId,
    clock: &TenantClock,
    case: &queries::CaseRow,
    by: Uuid,
    revision: &DemoRevision,
) -> Result<(), AppError> {
    let new = NewRevision::parse(
        &RevisionRequest {
            revised_on: Some(days_ago(clock.today, revision.days_ago).to_string()),
            child_participated: Some(revision.took_part.is_some()),
            participation: revision.took_part.or(revision.why_not).map(str::to_owned),
        },
        clock.today,
    )?;
    let saved = queries::insert_revision(conn, tenant, case, &new, Some(by))?;
    reminders::schedule_review(conn, tenant, case.id, new.revised_on, clock)?;
    audit::record(
        conn,
        tenant,
        system("revision.create")
            .object("case", case.id)
            .details(json!({ "demo": true, "revision": saved.summary.number })),
    )?;
    Ok(())
}

/// Writes `demo`'s cases into the service unless it has cases already, so running the demo again
/// adds none. They are opened by the staff member with email `coordinator` and assigned to
/// `caseworker` too; without those two (a service set up otherwise) nothing is written. Returns
/// how many cases were written.
pub fn write_cases(
    conn: &mut PgConnection,
    tenant: TenantId,
    coordinator: &str,
    caseworker: &str,
    demo: &[DemoCase],
) -> Result<usize, AppError> {
    let existing: i64 = cases::table
        .filter(cases::tenant_id.eq(tenant.0))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let staff_id = |conn: &mut PgConnection, email: &str| -> QueryResult<Option<Uuid>> {
        users::table
            .filter(users::tenant_id.eq(tenant.0))
            .filter(users::email.eq(email))
            .select(users::id)
            .first(conn)
            .optional()
    };
    let (Some(coordinator), Some(caseworker)) =
        (staff_id(conn, coordinator)?, staff_id(conn, caseworker)?)
    else {
        return Ok(0);
    };
    let clock = TenantClock::load(conn)?;
    for case in demo {
        write_case(conn, tenant, &clock, coordinator, caseworker, case)?;
    }
    Ok(demo.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's promise: two or three cases per service, 8–15 people on each map across the
    /// family's sides and the public services, the child's words on a few, a revision on each.
    #[test]
    fn every_demo_case_has_a_living_map() {
        for service in [FJORDVIK, NORDLIA] {
            assert!((2..=3).contains(&service.len()));
            for case in service {
                let n = case.persons.len();
                assert!((8..=15).contains(&n), "{}: {n} persons", case.first_name);
                let has = |f: &dyn Fn(&DemoPerson) -> bool| case.persons.iter().any(f);
                assert!(has(&|p| p.lineage == "maternal"), "{}", case.first_name);
                assert!(has(&|p| p.lineage == "paternal"), "{}", case.first_name);
                assert!(
                    has(&|p| [
                        "school",
                        "kindergarten",
                        "health_nurse",
                        "gp",
                        "camhs",
                        "ppt",
                        "therapist",
                        "measure_provider"
                    ]
                    .contains(&p.category)),
                    "{} has someone from the public services",
                    case.first_name
                );
                let words = case.persons.iter().filter(|p| p.words.is_some()).count();
                assert!(words >= 1, "{}", case.first_name);
                assert!(!case.revisions.is_empty(), "{}", case.first_name);
                assert!(case.revisions.iter().all(|r| r.persons <= n));
            }
        }
    }
}
