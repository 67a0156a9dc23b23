//! The figures' input and vocabularies.

use serde::Deserialize;

use crate::councils::domain::CouncilKind;
use crate::web::problem::AppError;

/// The first year figures can be asked for.
pub const FIRST_YEAR: i32 = 2000;

/// The year asked for, as sent (`?year=2026`); this year when absent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresRequest {
    /// From 2000 to this year.
    #[serde(default)]
    #[param(value_type = Option<i32>, minimum = 2000)]
    pub year: String,
}

impl FiguresRequest {
    /// The year, from [`FIRST_YEAR`] to `this_year`; anything else is a wrong `year`.
    pub fn year(&self, this_year: i32) -> Result<i32, AppError> {
        let text = self.year.trim();
        if text.is_empty() {
            return Ok(this_year);
        }
        text.parse::<i32>()
            .ok()
            .filter(|y| (FIRST_YEAR..=this_year).contains(y))
            .ok_or_else(|| {
                AppError::field(
                    "year",
                    format!("a year from {FIRST_YEAR} to {this_year}, e.g. {this_year}"),
                )
            })
    }
}

crate::vocabulary::vocabulary! {
    /// Statistics Norway's categories of network and collaboration meetings (S3).
    pub enum SsbCategory ("SSB category") {
        FamilyGroupConference => "familierad", "Familieråd", "Family group conferences";
        NetworkMeetings => "nettverksmoter", "Nettverksmøter", "Network meetings";
        ResponsibilityGroup => "ansvarsgruppemoter", "Ansvarsgruppemøter", "Responsibility group meetings";
        IndividualPlan => "individuell_plan", "Individuell plan", "Individual plan";
        Other => "annet", "Annet (nettverksråd)", "Other (network councils)";
    }
}

impl SsbCategory {
    /// Where a council of `kind` is counted. Tillit has no individual plans: that row stays 0.
    pub fn of(kind: CouncilKind) -> Self {
        match kind {
            CouncilKind::FamilyGroupConference => Self::FamilyGroupConference,
            CouncilKind::NetworkMeetingSeries => Self::NetworkMeetings,
            CouncilKind::ResponsibilityGroup => Self::ResponsibilityGroup,
            CouncilKind::NetworkCouncil => Self::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_out_of_range_is_a_wrong_field() {
        let asked = |y: &str| FiguresRequest { year: y.into() }.year(2026);
        assert_eq!(asked("").unwrap(), 2026);
        assert_eq!(asked("2025").unwrap(), 2025);
        for bad in ["1999", "2027", "tjue", "20 26"] {
            assert!(asked(bad).is_err(), "{bad}");
        }
    }
}
