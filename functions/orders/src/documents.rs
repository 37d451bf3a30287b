//! The order's documents (seed 001 §6.3): the vendor uploads its invoice and kwitansi
//! (PDF) to the order through the checked upload (`files::UploadKind`: presigned POST,
//! then size and magic bytes checked before the file is linked); the buyer and the
//! vendor download them (5-minute presigned GETs); nobody else can. The invoice Loket
//! generates on shipment (`invoice.rs`) is one more document of the order.

use crate::cart::order_for;
use crate::order::{Order, OrderStatus};
use loket_shared::auth::Caller;
use loket_shared::files::{self, UploadKind};
use loket_shared::http::{authenticate, body, json, optional, path_param, Request, Response};
use loket_shared::schema;
use loket_shared::store::{from_item, Query};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Invoices and kwitansi: PDF, at most 10 MB.
const ORDER_DOCUMENT: UploadKind = UploadKind {
    types: &["application/pdf"],
    max_bytes: 10 * 1024 * 1024,
    type_invalid: (
        "document_type_invalid",
        "Invoice dan kwitansi diunggah dalam format PDF",
    ),
    size_invalid: "Ukuran berkas harus antara 1 byte dan 10 MB",
};
const DOWNLOAD_SECONDS: u64 = 5 * 60;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OrderDocumentKind {
    Invoice,
    Kwitansi,
    /// The invoice Loket generates when the order is shipped (`invoice.rs`).
    GeneratedInvoice,
}

impl OrderDocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            OrderDocumentKind::Invoice => "Invoice",
            OrderDocumentKind::Kwitansi => "Kwitansi",
            OrderDocumentKind::GeneratedInvoice => "Invoice Loket",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OrderDocumentStatus {
    AwaitingUpload,
    /// A generated document on its way (written once by `generate_invoices`).
    Generating,
    Uploaded,
}

/// A document of an order (`ORDER#<id>` / `DOC#<doc id>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderDocument {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub id: String,
    pub kind: OrderDocumentKind,
    /// A generated invoice's number (`INV/<year>/<order number>/<version>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub file_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    pub status: OrderDocumentStatus,
    /// The S3 key; never sent to clients.
    pub key: String,
    pub created_at: i64,
    pub version: i64,
}

impl files::PendingUpload for OrderDocument {
    fn keys(&self) -> (&str, &str) {
        (&self.pk, &self.sk)
    }
    fn object_key(&self) -> &str {
        &self.key
    }
    /// Invoices and kwitansi are PDFs (uploaded or generated).
    fn content_type(&self) -> &str {
        "application/pdf"
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn is_uploaded(&self) -> bool {
        self.status == OrderDocumentStatus::Uploaded
    }
    fn uploaded(&self, size: u64) -> Self {
        OrderDocument {
            status: OrderDocumentStatus::Uploaded,
            size: Some(size),
            version: self.version + 1,
            ..self.clone()
        }
    }
}

impl OrderDocument {
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id, "kind": self.kind, "label": self.kind.label(), "number": self.number,
            "file_name": self.file_name, "size": self.size, "status": self.status,
            "created_at": self.created_at,
        })
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("document_not_found", "Dokumen tidak ditemukan")
}

/// The order's uploaded documents.
pub async fn list(app: &App, order_id: &str) -> ApiResult<Vec<OrderDocument>> {
    app.store
        .query_all(
            &Query::partition(schema::order(order_id))
                .sk_begins_with("SK", schema::ORDER_DOC_PREFIX),
        )
        .await?
        .into_iter()
        .map(from_item::<OrderDocument>)
        .filter(|d| {
            d.as_ref()
                .map_or(true, |d| d.status == OrderDocumentStatus::Uploaded)
        })
        .collect()
}

pub async fn load(app: &App, order_id: &str, id: &str) -> ApiResult<OrderDocument> {
    if id.is_empty() || id.len() > 40 {
        return Err(not_found());
    }
    app.store
        .get_as(&schema::order(order_id), &schema::order_doc_sk(id))
        .await?
        .ok_or_else(not_found)
}

