//! A failed form as a page shows it: each wrong field's message in the reader's language, placed
//! on its input, and a refusal's sentence — never the API's English detail under a Norwegian
//! heading. The API keeps its English `errors[].message`; the page finds the reader's sentence in
//! the catalogue's `field_error` table by what the message says.

use crate::web::i18n::Tr;
use crate::web::problem::AppError;

/// The catalogue sentence for an API field message: the first entry whose English text the
/// message starts with; a length limit keeps its number.
const SENTENCES: &[(&str, &str)] = &[
    (
        "the way of answering must be one of",
        "field_error.answered_how",
    ),
    ("required with an objection", "field_error.objection"),
    (
        "the answer to the invitation must be one of",
        "field_error.response",
    ),
    ("this field is required", "field_error.required"),
    ("required", "field_error.required"),
    ("the reason is required", "field_error.required"),
    ("line breaks and control characters", "field_error.one_line"),
    ("control characters are not allowed", "field_error.one_line"),
    ("enter an email address", "field_error.email_missing"),
    ("enter a phone number", "field_error.phone"),
    ("a phone number is", "field_error.phone"),
    ("a norwegian number has", "field_error.phone"),
    ("an email address", "field_error.email_invalid"),
    (
        "this is not a valid email address",
        "field_error.email_invalid",
    ),
    (
        "the meeting cannot start in the past",
        "field_error.starts_in_past",
    ),
    (
        "someone on the team already has a meeting",
        "field_error.double_booked",
    ),
    (
        "give the end or the length, not both",
        "field_error.end_or_length",
    ),
    (
        "the meeting ends before it starts",
        "field_error.ends_before_start",
    ),
    ("an end needs a start", "field_error.end_needs_start"),
    ("a meeting lasts between", "field_error.meeting_length"),
    (
        "give a place, a video link, or both",
        "field_error.place_or_video",
    ),
    (
        "a video link starts with https://",
        "field_error.video_https",
    ),
    ("the length is a whole number", "field_error.whole_minutes"),
    ("not a valid time", "field_error.not_a_time"),
    ("write the time as", "field_error.not_a_time"),
    ("this time does not exist", "field_error.clock_gap"),
    ("this time occurs twice", "field_error.clock_repeat"),
    (
        "the time cannot be in the future",
        "field_error.future_time",
    ),
    (
        "consent comes after being informed",
        "field_error.informed_first",
    ),
    ("not a person on this case's map", "field_error.choose"),
    (
        "a kommunenummer is exactly four digits",
        "admin.error.kommunenummer",
    ),
    ("a date is written yyyy-mm-dd", "field_error.date"),
    ("use 1–63 lowercase letters", "operator.error.slug"),
    (
        "a service serves at least one municipality",
        "operator.error.municipalities",
    ),
    (
        "a municipality is listed twice",
        "operator.error.listed_twice",
    ),
    (
        "the due date cannot be in the past",
        "field_error.due_in_past",
    ),
    (
        "the due date is after the evaluation date",
        "field_error.due_after_evaluation",
    ),
    (
        "a recurring commitment repeats every",
        "field_error.every_days",
    ),
    (
        "a family group conference's plan is approved only when",
        "field_error.safety_first",
    ),
    ("the evaluation date lies ahead", "field_error.date_ahead"),
    ("the next evaluation lies ahead", "field_error.date_ahead"),
    (
        "the date cannot be in the future",
        "field_error.not_in_future",
    ),
    (
        "the evaluation cannot be in the future",
        "field_error.not_in_future",
    ),
    (
        "give exactly one of participant_id",
        "field_error.choose_who",
    ),
    (
        "give the next evaluation date unless",
        "field_error.next_evaluation",
    ),
    (
        "this number is not in statistics norway's register",
        "admin.error.unknown_municipality",
    ),
    ("not a valid id", "field_error.choose"),
    ("not a person id", "field_error.choose"),
    (
        "no case of the service has this reference",
        "field_error.unknown_reference",
    ),
    (
        "choose the staff member who takes the case",
        "field_error.choose_assignee",
    ),
    (
        "leaders see aggregate figures, not cases",
        "field_error.assignee_leader",
    ),
    (
        "no active staff member of this service has that id",
        "field_error.choose_assignee",
    ),
    (
        "confirm ending the council",
        "council.tasks.end_unconfirmed",
    ),
    ("a whole number between", "registration.error.number"),
    (
        "give the reason the meeting is recorded afterwards",
        "council.afterwards.error_reason",
    ),
    (
        "a meeting recorded afterwards has taken place",
        "council.afterwards.error_future",
    ),
    (
        "say who came to the meeting",
        "council.afterwards.error_attendees",
    ),
    (
        "someone who came is not on the council's team",
        "council.afterwards.error_not_on_team",
    ),
    ("at most 50 decisions", "council.record.error_decisions"),
];

