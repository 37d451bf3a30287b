//! The vendor's profile, "Dataku > Profil" (seed 000 §1.2): saved as often as needed
//! while the registration is in "Pengisian Data", then confirmed (see `onboarding`).

use crate::chain::{self, Chain, Rejection, Stage};
use loket_identity::directory;
use loket_reference::regions::{self, RegionPath};
use loket_shared::approval;
use loket_shared::auth::{Caller, Role};
use loket_shared::http::{authenticate, body, json, Request, Response};
use loket_shared::rules::contact;
use loket_shared::store::{to_item, Tx};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub const PROFILE_SK: &str = "PROFILE";

pub fn vendor_pk(vendor_id: &str) -> String {
    loket_shared::schema::vendor(vendor_id)
}

/// Business licence kinds (Izin Usaha).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum LicenceType {
    #[serde(rename = "IUMK")]
    Iumk,
    #[serde(rename = "SIUP")]
    Siup,
    #[serde(rename = "NIB")]
    Nib,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum TaxStatus {
    #[serde(rename = "PKP")]
    Pkp,
    #[serde(rename = "Non-PKP")]
    NonPkp,
}

/// PKT or Non-PKT: officers list the two groups separately.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Pkt {
    #[serde(rename = "PKT")]
    Pkt,
    #[serde(rename = "Non-PKT")]
    NonPkt,
}

