//! A case's vocabulary and its input, parsed once at the edge: past the handler a phone number is
//! known to be E.164, a category is one of the codes, a birth is a year with an optional date that
//! agrees with it. Every wrong field of a request is reported at once, by name, with what to fix.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::categories::{Closeness, Lineage, NetworkSide, RelationCategory, RelationQuality};
use crate::fields::{Email, Phone, required_text};
use crate::tenancy::domain::Kommunenummer;
use crate::vocabulary::vocabulary;
use crate::web::i18n::Lang;
use crate::web::problem::{AppError, FieldError};

vocabulary! {
    /// Where the case stands. The map is revised "i alle faser", so a phase change makes the
    /// current map due for revision.
    pub enum Phase ("phase") {
        Investigation => "investigation", "Undersøkelse", "Investigation";
        SupportMeasures => "support_measures", "Hjelpetiltak", "Support measures";
        Care => "care", "Omsorgstiltak", "Care";
        AfterCare => "after_care", "Ettervern", "After-care";
        Closed => "closed", "Avsluttet", "Closed";
    }
}

vocabulary! {
    /// The child's gender as the case records it; "not stated" is a valid answer.
    pub enum Gender ("gender") {
        Girl => "girl", "Jente", "Girl";
        Boy => "boy", "Gutt", "Boy";
        Other => "other", "Annet", "Other";
        Unspecified => "unspecified", "Ikke oppgitt", "Not stated";
    }
}

vocabulary! {
    /// Who wrote the child's words down. Kept with the words, because "voksne overtar
    /// eierskapet" is the risk: a reader must see whether the child wrote them or an adult did.
    pub enum WordsAuthor ("author") {
        Child => "child", "Barnet selv", "The child";
        CoordinatorWithChild => "coordinator_with_child", "Koordinator sammen med barnet", "The coordinator with the child";
        ParentHelping => "parent_helping", "Forelder som hjelper barnet", "A parent helping the child";
    }
}

vocabulary! {
    /// A costly measure, before which the network must be checked. A kinship foster home is in
    /// the child's family, the other parent's family included; a network foster home is with
    /// people the child knows (family friends, families the child knows through their network).
    pub enum MeasureKind ("measure kind") {
        FosterHome => "foster_home", "Fosterhjem", "Foster home";
        KinshipFosterHome => "kinship_foster_home", "Slektsfosterhjem", "Kinship foster home";
        NetworkFosterHome => "network_foster_home", "Nettverksfosterhjem", "Network foster home";
        Institution => "institution", "Institusjon", "Institution";
        Other => "other", "Annet kostnadskrevende tiltak", "Other costly measure";
    }
}

vocabulary! {
    pub enum MeasureStatus ("measure status") {
        Proposed => "proposed", "Foreslått", "Proposed";
        Decided => "decided", "Vedtatt", "Decided";
        Withdrawn => "withdrawn", "Trukket", "Withdrawn";
    }
}

vocabulary! {
    /// What opens the gate before a costly measure: a recorded check of the network, or a
    /// written justification of why none was made.
    pub enum CheckKind ("check kind") {
        Check => "check", "Nettverket er sjekket", "Network checked";
        Justification => "justification", "Skriftlig begrunnelse", "Written justification";
    }
}

vocabulary! {
    /// How a person prefers to be reached: invitations, changes, chases and reminders go this
    /// way (and by email too when they want it and have an address). `call` means the
    /// coordinator phones them and records their answer.
    pub enum Channel ("channel") {
        Email => "email", "E-post", "Email";
        Sms => "sms", "SMS", "SMS";
        Letter => "letter", "Brev", "Letter";
        Call => "call", "Telefonsamtale", "Phone call";
    }
}

impl Channel {
    /// What a revision saved before the preferred channel was asked reads as.
    pub fn fallback() -> Self {
        Self::Email
    }

    /// The way to reach someone who has not said: email if they have it, else SMS to a mobile,
    /// else a letter, else a call.
    pub fn default_for(email: bool, mobile: bool, address: bool) -> Self {
        match (email, mobile, address) {
            (true, _, _) => Self::Email,
            (false, true, _) => Self::Sms,
            (false, false, true) => Self::Letter,
            _ => Self::Call,
        }
    }

    /// Why a person cannot be reached this way with what is recorded, if they cannot.
    pub fn missing(
        self,
        email: bool,
        phone: Option<&Phone>,
        address: bool,
    ) -> Option<&'static str> {
        match self {
            Self::Email if !email => Some("an email address is needed to be reached by email"),
            Self::Sms if phone.is_none_or(|p| !p.is_mobile()) => {
                Some("a mobile number is needed to be reached by SMS")
            }
            Self::Letter if !address => Some("a postal address is needed to be reached by letter"),
            Self::Call if phone.is_none() => Some("a phone number is needed to be called"),
            _ => None,
        }
    }
}

/// The oldest a child in a case can be: after-care lasts to 25.
const MAX_AGE_YEARS: i32 = 25;

/// When the child was born: the year always, the date when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birth {
    pub year: i16,
    pub date: Option<NaiveDate>,
}

