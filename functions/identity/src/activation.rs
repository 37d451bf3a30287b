//! Accounts that start without a password: vendor self-registration (seed 000 §1.2:
//! name, email, SKPD Pembina → "Aktifkan akun Saya!") and officer accounts an admin
//! creates. Both receive an activation link with a random single-use token (stored only
//! as a keyed hash, expiring); following it shows the account, and confirming it with a
//! new password activates the account and signs the owner in.

use crate::account::{self, Account, AccountStatus, ProfileView};
use crate::session;
use loket_reference::organisations::{self, OrgKind};
use loket_shared::auth::Role;
use loket_shared::http::{
    authenticate, body, json, path_param, query_param, required, source_ip, Request, Response,
};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::ratelimit::{self, Limit};
use loket_shared::rules::{contact, password, person};
use loket_shared::schema;
use loket_shared::store::{from_item, get_n, get_s, key, n, s, Query, Tx, TxError};
use loket_shared::{crypto, ApiError, ApiResult, App};
use serde::Deserialize;
use std::sync::Arc;

const TOKEN_SK: &str = "TOKEN";

fn activation_pk(app: &App, token: &str) -> String {
    schema::activation(&app.pepper.hash("activation", token))
}

fn link_invalid() -> ApiError {
    ApiError::not_found(
        "activation_invalid",
        "Tautan aktivasi tidak valid, sudah digunakan, atau sudah kedaluwarsa",
    )
}

/// Adds a fresh single-use activation token for `acc` to `tx`; returns the link that
/// carries it (the token itself is stored only as a keyed hash).
pub fn add_activation_token(app: &App, tx: &mut Tx, acc: &Account, now: i64) -> String {
    let token = crypto::random_token(32);
    let mut item = key(activation_pk(app, &token), TOKEN_SK);
    item.insert("user_id".into(), s(&acc.id));
    item.insert("expires_at".into(), n(now + app.cfg.activation_ttl_seconds));
    item.insert("version".into(), n(1));
    tx.put_new(app.store.table(), item);
    format!("{}/aktivasi?token={}", app.cfg.public_url, token)
}

