//! Forgot password (seed 004 §2.3.3): NIK + phone + email must all match the account →
//! a 6-digit PIN by email → PIN + new password twice → changed, and every session of the
//! account ends. Change password (seed 004 §3 "Edit Password"): old + new password; every
//! other session ends and the caller continues in a fresh one.

use crate::account::{self, Account, AccountStatus};
use crate::session;
use loket_shared::http::{authenticate, body, json, required, source_ip, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::ratelimit::{self, Limit};
use loket_shared::rules::{contact, nik, password};
use loket_shared::store::{get_n, get_s, key, n, s, Tx, TxError};
use loket_shared::{crypto, ApiError, ApiResult, App};
use serde::Deserialize;
use std::sync::Arc;

const PIN_SK: &str = "PIN";

fn reset_pk(reset_id: &str) -> String {
    loket_shared::schema::password_reset(reset_id)
}

fn identity_mismatch() -> ApiError {
    ApiError::bad_request(
        "reset_identity_mismatch",
        "No KTP / NPWP, No.Telp dan Email Anda Harus Benar!",
    )
}

fn pin_invalid() -> ApiError {
    ApiError::invalid("pin_invalid", "PIN salah atau sudah kedaluwarsa", "pin")
}

/// A password field that must be present (not trimmed: spaces are part of a password).
pub fn password_field(
    value: &Option<String>,
    field: &'static str,
    label: &str,
) -> ApiResult<String> {
    match value {
        Some(v) if !v.is_empty() => Ok(v.clone()),
        _ => Err(ApiError::invalid(
            "field_required",
            format!("{label} wajib diisi"),
            field,
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResetRequest {
    nik: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    captcha_token: Option<String>,
}

/// `POST /auth/password-reset`: "REQUEST PIN".
pub async fn request_password_reset(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let r: ResetRequest = body(&req)?;
    let nik_text = required(&r.nik, "nik", "No. KTP", 16)?;
    nik::parse_nik(&nik_text)?;
    let phone = contact::normalize_phone(&required(&r.phone, "phone", "Telp", 20)?)?;
    let email = contact::normalize_email(&required(&r.email, "email", "E-mail", 254)?)?;
    let ip = source_ip(&req);
    let now = app.clock.epoch();
    ratelimit::hit(
        &app.store,
        &format!("reset-ip#{ip}"),
        Limit {
            max: 10,
            window: 3600,
        },
        now,
    )
    .await?;
    app.captcha.require(r.captcha_token.as_deref(), &ip).await?;
    let nik_guard = account::nik_guard(&app, nik_text.trim());
    let acc = match account::by_guard(&app, &nik_guard).await? {
        Some(a)
            if a.status == AccountStatus::Active
                && a.email == email
                && a.phone.as_deref() == Some(phone.as_str()) =>
        {
            a
        }
        _ => return Err(identity_mismatch()),
    };
    // Counted per NIK only once NIK, phone and email matched: this limits the PINs
    // mailed to the owner, and a stranger's wrong data never uses up the owner's
    // quota. (Matching is not secret: a wrong combination is told so anyway; guessing
    // is bounded by the per-address limit and the captcha above.)
    ratelimit::hit(
        &app.store,
        &format!("reset-nik#{nik_guard}"),
        Limit {
            max: 3,
            window: 3600,
        },
        now,
    )
    .await?;

    let reset_id = crypto::random_token(24);
    let pin = app.ids.digits(6);
    let mut item = key(reset_pk(&reset_id), PIN_SK);
    item.insert("user_id".into(), s(&acc.id));
    item.insert(
        "pin_hash".into(),
        s(app.pepper.hash("reset-pin", &format!("{reset_id}:{pin}"))),
    );
    item.insert("attempts".into(), n(0));
    item.insert("expires_at".into(), n(now + app.cfg.code_ttl_seconds));
    item.insert("version".into(), n(1));
    let mail = OutboxEmail {
        id: app.ids.id(),
        to: acc.email.clone(),
        template: EmailTemplate::PasswordResetPin {
            name: acc.name.clone(),
            pin,
            minutes: app.cfg.code_ttl_seconds / 60,
        },
    };
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), item);
    tx.put_new(app.store.table(), mail.to_item(&app.sealer, now)?);
    app.store.transact(tx).await?;
    json(
        202,
        &serde_json::json!({
            "message": "PIN verifikasi telah dikirim ke email Anda",
            "reset_id": reset_id,
            "expires_in": app.cfg.code_ttl_seconds,
        }),
    )
}

/// Checks the new password and its repetition.
fn check_new_password(new: &Option<String>, repeat: &Option<String>) -> ApiResult<String> {
    let pw = password_field(new, "new_password", "Password Baru")?;
    password::check_password_field(&pw, "new_password")?;
    if repeat.as_deref() != Some(pw.as_str()) {
        return Err(ApiError::invalid(
            "password_mismatch",
            "Ulangi password baru harus sama dengan password baru",
            "new_password_confirmation",
        ));
    }
    Ok(pw)
}

/// Adds a new password to `tx`: the account (on its version) with a bumped session
/// version, the end of every session, and the "password changed" email. Returns the
/// account as it will be once `tx` commits.
async fn add_new_password(app: &App, tx: &mut Tx, acc: &Account, pw: &str) -> ApiResult<Account> {
    let now = app.clock.epoch();
    let mut next = acc.clone();
    next.password_hash = Some(crypto::hash_password(pw).await?);
    next.session_version += 1;
    next.updated_at = now;
    next.version += 1;
    let table = app.store.table();
    tx.put_versioned(table, next.to_item()?, acc.version);
    let mail = OutboxEmail {
        id: app.ids.id(),
        to: acc.email.clone(),
        template: EmailTemplate::PasswordChanged {
            name: acc.name.clone(),
        },
    };
    tx.put_new(table, mail.to_item(&app.sealer, now)?);
    session::revoke_all(app, tx, &acc.id, None).await?;
    Ok(next)
}

async fn commit(app: &App, tx: Tx) -> ApiResult<()> {
    match app.store.transact(tx).await {
        Ok(()) => Ok(()),
        Err(TxError::Condition(_)) => Err(ApiError::concurrent_update()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConfirmReset {
    reset_id: Option<String>,
    pin: Option<String>,
    new_password: Option<String>,
    new_password_confirmation: Option<String>,
}

/// `POST /auth/password-reset/confirm`: PIN + new password twice.
pub async fn confirm_password_reset(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let r: ConfirmReset = body(&req)?;
    let reset_id = required(&r.reset_id, "reset_id", "Permintaan reset", 64)?;
    let pin = required(&r.pin, "pin", "PIN", 16)?;
    let pw = check_new_password(&r.new_password, &r.new_password_confirmation)?;
    if reset_id.len() > 64 {
        return Err(pin_invalid());
    }
    let now = app.clock.epoch();
    let item = app
        .store
        .get(&reset_pk(&reset_id), PIN_SK)
        .await?
        .ok_or_else(pin_invalid)?;
    if get_n(&item, "expires_at").unwrap_or(0) <= now {
        return Err(pin_invalid());
    }
    let counted = ratelimit::count_attempt(
        &app.store,
        key(reset_pk(&reset_id), PIN_SK),
        app.cfg.code_max_attempts,
    )
    .await?;
    if !counted {
        return Err(ApiError::new(
            429,
            "pin_locked",
            "Terlalu banyak percobaan PIN yang salah. Silakan minta PIN baru.",
        ));
    }
    let ok = pin.len() == 6
        && app.pepper.verify(
            "reset-pin",
            &format!("{reset_id}:{pin}"),
            get_s(&item, "pin_hash").unwrap_or_default(),
        );
    if !ok {
        return Err(pin_invalid());
    }
    let uid = get_s(&item, "user_id").unwrap_or_default();
    let acc = account::load(&app, uid).await?.ok_or_else(pin_invalid)?;
    let mut tx = Tx::new();
    tx.delete_versioned(
        app.store.table(),
        key(reset_pk(&reset_id), PIN_SK),
        get_n(&item, "version").unwrap_or(1),
    );
    add_new_password(&app, &mut tx, &acc, &pw).await?;
    commit(&app, tx).await?;
    tracing::info!(user_id = %acc.id, "password reset, all sessions revoked");
    json(
        200,
        &serde_json::json!({ "message": "Password berhasil diubah" }),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChangePassword {
    old_password: Option<String>,
    new_password: Option<String>,
    new_password_confirmation: Option<String>,
}

/// `PUT /me/password`: old + new password. In one transaction: the new password, the
/// end of every session (this one included), and a fresh session for the caller.
pub async fn change_password(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let acc = session::live_account(&app, &caller).await?;
    let r: ChangePassword = body(&req)?;
    let old = password_field(&r.old_password, "old_password", "Password Lama")?;
    let pw = check_new_password(&r.new_password, &r.new_password_confirmation)?;
    let now = app.clock.epoch();
    ratelimit::hit(
        &app.store,
        &format!("pwchange#{}", acc.id),
        Limit {
            max: 5,
            window: 900,
        },
        now,
    )
    .await?;
    let old_matches = match acc.password_hash.as_deref() {
        Some(h) => crypto::verify_password(&old, h).await,
        None => false,
    };
    if !old_matches {
        return Err(ApiError::invalid(
            "old_password_wrong",
            "Password lama salah",
            "old_password",
        ));
    }
    if old == pw {
        return Err(ApiError::invalid(
            "password_unchanged",
            "Password baru harus berbeda dari password lama",
            "new_password",
        ));
    }
    let mut tx = Tx::new();
    let next = add_new_password(&app, &mut tx, &acc, &pw).await?;
    let (item, tokens) = session::open(&app, &next, &source_ip(&req))?;
    tx.put_new(app.store.table(), item);
    commit(&app, tx).await?;
    json(
        200,
        &serde_json::json!({ "message": "Password berhasil diubah", "session": tokens }),
    )
}
