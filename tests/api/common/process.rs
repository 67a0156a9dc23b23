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

/// `tillit serve --no-worker` as its own process on a free port, on the test app's database and
/// `redis_url`, with the app's Redis namespace (as replicas of one deployment share it) and the
/// `env` given. Stopped with SIGTERM when dropped.
pub struct Replica {
    pub base: String,
    child: Child,
}

impl Replica {
    pub async fn start(app: &super::TestApp, redis_url: &str, env: &[(&str, String)]) -> Self {
        let port = super::services::free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = tillit_command()
            .args([
                "serve",
                "--no-worker",
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .env("TILLIT_DATABASE_URL", app.db.app_url())
            .env("TILLIT_DATABASE_ADMIN_URL", super::admin_url())
            .env("TILLIT_REDIS_URL", redis_url)
            .env(
                "TILLIT_REDIS_NAMESPACE",
                &app.state.settings.redis_namespace,
            )
            .env("TILLIT_BASE_URL", &base)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start tillit serve");
        let mut replica = Self { base, child };
        replica.wait_until_healthy().await;
        replica
    }

    pub async fn wait_until_healthy(&mut self) {
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                panic!("tillit serve exited with {status:?}");
            }
            if let Ok(res) = client.get(format!("{}/healthz", self.base)).send().await
                && res.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("tillit serve did not become healthy at {}", self.base);
    }

    /// SIGTERM, and how it exited ([`terminate`]).
    pub fn stop(mut self) -> Option<ExitStatus> {
        terminate(&mut self.child)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            terminate(&mut self.child);
        }
    }
}
