//! Licensing reference data (seed 004 §2.2.1 "Persyaratan"): each agency's permit types
//! — what the applicant must upload (each requirement mandatory or not, in which
//! formats), the application kinds it accepts (Perizinan Baru, Perpanjangan, Revisi), its
//! service time in working days and its fee. Public to read; the platform administrator
//! maintains it.
//!
//! A permit type lives under its agency (`ORG#<agency>` / `PERMIT#<code>`) and in the
//! list of every permit type (GSI1 `PERMITTYPES`, by agency and code), which the public
//! "Persyaratan" page reads in one query.

use crate::organisations::{find, OrgKind};
use loket_shared::auth::Role;
use loket_shared::http::{authenticate, body, json, path_param, query_param, Request, Response};
use loket_shared::rules::Refusal;
use loket_shared::schema::{self, GSI1};
use loket_shared::store::{from_item, to_item, Query, Store, Tx, TxError};
use loket_shared::{cursor, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The kinds of application (seed 004 §3.2.1 "Jenis Permohonan").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    New,
    Renewal,
    Revision,
}

impl ApplicationKind {
    pub const ALL: [ApplicationKind; 3] = [
        ApplicationKind::New,
        ApplicationKind::Renewal,
        ApplicationKind::Revision,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ApplicationKind::New => "Perizinan Baru",
            ApplicationKind::Renewal => "Perpanjangan",
            ApplicationKind::Revision => "Revisi",
        }
    }
}

/// The file formats a requirement accepts.
pub const FORMATS: [&str; 3] = ["pdf", "jpg", "png"];

/// A document the applicant uploads for a permit type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// Stable within the permit type (`R1`, `R2`, … when not given).
    pub code: String,
    pub name: String,
    pub mandatory: bool,
    /// Of [`FORMATS`].
    pub formats: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitType {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub agency_code: String,
    pub agency_name: String,
    pub code: String,
    pub name: String,
    pub requirements: Vec<Requirement>,
    pub kinds: Vec<ApplicationKind>,
    /// Service time in working days.
    pub service_days: u32,
    /// The fee in rupiah (0: free of charge).
    pub fee: i64,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub updated_at: i64,
}

/// What the administrator sends (and the demo seed declares).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PermitTypeForm {
    pub name: Option<String>,
    pub requirements: Option<Vec<RequirementForm>>,
    pub kinds: Option<Vec<ApplicationKind>>,
    pub service_days: Option<i64>,
    pub fee: Option<i64>,
    /// The version read, when updating.
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequirementForm {
    pub code: Option<String>,
    pub name: Option<String>,
    pub mandatory: Option<bool>,
    pub formats: Option<Vec<String>>,
}

fn text(
    value: &Option<String>,
    field: &'static str,
    label: &str,
    max: usize,
) -> Result<String, Refusal> {
    let v = value.as_deref().map(str::trim).unwrap_or_default();
    if v.is_empty() {
        return Err(Refusal::invalid(
            "field_required",
            format!("{label} wajib diisi"),
            field,
        ));
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Refusal::invalid(
            "field_too_long",
            format!("{label} maksimal {max} karakter, tanpa karakter kontrol"),
            field,
        ));
    }
    Ok(v.to_string())
}

