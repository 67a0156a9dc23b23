//! What the admin types for the service's provider, parsed once.

use crate::access::Role;

/// The provider's name as the login button shows it ("Logg inn med <label>").
pub const LABEL_MAX: usize = 60;

/// Which role each of the provider's groups gives, in the admin's order: the first of a person's
/// groups found here decides their role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupRoles(pub Vec<(String, Role)>);

impl GroupRoles {
    /// One `group = role` per line; blank lines are skipped. On a bad line, its number (from 1).
    pub fn parse(text: &str) -> Result<Self, usize> {
        let mut pairs = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (group, role) = line.rsplit_once('=').ok_or(n + 1)?;
            let group = group.trim();
            let role = Role::parse(role.trim()).map_err(|_| n + 1)?;
            if group.is_empty() || group.chars().count() > 200 {
                return Err(n + 1);
            }
            pairs.push((group.to_owned(), role));
        }
        Ok(Self(pairs))
    }

    /// The mapping as the admin typed it, one line each.
    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|(group, role)| format!("{group} = {role}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The role of someone in `groups`, if a group of theirs is mapped.
    pub fn role_for(&self, groups: &[String]) -> Option<Role> {
        self.0
            .iter()
            .find(|(group, _)| groups.iter().any(|g| g == group))
            .map(|(_, role)| *role)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.0
                .iter()
                .map(|(g, r)| serde_json::json!([g, r.as_str()]))
                .collect(),
        )
    }

    /// What [`GroupRoles::to_json`] stored; pairs that no longer parse are dropped.
    pub fn from_json(value: &serde_json::Value) -> Self {
        let pairs = value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|pair| {
                let group = pair.get(0)?.as_str()?;
                let role = Role::parse(pair.get(1)?.as_str()?).ok()?;
                Some((group.to_owned(), role))
            })
            .collect();
        Self(pairs)
    }
}

/// The provider as the admin set it up, the secret still in the clear (it is sealed before it is
/// stored, and never shown again).
#[derive(Debug, Clone)]
pub struct ProviderInput {
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    /// `None` keeps the secret stored before.
    pub client_secret: Option<String>,
    pub group_roles: GroupRoles,
    pub password_login: bool,
}

/// The form's fields as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProviderForm {
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub group_roles: String,
    pub password_login: Option<String>,
}

impl ProviderForm {
    /// The input, or each wrong field's id with its message key. A secret is required the first
    /// time (`has_secret` false).
    pub fn parse(
        &self,
        has_secret: bool,
    ) -> Result<ProviderInput, Vec<(&'static str, &'static str)>> {
        let mut errors = Vec::new();
        let label = crate::fields::required_text(&self.label, LABEL_MAX)
            .map_err(|_| errors.push(("label", "sso.error_label")))
            .unwrap_or_default();
        let issuer = self.issuer.trim().to_owned();
        let issuer_ok = url::Url::parse(&issuer)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
            .filter(|u| u.scheme() == "https" || is_loopback(u))
            .is_some();
        if !issuer_ok {
            errors.push(("issuer", "sso.error_issuer"));
        }
        let client_id = crate::fields::required_text(&self.client_id, 200)
            .map_err(|_| errors.push(("client_id", "sso.error_client_id")))
            .unwrap_or_default();
        let secret = self.client_secret.trim();
        let client_secret = if secret.is_empty() {
            if !has_secret {
                errors.push(("client_secret", "sso.error_client_secret"));
            }
            None
        } else if secret.len() > 500 || secret.chars().any(char::is_control) {
            errors.push(("client_secret", "sso.error_client_secret"));
            None
        } else {
            Some(secret.to_owned())
        };
        let group_roles = GroupRoles::parse(&self.group_roles)
            .map_err(|_| errors.push(("group_roles", "sso.error_group_roles")))
            .unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ProviderInput {
            label,
            issuer,
            client_id,
            client_secret,
            group_roles,
            password_login: self.password_login.is_some(),
        })
    }
}

/// Plain `http` is only for a provider on this machine (a test or a local development provider).
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// A login sent to the provider and not yet back: what the browser keeps (sealed, so it can
/// neither read nor alter it) until the provider sends it to the callback.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingLogin {
    pub tenant: uuid::Uuid,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub next: String,
    /// Unix seconds after which the login has to start again.
    pub expires: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_map_to_roles_in_the_admins_order() {
        let roles =
            GroupRoles::parse("barnevern-ledere = leader\n\n barnevern = caseworker ").unwrap();
        assert_eq!(roles.0.len(), 2);
        let groups = |g: &[&str]| g.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            roles.role_for(&groups(&["barnevern", "barnevern-ledere"])),
            Some(Role::Leader)
        );
        assert_eq!(
            roles.role_for(&groups(&["barnevern"])),
            Some(Role::Caseworker)
        );
        assert_eq!(roles.role_for(&groups(&["andre"])), None);
        assert_eq!(GroupRoles::from_json(&roles.to_json()), roles);
        assert_eq!(GroupRoles::parse(&roles.text()).unwrap(), roles);
        assert_eq!(GroupRoles::parse("a = leader\nb = king"), Err(2));
        assert_eq!(GroupRoles::parse("no role here"), Err(1));
    }

    #[test]
    fn the_form_says_what_is_wrong_at_each_field() {
        let form = ProviderForm {
            label: " ".into(),
            issuer: "http://idp.example.no".into(),
            client_id: "tillit".into(),
            client_secret: String::new(),
            group_roles: "x".into(),
            password_login: None,
        };
        let errors = form.parse(false).unwrap_err();
        let ids: Vec<_> = errors.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, ["label", "issuer", "client_secret", "group_roles"]);
        let ok = ProviderForm {
            label: "Kommunens innlogging".into(),
            issuer: "https://login.example.no/tenant/v2.0".into(),
            group_roles: String::new(),
            ..form
        };
        let input = ok.parse(true).unwrap();
        assert!(
            input.client_secret.is_none(),
            "a blank secret keeps the stored one"
        );
        assert!(!input.password_login);
        let local = ProviderForm {
            issuer: "http://127.0.0.1:4000".into(),
            ..ok
        };
        assert!(local.parse(true).is_ok());
    }
}
