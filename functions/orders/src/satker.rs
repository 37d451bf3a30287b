//! One procurement official, several work units (seed 002 "Satu PP Multi Satker").
//!
//! A buyer who is a Pejabat Pengadaan keeps a list of work units (satker, the SKPDs of
//! the reference list): the primary one is their own organisation (always there, mapped
//! by default); others are added, viewed and removed. Each added satker is mapped to one
//! buyer **company account** (the purchasing entity the orders are placed for: name,
//! address, email), in one of three ways: sign in to an existing company account
//! (`login`), register a new one (`register`, its email proven with the code sent by
//! `POST …/mapping/code`), or — when a company account with the
//! official's own email exists and is unmapped — confirm it (`confirm`). A company
//! account serves one (official, satker) mapping; the mapping is a conditional write on
//! both items, so two officials racing for one account have one winner.
//!
//! At checkout the official picks the satker (`satker_code` in the order form): the
//! order is placed for that satker (`buyer_org`) and its company (copied into the
//! order), and the order history filters by satker. Another official cannot see or use
//! these mappings: everything is keyed by the official's own id.
//!
//! Storage: `USER#<official>` / `SATKER#<code>` (the satker, its company), the company
//! `BUYERCO#<id>` / `COMPANY` (password hash, failed sign-ins, `mapped_to`), and its
//! email guard `BUYERCOEMAIL#<email>` / `GUARD`.

use crate::cart::account;
use loket_identity::registration;
use loket_reference::organisations::{self, OrgKind};
use loket_shared::auth::{Caller, Role};
use loket_shared::crypto;
use loket_shared::http::{authenticate, body, json, path_param, required, Request, Response};
use loket_shared::ratelimit::{self, Limit};
use loket_shared::rules::contact::{check_postal_code, normalize_email};
use loket_shared::rules::password::check_password_field;
use loket_shared::schema;
use loket_shared::store::{from_item, get_s, key, n, s, to_item, Item, Query, Tx, TxError};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// At most this many work units per official.
const MAX_SATKERS: usize = 50;
/// Wrong passwords of one company account before its sign-in is locked.
const MAX_FAILED_SIGN_INS: u32 = 5;

/// A work unit of an official.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Satker {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub code: String,
    pub name: String,
    pub added_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<CompanySnapshot>,
}

/// The company account a satker buys as, as orders copy it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySnapshot {
    pub id: String,
    pub name: String,
    pub email: String,
    pub address: String,
}

/// A buyer company account.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Company {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    id: String,
    name: String,
    email: String,
    city: String,
    postal_code: String,
    address: String,
    password_hash: String,
    #[serde(default)]
    attempts: i64,
    /// `<official>#<satker>` once mapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mapped_to: Option<String>,
    created_at: i64,
}

