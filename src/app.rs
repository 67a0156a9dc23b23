//! Builds the HTTP application: the same functions serve production (`tillit serve`) and the tests,
//! which spawn the whole app on a random port against real PostgreSQL and Redis.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::audit::views::ViewLog;
use crate::config::Settings;
use crate::jobs::Registry;
use crate::web::AppState;
use crate::web::state::StateError;
use crate::{
    access, cases, councils, figures, onboarding, oncall, openapi, overview, plans, recruitment,
    registration, tenancy, web as plumbing,
};

/// Every kind of job the service runs, each registered from the capability that owns it.
pub fn jobs() -> Registry {
    Registry::new(|conn| Ok(tenancy::settings::quiet_hours(conn)?))
        .register::<access::account_links::AccountEmail>()
        .register::<cases::reminders::MapReview>()
        .register::<cases::transition::TransitionMeeting>()
        .register::<councils::invitations::Invitation>()
        .register::<councils::invitations::AnswerChase>()
        .register::<councils::invitations::MeetingReminder>()
        .register::<councils::invitations::PreparationMissing>()
        .register::<councils::texts::MeetingSms>()
        .register::<plans::schedule::PlanConfirmation>()
        .register::<plans::schedule::PlanChanged>()
        .register::<plans::schedule::CommitmentDue>()
        .register::<plans::schedule::CommitmentOverdue>()
        .register::<plans::schedule::EvaluationDue>()
        .register::<plans::schedule::FollowUpOpens>()
        .register::<plans::schedule::EvaluationUndocumented>()
        .register::<plans::texts::PlanSms>()
        .register::<recruitment::links::CandidateMessage>()
        .register::<recruitment::links::SelfInformationReminder>()
        .register::<recruitment::schedule::InterviewReminder>()
        .register::<recruitment::schedule::DecisionOverdue>()
        .register::<oncall::notice::AcuteOpened>()
}

/// The shared state of the service, with its job kinds.
pub fn state(settings: Settings) -> Result<AppState, StateError> {
    AppState::new(settings, jobs())
}

/// What the capabilities built on cases add to the case page: the councils and the on-call
/// openings of the acute list.
pub fn case_page_sections() -> cases::views::CasePageSections {
    cases::views::CasePageSections {
        councils: councils::pages::case_councils,
        openings: oncall::queries::case_openings,
    }
}

/// Every route of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::Data::new(case_page_sections()));
    cfg.service(access::home::home)
        .service(plumbing::i18n::choose_language)
        .service(plumbing::assets::stylesheet)
        .service(plumbing::health::healthz)
        .service(plumbing::health::readyz)
        .service(plumbing::metrics::scrape)
        .service(openapi::openapi_json)
        .service(crate::sms::hooks::linkmobility_report)
        .service(access::service::get_tenant)
        .service(access::service::add_municipality)
        .service(access::service::remove_municipality)
        .service(access::service::get_settings)
        .service(access::service::change_settings)
        .service(access::session::form_token)
        .service(access::staff_api::list_staff)
        .service(access::staff_api::invite)
        .service(access::staff_api::get_staff)
        .service(access::staff_api::change_role)
        .service(access::staff_api::deactivate)
        .service(access::api_keys::create_key)
        .service(access::api_keys::list_keys)
        .service(access::api_keys::get_key)
        .service(access::api_keys::revoke_key)
        .service(access::login::login_page)
        .service(access::login::login)
        .service(access::sso::pages::callback)
        .service(access::sso::pages::start)
        .service(access::sso::pages::admin_form)
        .service(access::sso::pages::admin_save)
        .service(access::login::logout)
        .service(access::login::setup_form)
        .service(access::login::setup)
        .service(access::login::forgot_form)
        .service(access::login::forgot)
        .service(access::factor::code_form)
        .service(access::factor::submit_code)
        .service(access::factor::enrol_form)
        .service(access::factor::enrol_at_login)
        .service(access::account::account_page)
        .service(access::account::set_contact)
        .service(access::account::factor_form)
        .service(access::account::set_factor)
        .service(access::account::new_recovery_codes)
        .service(access::account::end_other_sessions)
        .service(access::account::end_session)
        .service(access::admin::settings_page)
        .service(access::admin::save_settings)
        .service(access::admin::add_municipality)
        .service(access::admin::remove_municipality)
        .service(access::admin::staff_page)
        .service(access::admin::invite)
        .service(access::admin::change_role)
        .service(access::admin::deactivate)
        .service(access::admin::reactivate)
        .service(access::admin::resend)
        .service(access::admin::reset_factor)
        .service(access::admin::end_sessions)
        .service(access::admin::save_sign_in)
        .service(access::admin::audit_page)
        .service(access::admin::audit_csv)
        .service(access::admin::jobs_page)
        .service(access::admin::retry_job)
        .service(onboarding::operator::login_page)
        .service(onboarding::operator::login)
        .service(onboarding::operator::code_form)
        .service(onboarding::operator::submit_code)
        .service(onboarding::operator::enrol_form)
        .service(onboarding::operator::enrol_at_login)
        .service(onboarding::operator::home)
        .service(onboarding::operator::create)
        .service(onboarding::operator::logout)
        .service(onboarding::operator::resend_setup)
        .service(access::jobs::list_jobs)
        .service(access::jobs::retry_job)
        .configure(cases::routes)
        // Before councils: its `POST …/councils/{council_id}/{step}` would take `registration`.
        .configure(registration::routes)
        .configure(councils::routes)
        .configure(plans::routes)
        .configure(overview::routes)
        .configure(figures::routes)
        .configure(recruitment::routes)
        .configure(oncall::routes);
}

/// Starts the HTTP server on `listener`. It does not listen for signals itself: the caller owns
/// shutdown (see `main.rs`), so HTTP stops before background workers do.
/// The server on `listener`, and the queue of link views its pages audit (`audit::views`), which
/// the caller flushes once the server has stopped.
pub fn serve(
    state: web::Data<AppState>,
    listener: TcpListener,
) -> std::io::Result<(Server, ViewLog)> {
    let views = ViewLog::start(&state.db);
    let pages_views = web::Data::new(views.clone());
    let body_limit = state.settings.http.body_limit_bytes;
    let shutdown = state.settings.http.shutdown_timeout_secs;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(pages_views.clone())
            .app_data(plumbing::json_config(body_limit))
            .app_data(plumbing::form_config(body_limit))
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(plumbing::path_config())
            .app_data(plumbing::query_config())
            .configure(routes)
            .default_service(web::to(openapi::unrouted))
            .wrap(from_fn(plumbing::i18n::keep_standard))
            .wrap(from_fn(plumbing::head_as_get))
            .wrap(from_fn(plumbing::html_errors))
            .wrap(from_fn(plumbing::csrf::ensure_seed))
            .wrap(from_fn(plumbing::metrics::track))
            .wrap(plumbing::security_headers())
            .wrap(from_fn(plumbing::request_id_header))
            .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
    })
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(shutdown)
    .run();
    Ok((server, views))
}

#[cfg(test)]
mod tests {
    use crate::web::i18n::{Lang, Tr};

    /// The admin's page of jobs names each kind in words: every kind the service registers has
    /// its name in both catalogues.
    #[test]
    fn every_job_kind_has_a_name_in_every_language() {
        for lang in Lang::ALL {
            let tr = Tr::new(lang);
            for kind in super::jobs().kinds() {
                assert!(
                    tr.find(&format!("jobs.kinds.{kind}")).is_some(),
                    "jobs.kinds.{kind} is missing in {}",
                    lang.as_str()
                );
            }
        }
    }
}
