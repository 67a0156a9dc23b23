//! `GET /overview`: the coordinator's and the caseworker's start page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

use super::actions;
use super::views::Overview;
use crate::access::session::Staff;
use crate::cases::pages::prompt_text;
use crate::cases::rules::Prompt;
use crate::councils::queries::UpcomingMeeting;
use crate::mail::templates::fill;
use crate::web::AppState;
use crate::web::i18n::Tr;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

#[derive(Template)]
#[template(path = "overview/start.html")]
struct StartPage {
    tr: Tr,
    shell: Shell,
    overview: Overview,
    tz: chrono_tz::Tz,
}

impl StartPage {
    fn day(&self, day: &NaiveDate) -> String {
        crate::time::date(*day, self.tr.lang())
    }

    fn moment(&self, at: &DateTime<Utc>) -> String {
        crate::time::moment(*at, self.tz, self.tr.lang())
    }

    fn prompt(&self, prompt: &Prompt) -> String {
        prompt_text(prompt, &self.tr)
    }

    fn answers(&self, m: &UpcomingMeeting) -> String {
        fill(
            self.tr.t("overview.answers"),
            &[
                ("invited", &m.invited.to_string()),
                ("accepted", &m.accepted.to_string()),
                ("maybe", &m.maybe.to_string()),
                ("declined", &m.declined.to_string()),
                (
                    "open",
                    &(m.invited - m.accepted - m.maybe - m.declined)
                        .max(0)
                        .to_string(),
                ),
            ],
        )
    }
}

/// The start page across the signed-in person's cases.
#[get("/overview")]
pub async fn start_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
) -> Result<HttpResponse, AppError> {
    let (overview, tz) = actions::start_page(&state.db, &staff.caller()).await?;
    render(
        StatusCode::OK,
        &StartPage {
            tr,
            shell: staff.shell,
            overview,
            tz,
        },
    )
}
