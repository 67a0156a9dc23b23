//! Who may use on-call access, and whether an opening still holds. Pure functions; every refusal
//! is here.

use chrono::{DateTime, Utc};

use crate::access::{Caller, Role};
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

/// The roles that may look cases up and open an acute list without being assigned: the on-call
/// service, and a caseworker (with a stated reason, like everyone).
pub const OPENER_ROLES: [Role; 2] = [Role::OnCall, Role::Caseworker];

/// The roles that review every opening: the leader and the service's admin.
pub const REVIEWER_ROLES: [Role; 2] = [Role::Leader, Role::TenantAdmin];

/// The staff member who opens: the caller must have an opener role and be a person (an API key
/// acting for nobody cannot open, since an opening names who).
pub fn opener(caller: &Caller) -> Result<uuid::Uuid, AppError> {
    caller.require(&OPENER_ROLES)?;
    caller.person()
}

/// Whether an opening that lasts until `expires_at` is still open at `now`.
pub fn is_open(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < expires_at
}

/// Refuses reading under an opening that has closed: a new opening needs a new reason.
pub fn still_open(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), AppError> {
    if is_open(expires_at, now) {
        Ok(())
    } else {
        Err(Refusal::AcuteOpeningClosed
            .because(format!("the opening closed at {}", expires_at.to_rfc3339())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn an_opening_is_open_until_the_moment_it_expires() {
        let opened = Utc.with_ymd_and_hms(2026, 12, 5, 1, 30, 0).unwrap();
        let expires = opened + Duration::hours(crate::oncall::domain::OPEN_HOURS);
        assert!(is_open(expires, opened));
        assert!(is_open(expires, expires - Duration::seconds(1)));
        assert!(!is_open(expires, expires));
        assert!(matches!(
            still_open(expires, expires + Duration::hours(1)),
            Err(AppError::Refused {
                rule: Refusal::AcuteOpeningClosed,
                ..
            })
        ));
    }
}