impl Birth {
    /// `date` (YYYY-MM-DD) or, when only that is known, `year`. Both may be given if they agree.
    pub fn parse(date: Option<&str>, year: Option<i32>, today: NaiveDate) -> Result<Self, String> {
        let earliest = today.year() - MAX_AGE_YEARS;
        let check_year = |y: i32| -> Result<i16, String> {
            if y > today.year() || y < earliest {
                return Err(format!(
                    "the birth year must be between {earliest} and {}",
                    today.year()
                ));
            }
            i16::try_from(y).map_err(|_| "not a year".to_owned())
        };
        match (blank_to_none(date), year) {
            (Some(text), year) => {
                let date = parse_date(text)?;
                if date > today {
                    return Err("the birth date cannot be in the future".into());
                }
                if year.is_some_and(|y| y != date.year()) {
                    return Err("the birth date and the birth year do not agree".into());
                }
                Ok(Self {
                    year: check_year(date.year())?,
                    date: Some(date),
                })
            }
            (None, Some(year)) => Ok(Self {
                year: check_year(year)?,
                date: None,
            }),
            (None, None) => {
                Err("give the birth date, or the birth year if that is all that is known".into())
            }
        }
    }
}

fn blank_to_none(input: Option<&str>) -> Option<&str> {
    input.map(str::trim).filter(|s| !s.is_empty())
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "a date is written YYYY-MM-DD, e.g. 2026-03-14".to_owned())
}

/// A date that has happened: today or before.
fn past_date(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let date = parse_date(text)?;
    if date > today {
        return Err("the date cannot be in the future".into());
    }
    Ok(date)
}

/// A moment that has happened, as RFC 3339 (`2026-03-14T10:00:00+01:00`) or a date alone (taken
/// as noon UTC on that day, which is the same day in Norway).
fn past_moment(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let at = match DateTime::parse_from_rfc3339(text) {
        Ok(at) => at.with_timezone(&Utc),
        Err(_) => parse_date(text)
            .map_err(|_| {
                "a time is written as RFC 3339 (2026-03-14T10:00:00+01:00) or a date (2026-03-14)"
                    .to_owned()
            })?
            .and_hms_opt(12, 0, 0)
            .map(|t| t.and_utc())
            .ok_or_else(|| "not a valid time".to_owned())?,
    };
    if at > now + chrono::Duration::minutes(5) {
        return Err("the time cannot be in the future".into());
    }
    Ok(at)
}

/// Free text that may span lines (the child's words, a justification): trimmed, not empty, at
/// most `max` characters, no control characters besides line breaks and tabs.
pub fn long_text(input: &str, max: usize) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() {
        return Err("this field is required".into());
    }
    if value.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("control characters are not allowed".into());
    }
    Ok(value.to_owned())
}

/// An optional one-line text: blank means absent.
fn optional_text(input: Option<&str>, max: usize) -> Result<Option<String>, String> {
    blank_to_none(input)
        .map(|text| required_text(text, max))
        .transpose()
}

