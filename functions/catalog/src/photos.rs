//! Product photos, through the same upload mechanism as the vendor's documents: a
//! presigned POST for one object (JPEG or PNG, at most 5 MB), then a confirm that
//! checks the file (size, type by its first bytes) before the product links to it.

use crate::listing;
use crate::product::{Photo, Product, MAX_PHOTOS, MAX_PHOTO_BYTES, PHOTO_PREFIX, PHOTO_TYPES};
use loket_shared::approval::Versioned;
use loket_shared::auth::Caller;
use loket_shared::files;
use loket_shared::http::{authenticate, body, json, path_param, Request, Response};
use loket_shared::store::{to_item, Tx};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Product photos: JPG or PNG, at most 5 MB.
const PHOTO_UPLOAD: files::UploadKind = files::UploadKind {
    types: &PHOTO_TYPES,
    max_bytes: MAX_PHOTO_BYTES,
    type_invalid: (
        "photo_type_invalid",
        "Foto produk harus berupa gambar JPG atau PNG",
    ),
    size_invalid: "Ukuran foto harus antara 1 byte dan 5 MB",
};

/// A photo waiting for its upload (`PRODUCT#<id>` / `PHOTO#<photo id>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingPhoto {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    id: String,
    content_type: String,
    key: String,
    created_at: i64,
    /// Uploads nobody confirms are removed by the table's TTL.
    expires_at: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewPhoto {
    content_type: Option<String>,
}

fn photo_not_found() -> ApiError {
    ApiError::not_found("photo_not_found", "Foto tidak ditemukan")
}

/// The vendor's product, while the vendor may change it.
async fn editable(app: &App, caller: &Caller, id: &str) -> ApiResult<Product> {
    let p = listing::own_product(app, caller, id).await?;
    if !p.status.editable_by_vendor() {
        return Err(listing::locked(&p));
    }
    Ok(p)
}

fn too_many() -> ApiError {
    ApiError::unprocessable(
        "too_many_photos",
        format!("Foto produk maksimal {MAX_PHOTOS}"),
    )
}

/// `POST /vendor/products/{id}/photos`: a presigned POST for one new photo.
pub async fn create_product_photo(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let p = editable(&app, &caller, &path_param(&req, "id")?).await?;
    if p.photos.len() >= MAX_PHOTOS {
        return Err(too_many());
    }
    let r: NewPhoto = body(&req)?;
    let content_type = PHOTO_UPLOAD.content_type(&r.content_type)?;
    let id = app.ids.id();
    let key = format!("products/{}/photos/{id}", p.id);
    let now = app.clock.epoch();
    let pending = PendingPhoto {
        pk: p.pk.clone(),
        sk: format!("{PHOTO_PREFIX}{id}"),
        id: id.clone(),
        content_type: content_type.clone(),
        key: key.clone(),
        created_at: now,
        expires_at: now + 24 * 3600,
    };
    let upload = PHOTO_UPLOAD.presign(&app, &key, &content_type).await?;
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&pending)?);
    app.store.transact(tx).await?;
    json(
        201,
        &serde_json::json!({ "photo": { "id": id, "content_type": content_type }, "upload": upload }),
    )
}

/// `POST /vendor/products/{id}/photos/{photo_id}/confirm`: checks the upload and adds
/// it to the product.
pub async fn confirm_product_photo(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let mut p = editable(&app, &caller, &path_param(&req, "id")?).await?;
    let photo_id = path_param(&req, "photo_id")?;
    if p.photos.iter().any(|ph| ph.id == photo_id) {
        return json(
            200,
            &serde_json::json!({ "message": "Foto berhasil diunggah", "id": photo_id }),
        );
    }
    if photo_id.is_empty() || photo_id.len() > 40 {
        return Err(photo_not_found());
    }
    let pending: PendingPhoto = app
        .store
        .get_as(&p.pk, &format!("{PHOTO_PREFIX}{photo_id}"))
        .await?
        .ok_or_else(photo_not_found)?;
    if p.photos.len() >= MAX_PHOTOS {
        return Err(too_many());
    }
    let size = PHOTO_UPLOAD
        .check(
            &app,
            &pending.key,
            &pending.content_type,
            (&pending.pk, &pending.sk),
        )
        .await?;
    let expected = p.version;
    p.photos.push(Photo {
        id: pending.id.clone(),
        content_type: pending.content_type.clone(),
        size,
        key: pending.key.clone(),
    });
    let mut tx = Tx::new();
    listing::start_revision(&app, &caller, &mut p, &mut tx)?;
    p.stamp(app.clock.epoch());
    tx.put_versioned(app.store.table(), to_item(&p)?, expected);
    tx.delete(
        app.store.table(),
        loket_shared::store::key(pending.pk.clone(), pending.sk.clone()),
    );
    app.store.transact(tx).await?;
    json(
        200,
        &serde_json::json!({ "message": "Foto berhasil diunggah", "id": pending.id, "size": size }),
    )
}

/// `DELETE /vendor/products/{id}/photos/{photo_id}`: removes a photo from the product
/// (the file stays while a published version may still show it).
pub async fn delete_product_photo(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let mut p = editable(&app, &caller, &path_param(&req, "id")?).await?;
    let photo_id = path_param(&req, "photo_id")?;
    let before = p.photos.len();
    p.photos.retain(|ph| ph.id != photo_id);
    if p.photos.len() == before {
        return Err(photo_not_found());
    }
    let expected = p.version;
    let mut tx = Tx::new();
    listing::start_revision(&app, &caller, &mut p, &mut tx)?;
    p.stamp(app.clock.epoch());
    tx.put_versioned(app.store.table(), to_item(&p)?, expected);
    app.store.transact(tx).await?;
    json(
        200,
        &serde_json::json!({ "message": "Foto berhasil dihapus" }),
    )
}