impl PermitTypeForm {
    /// The permit type `code` of agency (`agency_code`, `agency_name`) this form
    /// describes, checked: pure.
    pub fn check(
        &self,
        agency_code: &str,
        agency_name: &str,
        code: &str,
    ) -> Result<PermitType, Refusal> {
        let name = text(&self.name, "name", "Nama izin", 200)?;
        let forms = self.requirements.clone().unwrap_or_default();
        if forms.is_empty() || forms.len() > 30 {
            return Err(Refusal::invalid(
                "requirements_invalid",
                "Persyaratan berisi 1 sampai 30 dokumen",
                "requirements",
            ));
        }
        let mut requirements = Vec::with_capacity(forms.len());
        for (i, r) in forms.iter().enumerate() {
            let req_code = match &r.code {
                Some(c) => text(&Some(c.clone()), "requirements", "Kode persyaratan", 20)?,
                None => format!("R{}", i + 1),
            };
            let formats = r.formats.clone().unwrap_or_else(|| vec!["pdf".into()]);
            if formats.is_empty() || formats.iter().any(|f| !FORMATS.contains(&f.as_str())) {
                return Err(Refusal::invalid(
                    "requirements_invalid",
                    "Format dokumen persyaratan harus pdf, jpg atau png",
                    "requirements",
                ));
            }
            if requirements
                .iter()
                .any(|x: &Requirement| x.code == req_code)
            {
                return Err(Refusal::invalid(
                    "requirements_invalid",
                    format!("Kode persyaratan {req_code} dipakai dua kali"),
                    "requirements",
                ));
            }
            requirements.push(Requirement {
                code: req_code,
                name: text(&r.name, "requirements", "Nama persyaratan", 200)?,
                mandatory: r.mandatory.unwrap_or(true),
                formats,
            });
        }
        let kinds = self
            .kinds
            .clone()
            .unwrap_or_else(|| ApplicationKind::ALL.to_vec());
        if kinds.is_empty() {
            return Err(Refusal::invalid(
                "kinds_invalid",
                "Pilih setidaknya satu jenis permohonan",
                "kinds",
            ));
        }
        let service_days = self
            .service_days
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| {
                Refusal::invalid(
                    "service_days_invalid",
                    "Waktu pelayanan 1 sampai 365 hari kerja",
                    "service_days",
                )
            })?;
        let fee = self.fee.unwrap_or(0);
        if !(0..=1_000_000_000_000).contains(&fee) {
            return Err(Refusal::invalid(
                "fee_invalid",
                "Biaya tidak boleh negatif",
                "fee",
            ));
        }
        Ok(PermitType {
            pk: schema::organisation(agency_code),
            sk: schema::permit_type_sk(code),
            gsi1pk: schema::PERMIT_TYPES.into(),
            gsi1sk: format!("{agency_code}#{code}"),
            agency_code: agency_code.into(),
            agency_name: agency_name.into(),
            code: code.into(),
            name,
            requirements,
            kinds,
            service_days: service_days as u32,
            fee,
            version: 1,
            updated_at: 0,
        })
    }
}

impl PermitType {
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "agency_code": self.agency_code, "agency_name": self.agency_name,
            "code": self.code, "name": self.name,
            "requirements": self.requirements,
            "kinds": self.kinds.iter().map(|k| serde_json::json!({ "code": k, "label": k.label() })).collect::<Vec<_>>(),
            "service_days": self.service_days, "fee": self.fee, "version": self.version,
        })
    }
}

/// Permit type `code` of `agency`.
pub async fn load(app: &App, agency: &str, code: &str) -> ApiResult<Option<PermitType>> {
    if agency.is_empty() || agency.len() > 40 || code.is_empty() || code.len() > 40 {
        return Ok(None);
    }
    app.store
        .get_as(&schema::organisation(agency), &schema::permit_type_sk(code))
        .await
}

async fn agency_name(app: &App, code: &str) -> ApiResult<String> {
    match find(&app.store, code).await? {
        Some(o) if o.kind == OrgKind::Agency => Ok(o.name),
        _ => Err(ApiError::not_found(
            "agency_not_found",
            "Instansi tidak ditemukan",
        )),
    }
}

/// `GET /permit-types` (public, "Persyaratan"): every permit type with its requirements,
/// by agency; 100 a page.
pub async fn list_all_permit_types(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let q = Query::partition(schema::PERMIT_TYPES)
        .on_index(GSI1)
        .limit(100);
    let scope = cursor::Scope::of("list_all_permit_types", "", &req);
    let page = cursor::page(&app, &q, &scope, query_param(&req, "cursor").as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| from_item::<PermitType>(i).map(|p| p.view()))
        .collect::<ApiResult<Vec<_>>>()?;
    json(
        200,
        &serde_json::json!({ "items": items, "cursor": page.cursor }),
    )
}