/// The order, if `caller` is its vendor and the order is past the vendor's
/// confirmation (an invoice is for an order being fulfilled), and not cancelled.
async fn vendors_order(app: &App, caller: &Caller, id: &str) -> ApiResult<Order> {
    let o = order_for(app, caller, id).await?;
    if o.vendor_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    if !matches!(
        o.status,
        OrderStatus::Processing
            | OrderStatus::Shipped
            | OrderStatus::Received
            | OrderStatus::Completed
    ) {
        return Err(crate::lifecycle::not_in(
            o.status,
            "Diproses, Dikirim, Diterima atau Selesai",
        ));
    }
    Ok(o)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewDocument {
    kind: Option<String>,
    content_type: Option<String>,
    file_name: Option<String>,
}

/// `POST /orders/{id}/documents`: the vendor's presigned POST for an invoice or a
/// kwitansi (PDF).
pub async fn create_order_document(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let o = vendors_order(&app, &caller, &path_param(&req, "id")?).await?;
    let r: NewDocument = body(&req)?;
    let kind = match r.kind.as_deref().map(str::trim) {
        Some("invoice") => OrderDocumentKind::Invoice,
        Some("kwitansi") => OrderDocumentKind::Kwitansi,
        _ => {
            return Err(ApiError::invalid(
                "field_invalid",
                "Jenis dokumen harus invoice atau kwitansi",
                "kind",
            ))
        }
    };
    // Only a declared PDF is taken (its bytes are checked at confirmation).
    ORDER_DOCUMENT.content_type(&r.content_type)?;
    let file_name = optional(&r.file_name, "file_name", "Nama berkas", 120)?
        .unwrap_or_else(|| format!("{}-{}.pdf", kind.label().to_lowercase(), o.number()));
    let id = app.ids.id();
    let key = format!("orders/{}/documents/{id}", o.id);
    let doc = OrderDocument {
        pk: schema::order(&o.id),
        sk: schema::order_doc_sk(&id),
        id,
        kind,
        number: None,
        file_name,
        size: None,
        status: OrderDocumentStatus::AwaitingUpload,
        key: key.clone(),
        created_at: app.clock.epoch(),
        version: 1,
    };
    let upload = ORDER_DOCUMENT.expect(&app, &doc).await?;
    json(
        201,
        &serde_json::json!({ "document": doc.view(), "upload": upload }),
    )
}

/// `POST /orders/{id}/documents/{doc_id}/confirm`: checks the uploaded file and links it.
pub async fn confirm_order_document(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let o = vendors_order(&app, &caller, &path_param(&req, "id")?).await?;
    let doc = load(&app, &o.id, &path_param(&req, "doc_id")?).await?;
    if doc.status == OrderDocumentStatus::Uploaded {
        return json(200, &doc.view());
    }
    let done = ORDER_DOCUMENT.confirm(&app, doc).await?;
    tracing::info!(order_id = %o.id, document_id = %done.id, size = done.size, "order document uploaded");
    let mut v = done.view();
    v["message"] = "Dokumen berhasil diunggah".into();
    json(200, &v)
}

/// `GET /orders/{id}/documents/{doc_id}/download`: a short-lived link to the file, for
/// the order's buyer and vendor only.
pub async fn download_order_document(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let o = order_for(&app, &caller, &path_param(&req, "id")?).await?;
    let doc = load(&app, &o.id, &path_param(&req, "doc_id")?).await?;
    if doc.status != OrderDocumentStatus::Uploaded {
        return Err(not_found());
    }
    let url = files::presigned_get(&app, &doc.key, DOWNLOAD_SECONDS).await?;
    json(
        200,
        &serde_json::json!({ "url": url, "expires_in": DOWNLOAD_SECONDS, "document": doc.view() }),
    )
}
