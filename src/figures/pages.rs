//! `GET /figures` (the leader's page: tables with a chart beside each) and `GET /figures.csv`.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, get, web};
use askama::Template;

use super::actions;
use super::domain::FiguresRequest;
use super::rules::Shown;
use super::views::Figures;
use crate::access::session::Staff;
use crate::web::AppState;
use crate::web::i18n::Tr;
use crate::web::pages::{Shell, render};
use crate::web::problem::AppError;

/// The catalogue key of a figure's name.
fn row_key(code: &str) -> &'static str {
    match code {
        "cases_opened" => "figures.row.cases_opened",
        "mapped_early" => "figures.row.mapped_early",
        "mapped_early_share" => "figures.row.mapped_early_share",
        "councils_familierad" => "figures.row.councils_familierad",
        "councils_nettverksmoter" => "figures.row.councils_nettverksmoter",
        "councils_ansvarsgruppemoter" => "figures.row.councils_ansvarsgruppemoter",
        "councils_individuell_plan" => "figures.row.councils_individuell_plan",
        "councils_annet" => "figures.row.councils_annet",
        "measure_checked" => "figures.row.measure_checked",
        "invited" => "figures.row.invited",
        "invitations_answered" => "figures.row.invitations_answered",
        "answer_rate" => "figures.row.answer_rate",
        "participants_private" => "figures.row.participants_private",
        "participants_public" => "figures.row.participants_public",
        "meetings_familierad" => "figures.held.meetings_familierad",
        "meetings_nettverksmoter" => "figures.held.meetings_nettverksmoter",
        "meetings_ansvarsgruppemoter" => "figures.held.meetings_ansvarsgruppemoter",
        "meetings_individuell_plan" => "figures.held.meetings_individuell_plan",
        "meetings_annet" => "figures.held.meetings_annet",
        "evaluations_agreed" => "figures.held.evaluations_agreed",
        "evaluations_on_time" => "figures.held.evaluations_on_time",
        "evaluations_on_time_share" => "figures.held.evaluations_on_time_share",
        "placements_decided" => "figures.row.network.placements_decided",
        "placements_in_network" => "figures.row.network.placements_in_network",
        "placements_in_network_share" => "figures.row.network.placements_in_network_share",
        _ => "figures.row.measure_justified",
    }
}

/// A bar chart drawn on the server: one bar per (label, figure), a hidden figure drawn as no
/// bar with "<5" written where it would be. The page puts the same figures in a table beside it.
fn bars(title: &str, bars: &[(String, Shown)]) -> String {
    let value = |s: &Shown| match s {
        Shown::Count(n) | Shown::Percent(n) => *n,
        Shown::Hidden(()) => 0,
    };
    let max = bars.iter().map(|(_, s)| value(s)).max().unwrap_or(0).max(1);
    let (bar_w, gap, height, top) = (36, 12, 160, 20);
    let width = bars.len() as i64 * (bar_w + gap) + gap;
    let full = height + top + 40;
    // Drawn at one and a half times its units, so five bars are not stretched across the page;
    // the style sheet narrows a wide chart to the screen.
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{}" height="{}" viewBox="0 0 {width} {full}" role="img" aria-label="{}">"#,
        width * 3 / 2,
        full * 3 / 2,
        escape(title)
    );
    for (i, (label, shown)) in bars.iter().enumerate() {
        let x = gap + i as i64 * (bar_w + gap);
        let h = value(shown) * height / max;
        let y = top + height - h;
        svg.push_str(&format!(
            r##"<rect x="{x}" y="{y}" width="{bar_w}" height="{h}" fill="#2b5f8a"/><text x="{}" y="{}" text-anchor="middle" font-size="12">{}</text><text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>"##,
            x + bar_w / 2,
            y - 4,
            escape(&shown.text()),
            x + bar_w / 2,
            top + height + 16,
            escape(label),
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Template)]
#[template(path = "figures/figures.html")]
struct FiguresPage {
    tr: Tr,
    shell: Shell,
    /// The year as typed.
    year: String,
    year_error: Option<&'static str>,
    figures: Option<Figures>,
}

impl FiguresPage {
    fn label(&self, code: &str) -> &'static str {
        self.tr.t(row_key(code))
    }

    fn column(&self, municipality: &str) -> String {
        if municipality.is_empty() {
            self.tr.t("figures.no_municipality").to_owned()
        } else {
            let stored = self
                .figures
                .as_ref()
                .and_then(|f| f.names.get(municipality));
            crate::tenancy::register::label(municipality, stored.map(String::as_str))
        }
    }

    fn month(&self, month: &u32) -> String {
        month.to_string()
    }

    /// The chart of councils by month.
    fn months_chart(&self, f: &Figures) -> String {
        let data: Vec<(String, Shown)> = f
            .months
            .iter()
            .map(|m| (m.month.to_string(), m.councils))
            .collect();
        bars(self.tr.t("figures.by_month"), &data)
    }

    /// The chart of councils by Statistics Norway's category, for the whole service.
    fn kinds_chart(&self, f: &Figures) -> String {
        let data: Vec<(String, Shown)> = f
            .rows
            .iter()
            .filter(|r| r.code.starts_with("councils_"))
            .enumerate()
            .map(|(i, r)| (format!("{}", i + 1), r.total))
            .collect();
        bars(self.tr.t("figures.by_kind"), &data)
    }

    fn kind_rows<'a>(&self, f: &'a Figures) -> Vec<&'a super::views::FigureRow> {
        f.rows
            .iter()
            .filter(|r| r.code.starts_with("councils_"))
            .collect()
    }
}

