//! The development gateway: one JSON file per message in `sms_dir`, named by our reference.

use std::path::{Path, PathBuf};

use super::{Accepted, OutgoingSms, SmsError, SmsGateway};

pub struct FileGateway {
    dir: PathBuf,
}

impl FileGateway {
    pub fn new(dir: &Path) -> Result<Self, SmsError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SmsError::Refused(format!("cannot create {}: {e}", dir.display())))?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }
}

impl SmsGateway for FileGateway {
    fn name(&self) -> &'static str {
        "file"
    }

    fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SmsError> {
        let id = uuid::Uuid::now_v7().to_string();
        let body = serde_json::json!({
            "id": id,
            "source": sms.sender,
            "destination": sms.to,
            "userData": sms.text,
            "refId": sms.reference,
        });
        let path = self.dir.join(format!("{id}.json"));
        std::fs::write(&path, body.to_string())
            .map_err(|e| SmsError::Unavailable(format!("cannot write {}: {e}", path.display())))?;
        Ok(Accepted { gateway_id: id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_message_is_a_file() {
        let dir = std::env::temp_dir().join(format!("tillit-sms-{}", uuid::Uuid::new_v4()));
        let gateway = FileGateway::new(&dir).unwrap();
        let accepted = gateway
            .send(&OutgoingSms {
                to: "+4791234568".into(),
                sender: "Fjordvik".into(),
                text: "Du er invitert til et møte.".into(),
                reference: "t:m".into(),
            })
            .unwrap();
        let written =
            std::fs::read_to_string(dir.join(format!("{}.json", accepted.gateway_id))).unwrap();
        let json: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(json["destination"], "+4791234568");
        assert_eq!(json["userData"], "Du er invitert til et møte.");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
