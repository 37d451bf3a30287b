//! Organisations officers belong to — SKPD (supervising units of UMKM, e-Order) and
//! agencies (Dinas/Badan issuing permits) — and each agency's permit types.
//!
//! Storage: `ORG#<code>` / `ORG` with `GSI1PK = ORGS#<kind>`, `GSI1SK = <code>` for the
//! lists; permit types under their agency: `ORG#<code>` / `PERMIT#<code>`.

use loket_shared::http::{json, query_param, Request, Response};
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
