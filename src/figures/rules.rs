//! Small numbers hide children: every count from 1 to 4 is shown as "<5", and a share computed
//! from such a count is withheld too (a share of a hidden count could give it back). Zero
//! reveals nobody and is shown.

use serde::Serialize;
use utoipa::ToSchema;

/// Counts below this (and above zero) are hidden.
pub const THRESHOLD: i64 = 5;

/// A figure as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Shown {
    /// The number itself.
    Count(i64),
    /// A share in whole per cent.
    Percent(i64),
    /// "<5": the count is hidden, or the share is withheld with it.
    Hidden(#[serde(serialize_with = "hidden")] ()),
}

/// Written by hand: a count and a share are both whole numbers in JSON, so the derived `oneOf`
/// of the three variants would match every number twice.
impl utoipa::PartialSchema for Shown {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .description(Some("A figure as it may be shown"))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0))
                    .description(Some("The number itself, or a share in whole per cent")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["<5"]))
                    .description(Some(
                        "The count is hidden (below 5), or the share is withheld with it",
                    )),
            )
            .into()
    }
}

impl ToSchema for Shown {}

fn hidden<S: serde::Serializer>(_: &(), s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("<5")
}

impl Shown {
    pub fn text(self) -> String {
        match self {
            Self::Count(n) => n.to_string(),
            Self::Percent(p) => format!("{p} %"),
            Self::Hidden(()) => "<5".to_owned(),
        }
    }

    pub fn is_hidden(self) -> bool {
        matches!(self, Self::Hidden(()))
    }
}

/// A count as it may be shown.
pub fn count(n: i64) -> Shown {
    if n > 0 && n < THRESHOLD {
        Shown::Hidden(())
    } else {
        Shown::Count(n)
    }
}

/// `part` of `whole` in per cent, withheld when either count is hidden; none of nothing is 0 %.
pub fn share(part: i64, whole: i64) -> Shown {
    if count(part).is_hidden() || count(whole).is_hidden() {
        return Shown::Hidden(());
    }
    if whole == 0 {
        return Shown::Percent(0);
    }
    Shown::Percent((part * 100 + whole / 2) / whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_under_five_are_hidden_and_their_shares_with_them() {
        assert_eq!(count(0), Shown::Count(0));
        assert_eq!(count(3).text(), "<5");
        assert_eq!(count(5), Shown::Count(5));
        assert_eq!(share(3, 20), Shown::Hidden(()));
        assert_eq!(share(8, 3), Shown::Hidden(()));
        assert_eq!(share(7, 20), Shown::Percent(35));
        assert_eq!(share(0, 0), Shown::Percent(0));
        assert_eq!(
            serde_json::to_value([count(3), count(12)]).unwrap(),
            serde_json::json!(["<5", 12])
        );
    }
}
