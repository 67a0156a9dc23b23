//! LINK Mobility's Common Platform REST API, the SMS gateway most Norwegian municipalities use:
//! `POST {base}/sms/send` with basic auth and a JSON body (`source`, `destination`, `userData`,
//! `platformId`, `platformPartnerId`, `refId`, `useDeliveryReport`, `deliveryReportGates`),
//! answered by `{messageId, resultCode, description}`. Delivery reports come through a gate set
//! up in LINK's platform to post `{id, refId, resultCode, …}` to our webhook.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{Accepted, OutgoingSms, SmsError, SmsGateway};
use crate::config::Settings;

pub struct LinkMobility {
    client: reqwest::Client,
    endpoint: String,
    username: SecretString,
    password: SecretString,
    platform_id: String,
    platform_partner_id: String,
    gate: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendRequest<'a> {
    source: &'a str,
    #[serde(rename = "sourceTON")]
    source_ton: &'a str,
    destination: &'a str,
    user_data: &'a str,
    platform_id: &'a str,
    platform_partner_id: &'a str,
    ref_id: &'a str,
    use_delivery_report: bool,
    delivery_report_gates: Vec<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendResponse {
    message_id: Option<String>,
    result_code: Option<i64>,
    description: Option<String>,
}

impl LinkMobility {
    pub fn from_settings(settings: &Settings) -> Result<Self, SmsError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.sms.timeout_secs))
            .build()
            .map_err(|e| SmsError::Refused(format!("the HTTP client: {e}")))?;
        let gate = Some(settings.sms.delivery_report_gate.clone()).filter(|g| !g.is_empty());
        Ok(Self {
            client,
            endpoint: format!("{}/sms/send", settings.sms.base_url.trim_end_matches('/')),
            username: settings.sms_username.clone(),
            password: settings.sms_password.clone(),
            platform_id: settings.sms.platform_id.clone(),
            platform_partner_id: settings.sms.platform_partner_id.clone(),
            gate,
        })
    }
}

impl SmsGateway for LinkMobility {
    fn name(&self) -> &'static str {
        "linkmobility"
    }

    /// Runs on a job's blocking thread: the request is driven on the runtime that thread belongs
    /// to (or one of its own, outside any runtime).
    fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SmsError> {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle.block_on(self.post(sms)),
            Err(_) => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| SmsError::Unavailable(e.to_string()))?
                .block_on(self.post(sms)),
        }
    }
}

impl LinkMobility {
    async fn post(&self, sms: &OutgoingSms) -> Result<Accepted, SmsError> {
        let body = SendRequest {
            source: &sms.sender,
            source_ton: "ALPHANUMERIC",
            destination: &sms.to,
            user_data: &sms.text,
            platform_id: &self.platform_id,
            platform_partner_id: &self.platform_partner_id,
            ref_id: &sms.reference,
            use_delivery_report: self.gate.is_some(),
            delivery_report_gates: self.gate.iter().map(String::as_str).collect(),
        };
        let response = self
            .client
            .post(&self.endpoint)
            .basic_auth(
                self.username.expose_secret(),
                Some(self.password.expose_secret()),
            )
            .json(&body)
            .send()
            .await
            // A time-out or a refused connection: the message may go later.
            .map_err(|e| SmsError::Unavailable(e.without_url().to_string()))?;
        let status = response.status();
        let answer: Option<SendResponse> = response.json().await.ok();
        let described = |a: &Option<SendResponse>| {
            a.as_ref()
                .map(|a| {
                    format!(
                        "{} {}",
                        a.result_code.unwrap_or_default(),
                        a.description.as_deref().unwrap_or_default()
                    )
                })
                .unwrap_or_default()
        };
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(SmsError::Unavailable(format!(
                "HTTP {status} {}",
                described(&answer)
            )));
        }
        if !status.is_success() {
            return Err(SmsError::Refused(format!(
                "HTTP {status} {}",
                described(&answer)
            )));
        }
        match answer.and_then(|a| a.message_id) {
            Some(gateway_id) => Ok(Accepted { gateway_id }),
            None => Err(SmsError::Unavailable(format!(
                "HTTP {status} without a messageId"
            ))),
        }
    }
}

/// A delivery report as LINK's gate posts it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The gateway's message id (the `messageId` it answered the send with).
    pub id: String,
    /// Ours: `{tenant}:{message id}`.
    pub ref_id: String,
    pub result_code: i64,
}

/// What a report's `resultCode` says of the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// Still on its way (sent to the operator, billed, delayed): nothing to record.
    Underway,
    Delivered,
    Failed,
}

/// LINK's result codes: 1001 billed and delivered, 1007 delivered with billing delayed; 1000,
/// 1005, 1008, 1011 and 1012 are on the way; every other code is final and not delivered.
pub fn reported(result_code: i64) -> Reported {
    match result_code {
        1001 | 1007 => Reported::Delivered,
        1000 | 1005 | 1008 | 1011 | 1012 => Reported::Underway,
        _ => Reported::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_parses_and_its_code_is_read() {
        let report: Report = serde_json::from_str(
            r#"{"refId": "a:b", "id": "Dcshuhod0PMAAAFQ+/PbnR3x", "operator": "no.telenor",
            "sentTimestamp": "2015-11-19T09:37:35Z", "timestamp": "2015-11-19T09:37:00Z",
            "resultCode": 1001, "operatorResultCode": "2", "segments": 1,
            "gateCustomParameters": {}, "customParameters": {}}"#,
        )
        .unwrap();
        assert_eq!(report.id, "Dcshuhod0PMAAAFQ+/PbnR3x");
        assert_eq!(reported(report.result_code), Reported::Delivered);
        assert_eq!(reported(1000), Reported::Underway);
        assert_eq!(reported(2104), Reported::Failed);
    }
}
