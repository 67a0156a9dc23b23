//! Parse-once input types and the vocabularies of foster-home recruitment.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::cases::domain::PersonRequest;
use crate::vocabulary::vocabulary;
use crate::web::problem::{AppError, FieldError};

vocabulary! {
    /// How urgent the referral is.
    pub enum Urgency ("urgency") {
        Ordinary => "ordinary", "Ordinær", "Ordinary";
        Urgent => "urgent", "Haster", "Urgent";
        Acute => "acute", "Akutt", "Acute";
    }
}

vocabulary! {
    /// Which foster care service recruits: the municipality's own or the state's regional one.
    pub enum Service ("foster care service") {
        Municipal => "municipal", "Kommunens fosterhjemstjeneste", "The municipality's foster care service";
        State => "state", "Statens fosterhjemstjeneste (Bufetat)", "The state's foster care service (Bufetat)";
    }
}

vocabulary! {
    /// A step of the flow, in its order.
    #[schema(as = RecruitmentStep)]
    pub enum Step ("step") {
        Referral => "referral", "Henvisning om fosterhjem", "Foster-home referral";
        Started => "started", "Koordinator har startet", "Coordinator started";
        InfoMeeting => "info_meeting", "Informasjonsmøte", "Information meeting";
        FgcMeeting => "fgc_meeting", "Familierådsmøte: Hvor kan barnet bo?", "Family group conference: where can the child live?";
        ClarificationMeeting => "clarification_meeting", "Avklaringsmøte", "Clarification meeting";
        FamilyPlan => "family_plan", "Familiens plan", "The family's plan";
        Answer => "answer", "Svar fra hjemmet", "The home's answer";
        SelfInformation => "self_information", "Egeninformasjon", "Self-information form";
        Interviews => "interviews", "Samtaler (tilknytningssamtale, hjemmebesøk)", "Interviews (attachment interview, home visit)";
        Matching => "matching", "Matching", "Matching";
        Decision => "decision", "Beslutning", "Decision";
        Intake => "intake", "Inntak tar kontakt", "Intake makes contact";
    }
}

vocabulary! {
    /// A candidate home's answer.
    #[schema(as = CandidateAnswer)]
    pub enum Answer ("answer") {
        Yes => "yes", "Ja", "Yes";
        No => "no", "Nei", "No";
        Maybe => "maybe", "Tja", "Maybe";
    }
}

vocabulary! {
    /// The service's decision about a candidate home.
    #[schema(as = CandidateDecision)]
    pub enum Decision ("decision") {
        Yes => "yes", "Ja", "Yes";
        No => "no", "Nei", "No";
    }
}

/// The steps staff record (the answers and the form are the candidates' own).
pub const RECORDED: [Step; 9] = [
    Step::Started,
    Step::InfoMeeting,
    Step::FgcMeeting,
    Step::ClarificationMeeting,
    Step::FamilyPlan,
    Step::Interviews,
    Step::Matching,
    Step::Decision,
    Step::Intake,
];

/// The fields of the self-information form, in its order.
pub const FORM_FIELDS: [&str; 8] = [
    "household",
    "housing",
    "work",
    "health",
    "experience",
    "motivation",
    "relation",
    "support",
];

fn text(
    field: &str,
    value: Option<String>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if let Some(v) = &value
        && v.chars().count() > max
    {
        errors.push(FieldError::new(field, format!("at most {max} characters")));
    }
    value
}

fn done(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// What the caseworker sends to refer the case to the foster care service.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReferralRequest {
    #[schema(required, min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    #[schema(value_type = Option<Urgency>)]
    pub urgency: Option<String>,
    /// Whether a family group conference is wished.
    #[serde(default)]
    pub fgc_wished: bool,
    #[schema(value_type = Option<Service>)]
    pub service: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewReferral {
    pub reason: String,
    pub urgency: Urgency,
    pub fgc_wished: bool,
    pub service: Service,
}

impl ReferralRequest {
    pub fn parse(self) -> Result<NewReferral, AppError> {
        let mut errors = Vec::new();
        let reason = text("reason", self.reason, 2000, &mut errors);
        if reason.is_none() {
            errors.push(FieldError::new("reason", "required"));
        }
        let urgency = match Urgency::parse(self.urgency.as_deref().unwrap_or("ordinary")) {
            Ok(u) => Some(u),
            Err(e) => {
                errors.push(FieldError::new("urgency", e));
                None
            }
        };
        let service = match Service::parse(self.service.as_deref().unwrap_or("municipal")) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push(FieldError::new("service", e));
                None
            }
        };
        done(errors)?;
        Ok(NewReferral {
            reason: reason.unwrap_or_default(),
            urgency: urgency.unwrap_or(Urgency::Ordinary),
            fgc_wished: self.fgc_wished,
            service: service.unwrap_or(Service::Municipal),
        })
    }
}

