//! The rules of network work that Tillit keeps an eye on, as pure functions of a case's facts:
//! what the case page prompts for, and the gate before a costly measure.
//!
//! From the municipal guidance: the first map is made "med en gang et barn er i kontakt med
//! barnevernet", it is revised "i alle faser", the father's family "blir ofte glemt", the service
//! should know beforehand who "kan stille opp der og da", and "slekt og nettverk skal være sjekket
//! ut før det settes inn kostnadskrevende tiltak". From the research on network meetings: youths
//! may lead their own "17½-års møter", the meeting before child welfare ends at 18.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::categories::Lineage;
use super::domain::{MeasureStatus, Phase};
use super::history::diff;
use super::views::MapPerson;
use crate::web::refusal::Refusal;

/// Something the map needs, shown on the case page until it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Prompt {
    /// The child turned 17½ on `on` and is not yet 18: time for the meeting about what happens
    /// after 18 (the "17½-års møte"), which the youth may lead.
    TransitionMeeting { on: NaiveDate },
    /// There is no map yet; the first was due when the case opened.
    NoMap { due_on: NaiveDate },
    /// The phase has changed since the latest revision.
    PhaseChanged {
        revision: i32,
        revision_phase: Phase,
        phase: Phase,
    },
    /// The latest revision is older than the service's review interval.
    ReviewDue {
        revision: i32,
        revised_on: NaiveDate,
        due_on: NaiveDate,
    },
    /// The map has changed since the latest revision, and the changes are not saved as one.
    UnsavedChanges { revision: i32 },
    /// Nobody is mapped on the mother's side, the father's side, or either.
    MissingSide { sides: Vec<Lineage> },
    /// Nobody on the map can step in at short notice.
    NoAcute,
}

crate::vocabulary::vocabulary! {
    /// What a prompt is about, without its particulars: the case list filters by it and the
    /// start page groups by it.
    pub enum PromptKind ("prompt") {
        TransitionMeeting => "transition_meeting", "17½-årsmøte", "Meeting at 17½";
        NoMap => "no_map", "Ikke kartlagt", "No map yet";
        PhaseChanged => "phase_changed", "Ny fase siden kartet", "Phase changed since the map";
        ReviewDue => "review_due", "Kartet er gammelt", "Map due for review";
        UnsavedChanges => "unsaved_changes", "Endringer ikke lagret", "Changes not saved";
        MissingSide => "missing_side", "En side mangler", "A side is missing";
        NoAcute => "no_acute", "Ingen kan stille opp", "Nobody can step in";
    }
}

impl Prompt {
    pub fn kind(&self) -> PromptKind {
        match self {
            Self::TransitionMeeting { .. } => PromptKind::TransitionMeeting,
            Self::NoMap { .. } => PromptKind::NoMap,
            Self::PhaseChanged { .. } => PromptKind::PhaseChanged,
            Self::ReviewDue { .. } => PromptKind::ReviewDue,
            Self::UnsavedChanges { .. } => PromptKind::UnsavedChanges,
            Self::MissingSide { .. } => PromptKind::MissingSide,
            Self::NoAcute => PromptKind::NoAcute,
        }
    }
}

/// The latest revision, as the rules need it.
#[derive(Debug, Clone, Copy)]
pub struct LatestRevision<'a> {
    pub number: i32,
    pub revised_on: NaiveDate,
    pub phase: Phase,
    pub created_at: DateTime<Utc>,
    pub persons: &'a [MapPerson],
}

/// What the prompts are computed from.
#[derive(Debug, Clone, Copy)]
pub struct MapFacts<'a> {
    pub phase: Phase,
    /// The day the case opened, in the service's time zone.
    pub opened_on: NaiveDate,
    pub phase_changed_at: DateTime<Utc>,
    pub persons: &'a [MapPerson],
    pub latest: Option<LatestRevision<'a>>,
    /// The service's setting: a map is due for review this many months after its revision.
    pub review_months: u32,
    pub today: NaiveDate,
    /// The child's birthday (see [`birthday`]).
    pub birthday: NaiveDate,
}

