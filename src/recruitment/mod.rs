//! Foster-home recruitment within the child's family and network first (seed 002, "Familie og
//! nære nettverk først!"): the caseworker's referral to the foster care service, the flow through
//! the information meeting, the family group conference ("Hvor kan barnet bo?") and the
//! clarification meeting to the family's plan of candidate homes ranked 1, 2, 3 …, each home's
//! answer and self-information form through its own link ([`links`]), the interviews, matching
//! and the decision (on "no" the next rank comes up), and intake.
//!
//! Access is case access widened to the foster care service: the case's staff and the foster
//! care officers assigned to the case open a recruitment (through
//! [`crate::cases::access::with_recruitment_case`]), and nothing else of the case is theirs. A
//! candidate sees only their own answer and form.

pub mod actions;
pub mod domain;
pub mod handlers;
pub mod links;
pub mod pages;
pub mod queries;
pub mod rules;
pub mod schedule;
pub mod views;

/// The routes of this capability.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use handlers::*;
    cfg.service(pages::candidate_page)
        .service(pages::answer)
        .service(pages::save_form)
        .service(pages::recruitments_page)
        .service(pages::refer_form)
        .service(pages::recruitment_page)
        .service(pages::recruitment_form)
        .service(pages::form_page)
        .service(list_recruitments)
        .service(refer)
        .service(get_recruitment)
        .service(record_step)
        .service(add_candidate)
        .service(get_form);
}
