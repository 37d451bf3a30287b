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
use loket_shared::web;
use loket_shared::{ApiResult, App};
use maud::html;
use serde::Deserialize;
use std::sync::Arc;

/// The session cookie's base name (`__Host-loket_session` off the local stack).
pub const SESSION_COOKIE: &str = "loket_session";

/// The `Set-Cookie` of a browser session just opened with `tokens` and `secret`.
fn session_cookie(app: &App, tokens: &session::Tokens, secret: &str) -> String {
    web::set_cookie(
        app,
        SESSION_COOKIE,
        &session::browser_cookie(tokens, secret),
        tokens.refresh_expires_in,
    )
}

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
    kembali: Option<String>,
    identifier: Option<String>,
    password: Option<String>,
    captcha_token: Option<String>,
}

/// `POST /masuk`: the sign-in use case; on success a session cookie and back to
/// `kembali`; on failure the form again with the same message as the API.
pub async fn sign_in_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let f: SignInForm = match web::posted(&app, &req) {
        Ok(f) => f,
        Err(e) => return web::error_page(&e, None),
    };
    let back = web::local_path(f.kembali.as_deref()).to_string();
    let secret = random_token(32);
    let attempt = LoginRequest {
        identifier: f.identifier.clone(),
        password: f.password.clone(),
        captcha_token: f.captcha_token.clone(),
    };
    match login::sign_in(&app, &attempt, &source_ip(&req), Some(&secret)).await {
        Ok(tokens) => {
            let cookie = session_cookie(&app, &tokens, &secret);
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

/// The sign-out form has nothing but its CSRF token.
#[derive(Debug, Default, Deserialize)]
struct SignOutForm {}

/// `POST /keluar`: ends the browser's session and forgets the cookie.
pub async fn sign_out_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    if let Err(e) = web::posted::<SignOutForm>(&app, &req) {
        return web::error_page(&e, None);
    }
    if let Some((caller, _)) = viewer(&app, &req).await? {
        session::end(&app, &caller.user_id, &caller.session_id).await?;
    }
    let gone = web::set_cookie(&app, SESSION_COOKIE, "", 0);
    web::redirect("/masuk", &[gone])
}

fn activation_gone() -> maud::Markup {
    web::layout(
        "Tautan aktivasi tidak berlaku",
        None,
        html! {
            (web::notice("error", "Tautan aktivasi ini sudah dipakai atau sudah kedaluwarsa."))
            p {
                "Jika akun Anda sudah aktif, "
                a href="/masuk" { "masuk di sini" }
                ". Jika belum, minta tautan baru kepada admin atau daftar ulang."
            }
        },
    )
}

struct ActivationForm<'a> {
    token: &'a str,
    csrf: &'a str,
    name: &'a str,
    email: &'a str,
    org: Option<&'a str>,
    is_vendor: bool,
    error: Option<&'a str>,
}

fn activation_form(f: &ActivationForm<'_>) -> maud::Markup {
    html! {
        @if let Some(e) = f.error { (web::notice("error", e)) }
        dl {
            dt { "Email" } dd { (f.email) }
            @if let Some(org) = f.org { dt { "Organisasi" } dd { (org) } }
        }
        form class="stack" method="post" action="/aktivasi" {
            input type="hidden" name="csrf" value=(f.csrf);
            input type="hidden" name="token" value=(f.token);
            div {
                label for="name" { "Nama" }
                @if f.is_vendor {
                    input type="text" id="name" name="name" value=(f.name) autocomplete="name";
                    p class="hint" { "Lengkapi nama Anda bila perlu." }
                } @else {
                    input type="text" id="name" value=(f.name) readonly;
                }
            }
            div {
                label for="password" { "Password baru" }
                input type="password" id="password" name="password" required
                    autocomplete="new-password" aria-describedby="password-rules";
                ul class="hint" id="password-rules" {
                    li { "minimal 8 karakter (paling banyak 128)" }
                    li { "setidaknya satu huruf kapital dan satu huruf kecil" }
                    li { "bukan password umum yang mudah ditebak" }
                }
            }
            div {
                label for="password_confirmation" { "Ulangi password baru" }
                input type="password" id="password_confirmation" name="password_confirmation"
                    required autocomplete="new-password";
            }
            button type="submit" { "Aktifkan akun Saya!" }
        }
    }
}

