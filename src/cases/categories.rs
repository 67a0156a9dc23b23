//! The network map's vocabulary: who a person is to the child, which side of the network they
//! stand on, and how close and how helpful the relation is.
//!
//! Every term has a stable snake_case code (stored, sent over the API, used in CSS classes) and a
//! label in Norwegian bokmål and English, so that one list of terms drives the forms, the API and
//! the eco-map picture alike.

pub use crate::web::i18n::Lang;

use crate::vocabulary::vocabulary;

vocabulary! {
    /// Who a person is to the child. The list follows the municipal guidance on network mapping,
    /// which names the groups caseworkers tend to forget (the other parent's family, neighbours,
    /// families the child knows) so that the form reminds them to ask.
    pub enum RelationCategory ("relation category") {
        NearFamily => "near_family", "Nær familie", "Close family";
        DistantRelative => "distant_relative", "Fjernere slekt", "Extended relatives";
        OtherParentFamily => "other_parent_family", "Den andre forelderens familie", "The other parent's family";
        FamilyFriend => "family_friend", "Venner av familien", "Family friends";
        KnownFamily => "known_family", "Familier barnet kjenner", "Families the child knows";
        StepPartner => "step_partner", "Ny samboer", "A parent's new partner";
        Neighbour => "neighbour", "Nabo", "Neighbour";
        School => "school", "Skole", "School";
        Kindergarten => "kindergarten", "Barnehage", "Kindergarten";
        AfterSchool => "after_school", "SFO", "After-school care";
        LeisureActivity => "leisure_activity", "Fritidsaktivitet", "Leisure activity";
        HealthNurse => "health_nurse", "Helsesykepleier", "Public health nurse";
        Gp => "gp", "Fastlege", "GP";
        Camhs => "camhs", "BUP", "CAMHS";
        Ppt => "ppt", "PPT", "Educational psychology service (PPT)";
        Therapist => "therapist", "Terapeut/psykolog", "Therapist/psychologist";
        PublicOther => "public_other", "Annen offentlig tjeneste", "Other public service";
        MeasureProvider => "measure_provider", "Tiltaksleverandør", "Measure provider";
        OtherCaringAdult => "other_caring_adult", "Annen voksen som bryr seg", "Other adult who cares";
    }
}

impl RelationCategory {
    /// The side a person of this category usually stands on: professionals are the public
    /// network, everyone else the private one. A form pre-selects it; a caseworker may override
    /// it (a teacher who is also a family friend).
    pub fn default_side(self) -> NetworkSide {
        match self {
            Self::School
            | Self::Kindergarten
            | Self::AfterSchool
            | Self::HealthNurse
            | Self::Gp
            | Self::Camhs
            | Self::Ppt
            | Self::Therapist
            | Self::PublicOther
            | Self::MeasureProvider => NetworkSide::Public,
            Self::NearFamily
            | Self::DistantRelative
            | Self::OtherParentFamily
            | Self::FamilyFriend
            | Self::KnownFamily
            | Self::StepPartner
            | Self::Neighbour
            | Self::LeisureActivity
            | Self::OtherCaringAdult => NetworkSide::Private,
        }
    }

    /// The eco-map sector the person is drawn in.
    pub fn sector(self) -> Sector {
        match self {
            Self::NearFamily | Self::StepPartner => Sector::Family,
            Self::DistantRelative | Self::OtherParentFamily => Sector::Relatives,
            Self::FamilyFriend | Self::KnownFamily | Self::Neighbour | Self::OtherCaringAdult => {
                Sector::FriendsNeighbours
            }
            Self::School | Self::Kindergarten | Self::AfterSchool | Self::LeisureActivity => {
                Sector::SchoolLeisure
            }
            Self::HealthNurse
            | Self::Gp
            | Self::Camhs
            | Self::Ppt
            | Self::Therapist
            | Self::PublicOther
            | Self::MeasureProvider => Sector::PublicServices,
        }
    }
}

vocabulary! {
    /// The eco-map's wedges. Five groups are few enough to tell apart at a glance and still keep
    /// relatives apart from the close family, whom a network council tends to ask first.
    pub enum Sector ("sector") {
        Family => "family", "Familie", "Family";
        Relatives => "relatives", "Slekt", "Relatives";
        FriendsNeighbours => "friends_neighbours", "Venner og naboer", "Friends and neighbours";
        SchoolLeisure => "school_leisure", "Skole og fritid", "School and leisure";
        PublicServices => "public_services", "Offentlige tjenester", "Public services";
    }
}

vocabulary! {
    /// Private network (family, friends) or public network (professionals). Meetings treat them
    /// differently: in a family group conference the private network makes the plan alone.
    pub enum NetworkSide ("network side") {
        Private => "private", "Privat", "Private";
        Public => "public", "Offentlig", "Public";
    }
}

vocabulary! {
    /// Which parent's side a relative belongs to. Recorded because the father's family is often
    /// forgotten, and a map that shows only one side makes the gap visible.
    pub enum Lineage ("lineage") {
        Maternal => "maternal", "Mors side", "Mother's side";
        Paternal => "paternal", "Fars side", "Father's side";
        Both => "both", "Begge sider", "Both sides";
        NotApplicable => "not_applicable", "Ikke aktuelt", "Not applicable";
    }
}

vocabulary! {
    /// How close the child feels to the person: the ring they are drawn on.
    pub enum Closeness ("closeness") {
        Close => "close", "Nær", "Close";
        Medium => "medium", "Middels", "Medium";
        Distant => "distant", "Fjern", "Distant";
    }
}

