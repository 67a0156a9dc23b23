//! The web shell every page is drawn in: the front page in both languages, the language switch
//! and its cookie, the stylesheet, the HTML error page, and the security headers on all of them.

use crate::common;

use common::TestApp;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION};

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Asserts the response is an HTML page under the strict policy; returns its text.
async fn page(res: reqwest::Response, status: u16) -> String {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
    let csp = header(&res, "content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("style-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(header(&res, "cache-control"), "no-store");
    assert!(!header(&res, "x-request-id").is_empty());
    res.text().await.unwrap()
}

#[tokio::test]
async fn the_front_page_is_in_norwegian_by_default() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    let html = page(res, 200).await;
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains(r#"<html lang="nb">"#), "{html}");
    assert!(html.contains("<title>Forside – Tillit</title>"), "{html}");
    assert!(html.contains("Velkommen til Tillit"), "{html}");
    assert!(html.contains(r#"<a class="button" href="/login">Logg inn</a>"#));
    assert!(html.contains(r##"href="#main""##), "skip link");
    assert!(html.contains(r#"<main id="main""#));
    assert!(html.contains(r#"value="nb" lang="nb""#));
    assert!(html.contains(r#"aria-pressed="true">Bokmål"#), "{html}");
    assert!(html.contains(r#"aria-pressed="false">English"#), "{html}");
    assert!(html.contains(r#"<input type="hidden" name="next" value="/">"#));
    assert!(!html.contains("style="), "no inline styles");
    assert!(!html.contains("<style"), "no inline styles");
    assert!(!html.contains("<script"), "no scripts");

    // A browser preferring Norwegian over English stays in Norwegian.
    let res = app
        .client
        .get(app.url("/"))
        .header(ACCEPT_LANGUAGE, "nb-NO,nb;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert!(page(res, 200).await.contains(r#"<html lang="nb">"#));
}

#[tokio::test]
async fn english_is_chosen_by_the_browser_or_the_cookie() {
    let app = TestApp::spawn().await;
    let by_header = app
        .client
        .get(app.url("/"))
        .header(ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let html = page(by_header, 200).await;
    assert!(html.contains(r#"<html lang="en">"#), "{html}");
    assert!(html.contains("Welcome to Tillit"));
    assert!(html.contains(">Log in</a>"));
    assert!(html.contains(r#"aria-pressed="true">English"#));

    let by_cookie = app
        .client
        .get(app.url("/"))
        .header(COOKIE, "lang=en")
        .send()
        .await
        .unwrap();
    assert!(page(by_cookie, 200).await.contains(r#"<html lang="en">"#));

    // The cookie is the person's own choice and wins over the browser's.
    let both = app
        .client
        .get(app.url("/"))
        .header(COOKIE, "lang=nb")
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    assert!(page(both, 200).await.contains("Velkommen til Tillit"));
}

async fn choose(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    let (cookie, token) = common::form_token(app).await;
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    fields.push(("csrf", &token));
    app.client
        .post(app.url("/lang"))
        .header(COOKIE, cookie)
        .form(&fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_form_without_its_token_is_refused() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    common::expect_problem(res, 403, "csrf").await;
    // A token from another browser (another cookie) does not pass either.
    let (_, other_token) = common::form_token(&app).await;
    let (cookie, _) = common::form_token(&app).await;
    let res = app
        .client
        .post(app.url("/lang"))
        .header(COOKIE, cookie)
        .header(ACCEPT, "text/html")
        .form(&[("lang", "en"), ("next", "/"), ("csrf", &other_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert!(
        !header(&res, "set-cookie").starts_with("lang="),
        "the choice was not applied"
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"nb\">"),
        "a page for a browser: {html}"
    );
}

#[tokio::test]
async fn the_language_switch_sets_the_cookie_and_goes_back() {
    let app = TestApp::spawn().await;
    let res = choose(&app, &[("lang", "en"), ("next", "/cases/42?tab=plan")]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(header(&res, "location"), "/cases/42?tab=plan");
    let cookie = header(&res, "set-cookie");
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    for attribute in ["Path=/", "SameSite=Lax", "HttpOnly", "Max-Age="] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");

    let back = choose(&app, &[("lang", "nb"), ("next", "/")]).await;
    assert_eq!(header(&back, "location"), "/");
    assert!(header(&back, "set-cookie").starts_with("lang=nb;"));

    let without_next = choose(&app, &[("lang", "en")]).await;
    assert_eq!(without_next.status().as_u16(), 303);
    assert_eq!(header(&without_next, "location"), "/");
}

#[tokio::test]
async fn the_language_switch_redirects_only_within_the_site() {
    let app = TestApp::spawn().await;
    for next in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "evil.example",
        "/\t/evil.example",
    ] {
        let res = choose(&app, &[("lang", "en"), ("next", next)]).await;
        assert_eq!(res.status().as_u16(), 303, "{next:?}");
        assert_eq!(header(&res, LOCATION.as_str()), "/", "{next:?}");
    }
}

#[tokio::test]
async fn the_language_cookie_is_secure_behind_https() {
    let app = TestApp::spawn_with(&[("base_url", "https://tillit.example.no".into())]).await;
    let res = choose(&app, &[("lang", "en"), ("next", "/")]).await;
    assert!(header(&res, "set-cookie").contains("Secure"));
}

#[tokio::test]
async fn an_unknown_language_is_refused() {
    let app = TestApp::spawn().await;
    let res = choose(&app, &[("lang", "de"), ("next", "/")]).await;
    common::expect_problem(res, 422, "validation").await;
    let (cookie, token) = common::form_token(&app).await;
    let res = app
        .client
        .post(app.url("/lang"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, cookie)
        .body(format!("next=/&csrf={token}"))
        .send()
        .await
        .unwrap();
    common::expect_problem(res, 400, "malformed-request").await;
}

#[tokio::test]
async fn the_stylesheet_is_served_and_may_be_cached() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/static/tillit.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        header(&res, CONTENT_TYPE.as_str()),
        "text/css; charset=utf-8"
    );
    assert_eq!(header(&res, CACHE_CONTROL.as_str()), "public, max-age=3600");
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    let css = res.text().await.unwrap();
    assert!(css.contains("@media print"));
    assert!(css.contains(":focus-visible"));

    let head = app
        .client
        .head(app.url("/static/tillit.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(
        header(&head, CACHE_CONTROL.as_str()),
        "public, max-age=3600"
    );
}

#[tokio::test]
async fn a_browser_gets_a_page_for_an_unknown_address() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/no/such/page"))
        .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    let request_id = header(&res, "x-request-id").to_owned();
    let html = page(res, 404).await;
    assert!(
        html.contains("<title>Page not found – Tillit</title>"),
        "{html}"
    );
    assert!(
        html.contains(&format!("<code>{request_id}</code>")),
        "{html}"
    );
    assert!(html.contains(r#"name="next" value="/no/such/page""#));

    // API clients keep their problem+json, even when they say they would take HTML.
    let res = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    common::expect_problem(res, 404, "no-such-route").await;
}
