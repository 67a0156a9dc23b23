//! Real servers of the tests' own, on free loopback ports: an SMTP sink (aiosmtpd) and, for the
//! fault tests that stop them, a Redis server and a PostgreSQL cluster.

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

/// A PostgreSQL cluster of the test's own (initdb into a temporary folder, `pg_ctl` on a free
/// loopback port, trust authentication), so a test can stop and restart it without touching the
/// machine's shared server. The server binaries are PostgreSQL's newest under
/// `/usr/lib/postgresql/<version>/bin`; as root (CI) they run as the `postgres` OS user, since
/// initdb refuses to run as root.
pub struct PostgresServer {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

impl PostgresServer {
    pub fn start() -> Self {
        let bin = postgres_bin();
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("tillit-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("cluster dir");
        let server = Self { port, dir, bin };
        if as_root() {
            let status = Command::new("chown")
                .args(["postgres:postgres", path_str(&server.dir)])
                .status()
                .expect("chown");
            assert!(status.success(), "the cluster's folder given to postgres");
        }
        server.run(
            "initdb",
            &[
                "-D",
                path_str(&server.data()),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ],
        );
        server.resume();
        server
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `program` of the server's binaries with `args`, as the `postgres` OS user when root;
    /// panics with its output when it fails.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        let mut command = if as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.current_dir(&self.dir).stdin(Stdio::null());
        command
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The superuser's connection to its `postgres` database.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the cluster and waits until it takes connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c full_page_writes=off \
             -c max_connections=40 -c shared_buffers=16MB",
            self.port,
            path_str(&self.dir)
        );
        let log = self.dir.join("log");
        self.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "30",
                "-D",
                path_str(&self.data()),
                "-l",
                path_str(&log),
                "-o",
                &options,
            ],
        );
    }

    /// Stops the cluster with the fast shutdown (open sessions are ended, transactions in
    /// flight rolled back, what was committed is kept) and waits until it is down.
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &["stop", "-w", "-m", "fast", "-D", path_str(&self.data())],
        );
    }
}

fn postgres_bin() -> PathBuf {
    let newest = std::fs::read_dir("/etc/postgresql")
        .expect("PostgreSQL's versions under /etc/postgresql")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .max()
        .expect("a PostgreSQL version");
    PathBuf::from(format!("/usr/lib/postgresql/{newest}/bin"))
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D", path_str(&self.data())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A real HTTP server speaking LINK Mobility's Common Platform API (tests/support/
/// linkmobility_gateway.py): it keeps every message it takes, and can be told to refuse, to hang,
/// and to post a delivery report to the webhook.
pub struct LinkGateway {
    pub port: u16,
    pub dir: PathBuf,
    child: Child,
}

/// One message the gateway took, as it was posted, with the id it answered.
#[derive(Debug, Clone)]
pub struct GatewaySms {
    pub message_id: String,
    pub body: serde_json::Value,
}

impl LinkGateway {
    pub const USER: &'static str = "tillit";
    pub const PASSWORD: &'static str = "gateway-password";

    pub fn start() -> Self {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("tillit-sms-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("gateway dir");
        let child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/linkmobility_gateway.py"
            ))
            .arg(port.to_string())
            .arg(&dir)
            .arg(Self::USER)
            .arg(Self::PASSWORD)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the SMS gateway");
        wait_for_port(port, "the SMS gateway");
        Self { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Answer 400 (invalid destination) until [`LinkGateway::accept`].
    pub fn refuse(&self) {
        std::fs::write(self.dir.join("refuse"), "").expect("control file");
    }

    /// Take every message, at once, again.
    pub fn accept(&self) {
        let _ = std::fs::remove_file(self.dir.join("refuse"));
        let _ = std::fs::remove_file(self.dir.join("hang"));
    }

    /// Wait 30 s before answering.
    pub fn hang(&self) {
        std::fs::write(self.dir.join("hang"), "").expect("control file");
    }

    pub fn messages(&self) -> Vec<GatewaySms> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .expect("gateway dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| GatewaySms {
                message_id: p.file_stem().unwrap().to_string_lossy().into_owned(),
                body: serde_json::from_str(&std::fs::read_to_string(p).expect("message"))
                    .expect("json"),
            })
            .collect()
    }

    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<GatewaySms> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n || std::time::Instant::now() > deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Has the gateway post a delivery report with `result_code` for `message_id` to `webhook`,
    /// as LINK's gate does; returns the status the webhook answered.
    pub async fn report(&self, webhook: &str, message_id: &str, result_code: i64) -> u16 {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/control/report", self.url()))
            .json(&serde_json::json!({"url": webhook, "messageId": message_id,
                "resultCode": result_code}))
            .send()
            .await
            .expect("the gateway's control")
            .json()
            .await
            .expect("json");
        answer["status"].as_u64().expect("status") as u16
    }
}

impl Drop for LinkGateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
