//! The checks of a single sign-on, without I/O; each refusal is a [`Refusal`] of its own.

use uuid::Uuid;

use crate::tokens;
use crate::web::problem::AppError;
use crate::web::refusal::Refusal;

/// The provider must send back the state this browser's login started with.
pub fn same_state(expected: &str, returned: &str) -> Result<(), AppError> {
    if !expected.is_empty() && tokens::same(expected, returned) {
        Ok(())
    } else {
        Err(Refusal::SsoStateMismatch.because("the state does not match the login started here"))
    }
}

/// An account found for the person the provider signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub user: Uuid,
    pub active: bool,
}

/// Which account the provider's person signs in to: the one linked to their subject, else the
/// one invited at their email address if the provider has verified it. Never a new one.
pub fn matched_account(
    by_subject: Option<Account>,
    by_email: Option<Account>,
    email_verified: bool,
) -> Result<Account, AppError> {
    let found = by_subject.or(by_email.filter(|_| email_verified));
    match found {
        Some(account) if account.active => Ok(account),
        Some(_) => Err(Refusal::SsoAccountDisabled.because("the account is deactivated")),
        None => Err(Refusal::SsoNoAccount.because("no account for this person")),
    }
}

/// An ID token that failed one of its checks (`check`: nonce, audience, expiry, ...) signs nobody
/// in, whatever it says about the person.
pub fn id_token_refused(check: &str) -> AppError {
    Refusal::SsoTokenInvalid.because(format!("the ID token failed its {check} check"))
}

/// A password login in a service that switched it off.
pub fn password_login_open(open: bool) -> Result<(), AppError> {
    if open {
        Ok(())
    } else {
        Err(Refusal::PasswordLoginOff.because("the service signs in through its provider"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(err: AppError) -> Refusal {
        match err {
            AppError::Refused { rule, .. } => rule,
            other => panic!("not a refusal: {other:?}"),
        }
    }

    #[test]
    fn only_an_invited_active_account_matches() {
        let a = Account {
            user: Uuid::new_v4(),
            active: true,
        };
        let b = Account {
            user: Uuid::new_v4(),
            active: true,
        };
        assert_eq!(matched_account(Some(a), Some(b), true).unwrap(), a);
        assert_eq!(matched_account(None, Some(b), true).unwrap(), b);
        let unverified = matched_account(None, Some(b), false).unwrap_err();
        assert_eq!(refusal(unverified), Refusal::SsoNoAccount);
        let nobody = matched_account(None, None, true).unwrap_err();
        assert_eq!(refusal(nobody), Refusal::SsoNoAccount);
        let off = Account { active: false, ..a };
        assert_eq!(
            refusal(matched_account(Some(off), None, true).unwrap_err()),
            Refusal::SsoAccountDisabled
        );
        assert_eq!(
            refusal(matched_account(None, Some(off), true).unwrap_err()),
            Refusal::SsoAccountDisabled
        );
        assert_eq!(refusal(id_token_refused("nonce")), Refusal::SsoTokenInvalid);
    }

    #[test]
    fn the_state_must_come_back_unchanged() {
        assert!(same_state("abc", "abc").is_ok());
        assert_eq!(
            refusal(same_state("abc", "abd").unwrap_err()),
            Refusal::SsoStateMismatch
        );
        assert_eq!(
            refusal(same_state("", "").unwrap_err()),
            Refusal::SsoStateMismatch
        );
        assert_eq!(
            refusal(password_login_open(false).unwrap_err()),
            Refusal::PasswordLoginOff
        );
    }
}
