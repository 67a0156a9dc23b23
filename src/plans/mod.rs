//! Action plans the network commits to, and evaluations that happen.
//!
//! A council's plan ([`queries`]) holds goals in the child's words, commitments (who — someone on
//! the team or a staff member — does what, by when, once or recurring) and who follows up. It is
//! approved by kind ([`rules`]): in a network council each participant with commitments confirms
//! through their own invitation link ([`participant`]), or the coordinator closes approval with a
//! reason; in a family group conference the caseworker approves it, recording that the child's
//! safety is ensured, or returns it. At approval the network decides when and how the plan is
//! evaluated (the proposal follows the service's rule); the evaluation-due job opens the
//! follow-up, and an evaluation is recorded in a structured form. Reminders before and after due
//! dates and the chase of an undocumented evaluation are jobs ([`schedule`]). The child has a
//! read-only link of their own to "my team" and "my plan" ([`child`]).
//!
//! Plan access is case access: every read and write by staff opens the case through
//! [`crate::cases::access::with_case`] and leaves an audit row; the participant's and the child's
//! pages audit as their link.

pub mod actions;
pub mod child;
pub mod domain;
pub mod handlers;
pub mod pages;
pub mod participant;
pub mod queries;
pub mod rules;
pub mod schedule;
pub mod texts;
pub mod views;

/// The routes of this capability, and the plan section it gives an invitee's page.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use handlers::*;
    cfg.app_data(actix_web::web::Data::new(
        crate::councils::views::InviteeSections {
            plan: participant::section,
        },
    ));
    cfg.service(pages::plan_page)
        .service(pages::print_page)
        .service(pages::plan_step)
        .service(participant::confirm)
        .service(participant::object_to_plan)
        .service(child::child_answer)
        .service(participant::done)
        .service(child::child_page)
        .service(get_version)
        .service(get_plan)
        .service(create_plan)
        .service(add_goal)
        .service(remove_goal)
        .service(add_commitment)
        .service(remove_commitment)
        .service(commitment_done)
        .service(set_follow_up_owner)
        .service(submit_plan)
        .service(close_approval)
        .service(record_approval)
        .service(take_back_plan)
        .service(approve_plan)
        .service(return_plan)
        .service(define_evaluation)
        .service(follow_up_held)
        .service(record_evaluation)
        .service(close_plan)
        .service(create_child_link)
        .service(revoke_child_link);
}
