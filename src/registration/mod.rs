//! The registration of each network measure — a network council, a family group conference, a
//! network meeting series — with the questions of the research registration form in seed 003
//! (appendix 3): whom the child lives with, the decision and its grounds, the measures, who was
//! involved and consented, the other services, the goal, the evaluation and the effect.
//!
//! What Tillit already knows is filled in and shown "fra Tillit" ([`rules`]): the years the
//! service has known the child from the case's opening, the decision from the plan's approval,
//! the child's part from the council, the other services from the team, the goals and the
//! evaluation from the plan. Only the rest is asked, once, on the staff's page ([`pages`]), and
//! kept as codes of closed lists ([`domain`]) in the one table this capability owns.
//!
//! Access is case access: reading and saving open the case through
//! [`crate::cases::access::with_case`] and leave an audit row. The council page shows a link and,
//! once the council was held, a prompt while the registration is not complete
//! ([`crate::councils::views::CouncilSections`]). The leader's figures export the registrations
//! of a year without names, ids or free text ([`actions::export`]).

pub mod actions;
pub mod domain;
pub mod pages;
pub mod queries;
pub mod rules;
pub mod views;

/// The routes of this capability, and the registration's link and prompt on the council page.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.app_data(actix_web::web::Data::new(
        crate::councils::views::CouncilSections {
            registration: actions::status,
        },
    ));
    cfg.service(pages::registration_page)
        .service(pages::save_registration);
}
