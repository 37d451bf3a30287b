//! The sign-in pages: `/masuk` (sign in with NIK, email or NRK, password and the
//! captcha, then back to the page in `kembali`) and `/keluar` (sign out). They call the
//! same sign-in use case as `POST /auth/login` (throttling, lockout, the generic error);
//! the browser keeps only an HttpOnly session cookie (see `loket_shared::web`).

use crate::login::{self, LoginRequest};
use crate::session;
use loket_shared::captcha::TEST_TOKEN;
use loket_shared::config::CaptchaKind;
use loket_shared::crypto::random_token;
use loket_shared::http::{query_param, source_ip, Request, Response};
use loket_shared::web::{self, Viewer};
use loket_shared::{ApiResult, App};
use maud::html;
use serde::Deserialize;
use std::sync::Arc;

/// The session cookie's base name (`__Host-loket_session` off the local stack).
pub const SESSION_COOKIE: &str = "loket_session";

/// The signed-in person of a page request, if any.
pub async fn viewer(
    app: &App,
    req: &Request,
) -> ApiResult<Option<(loket_shared::auth::Caller, String)>> {
    match web::cookie(req, &web::cookie_name(app, SESSION_COOKIE)) {
        Some(c) => session::browser_caller(app, &c).await,
        None => Ok(None),
    }
}

fn sign_in_form(
    app: &App,
    csrf: &str,
    back: &str,
    identifier: &str,
    error: Option<&str>,
) -> maud::Markup {
    html! {
        @if let Some(e) = error { (web::notice("error", e)) }
        form class="stack" method="post" action="/masuk" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="kembali" value=(back);
            div {
                label for="identifier" { "NIK / Email / NRK" }
                input type="text" id="identifier" name="identifier" value=(identifier)
                    autocomplete="username" required;
            }
            div {
                label for="password" { "Password" }
                input type="password" id="password" name="password"
                    autocomplete="current-password" required;
            }
            div {
                label for="captcha_token" { "Captcha" }
                input type="text" id="captcha_token" name="captcha_token" required
                    aria-describedby="captcha-hint";
                @if app.cfg.captcha == CaptchaKind::Test {
                    p class="hint" id="captcha-hint" {
                        "Lingkungan uji: ketik " code { (TEST_TOKEN) }
                    }
                } @else {
                    p class="hint" id="captcha-hint" { "Isi kode captcha yang tampil." }
                }
            }
            button type="submit" { "Masuk" }
        }
    }
}

/// `GET /masuk?kembali=/task-links/…`.
pub async fn show_sign_in(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let back = web::local_path(query_param(&req, "kembali").as_deref()).to_string();
    if viewer(&app, &req).await?.is_some() {
        return web::redirect(&back, &[]);
    }
    let (seed, set) = web::csrf_seed(&req, &app);
    let csrf = web::csrf_token(&app, &seed);
    let body = web::layout(
        "Masuk",
        None,
        html! {
            p { "Masuk sebagai petugas atau pengguna Loket untuk melanjutkan." }
            (sign_in_form(&app, &csrf, &back, "", None))
        },
    );
    web::page(200, body, &set.into_iter().collect::<Vec<_>>())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    csrf: Option<String>,
    kembali: Option<String>,
    identifier: Option<String>,
    password: Option<String>,
    captcha_token: Option<String>,
}

/// `POST /masuk`: the sign-in use case; on success a session cookie and back to
/// `kembali`; on failure the form again with the same message as the API.
pub async fn sign_in_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let f: SignInForm = web::form(&req)?;
    if let Err(e) = web::check_csrf(&app, &req, f.csrf.as_deref()) {
        return web::error_page(&e, None);
    }
    let back = web::local_path(f.kembali.as_deref()).to_string();
    let secret = random_token(32);
    let attempt = LoginRequest {
        identifier: f.identifier.clone(),
        password: f.password.clone(),
        captcha_token: f.captcha_token.clone(),
    };
    match login::sign_in(&app, &attempt, &source_ip(&req), Some(&secret)).await {
        Ok(tokens) => {
            let cookie = web::set_cookie(
                &app,
                SESSION_COOKIE,
                &session::browser_cookie(&tokens, &secret),
                tokens.refresh_expires_in,
            );
            web::redirect(&back, &[cookie])
        }
        Err(e) if e.status >= 500 => Err(e),
        Err(e) => {
            let (seed, set) = web::csrf_seed(&req, &app);
            let csrf = web::csrf_token(&app, &seed);
            let identifier = f.identifier.unwrap_or_default();
            let body = web::layout(
                "Masuk",
                None,
                sign_in_form(&app, &csrf, &back, &identifier, Some(&e.message)),
            );
            web::page(e.status, body, &set.into_iter().collect::<Vec<_>>())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignOutForm {
    csrf: Option<String>,
}

/// `POST /keluar`: ends the browser's session and forgets the cookie.
pub async fn sign_out_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let f: SignOutForm = web::form(&req)?;
    if let Err(e) = web::check_csrf(&app, &req, f.csrf.as_deref()) {
        return web::error_page(&e, None);
    }
    if let Some((caller, _)) = viewer(&app, &req).await? {
        session::end(&app, &caller.user_id, &caller.session_id).await?;
    }
    let gone = web::set_cookie(&app, SESSION_COOKIE, "", 0);
    web::redirect("/masuk", &[gone])
}

/// The header's viewer of a signed-in page.
pub fn header_viewer<'a>(name: &'a str, csrf: &'a str) -> Viewer<'a> {
    Viewer { name, csrf }
}
