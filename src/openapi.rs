//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of every JSON endpoint.

use std::sync::LazyLock;

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get};
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, ContentBuilder, Ref, RefOr, ResponseBuilder};
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
    // The term lists that only query parameters name (a parameter's schema is not collected).
    components(schemas(
        web::problem::Problem,
        web::problem::FieldError,
        cases::rules::PromptKind,
        cases::domain::CaseSort,
        crate::jobs::JobStatus,
        cases::domain::Phase,
    )),
    modifiers(&BearerAuth, &Refusals, &Problems),
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

/// Lists every refusal's problem type with its title in the description, so a client can tell
/// one rule from another.
struct Refusals;

impl Modify for Refusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let description = openapi.info.description.get_or_insert_with(String::new);
        description
            .push_str("\n\nA request a rule refuses answers 409 with the rule's own type:\n");
        description.push_str(&refusal_list());
    }
}

fn refusal_list() -> String {
    Refusal::ALL
        .iter()
        .map(|r| format!("- `urn:tillit:problem:{}`: {}", r.slug(), r.title(Lang::En)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One way a request can fail whatever the operation: its status, the problem `type`s it
/// answers with, and a header it carries.
struct Failure {
    /// The name of its response and its schema (`…Problem`) among the components.
    name: &'static str,
    status: u16,
    description: String,
    types: Vec<String>,
    header: Option<(&'static str, &'static str)>,
}

impl Failure {
    fn new(name: &'static str, error: &AppError, description: &str) -> Self {
        Self {
            name,
            status: error.status_code().as_u16(),
            description: description.to_owned(),
            types: vec![error.problem().kind],
            header: None,
        }
    }

    fn with(mut self, other: &AppError) -> Self {
        self.types.push(other.problem().kind);
        self
    }

    fn header(mut self, name: &'static str, description: &'static str) -> Self {
        self.header = Some((name, description));
        self
    }

    fn schema_name(&self) -> String {
        format!("{}Problem", self.name)
    }

    /// `Problem` with this status and only these types.
    fn schema(&self) -> Schema {
        let kind = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(self.types.clone()));
        let status = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .enum_values(Some([self.status]));
        AllOfBuilder::new()
            .item(Ref::from_schema_name("Problem"))
            .item(
                ObjectBuilder::new()
                    .property("type", kind)
                    .property("status", status),
            )
            .into()
    }

    fn content(&self) -> Content {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(self.schema_name())))
            .build()
    }

    fn headers(&self) -> Option<(String, Header)> {
        self.header.map(|(name, description)| {
            let schema = ObjectBuilder::new().schema_type(Type::String);
            let mut header = Header::new(schema);
            header.description = Some(description.to_owned());
            (name.to_owned(), header)
        })
    }

    fn response(&self) -> utoipa::openapi::Response {
        let mut response = ResponseBuilder::new()
            .description(&self.description)
            .content(PROBLEM_JSON, self.content());
        if let Some((name, header)) = self.headers() {
            response = response.header(name, header);
        }
        response.build()
    }
}

/// The failures an operation of this shape can answer, each with its problem types.
fn failures() -> [Failure; 10] {
    let refusals = Failure {
        name: "Refused",
        status: Refusal::ALL[0].because("").status_code().as_u16(),
        description: format!(
            "Refused by a rule; the `type` names which:\n{}",
            refusal_list()
        ),
        types: Refusal::ALL
            .iter()
            .map(|rule| rule.because("").problem().kind)
            .collect(),
        header: None,
    };
    [
        Failure::new(
            "Malformed",
            &AppError::Malformed(String::new()),
            "The body is not JSON or not a JSON object, or the query string cannot be read \
             (`malformed-request`)",
        ),
        Failure::new(
            "Unauthorized",
            &AppError::Unauthorized,
            "No API key or staff session, or one that is not valid (`unauthorized`)",
        )
        .header("WWW-Authenticate", "`Bearer`"),
        Failure::new(
            "Forbidden",
            &AppError::Forbidden,
            "The caller's role does not allow this (`forbidden`), an API key that acts for no \
             staff member where this needs one (`acts-for-nobody`), or a session's change without \
             its form token in `X-CSRF-Token` (`csrf`)",
        )
        .with(&AppError::ActsForNobody)
        .with(&AppError::CsrfRejected),
        Failure::new(
            "NotFound",
            &AppError::NotFound,
            "An id that names nothing the caller may see: unknown, another service's, or not \
             assigned to the caller (`not-found`)",
        ),
        refusals,
        Failure::new(
            "PayloadTooLarge",
            &AppError::PayloadTooLarge(0),
            "The body is larger than the service takes (`payload-too-large`)",
        ),
        Failure::new(
            "UnsupportedMediaType",
            &AppError::UnsupportedMediaType,
            "The body is not `application/json` (`unsupported-media-type`)",
        ),
        Failure::new(
            "Invalid",
            &AppError::Validation(Vec::new()),
            "Fields that are wrong, missing or not the operation's, each named by its path with \
             what to fix (`validation`)",
        ),
        Failure::new(
            "RateLimited",
            &AppError::RateLimited(1),
            "Too many requests (`rate-limited`); `Retry-After` says in how many seconds to try again",
        )
        .header("Retry-After", "Seconds to wait"),
        Failure::new(
            "Unavailable",
            &AppError::Unavailable(String::new()),
            "The database does not answer (`unavailable`); the request may be sent again after \
             `Retry-After` seconds",
        )
        .header("Retry-After", "Seconds to wait"),
    ]
}

/// Adds to every operation the failures its shape allows, from one rule, so no handler can
/// leave one out: every operation behind a key may answer 401, 403 and 503; one with an id in
/// its path 404; one with a query 400 and 422; one with a body 400, 413, 415 and 422; one that
/// changes something 409. A status a handler declares itself keeps its words and gets the typed
/// problem. No JSON operation is rate limited, so 429 is among the components only.
struct Problems;

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let failures = failures();
        let components = openapi.components.get_or_insert_with(Default::default);
        for failure in &failures {
            components
                .schemas
                .insert(failure.schema_name(), failure.schema().into());
            components
                .responses
                .insert(failure.name.to_owned(), failure.response().into());
        }
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.patch.as_mut()),
                (true, item.delete.as_mut()),
            ];
            for (changes, operation) in operations {
                if let Some(operation) = operation {
                    add_failures(operation, changes, &failures);
                }
            }
        }
    }
}

fn add_failures(operation: &mut Operation, changes: bool, failures: &[Failure]) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    let (path, query) = (has(ParameterIn::Path), has(ParameterIn::Query));
    let body = operation.request_body.is_some();
    for failure in failures {
        let status = failure.status.to_string();
        let applies = match failure.name {
            "Unauthorized" | "Forbidden" | "Unavailable" => secured,
            "NotFound" => path,
            "Malformed" | "Invalid" => query || body,
            "PayloadTooLarge" | "UnsupportedMediaType" => body,
            "Refused" => changes,
            _ => false,
        };
        let responses = &mut operation.responses.responses;
        match responses.get_mut(&status) {
            // A declared answer without a body (a webhook's) stays so.
            Some(RefOr::T(declared)) if !declared.content.is_empty() => {
                declared.content = [(PROBLEM_JSON.to_owned(), failure.content())].into();
                declared.headers.extend(failure.headers());
            }
            Some(_) => {}
            None if applies => {
                responses.insert(status, RefOr::Ref(Ref::from_response_name(failure.name)));
            }
            None => {}
        }
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
