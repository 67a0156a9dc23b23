//! A real, certified OpenID Connect provider (`oidc-provider`, tests/support/oidc/server.mjs) as
//! its own Node process on a free loopback port, and a browser-like walk through its sign-in.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::TestApp;

pub const CLIENT_ID: &str = "tillit-test";
pub const CLIENT_SECRET: &str = "a-client-secret-for-the-tests";

/// The provider process; stopped when dropped.
pub struct Provider {
    pub issuer: String,
    child: Child,
}

impl Provider {
    /// Starts the provider for `app`'s callback and waits until it listens.
    pub fn start(app: &TestApp) -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/oidc");
        assert!(
            dir.join("node_modules/oidc-provider/package.json").exists(),
            "oidc-provider is not installed: `bash tests/run` installs it (npm ci --prefix tests/support/oidc)"
        );
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .args([
                CLIENT_ID,
                CLIENT_SECRET,
                &app.url(tillit::access::sso::actions::CALLBACK_PATH),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs the provider");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .expect("the provider says where it listens");
        // Keep reading what it prints later: a closed pipe would end the provider.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let issuer = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
            .to_owned();
        Self { issuer, child }
    }
}

impl Provider {
    /// How many requests the provider has had at `path` (its own count).
    pub async fn requests(&self, path: &str) -> u64 {
        let counts: serde_json::Value = reqwest::get(format!("{}/__requests", self.issuer))
            .await
            .expect("the provider's request count")
            .json()
            .await
            .expect("JSON");
        counts[path].as_u64().unwrap_or(0)
    }

    /// Arms `change` (e.g. `{"nonce": "other"}`, `{"aud": "another-client"}`,
    /// `{"exp_seconds_ago": 600}`) for the ID token of the provider's next token answer, which it
    /// signs again with its own key: the signature holds, only the claim is wrong.
    pub async fn tamper(&self, change: serde_json::Value) {
        let res = reqwest::Client::new()
            .post(format!("{}/__tamper", self.issuer))
            .json(&change)
            .send()
            .await
            .expect("the provider's tamper switch");
        assert!(res.status().is_success(), "{}", res.status());
        assert!(self.tamper_armed().await);
    }

    /// Whether an armed change has not yet been used by a token answer.
    pub async fn tamper_armed(&self) -> bool {
        let state: serde_json::Value = reqwest::get(format!("{}/__tamper", self.issuer))
            .await
            .expect("the provider's tamper switch")
            .json()
            .await
            .expect("JSON");
        state["armed"].as_bool().expect("armed")
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn location(res: &reqwest::Response) -> String {
    let here = res.url().clone();
    let to = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{} answered {} without a Location", here, res.status()));
    here.join(to).expect("a location").to_string()
}

/// Starts the single sign-on of `slug` in `browser` and signs in at the provider as `email`
/// (with `groups`); returns the callback URL the provider sends the browser back to, not yet
/// opened.
pub async fn through_provider(
    app: &TestApp,
    browser: &reqwest::Client,
    slug: &str,
    email: &str,
    groups: &str,
) -> String {
    let start = browser
        .get(app.url(&format!("/login/sso/{slug}")))
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), 303, "the login starts at the provider");
    let mut url = location(&start);
    let callback = app.url(tillit::access::sso::actions::CALLBACK_PATH);
    for _ in 0..12 {
        if url.starts_with(&callback) {
            return url;
        }
        let res = browser.get(&url).send().await.expect("provider step");
        if res.status().is_redirection() {
            url = location(&res);
            continue;
        }
        assert_eq!(
            res.status(),
            200,
            "{url}: {}",
            res.text().await.unwrap_or_default()
        );
        let posted = browser
            .post(&url)
            .form(&[("email", email), ("groups", groups)])
            .send()
            .await
            .expect("the provider's sign-in form");
        assert!(posted.status().is_redirection(), "{}", posted.status());
        url = location(&posted);
    }
    panic!("the provider never sent the browser back");
}
