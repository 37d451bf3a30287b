//! The small web layer of the pages people open from their emails (sign-in, task
//! decisions, activation; later permit verification by QR and monitoring by receipt).
//!
//! Pages are server-rendered HTML from compile-time checked templates (`maud`), in
//! Indonesian, without JavaScript, styled by the one stylesheet we serve
//! (`/static/loket.css`). They call the same use-case functions as the JSON API: no
//! rule lives here.
//!
//! Safety, the same on every page:
//! - the browser session is a cookie (`__Host-loket_session`: `HttpOnly`, `Secure`,
//!   `SameSite=Lax`, `Path=/`; on the local stack, served over plain HTTP, it is
//!   `loket_session` without `Secure`), never a token in a URL;
//! - every form carries a CSRF token: a keyed hash of a random per-browser cookie
//!   (`__Host-loket_csrf`), checked on every POST (double submit, bound by the key);
//! - `Content-Security-Policy` allows no script at all, only our stylesheet, forms to
//!   ourselves, and no framing (`frame-ancestors 'none'`); `no-store`, `no-referrer`.

use crate::http::{Request, Response};
use crate::{ApiError, ApiResult, App};
use maud::{html, Markup, DOCTYPE};
use serde::de::DeserializeOwned;

pub use maud;

/// The stylesheet (`GET /static/loket.css`): readable on a phone, AA contrast.
pub const STYLESHEET: &str = include_str!("web/loket.css");

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Whether cookies must be `Secure` (everywhere but the local stack, which is HTTP).
fn secure(app: &App) -> bool {
    app.cfg.stage != "local"
}

/// The name of a cookie: `__Host-` prefixed when `Secure`.
pub fn cookie_name(app: &App, base: &str) -> String {
    if secure(app) {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// A cookie of the request.
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/ (and Secure off the local
/// stack); `max_age` 0 deletes it.
pub fn set_cookie(app: &App, base: &str, value: &str, max_age: i64) -> String {
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        cookie_name(app, base),
        if secure(app) { "; Secure" } else { "" }
    )
}

/// A response under the pages' security headers.
pub fn respond(
    status: u16,
    body: String,
    cookies: &[String],
    location: Option<&str>,
) -> ApiResult<Response> {
    let mut b = lambda_http::http::Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .header("content-security-policy", CSP)
        .header("x-content-type-options", "nosniff")
        .header("x-frame-options", "DENY")
        .header("referrer-policy", "no-referrer")
        .header("cache-control", "no-store")
        .header("x-robots-tag", "noindex");
    for c in cookies {
        b = b.header("set-cookie", c);
    }
    if let Some(l) = location {
        b = b.header("location", l);
    }
    b.body(lambda_http::Body::Text(body))
        .map_err(ApiError::internal)
}

/// An HTML page answer.
pub fn page(status: u16, markup: Markup, cookies: &[String]) -> ApiResult<Response> {
    respond(status, markup.into_string(), cookies, None)
}

/// A `303 See Other` to a local path.
pub fn redirect(to: &str, cookies: &[String]) -> ApiResult<Response> {
    respond(303, String::new(), cookies, Some(local_path(Some(to))))
}

/// A `303 See Other` to a short-lived download (a presigned S3 GET): the one redirect
/// off this site, to a URL the server made, never one from the request.
pub fn download(presigned: &str) -> ApiResult<Response> {
    respond(303, String::new(), &[], Some(presigned))
}

/// A file size as people read it ("820 KB", "1,4 MB").
pub fn file_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        format!("{},{} MB", tenths / 10, tenths % 10)
    } else if bytes >= KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{bytes} byte")
    }
}

/// `path` when it is a path of this site (`/…`, not `//…` nor `/\…`), else `/tugas`:
/// a `kembali` parameter never sends anyone to another site.
pub fn local_path(path: Option<&str>) -> &str {
    match path {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && p.len() <= 300
                && !p.chars().any(|c| c.is_control()) =>
        {
            p
        }
        _ => "/tugas",
    }
}

/// The signed-in person a page shows in its header.
pub struct Viewer<'a> {
    pub name: &'a str,
    pub csrf: &'a str,
}