/// `message` (an API field message) in the reader's language.
pub fn sentence(tr: &Tr, message: &str) -> String {
    let lower = message.trim().to_lowercase();
    if let Some(max) = lower
        .strip_prefix("at most ")
        .and_then(|rest| rest.strip_suffix(" characters"))
    {
        return crate::mail::templates::fill(tr.t("field_error.too_long"), &[("max", max)]);
    }
    // A field's own sentence first, then the general ones.
    if let Some((_, key)) = SENTENCES
        .iter()
        .find(|(english, _)| lower.starts_with(english))
    {
        return tr.t(key).to_owned();
    }
    if lower.contains("must be one of") {
        return tr.t("field_error.choose").to_owned();
    }
    tr.t("field_error.check").to_owned()
}

/// What went wrong with a posted form: the messages by input id, or the sentence of the rule
/// that refused it.
#[derive(Debug, Clone, Default)]
pub struct FormFailure {
    /// (input id, message), in the order of the form.
    pub fields: Vec<(String, String)>,
    /// A refusal, or a failure that belongs to no one field.
    pub problem: Option<String>,
}

impl FormFailure {
    /// The failure of `err` for a page in `tr`'s language, each field placed on its input by
    /// `input_id`. `None` for errors that are no business of the form (not found, forbidden,
    /// internal): those become their own error page.
    pub fn of(err: &AppError, tr: &Tr, input_id: impl Fn(&str) -> String) -> Option<Self> {
        match err {
            AppError::Validation(fields) => {
                let mut out: Vec<(String, String)> = Vec::new();
                for f in fields {
                    let id = input_id(&f.field);
                    if !out.iter().any(|(i, _)| *i == id) {
                        out.push((id, sentence(tr, &f.message)));
                    }
                }
                Some(Self {
                    fields: out,
                    problem: None,
                })
            }
            AppError::Refused { rule, .. } => Some(Self {
                fields: Vec::new(),
                problem: Some(rule.title(tr.lang()).to_owned()),
            }),
            AppError::Malformed(_) => Some(Self {
                fields: Vec::new(),
                problem: Some(tr.t("field_error.malformed").to_owned()),
            }),
            _ => None,
        }
    }

    /// The message at input `id`, if it is wrong.
    pub fn at(&self, id: impl AsRef<str>) -> Option<&str> {
        let id = id.as_ref();
        self.fields
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.problem.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn api_messages_become_the_readers_sentences() {
        let nb = Tr::new(Lang::Nb);
        assert_eq!(
            sentence(&nb, "the meeting cannot start in the past"),
            "Møtet kan ikke begynne før nå. Velg et senere tidspunkt."
        );
        assert_eq!(
            sentence(&nb, "at most 200 characters"),
            "Skriv høyst 200 tegn."
        );
        assert_eq!(
            sentence(&nb, "the meeting role must be one of a, b"),
            "Velg et av alternativene i listen."
        );
        assert_eq!(
            sentence(&nb, "something no page has seen"),
            "Sjekk det som står her."
        );
        // A time the clock skips or repeats says why, in the reader's words.
        let gap =
            crate::time::local_moment("2027-03-28T02:30", chrono_tz::Europe::Oslo).unwrap_err();
        assert!(sentence(&nb, &gap).starts_with("Klokkeslettet finnes ikke den natten"));
        let twice =
            crate::time::local_moment("2026-10-25T02:30", chrono_tz::Europe::Oslo).unwrap_err();
        assert!(sentence(&nb, &twice).starts_with("Klokkeslettet kommer to ganger"));
        let en = Tr::new(Lang::En);
        assert_eq!(
            sentence(&en, "this field is required"),
            "Fill in this field."
        );
    }

    #[test]
    fn a_refusal_is_its_rules_sentence_and_fields_land_on_their_inputs() {
        let nb = Tr::new(Lang::Nb);
        let refused = crate::web::refusal::Refusal::QuestionLimit.because("five already");
        let failure = FormFailure::of(&refused, &nb, str::to_owned).expect("shown on the form");
        assert!(
            failure
                .problem
                .unwrap()
                .starts_with("Barnet har allerede fem")
        );
        let invalid = AppError::field("starts_at", "not a valid time");
        let failure =
            FormFailure::of(&invalid, &nb, |f| f.replace('_', "-")).expect("shown on the form");
        assert_eq!(
            failure.at("starts-at"),
            Some("Skriv dato og klokkeslett, som 24.12.2026 18:00.")
        );
        assert!(FormFailure::of(&AppError::NotFound, &nb, str::to_owned).is_none());
    }
}