/// Gathers the field errors of one request while each field is parsed.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// The value, or `None` after noting the error under `field`.
    pub fn take<T, E: ToString>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|e| self.0.push(FieldError::new(field, e.to_string())))
            .ok()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn into_error(self) -> AppError {
        AppError::Validation(self.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The child, as a case is opened or as the child's details are corrected.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ChildRequest {
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 100)]
    pub first_name: String,
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 100)]
    pub last_name: String,
    /// YYYY-MM-DD. Give this, or `birth_year` when only the year is known.
    #[schema(format = Date)]
    pub birth_date: Option<String>,
    #[serde(default, deserialize_with = "crate::fields::optional_whole")]
    #[schema(value_type = Option<i32>)]
    pub birth_year: Option<i32>,
    /// girl, boy, other or unspecified (the default).
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<String>,
    /// The language the child speaks best, in words ("arabisk", "norsk").
    #[schema(max_length = 60)]
    pub language: Option<String>,
    pub interpreter_needed: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewCaseRequest {
    #[serde(default)]
    pub child: ChildRequest,
    /// investigation (the default), support_measures, care, after_care or closed.
    #[schema(value_type = Option<Phase>)]
    pub phase: Option<String>,
    pub acute: Option<bool>,
    /// When the case was opened (RFC 3339 or YYYY-MM-DD); now if absent. The first map is due
    /// then.
    pub opened_at: Option<String>,
    /// The service's own reference (its case-management system's number), optional; unique
    /// within the service.
    #[schema(max_length = 60)]
    pub reference: Option<String>,
    /// The child's home municipality: one of the service's kommunenummer. May be left out when
    /// the service serves only one.
    #[schema(pattern = "^[0-9]{4}$")]
    pub municipality: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewChild {
    pub first_name: String,
    pub last_name: String,
    pub birth: Birth,
    pub gender: Gender,
    pub language: Option<String>,
    pub interpreter_needed: bool,
}

#[derive(Debug, Clone)]
pub struct NewCase {
    pub child: NewChild,
    pub phase: Phase,
    pub acute: bool,
    pub opened_at: DateTime<Utc>,
    pub reference: Option<String>,
    /// As given; [`None`] asks for the service's only municipality.
    pub municipality: Option<Kommunenummer>,
}

/// A case reference as sent: blank is none, otherwise 1–60 characters.
fn reference(input: Option<&str>) -> Result<Option<String>, String> {
    optional_text(input, 60)
}

/// A kommunenummer as sent: blank is none.
fn municipality(input: Option<&str>) -> Result<Option<Kommunenummer>, String> {
    blank_to_none(input)
        .map(|k| Kommunenummer::parse(k).map_err(str::to_owned))
        .transpose()
}

impl NewChild {
    /// The child's details from `req`, each wrong field noted in `e` under `prefix` and its name
    /// (`child.first_name` when a case is opened, `first_name` when the details are corrected).
    fn parse_into(
        req: &ChildRequest,
        prefix: &str,
        today: NaiveDate,
        e: &mut Errors,
    ) -> Option<Self> {
        let first_name = e.take(
            &format!("{prefix}first_name"),
            required_text(&req.first_name, 100),
        );
        let last_name = e.take(
            &format!("{prefix}last_name"),
            required_text(&req.last_name, 100),
        );
        let birth = e.take(
            &format!("{prefix}birth_date"),
            Birth::parse(req.birth_date.as_deref(), req.birth_year, today),
        );
        let gender = e.take(
            &format!("{prefix}gender"),
            blank_to_none(req.gender.as_deref()).map_or(Ok(Gender::Unspecified), Gender::parse),
        );
        let language = e.take(
            &format!("{prefix}language"),
            optional_text(req.language.as_deref(), 60),
        );
        Some(Self {
            first_name: first_name?,
            last_name: last_name?,
            birth: birth?,
            gender: gender?,
            language: language?,
            interpreter_needed: req.interpreter_needed.unwrap_or(false),
        })
    }

    /// The child's corrected details, as sent to replace them.
    pub fn parse(req: &ChildRequest, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = Errors::default();
        match Self::parse_into(req, "", today, &mut e) {
            Some(child) if e.0.is_empty() => Ok(child),
            _ => Err(e.into_error()),
        }
    }
}

impl NewCase {
    pub fn parse(
        req: &NewCaseRequest,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let child = NewChild::parse_into(&req.child, "child.", today, &mut e);
        let phase = e.take(
            "phase",
            blank_to_none(req.phase.as_deref()).map_or(Ok(Phase::Investigation), Phase::parse),
        );
        let opened_at = e.take(
            "opened_at",
            blank_to_none(req.opened_at.as_deref()).map_or(Ok(now), |t| past_moment(t, now)),
        );
        let reference = e.take("reference", reference(req.reference.as_deref()));
        let municipality = e.take("municipality", municipality(req.municipality.as_deref()));
        let (Some(child), Some(phase), Some(opened_at), Some(reference), Some(municipality)) =
            (child, phase, opened_at, reference, municipality)
        else {
            return Err(e.into_error());
        };
        Ok(Self {
            child,
            phase,
            acute: req.acute.unwrap_or(false),
            opened_at,
            reference,
            municipality,
        })
    }
}

/// The case list's search as sent (the page's form and the JSON API's query alike). Every value
/// is optional; an unknown one is a wrong field, never silently ignored.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListRequest {
    /// Words of the child's name; each must be found in the first or the last name.
    #[serde(default)]
    #[param(max_length = 100)]
    pub q: String,
    /// investigation, support_measures, care, after_care or closed.
    #[serde(default)]
    #[param(value_type = Option<Phase>)]
    pub phase: String,
    /// yes or no.
    #[serde(default)]
    #[param(pattern = "^(yes|no)$")]
    pub acute: String,
    /// A prompt's code (no_map, review_due, missing_side, no_acute, …): only cases with it.
    #[serde(default)]
    #[param(value_type = Option<super::rules::PromptKind>)]
    pub prompt: String,
    /// acute (acute first, then newest; the default), name, opened (newest first) or
    /// opened_asc.
    #[serde(default)]
    #[param(value_type = Option<CaseSort>)]
    pub sort: String,
    /// The page, from 1.
    #[serde(default)]
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100000)]
    pub page: String,
}

vocabulary! {
    /// How the case list is ordered.
    pub enum CaseSort ("sort") {
        Acute => "acute", "Akutte først", "Acute first";
        Name => "name", "Barnets navn", "Child's name";
        Opened => "opened", "Nyeste først", "Newest first";
        OpenedAsc => "opened_asc", "Eldste først", "Oldest first";
    }
}

/// The case list's search, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    /// The words of the name, lower case.
    pub words: Vec<String>,
    pub phase: Option<Phase>,
    pub acute: Option<bool>,
    pub prompt: Option<super::rules::PromptKind>,
    pub sort: CaseSort,
    /// From 1.
    pub page: u32,
}

impl CaseFilter {
    /// Cases on one page of the list.
    pub const PER_PAGE: u32 = 50;

    pub fn parse(req: &CaseListRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let q = req.q.trim();
        let words: Vec<String> = if q.chars().count() > 100 {
            e.push("q", "search with at most 100 characters");
            Vec::new()
        } else {
            q.split_whitespace().map(str::to_lowercase).collect()
        };
        let phase = e.take(
            "phase",
            blank_to_none(Some(&req.phase))
                .map(Phase::parse)
                .transpose(),
        );
        let acute = e.take(
            "acute",
            match blank_to_none(Some(&req.acute)) {
                None => Ok(None),
                Some("yes") => Ok(Some(true)),
                Some("no") => Ok(Some(false)),
                Some(_) => Err("acute is yes or no".to_owned()),
            },
        );
        let prompt = e.take(
            "prompt",
            blank_to_none(Some(&req.prompt))
                .map(super::rules::PromptKind::parse)
                .transpose(),
        );
        let sort = e.take(
            "sort",
            blank_to_none(Some(&req.sort)).map_or(Ok(CaseSort::Acute), CaseSort::parse),
        );
        let page = e.take(
            "page",
            match blank_to_none(Some(&req.page)) {
                None => Ok(1),
                Some(p) => p
                    .parse::<u32>()
                    .ok()
                    .filter(|p| (1..=100_000).contains(p))
                    .ok_or_else(|| "a page is a whole number from 1".to_owned()),
            },
        );
        match (phase, acute, prompt, sort, page) {
            (Some(phase), Some(acute), Some(prompt), Some(sort), Some(page)) if e.0.is_empty() => {
                Ok(Self {
                    words,
                    phase,
                    acute,
                    prompt,
                    sort,
                    page,
                })
            }
            _ => Err(e.into_error()),
        }
    }

