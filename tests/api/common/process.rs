//! The `tillit` binary that cargo built for these tests, run as its own process the way an
//! operator runs it.

use std::process::{Child, Command, ExitStatus};
use std::time::Duration;

/// `tillit` with a clean environment: only `PATH`, the test environment and the repository's
/// configuration folder; the caller adds the rest.
pub fn tillit_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tillit"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TILLIT_ENV", "test")
        .env(
            "TILLIT_CONFIG_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config"),
        );
    command
}

/// Sends SIGTERM and waits at most 30 s for the process to exit. Returns how it exited, or
/// `None` when it did not stop in time (it is then killed).
pub fn terminate(child: &mut Child) -> Option<ExitStatus> {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "SIGTERM sent");
    for _ in 0..300 {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
