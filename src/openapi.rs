//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of every JSON endpoint.

use std::sync::LazyLock;

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, get};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::web::i18n::Lang;
use crate::web::problem::{AppError, PROBLEM_JSON};
use crate::web::refusal::Refusal;
use crate::{access, cases, councils, oncall, plans, recruitment, web};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tillit",
        description = "Network maps, councils, plans and follow-up for Norwegian child welfare services. \
                       Every error is application/problem+json with a stable `type` \
                       (urn:tillit:problem:validation, malformed-request, payload-too-large, \
                       unsupported-media-type, unauthorized, forbidden, acts-for-nobody (403: an API key \
                       acting for no staff member, for what needs one), not-found (an id that \
                       names nothing), no-such-route (an address that does not exist), \
                       method-not-allowed (405, with `Allow`), rate-limited, unavailable, \
                       internal; a rule's refusal has its own type, listed below)."
    ),
    paths(
        web::health::healthz,
        web::health::readyz,
        crate::sms::hooks::linkmobility_report,
        access::service::get_tenant,
        access::service::add_municipality,
        access::service::remove_municipality,
        access::service::get_settings,
        access::service::change_settings,
        access::session::form_token,
        access::staff_api::list_staff,
        access::staff_api::invite,
        access::staff_api::get_staff,
        access::staff_api::change_role,
        access::staff_api::deactivate,
        access::api_keys::create_key,
        access::api_keys::list_keys,
        access::api_keys::get_key,
        access::api_keys::revoke_key,
        access::jobs::list_jobs,
        access::jobs::retry_job,
        cases::handlers::list_cases,
        cases::handlers::reassign,
        crate::overview::handlers::get_overview,
        crate::figures::handlers::get_figures,
        crate::figures::handlers::get_registrations,
        cases::handlers::create_case,
        cases::handlers::get_case,
        cases::handlers::update_case,
        cases::handlers::update_child,
        cases::handlers::assign_staff,
        cases::handlers::unassign_staff,
        cases::handlers::list_persons,
        cases::handlers::add_person,
        cases::handlers::get_person,
        cases::handlers::update_person,
        cases::handlers::remove_person,
        cases::handlers::add_words,
        cases::handlers::list_revisions,
        cases::handlers::create_revision,
        cases::handlers::get_revision,
        cases::handlers::changes,
        cases::handlers::prompts,
        cases::handlers::list_measures,
        cases::handlers::propose_measure,
        cases::handlers::record_check,
        cases::handlers::decide_measure,
        cases::handlers::withdraw_measure,
        cases::handlers::acute_list,
        cases::handlers::map_svg,
        councils::handlers::list_councils,
        councils::handlers::create_council,
        councils::handlers::get_council,
        councils::handlers::change_state,
        councils::handlers::add_text,
        councils::handlers::confirm_text,
        councils::handlers::remove_text,
        councils::handlers::add_participant,
        councils::handlers::remove_participant,
        councils::handlers::confirm_team,
        councils::handlers::add_objection,
        councils::handlers::resolve_objection,
        councils::handlers::add_consent,
        councils::handlers::withdraw_consent,
        councils::handlers::set_waiver,
        councils::handlers::add_preparation,
        councils::handlers::schedule_meeting,
        councils::handlers::reschedule_meeting,
        councils::handlers::cancel_meeting,
        councils::handlers::send_invitations,
        councils::handlers::resend_invitation,
        councils::handlers::record_answer,
        councils::handlers::revoke_invitation,
        councils::handlers::record_past_meeting,
        councils::handlers::get_record,
        councils::handlers::save_record,
        councils::handlers::book_next_meeting,
        plans::handlers::get_plan,
        plans::handlers::create_plan,
        plans::handlers::add_goal,
        plans::handlers::remove_goal,
        plans::handlers::add_commitment,
        plans::handlers::remove_commitment,
        plans::handlers::commitment_done,
        plans::handlers::set_follow_up_owner,
        plans::handlers::submit_plan,
        plans::handlers::close_approval,
        plans::handlers::record_approval,
        plans::handlers::take_back_plan,
        plans::handlers::approve_plan,
        plans::handlers::return_plan,
        plans::handlers::define_evaluation,
        plans::handlers::follow_up_held,
        plans::handlers::record_evaluation,
        plans::handlers::close_plan,
        plans::handlers::create_child_link,
        plans::handlers::revoke_child_link,
        plans::handlers::get_version,
        recruitment::handlers::list_recruitments,
        recruitment::handlers::refer,
        recruitment::handlers::get_recruitment,
        recruitment::handlers::record_step,
        recruitment::handlers::add_candidate,
        recruitment::handlers::get_form,
        oncall::handlers::lookup,
        oncall::handlers::open,
        oncall::handlers::my_openings,
        oncall::handlers::opening_acute_list,
        oncall::handlers::review,
        oncall::handlers::case_openings,
    ),
    components(schemas(web::problem::Problem, web::problem::FieldError)),
    modifiers(&BearerAuth, &Refusals),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key from `tillit apikey create` or POST /api/v1/api-keys",
                    ))
                    .build(),
            ),
        );
    }
}

/// Lists every refusal's problem type with its title, in the description and as the shared
/// `Refused` (409) response, so a client can tell one rule from another.
struct Refusals;

impl Modify for Refusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let list: Vec<String> = Refusal::ALL
            .iter()
            .map(|r| format!("- `urn:tillit:problem:{}`: {}", r.slug(), r.title(Lang::En)))
            .collect();
        let list = list.join("\n");
        let description = openapi.info.description.get_or_insert_with(String::new);
        description
            .push_str("\n\nA request a rule refuses answers 409 with the rule's own type:\n");
        description.push_str(&list);
        let components = openapi.components.get_or_insert_with(Default::default);
        components.responses.insert(
            "Refused".to_owned(),
            ResponseBuilder::new()
                .description(format!(
                    "Refused by a rule; the `type` names which:\n{list}"
                ))
                .content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
                .into(),
        );
    }
}

/// Every documented operation's address with the methods it takes, read once from the document
/// itself, so what the server answers and what it documents cannot drift apart.
static OPERATIONS: LazyLock<Vec<(ResourceDef, Vec<&'static str>)>> = LazyLock::new(|| {
    ApiDoc::openapi()
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let methods = [
                ("GET", item.get.is_some()),
                ("HEAD", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ]
            .into_iter()
            .filter_map(|(method, taken)| taken.then_some(method))
            .collect();
            (ResourceDef::new(path.as_str()), methods)
        })
        .collect()
});

/// The answer when no route takes a request: 405 with `Allow` when the address is one of the
/// JSON API's under other methods, otherwise the address names nothing (`no-such-route`, a
/// problem type of its own, unlike an unknown id's `not-found`; a browser gets the
/// page-not-found page).
pub async fn unrouted(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let allowed: Vec<&'static str> = OPERATIONS
        .iter()
        .filter(|(def, _)| def.is_match(req.path()))
        .flat_map(|(_, methods)| methods.iter().copied())
        .collect();
    Err(if allowed.is_empty() {
        AppError::NoRoute
    } else {
        AppError::MethodNotAllowed {
            method: req.method().to_string(),
            allowed,
        }
    })
}

#[get("/api/v1/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
