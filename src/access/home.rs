//! The front page: what Tillit is and the way in, or, for a signed-in staff member, their
//! overview with what their role lets them reach.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get};
use askama::Template;

use super::Role;
use super::session::Staff;
use crate::web::i18n::Tr;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    tr: Tr,
    shell: Shell,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    tr: Tr,
    shell: Shell,
    name: String,
    role: &'static str,
    admin: bool,
}

/// The front page: what Tillit is and the way in, or, for a signed-in person, their overview.
#[get("/")]
pub async fn home(tr: Tr, shell: Shell, staff: Option<Staff>) -> Result<HttpResponse, AppError> {
    match staff {
        Some(staff) => render(
            StatusCode::OK,
            &DashboardPage {
                tr,
                name: staff.display_name.clone(),
                role: super::admin::role_key(staff.role.as_str()),
                admin: staff.role == Role::TenantAdmin,
                shell: staff.shell,
            },
        ),
        None => render(StatusCode::OK, &HomePage { tr, shell }),
    }
}