/// `GET /aktivasi?token=…`: the activation page of the vendor's and the officer's
/// email: the account, its name (a vendor may complete it), the new password twice
/// with the rules explained; a used or expired link gets a clear page.
pub async fn show_activation_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let token = query_param(&req, "token").unwrap_or_default();
    let (acc, org) = match crate::activation::activation_view(&app, &token).await {
        Ok(v) => v,
        Err(e) if e.status < 500 => return web::page(404, activation_gone(), &[]),
        Err(e) => return Err(e),
    };
    let (seed, set) = web::csrf_seed(&req, &app);
    let csrf = web::csrf_token(&app, &seed);
    let org_name = org.map(|o| o.name);
    let body = web::layout(
        "Aktivasi akun",
        None,
        activation_form(&ActivationForm {
            token: &token,
            csrf: &csrf,
            name: &acc.name,
            email: &acc.email,
            org: org_name.as_deref(),
            is_vendor: acc.roles.contains(&loket_shared::auth::Role::Vendor),
            error: None,
        }),
    );
    web::page(200, body, &set.into_iter().collect::<Vec<_>>())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActivationPageForm {
    token: Option<String>,
    name: Option<String>,
    password: Option<String>,
    password_confirmation: Option<String>,
}

/// `POST /aktivasi`: the activation use case; signed in afterwards.
pub async fn activate_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let f: ActivationPageForm = match web::posted(&app, &req) {
        Ok(f) => f,
        Err(e) => return web::error_page(&e, None),
    };
    let token = f.token.clone().unwrap_or_default();
    let secret = random_token(32);
    let attempt = crate::activation::Activation {
        token: Some(token.clone()),
        name: f.name.clone(),
        skpd_code: None,
        password: f.password.clone(),
        password_confirmation: f.password_confirmation.clone(),
    };
    match crate::activation::activate(&app, &attempt, &source_ip(&req), Some(&secret)).await {
        Ok(tokens) => {
            let cookie = session_cookie(&app, &tokens, &secret);
            let body = web::layout(
                "Akun Anda telah aktif",
                None,
                html! {
                    (web::notice("ok", "Akun Anda telah aktif. Anda sudah masuk."))
                    p { "Gunakan email Anda dan password baru untuk masuk berikutnya." }
                    @if tokens.user.roles.iter().any(|r| r.is_officer()) {
                        p { a href="/tugas" { "Buka daftar tugas" } }
                    }
                },
            );
            web::page(200, body, &[cookie])
        }
        Err(e) if e.code == "activation_invalid" => web::page(404, activation_gone(), &[]),
        Err(e) if e.status < 500 => {
            let (acc, org) = match crate::activation::activation_view(&app, &token).await {
                Ok(v) => v,
                Err(_) => return web::page(404, activation_gone(), &[]),
            };
            let (seed, set) = web::csrf_seed(&req, &app);
            let csrf = web::csrf_token(&app, &seed);
            let org_name = org.map(|o| o.name);
            let name = f.name.clone().unwrap_or(acc.name.clone());
            let body = web::layout(
                "Aktivasi akun",
                None,
                activation_form(&ActivationForm {
                    token: &token,
                    csrf: &csrf,
                    name: &name,
                    email: &acc.email,
                    org: org_name.as_deref(),
                    is_vendor: acc.roles.contains(&loket_shared::auth::Role::Vendor),
                    error: Some(&e.message),
                }),
            );
            web::page(e.status, body, &set.into_iter().collect::<Vec<_>>())
        }
        Err(e) => Err(e),
    }
}
