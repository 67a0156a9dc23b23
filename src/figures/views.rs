//! The figures as the page, the CSV and the JSON show them: already suppressed, so no view
//! holds a count that may not be shown.

use serde::Serialize;
use utoipa::ToSchema;

use super::domain::SsbCategory;
use super::queries::{Counted, Monthly};
use super::rules::{Shown, count, share};
use crate::councils::domain::CouncilKind;

/// One figure: its code, per municipality (in the order of [`Figures::municipalities`]) and for
/// the whole service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureRow {
    /// cases_opened, mapped_early, mapped_early_share, councils_<SSB category>,
    /// measure_checked, measure_justified, invited, invitations_answered, answer_rate,
    /// participants_private, participants_public, meetings_<SSB category> (meetings held),
    /// evaluations_agreed (agreed dates that fell in the year), evaluations_on_time (met by an
    /// evaluation held on or before the date), evaluations_on_time_share, placements_decided,
    /// placements_in_network or placements_in_network_share.
    pub code: String,
    pub municipalities: Vec<Shown>,
    pub total: Shown,
}

/// Councils started in one month, all kinds together.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthFigure {
    /// 1 to 12.
    pub month: u32,
    pub councils: Shown,
}

/// A year of the service's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub year: i32,
    /// The kommunenummer of the columns; "" for cases with no municipality recorded.
    pub municipalities: Vec<String>,
    pub rows: Vec<FigureRow>,
    pub months: Vec<MonthFigure>,
    /// The served municipalities' names by kommunenummer, for the page's column headings.
    #[serde(skip)]
    #[schema(ignore)]
    pub names: std::collections::HashMap<String, String>,
}

impl Figures {
    /// The figures from the raw counts; `served` are the service's municipalities, shown even
    /// where a year has nothing.
    pub fn build(year: i32, served: Vec<String>, counts: &[Counted], monthly: &[Monthly]) -> Self {
        let mut municipalities = served;
        for c in counts {
            if !municipalities.contains(&c.municipality) {
                municipalities.push(c.municipality.clone());
            }
        }
        let raw = |what: &dyn Fn(&str) -> bool, m: Option<&str>| -> i64 {
            counts
                .iter()
                .filter(|c| what(&c.what) && m.is_none_or(|m| c.municipality == m))
                .map(|c| c.n)
                .sum()
        };
        let counted = |code: &str, what: &dyn Fn(&str) -> bool| FigureRow {
            code: code.to_owned(),
            municipalities: municipalities
                .iter()
                .map(|m| count(raw(what, Some(m))))
                .collect(),
            total: count(raw(what, None)),
        };
        let is = |name: &'static str| move |w: &str| w == name;
        // `part` of `whole` as a share, withheld with either count.
        let shared = |code: &str, part: &'static str, whole: &'static str| FigureRow {
            code: code.to_owned(),
            municipalities: municipalities
                .iter()
                .map(|m| share(raw(&is(part), Some(m)), raw(&is(whole), Some(m))))
                .collect(),
            total: share(raw(&is(part), None), raw(&is(whole), None)),
        };
        let mut rows = vec![
            counted("cases_opened", &is("cases_opened")),
            counted("mapped_early", &is("mapped_early")),
            shared("mapped_early_share", "mapped_early", "cases_opened"),
        ];
        for category in SsbCategory::ALL {
            let of_category = move |w: &str| {
                w.strip_prefix("council_")
                    .and_then(|k| CouncilKind::parse(k).ok())
                    .is_some_and(|k| SsbCategory::of(k) == category)
            };
            rows.push(counted(
                &format!("councils_{}", category.as_str()),
                &of_category,
            ));
        }
        rows.push(counted("measure_checked", &is("measure_checked")));
        rows.push(counted("measure_justified", &is("measure_justified")));
        rows.push(counted("invited", &is("invited")));
        rows.push(counted("invitations_answered", &is("invitations_answered")));
        rows.push(shared("answer_rate", "invitations_answered", "invited"));
        rows.push(counted("participants_private", &is("participants_private")));
        rows.push(counted("participants_public", &is("participants_public")));
        for category in SsbCategory::ALL {
            let of_category = move |w: &str| {
                w.strip_prefix("meeting_")
                    .and_then(|k| CouncilKind::parse(k).ok())
                    .is_some_and(|k| SsbCategory::of(k) == category)
            };
            rows.push(counted(
                &format!("meetings_{}", category.as_str()),
                &of_category,
            ));
        }
        let agreed = |w: &str| w == "evaluations_on_time" || w == "evaluations_late";
        rows.push(counted("evaluations_agreed", &agreed));
        rows.push(counted("evaluations_on_time", &is("evaluations_on_time")));
        rows.push(FigureRow {
            code: "evaluations_on_time_share".to_owned(),
            municipalities: municipalities
                .iter()
                .map(|m| {
                    share(
                        raw(&is("evaluations_on_time"), Some(m)),
                        raw(&agreed, Some(m)),
                    )
                })
                .collect(),
            total: share(raw(&is("evaluations_on_time"), None), raw(&agreed, None)),
        });
        // Placements decided, and of them those within the child's family and network.
        let placed = |w: &str| w == "placement_network" || w == "placement_other";
        rows.push(counted("placements_decided", &placed));
        rows.push(counted("placements_in_network", &is("placement_network")));
        rows.push(FigureRow {
            code: "placements_in_network_share".to_owned(),
            municipalities: municipalities
                .iter()
                .map(|m| {
                    share(
                        raw(&is("placement_network"), Some(m)),
                        raw(&placed, Some(m)),
                    )
                })
                .collect(),
            total: share(raw(&is("placement_network"), None), raw(&placed, None)),
        });
        let months = (1..=12)
            .map(|month| MonthFigure {
                month,
                councils: count(
                    monthly
                        .iter()
                        .filter(|m| m.month == month as i32)
                        .map(|m| m.n)
                        .sum(),
                ),
            })
            .collect();
        Self {
            year,
            municipalities,
            rows,
            months,
            names: std::collections::HashMap::new(),
        }
    }

    /// The row of `code`.
    pub fn row(&self, code: &str) -> Option<&FigureRow> {
        self.rows.iter().find(|r| r.code == code)
    }
}
