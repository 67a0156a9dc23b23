//! The neutral email that tells a case's assigned staff its acute list was opened by someone not
//! assigned to it. It names neither the child nor the case nor who opened it: the case page says
//! that to whoever signs in. It waits out the service's quiet hours, so a night-time opening
//! reaches the coordinator in the morning.

use diesel::PgConnection;
use uuid::Uuid;

use crate::jobs::Job;
use crate::jobs::worker::{JobContext, JobError, JobRow};

/// A case's acute list was opened: a neutral email to the staff assigned to the case.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AcuteOpened {
    pub case_id: Uuid,
}

impl Job for AcuteOpened {
    const KIND: &'static str = "acute_opened";
    const RESPECTS_QUIET_HOURS: bool = true;

    fn run(&self, ctx: &JobContext, conn: &mut PgConnection, row: &JobRow) -> Result<(), JobError> {
        crate::cases::reminders::notify_assigned(
            ctx,
            conn,
            row,
            self.case_id,
            crate::mail::templates::acute_opened,
        )
    }
}