impl Company {
    fn snapshot(&self) -> CompanySnapshot {
        CompanySnapshot {
            id: self.id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            address: format!("{}, {} {}", self.address, self.city, self.postal_code),
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found(
        "satker_not_found",
        "Satuan kerja tidak ada dalam daftar Anda",
    )
}

fn official(caller: &Caller) -> ApiResult<String> {
    caller.require_any(&[Role::Buyer])?;
    caller.org.clone().ok_or_else(ApiError::forbidden)
}

fn view(s: &Satker, primary: bool) -> serde_json::Value {
    serde_json::json!({
        "code": s.code, "name": s.name, "primary": primary, "added_at": s.added_at,
        "mapped": primary || s.company.is_some(), "company": s.company,
    })
}

async fn org_name(app: &App, code: &str) -> ApiResult<String> {
    Ok(organisations::find(&app.store, code)
        .await?
        .map_or_else(|| code.to_string(), |o| o.name))
}

/// The primary satker: the official's own organisation, mapped by default.
async fn primary(app: &App, caller: &Caller, org: &str) -> ApiResult<Satker> {
    Ok(Satker {
        pk: schema::user(&caller.user_id),
        sk: schema::satker_sk(org),
        code: org.to_string(),
        name: org_name(app, org).await?,
        added_at: 0,
        company: None,
    })
}

async fn load(app: &App, caller: &Caller, code: &str) -> ApiResult<Option<Satker>> {
    if code.is_empty() || code.len() > 40 {
        return Ok(None);
    }
    app.store
        .get_as(&schema::user(&caller.user_id), &schema::satker_sk(code))
        .await
}

/// The caller's added satker named in the path; the primary one is refused with
/// `primary` (it is not removed or remapped).
async fn added(app: &App, req: &Request, primary: &str) -> ApiResult<(Caller, Satker)> {
    let caller = authenticate(app, req).await?;
    let org = official(&caller)?;
    let code = path_param(req, "code")?;
    if code == org {
        return Err(ApiError::conflict("satker_primary", primary.to_string()));
    }
    let satker = load(app, &caller, &code).await?.ok_or_else(not_found)?;
    Ok((caller, satker))
}

/// What an order is placed for when the official picks `code`: the satker's code and
/// its company (`None` for the primary one). Someone else's satker, or one not mapped
/// yet, is refused.
pub async fn for_checkout(
    app: &App,
    caller: &Caller,
    code: &str,
) -> ApiResult<(String, Option<CompanySnapshot>)> {
    let org = official(caller)?;
    if code == org {
        return Ok((org, None));
    }
    let s = load(app, caller, code).await?.ok_or_else(not_found)?;
    let company = s.company.ok_or_else(|| {
        ApiError::conflict(
            "satker_not_mapped",
            "Satuan kerja ini belum dipetakan ke akun perusahaan; petakan terlebih dahulu",
        )
    })?;
    Ok((s.code, Some(company)))
}

/// `GET /buyer/satkers`: the primary satker first, then the added ones.
pub async fn list_satkers(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let org = official(&caller)?;
    let mut items = vec![view(&primary(&app, &caller, &org).await?, true)];
    let added = app
        .store
        .query_all(
            &Query::partition(schema::user(&caller.user_id))
                .sk_begins_with("SK", schema::SATKER_PREFIX),
        )
        .await?;
    for item in added {
        let s: Satker = from_item(item)?;
        if s.code != org {
            items.push(view(&s, false));
        }
    }
    json(200, &serde_json::json!({ "items": items }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddInput {
    code: Option<String>,
}

/// `POST /buyer/satkers` (`code` from the reference list, `GET /organisations?kind=skpd`).
pub async fn add_satker(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let org = official(&caller)?;
    let input: AddInput = body(&req)?;
    let code = required(&input.code, "code", "Satuan Kerja", 40)?;
    let found = organisations::find(&app.store, &code)
        .await?
        .filter(|o| o.kind == OrgKind::Skpd)
        .ok_or_else(|| {
            ApiError::invalid(
                "satker_unknown",
                "Satuan kerja tidak ditemukan dalam daftar referensi",
                "code",
            )
        })?;
    if code == org {
        return Err(ApiError::conflict(
            "satker_exists",
            "Satuan kerja ini sudah ada dalam daftar Anda",
        ));
    }
    let existing = app
        .store
        .query_all(
            &Query::partition(schema::user(&caller.user_id))
                .sk_begins_with("SK", schema::SATKER_PREFIX),
        )
        .await?;
    if existing.len() >= MAX_SATKERS {
        return Err(ApiError::conflict(
            "too_many_satkers",
            format!("Paling banyak {MAX_SATKERS} satuan kerja"),
        ));
    }
    let s = Satker {
        pk: schema::user(&caller.user_id),
        sk: schema::satker_sk(&code),
        code,
        name: found.name,
        added_at: app.clock.epoch(),
        company: None,
    };
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&s)?);
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(TxError::Condition(_)) => {
            return Err(ApiError::conflict(
                "satker_exists",
                "Satuan kerja ini sudah ada dalam daftar Anda",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let mut v = view(&s, false);
    v["message"] = "Berhasil simpan data satker Anda".into();
    json(201, &v)
}

/// `GET /buyer/satkers/{code}`.
pub async fn get_satker(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let org = official(&caller)?;
    let code = path_param(&req, "code")?;
    if code == org {
        return json(200, &view(&primary(&app, &caller, &org).await?, true));
    }
    let s = load(&app, &caller, &code).await?.ok_or_else(not_found)?;
    json(200, &view(&s, false))
}

/// `DELETE /buyer/satkers/{code}`: an added satker leaves the list, and its company
/// account becomes free to map again (the primary one stays).
pub async fn remove_satker(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let (caller, satker) = added(&app, &req, "Satuan kerja utama tidak dapat dihapus").await?;
    let code = satker.code.clone();
    let table = app.store.table();
    let mut tx = Tx::new();
    tx.delete(table, key(satker.pk.clone(), satker.sk.clone()));
    if let Some(c) = &satker.company {
        tx.update(
            table,
            key(schema::buyer_company(&c.id), schema::BUYER_COMPANY_SK),
            "REMOVE mapped_to",
            Some("mapped_to = :me"),
            HashMap::new(),
            HashMap::from([(":me".to_string(), s(mapping(&caller.user_id, &code)))]),
        );
    }
    app.store.transact(tx).await?;
    json(
        200,
        &serde_json::json!({ "message": "Satuan kerja dihapus dari daftar Anda" }),
    )
}

/// The company's `mapped_to`: which official's which satker.
fn mapping(official: &str, satker: &str) -> String {
    format!("{official}#{satker}")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeInput {
    email: Option<String>,
}

/// `POST /buyer/satkers/{code}/mapping/code`: before registering a company account, a
/// code is emailed to its address (the applicants' code: 6 digits, 10 minutes, resent
/// after a minute). Limited per official and per email; an email that already has a
/// company account is told to sign in instead.
pub async fn send_company_code(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let (caller, _) = added(&app, &req, "Satuan kerja utama sudah terpetakan").await?;
    let input: CodeInput = body(&req)?;
    let email =
        normalize_email(&required(&input.email, "email", "Email", 254)?).map_err(ApiError::from)?;
    let now = app.clock.epoch();
    for (bucket, max) in [
        (format!("company-code-user#{}", caller.user_id), 10),
        (format!("company-code-email#{email}"), 5),
    ] {
        ratelimit::hit(&app.store, &bucket, Limit { max, window: 3600 }, now).await?;
    }
    if company_by_email(&app, &email).await?.is_some() {
        return Err(email_taken());
    }
    registration::send_code(&app, &email, now).await?;
    json(
        202,
        &serde_json::json!({
            "message": "Kode verifikasi telah dikirim ke email perusahaan",
            "expires_in": app.cfg.code_ttl_seconds,
        }),
    )
}

fn email_taken() -> ApiError {
    ApiError::conflict(
        "company_email_taken",
        "Email ini sudah terdaftar sebagai akun perusahaan; pilih masuk (login)",
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MappingInput {
    method: Option<String>,
    email: Option<String>,
    email_code: Option<String>,
    password: Option<String>,
    name: Option<String>,
    city: Option<String>,
    postal_code: Option<String>,
    address: Option<String>,
}

fn sign_in_failed() -> ApiError {
    ApiError::invalid(
        "company_login_failed",
        "Email atau kata sandi akun perusahaan salah",
        "password",
    )
}

async fn company_by_email(app: &App, email: &str) -> ApiResult<Option<Company>> {
    let Some(guard) = app
        .store
        .get(&schema::buyer_company_email(email), "GUARD")
        .await?
    else {
        return Ok(None);
    };
    let id = get_s(&guard, "company_id").unwrap_or_default().to_string();
    app.store
        .get_as(&schema::buyer_company(&id), schema::BUYER_COMPANY_SK)
        .await
}

/// `POST /buyer/satkers/{code}/mapping`: maps an added satker to a company account —
/// `login` (its email and password), `register` (a new account: name, email, city,
/// postal code, address, password) or `confirm` (the unmapped account with the
/// official's own email).
pub async fn map_satker(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let (caller, satker) = added(&app, &req, "Satuan kerja utama sudah terpetakan").await?;
    let code = satker.code.clone();
    if satker.company.is_some() {
        return Err(ApiError::conflict(
            "satker_already_mapped",
            "Satuan kerja ini sudah dipetakan ke akun perusahaan",
        ));
    }
    let input: MappingInput = body(&req)?;
    let method = required(&input.method, "method", "Cara pemetaan", 20)?;
    let now = app.clock.epoch();
    // A new company's email code: its version, consumed with the mapping.
    let mut code_version = None;
    let (company, new) = match method.as_str() {
        "login" => {
            // Guessable: per address, and per account before its password is compared.
            ratelimit::hit(
                &app.store,
                &format!("company-login-ip#{}", loket_shared::http::source_ip(&req)),
                Limit {
                    max: 20,
                    window: 900,
                },
                now,
            )
            .await?;
            let email = normalize_email(&required(&input.email, "email", "Email", 254)?)
                .map_err(ApiError::from)?;
            let password = input.password.clone().unwrap_or_default();
            let Some(c) = company_by_email(&app, &email).await? else {
                crypto::burn_password_time(&password).await;
                return Err(sign_in_failed());
            };
            let counted = ratelimit::count_attempt(
                &app.store,
                key(c.pk.clone(), c.sk.clone()),
                MAX_FAILED_SIGN_INS,
            )
            .await?;
            if !counted {
                return Err(ApiError::too_many(
                    "company_login_locked",
                    "Terlalu banyak percobaan masuk ke akun perusahaan ini; hubungi admin",
                    900,
                ));
            }
            if !crypto::verify_password(&password, &c.password_hash).await {
                return Err(sign_in_failed());
            }
            (c, false)
        }
        "register" => {
            let email = normalize_email(&required(&input.email, "email", "Email", 254)?)
                .map_err(ApiError::from)?;
            let name = required(&input.name, "name", "Nama Perusahaan/Institusi/Toko", 200)?;
            let city = required(&input.city, "city", "Kota atau Kecamatan", 100)?;
            let postal_code =
                check_postal_code(&required(&input.postal_code, "postal_code", "Kode Pos", 5)?)
                    .map_err(ApiError::from)?;
            let address = required(&input.address, "address", "Alamat Lengkap", 500)?;
            let password = input.password.clone().unwrap_or_default();
            check_password_field(&password, "password").map_err(ApiError::from)?;
            let code = required(&input.email_code, "email_code", "Kode dari Email", 16)?;
            code_version = Some(registration::verify_code(&app, &email, &code).await?);
            let id = app.ids.id();
            (
                Company {
                    pk: schema::buyer_company(&id),
                    sk: schema::BUYER_COMPANY_SK.into(),
                    id,
                    name,
                    email,
                    city,
                    postal_code,
                    address,
                    password_hash: crypto::hash_password(&password).await?,
                    attempts: 0,
                    mapped_to: None,
                    created_at: now,
                },
                true,
            )
        }
        "confirm" => {
            let (_, email) = account(&app, &caller.user_id).await?;
            let c = company_by_email(&app, &email.to_lowercase())
                .await?
                .filter(|c| c.mapped_to.is_none())
                .ok_or_else(|| {
                    ApiError::not_found(
                        "company_not_found",
                        "Tidak ada akun perusahaan dengan email Anda yang belum dipetakan",
                    )
                })?;
            (c, false)
        }
        _ => {
            return Err(ApiError::invalid(
                "field_invalid",
                "Cara pemetaan harus login, register atau confirm",
                "method",
            ))
        }
    };
    let me = mapping(&caller.user_id, &code);
    let table = app.store.table();
    let mut tx = Tx::new();
    let mut code_op = None;
    let company_op = if new {
        let mut guard = key(schema::buyer_company_email(&company.email), "GUARD");
        guard.insert("company_id".into(), s(&company.id));
        let guard_op = tx.put_new(table, guard);
        let mut c = company.clone();
        c.mapped_to = Some(me.clone());
        tx.put_new(table, to_item(&c)?);
        code_op = code_version.map(|version| {
            tx.delete_versioned(table, registration::code_key(&company.email), version)
        });
        guard_op
    } else {
        tx.update(
            table,
            key(company.pk.clone(), company.sk.clone()),
            "SET mapped_to = :me, attempts = :zero",
            Some("attribute_exists(PK) AND attribute_not_exists(mapped_to)"),
            HashMap::new(),
            HashMap::from([(":me".to_string(), s(&me)), (":zero".to_string(), n(0))]),
        )
    };
    let snapshot = company.snapshot();
    let values: Item = HashMap::from([(
        ":company".to_string(),
        loket_shared::store::to_value(&snapshot)?,
    )]);
    tx.update(
        table,
        key(satker.pk.clone(), satker.sk.clone()),
        "SET company = :company",
        Some("attribute_exists(PK) AND attribute_not_exists(company)"),
        HashMap::new(),
        values,
    );
    match app.store.transact(tx).await {
        Ok(()) => {}
        // The code was used meanwhile (by another registration).
        Err(TxError::Condition(failed)) if code_op.is_some_and(|i| failed.contains(&i)) => {
            return Err(registration::code_invalid());
        }
        Err(TxError::Condition(failed)) if failed.contains(&company_op) => {
            return Err(if new {
                email_taken()
            } else {
                ApiError::conflict(
                    "company_already_mapped",
                    "Akun perusahaan ini sudah dipetakan ke satuan kerja lain",
                )
            });
        }
        Err(TxError::Condition(_)) => {
            return Err(ApiError::conflict(
                "satker_already_mapped",
                "Satuan kerja ini sudah dipetakan ke akun perusahaan",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(satker = %code, method = %method, "satker mapped");
    let mapped = Satker {
        company: Some(snapshot),
        ..satker
    };
    let mut v = view(&mapped, false);
    v["message"] = "Satuan kerja berhasil dipetakan ke akun perusahaan".into();
    json(200, &v)
}
