//! The message catalogue and the choice of language.
//!
//! Every text a person reads comes from `templates/i18n/<lang>.toml`, so the bokmål and English
//! pages cannot drift apart: a unit test checks that both catalogues have the same keys and that
//! every key used in the code exists. The catalogues are compiled into the binary and parsed once.
//!
//! The language is chosen per request: the `lang` cookie (set by `POST /lang`) wins, then the
//! browser's `Accept-Language`, then bokmål, the language of the services Tillit is for.

use std::collections::{BTreeSet, HashMap};
use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::{LazyLock, Mutex};

use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header::{ACCEPT_LANGUAGE, LOCATION};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, post, web};
use serde::Deserialize;

use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::problem::AppError;

/// The cookie that remembers a person's choice of language.
pub const LANG_COOKIE: &str = "lang";

/// The cookie that carries the signed-in staff member's service's written standard (`nb` or
/// `nn`), set at sign-in: a Norwegian reader who chose no language reads the service's standard.
pub const STANDARD_COOKIE: &str = "standard";

/// A language Tillit's pages are written in.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Norwegian bokmål: the default, since the services are Norwegian.
    #[default]
    Nb,
    /// Norwegian nynorsk: a service may choose it as its written standard, a person as theirs.
    Nn,
    En,
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Nb, Lang::Nn, Lang::En];

    /// The two written standards of Norwegian a service can choose for its staff pages and its
    /// defaults.
    pub const STANDARDS: [Lang; 2] = [Lang::Nb, Lang::Nn];

    /// The BCP 47 tag, as used in `<html lang>`, the cookie and the form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nb => "nb",
            Self::Nn => "nn",
            Self::En => "en",
        }
    }

    /// Whether this is one of the written standards of Norwegian (dates, times and the few
    /// texts written in code follow Norwegian conventions).
    pub fn norwegian(self) -> bool {
        self != Self::En
    }

    /// `nb`, `nn` or `en` (any case); anything else is not a language Tillit speaks.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|lang| value.trim().eq_ignore_ascii_case(lang.as_str()))
    }

    /// The language Tillit speaks that a person's language, recorded in words ("nynorsk",
    /// "engelsk", "English"), names; `None` for one Tillit does not speak and for plain "norsk",
    /// which names no written standard (the caller uses the service's).
    pub fn from_words(words: &str) -> Option<Self> {
        let words = words.trim().to_lowercase();
        match words.as_str() {
            "bokmål" | "bokmal" | "nb" => Some(Self::Nb),
            "nynorsk" | "nn" => Some(Self::Nn),
            "engelsk" | "english" | "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Whether the reader chose a language themselves (the language switch's cookie).
    pub fn chosen(req: &HttpRequest) -> bool {
        req.cookie(LANG_COOKIE)
            .is_some_and(|cookie| Self::parse(cookie.value()).is_some())
    }

    /// The language for `req`: the cookie if it names one, else what the browser prefers —
    /// English, or Norwegian in the service's written standard (the standard cookie set at
    /// sign-in; bokmål for a visitor who is not signed in).
    pub fn for_request(req: &HttpRequest) -> Self {
        let standard = req
            .cookie(STANDARD_COOKIE)
            .and_then(|cookie| Self::parse(cookie.value()))
            .filter(|lang| lang.norwegian())
            .unwrap_or_default();
        Reader::of(req).lang(None, standard)
    }

    /// The language for a reader of a page addressed to one person (an invitee's, a child's):
    /// the language they chose with the switch, else their own language (`own`), else English
    /// if their browser prefers it, else the service's written standard.
    pub fn for_reader(req: &HttpRequest, own: Option<Lang>, standard: Lang) -> Self {
        Reader::of(req).lang(own, standard)
    }

    /// A person's language recorded in words, as [`Lang::from_words`], with plain "norsk" read
    /// as the service's written standard `standard`.
    pub fn from_words_or(words: &str, standard: Lang) -> Option<Self> {
        match words.trim().to_lowercase().as_str() {
            "norsk" | "norwegian" | "no" => Some(standard),
            _ => Self::from_words(words),
        }
    }

    /// English only if the browser ranks it above every Norwegian variant (bokmål, nynorsk or
    /// plain `no`): a nynorsk reader is better served by bokmål than by English. Equal weights go
    /// to whichever the header lists first.
    fn from_accept_language(header: &str) -> Self {
        // (weight in thousandths, position) of the best English and best Norwegian entry.
        let mut english: Option<(u16, usize)> = None;
        let mut norwegian: Option<(u16, usize)> = None;
        for (position, entry) in header.split(',').enumerate() {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let primary = tag.split('-').next().unwrap_or_default();
            let weight = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .map_or(1000, |q| (q.clamp(0.0, 1.0) * 1000.0).round() as u16);
            if weight == 0 {
                continue;
            }
            let best = if primary.eq_ignore_ascii_case("en") {
                &mut english
            } else if ["nb", "nn", "no"]
                .iter()
                .any(|n| primary.eq_ignore_ascii_case(n))
            {
                &mut norwegian
            } else {
                continue;
            };
            if best.is_none_or(|(w, _)| weight > w) {
                *best = Some((weight, position));
            }
        }
        match (english, norwegian) {
            (Some(_), None) => Self::En,
            (Some((en_w, en_pos)), Some((no_w, no_pos)))
                if en_w > no_w || (en_w == no_w && en_pos < no_pos) =>
            {
                Self::En
            }
            _ => Self::Nb,
        }
    }
}

/// What a request says about its reader's language, kept apart from the request so the choice
/// can be made where the person's own language is known (inside a tenant's transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    /// The language chosen with the switch, if any.
    chosen: Option<Lang>,
    /// Whether the browser prefers English to Norwegian.
    english: bool,
}

