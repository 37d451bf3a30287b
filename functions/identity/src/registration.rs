//! Applicant registration (seed 004 §2.3.2): "Generate Code" emails a 6-digit code;
//! the form is submitted with the code and a captcha; success signs the applicant in.

use crate::account::{self, Account, AccountStatus, Address};
use crate::session;
use loket_reference::regions;
use loket_shared::auth::Role;
use loket_shared::http::{body, json, optional, required, source_ip, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::ratelimit::{self, Limit};
use loket_shared::rules::{contact, nik, npwp, password, person};
use loket_shared::store::{get_n, get_s, key, n, s, Tx, TxError};
use loket_shared::{crypto, ApiError, ApiResult, App};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

const CODE_SK: &str = "CODE";

fn code_pk(email: &str) -> String {
    loket_shared::schema::email_code(email)
}

/// The seed's message for a wrong or expired code.
pub fn code_invalid() -> ApiError {
    ApiError::invalid(
        "email_code_invalid",
        "Kode Email Yang Anda Inputkan Salah!",
        "email_code",
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeRequest {
    email: Option<String>,
}

/// `POST /auth/registration-code`: emails a verification code to a new address.
pub async fn request_registration_code(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let r: CodeRequest = body(&req)?;
    let email = contact::normalize_email(&required(&r.email, "email", "Email", 254)?)?;
    let now = app.clock.epoch();
    ratelimit::hit(
        &app.store,
        &format!("regcode-ip#{}", source_ip(&req)),
        Limit {
            max: 20,
            window: 3600,
        },
        now,
    )
    .await?;
    ratelimit::hit(
        &app.store,
        &format!("regcode-email#{email}"),
        Limit {
            max: 5,
            window: 3600,
        },
        now,
    )
    .await?;
    if app
        .store
        .get(&account::email_guard(&email), loket_shared::store::GUARD_SK)
        .await?
        .is_some()
    {
        return Err(account::email_taken(&email));
    }
    send_code(&app, &email, now).await?;
    json(
        202,
        &serde_json::json!({
            "message": "Kode verifikasi telah dikirim ke email Anda",
            "expires_in": app.cfg.code_ttl_seconds,
            "resend_after": app.cfg.code_resend_seconds,
        }),
    )
}

/// Stores a new code (replacing an older one once the resend cooldown has passed) and
/// queues its email, in one transaction.
pub async fn send_code(app: &App, email: &str, now: i64) -> ApiResult<()> {
    let code = app.ids.digits(6);
    let table = app.store.table();
    let mut tx = Tx::new();
    tx.update(
        table,
        key(code_pk(email), CODE_SK),
        "SET code_hash = :h, expires_at = :exp, attempts = :zero, sent_at = :now, \
         version = if_not_exists(version, :zero) + :one",
        // Strictly before: times are whole seconds, so `<=` could let a resend through
        // after little more than `resend - 1` real seconds.
        Some("attribute_not_exists(PK) OR sent_at < :edge"),
        HashMap::new(),
        HashMap::from([
            (
                ":h".to_string(),
                s(app.pepper.hash("email-code", &format!("{email}:{code}"))),
            ),
            (":exp".to_string(), n(now + app.cfg.code_ttl_seconds)),
            (":zero".to_string(), n(0)),
            (":one".to_string(), n(1)),
            (":now".to_string(), n(now)),
            (":edge".to_string(), n(now - app.cfg.code_resend_seconds)),
        ]),
    );
    let mail = OutboxEmail {
        id: app.ids.id(),
        to: email.to_string(),
        template: EmailTemplate::RegistrationCode {
            code,
            minutes: app.cfg.code_ttl_seconds / 60,
        },
    };
    tx.put_new(table, mail.to_item(&app.sealer, now)?);
    match app.store.transact(tx).await {
        Ok(()) => Ok(()),
        Err(TxError::Condition(_)) => {
            let sent = match app.store.get(&code_pk(email), CODE_SK).await? {
                Some(item) => get_n(&item, "sent_at").unwrap_or(now),
                None => now,
            };
            let wait = (sent + app.cfg.code_resend_seconds + 1 - now).max(1);
            Err(ApiError::too_many(
                "code_resend_too_soon",
                format!("Kode sudah dikirim. Tunggu {wait} detik sebelum meminta kode baru."),
                wait as u64,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Checks an emailed code. On success returns the code item's version, to be consumed
/// (deleted on that version) in the caller's transaction; a wrong code counts an attempt.
pub async fn verify_code(app: &App, email: &str, code: &str) -> ApiResult<i64> {
    let now = app.clock.epoch();
    let Some(item) = app.store.get(&code_pk(email), CODE_SK).await? else {
        return Err(code_invalid());
    };
    if get_n(&item, "expires_at").unwrap_or(0) <= now {
        return Err(code_invalid());
    }
    let counted = loket_shared::ratelimit::count_attempt(
        &app.store,
        key(code_pk(email), CODE_SK),
        app.cfg.code_max_attempts,
    )
    .await?;
    if !counted {
        return Err(ApiError::too_many(
            "email_code_locked",
            "Terlalu banyak percobaan kode yang salah. Silakan minta kode baru.",
            app.cfg.code_resend_seconds as u64,
        ));
    }
    let stored = get_s(&item, "code_hash").unwrap_or_default();
    let wellformed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    if !wellformed
        || !app
            .pepper
            .verify("email-code", &format!("{email}:{code}"), stored)
    {
        return Err(code_invalid());
    }
    Ok(get_n(&item, "version").unwrap_or(0))
}

/// The key of an email's code item (consumed in registration transactions).
pub fn code_key(email: &str) -> loket_shared::store::Item {
    key(code_pk(email), CODE_SK)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddressInput {
    pub address: Option<String>,
    pub province_code: Option<String>,
    pub regency_code: Option<String>,
    pub district_code: Option<String>,
    pub village_code: Option<String>,
    pub postal_code: Option<String>,
}

impl AddressInput {
    /// Validates the address against the region reference data.
    pub async fn check(&self, app: &App) -> ApiResult<Address> {
        let street = required(&self.address, "address", "Alamat Pemohon", 250)?;
        if street.chars().count() > 250 {
            return Err(ApiError::invalid(
                "field_too_long",
                "Alamat Pemohon maksimal 250 karakter",
                "address",
            ));
        }
        let province = required(&self.province_code, "province_code", "Provinsi", 16)?;
        let regency = required(&self.regency_code, "regency_code", "Kab/Kota", 16)?;
        let district = required(&self.district_code, "district_code", "Kecamatan", 16)?;
        let village = required(&self.village_code, "village_code", "Kelurahan/Desa", 16)?;
        let postal_code = contact::check_postal_code(&required(
            &self.postal_code,
            "postal_code",
            "Kode Pos",
            5,
        )?)?;
        let region =
            regions::check_address(&app.store, &province, &regency, &district, &village).await?;
        Ok(Address {
            street,
            region,
            postal_code,
        })
    }
}

/// What every self-registration passes after its form's checks: the limit per address
/// (30 an hour), the captcha and the emailed code. Returns the code's version, which
/// the registration's transaction consumes.
async fn admit(
    app: &App,
    ip: &str,
    captcha_token: Option<&str>,
    email: &str,
    code: &str,
    now: i64,
) -> ApiResult<i64> {
    ratelimit::hit(
        &app.store,
        &format!("register-ip#{ip}"),
        Limit {
            max: 30,
            window: 3600,
        },
        now,
    )
    .await?;
    app.captcha.require(captcha_token, ip).await?;
    verify_code(app, email, code).await
}

/// Creates a self-registered account and its first session in one transaction: the
/// account, its email guard (and NIK guard, for an applicant), the emailed code
/// consumed (on the version read). Returns the session's tokens.
async fn create_signed_in(
    app: &App,
    acc: &Account,
    ip: &str,
    code_version: i64,
    nik: Option<&str>,
) -> ApiResult<session::Tokens> {
    let (session_item, tokens) = session::open(app, acc, ip)?;
    let table = app.store.table();
    let mut tx = Tx::new();
    tx.put_new(table, acc.to_item()?);
    let nik_ix = nik.map(|nik| tx.guard(table, account::nik_guard(app, nik), &acc.pk));
    let email_ix = tx.guard(table, account::email_guard(&acc.email), &acc.pk);
    let code_ix = tx.delete_versioned(table, code_key(&acc.email), code_version);
    tx.put_new(table, session_item);
    match app.store.transact(tx).await {
        Ok(()) => Ok(tokens),
        Err(TxError::Condition(failed)) if nik_ix.is_some_and(|i| failed.contains(&i)) => {
            Err(account::nik_taken(nik.unwrap_or_default()))
        }
        Err(TxError::Condition(failed)) if failed.contains(&email_ix) => {
            Err(account::email_taken(&acc.email))
        }
        Err(TxError::Condition(failed)) if failed.contains(&code_ix) => Err(code_invalid()),
        Err(TxError::Other(e)) => Err(e),
        Err(_) => Err(ApiError::conflict(
            "registration_failed",
            "Proses Pendaftaran Gagal",
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BuyerRegistration {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    email_code: Option<String>,
    password: Option<String>,
    #[serde(flatten)]
    address: AddressInput,
    captcha_token: Option<String>,
}

/// `POST /auth/register/buyer`: a JATHIL MART customer registers themselves with the
/// code emailed to them (seed 003 §II a), like an applicant, and is signed in. Only in
/// a JATHIL MART deployment: e-Order's buyers are procurement officials an admin
/// creates (403 elsewhere). Customers buy under the deployment's customer organisation
/// (`LOKET_JATHIL_CUSTOMER_ORG`); they are not officers, so they are not listed under it.
pub async fn register_buyer(app: Arc<App>, req: Request) -> ApiResult<Response> {
    if !app.cfg.jathil() {
        return Err(ApiError::new(
            403,
            "buyer_registration_closed",
            "Pembeli e-Order didaftarkan oleh admin; pendaftaran mandiri hanya untuk pelanggan JATHIL MART",
        ));
    }
    let r: BuyerRegistration = body(&req)?;
    let now = app.clock.epoch();
    let ip = source_ip(&req);
    let name = person::check_full_name(&required(&r.name, "name", "Nama", 120)?)?;
    let phone = contact::normalize_phone(&required(&r.phone, "phone", "No. Handphone", 20)?)?;
    let email = contact::normalize_email(&required(&r.email, "email", "Email", 254)?)?;
    let code = required(&r.email_code, "email_code", "Kode dari Email", 16)?;
    let pw = crate::password::password_field(&r.password, "password", "Password")?;
    password::check_password(&pw)?;
    let address = r.address.check(&app).await?;
    let code_version = admit(&app, &ip, r.captcha_token.as_deref(), &email, &code, now).await?;

    let id = app.ids.id();
    let mut acc = Account::new(
        &id,
        &name,
        &email,
        vec![Role::Buyer],
        AccountStatus::Active,
        now,
    );
    acc.org = Some(app.cfg.orders.jathil_customer_org.clone());
    acc.address = Some(address);
    acc.phone = Some(phone);
    acc.password_hash = Some(crypto::hash_password(&pw).await?);
    let tokens = create_signed_in(&app, &acc, &ip, code_version, None).await?;
    tracing::info!(user_id = %id, "JATHIL MART customer registered");
    json(
        201,
        &serde_json::json!({ "message": "Pendaftaran pelanggan berhasil", "session": tokens }),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RegisterRequest {
    nik: Option<String>,
    npwp: Option<String>,
    password: Option<String>,
    name: Option<String>,
    gender: Option<person::Gender>,
    birth_date: Option<String>,
    education: Option<person::Education>,
    #[serde(flatten)]
    address: AddressInput,
    phone: Option<String>,
    email: Option<String>,
    email_code: Option<String>,
    captcha_token: Option<String>,
}

/// `POST /auth/register`: creates an applicant account and signs it in.
pub async fn register_applicant(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let r: RegisterRequest = body(&req)?;
    let now = app.clock.epoch();
    let ip = source_ip(&req);

    // The form's fields, in the order the form shows them.
    let nik_text = required(&r.nik, "nik", "NIK", 16)?;
    let nik_info = nik::parse_nik(&nik_text)?;
    let nik_text = nik_text.trim().to_string();
    let npwp = optional(&r.npwp, "npwp", "NPWP", 30)?
        .map(|v| npwp::normalize_npwp(&v))
        .transpose()?;
    let pw = crate::password::password_field(&r.password, "password", "Password")?;
    password::check_password(&pw)?;
    let name = person::check_full_name(&required(&r.name, "name", "Nama", 120)?)?;
    let gender = r.gender.ok_or_else(|| {
        ApiError::invalid("field_required", "Jenis Kelamin wajib dipilih", "gender")
    })?;
    let birth = person::check_birth_date(
        &required(&r.birth_date, "birth_date", "Tanggal Lahir", 10)?,
        app.clock.now().date(),
    )?;
    if !nik::matches_birth_date(&nik_info, birth, gender == person::Gender::Female) {
        return Err(ApiError::invalid(
            "nik_mismatch",
            "Tanggal lahir dan jenis kelamin harus sesuai dengan NIK",
            "birth_date",
        ));
    }
    let education = r.education.ok_or_else(|| {
        ApiError::invalid(
            "field_required",
            "Jenjang Pendidikan wajib dipilih",
            "education",
        )
    })?;
    let phone = contact::normalize_phone(&required(&r.phone, "phone", "No. Handphone", 20)?)?;
    let email = contact::normalize_email(&required(&r.email, "email", "Email", 254)?)?;
    let code = required(&r.email_code, "email_code", "Kode dari Email", 16)?;
    let address = r.address.check(&app).await?;
    let code_version = admit(&app, &ip, r.captcha_token.as_deref(), &email, &code, now).await?;

    let id = app.ids.id();
    let mut acc = Account::new(
        &id,
        &name,
        &email,
        vec![Role::Applicant],
        AccountStatus::Active,
        now,
    );
    acc.nik_sealed = Some(app.sealer.seal(&nik_text)?);
    acc.nik_masked = Some(nik::mask_nik(&nik_text));
    acc.npwp = npwp;
    acc.gender = Some(gender);
    acc.birth_date = Some(birth.to_string());
    acc.education = Some(education);
    acc.address = Some(address);
    acc.phone = Some(phone);
    acc.password_hash = Some(crypto::hash_password(&pw).await?);
    let tokens = create_signed_in(&app, &acc, &ip, code_version, Some(&nik_text)).await?;
    tracing::info!(user_id = %id, nik = %nik::mask_nik(&nik_text), "applicant registered");
    json(
        201,
        &serde_json::json!({ "message": "Pendaftaran akun berhasil", "session": tokens }),
    )
}