    /// The cases to skip before this page.
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(Self::PER_PAGE)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CaseUpdateRequest {
    #[schema(value_type = Option<Phase>)]
    pub phase: Option<String>,
    pub acute: Option<bool>,
    /// A new reference; an empty string removes it.
    #[schema(max_length = 60)]
    pub reference: Option<String>,
    /// The child's home municipality: one of the service's kommunenummer.
    #[schema(pattern = "^[0-9]{4}$")]
    pub municipality: Option<String>,
    /// Where the child can go at short notice (places and people that can take the child in),
    /// shown on the acute list; an empty string removes it.
    #[schema(max_length = 1000)]
    pub where_child_can_go: Option<String>,
}

/// A change of phase, of the acute flag, of the reference, of the municipality or of where the
/// child can go; at least one.
#[derive(Debug, Clone)]
pub struct CaseUpdate {
    pub phase: Option<Phase>,
    pub acute: Option<bool>,
    /// `Some(None)` removes the reference.
    pub reference: Option<Option<String>>,
    pub municipality: Option<Kommunenummer>,
    /// `Some(None)` removes the note.
    pub where_child_can_go: Option<Option<String>>,
}

impl CaseUpdate {
    pub fn parse(req: &CaseUpdateRequest) -> Result<Self, AppError> {
        let phase = blank_to_none(req.phase.as_deref())
            .map(Phase::parse)
            .transpose()
            .map_err(|m| AppError::field("phase", m))?;
        let reference = req
            .reference
            .as_deref()
            .map(|r| reference(Some(r)))
            .transpose()
            .map_err(|m| AppError::field("reference", m))?;
        let municipality = municipality(req.municipality.as_deref())
            .map_err(|m| AppError::field("municipality", m))?;
        let where_child_can_go = req
            .where_child_can_go
            .as_deref()
            .map(|text| match text.trim() {
                "" => Ok(None),
                text => long_text(text, 1000).map(Some),
            })
            .transpose()
            .map_err(|m| AppError::field("where_child_can_go", m))?;
        if phase.is_none()
            && req.acute.is_none()
            && reference.is_none()
            && municipality.is_none()
            && where_child_can_go.is_none()
        {
            return Err(AppError::field(
                "phase",
                "give a new phase, acute, reference, municipality or where the child can go",
            ));
        }
        Ok(Self {
            phase,
            acute: req.acute,
            reference,
            municipality,
            where_child_can_go,
        })
    }
}

/// The child's words about a person, as sent.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct WordsRequest {
    /// Verbatim, as the child said or wrote it.
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 2000)]
    pub text: String,
    /// child, coordinator_with_child or parent_helping.
    #[serde(default)]
    #[schema(required, value_type = WordsAuthor)]
    pub author: String,
    /// When the words were said or written (RFC 3339 or YYYY-MM-DD); now if absent.
    pub written_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ChildWords {
    pub text: String,
    pub author: WordsAuthor,
    pub written_at: DateTime<Utc>,
}

impl ChildWords {
    fn parse_into(
        req: &WordsRequest,
        prefix: &str,
        now: DateTime<Utc>,
        e: &mut Errors,
    ) -> Option<Self> {
        let text = e.take(&format!("{prefix}text"), long_text(&req.text, 2000));
        let author = e.take(&format!("{prefix}author"), WordsAuthor::parse(&req.author));
        let written_at = e.take(
            &format!("{prefix}written_at"),
            blank_to_none(req.written_at.as_deref()).map_or(Ok(now), |t| past_moment(t, now)),
        );
        Some(Self {
            text: text?,
            author: author?,
            written_at: written_at?,
        })
    }

    pub fn parse(req: &WordsRequest, now: DateTime<Utc>) -> Result<Self, AppError> {
        let mut e = Errors::default();
        Self::parse_into(req, "", now, &mut e).ok_or_else(|| e.into_error())
    }
}