impl Reader {
    pub fn of(req: &HttpRequest) -> Self {
        Self {
            chosen: req
                .cookie(LANG_COOKIE)
                .and_then(|cookie| Lang::parse(cookie.value())),
            english: req
                .headers()
                .get(ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .map(Lang::from_accept_language)
                == Some(Lang::En),
        }
    }

    /// The switch's choice, else the person's own language, else English for a browser that
    /// prefers it, else the service's written standard.
    pub fn lang(self, own: Option<Lang>, standard: Lang) -> Lang {
        self.chosen
            .or(own)
            .unwrap_or(if self.english { Lang::En } else { standard })
    }
}

const NB_SOURCE: &str = include_str!("../../templates/i18n/nb.toml");
const NN_SOURCE: &str = include_str!("../../templates/i18n/nn.toml");
const EN_SOURCE: &str = include_str!("../../templates/i18n/en.toml");

static NB: LazyLock<HashMap<String, String>> = LazyLock::new(|| parse_catalogue("nb", NB_SOURCE));
static NN: LazyLock<HashMap<String, String>> = LazyLock::new(|| parse_catalogue("nn", NN_SOURCE));
static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| parse_catalogue("en", EN_SOURCE));

/// The nynorsk label of a vocabulary term (`"Response.accept"`), when nynorsk writes it
/// otherwise than bokmål: the `[labels]` table only nn.toml has (see [`crate::vocabulary`]).
pub fn nynorsk_label(term: &str) -> Option<&'static str> {
    NN.get(&format!("labels.{term}")).map(String::as_str)
}

/// Keys already reported missing, so a page in a loop does not flood the log.
static WARNED: Mutex<BTreeSet<(Lang, &'static str)>> = Mutex::new(BTreeSet::new());

fn catalogue(lang: Lang) -> &'static HashMap<String, String> {
    match lang {
        Lang::Nb => &NB,
        Lang::Nn => &NN,
        Lang::En => &EN,
    }
}

/// Flattens `[section] key = "…"` and `section.key = "…"` alike into `"section.key"`. The
/// catalogues are compiled in and checked by the unit tests, so a malformed one is a build
/// mistake, and failing loudly on first use is right.
fn parse_catalogue(name: &str, source: &str) -> HashMap<String, String> {
    fn flatten(prefix: &str, table: toml::Table, out: &mut HashMap<String, String>) {
        for (key, value) in table {
            let key = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                toml::Value::String(text) => {
                    out.insert(key, text);
                }
                toml::Value::Table(inner) => flatten(&key, inner, out),
                other => panic!("templates/i18n: {key} must be a string, not {other}"),
            }
        }
    }
    let table: toml::Table = toml::from_str(source)
        .unwrap_or_else(|e| panic!("templates/i18n/{name}.toml is not valid TOML: {e}"));
    let mut out = HashMap::new();
    flatten("", table, &mut out);
    out
}