/// The leader's page: a year of figures per municipality, with charts and tables.
#[get("/figures")]
pub async fn figures_page(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    query: web::Query<FiguresRequest>,
) -> Result<HttpResponse, AppError> {
    let request = query.into_inner();
    let year = request.year.clone();
    match actions::figures(&state.db, &staff.caller(), request).await {
        Ok(figures) => render(
            StatusCode::OK,
            &FiguresPage {
                tr,
                shell: staff.shell,
                year: figures.year.to_string(),
                year_error: None,
                figures: Some(figures),
            },
        ),
        Err(AppError::Validation(_)) => {
            let year_error = Some(tr.t("figures.error.year"));
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FiguresPage {
                    tr,
                    shell: staff.shell,
                    year,
                    year_error,
                    figures: None,
                },
            )
        }
        Err(other) => Err(other),
    }
}

/// A cell as a spreadsheet may open it: one that starts like a formula gets a leading `'`.
fn defused(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The figures as CSV: one line per figure and municipality, with the service's total.
#[get("/figures.csv")]
pub async fn figures_csv(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    query: web::Query<FiguresRequest>,
) -> Result<HttpResponse, AppError> {
    let figures = actions::figures(&state.db, &staff.caller(), query.into_inner()).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(format!("the CSV could not be written: {e}"));
    out.write_record([
        tr.t("figures.csv.year"),
        tr.t("figures.csv.figure"),
        tr.t("figures.csv.municipality"),
        tr.t("figures.csv.value"),
    ])
    .map_err(failed)?;
    let year = figures.year.to_string();
    for row in &figures.rows {
        let label = tr.t(row_key(&row.code));
        let cells = figures
            .municipalities
            .iter()
            .map(String::as_str)
            .zip(&row.municipalities)
            .chain([(tr.t("figures.total"), &row.total)]);
        for (municipality, shown) in cells {
            out.write_record([
                defused(&year),
                defused(label),
                defused(municipality),
                defused(&shown.text()),
            ])
            .map_err(failed)?;
        }
    }
    let body = out
        .into_inner()
        .map_err(|e| AppError::Internal(format!("the CSV could not be written: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"tillit-figures-{year}.csv\""),
        ))
        .body(body))
}

/// The registrations of the year's network measures as CSV: one line per measure, a column per
/// question, the answers in the reader's words. Every cell is defused like the figures'.
#[get("/figures/registrations.csv")]
pub async fn registrations_csv(
    state: web::Data<AppState>,
    staff: Staff,
    tr: Tr,
    query: web::Query<FiguresRequest>,
) -> Result<HttpResponse, AppError> {
    use crate::registration::domain::question;
    use crate::registration::views::{in_words, label_key};
    let export = actions::registrations(&state.db, &staff.caller(), query.into_inner()).await?;
    let failed = |e: csv::Error| AppError::Internal(format!("the CSV could not be written: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut heading = vec![
        tr.t("registration.csv.number").to_owned(),
        tr.t("figures.csv.municipality").to_owned(),
        tr.t("registration.csv.kind").to_owned(),
        tr.t("registration.csv.complete").to_owned(),
    ];
    heading.extend(
        export
            .questions
            .iter()
            .map(|q| tr.t(label_key(q)).to_owned()),
    );
    out.write_record(heading.iter().map(|h| defused(h)))
        .map_err(failed)?;
    for row in &export.rows {
        let complete = if row.complete {
            tr.t("registration.csv.yes")
        } else {
            tr.t("registration.csv.no")
        };
        let mut cells = vec![
            row.number.to_string(),
            row.municipality.clone(),
            row.kind.label(tr.lang()).to_owned(),
            complete.to_owned(),
        ];
        for code in &export.questions {
            let values = row.answers.get(code).map_or(&[][..], Vec::as_slice);
            cells.push(match question(code) {
                Some(q) => in_words(q.input, values, tr.lang()),
                None => values.join(", "),
            });
        }
        out.write_record(cells.iter().map(|c| defused(c)))
            .map_err(failed)?;
    }
    let body = out
        .into_inner()
        .map_err(|e| AppError::Internal(format!("the CSV could not be written: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"tillit-registrations-{}.csv\"",
                export.year
            ),
        ))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_looks_like_a_formula_is_defused() {
        assert_eq!(defused("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defused("-3"), "'-3");
        assert_eq!(defused("<5"), "<5");
        assert_eq!(defused("4624"), "4624");
    }
}