/// A person on the map, as sent to add or replace one.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct PersonRequest {
    #[serde(default)]
    #[schema(required, min_length = 1, max_length = 200)]
    pub name: String,
    /// Who the person is to the child in everyday words ("mormor", "fotballtrener").
    #[schema(max_length = 100)]
    pub relation: Option<String>,
    /// One of the relation category codes (near_family, other_parent_family, school, gp, …).
    #[serde(default)]
    #[schema(required, value_type = RelationCategory)]
    pub category: String,
    /// private or public; by default the category's usual side.
    #[schema(value_type = Option<NetworkSide>)]
    pub side: Option<String>,
    /// maternal, paternal, both or not_applicable (the default).
    #[schema(value_type = Option<Lineage>)]
    pub lineage: Option<String>,
    /// close, medium or distant.
    #[serde(default)]
    #[schema(required, value_type = Closeness)]
    pub closeness: String,
    /// supportive, mixed or strained.
    #[serde(default)]
    #[schema(required, value_type = RelationQuality)]
    pub quality: String,
    /// Whether the relation can be strengthened.
    pub can_strengthen: Option<bool>,
    /// Whether the person can step in at short notice.
    pub can_step_in: Option<bool>,
    /// How they can step in ("can take the child home for a few nights").
    #[schema(max_length = 500)]
    pub step_in_how: Option<String>,
    /// When they can be reached ("hverdager etter 16, helg hele døgnet"), shown on the acute list.
    #[schema(max_length = 300)]
    pub reachable_when: Option<String>,
    /// Whether they can take the child in at short notice.
    pub can_take_child: Option<bool>,
    #[schema(format = Email)]
    pub email: Option<String>,
    /// Eight digits for a Norwegian number, or + and the country code.
    pub phone: Option<String>,
    #[schema(max_length = 300)]
    pub address: Option<String>,
    /// How the person prefers to be reached: email, sms, letter or call; by default email if
    /// they have an address, else SMS to a mobile, else a letter, else a call.
    #[schema(value_type = Option<Channel>)]
    pub preferred_channel: Option<String>,
    /// Whether an email goes too when another way is preferred (needs an email address).
    pub email_too: Option<bool>,
    /// Family abroad or of another culture: may need an interpreter or a cultural interpreter.
    pub abroad_other_culture: Option<bool>,
    /// The person's language: nb (bokmål), nn (nynorsk) or en (English); empty or absent for
    /// the service's written standard. Their invitations, texts, letters and answer page are in
    /// it.
    #[schema(value_type = Option<Lang>)]
    pub language: Option<String>,
    /// The language an interpreter is to be booked for ("arabisk", "tigrinja"), when the person
    /// needs one in meetings; empty or absent when not.
    #[schema(max_length = 60)]
    pub interpreter: Option<String>,
    /// The child's words about the person, added to those already recorded (never replacing
    /// them).
    pub child_words: Option<WordsRequest>,
}

/// Every mapped fact about one person, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFields {
    pub name: String,
    pub relation: Option<String>,
    pub category: RelationCategory,
    pub side: NetworkSide,
    pub lineage: Lineage,
    pub closeness: Closeness,
    pub quality: RelationQuality,
    pub can_strengthen: bool,
    pub can_step_in: bool,
    pub step_in_how: Option<String>,
    pub reachable_when: Option<String>,
    pub can_take_child: bool,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub address: Option<String>,
    pub preferred_channel: Channel,
    pub email_too: bool,
    pub abroad_other_culture: bool,
    /// `None`: the service's written standard.
    pub language: Option<Lang>,
    pub interpreter: Option<String>,
}

/// A person and, if sent, new words of the child's about them.
#[derive(Debug, Clone)]
pub struct PersonInput {
    pub fields: PersonFields,
    pub words: Option<ChildWords>,
}

impl PersonInput {
    pub fn parse(req: &PersonRequest, now: DateTime<Utc>) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let name = e.take("name", required_text(&req.name, 200));
        let relation = e.take("relation", optional_text(req.relation.as_deref(), 100));
        let category = e.take("category", RelationCategory::parse(&req.category));
        let side = e.take(
            "side",
            blank_to_none(req.side.as_deref())
                .map(NetworkSide::parse)
                .transpose(),
        );
        let lineage = e.take(
            "lineage",
            blank_to_none(req.lineage.as_deref())
                .map_or(Ok(Lineage::NotApplicable), Lineage::parse),
        );
        let closeness = e.take("closeness", Closeness::parse(&req.closeness));
        let quality = e.take("quality", RelationQuality::parse(&req.quality));
        let can_step_in = req.can_step_in.unwrap_or(false);
        let step_in_how = e.take("step_in_how", {
            let text = blank_to_none(req.step_in_how.as_deref());
            match text {
                Some(_) if !can_step_in => {
                    Err("say how only for someone who can step in (can_step_in)".to_owned())
                }
                Some(text) => long_text(text, 500).map(Some),
                None => Ok(None),
            }
        });
        let reachable_when = e.take(
            "reachable_when",
            optional_text(req.reachable_when.as_deref(), 300),
        );
        let email = e.take(
            "email",
            blank_to_none(req.email.as_deref())
                .map(Email::parse)
                .transpose(),
        );
        let phone = e.take(
            "phone",
            blank_to_none(req.phone.as_deref())
                .map(Phone::parse)
                .transpose(),
        );
        let address = e.take("address", optional_text(req.address.as_deref(), 300));
        let reach = e.take("preferred_channel", {
            let has_email = matches!(&email, Some(Some(_)));
            let has_address = matches!(&address, Some(Some(_)));
            let mobile = matches!(&phone, Some(Some(p)) if Phone::is_mobile(p));
            let chosen = blank_to_none(req.preferred_channel.as_deref())
                .map(Channel::parse)
                .transpose();
            match chosen {
                Err(m) => Err(m),
                // Only judged once the contact details themselves are right.
                Ok(_) if email.is_none() || phone.is_none() || address.is_none() => Ok(None),
                Ok(None) => Ok(Some(Channel::default_for(has_email, mobile, has_address))),
                Ok(Some(c)) => {
                    match c.missing(has_email, phone.clone().flatten().as_ref(), has_address) {
                        Some(m) => Err(m.to_owned()),
                        None => Ok(Some(c)),
                    }
                }
            }
        });
        let email_too = e.take("email_too", {
            let wanted = req.email_too.unwrap_or(false);
            if wanted && matches!(&email, Some(None)) {
                Err("an email address is needed for an email too")
            } else {
                Ok(wanted)
            }
        });
        let language = e.take(
            "language",
            blank_to_none(req.language.as_deref())
                .map(|code| {
                    Lang::parse(code)
                        .ok_or_else(|| "the language must be one of nb, nn, en".to_owned())
                })
                .transpose(),
        );
        let interpreter = e.take("interpreter", optional_text(req.interpreter.as_deref(), 60));
        let words = match &req.child_words {
            Some(words) => ChildWords::parse_into(words, "child_words.", now, &mut e).map(Some),
            None => Some(None),
        };
        let (
            Some(name),
            Some(relation),
            Some(category),
            Some(side),
            Some(lineage),
            Some(closeness),
            Some(quality),
            Some(step_in_how),
            Some(reachable_when),
            Some(email),
            Some(phone),
            Some(address),
            Some(reach),
            Some(email_too),
            Some(language),
            Some(interpreter),
            Some(words),
        ) = (
            name,
            relation,
            category,
            side,
            lineage,
            closeness,
            quality,
            step_in_how,
            reachable_when,
            email,
            phone,
            address,
            reach,
            email_too,
            language,
            interpreter,
            words,
        )
        else {
            return Err(e.into_error());
        };
        Ok(Self {
            fields: PersonFields {
                name,
                relation,
                side: side.unwrap_or_else(|| category.default_side()),
                category,
                lineage,
                closeness,
                quality,
                can_strengthen: req.can_strengthen.unwrap_or(false),
                can_step_in,
                step_in_how,
                reachable_when,
                can_take_child: req.can_take_child.unwrap_or(false),
                email,
                phone,
                address,
                preferred_channel: reach.unwrap_or(Channel::Call),
                email_too: email_too && channel_is_not_email(reach),
                abroad_other_culture: req.abroad_other_culture.unwrap_or(false),
                language,
                interpreter,
            },
            words,
        })
    }
}