/// The translator a handler passes to its page template, which writes `{{ tr.t("home.heading") }}`.
/// Extract it in the handler (`tr: Tr`); it never fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tr {
    lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text for `key`. Keys are literals in the code, so the tests can find and check every
    /// one; a key that is still missing shows as itself (visibly wrong, but the page works) and
    /// is logged once.
    /// The text of a key made at run time (a job kind's name, an audit action's), if the
    /// catalogue has one; the caller shows something else, such as the code, when not.
    pub fn find(&self, key: &str) -> Option<&'static str> {
        catalogue(self.lang).get(key).map(String::as_str)
    }

    /// A stored code as people read it, from the catalogue's `section` (`jobs.kinds`,
    /// `audit.actions`, …): "Invitasjon til møte" for `invitation`; the code itself for one the
    /// catalogue has no name for.
    pub fn word(&self, section: &str, code: &str) -> String {
        self.find(&format!("{section}.{code}"))
            .map_or_else(|| code.to_owned(), str::to_owned)
    }

    /// Every code of the catalogue's `section` with its word, in the order of the words: the
    /// choices of a filter by readable names.
    pub fn words(&self, section: &str) -> Vec<(&'static str, &'static str)> {
        let prefix = format!("{section}.");
        let mut words: Vec<(&'static str, &'static str)> = catalogue(self.lang)
            .iter()
            .filter_map(|(key, word)| Some((key.strip_prefix(&prefix)?, word.as_str())))
            .collect();
        words.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)));
        words
    }

    pub fn t(&self, key: &'static str) -> &'static str {
        if let Some(text) = catalogue(self.lang).get(key) {
            return text;
        }
        let first_time = WARNED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert((self.lang, key));
        if first_time {
            tracing::warn!(
                key,
                lang = self.lang.as_str(),
                "missing text in the catalogue"
            );
        }
        key
    }
}

impl FromRequest for Tr {
    type Error = Infallible;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::new(Lang::for_request(req))))
    }
}

/// The signed-in staff member's service's written standard, put on the request by the staff
/// extractor, so [`keep_standard`] can keep the browser's standard cookie in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceStandard(pub Lang);

fn standard_cookie(lang: Lang, https: bool) -> Cookie<'static> {
    Cookie::build(STANDARD_COOKIE, lang.as_str())
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(https)
        .max_age(Duration::days(365))
        .finish()
}

