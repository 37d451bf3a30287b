//! The signed-in person's own profile (seed 004 §3 "Edit Profile"): NIK and name are
//! fixed; everything else can be edited; "Data berhasil disimpan". Changing the email
//! needs a code sent to the new address (the same "Generate Code" as registration).

use crate::account::{self, ProfileView};
use crate::registration::{code_key, verify_code, AddressInput};
use crate::session;
use loket_shared::http::{authenticate, body, json, optional, Request, Response};
use loket_shared::rules::{contact, nik, npwp, person};
use loket_shared::store::{key, Tx, TxError, GUARD_SK};
use loket_shared::{ApiError, ApiResult, App};
use serde::Deserialize;
use std::sync::Arc;

/// `GET /me`.
pub async fn get_profile(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let acc = session::live_account(&app, &caller).await?;
    json(200, &ProfileView::of(&app, &acc)?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProfileUpdate {
    /// The version the client edited; a stale one gets 409.
    version: Option<i64>,
    nik: Option<String>,
    name: Option<String>,
    npwp: Option<String>,
    gender: Option<person::Gender>,
    birth_date: Option<String>,
    education: Option<person::Education>,
    occupation: Option<String>,
    position: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    email_code: Option<String>,
    #[serde(flatten)]
    address: AddressInput,
}

fn readonly(field: &'static str) -> ApiError {
    ApiError::invalid("field_readonly", "NIK dan Nama tidak dapat diubah", field)
}

/// `PATCH /me`: edits the fields present in the body.
pub async fn update_profile(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let acc = session::live_account(&app, &caller).await?;
    let r: ProfileUpdate = body(&req)?;
    if r.version.is_some_and(|v| v != acc.version) {
        return Err(ApiError::concurrent_update());
    }
    let current_nik = acc
        .nik_sealed
        .as_deref()
        .map(|s| app.sealer.open(s))
        .transpose()?;
    if let Some(v) = r.nik.as_deref().map(str::trim) {
        if Some(v) != current_nik.as_deref() {
            return Err(readonly("nik"));
        }
    }
    if let Some(v) = r.name.as_deref().map(str::trim) {
        if v != acc.name {
            return Err(readonly("name"));
        }
    }
    let now = app.clock.epoch();
    let mut next = acc.clone();
    if let Some(v) = optional(&r.npwp, "npwp", "NPWP", 30)? {
        next.npwp = Some(npwp::normalize_npwp(&v)?);
    }
    if let Some(g) = r.gender {
        next.gender = Some(g);
    }
    if let Some(v) = optional(&r.birth_date, "birth_date", "Tanggal Lahir", 10)? {
        next.birth_date = Some(person::check_birth_date(&v, app.clock.now().date())?.to_string());
    }
    if let (Some(n), Some(g), Some(b)) = (&current_nik, next.gender, &next.birth_date) {
        let info = nik::parse_nik(n)?;
        let date = person::check_birth_date(b, app.clock.now().date())?;
        if !nik::matches_birth_date(&info, date, g == person::Gender::Female) {
            return Err(ApiError::invalid(
                "nik_mismatch",
                "Tanggal lahir dan jenis kelamin harus sesuai dengan NIK",
                "birth_date",
            ));
        }
    }
    if let Some(e) = r.education {
        next.education = Some(e);
    }
    if let Some(v) = optional(&r.occupation, "occupation", "Pekerjaan", 100)? {
        next.occupation = Some(v);
    }
    if let Some(v) = optional(&r.position, "position", "Jabatan", 100)? {
        next.position = Some(v);
    }
    if let Some(v) = optional(&r.phone, "phone", "No Telp", 30)? {
        next.phone = Some(contact::normalize_phone(&v)?);
    }
    let a = &r.address;
    let touches_address = [
        &a.address,
        &a.province_code,
        &a.regency_code,
        &a.district_code,
        &a.village_code,
        &a.postal_code,
    ]
    .iter()
    .any(|f| f.is_some());
    if touches_address {
        next.address = Some(a.check(&app).await?);
    }

    let table = app.store.table().to_string();
    let mut tx = Tx::new();
    let mut email_ix = None;
    if let Some(v) = optional(&r.email, "email", "Email", 254)? {
        let email = contact::normalize_email(&v)?;
        if email != acc.email {
            let code =
                loket_shared::http::required(&r.email_code, "email_code", "Kode dari Email", 16)?;
            let code_version = verify_code(&app, &email, code.trim()).await?;
            tx.delete(&table, key(account::email_guard(&acc.email), GUARD_SK));
            email_ix = Some(tx.guard(&table, account::email_guard(&email), &acc.pk));
            tx.delete_versioned(&table, code_key(&email), code_version);
            next.email = email;
        }
    }
    if next == acc {
        // Nothing changed: no write, no new version.
        return json(
            200,
            &serde_json::json!({ "message": "Data berhasil disimpan", "profile": ProfileView::of(&app, &acc)? }),
        );
    }
    next.updated_at = now;
    next.version = acc.version + 1;
    tx.put_versioned(&table, next.to_item()?, acc.version);
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(TxError::Condition(f)) if email_ix.is_some_and(|i| f.contains(&i)) => {
            return Err(account::email_taken(&next.email))
        }
        Err(TxError::Condition(_)) => return Err(ApiError::concurrent_update()),
        Err(e) => return Err(e.into()),
    }
    json(
        200,
        &serde_json::json!({ "message": "Data berhasil disimpan", "profile": ProfileView::of(&app, &next)? }),
    )
}
