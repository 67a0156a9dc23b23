//! The eco-map of a case: the current map or one revision, drawn by [`super::ecomap::render`],
//! labelled with the revision and its date so printed copies can be told apart.

use actix_web::HttpResponse;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use chrono::NaiveDate;
use diesel::PgConnection;

use super::ecomap::{self, EcoMap, EcoPerson};
use super::queries::{self, CaseRow, TenantClock};
use super::views::{MapPerson, RevisionView};
use crate::db::TenantId;
use crate::mail::templates::fill;
use crate::web::i18n::Tr;
use crate::web::problem::AppError;

/// Which map to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The map as it stands now: "revision N" if nothing changed since, a draft otherwise.
    Current,
    Revision(i32),
}

/// A drawn map and the name to save it under.
#[derive(Debug, Clone)]
pub struct Picture {
    pub svg: String,
    /// ASCII only and without the child's name: a downloaded file's name travels further than
    /// its content.
    pub file_name: String,
}

fn eco_persons(persons: &[MapPerson]) -> Vec<EcoPerson> {
    persons
        .iter()
        .map(|p| EcoPerson {
            id: p.id,
            name: p.name.clone(),
            category: p.category,
            closeness: p.closeness,
            quality: p.quality,
            can_step_in_acutely: p.can_step_in,
            side: p.side,
            lineage: p.lineage,
        })
        .collect()
}

/// The current map: labelled with the latest revision if nothing changed since, as a draft of
/// today otherwise.
pub fn current(
    child_first_name: &str,
    persons: &[MapPerson],
    latest: Option<&RevisionView>,
    clock: &TenantClock,
    tr: &Tr,
) -> Picture {
    let (label, date, revision) = match latest {
        Some(latest) if latest.persons == persons => (
            revision_label(tr, latest.summary.number),
            latest.summary.revised_on,
            Some(latest.summary.number),
        ),
        Some(latest) => (
            fill(
                tr.t("cases.map.draft_after"),
                &[("number", &latest.summary.number.to_string())],
            ),
            clock.today,
            None,
        ),
        None => (tr.t("cases.map.draft").to_owned(), clock.today, None),
    };
    picture(child_first_name, label, date, persons, revision, tr)
}

/// The map as it stood at `revision`.
pub fn of_revision(child_first_name: &str, revision: &RevisionView, tr: &Tr) -> Picture {
    picture(
        child_first_name,
        revision_label(tr, revision.summary.number),
        revision.summary.revised_on,
        &revision.persons,
        Some(revision.summary.number),
        tr,
    )
}

fn picture(
    child_first_name: &str,
    label: String,
    date: NaiveDate,
    persons: &[MapPerson],
    revision: Option<i32>,
    tr: &Tr,
) -> Picture {
    let svg = ecomap::render(
        &EcoMap {
            child_label: child_first_name.to_owned(),
            revision_label: label,
            revision_date: date,
            persons: eco_persons(persons),
        },
        tr.lang(),
    );
    Picture {
        svg,
        file_name: file_name(tr, revision, date),
    }
}

/// Loads and draws the case's map in the reader's language. The picture shows the child's first
/// name only.
pub fn draw(
    conn: &mut PgConnection,
    tenant: TenantId,
    case: &CaseRow,
    which: Which,
    clock: &TenantClock,
    tr: &Tr,
) -> Result<Picture, AppError> {
    let child = queries::child(conn, tenant, case.child_id)?;
    Ok(match which {
        Which::Revision(number) => of_revision(
            &child.first_name,
            &queries::revision(conn, tenant, case.id, number)?,
            tr,
        ),
        Which::Current => {
            let persons = queries::persons(conn, tenant, case.id)?;
            let latest = queries::latest_revision(conn, tenant, case.id)?;
            current(&child.first_name, &persons, latest.as_ref(), clock, tr)
        }
    })
}

fn revision_label(tr: &Tr, number: i32) -> String {
    fill(
        tr.t("cases.map.revision"),
        &[("number", &number.to_string())],
    )
}

fn file_name(tr: &Tr, revision: Option<i32>, date: NaiveDate) -> String {
    let prefix = tr.t("cases.map.file_prefix");
    match revision {
        Some(n) => format!("{prefix}-{n}-{date}.svg"),
        None => format!("{prefix}-{date}.svg"),
    }
}

/// The picture as `image/svg+xml`, shown in the browser or, with `download`, saved as a file.
pub fn svg_response(picture: Picture, download: bool) -> HttpResponse {
    let disposition = if download { "attachment" } else { "inline" };
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"{}\"", picture.file_name),
        ))
        .body(picture.svg)
}