/// The layout of every page: language, viewport, stylesheet, header (with sign-out
/// when signed in), one `main` landmark.
pub fn layout(title: &str, viewer: Option<&Viewer<'_>>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="id" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Loket" }
                link rel="stylesheet" href="/static/loket.css";
            }
            body {
                header class="bar" {
                    a class="brand" href="/tugas" { "Loket" }
                    @if let Some(v) = viewer {
                        form method="post" action="/keluar" class="signout" {
                            span { (v.name) }
                            input type="hidden" name="csrf" value=(v.csrf);
                            button type="submit" { "Keluar" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}

/// A message box (`role=status` for information, `role=alert` for errors).
pub fn notice(kind: &str, text: &str) -> Markup {
    let role = if kind == "error" { "alert" } else { "status" };
    html! { p class=(format!("notice {kind}")) role=(role) { (text) } }
}

/// The CSRF cookie of the request, or a new one to set.
pub fn csrf_seed(req: &Request, app: &App) -> (String, Option<String>) {
    match cookie(req, &cookie_name(app, "loket_csrf")).filter(|v| v.len() >= 32 && v.len() <= 64) {
        Some(seed) => (seed, None),
        None => {
            let seed = crate::crypto::random_token(32);
            let set = set_cookie(app, "loket_csrf", &seed, 12 * 3600);
            (seed, Some(set))
        }
    }
}

/// The token a form carries for `seed`.
pub fn csrf_token(app: &App, seed: &str) -> String {
    app.pepper.hash("csrf", seed)
}

/// 403 unless the form's `csrf` matches the browser's CSRF cookie.
pub fn check_csrf(app: &App, req: &Request, submitted: Option<&str>) -> ApiResult<()> {
    let seed = cookie(req, &cookie_name(app, "loket_csrf"));
    match (seed, submitted) {
        (Some(seed), Some(token)) if app.pepper.verify("csrf", &seed, token) => Ok(()),
        _ => Err(ApiError::new(
            403,
            "csrf_invalid",
            "Formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
        )),
    }
}

/// Reads a posted form after checking its CSRF token (the form's `csrf` field): the
/// one way a page handler reads a POST. Errors are pages' errors (`error_page`).
pub fn posted<T: DeserializeOwned>(app: &App, req: &Request) -> ApiResult<T> {
    #[derive(serde::Deserialize)]
    struct Token {
        csrf: Option<String>,
    }
    let token: Token = form(req)?;
    check_csrf(app, req, token.csrf.as_deref())?;
    form(req)
}

/// Reads an `application/x-www-form-urlencoded` body (at most 64 KiB).
pub fn form<T: DeserializeOwned>(req: &Request) -> ApiResult<T> {
    let raw: &[u8] = req.body().as_ref();
    if raw.len() > 64 * 1024 {
        return Err(ApiError::bad_request(
            "body_too_large",
            "Isian terlalu panjang",
        ));
    }
    serde_urlencoded::from_bytes(raw)
        .map_err(|_| ApiError::bad_request("body_invalid", "Isian formulir tidak valid"))
}

/// `GET /static/loket.css`.
pub async fn stylesheet(_app: std::sync::Arc<App>, _req: Request) -> ApiResult<Response> {
    lambda_http::http::Response::builder()
        .status(200)
        .header("content-type", "text/css; charset=utf-8")
        .header("cache-control", "public, max-age=3600")
        .header("x-content-type-options", "nosniff")
        .body(lambda_http::Body::Text(STYLESHEET.to_string()))
        .map_err(ApiError::internal)
}

/// The error page of an [`ApiError`]: its message and status, never a stack trace.
pub fn error_page(e: &ApiError, viewer: Option<&Viewer<'_>>) -> ApiResult<Response> {
    let title = match e.status {
        401 => "Silakan masuk",
        403 => "Tidak diizinkan",
        404 => "Tidak ditemukan",
        409 => "Tidak dapat diproses",
        429 => "Terlalu banyak percobaan",
        s if s >= 500 => "Terjadi kesalahan",
        _ => "Permintaan tidak valid",
    };
    page(
        e.status,
        layout(
            title,
            viewer,
            html! { (notice("error", &e.message)) p { a href="/tugas" { "Kembali ke daftar tugas" } } },
        ),
        &[],
    )
}

/// "2 Desember 2026 10.55 WIB": an instant (RFC 3339 or epoch seconds) in the office's
/// time zone (`offset_hours`, `zone` as people call it).
pub fn local_time(instant: &str, offset_hours: i8, zone: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(instant, &Rfc3339)
        .ok()
        .or_else(|| {
            instant
                .parse::<i64>()
                .ok()
                .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        });
    let Some(t) = t else {
        return instant.to_string();
    };
    let offset = time::UtcOffset::from_hms(offset_hours, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(offset);
    const MONTHS: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    format!(
        "{} {} {} {:02}.{:02} {zone}",
        t.day(),
        MONTHS[t.month() as usize - 1],
        t.year(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_come_back() {
        assert_eq!(local_path(Some("/task-links/abc")), "/task-links/abc");
        assert_eq!(local_path(Some("//evil.example/x")), "/tugas");
        assert_eq!(local_path(Some("/\\evil.example")), "/tugas");
        assert_eq!(local_path(Some("https://evil.example")), "/tugas");
        assert_eq!(local_path(None), "/tugas");
    }

    #[test]
    fn file_sizes_read_as_people_say_them() {
        assert_eq!(file_size(512), "512 byte");
        assert_eq!(file_size(820 * 1024), "820 KB");
        assert_eq!(file_size(1024 * 1024 + 400 * 1024), "1,4 MB");
    }

    #[test]
    fn times_are_shown_in_the_office_zone() {
        assert_eq!(
            local_time("2026-12-02T03:55:00Z", 7, "WIB"),
            "2 Desember 2026 10.55 WIB"
        );
        assert_eq!(
            local_time("2026-12-02T03:55:00.123Z", 8, "WITA"),
            "2 Desember 2026 11.55 WITA"
        );
    }
}
