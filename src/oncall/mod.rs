//! On-call access to a case's acute list. The night-time on-call service (barnevernvakt, the
//! `on_call` role) sees no case — no list, no case page, no council, no plan — but may look a
//! case up by the service's reference or the child's name and open that case's acute list for 12
//! hours with a stated reason; a caseworker not assigned to the case may do the same. Only the
//! acute list is shown: who can step in, how, their numbers, when each can be reached and where
//! the child can go.
//!
//! Every lookup, opening (and refused attempt) and read is audited; each opening is kept in
//! `acute_openings` (who, in which role, when, why, until when), shown to the case's assigned
//! staff on the case page and at `GET /api/v1/cases/{id}/acute-openings`, and listed for the
//! leader and the service's admin to review (`/acute-openings`), by the case's reference only.
//! The assigned staff also get a neutral email ([`notice::AcuteOpened`]) after quiet hours.

pub mod actions;
pub mod domain;
pub mod handlers;
pub mod notice;
pub mod pages;
pub mod queries;
pub mod rules;
pub mod views;

/// The routes of this capability.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(handlers::lookup)
        .service(handlers::open)
        .service(handlers::opening_acute_list)
        .service(handlers::my_openings)
        .service(handlers::review)
        .service(handlers::case_openings)
        .service(pages::find_page)
        .service(pages::open_form)
        .service(pages::open)
        .service(pages::opening_page)
        .service(pages::review_page);
}
