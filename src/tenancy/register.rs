//! Norway's municipalities by kommunenummer, from Statistics Norway's classification
//! (`kommuner.tsv`, compiled in). A service's municipality is shown by its name wherever its
//! number appears; a number the register does not hold can still be served (the classification
//! changes with each municipal reform), but only with a name typed by the admin.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::domain::Kommunenummer;

static REGISTER: LazyLock<BTreeMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("kommuner.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| line.split_once('\t'))
        .collect()
});

/// The municipality's name in Statistics Norway's register, if it holds the number.
pub fn name_of(number: &Kommunenummer) -> Option<&'static str> {
    REGISTER.get(number.as_str()).copied()
}

/// `4624 Bjørnafjorden`: the number with the stored name, else the register's, else the number.
pub fn label(number: &str, stored: Option<&str>) -> String {
    let name = stored
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .or_else(|| REGISTER.get(number).copied());
    match name {
        Some(name) => format!("{number} {name}"),
        None => number.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_holds_every_municipality_once_by_its_four_digits() {
        let lines: Vec<&str> = include_str!("kommuner.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert_eq!(lines.len(), 357, "the 2024 classification has 357");
        assert_eq!(REGISTER.len(), lines.len(), "no number twice");
        for line in lines {
            let (number, name) = line.split_once('\t').expect("number, tab, name");
            assert!(Kommunenummer::parse(number).is_ok(), "{line:?}");
            assert_eq!(name.trim(), name, "{line:?}");
            assert!(!name.is_empty(), "{line:?}");
        }
    }

    #[test]
    fn a_number_is_named_by_what_was_stored_else_by_the_register() {
        let bjornafjorden = Kommunenummer::parse("4624").unwrap();
        assert_eq!(name_of(&bjornafjorden), Some("Bjørnafjorden"));
        assert_eq!(
            name_of(&Kommunenummer::parse("5622").unwrap()),
            Some("Porsanger - Porsáŋgu - Porsanki")
        );
        assert_eq!(name_of(&Kommunenummer::parse("4699").unwrap()), None);
        assert_eq!(label("4624", None), "4624 Bjørnafjorden");
        assert_eq!(label("4624", Some(" ")), "4624 Bjørnafjorden");
        assert_eq!(label("4624", Some("Os")), "4624 Os");
        assert_eq!(label("4699", None), "4699");
    }
}
