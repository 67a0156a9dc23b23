//! Access: who is calling and what their role lets them do. API keys for integrations live here;
//! staff sessions join them through the same [`Caller`].

pub mod account;
pub mod account_links;
pub mod admin;
pub mod api_keys;
pub mod caller;
pub mod factor;
pub mod home;
pub mod jobs;
pub mod login;
pub mod passwords;
pub mod service;
pub mod session;
pub mod sso;
pub mod staff;
pub mod staff_api;
pub mod totp;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use caller::Caller;

/// A staff member's or API key's role within one service.
///
/// Leaders see aggregate figures only; caseworkers and coordinators see the cases assigned to
/// them; tenant admins manage the service and see no case data unless assigned; foster care
/// officers (the foster care service's staff) see only the recruitment of the cases assigned to
/// them; the on-call service (barnevernvakt) sees no case, only the acute list of a case they open
/// with a stated reason, for 12 hours (`crate::oncall`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    TenantAdmin,
    Leader,
    Caseworker,
    Coordinator,
    FosterCare,
    OnCall,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::TenantAdmin,
        Role::Leader,
        Role::Caseworker,
        Role::Coordinator,
        Role::FosterCare,
        Role::OnCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenantAdmin => "tenant_admin",
            Self::Leader => "leader",
            Self::Caseworker => "caseworker",
            Self::Coordinator => "coordinator",
            Self::FosterCare => "foster_care",
            Self::OnCall => "on_call",
        }
    }

    pub fn parse(input: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == input.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|r| r.as_str()).collect();
                format!("the role must be one of {}", names.join(", "))
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_round_trip_and_unknown_ones_are_named() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        let err = Role::parse("superuser").unwrap_err();
        assert!(err.contains("tenant_admin"), "{err}");
    }
}
