//! Organisations officers belong to — SKPD (supervising units of UMKM, e-Order) and
//! agencies (Dinas/Badan issuing permits) — and each agency's permit types.
//!
//! Storage: `ORG#<code>` / `ORG` with `GSI1PK = ORGS#<kind>`, `GSI1SK = <code>` for the
//! lists; permit types under their agency: `ORG#<code>` / `PERMIT#<code>`.

use loket_shared::http::{json, path_param, query_param, Request, Response};
use loket_shared::schema;
use loket_shared::store::{from_item, Query, Store};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// Satuan Kerja Perangkat Daerah: supervises UMKM vendors (SKPD Pembina).
    Skpd,
    /// A licensing agency (Dinas/Badan).
    Agency,
    /// The platform operator (admins).
    Platform,
}

impl OrgKind {
    fn as_str(&self) -> &'static str {
        match self {
            OrgKind::Skpd => "skpd",
            OrgKind::Agency => "agency",
            OrgKind::Platform => "platform",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Organisation {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
}

impl Organisation {
    pub fn new(code: &str, name: &str, kind: OrgKind) -> Self {
        Self {
            pk: schema::organisation(code),
            sk: "ORG".into(),
            gsi1pk: schema::organisations_of_kind(kind.as_str()),
            gsi1sk: code.into(),
            code: code.into(),
            name: name.into(),
            kind,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PermitType {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub agency_code: String,
    pub code: String,
    pub name: String,
    /// Documents the applicant must upload ("Persyaratan").
    pub requirements: Vec<String>,
    /// Baru / Perpanjangan / Perubahan.
    pub application_types: Vec<String>,
    /// Service time in working days.
    pub service_days: u32,
}

impl PermitType {
    pub fn new(
        agency: &str,
        code: &str,
        name: &str,
        requirements: &[&str],
        service_days: u32,
    ) -> Self {
        Self {
            pk: schema::organisation(agency),
            sk: format!("PERMIT#{code}"),
            agency_code: agency.into(),
            code: code.into(),
            name: name.into(),
            requirements: requirements.iter().map(|s| s.to_string()).collect(),
            application_types: vec!["Baru".into(), "Perpanjangan".into(), "Perubahan".into()],
            service_days,
        }
    }
}

/// Looks an organisation up by code.
pub async fn find(store: &Store, code: &str) -> ApiResult<Option<Organisation>> {
    if code.is_empty() || code.len() > 40 {
        return Ok(None);
    }
    store.get_as(&schema::organisation(code), "ORG").await
}

#[derive(Serialize)]
struct OrgView<'a> {
    code: &'a str,
    name: &'a str,
    kind: OrgKind,
}

/// `GET /organisations?kind=skpd|agency&cursor=…`
pub async fn list_organisations(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let kind = match query_param(&req, "kind").as_deref() {
        Some("skpd") | None => OrgKind::Skpd,
        Some("agency") => OrgKind::Agency,
        Some(_) => {
            return Err(ApiError::invalid(
                "kind_invalid",
                "Jenis organisasi harus skpd atau agency",
                "kind",
            ))
        }
    };
    let q = Query::partition(schema::organisations_of_kind(kind.as_str()))
        .on_index(loket_shared::schema::GSI1)
        .limit(100);
    let scope = loket_shared::cursor::Scope::new("list_organisations", "", kind.as_str());
    let page = loket_shared::cursor::page(&app, &q, &scope, query_param(&req, "cursor").as_deref())
        .await?;
    let orgs: Vec<Organisation> = page
        .items
        .into_iter()
        .map(from_item)
        .collect::<ApiResult<_>>()?;
    let items: Vec<OrgView> = orgs
        .iter()
        .map(|o| OrgView {
            code: &o.code,
            name: &o.name,
            kind: o.kind,
        })
        .collect();
    json(
        200,
        &serde_json::json!({ "items": items, "cursor": page.cursor }),
    )
}

/// `GET /agencies/{code}/permit-types`: the public "Persyaratan" list of an agency.
pub async fn list_permit_types(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let code = path_param(&req, "code")?;
    match find(&app.store, &code).await? {
        Some(o) if o.kind == OrgKind::Agency => {}
        _ => {
            return Err(ApiError::not_found(
                "agency_not_found",
                "Instansi tidak ditemukan",
            ))
        }
    }
    let q = Query::partition(schema::organisation(&code))
        .sk_begins_with("SK", "PERMIT#")
        .limit(100);
    let items: Vec<PermitType> = app
        .store
        .query_all(&q)
        .await?
        .into_iter()
        .map(from_item)
        .collect::<ApiResult<_>>()?;
    let view: Vec<serde_json::Value> = items
        .iter()
        .map(|p| {
            serde_json::json!({
                "code": p.code, "name": p.name, "requirements": p.requirements,
                "application_types": p.application_types, "service_days": p.service_days,
            })
        })
        .collect();
    json(
        200,
        &serde_json::json!({ "agency_code": code, "items": view }),
    )
}
