//! Real servers of the tests' own, on free loopback ports: an SMTP sink (aiosmtpd) and, for the
//! fault tests that stop it, a Redis server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::mail::Mail;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not start on port {port}");
}

/// A real SMTP server that keeps every message it accepts.
pub struct SmtpSink {
    pub port: u16,
    pub dir: PathBuf,
    child: Child,
}

impl SmtpSink {
    pub fn start() -> Self {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("tillit-smtp-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("sink dir");
        let child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/smtp_sink.py"
            ))
            .arg(port.to_string())
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd) runs the SMTP sink");
        wait_for_port(port, "the SMTP sink");
        Self { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Answer 451 to every recipient until [`SmtpSink::accept`].
    pub fn refuse(&self) {
        std::fs::write(self.dir.join("refuse"), "").expect("control file");
    }

    pub fn accept(&self) {
        let _ = std::fs::remove_file(self.dir.join("refuse"));
        let _ = std::fs::remove_file(self.dir.join("slow_rcpt"));
    }

    /// Wait `seconds` before answering each recipient.
    pub fn slow(&self, seconds: u32) {
        std::fs::write(self.dir.join("slow_rcpt"), seconds.to_string()).expect("control file");
    }

    /// Every accepted message, oldest first.
    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .expect("sink dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| Mail::parse(std::fs::read_to_string(p).expect("message")))
            .collect()
    }

    /// Every accepted message but the service admins' setup emails.
    pub fn messages_but_setup(&self) -> Vec<Mail> {
        self.messages()
            .into_iter()
            .filter(|m| !m.is_setup_email())
            .collect()
    }

    /// Waits until at least `n` messages arrived (or `timeout`), then returns all of them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n || std::time::Instant::now() > deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis server of the test's own, so a test can stop and restart it.
pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
    dir: PathBuf,
}

impl RedisServer {
    pub fn start() -> Self {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("tillit-redis-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("redis dir");
        let mut server = Self {
            port,
            child: None,
            dir,
        };
        server.resume();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops the server (SIGKILL: nothing is saved, as on a crash).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(path_str(&self.dir))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server");
        self.child = Some(child);
        wait_for_port(self.port, "redis-server");
    }

    pub fn flushall(&self) {
        let status = Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "FLUSHALL"])
            .stdout(Stdio::null())
            .status()
            .expect("redis-cli");
        assert!(status.success());
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