fn channel_is_not_email(reach: Option<Channel>) -> bool {
    reach != Some(Channel::Email)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RevisionRequest {
    /// The day the map was gone through (YYYY-MM-DD); today if absent.
    #[schema(format = Date)]
    pub revised_on: Option<String>,
    /// Whether the child took part.
    #[schema(value_type = bool, required)]
    pub child_participated: Option<bool>,
    /// How the child took part ("drew the map with the coordinator"); required if they did, and
    /// otherwise the place to say why not.
    #[schema(max_length = 1000)]
    pub participation: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewRevision {
    pub revised_on: NaiveDate,
    pub child_participated: bool,
    pub participation: Option<String>,
}

impl NewRevision {
    pub fn parse(req: &RevisionRequest, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let revised_on = e.take(
            "revised_on",
            blank_to_none(req.revised_on.as_deref()).map_or(Ok(today), |t| past_date(t, today)),
        );
        let participated = e.take(
            "child_participated",
            req.child_participated
                .ok_or("say whether the child took part (true or false)"),
        );
        let participation = e.take("participation", {
            match blank_to_none(req.participation.as_deref()) {
                Some(text) => long_text(text, 1000).map(Some),
                None if participated == Some(true) => Err("say how the child took part".to_owned()),
                None => Ok(None),
            }
        });
        let (Some(revised_on), Some(child_participated), Some(participation)) =
            (revised_on, participated, participation)
        else {
            return Err(e.into_error());
        };
        Ok(Self {
            revised_on,
            child_participated,
            participation,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MeasureRequest {
    /// foster_home, institution or other.
    #[serde(default)]
    #[schema(required, value_type = MeasureKind)]
    pub kind: String,
    #[schema(max_length = 1000)]
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMeasure {
    pub kind: MeasureKind,
    pub description: Option<String>,
}

impl NewMeasure {
    pub fn parse(req: &MeasureRequest) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let kind = e.take("kind", MeasureKind::parse(&req.kind));
        let description = e.take("description", {
            blank_to_none(req.description.as_deref())
                .map(|t| long_text(t, 1000))
                .transpose()
        });
        let (Some(kind), Some(description)) = (kind, description) else {
            return Err(e.into_error());
        };
        Ok(Self { kind, description })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NetworkCheckRequest {
    /// check (who was considered, when, with what result) or justification (why no check).
    #[serde(default)]
    #[schema(required, value_type = CheckKind)]
    pub kind: String,
    /// For a check: the day it was made (YYYY-MM-DD).
    #[schema(format = Date)]
    pub checked_on: Option<String>,
    /// For a check: the ids of the persons on this case's map who were considered.
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>)]
    pub considered: Vec<String>,
    /// For a check: what came of it.
    #[schema(max_length = 2000)]
    pub result: Option<String>,
    /// For a justification: why the network was not checked.
    #[schema(max_length = 2000)]
    pub justification: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NewCheck {
    Check {
        checked_on: NaiveDate,
        considered: Vec<Uuid>,
        result: String,
    },
    Justification {
        text: String,
    },
}

impl NewCheck {
    pub fn parse(req: &NetworkCheckRequest, today: NaiveDate) -> Result<Self, AppError> {
        let mut e = Errors::default();
        let kind = CheckKind::parse(&req.kind).map_err(|m| AppError::field("kind", m))?;
        let check = match kind {
            CheckKind::Check => {
                let checked_on = e.take(
                    "checked_on",
                    blank_to_none(req.checked_on.as_deref())
                        .ok_or_else(|| "give the day the network was checked".to_owned())
                        .and_then(|t| past_date(t, today)),
                );
                let mut considered = Vec::new();
                for (i, raw) in req.considered.iter().enumerate() {
                    if let Some(id) = e.take(
                        &format!("considered[{i}]"),
                        Uuid::parse_str(raw.trim()).map_err(|_| "not a person id"),
                    ) && !considered.contains(&id)
                    {
                        considered.push(id);
                    }
                }
                if req.considered.is_empty() {
                    e.push(
                        "considered",
                        "name at least one person on the map who was considered",
                    );
                }
                let result = e.take(
                    "result",
                    long_text(req.result.as_deref().unwrap_or_default(), 2000),
                );
                if blank_to_none(req.justification.as_deref()).is_some() {
                    e.push("justification", "a check has a result, not a justification");
                }
                match (checked_on, result) {
                    (Some(checked_on), Some(result)) if !req.considered.is_empty() => {
                        Some(Self::Check {
                            checked_on,
                            considered,
                            result,
                        })
                    }
                    _ => None,
                }
            }
            CheckKind::Justification => {
                let text = e.take(
                    "justification",
                    long_text(req.justification.as_deref().unwrap_or_default(), 2000),
                );
                for (field, given) in [
                    (
                        "checked_on",
                        blank_to_none(req.checked_on.as_deref()).is_some(),
                    ),
                    ("considered", !req.considered.is_empty()),
                    ("result", blank_to_none(req.result.as_deref()).is_some()),
                ] {
                    if given {
                        e.push(field, "belongs to a check, not to a justification");
                    }
                }
                text.map(|text| Self::Justification { text })
            }
        };
        match check {
            Some(check) if e.0.is_empty() => Ok(check),
            _ => Err(e.into_error()),
        }
    }

    pub fn kind(&self) -> CheckKind {
        match self {
            Self::Check { .. } => CheckKind::Check,
            Self::Justification { .. } => CheckKind::Justification,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn now() -> DateTime<Utc> {
        today().and_hms_opt(10, 0, 0).unwrap().and_utc()
    }

    fn fields(err: AppError) -> Vec<String> {
        match err {
            AppError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_birth_is_a_date_or_a_year_that_agree_and_are_not_in_the_future() {
        let t = today();
        assert_eq!(
            Birth::parse(Some("2015-04-01"), None, t).unwrap(),
            Birth {
                year: 2015,
                date: NaiveDate::from_ymd_opt(2015, 4, 1)
            }
        );
        assert_eq!(
            Birth::parse(Some(" "), Some(2012), t).unwrap(),
            Birth {
                year: 2012,
                date: None
            }
        );
        assert!(Birth::parse(Some("2015-04-01"), Some(2015), t).is_ok());
        for (date, year) in [
            (Some("2015-04-01"), Some(2014)),
            (Some("2027-01-01"), None),
            (Some("01.04.2015"), None),
            (None, Some(2027)),
            (None, Some(1990)),
            (None, None),
        ] {
            assert!(Birth::parse(date, year, t).is_err(), "{date:?} {year:?}");
        }
    }

    #[test]
    fn a_case_reports_every_wrong_field_at_once() {
        let req = NewCaseRequest {
            child: ChildRequest {
                first_name: " ".into(),
                last_name: "Nordmann".into(),
                birth_year: Some(2031),
                gender: Some("unknown".into()),
                ..Default::default()
            },
            phase: Some("foster".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(NewCase::parse(&req, now(), today()).unwrap_err()),
            [
                "child.first_name",
                "child.birth_date",
                "child.gender",
                "phase"
            ]
        );
        let ok = NewCaseRequest {
            child: ChildRequest {
                first_name: "Emma".into(),
                last_name: "Nordmann".into(),
                birth_year: Some(2016),
                ..Default::default()
            },
            ..Default::default()
        };
        let case = NewCase::parse(&ok, now(), today()).unwrap();
        assert_eq!(case.phase, Phase::Investigation);
        assert_eq!(case.child.gender, Gender::Unspecified);
        assert_eq!(case.opened_at, now());
    }

    #[test]
    fn corrected_child_details_are_checked_like_a_new_cases() {
        let req = ChildRequest {
            first_name: "Emma".into(),
            last_name: "".into(),
            birth_date: Some("2016-04-01".into()),
            birth_year: Some(2015),
            language: Some("x".repeat(61)),
            ..Default::default()
        };
        assert_eq!(
            fields(NewChild::parse(&req, today()).unwrap_err()),
            ["last_name", "birth_date", "language"],
            "named without the child. prefix of a new case"
        );
        let ok = ChildRequest {
            first_name: " Emma ".into(),
            last_name: "Nordmann".into(),
            birth_year: Some(2016),
            interpreter_needed: Some(true),
            ..Default::default()
        };
        let child = NewChild::parse(&ok, today()).unwrap();
        assert_eq!(child.first_name, "Emma");
        assert_eq!(
            child.birth,
            Birth {
                year: 2016,
                date: None
            }
        );
        assert_eq!(child.gender, Gender::Unspecified);
        assert!(child.interpreter_needed);
    }

    fn person() -> PersonRequest {
        PersonRequest {
            name: "Kari Nordmann".into(),
            category: "other_parent_family".into(),
            closeness: "close".into(),
            quality: "supportive".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_person_takes_the_categorys_side_unless_told_and_refuses_bad_contacts() {
        let parsed = PersonInput::parse(&person(), now()).unwrap();
        assert_eq!(parsed.fields.side, NetworkSide::Private);
        assert_eq!(parsed.fields.lineage, Lineage::NotApplicable);
        let teacher = PersonRequest {
            category: "school".into(),
            ..person()
        };
        assert_eq!(
            PersonInput::parse(&teacher, now()).unwrap().fields.side,
            NetworkSide::Public
        );
        let bad = PersonRequest {
            category: "cousin".into(),
            email: Some("kari@".into()),
            phone: Some("123".into()),
            step_in_how: Some("picks up from school".into()),
            child_words: Some(WordsRequest {
                text: "Hun er snill".into(),
                author: "teacher".into(),
                written_at: None,
            }),
            ..person()
        };
        assert_eq!(
            fields(PersonInput::parse(&bad, now()).unwrap_err()),
            [
                "category",
                "step_in_how",
                "email",
                "phone",
                "child_words.author"
            ]
        );
        let blank_contacts = PersonRequest {
            email: Some("".into()),
            phone: Some(" ".into()),
            ..person()
        };
        let parsed = PersonInput::parse(&blank_contacts, now()).unwrap();
        assert_eq!((parsed.fields.email, parsed.fields.phone), (None, None));
    }

    #[test]
    fn a_revision_says_how_the_child_took_part() {
        let took_part = RevisionRequest {
            child_participated: Some(true),
            ..Default::default()
        };
        assert_eq!(
            fields(NewRevision::parse(&took_part, today()).unwrap_err()),
            ["participation"]
        );
        let silent = RevisionRequest::default();
        assert_eq!(
            fields(NewRevision::parse(&silent, today()).unwrap_err()),
            ["child_participated"]
        );
        let not = RevisionRequest {
            child_participated: Some(false),
            revised_on: Some("2026-11-01".into()),
            ..Default::default()
        };
        let parsed = NewRevision::parse(&not, today()).unwrap();
        assert_eq!(
            parsed.revised_on,
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        let future = RevisionRequest {
            revised_on: Some("2026-11-23".into()),
            ..not
        };
        assert!(NewRevision::parse(&future, today()).is_err());
    }

    #[test]
    fn a_check_needs_who_when_and_what_and_a_justification_needs_words() {
        let id = Uuid::now_v7();
        let check = NetworkCheckRequest {
            kind: "check".into(),
            checked_on: Some("2026-11-20".into()),
            considered: vec![id.to_string(), id.to_string()],
            result: Some("Mormor kan ikke ta imot barnet nå".into()),
            ..Default::default()
        };
        assert_eq!(
            NewCheck::parse(&check, today()).unwrap(),
            NewCheck::Check {
                checked_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                considered: vec![id],
                result: "Mormor kan ikke ta imot barnet nå".into()
            }
        );
        let empty = NetworkCheckRequest {
            kind: "check".into(),
            considered: vec!["nobody".into()],
            ..Default::default()
        };
        assert_eq!(
            fields(NewCheck::parse(&empty, today()).unwrap_err()),
            ["checked_on", "considered[0]", "result"]
        );
        let mixed = NetworkCheckRequest {
            kind: "justification".into(),
            justification: Some("Akutt plassering om natten".into()),
            result: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(NewCheck::parse(&mixed, today()).unwrap_err()),
            ["result"]
        );
        assert_eq!(
            fields(
                NewCheck::parse(
                    &NetworkCheckRequest {
                        kind: "maybe".into(),
                        ..Default::default()
                    },
                    today()
                )
                .unwrap_err()
            ),
            ["kind"]
        );
    }

    /// The code lists in the migration's CHECK constraints are the vocabularies' codes.
    #[test]
    fn the_database_accepts_exactly_the_vocabularies_codes() {
        let sql = include_str!("../../migrations/2026-11-22-000004_cases/up.sql");
        fn listed(sql: &str, column: &str) -> Vec<Vec<String>> {
            let needle = format!("CHECK ({column} IN (");
            sql.match_indices(&needle)
                .map(|(at, _)| {
                    let rest = &sql[at + needle.len()..];
                    let end = rest.find("))").expect("closed list");
                    rest[..end]
                        .split(',')
                        .map(|code| code.trim().trim_matches('\'').to_owned())
                        .collect()
                })
                .collect()
        }
        fn expect(sql: &str, column: &str, codes: Vec<&str>, times: usize) {
            let lists = listed(sql, column);
            assert_eq!(lists.len(), times, "{column} is checked {times} times");
            for list in lists {
                assert_eq!(list, codes, "{column}");
            }
        }
        expect(
            sql,
            "category",
            RelationCategory::ALL.map(|c| c.as_str()).to_vec(),
            1,
        );
        expect(
            sql,
            "side",
            NetworkSide::ALL.map(|c| c.as_str()).to_vec(),
            1,
        );
        expect(sql, "lineage", Lineage::ALL.map(|c| c.as_str()).to_vec(), 1);
        expect(
            sql,
            "closeness",
            Closeness::ALL.map(|c| c.as_str()).to_vec(),
            1,
        );
        expect(
            sql,
            "quality",
            RelationQuality::ALL.map(|c| c.as_str()).to_vec(),
            1,
        );
        expect(sql, "phase", Phase::ALL.map(|c| c.as_str()).to_vec(), 2);
        expect(sql, "gender", Gender::ALL.map(|c| c.as_str()).to_vec(), 1);
        expect(
            sql,
            "author",
            WordsAuthor::ALL.map(|c| c.as_str()).to_vec(),
            1,
        );
        expect(
            sql,
            "status",
            MeasureStatus::ALL.map(|c| c.as_str()).to_vec(),
            1,
        );
        // `kind` is checked on two tables with two vocabularies; the measures' kinds were widened
        // by a later migration.
        let kinds = listed(sql, "kind");
        assert_eq!(
            kinds[1],
            CheckKind::ALL.map(|c| c.as_str().to_owned()).to_vec()
        );
        let widened =
            include_str!("../../migrations/2026-12-06-000401_network_foster_homes/up.sql");
        assert_eq!(
            listed(widened, "kind"),
            [MeasureKind::ALL.map(|c| c.as_str().to_owned()).to_vec()]
        );
    }
}
