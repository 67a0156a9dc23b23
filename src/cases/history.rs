//! The map's history: who was added, removed or changed between two revisions. Each revision
//! stores its persons as they stood ([`MapPerson`]), so the comparison needs nothing but the two
//! snapshots and still works after people were removed from the current map.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::views::MapPerson;

/// The fields compared, in the order a reader goes through a person.
pub const FIELDS: [&str; 20] = [
    "name",
    "relation",
    "category",
    "side",
    "lineage",
    "closeness",
    "quality",
    "can_strengthen",
    "can_step_in",
    "step_in_how",
    "reachable_when",
    "can_take_child",
    "email",
    "phone",
    "address",
    "abroad_other_culture",
    "preferred_channel",
    "email_too",
    "language",
    "interpreter",
];

/// One field of one person that differs, with its value before and after (codes for the
/// vocabulary fields, `null` when empty).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldChange {
    pub field: &'static str,
    #[schema(value_type = Object)]
    pub from: Value,
    #[schema(value_type = Object)]
    pub to: Value,
}

/// A person on both maps whose mapped facts differ.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PersonChange {
    pub id: Uuid,
    /// The name on the later map.
    pub name: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct MapDiff {
    pub added: Vec<MapPerson>,
    pub removed: Vec<MapPerson>,
    pub changed: Vec<PersonChange>,
}

impl MapDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares the map `from` with the later map `to`: added and changed persons in `to`'s order,
/// removed ones in `from`'s.
pub fn diff(from: &[MapPerson], to: &[MapPerson]) -> MapDiff {
    let before = |id: Uuid| from.iter().find(|p| p.id == id);
    let mut out = MapDiff::default();
    for person in to {
        match before(person.id) {
            None => out.added.push(person.clone()),
            Some(old) if old != person => out.changed.push(PersonChange {
                id: person.id,
                name: person.name.clone(),
                changes: changes(old, person),
            }),
            Some(_) => {}
        }
    }
    out.removed = from
        .iter()
        .filter(|p| !to.iter().any(|q| q.id == p.id))
        .cloned()
        .collect();
    out
}

fn changes(old: &MapPerson, new: &MapPerson) -> Vec<FieldChange> {
    let (Ok(Value::Object(mut a)), Ok(Value::Object(mut b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    FIELDS
        .into_iter()
        .filter_map(|field| {
            let from = a.remove(field).unwrap_or(Value::Null);
            let to = b.remove(field).unwrap_or(Value::Null);
            (from != to).then_some(FieldChange { field, from, to })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cases::categories::{
        Closeness, Lineage, NetworkSide, RelationCategory, RelationQuality,
    };

    fn person(n: u128, name: &str) -> MapPerson {
        MapPerson {
            id: Uuid::from_u128(n),
            name: name.into(),
            relation: None,
            category: RelationCategory::NearFamily,
            side: NetworkSide::Private,
            lineage: Lineage::Maternal,
            closeness: Closeness::Close,
            quality: RelationQuality::Supportive,
            can_strengthen: false,
            can_step_in: false,
            step_in_how: None,
            reachable_when: None,
            can_take_child: false,
            email: None,
            phone: None,
            address: None,
            preferred_channel: crate::cases::domain::Channel::Email,
            email_too: false,
            abroad_other_culture: false,
            language: None,
            interpreter: None,
        }
    }

    #[test]
    fn the_compared_fields_are_every_field_but_the_id() {
        let Value::Object(map) = serde_json::to_value(person(1, "A")).unwrap() else {
            panic!("an object");
        };
        let mut keys: Vec<_> = map.keys().filter(|k| *k != "id").cloned().collect();
        let mut fields: Vec<_> = FIELDS.iter().map(|f| f.to_string()).collect();
        keys.sort();
        fields.sort();
        assert_eq!(keys, fields);
    }

    #[test]
    fn added_removed_and_changed_are_told_apart() {
        let mormor = person(1, "Mormor");
        let farfar = person(2, "Farfar");
        let laerer = person(3, "Lærer");
        let from = vec![mormor.clone(), farfar.clone()];
        let mut moved = mormor.clone();
        moved.closeness = Closeness::Medium;
        moved.phone = Some("+4791234567".into());
        let to = vec![moved, laerer.clone()];
        let d = diff(&from, &to);
        assert_eq!(d.added, vec![laerer]);
        assert_eq!(d.removed, vec![farfar]);
        assert_eq!(
            d.changed,
            vec![PersonChange {
                id: mormor.id,
                name: "Mormor".into(),
                changes: vec![
                    FieldChange {
                        field: "closeness",
                        from: json!("close"),
                        to: json!("medium")
                    },
                    FieldChange {
                        field: "phone",
                        from: Value::Null,
                        to: json!("+4791234567")
                    },
                ]
            }]
        );
        assert!(diff(&to, &to).is_empty());
        assert!(!d.is_empty());
    }

    #[test]
    fn a_snapshot_survives_the_trip_through_json() {
        let people = vec![person(1, "Åse Ødegård"), person(2, "Farfar")];
        let stored = serde_json::to_value(&people).unwrap();
        let back: Vec<MapPerson> = serde_json::from_value(stored).unwrap();
        assert_eq!(back, people);
    }
}
