//! Layered settings: `config/default.toml` < `config/<TILLIT_ENV>.toml` < `TILLIT_*` variables.
//!
//! Connection strings may carry passwords, so they are held as [`SecretString`]: they never appear
//! in `Debug` output, logs or error messages. Code that needs one calls `expose_secret()` at the
//! point of use.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub env: String,
    pub database_url: SecretString,
    pub database_admin_url: SecretString,
    pub redis_url: SecretString,
    pub bind: SocketAddr,
    pub base_url: String,
    pub mail_transport: MailTransport,
    pub mail_dir: PathBuf,
    pub smtp_url: SecretString,
    pub secret_key: SecretString,
    pub sms_transport: SmsTransport,
    pub sms_dir: PathBuf,
    /// The gateway's account (LINK Mobility: the basic-auth user and password).
    pub sms_username: SecretString,
    pub sms_password: SecretString,
    /// The secret the gateway's delivery reports carry in their URL.
    pub sms_webhook_secret: SecretString,
    pub sms: SmsSettings,
    pub redis_namespace: String,
    pub mail: MailSettings,
    pub jobs: JobSettings,
    pub session: SessionSettings,
    pub rate_limits: RateLimitSettings,
    pub database: DatabaseSettings,
    pub http: HttpSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    Smtp,
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsTransport {
    Http,
    File,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SmsSettings {
    /// The gateway's API root (LINK Mobility's Common Platform, e.g. `https://n-eu.linkmobility.io`).
    pub base_url: String,
    pub platform_id: String,
    pub platform_partner_id: String,
    /// The gate that posts delivery reports to `/hooks/sms/linkmobility/{secret}`; empty for none.
    pub delivery_report_gate: String,
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    pub from_address: String,
    pub smtp_pool_size: u32,
    pub smtp_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SessionSettings {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    pub login_per_address: u32,
    pub login_per_account: u32,
    pub links_per_address: u32,
    pub invitee_per_address: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JobSettings {
    pub dispatch_interval_ms: u64,
    pub dispatch_batch: i32,
    pub lease_secs: i32,
    pub max_attempts: i32,
    pub backoff_base_secs: i64,
    pub concurrency: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub pool_size: u32,
    pub connection_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HttpSettings {
    pub body_limit_bytes: usize,
    pub shutdown_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads the settings from `config_dir` and the process environment.
    pub fn load(config_dir: &Path) -> Result<Self, ConfigError> {
        let env = std::env::var("TILLIT_ENV").unwrap_or_else(|_| "development".to_owned());
        Self::from_figment(
            Self::files(config_dir, &env)?.merge(Env::prefixed("TILLIT_").split("__")),
        )
    }

    /// Loads the files for `env` and then `overrides` (dotted keys), ignoring the process
    /// environment: for tests, which must not depend on what a machine has exported.
    pub fn for_environment(
        config_dir: &Path,
        env: &str,
        overrides: &[(&str, serde_json::Value)],
    ) -> Result<Self, ConfigError> {
        let mut figment = Self::files(config_dir, env)?;
        for (key, value) in overrides {
            figment = figment.merge(Serialized::default(key, value));
        }
        Self::from_figment(figment)
    }

    fn files(config_dir: &Path, env: &str) -> Result<Figment, ConfigError> {
        if !env
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ConfigError::Invalid(format!(
                "TILLIT_ENV must be a plain name such as development or production, not {env:?}"
            )));
        }
        Ok(Figment::new()
            // The defaults are compiled in, so the binary runs from any folder; a default.toml
            // beside it may still change them.
            .merge(Toml::string(DEFAULTS))
            .merge(Toml::file(config_dir.join("default.toml")))
            .merge(Toml::file(config_dir.join(format!("{env}.toml"))))
            .merge(Serialized::default("env", env)))
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment.extract().map_err(|e| {
            // figment's messages name the key and the expected type, never the value.
            ConfigError::Invalid(e.to_string())
        })?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        for (name, value) in [
            ("database_url", &self.database_url),
            ("database_admin_url", &self.database_admin_url),
        ] {
            // The server never needs the admin connection; deployments may leave it empty.
            if name == "database_admin_url" && value.expose_secret().is_empty() {
                continue;
            }
            let parsed = url::Url::parse(value.expose_secret())
                .map_err(|_| ConfigError::Invalid(format!("{name} is not a postgres:// URL")))?;
            if !matches!(parsed.scheme(), "postgres" | "postgresql") {
                return Err(ConfigError::Invalid(format!(
                    "{name} must start with postgres://"
                )));
            }
        }
        if url::Url::parse(&self.base_url).is_err() {
            return Err(ConfigError::Invalid(
                "base_url must be an absolute URL such as https://tillit.example.no".into(),
            ));
        }
        if crate::tokens::TokenKey::from_base64(self.secret_key.expose_secret()).is_err() {
            return Err(ConfigError::Invalid(
                "secret_key must be base64 of at least 32 random bytes; set TILLIT_SECRET_KEY \
                 (e.g. `openssl rand -base64 48`)"
                    .into(),
            ));
        }
        if self.mail.from_address.parse::<lettre::Address>().is_err() {
            return Err(ConfigError::Invalid(
                "mail.from_address must be an email address".into(),
            ));
        }
        if self.sms_transport == SmsTransport::Http && url::Url::parse(&self.sms.base_url).is_err()
        {
            return Err(ConfigError::Invalid(
                "sms.base_url must be an absolute URL when sms_transport is http".into(),
            ));
        }
        if self.jobs.max_attempts < 1 || self.jobs.lease_secs < 1 || self.jobs.concurrency == 0 {
            return Err(ConfigError::Invalid(
                "jobs.max_attempts, jobs.lease_secs and jobs.concurrency must be at least 1".into(),
            ));
        }
        if self.database.pool_size == 0 {
            return Err(ConfigError::Invalid(
                "database.pool_size must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The key that derives the tokens in emailed links. Validated at load.
    pub fn token_key(&self) -> crate::tokens::TokenKey {
        crate::tokens::TokenKey::from_base64(self.secret_key.expose_secret())
            .expect("validated when the settings were loaded")
    }

    /// Whether people reach Tillit over HTTPS: cookies are then `Secure` and `__Host-` prefixed.
    pub fn https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The base URL without a trailing slash, for building links in emails and CLI output.
    pub fn base_url(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figment_with(extra: &[(&str, &str)]) -> Figment {
        let mut figment = Figment::new()
            .merge(Toml::string(DEFAULTS))
            .merge(Serialized::default(
                "secret_key",
                "dGVzdC1vbmx5LWtleS1mb3ItdGlsbGl0LXN1aXRlLW5vdC1hLXNlY3JldCE=",
            ));
        for (key, value) in extra {
            figment = figment.merge(Serialized::default(key, value));
        }
        figment
    }

    #[test]
    fn defaults_fit_a_local_machine() {
        let settings = Settings::from_figment(figment_with(&[])).expect("defaults load");
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.mail_transport, MailTransport::File);
        assert_eq!(
            settings.database_url.expose_secret(),
            "postgres://tillit_app@127.0.0.1:5432/tillit"
        );
    }

    #[test]
    fn secrets_never_print() {
        let settings = Settings::from_figment(figment_with(&[(
            "database_url",
            "postgres://tillit_app:hunter2-very-secret@db:5432/tillit",
        )]))
        .expect("loads");
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2-very-secret"), "{printed}");
    }

    #[test]
    fn production_refuses_to_start_without_a_secret_key() {
        let err = Settings::from_figment(figment_with(&[("secret_key", "")])).expect_err("refused");
        assert!(err.to_string().contains("TILLIT_SECRET_KEY"), "{err}");
        let short = Settings::from_figment(figment_with(&[("secret_key", "c2hvcnQ=")]));
        assert!(short.is_err(), "a 5-byte key is refused");
    }

    #[test]
    fn a_bad_database_url_is_named_without_its_value() {
        let err = Settings::from_figment(figment_with(&[(
            "database_url",
            "mysql://root:topsecret@db/tillit",
        )]))
        .expect_err("refused");
        let message = err.to_string();
        assert!(message.contains("database_url"), "{message}");
        assert!(!message.contains("topsecret"), "{message}");
    }
}
