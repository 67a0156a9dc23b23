//! Cases and the child's network map (nettverkskart): the child and the case, the persons in the
//! child's network with the child's own words about them, revisions of the map and what changed
//! between them, the eco-map picture, the prompts that keep the map current, the gate before
//! costly measures and the acute list.
//!
//! Only the staff assigned to a case may open it ([`access`]), and every read and write of case
//! data leaves an audit row in the same transaction.

pub mod access;
pub mod actions;
pub mod categories;
pub mod domain;
pub mod ecomap;
pub mod forms;
pub mod handlers;
pub mod history;
pub mod lifecycle;
pub mod pages;
pub mod picture;
pub mod queries;
pub mod reminders;
pub mod rules;
pub mod transition;
pub mod views;

/// The routes of this capability.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use handlers::*;
    cfg.service(list_cases)
        .service(create_case)
        .service(get_case)
        .service(update_case)
        .service(update_child)
        .service(assign_staff)
        .service(unassign_staff)
        .service(reassign)
        .service(list_persons)
        .service(add_person)
        .service(get_person)
        .service(update_person)
        .service(remove_person)
        .service(add_words)
        .service(list_revisions)
        .service(create_revision)
        .service(get_revision)
        .service(changes)
        .service(prompts)
        .service(list_measures)
        .service(propose_measure)
        .service(record_check)
        .service(decide_measure)
        .service(withdraw_measure)
        .service(acute_list)
        .service(map_svg);
    cfg.configure(pages::routes).configure(forms::routes);
    // Deactivating staff (access) hands their cases over through cases.
    cfg.app_data(actix_web::web::Data::new(
        crate::access::admin::StaffCases {
            sole: actions::sole_cases,
            hand_over: actions::hand_over,
        },
    ));
}
