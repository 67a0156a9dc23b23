//! The demo's foster-home recruitment, made through the recruitment actions (the rules, the audit
//! rows and the jobs are real): in the case with the family group conference, a referral to the
//! municipality's foster care service, started, through the information meeting, the conference
//! ("Hvor kan barnet bo?") and the clarification meeting to the family's plan with two ranked
//! homes from the child's map, each sent its own link.

use actix_web::web;
use uuid::Uuid;

use crate::access::Caller;
use crate::recruitment::actions;
use crate::recruitment::domain::{CandidateRequest, ReferralRequest, StepRequest};
use crate::web::AppState;
use crate::web::problem::AppError;

/// Writes the recruitment of `case`, whose family group conference is `conference`.
pub async fn seed(
    state: &web::Data<AppState>,
    caller: &Caller,
    case: Uuid,
    conference: Uuid,
) -> Result<(), AppError> {
    let referral = ReferralRequest {
        reason: Some(
            "Barnet kan ikke bo hjemme en periode. Familien ønsker at barnet bor hos noen det \
             kjenner."
                .into(),
        ),
        urgency: Some("ordinary".into()),
        fgc_wished: true,
        service: Some("municipal".into()),
    };
    let id = actions::refer(state, caller, case, referral).await?.id;
    let step = |name: &str, note: &str, council_id: Option<Uuid>| StepRequest {
        step: name.into(),
        done_on: None,
        note: Some(note.into()),
        council_id,
        decision: None,
    };
    for request in [
        step("started", "Koordinator er valgt.", None),
        step(
            "info_meeting",
            "Familien fikk vite hvordan rekrutteringen foregår.",
            None,
        ),
        step(
            "fgc_meeting",
            "Familien laget sin plan for hvor barnet kan bo.",
            Some(conference),
        ),
        step(
            "clarification_meeting",
            "Tjenesten og fosterhjemstjenesten gikk gjennom planen med familien.",
            None,
        ),
    ] {
        actions::record_step(state, caller, case, id, request).await?;
    }
    let map = crate::cases::actions::persons(&state.db, caller, case).await?;
    for person in map.iter().take(2) {
        let home = CandidateRequest {
            person_ids: vec![person.person.id],
            new_person: None,
        };
        actions::add_candidate(state, caller, case, id, home).await?;
    }
    let plan = step(
        "family_plan",
        "To mulige hjem, i familiens rekkefølge.",
        None,
    );
    actions::record_step(state, caller, case, id, plan).await?;
    Ok(())
}