impl Pkt {
    pub fn as_str(&self) -> &'static str {
        match self {
            Pkt::Pkt => "PKT",
            Pkt::NonPkt => "Non-PKT",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BusinessAddress {
    pub street: String,
    #[serde(flatten)]
    pub region: RegionPath,
    pub postal_code: String,
}

impl BusinessAddress {
    /// The address on one line, as officers and buyers read it.
    pub fn one_line(&self) -> String {
        format!(
            "{}, Kel. {}, Kec. {}, {}, {} {}",
            self.street,
            self.region.village_name,
            self.region.district_name,
            self.region.regency_name,
            self.region.province_name,
            self.postal_code
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VendorProfile {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub vendor_id: String,
    /// The SKPD Pembina chosen at self-registration.
    pub skpd: String,
    pub stage: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_type: Option<LicenceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_status: Option<TaxStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkt: Option<Pkt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<BusinessAddress>,
    /// P-IRT certificate number (JATHIL MART: food and drink businesses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pirt_number: Option<String>,
    /// JATHIL MART: the vendor declares it neither repacks nor resells others' products.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declares_no_resale: Option<bool>,
    /// The PJLP the satpel assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pjlp_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    /// How many times the profile was confirmed (names the executions).
    #[serde(default)]
    pub submissions: u32,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl VendorProfile {
    pub fn new(vendor_id: &str, skpd: &str, email: &str, now: i64) -> Self {
        Self {
            pk: vendor_pk(vendor_id),
            sk: PROFILE_SK.into(),
            vendor_id: vendor_id.into(),
            skpd: skpd.into(),
            stage: Stage::DataEntry,
            phone: None,
            email: email.into(),
            business_name: None,
            business_category: None,
            licence_type: None,
            licence_number: None,
            tax_status: None,
            bank_name: None,
            bank_account: None,
            owner_name: None,
            pkt: None,
            address: None,
            pirt_number: None,
            declares_no_resale: None,
            pjlp_id: None,
            rejection: None,
            submissions: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// Whether the business category is food or drink (P-IRT needed in JATHIL MART).
    pub fn sells_food_or_drink(&self) -> bool {
        self.business_category.as_deref().is_some_and(|c| {
            let c = c.to_lowercase();
            c.contains("makanan") || c.contains("minuman") || c.contains("pangan")
        })
    }

    /// The fields still missing for "Confirm" in `chain`, as (field, label), in the
    /// form's order.
    pub fn missing(&self, chain: Chain) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        let mut need = |present: bool, field: &'static str, label: &'static str| {
            if !present {
                out.push((field, label));
            }
        };
        need(self.phone.is_some(), "phone", "No. Handphone");
        need(self.business_name.is_some(), "business_name", "Nama Usaha");
        need(
            self.business_category.is_some(),
            "business_category",
            "Kategori Usaha",
        );
        need(self.licence_type.is_some(), "licence_type", "Izin Usaha");
        need(
            self.licence_number.is_some(),
            "licence_number",
            "Nomor Izin Usaha",
        );
        need(self.tax_status.is_some(), "tax_status", "PKP/Non PKP");
        need(self.bank_name.is_some(), "bank_name", "Nama Bank");
        need(
            self.bank_account.is_some(),
            "bank_account",
            "Nomor Rekening",
        );
        need(self.owner_name.is_some(), "owner_name", "Nama Pemilik");
        need(self.pkt.is_some(), "pkt", "PKT/Non PKT");
        need(self.address.is_some(), "address", "Alamat Usaha");
        if chain == Chain::Jathil {
            need(
                !self.sells_food_or_drink() || self.pirt_number.is_some(),
                "pirt_number",
                "Sertifikat P-IRT (usaha makanan dan minuman)",
            );
            need(
                self.declares_no_resale == Some(true),
                "declares_no_resale",
                "Pernyataan bukan usaha pengemasan ulang (repacking) atau penjualan ulang (reseller)",
            );
        }
        out
    }
}

/// The profile as the vendor (and officers) see it, with the timeline.
#[derive(Debug, Serialize)]
pub struct ProfileView {
    #[serde(flatten)]
    pub profile: VendorProfile,
    pub status: &'static str,
    pub missing: Vec<&'static str>,
    pub documents: Vec<serde_json::Value>,
    pub timeline: Vec<serde_json::Value>,
}

pub async fn load(app: &App, vendor_id: &str) -> ApiResult<Option<VendorProfile>> {
    app.store.get_as(&vendor_pk(vendor_id), PROFILE_SK).await
}

/// The caller's own profile, or a fresh one when nothing was saved yet.
async fn own_profile(app: &App, caller: &Caller) -> ApiResult<VendorProfile> {
    caller.require_any(&[Role::Vendor])?;
    if let Some(p) = load(app, &caller.user_id).await? {
        return Ok(p);
    }
    let skpd = caller.org.clone().ok_or_else(ApiError::forbidden)?;
    let me = directory::person(app, &caller.user_id)
        .await?
        .ok_or_else(ApiError::not_signed_in)?;
    Ok(VendorProfile::new(
        &caller.user_id,
        &skpd,
        &me.email,
        app.clock.epoch(),
    ))
}

/// The profile as the API shows it (without the storage keys).
pub async fn view(app: &App, profile: VendorProfile) -> ApiResult<serde_json::Value> {
    let timeline = approval::timeline::<VendorProfile>(app, &profile.pk).await?;
    let documents = crate::documents::list(app, &profile.vendor_id)
        .await?
        .iter()
        .map(|d| d.view())
        .collect();
    let view = ProfileView {
        documents,
        status: profile.stage.label(),
        missing: profile
            .missing(chain::chain(app)?)
            .into_iter()
            .map(|(f, _)| f)
            .collect(),
        profile,
        timeline,
    };
    let mut v = serde_json::to_value(view).map_err(ApiError::internal)?;
    if let Some(o) = v.as_object_mut() {
        o.remove("PK");
        o.remove("SK");
    }
    Ok(v)
}

/// `GET /vendor/profile`: the vendor's profile, status and timeline.
pub async fn get_vendor_profile(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let profile = own_profile(&app, &caller).await?;
    json(200, &view(&app, profile).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub version: Option<i64>,
    pub phone: Option<String>,
    pub business_name: Option<String>,
    pub business_category: Option<String>,
    pub licence_type: Option<LicenceType>,
    pub licence_number: Option<String>,
    pub tax_status: Option<TaxStatus>,
    pub bank_name: Option<String>,
    pub bank_account: Option<String>,
    pub owner_name: Option<String>,
    pub pkt: Option<Pkt>,
    pub pirt_number: Option<String>,
    pub declares_no_resale: Option<bool>,
    pub address: Option<String>,
    pub province_code: Option<String>,
    pub regency_code: Option<String>,
    pub district_code: Option<String>,
    pub village_code: Option<String>,
    pub postal_code: Option<String>,
}

/// A trimmed text of at most `max` characters; empty means "not filled".
/// An optional text field (`http::optional`) with its inner whitespace collapsed.
fn text(
    value: &Option<String>,
    field: &'static str,
    label: &str,
    max: usize,
) -> ApiResult<Option<String>> {
    Ok(loket_shared::http::optional(value, field, label, max)?
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" ")))
}

fn digits(
    value: &Option<String>,
    field: &'static str,
    label: &str,
    len: std::ops::RangeInclusive<usize>,
) -> ApiResult<Option<String>> {
    let Some(v) = text(value, field, label, 64)? else {
        return Ok(None);
    };
    let d: String = v
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    if !d.chars().all(|c| c.is_ascii_digit()) || !len.contains(&d.len()) {
        return Err(ApiError::invalid(
            "field_invalid",
            format!(
                "{label} harus berupa angka {} sampai {} digit",
                len.start(),
                len.end()
            ),
            field,
        ));
    }
    Ok(Some(d))
}

impl ProfileInput {
    /// Applies the form to `p`: every field is replaced by what was sent (an empty
    /// field clears it). The address is checked against the regions when complete.
    pub async fn apply(&self, app: &App, p: &mut VendorProfile) -> ApiResult<()> {
        p.phone = match text(&self.phone, "phone", "No. Handphone", 20)? {
            Some(v) => Some(contact::normalize_phone(&v)?),
            None => None,
        };
        p.business_name = text(&self.business_name, "business_name", "Nama Usaha", 120)?;
        p.business_category = text(
            &self.business_category,
            "business_category",
            "Kategori Usaha",
            60,
        )?;
        p.licence_type = self.licence_type;
        p.licence_number = text(
            &self.licence_number,
            "licence_number",
            "Nomor Izin Usaha",
            40,
        )?;
        if p.licence_type == Some(LicenceType::Nib) {
            p.licence_number = digits(&self.licence_number, "licence_number", "NIB", 13..=13)?;
        }
        p.tax_status = self.tax_status;
        p.bank_name = text(&self.bank_name, "bank_name", "Nama Bank", 60)?;
        p.bank_account = digits(&self.bank_account, "bank_account", "Nomor Rekening", 6..=20)?;
        p.owner_name = text(&self.owner_name, "owner_name", "Nama Pemilik", 100)?;
        p.pkt = self.pkt;
        p.pirt_number = digits(&self.pirt_number, "pirt_number", "Nomor P-IRT", 12..=17)?;
        p.declares_no_resale = self.declares_no_resale;
        let street = text(&self.address, "address", "Alamat Usaha", 250)?;
        p.address = match (
            street,
            &self.province_code,
            &self.regency_code,
            &self.district_code,
            &self.village_code,
            &self.postal_code,
        ) {
            (None, None, None, None, None, None) => None,
            (Some(street), Some(pr), Some(re), Some(di), Some(vi), Some(pc)) => {
                let postal_code = contact::check_postal_code(pc)?;
                let region = regions::check_address(&app.store, pr, re, di, vi).await?;
                Some(BusinessAddress {
                    street,
                    region,
                    postal_code,
                })
            }
            _ => {
                return Err(ApiError::invalid(
                    "address_incomplete",
                    "Lengkapi alamat usaha: alamat, provinsi, kab/kota, kecamatan, kelurahan dan kode pos",
                    "address",
                ))
            }
        };
        Ok(())
    }
}

/// `PUT /vendor/profile` ("Simpan"): saves the form; allowed while the registration is
/// in "Pengisian Data".
pub async fn save_vendor_profile(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let input: ProfileInput = body(&req)?;
    let mut p = own_profile(&app, &caller).await?;
    if input.version.is_some_and(|v| v != p.version) {
        return Err(ApiError::concurrent_update());
    }
    if p.stage != Stage::DataEntry {
        return Err(chain::not_editable(p.stage));
    }
    let expected = p.version;
    input.apply(&app, &mut p).await?;
    p.updated_at = app.clock.epoch();
    p.version += 1;
    let mut tx = Tx::new();
    if expected == 0 {
        tx.put_new(app.store.table(), to_item(&p)?);
    } else {
        tx.put_versioned(app.store.table(), to_item(&p)?, expected);
    }
    // A version that moved (or a first save racing another) is a 409.
    app.store.transact(tx).await?;
    let mut v = view(&app, p).await?;
    v["message"] = "Data berhasil disimpan".into();
    json(200, &v)
}

/// Whether `caller` may read the data and documents of a vendor supervised by `skpd`:
/// the officers of that SKPD (satpel, PJLP, field and main administrators) and the
/// e-Order administrators.
pub fn officer_may_read(app: &App, caller: &Caller, skpd: &str) -> bool {
    [Role::Satpel, Role::Pjlp, Role::FieldAdmin, Role::MainAdmin]
        .iter()
        .any(|r| caller.require_role_in(*r, skpd).is_ok())
        || caller
            .require_role_in(Role::EorderAdmin, &app.cfg.onboarding.eorder_admin_org)
            .is_ok()
}

async fn vendor_for_officer(
    app: &App,
    caller: &Caller,
    vendor_id: &str,
) -> ApiResult<VendorProfile> {
    let p = load(app, vendor_id)
        .await?
        .ok_or_else(|| ApiError::not_found("vendor_not_found", "Data UMKM tidak ditemukan"))?;
    if !officer_may_read(app, caller, &p.skpd) {
        return Err(ApiError::forbidden());
    }
    Ok(p)
}

/// `GET /vendors/{vendor_id}/profile`: a vendor's data for the officers who check it.
pub async fn get_vendor_profile_for_officer(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let vendor_id = loket_shared::http::path_param(&req, "vendor_id")?;
    let p = vendor_for_officer(&app, &caller, &vendor_id).await?;
    json(200, &view(&app, p).await?)
}

/// `PUT /vendors/{vendor_id}/profile`: the assigned PJLP corrects the vendor's data
/// during "Pengecekan PJLP" (seed 000 §2.2 "Edit"), before confirming: the engine's
/// correction (`approval::correct`), as the task page's edit form. The correction is
/// on the vendor's timeline.
pub async fn correct_vendor_profile(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let vendor_id = loket_shared::http::path_param(&req, "vendor_id")?;
    let p = vendor_for_officer(&app, &caller, &vendor_id).await?;
    let input: serde_json::Value = body(&req)?;
    let p = approval::correct(&app, &caller, p, &input).await?;
    let mut v = view(&app, p).await?;
    v["message"] = "Data berhasil disimpan".into();
    json(200, &v)
}
