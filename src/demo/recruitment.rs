//! The demo's foster-home recruitments, made through the recruitment actions (the rules, the
//! audit rows and the jobs are real), each with the demo's foster care officer assigned to the
//! case: in the case with the family group conference, a referral to the municipality's foster
//! care service, started, through the information meeting, the conference ("Hvor kan barnet
//! bo?") and the clarification meeting to the family's plan with two ranked homes from the
//! child's map, each sent its own link; in another case one decided: home 1 said no, home 2 yes
//! and sent its self-information form through its link, then the interviews, the matching and
//! the service's yes with its reason.

use actix_web::web;
use uuid::Uuid;

use diesel::prelude::*;

use crate::access::{Caller, Role};
use crate::db::schema::users;
use crate::recruitment::actions::{self, LinkAction};
use crate::recruitment::domain::{
    Answer, CandidateRequest, ReferralRequest, SelfInformation, StepRequest,
};
use crate::tokens::{CandidateLink, LinkToken};
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
    assign_officer(state, caller, case).await?;
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

fn step(name: &str, note: &str, council_id: Option<Uuid>) -> StepRequest {
    StepRequest {
        step: name.into(),
        done_on: None,
        note: Some(note.into()),
        council_id,
        decision: None,
    }
}

/// Assigns the demo's foster care officer to `case`: they see its recruitment, nothing else.
async fn assign_officer(
    state: &web::Data<AppState>,
    caller: &Caller,
    case: Uuid,
) -> Result<(), AppError> {
    let officer: Option<Uuid> = state
        .db
        .tenant(caller.tenant, |conn| {
            Ok::<_, AppError>(
                users::table
                    .filter(users::role.eq(Role::FosterCare.as_str()))
                    .select(users::id)
                    .first(conn)
                    .optional()?,
            )
        })
        .await?;
    if let Some(officer) = officer {
        crate::cases::actions::assign(&state.db, caller, case, officer).await?;
    }
    Ok(())
}

/// A recruitment decided yes in `case`, whose family group conference is `conference`: home 1
/// said no, home 2 yes with its self-information form, interviewed, matched and decided for.
pub async fn seed_decided(
    state: &web::Data<AppState>,
    caller: &Caller,
    case: Uuid,
    conference: Uuid,
) -> Result<(), AppError> {
    let referral = ReferralRequest {
        reason: Some("Barnet trenger et nytt hjem. Familien vil finne det selv.".into()),
        urgency: Some("urgent".into()),
        fgc_wished: true,
        service: Some("municipal".into()),
    };
    let id = actions::refer(state, caller, case, referral).await?.id;
    assign_officer(state, caller, case).await?;
    for request in [
        step("started", "Koordinator er valgt.", None),
        step(
            "info_meeting",
            "Familien fikk vite hvordan det foregår.",
            None,
        ),
        step(
            "fgc_meeting",
            "Familien pekte ut to hjem.",
            Some(conference),
        ),
        step(
            "clarification_meeting",
            "Planen er gjennomgått med familien.",
            None,
        ),
    ] {
        actions::record_step(state, caller, case, id, request).await?;
    }
    let map = crate::cases::actions::persons(&state.db, caller, case).await?;
    let mut homes = Vec::new();
    for person in map.iter().take(2) {
        let home = CandidateRequest {
            person_ids: vec![person.person.id],
            new_person: None,
        };
        let view = actions::add_candidate(state, caller, case, id, home).await?;
        homes.extend(view.candidates.last().map(|c| c.id));
    }
    let plan = step("family_plan", "To mulige hjem.", None);
    actions::record_step(state, caller, case, id, plan).await?;
    let key = state.settings.token_key();
    let link = |home: Uuid| {
        LinkToken::<CandidateLink>::derive(&key, home)
            .as_str()
            .to_owned()
    };
    if let [first, second] = homes[..] {
        actions::through_link(state, &link(first), LinkAction::Answer(Answer::No)).await?;
        actions::through_link(state, &link(second), LinkAction::Answer(Answer::Yes)).await?;
        let form = SelfInformation {
            household: "Vi er to voksne og en hund.".into(),
            housing: "Enebolig med eget rom til barnet.".into(),
            work: "Begge i full jobb, fleksibel arbeidstid.".into(),
            health: "God.".into(),
            experience: "Har hatt barnet på besøk i mange år.".into(),
            motivation: "Barnet kjenner oss og vil bo her.".into(),
            relation: "Familie.".into(),
            support: "Avlastning en helg i måneden.".into(),
        };
        actions::through_link(state, &link(second), LinkAction::Submit(form)).await?;
        for request in [
            step(
                "interviews",
                "Tilknytningssamtale og hjemmebesøk gjennomført.",
                None,
            ),
            step("matching", "Hjemmet er drøftet mot barnets behov.", None),
        ] {
            actions::record_step(state, caller, case, id, request).await?;
        }
        let decision = StepRequest {
            decision: Some("yes".into()),
            ..step(
                "decision",
                "Barnet kjenner hjemmet godt og kan bli på skolen.",
                None,
            )
        };
        actions::record_step(state, caller, case, id, decision).await?;
    }
    Ok(())
}