/// Middleware: a staff page answered for a service whose written standard the browser's
/// standard cookie does not name sets the cookie. A page read before the browser had one at all
/// (the first after signing in) was written in bokmål, so it is asked for again, once, with the
/// cookie set: a nynorsk service's staff read nynorsk from the first page.
pub async fn keep_standard(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    let had = req
        .cookie(STANDARD_COOKIE)
        .and_then(|c| Lang::parse(c.value()));
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.https());
    let again = (req.method() == actix_web::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|pq| pq.as_str().to_owned()))
        .flatten();
    let mut res = next.call(req).await?;
    let standard = res.request().extensions().get::<ServiceStandard>().copied();
    let Some(ServiceStandard(standard)) = standard else {
        return Ok(res.map_into_left_body());
    };
    if had == Some(standard) {
        return Ok(res.map_into_left_body());
    }
    let cookie = standard_cookie(standard, https);
    let is_page = res.status() == actix_web::http::StatusCode::OK
        && res
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    match again {
        Some(path) if had.is_none() && standard != Lang::Nb && is_page => {
            let (req, _) = res.into_parts();
            let redirect = HttpResponse::SeeOther()
                .insert_header((LOCATION, path))
                .cookie(cookie)
                .finish();
            Ok(actix_web::dev::ServiceResponse::new(req, redirect).map_into_right_body())
        }
        _ => {
            res.response_mut().add_cookie(&cookie)?;
            Ok(res.map_into_left_body())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LangChoice {
    lang: String,
    next: Option<String>,
}

/// `next` if it is a path on this site; `None` for anything a browser could read as another
/// site (`//evil.example`, `/\evil.example`, `https://…`) or that carries characters browsers
/// strip or rewrite before resolving (whitespace, control characters, backslashes).
fn local_path(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 2048
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    local.then_some(next)
}

/// The language switch in every page's header posts here: remembers the choice in a cookie for a
/// year and sends the person back to the page they were on (`next`, a local path; anything else
/// goes to the front page, so the form cannot be used to redirect elsewhere).
///
/// It changes only a preference, yet it is a POST from a form, so it carries the form token like
/// every other form.
#[post("/lang")]
pub async fn choose_language(
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LangChoice>,
) -> Result<HttpResponse, AppError> {
    let lang =
        Lang::parse(&form.lang).ok_or_else(|| AppError::field("lang", "must be nb, nn or en"))?;
    let next = form.next.as_deref().and_then(local_path).unwrap_or("/");
    let cookie = Cookie::build(LANG_COOKIE, lang.as_str())
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(state.settings.base_url.starts_with("https"))
        .max_age(Duration::days(365))
        .finish();
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, next))
        .cookie(cookie)
        .finish())
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use actix_web::test::TestRequest;

    use super::*;

    /// The keys every catalogue has: all but nynorsk's own labels of vocabulary terms.
    fn keys(lang: Lang) -> BTreeSet<&'static str> {
        catalogue(lang)
            .keys()
            .map(String::as_str)
            .filter(|key| !key.starts_with("labels."))
            .collect()
    }

    #[test]
    fn every_catalogue_has_the_same_keys() {
        let nb = keys(Lang::Nb);
        assert!(!nb.is_empty());
        for lang in [Lang::Nn, Lang::En] {
            let other = keys(lang);
            assert_eq!(
                nb.difference(&other).collect::<Vec<_>>(),
                Vec::<&&str>::new(),
                "in nb.toml but not in {lang}.toml"
            );
            assert_eq!(
                other.difference(&nb).collect::<Vec<_>>(),
                Vec::<&&str>::new(),
                "in {lang}.toml but not in nb.toml"
            );
        }
    }

    #[test]
    fn nynorsk_is_not_bokmal() {
        // A catalogue copied from bokmål would pass the key check: the common words differ.
        let nn = catalogue(Lang::Nn);
        for (key, bokmal) in [
            ("layout.language", None),
            ("error.general.heading", Some("Noe gikk galt")),
            ("error.forbidden.heading", Some("Du har ikke tilgang")),
        ] {
            if let Some(bokmal) = bokmal {
                assert_ne!(nn[key], bokmal, "{key}");
            }
        }
        let words = |lang: Lang| -> usize {
            catalogue(lang)
                .values()
                .flat_map(|text| text.split(|c: char| !c.is_alphabetic()))
                .filter(|w| {
                    [
                        "ikke", "hva", "hvem", "hvor", "hvordan", "noe", "fra", "hjem",
                    ]
                    .contains(w)
                })
                .count()
        };
        assert!(words(Lang::Nb) > 50, "the bokmål words are common");
        assert_eq!(
            words(Lang::Nn),
            0,
            "nynorsk writes ikkje, kva, kven, kvar, korleis, noko, frå, heim"
        );
    }

    #[test]
    fn no_text_is_empty() {
        for lang in Lang::ALL {
            for (key, text) in catalogue(lang) {
                assert!(!text.trim().is_empty(), "{}: {key} is empty", lang.as_str());
            }
        }
    }

    fn files(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                files(&path, extension, out);
            } else if path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
    }

    /// Every key passed as a literal to `t` in the templates and the code, found by plain string
    /// search: `t(` and a quote, preceded by something that cannot be part of a longer name (so
    /// a call to `split` with a literal is not one).
    fn used_keys() -> Vec<(PathBuf, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        files(&root.join("templates"), "html", &mut paths);
        files(&root.join("src"), "rs", &mut paths);
        let needle = "t(\"";
        let mut used = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("readable file");
            let mut from = 0;
            while let Some(found) = text[from..].find(needle) {
                let start = from + found;
                from = start + needle.len();
                let before = text[..start].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                if let Some(len) = text[from..].find('"') {
                    used.push((path.clone(), text[from..from + len].to_owned()));
                }
            }
        }
        used
    }

    #[test]
    fn every_key_used_exists() {
        let used = used_keys();
        assert!(
            used.iter().any(|(_, key)| key == "app.name"),
            "the search finds the layout's keys"
        );
        let known = keys(Lang::Nb);
        let missing: Vec<_> = used
            .iter()
            .filter(|(_, key)| !known.contains(key.as_str()))
            .collect();
        assert!(missing.is_empty(), "keys not in the catalogue: {missing:?}");
    }

    #[test]
    fn a_missing_key_shows_as_itself() {
        let missing = "no.such.key";
        assert_eq!(Tr::new(Lang::En).t(missing), missing);
        assert_eq!(Tr::new(Lang::Nb).t("app.name"), "Tillit");
    }

    #[test]
    fn languages_parse_and_print() {
        assert_eq!(Lang::parse("nb"), Some(Lang::Nb));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("nn"), Some(Lang::Nn));
        assert_eq!(Lang::parse("no"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::default().as_str(), "nb");
    }

    #[test]
    fn accept_language_picks_english_only_when_preferred() {
        let cases = [
            ("en", Lang::En),
            ("en-GB,en;q=0.9", Lang::En),
            ("nb-NO,nb;q=0.9,en;q=0.8", Lang::Nb),
            ("en-US,en;q=0.9,nb;q=0.8", Lang::En),
            ("nn,en;q=0.5", Lang::Nb),
            ("no;q=0.5,en;q=0.7", Lang::En),
            ("de,fr;q=0.8", Lang::Nb),
            ("en;q=0, nb", Lang::Nb),
            ("en;q=0.5, nb;q=0.5", Lang::En),
            ("sv, EN;q=0.3", Lang::En),
            ("", Lang::Nb),
            ("garbage;;;q=x", Lang::Nb),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "{header:?}");
        }
    }

    #[test]
    fn the_cookie_wins_over_the_header() {
        let req = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "en"))
            .cookie(Cookie::new(LANG_COOKIE, "nb"))
            .to_http_request();
        assert_eq!(Lang::for_request(&req), Lang::Nb);
        let req = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "en"))
            .cookie(Cookie::new(LANG_COOKIE, "klingon"))
            .to_http_request();
        assert_eq!(Lang::for_request(&req), Lang::En);
        assert_eq!(
            Lang::for_request(&TestRequest::default().to_http_request()),
            Lang::Nb
        );
    }

    #[test]
    fn a_norwegian_reader_reads_the_services_standard() {
        let req = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "nb-NO,nb;q=0.9"))
            .cookie(Cookie::new(STANDARD_COOKIE, "nn"))
            .to_http_request();
        assert_eq!(Lang::for_request(&req), Lang::Nn);
        let req = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "en"))
            .cookie(Cookie::new(STANDARD_COOKIE, "nn"))
            .to_http_request();
        assert_eq!(Lang::for_request(&req), Lang::En);
        let req = TestRequest::default()
            .cookie(Cookie::new(STANDARD_COOKIE, "nn"))
            .cookie(Cookie::new(LANG_COOKIE, "nb"))
            .to_http_request();
        assert_eq!(Lang::for_request(&req), Lang::Nb);
        // A person's own language wins over the browser, the switch over both.
        let req = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "nb"))
            .to_http_request();
        assert_eq!(Lang::for_reader(&req, Some(Lang::En), Lang::Nn), Lang::En);
        assert_eq!(Lang::for_reader(&req, None, Lang::Nn), Lang::Nn);
        assert_eq!(Lang::from_words_or("Norsk", Lang::Nn), Some(Lang::Nn));
        assert_eq!(Lang::from_words_or("nynorsk", Lang::Nb), Some(Lang::Nn));
        assert_eq!(Lang::from_words_or("arabisk", Lang::Nb), None);
    }

    #[test]
    fn only_local_paths_are_followed() {
        for ok in ["/", "/cases/42?tab=plan", "/a/b#c"] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "",
            "cases",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\t/evil.example",
            "/ok\r\nSet-Cookie: x=y",
            "/æøå",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