vocabulary! {
    /// Whether the relation helps the child. Strained relations stay on the map: they are part of
    /// the picture, and some "kan styrkes og utvikles".
    pub enum RelationQuality ("relation quality") {
        Supportive => "supportive", "Støttende", "Supportive";
        Mixed => "mixed", "Blandet", "Mixed";
        Strained => "strained", "Anstrengt", "Strained";
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    /// Checks one vocabulary: codes round-trip, serde agrees with `as_str`, labels exist in both
    /// languages and differ between terms, and an unknown code is refused with the valid ones.
    fn check<T>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Result<T, String>,
        label: fn(T, Lang) -> &'static str,
    ) where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + serde::de::DeserializeOwned,
    {
        for &term in all {
            let code = as_str(term);
            assert_eq!(parse(code).unwrap(), term, "{code}");
            assert_eq!(
                parse(&format!(" {code} ")).unwrap(),
                term,
                "{code} with spaces"
            );
            assert_eq!(serde_json::to_string(&term).unwrap(), format!("\"{code}\""));
            assert_eq!(
                serde_json::from_str::<T>(&format!("\"{code}\"")).unwrap(),
                term
            );
            for lang in Lang::ALL {
                assert!(!label(term, lang).is_empty(), "{code} has a {lang} label");
            }
        }
        for lang in Lang::ALL {
            let mut labels: Vec<_> = all.iter().map(|&t| label(t, lang)).collect();
            labels.sort_unstable();
            labels.dedup();
            assert_eq!(labels.len(), all.len(), "{lang} labels are distinct");
        }
        let err = parse("no_such_code").unwrap_err();
        for &term in all {
            assert!(err.contains(as_str(term)), "{err} names {}", as_str(term));
        }
        assert!(parse("").is_err());
        assert!(
            parse(&as_str(all[0]).to_uppercase()).is_err(),
            "codes are case-sensitive"
        );
    }

    #[test]
    fn every_vocabulary_round_trips_and_names_its_codes_on_error() {
        check(
            &RelationCategory::ALL,
            RelationCategory::as_str,
            RelationCategory::parse,
            RelationCategory::label,
        );
        check(&Sector::ALL, Sector::as_str, Sector::parse, Sector::label);
        check(
            &NetworkSide::ALL,
            NetworkSide::as_str,
            NetworkSide::parse,
            NetworkSide::label,
        );
        check(
            &Lineage::ALL,
            Lineage::as_str,
            Lineage::parse,
            Lineage::label,
        );
        check(
            &Closeness::ALL,
            Closeness::as_str,
            Closeness::parse,
            Closeness::label,
        );
        check(
            &RelationQuality::ALL,
            RelationQuality::as_str,
            RelationQuality::parse,
            RelationQuality::label,
        );
    }

    #[test]
    fn the_codes_are_the_documented_ones() {
        let categories: Vec<_> = RelationCategory::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            categories,
            [
                "near_family",
                "distant_relative",
                "other_parent_family",
                "family_friend",
                "known_family",
                "step_partner",
                "neighbour",
                "school",
                "kindergarten",
                "after_school",
                "leisure_activity",
                "health_nurse",
                "gp",
                "camhs",
                "ppt",
                "therapist",
                "public_other",
                "measure_provider",
                "other_caring_adult",
            ]
        );
        let sectors: Vec<_> = Sector::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            sectors,
            [
                "family",
                "relatives",
                "friends_neighbours",
                "school_leisure",
                "public_services"
            ]
        );
        assert_eq!(RelationCategory::NearFamily.label(Lang::Nb), "Nær familie");
        assert_eq!(RelationCategory::Camhs.label(Lang::Nb), "BUP");
        assert_eq!(Lineage::Paternal.label(Lang::Nb), "Fars side");
        assert_eq!(RelationQuality::Strained.label(Lang::Nb), "Anstrengt");
    }

    #[test]
    fn every_category_has_its_sector_and_side() {
        use NetworkSide::{Private, Public};
        use RelationCategory as C;
        use Sector as S;
        let expected = [
            (C::NearFamily, S::Family, Private),
            (C::StepPartner, S::Family, Private),
            (C::DistantRelative, S::Relatives, Private),
            (C::OtherParentFamily, S::Relatives, Private),
            (C::FamilyFriend, S::FriendsNeighbours, Private),
            (C::KnownFamily, S::FriendsNeighbours, Private),
            (C::Neighbour, S::FriendsNeighbours, Private),
            (C::OtherCaringAdult, S::FriendsNeighbours, Private),
            (C::School, S::SchoolLeisure, Public),
            (C::Kindergarten, S::SchoolLeisure, Public),
            (C::AfterSchool, S::SchoolLeisure, Public),
            (C::LeisureActivity, S::SchoolLeisure, Private),
            (C::HealthNurse, S::PublicServices, Public),
            (C::Gp, S::PublicServices, Public),
            (C::Camhs, S::PublicServices, Public),
            (C::Ppt, S::PublicServices, Public),
            (C::Therapist, S::PublicServices, Public),
            (C::PublicOther, S::PublicServices, Public),
            (C::MeasureProvider, S::PublicServices, Public),
        ];
        assert_eq!(
            expected.len(),
            C::ALL.len(),
            "the table covers every category"
        );
        for (category, sector, side) in expected {
            assert_eq!(category.sector(), sector, "{category}");
            assert_eq!(category.default_side(), side, "{category}");
        }
        for sector in S::ALL {
            assert!(
                C::ALL.iter().any(|c| c.sector() == sector),
                "{sector} is not empty"
            );
        }
    }
}