/// The permit types of `agency` (one query of its partition).
pub async fn of_agency(store: &Store, agency: &str) -> ApiResult<Vec<PermitType>> {
    let q = Query::partition(schema::organisation(agency))
        .sk_begins_with("SK", schema::PERMIT_TYPE_PREFIX)
        .limit(100);
    store
        .query_all(&q)
        .await?
        .into_iter()
        .map(from_item::<PermitType>)
        .collect()
}

/// `GET /agencies/{code}/permit-types` (public): one agency's permit types.
pub async fn list_permit_types(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let code = path_param(&req, "code")?;
    agency_name(&app, &code).await?;
    let items: Vec<_> = of_agency(&app.store, &code)
        .await?
        .iter()
        .map(PermitType::view)
        .collect();
    json(
        200,
        &serde_json::json!({ "agency_code": code, "items": items }),
    )
}

/// `PUT /admin/agencies/{agency}/permit-types/{code}` (platform administrator): creates
/// or replaces a permit type (with `version`, only the version read).
pub async fn put_permit_type(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Admin])?;
    let agency = path_param(&req, "agency")?;
    let code = path_param(&req, "code")?;
    let valid_code = !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !valid_code {
        return Err(ApiError::invalid(
            "code_invalid",
            "Kode izin hanya huruf kapital, angka dan tanda minus (maksimal 40)",
            "code",
        ));
    }
    let form: PermitTypeForm = body(&req)?;
    let agency_name = agency_name(&app, &agency).await?;
    let mut p = form.check(&agency, &agency_name, &code)?;
    let existing = load(&app, &agency, &code).await?;
    if let (Some(v), Some(e)) = (form.version, &existing) {
        if v != e.version {
            return Err(ApiError::concurrent_update());
        }
    }
    p.updated_at = app.clock.epoch();
    let mut tx = Tx::new();
    let status = match &existing {
        Some(e) => {
            p.version = e.version + 1;
            tx.put_versioned(app.store.table(), to_item(&p)?, e.version);
            200
        }
        None => {
            tx.put_new(app.store.table(), to_item(&p)?);
            201
        }
    };
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(TxError::Condition(_)) => return Err(ApiError::concurrent_update()),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(agency = %agency, permit_type = %code, "permit type saved");
    json(status, &p.view())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permit_type_form_is_checked_and_completed() {
        let form: PermitTypeForm = serde_json::from_value(serde_json::json!({
            "name": "Izin Usaha Perikanan",
            "requirements": [
                { "name": "Fotokopi KTP", "formats": ["pdf", "jpg"] },
                { "name": "Foto kapal", "mandatory": false, "formats": ["jpg", "png"] }
            ],
            "service_days": 10, "fee": 150000
        }))
        .unwrap();
        let p = form
            .check("DKP-KALTIM", "Dinas Kelautan", "SIUP-IKAN")
            .unwrap();
        assert_eq!(p.requirements[0].code, "R1");
        assert!(p.requirements[0].mandatory);
        assert!(!p.requirements[1].mandatory);
        assert_eq!(p.kinds, ApplicationKind::ALL.to_vec());
        assert_eq!(p.gsi1sk, "DKP-KALTIM#SIUP-IKAN");
        let mut bad = form.clone();
        bad.requirements = Some(vec![RequirementForm {
            name: Some("Peta".into()),
            formats: Some(vec!["exe".into()]),
            ..Default::default()
        }]);
        assert_eq!(
            bad.check("A", "A", "B").unwrap_err().code,
            "requirements_invalid"
        );
        let mut bad = form.clone();
        bad.service_days = Some(0);
        assert_eq!(
            bad.check("A", "A", "B").unwrap_err().code,
            "service_days_invalid"
        );
        let mut bad = form;
        bad.fee = Some(-1);
        assert_eq!(bad.check("A", "A", "B").unwrap_err().code, "fee_invalid");
    }
}