/// The day the child's age is counted from: the birth date, or 1 July of the birth year when only
/// the year is known (the middle of the year, so the estimate is at most half a year off).
pub fn birthday(birth_year: i16, birth_date: Option<NaiveDate>) -> NaiveDate {
    birth_date
        .or_else(|| NaiveDate::from_ymd_opt(i32::from(birth_year), 7, 1))
        .unwrap_or(NaiveDate::MIN)
}

/// The day a child born on `birthday` turns 17½: 17 years and 6 months later. A birthday at the
/// end of a month that the half year does not have (31 August) gives the month's last day
/// (28 or 29 February).
pub fn turns_seventeen_and_a_half(birthday: NaiveDate) -> NaiveDate {
    birthday
        .checked_add_months(Months::new(17 * 12 + 6))
        .unwrap_or(NaiveDate::MAX)
}

/// The day a child born on `birthday` turns 18, when child welfare measures end unless continued
/// as after-care.
pub fn turns_eighteen(birthday: NaiveDate) -> NaiveDate {
    birthday
        .checked_add_months(Months::new(18 * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// The day a revision of `revised_on` is due for review.
pub fn review_due_on(revised_on: NaiveDate, months: u32) -> NaiveDate {
    revised_on
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The latest revision as the prompts read it, without its snapshot.
#[derive(Debug, Clone, Copy)]
pub struct RevisionFacts {
    pub number: i32,
    pub revised_on: NaiveDate,
    pub phase: Phase,
    pub created_at: DateTime<Utc>,
}

/// What the prompts need of the map as it stands: whether anyone is on it, on each side, who
/// can step in, and whether it differs from its latest revision. The case page works it out
/// from the persons ([`MapState::of`]); the lists across many cases count it in SQL and compare
/// persons only where one changed after the revision was saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapState {
    pub mapped: bool,
    /// Someone on the mother's side (or on both sides).
    pub maternal: bool,
    /// Someone on the father's side (or on both sides).
    pub paternal: bool,
    pub can_step_in: bool,
    /// The persons differ from the latest revision's snapshot.
    pub unsaved: bool,
}

impl MapState {
    /// Of the persons on the map now and the latest revision's snapshot (`None`: no revision).
    pub fn of(persons: &[MapPerson], snapshot: Option<&[MapPerson]>) -> Self {
        let on_side = |side: Lineage| {
            persons
                .iter()
                .any(|p| p.lineage == side || p.lineage == Lineage::Both)
        };
        Self {
            mapped: !persons.is_empty(),
            maternal: on_side(Lineage::Maternal),
            paternal: on_side(Lineage::Paternal),
            can_step_in: persons.iter().any(|p| p.can_step_in),
            unsaved: snapshot.is_some_and(|before| !diff(before, persons).is_empty()),
        }
    }
}

/// What the prompts are computed from, the map as [`MapState`].
#[derive(Debug, Clone, Copy)]
pub struct PromptFacts {
    pub phase: Phase,
    /// The day the case opened, in the service's time zone.
    pub opened_on: NaiveDate,
    pub phase_changed_at: DateTime<Utc>,
    pub latest: Option<RevisionFacts>,
    pub map: MapState,
    /// The service's setting: a map is due for review this many months after its revision.
    pub review_months: u32,
    pub today: NaiveDate,
    /// The child's birthday (see [`birthday`]).
    pub birthday: NaiveDate,
}

impl MapFacts<'_> {
    /// The facts with the map worked out from its persons.
    pub fn prompt_facts(&self) -> PromptFacts {
        PromptFacts {
            phase: self.phase,
            opened_on: self.opened_on,
            phase_changed_at: self.phase_changed_at,
            latest: self.latest.map(|r| RevisionFacts {
                number: r.number,
                revised_on: r.revised_on,
                phase: r.phase,
                created_at: r.created_at,
            }),
            map: MapState::of(self.persons, self.latest.map(|r| r.persons)),
            review_months: self.review_months,
            today: self.today,
            birthday: self.birthday,
        }
    }
}

/// The prompts for a case of its persons and latest revision; see [`prompts_of`].
pub fn prompts(facts: &MapFacts) -> Vec<Prompt> {
    prompts_of(&facts.prompt_facts())
}

/// The prompts for a case, most pressing first (a youth about to turn 18 first of all). A closed
/// case has none. The prompts about the map's content (a side missing, nobody acute) wait until
/// someone is mapped: before that, "no map yet" says it all.
pub fn prompts_of(facts: &PromptFacts) -> Vec<Prompt> {
    let mut out = Vec::new();
    if facts.phase == Phase::Closed {
        return out;
    }
    let transition = turns_seventeen_and_a_half(facts.birthday);
    if transition <= facts.today && facts.today < turns_eighteen(facts.birthday) {
        out.push(Prompt::TransitionMeeting { on: transition });
    }
    match facts.latest {
        None => out.push(Prompt::NoMap {
            due_on: facts.opened_on,
        }),
        Some(latest) => {
            if latest.created_at < facts.phase_changed_at || latest.phase != facts.phase {
                out.push(Prompt::PhaseChanged {
                    revision: latest.number,
                    revision_phase: latest.phase,
                    phase: facts.phase,
                });
            }
            let due_on = review_due_on(latest.revised_on, facts.review_months);
            if facts.today >= due_on {
                out.push(Prompt::ReviewDue {
                    revision: latest.number,
                    revised_on: latest.revised_on,
                    due_on,
                });
            }
            if facts.map.unsaved {
                out.push(Prompt::UnsavedChanges {
                    revision: latest.number,
                });
            }
        }
    }
    if !facts.map.mapped {
        return out;
    }
    let sides: Vec<Lineage> = [
        (Lineage::Maternal, facts.map.maternal),
        (Lineage::Paternal, facts.map.paternal),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(side, _)| side)
    .collect();
    if !sides.is_empty() {
        out.push(Prompt::MissingSide { sides });
    }
    if !facts.map.can_step_in {
        out.push(Prompt::NoAcute);
    }
    out
}

/// Why a costly measure cannot be marked decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateRefusal {
    /// Only a proposed measure can be decided.
    NotProposed(MeasureStatus),
    /// Neither a network check nor a written justification is recorded.
    NetworkNotChecked,
}

impl GateRefusal {
    /// The refusal a client sees.
    pub fn rule(self) -> Refusal {
        match self {
            Self::NotProposed(_) => Refusal::MeasureNotProposed,
            Self::NetworkNotChecked => Refusal::NetworkNotChecked,
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::NotProposed(status) => {
                format!("only a proposed measure can be decided; this one is {status}")
            }
            Self::NetworkNotChecked => "the network must be checked before a costly measure is \
                decided: record a network check (who was considered, when, with what result) \
                or a written justification first"
                .into(),
        }
    }
}

/// The gate before a costly measure: it may be decided once, while proposed, and only after at
/// least one network check or written justification (`checks`) has been recorded for it.
pub fn may_decide(status: MeasureStatus, checks: usize) -> Result<(), GateRefusal> {
    if status != MeasureStatus::Proposed {
        return Err(GateRefusal::NotProposed(status));
    }
    if checks == 0 {
        return Err(GateRefusal::NetworkNotChecked);
    }
    Ok(())
}

/// Whether two people's names are the same as a coordinator reads them: letter case and runs of
/// whitespace do not count ("Mormor  kari" is "Mormor Kari"). A likely duplicate on the map.
pub fn same_name(a: &str, b: &str) -> bool {
    let key = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let a = key(a);
    !a.is_empty() && a == key(b)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::cases::categories::{Closeness, NetworkSide, RelationCategory, RelationQuality};

    #[test]
    fn names_differing_only_in_case_and_spacing_are_the_same_person() {
        assert!(same_name("Mormor Kari", "  mormor   KARI "));
        assert!(!same_name("Mormor Kari", "Mormor Karin"));
        assert!(!same_name("", "  "));
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn person(n: u128, lineage: Lineage, can_step_in: bool) -> MapPerson {
        MapPerson {
            id: Uuid::from_u128(n),
            name: format!("Person {n}"),
            relation: None,
            category: RelationCategory::NearFamily,
            side: NetworkSide::Private,
            lineage,
            closeness: Closeness::Close,
            quality: RelationQuality::Supportive,
            can_strengthen: false,
            can_step_in,
            step_in_how: None,
            reachable_when: None,
            can_take_child: false,
            email: None,
            phone: None,
            address: None,
            preferred_channel: crate::cases::domain::Channel::Email,
            language: None,
            interpreter: None,
            email_too: false,
            abroad_other_culture: false,
        }
    }

    fn facts<'a>(persons: &'a [MapPerson], latest: Option<LatestRevision<'a>>) -> MapFacts<'a> {
        MapFacts {
            phase: Phase::Investigation,
            opened_on: day(2026, 1, 10),
            phase_changed_at: Utc.with_ymd_and_hms(2026, 1, 10, 9, 0, 0).unwrap(),
            persons,
            latest,
            review_months: 6,
            today: day(2026, 3, 1),
            birthday: day(2016, 4, 1),
        }
    }

    fn revision(persons: &[MapPerson]) -> LatestRevision<'_> {
        LatestRevision {
            number: 1,
            revised_on: day(2026, 1, 20),
            phase: Phase::Investigation,
            created_at: Utc.with_ymd_and_hms(2026, 1, 20, 12, 0, 0).unwrap(),
            persons,
        }
    }

    fn codes(prompts: &[Prompt]) -> Vec<String> {
        prompts
            .iter()
            .map(|p| {
                serde_json::to_value(p).unwrap()["code"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn a_new_case_is_told_its_first_map_was_due_when_it_opened() {
        assert_eq!(
            prompts(&facts(&[], None)),
            [Prompt::NoMap {
                due_on: day(2026, 1, 10)
            }]
        );
    }

    #[test]
    fn a_full_map_revised_in_this_phase_needs_nothing() {
        let map = [
            person(1, Lineage::Maternal, true),
            person(2, Lineage::Paternal, false),
        ];
        assert_eq!(prompts(&facts(&map, Some(revision(&map)))), []);
    }

    #[test]
    fn a_phase_change_after_the_revision_makes_it_due() {
        let map = [person(1, Lineage::Both, true)];
        let mut f = facts(&map, Some(revision(&map)));
        f.phase = Phase::Care;
        f.phase_changed_at = Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap();
        assert_eq!(
            prompts(&f),
            [Prompt::PhaseChanged {
                revision: 1,
                revision_phase: Phase::Investigation,
                phase: Phase::Care
            }]
        );
        // Changed there and back again: still changed since the revision.
        f.phase = Phase::Investigation;
        assert_eq!(codes(&prompts(&f)), ["phase_changed"]);
    }

    #[test]
    fn a_map_older_than_the_interval_is_due_on_the_day() {
        let map = [person(1, Lineage::Both, true)];
        let mut f = facts(&map, Some(revision(&map)));
        f.today = day(2026, 7, 19);
        assert_eq!(prompts(&f), []);
        f.today = day(2026, 7, 20);
        assert_eq!(
            prompts(&f),
            [Prompt::ReviewDue {
                revision: 1,
                revised_on: day(2026, 1, 20),
                due_on: day(2026, 7, 20)
            }]
        );
        f.review_months = 12;
        assert_eq!(prompts(&f), []);
    }

    #[test]
    fn changes_since_the_revision_are_pointed_out() {
        let saved = [person(1, Lineage::Both, true)];
        let now = [
            person(1, Lineage::Both, true),
            person(2, Lineage::Both, false),
        ];
        assert_eq!(
            prompts(&facts(&now, Some(revision(&saved)))),
            [Prompt::UnsavedChanges { revision: 1 }]
        );
    }

    #[test]
    fn one_parents_side_missing_and_nobody_acute_are_prompted() {
        let mothers_only = [
            person(1, Lineage::Maternal, false),
            person(2, Lineage::NotApplicable, false),
        ];
        let f = facts(&mothers_only, Some(revision(&mothers_only)));
        assert_eq!(
            prompts(&f),
            [
                Prompt::MissingSide {
                    sides: vec![Lineage::Paternal]
                },
                Prompt::NoAcute
            ]
        );
        let nobody_with_lineage = [person(1, Lineage::NotApplicable, true)];
        assert_eq!(
            prompts(&facts(
                &nobody_with_lineage,
                Some(revision(&nobody_with_lineage))
            )),
            [Prompt::MissingSide {
                sides: vec![Lineage::Maternal, Lineage::Paternal]
            }]
        );
    }

    #[test]
    fn the_transition_meeting_is_prompted_from_seventeen_and_a_half_until_eighteen() {
        let map = [
            person(1, Lineage::Maternal, true),
            person(2, Lineage::Paternal, false),
        ];
        let mut f = facts(&map, Some(revision(&map)));
        f.review_months = 12;
        f.birthday = day(2008, 9, 1);
        f.today = day(2026, 2, 28);
        assert_eq!(prompts(&f), []);
        f.today = day(2026, 3, 1);
        assert_eq!(
            prompts(&f),
            [Prompt::TransitionMeeting {
                on: day(2026, 3, 1)
            }]
        );
        f.today = day(2026, 8, 31);
        assert_eq!(codes(&prompts(&f)), ["transition_meeting"]);
        f.today = day(2026, 9, 1);
        assert_eq!(prompts(&f), [], "18 today");
        f.today = day(2026, 3, 1);
        f.phase = Phase::Closed;
        assert_eq!(prompts(&f), []);
    }

    #[test]
    fn seventeen_and_a_half_counts_from_the_birth_date_or_the_middle_of_the_year() {
        assert_eq!(birthday(2009, Some(day(2009, 9, 28))), day(2009, 9, 28));
        assert_eq!(birthday(2009, None), day(2009, 7, 1));
        assert_eq!(
            turns_seventeen_and_a_half(day(2009, 9, 28)),
            day(2027, 3, 28)
        );
        assert_eq!(
            turns_seventeen_and_a_half(birthday(2009, None)),
            day(2027, 1, 1)
        );
        // The half year after 31 August has no 31st: the last day of February.
        assert_eq!(
            turns_seventeen_and_a_half(day(2009, 8, 31)),
            day(2027, 2, 28)
        );
        assert_eq!(
            turns_seventeen_and_a_half(day(2010, 8, 31)),
            day(2028, 2, 29)
        );
        assert_eq!(turns_eighteen(day(2009, 9, 28)), day(2027, 9, 28));
    }

    #[test]
    fn a_closed_case_has_no_prompts() {
        let mut f = facts(&[], None);
        f.phase = Phase::Closed;
        assert_eq!(prompts(&f), []);
    }

    #[test]
    fn a_costly_measure_is_decided_only_once_the_network_is_checked() {
        assert_eq!(
            may_decide(MeasureStatus::Proposed, 0),
            Err(GateRefusal::NetworkNotChecked)
        );
        assert_eq!(may_decide(MeasureStatus::Proposed, 1), Ok(()));
        assert_eq!(
            may_decide(MeasureStatus::Decided, 1),
            Err(GateRefusal::NotProposed(MeasureStatus::Decided))
        );
        assert_eq!(
            may_decide(MeasureStatus::Withdrawn, 2),
            Err(GateRefusal::NotProposed(MeasureStatus::Withdrawn))
        );
        assert!(
            GateRefusal::NetworkNotChecked
                .message()
                .contains("justification")
        );
    }
}