/// Adds a fresh activation token for `acc` and the email that carries its link to `tx`.
fn add_activation(
    app: &App,
    tx: &mut Tx,
    acc: &Account,
    org_name: &str,
    now: i64,
) -> ApiResult<()> {
    let ttl = app.cfg.activation_ttl_seconds;
    let link = add_activation_token(app, tx, acc, now);
    let template = if acc.roles.contains(&Role::Vendor) {
        EmailTemplate::AccountActivation {
            name: acc.name.clone(),
            link,
            hours: ttl / 3600,
        }
    } else {
        EmailTemplate::OfficerInvitation {
            name: acc.name.clone(),
            role: acc
                .roles
                .first()
                .map(|r| r.label())
                .unwrap_or_default()
                .to_string(),
            organisation: org_name.to_string(),
            link,
            hours: ttl / 3600,
        }
    };
    let mail = OutboxEmail {
        id: app.ids.id(),
        to: acc.email.clone(),
        template,
    };
    tx.put_new(app.store.table(), mail.to_item(&app.sealer, now)?);
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VendorRegistration {
    name: Option<String>,
    email: Option<String>,
    skpd_code: Option<String>,
    captcha_token: Option<String>,
}

/// `POST /vendors/registrations`: a UMKM registers with name, email and SKPD Pembina.
pub async fn register_vendor(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let r: VendorRegistration = body(&req)?;
    let now = app.clock.epoch();
    let ip = source_ip(&req);
    let name = person::check_full_name(&required(&r.name, "name", "Nama Anda", 120)?)?;
    let email = contact::normalize_email(&required(&r.email, "email", "Email Anda", 254)?)?;
    let skpd_code = required(&r.skpd_code, "skpd_code", "SKPD Pembina", 16)?;
    let skpd = match organisations::find(&app.store, &skpd_code).await? {
        Some(o) if o.kind == OrgKind::Skpd => o,
        _ => {
            return Err(ApiError::invalid(
                "skpd_invalid",
                "SKPD Pembina tidak ditemukan",
                "skpd_code",
            ))
        }
    };
    ratelimit::hit(
        &app.store,
        &format!("vendor-reg-ip#{ip}"),
        Limit {
            max: 20,
            window: 3600,
        },
        now,
    )
    .await?;
    app.captcha.require(r.captcha_token.as_deref(), &ip).await?;
    let id = app.ids.id();
    let mut acc = Account::new(
        &id,
        &name,
        &email,
        vec![Role::Vendor],
        AccountStatus::PendingActivation,
        now,
    );
    acc.org = Some(skpd.code.clone());
    let table = app.store.table();
    let mut tx = Tx::new();
    tx.put_new(table, acc.to_item()?);
    let email_ix = tx.guard(table, account::email_guard(&email), &acc.pk);
    add_activation(&app, &mut tx, &acc, &skpd.name, now)?;
    let id = match app.store.transact(tx).await {
        Ok(()) => id,
        Err(TxError::Condition(f)) if f.contains(&email_ix) => {
            re_register_pending_vendor(&app, &email, &skpd, now).await?
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user_id = %id, "vendor registered, activation pending");
    json(
        201,
        &serde_json::json!({
            "message": "Pendaftaran berhasil. Silakan cek email Anda dan klik \"Aktifkan akun Saya!\" untuk mengaktifkan akun.",
            "id": id,
        }),
    )
}

/// The email already has an account. If it is a vendor that never activated (a lost or
/// expired link), a new link is sent to that email — only its owner can use it — at
/// most once per resend cooldown, and nothing else changes: the name and SKPD stay as
/// the owner registered them (the owner completes the name on the activation page).
/// Concurrent re-registrations are one versioned write: one sends, the others wait.
/// Any other account keeps the seed's "already registered".
async fn re_register_pending_vendor(
    app: &App,
    email: &str,
    skpd: &organisations::Organisation,
    now: i64,
) -> ApiResult<String> {
    let existing = account::by_guard(app, &account::email_guard(email)).await?;
    let Some(acc) = existing
        .filter(|a| a.status == AccountStatus::PendingActivation && a.roles == vec![Role::Vendor])
    else {
        return Err(account::email_taken(email));
    };
    let cooldown = app.cfg.code_resend_seconds;
    let too_soon = || {
        let wait = (acc.updated_at + cooldown - now).max(1);
        ApiError::too_many(
            "activation_resend_too_soon",
            format!(
                "Tautan aktivasi baru saja dikirim ke email ini. Silakan cek email Anda atau coba lagi dalam {wait} detik."
            ),
            wait as u64,
        )
    };
    if acc.updated_at > now - cooldown {
        return Err(too_soon());
    }
    let mut next = acc.clone();
    next.updated_at = now;
    next.version += 1;
    let org_name = match next.org.as_deref() {
        Some(code) if code != skpd.code => organisations::find(&app.store, code)
            .await?
            .map_or_else(|| code.to_string(), |o| o.name),
        _ => skpd.name.clone(),
    };
    let mut tx = Tx::new();
    tx.put_versioned(app.store.table(), next.to_item()?, acc.version);
    add_activation(app, &mut tx, &next, &org_name, now)?;
    match app.store.transact(tx).await {
        Ok(()) => Ok(acc.id),
        Err(TxError::Condition(_)) => Err(too_soon()),
        Err(e) => Err(e.into()),
    }
}

/// The pending account behind a token, with the token item's version.
async fn pending(app: &App, token: &str) -> ApiResult<(Account, String, i64)> {
    if token.is_empty() || token.len() > 100 {
        return Err(link_invalid());
    }
    let pk = activation_pk(app, token);
    let item = app
        .store
        .get(&pk, TOKEN_SK)
        .await?
        .ok_or_else(link_invalid)?;
    if get_n(&item, "expires_at").unwrap_or(0) <= app.clock.epoch() {
        return Err(link_invalid());
    }
    let uid = get_s(&item, "user_id").unwrap_or_default();
    let acc = account::load(app, uid).await?.ok_or_else(link_invalid)?;
    if acc.status != AccountStatus::PendingActivation {
        return Err(link_invalid());
    }
    Ok((acc, pk, get_n(&item, "version").unwrap_or(1)))
}

/// `GET /accounts/activation?token=…`: what the activation page shows. Changes nothing.
pub async fn show_activation(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let token = required(&query_param(&req, "token"), "token", "Token aktivasi", 512)?;
    let (acc, _, _) = pending(&app, &token).await?;
    let org = match &acc.org {
        Some(code) => organisations::find(&app.store, code).await?,
        None => None,
    };
    json(
        200,
        &serde_json::json!({
            "name": acc.name, "email": acc.email, "roles": acc.roles,
            "org": org.map(|o| serde_json::json!({ "code": o.code, "name": o.name })),
        }),
    )
}

/// The account an activation link is for, and its organisation (the activation page
/// shows them). 404 `link_invalid` for a used or expired link.
pub async fn activation_view(
    app: &App,
    token: &str,
) -> ApiResult<(Account, Option<organisations::Organisation>)> {
    let (acc, _, _) = pending(app, token).await?;
    let org = match &acc.org {
        Some(code) => organisations::find(&app.store, code).await?,
        None => None,
    };
    Ok((acc, org))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Activation {
    pub token: Option<String>,
    /// A vendor may correct its name and SKPD Pembina on the confirmation page.
    pub name: Option<String>,
    pub skpd_code: Option<String>,
    pub password: Option<String>,
    pub password_confirmation: Option<String>,
}

/// `POST /accounts/activation`: sets the first password, activates, signs in.
pub async fn activate_account(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let r: Activation = body(&req)?;
    let tokens = activate(&app, &r, &source_ip(&req), None).await?;
    json(
        200,
        &serde_json::json!({ "message": "Akun Anda telah aktif", "session": tokens }),
    )
}

/// The one activation use case (API and page): the first password, the account
/// active, and a session (bound to a browser when `web_secret` is given).
pub async fn activate(
    app: &App,
    r: &Activation,
    ip: &str,
    web_secret: Option<&str>,
) -> ApiResult<session::Tokens> {
    let token = required(&r.token, "token", "Token aktivasi", 512)?;
    let (mut acc, token_pk, token_version) = pending(app, &token).await?;
    let pw = crate::password::password_field(&r.password, "password", "Password")?;
    password::check_password(&pw)?;
    if r.password_confirmation.as_deref() != Some(pw.as_str()) {
        return Err(ApiError::invalid(
            "password_mismatch",
            "Konfirmasi password tidak sama",
            "password_confirmation",
        ));
    }
    if acc.roles.contains(&Role::Vendor) {
        if let Some(name) = r.name.as_deref().filter(|v| !v.trim().is_empty()) {
            acc.name = person::check_full_name(name)?;
        }
        if let Some(code) = r.skpd_code.as_deref().filter(|v| !v.trim().is_empty()) {
            match organisations::find(&app.store, code.trim()).await? {
                Some(o) if o.kind == OrgKind::Skpd => acc.org = Some(o.code),
                _ => {
                    return Err(ApiError::invalid(
                        "skpd_invalid",
                        "SKPD Pembina tidak ditemukan",
                        "skpd_code",
                    ))
                }
            }
        }
    }
    let now = app.clock.epoch();
    let expected = acc.version;
    acc.status = AccountStatus::Active;
    acc.password_hash = Some(crypto::hash_password(&pw).await?);
    acc.updated_at = now;
    acc.version += 1;
    acc.index_under_org();
    let (mut session_item, tokens) = session::open(app, &acc, ip)?;
    if let Some(secret) = web_secret {
        session::bind_browser(app, &mut session_item, secret);
    }
    let table = app.store.table();
    let mut tx = Tx::new();
    tx.put_versioned(table, acc.to_item()?, expected);
    tx.delete_versioned(table, key(token_pk, TOKEN_SK), token_version);
    tx.put_new(table, session_item);
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(TxError::Condition(_)) => return Err(link_invalid()),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(user_id = %acc.id, "account activated");
    Ok(tokens)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OfficerAccount {
    name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    org: Option<String>,
    nrk: Option<String>,
}

/// Which kind of organisation a role must belong to (`None`: any).
fn org_kind_for(role: Role) -> Option<OrgKind> {
    match role {
        Role::Satpel | Role::Pjlp => Some(OrgKind::Skpd),
        Role::Verifier | Role::AgencyHead => Some(OrgKind::Agency),
        Role::Admin => Some(OrgKind::Platform),
        _ => None,
    }
}

/// `POST /admin/accounts`: an admin creates an officer, admin or buyer account; the
/// person receives an activation link to set a password.
pub async fn create_officer_account(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Admin])?;
    let admin = session::live_account(&app, &caller).await?;
    let r: OfficerAccount = body(&req)?;
    let name = person::check_full_name(&required(&r.name, "name", "Nama", 120)?)?;
    let email = contact::normalize_email(&required(&r.email, "email", "Email", 254)?)?;
    let role_text = required(&r.role, "role", "Peran", 32)?;
    let role = Role::parse(&role_text)
        .filter(|r| r.is_officer() || matches!(r, Role::Admin | Role::Buyer))
        .ok_or_else(|| {
            ApiError::invalid(
                "role_invalid",
                "Peran tidak dikenal atau tidak dapat dibuat oleh admin",
                "role",
            )
        })?;
    let org_code = required(&r.org, "org", "Organisasi", 16)?;
    let org = organisations::find(&app.store, &org_code)
        .await?
        .ok_or_else(|| ApiError::invalid("org_invalid", "Organisasi tidak ditemukan", "org"))?;
    if let Some(kind) = org_kind_for(role) {
        if org.kind != kind {
            return Err(ApiError::invalid(
                "org_invalid",
                "Jenis organisasi tidak sesuai dengan peran",
                "org",
            ));
        }
    }
    let nrk = match r.nrk.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) if (4..=12).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) => {
            Some(v.to_string())
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "nrk_invalid",
                "NRK hanya boleh angka 4 sampai 12 digit",
                "nrk",
            ))
        }
        None => None,
    };
    let now = app.clock.epoch();
    let id = app.ids.id();
    let mut acc = Account::new(
        &id,
        &name,
        &email,
        vec![role],
        AccountStatus::PendingActivation,
        now,
    );
    acc.org = Some(org.code.clone());
    acc.nrk = nrk.clone();
    acc.index_under_org();
    let table = app.store.table();
    let mut tx = Tx::new();
    tx.put_new(table, acc.to_item()?);
    let email_ix = tx.guard(table, account::email_guard(&email), &acc.pk);
    let nrk_ix = nrk
        .as_deref()
        .map(|v| tx.guard(table, account::nrk_guard(v), &acc.pk));
    add_activation(&app, &mut tx, &acc, &org.name, now)?;
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(TxError::Condition(f)) if f.contains(&email_ix) => {
            return Err(account::email_taken(&email))
        }
        Err(TxError::Condition(f)) if nrk_ix.is_some_and(|i| f.contains(&i)) => {
            return Err(
                ApiError::conflict("nrk_taken", "NRK sudah terdaftar di database kami")
                    .with_field("nrk"),
            )
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(user_id = %id, by = %admin.id, role = role.as_str(), "officer account created");
    json(201, &ProfileView::of(&app, &acc)?)
}

