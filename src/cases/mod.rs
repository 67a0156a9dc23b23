//! Cases and the child's network map.

pub mod categories;
pub mod ecomap;
