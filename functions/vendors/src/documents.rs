//! The vendor's documents: business licence scans, the P-IRT certificate, photos.
//!
//! `POST /vendor/documents` returns a presigned POST for one new object; the browser
//! uploads straight to S3. `POST /vendor/documents/{id}/confirm` checks the object
//! (size, type by magic bytes) and only then links it to the vendor; a file that fails
//! is deleted and nothing is linked. Downloads are 5-minute presigned GETs for the
//! vendor itself and the officers of its SKPD (and the e-Order administrators).

use crate::chain::{self, Stage};
use crate::profile::{self, vendor_pk};
use loket_shared::auth::{Caller, Role};
use loket_shared::files::{self, ALLOWED_TYPES, MAX_UPLOAD_BYTES};
use loket_shared::http::{authenticate, body, json, path_param, Request, Response};
use loket_shared::store::{from_item, Query};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const DOC_PREFIX: &str = "DOC#";
/// Documents: PDF, JPG or PNG, at most 50 MB (seed).
const DOCUMENT_UPLOAD: files::UploadKind = files::UploadKind {
    types: &ALLOWED_TYPES,
    max_bytes: MAX_UPLOAD_BYTES,
    type_invalid: (
        "document_type_invalid",
        "Jenis berkas tidak didukung. Gunakan PDF, JPG atau PNG",
    ),
    size_invalid: "Ukuran berkas harus antara 1 byte dan 50 MB",
};
const DOWNLOAD_SECONDS: u64 = 5 * 60;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Scan of the business licence (IUMK / SIUP / NIB).
    Licence,
    /// P-IRT certificate (food and drink).
    Pirt,
    /// Photo of the business or its products.
    Photo,
}

impl DocumentKind {
    /// What officers call it.
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Licence => "Izin Usaha",
            DocumentKind::Pirt => "Sertifikat P-IRT",
            DocumentKind::Photo => "Foto Usaha",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    AwaitingUpload,
    Uploaded,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub id: String,
    pub kind: DocumentKind,
    pub content_type: String,
    pub file_name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub size: Option<u64>,
    pub status: DocumentStatus,
    /// The S3 key; never sent to clients.
    pub key: String,
    pub created_at: i64,
    pub version: i64,
}

impl files::PendingUpload for Document {
    fn keys(&self) -> (&str, &str) {
        (&self.pk, &self.sk)
    }
    fn object_key(&self) -> &str {
        &self.key
    }
    fn content_type(&self) -> &str {
        &self.content_type
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn is_uploaded(&self) -> bool {
        self.status == DocumentStatus::Uploaded
    }
    fn uploaded(&self, size: u64) -> Self {
        Document {
            status: DocumentStatus::Uploaded,
            size: Some(size),
            version: self.version + 1,
            ..self.clone()
        }
    }
}

impl Document {
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id, "kind": self.kind, "content_type": self.content_type,
            "file_name": self.file_name, "size": self.size, "status": self.status,
            "created_at": self.created_at,
        })
    }
}

/// The vendor's documents that were uploaded and checked.
pub async fn list(app: &App, vendor_id: &str) -> ApiResult<Vec<Document>> {
    app.store
        .query_all(&Query::partition(vendor_pk(vendor_id)).sk_begins_with("SK", DOC_PREFIX))
        .await?
        .into_iter()
        .map(from_item::<Document>)
        .filter(|d| {
            d.as_ref()
                .map_or(true, |d| d.status == DocumentStatus::Uploaded)
        })
        .collect()
}

fn not_found() -> ApiError {
    ApiError::not_found("document_not_found", "Dokumen tidak ditemukan")
}

async fn load(app: &App, vendor_id: &str, id: &str) -> ApiResult<Document> {
    if id.is_empty() || id.len() > 40 {
        return Err(not_found());
    }
    app.store
        .get_as(&vendor_pk(vendor_id), &format!("{DOC_PREFIX}{id}"))
        .await?
        .ok_or_else(not_found)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewDocument {
    kind: Option<DocumentKind>,
    content_type: Option<String>,
    file_name: Option<String>,
}

/// The vendor may change its documents while its data is editable.
async fn editable_by(app: &App, caller: &Caller) -> ApiResult<()> {
    caller.require_any(&[Role::Vendor])?;
    if let Some(p) = profile::load(app, &caller.user_id).await? {
        if p.stage != Stage::DataEntry {
            return Err(chain::not_editable(p.stage));
        }
    }
    Ok(())
}

/// `POST /vendor/documents`: a presigned POST for one new document.
pub async fn create_vendor_document(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    editable_by(&app, &caller).await?;
    let r: NewDocument = body(&req)?;
    let kind = r.kind.ok_or_else(|| {
        ApiError::invalid(
            "field_required",
            "Jenis dokumen wajib dipilih (licence, pirt, photo)",
            "kind",
        )
    })?;
    let content_type = DOCUMENT_UPLOAD.content_type(&r.content_type)?;
    let file_name = loket_shared::http::optional(&r.file_name, "file_name", "Nama berkas", 120)?
        .unwrap_or_else(|| "dokumen".into());
    let id = app.ids.id();
    let key = format!("vendors/{}/documents/{id}", caller.user_id);
    let now = app.clock.epoch();
    let doc = Document {
        pk: vendor_pk(&caller.user_id),
        sk: format!("{DOC_PREFIX}{id}"),
        id: id.clone(),
        kind,
        content_type: content_type.clone(),
        file_name,
        size: None,
        status: DocumentStatus::AwaitingUpload,
        key: key.clone(),
        created_at: now,
        version: 1,
    };
    let upload = DOCUMENT_UPLOAD.expect(&app, &doc).await?;
    json(
        201,
        &serde_json::json!({ "document": doc.view(), "upload": upload }),
    )
}

/// `POST /vendor/documents/{id}/confirm`: checks the uploaded file and links it.
pub async fn confirm_vendor_document(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    editable_by(&app, &caller).await?;
    let doc = load(&app, &caller.user_id, &path_param(&req, "id")?).await?;
    if doc.status == DocumentStatus::Uploaded {
        return json(200, &doc.view());
    }
    let done = DOCUMENT_UPLOAD.confirm(&app, doc).await?;
    tracing::info!(document_id = %done.id, size = done.size, "vendor document uploaded");
    let mut v = done.view();
    v["message"] = "Dokumen berhasil diunggah".into();
    json(200, &v)
}

/// `GET /vendors/{vendor_id}/documents/{id}/download`: a short-lived link to the file,
/// for the vendor itself, the officers of its SKPD and the e-Order administrators.
pub async fn download_vendor_document(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let vendor_id = path_param(&req, "vendor_id")?;
    let allowed = if caller.user_id == vendor_id {
        true
    } else {
        // The vendor's SKPD Pembina is on its account (the profile may not exist yet).
        let vendor = loket_identity::directory::person(&app, &vendor_id)
            .await?
            .ok_or_else(not_found)?;
        profile::officer_may_read(&app, &caller, vendor.org.as_deref().unwrap_or_default())
    };
    if !allowed {
        return Err(ApiError::forbidden());
    }
    let doc = load(&app, &vendor_id, &path_param(&req, "id")?).await?;
    if doc.status != DocumentStatus::Uploaded {
        return Err(not_found());
    }
    let url = files::presigned_get(&app, &doc.key, DOWNLOAD_SECONDS).await?;
    json(
        200,
        &serde_json::json!({ "url": url, "expires_in": DOWNLOAD_SECONDS, "document": doc.view() }),
    )
}
