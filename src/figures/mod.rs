//! The service's figures for its leaders, per year and per municipality: cases opened, children
//! mapped within 30 days of the case opening, councils by Statistics Norway's categories and by
//! month, and costly measures decided after a network check or by a written justification.
//! Aggregates are computed in SQL; no name ever leaves; every count from 1 to 4 is shown as
//! "<5", and a share computed from such a count is withheld with it ([`rules`]), in the page,
//! the CSV and the JSON alike. Beside them, the registration of each network measure of the
//! year (seed 003's form, [`crate::registration`]) as CSV and JSON, one row per measure with
//! a row number of its own and no name, id or free text.

pub mod actions;
pub mod domain;
pub mod handlers;
pub mod pages;
pub mod queries;
pub mod rules;
pub mod views;

/// The routes of this capability.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(handlers::get_figures)
        .service(handlers::get_registrations)
        .service(pages::figures_page)
        .service(pages::figures_csv)
        .service(pages::registrations_csv);
}