/// `GET /admin/organisations/{code}/accounts`: the officers of an organisation, for an
/// admin or for a satpel of that organisation (who later assigns its PJLPs).
pub async fn list_organisation_accounts(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    // Roles and organisation come from the account itself, not only from the token.
    let me = session::live_account(&app, &caller).await?;
    let code = path_param(&req, "code")?;
    let own_satpel = me.roles.contains(&Role::Satpel) && me.org.as_deref() == Some(code.as_str());
    if !(me.roles.contains(&Role::Admin) || own_satpel) {
        return Err(ApiError::forbidden());
    }
    if organisations::find(&app.store, &code).await?.is_none() {
        return Err(ApiError::not_found(
            "org_not_found",
            "Organisasi tidak ditemukan",
        ));
    }
    let q = Query::partition(schema::members(&code))
        .on_index(schema::GSI2)
        .limit(50);
    let scope =
        loket_shared::cursor::Scope::new("list_organisation_accounts", &caller.user_id, &code);
    let page = loket_shared::cursor::page(&app, &q, &scope, query_param(&req, "cursor").as_deref())
        .await?;
    let accounts: Vec<Account> = page
        .items
        .into_iter()
        .map(from_item)
        .collect::<ApiResult<_>>()?;
    let items: Vec<serde_json::Value> = accounts
        .iter()
        .map(|a| serde_json::json!({ "id": a.id, "name": a.name, "email": a.email, "roles": a.roles, "status": a.status }))
        .collect();
    json(
        200,
        &serde_json::json!({ "items": items, "cursor": page.cursor }),
    )
}