/// A step recorded by staff: which, on what day, a note; the family group conference names its
/// council; the decision says yes or no and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StepRequest {
    #[schema(value_type = Step)]
    pub step: String,
    /// The day it happened (`YYYY-MM-DD`); today when left out.
    pub done_on: Option<NaiveDate>,
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// For `fgc_meeting`: the family group conference of the case.
    pub council_id: Option<Uuid>,
    /// For `decision`: `yes` or `no`.
    #[schema(value_type = Option<Decision>)]
    pub decision: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewStep {
    pub step: Step,
    pub done_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub council_id: Option<Uuid>,
    pub decision: Option<Decision>,
}

impl StepRequest {
    pub fn parse(self) -> Result<NewStep, AppError> {
        let mut errors = Vec::new();
        let step = match Step::parse(&self.step) {
            Ok(s) if RECORDED.contains(&s) => Some(s),
            Ok(_) => {
                errors.push(FieldError::new(
                    "step",
                    "this step follows from the plan, the answers or the form",
                ));
                None
            }
            Err(e) => {
                errors.push(FieldError::new("step", e));
                None
            }
        };
        let note = text("note", self.note, 4000, &mut errors);
        let decision = match self
            .decision
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => None,
            Some(d) => match Decision::parse(d) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(FieldError::new("decision", e));
                    None
                }
            },
        };
        if step == Some(Step::Decision) {
            if decision.is_none() && !errors.iter().any(|e| e.field == "decision") {
                errors.push(FieldError::new("decision", "required"));
            }
            if note.is_none() {
                errors.push(FieldError::new("note", "the reason is required"));
            }
        }
        if step == Some(Step::FgcMeeting) && self.council_id.is_none() {
            errors.push(FieldError::new("council_id", "required"));
        }
        done(errors)?;
        Ok(NewStep {
            step: step.unwrap_or(Step::Started),
            done_on: self.done_on,
            note,
            council_id: self.council_id,
            decision,
        })
    }
}

/// A candidate home of the family's plan: one or two persons of the map, one of whom may be new
/// to the map (`new_person`: they join it). It takes the next rank.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CandidateRequest {
    #[serde(default)]
    pub person_ids: Vec<Uuid>,
    /// A person not yet on the map, added to it and ranked in the same home.
    pub new_person: Option<PersonRequest>,
}

/// A candidate home as parsed: the persons of the map, and the one who joins it.
#[derive(Debug, Clone)]
pub struct NewCandidate {
    pub person_ids: Vec<Uuid>,
    pub new_person: Option<PersonRequest>,
}

impl CandidateRequest {
    pub fn parse(self) -> Result<NewCandidate, AppError> {
        let mut ids = self.person_ids;
        let n = ids.len();
        ids.sort();
        ids.dedup();
        let total = n + usize::from(self.new_person.is_some());
        if total == 0 || total > 2 {
            return Err(AppError::field(
                "person_ids",
                "one or two persons from the map",
            ));
        }
        if ids.len() != n {
            return Err(AppError::field("person_ids", "the same person twice"));
        }
        Ok(NewCandidate {
            person_ids: ids,
            new_person: self.new_person,
        })
    }
}

/// A candidate's answer through their link.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AnswerRequest {
    pub answer: String,
}

/// The self-information form as the candidate fills it in; every field is free text.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SelfInformation {
    #[serde(default)]
    pub household: String,
    #[serde(default)]
    pub housing: String,
    #[serde(default)]
    pub work: String,
    #[serde(default)]
    pub health: String,
    #[serde(default)]
    pub experience: String,
    #[serde(default)]
    pub motivation: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub support: String,
}

impl SelfInformation {
    pub fn values(&self) -> [(&'static str, &str); 8] {
        [
            ("household", &self.household),
            ("housing", &self.housing),
            ("work", &self.work),
            ("health", &self.health),
            ("experience", &self.experience),
            ("motivation", &self.motivation),
            ("relation", &self.relation),
            ("support", &self.support),
        ]
    }

    /// Trims every field and checks the lengths.
    pub fn parse(mut self) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        for (name, value) in [
            ("household", &mut self.household),
            ("housing", &mut self.housing),
            ("work", &mut self.work),
            ("health", &mut self.health),
            ("experience", &mut self.experience),
            ("motivation", &mut self.motivation),
            ("relation", &mut self.relation),
            ("support", &mut self.support),
        ] {
            *value = value.trim().to_owned();
            if value.chars().count() > 4000 {
                errors.push(FieldError::new(name, "at most 4000 characters"));
            }
        }
        done(errors)?;
        Ok(self)
    }

    /// The fields still empty, which a submission needs.
    pub fn missing(&self) -> Vec<&'static str> {
        self.values()
            .into_iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(k, _)| k)
            .collect()
    }
}
