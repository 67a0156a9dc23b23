//! The coordinator's day: a start page across all the cases a staff member is assigned to —
//! the meetings of the next two weeks with the answers so far, the open councils with their next
//! step and what blocks it, the invitations unanswered after the last chase, the commitments past
//! their date, the evaluations falling due, and what each case's map needs — each line linking to
//! where to act. It reads in a fixed number of queries whatever the number of cases
//! ([`actions::start_page`]), and leaves one audit row for the read.
//!
//! It sits above cases, councils and plans and asks each of them for its own rows.

pub mod actions;
pub mod handlers;
pub mod pages;
pub mod rules;
pub mod views;

/// The routes of this capability.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(handlers::get_overview)
        .service(pages::start_page);
}
