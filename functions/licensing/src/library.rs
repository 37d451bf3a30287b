//! "File Saya" (seed 004 §3.2.3): the applicant's library of files — PDF, JPG, PNG, GIF
//! and DWG up to 50 MB, each with a name — through the one checked upload
//! (`files::UploadKind::expect` / `confirm`: presigned POST, then size and magic bytes,
//! DWG by its `AC10xx` header too). Searched by name, paged, downloaded, deleted. The
//! wizard picks a requirement's document from here: the file is copied into the
//! application (`applications/<id>/…`), so deleting it from the library later leaves
//! the application's copy as it was.
//!
//! Storage: `LIBFILE#<id>` / `FILE` (owner, name, S3 key `library/<owner>/<id>`), in
//! its owner's list on GSI1 `LIBRARY#<owner>`, newest first.

use loket_shared::auth::{Caller, Role};
use loket_shared::files::{self, PendingUpload, UploadKind};
use loket_shared::http::{authenticate, body, json, path_param, required, Request, Response};
use loket_shared::schema;
use loket_shared::store::key;
use loket_shared::{cursor, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What the library accepts (seed 004 §3.2.3).
pub const LIBRARY_UPLOAD: UploadKind = UploadKind {
    types: &[
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/vnd.dwg",
    ],
    max_bytes: files::MAX_UPLOAD_BYTES,
    type_invalid: (
        "document_type_invalid",
        "Jenis berkas harus PDF, JPG, PNG, GIF atau DWG",
    ),
    size_invalid: "Ukuran berkas harus antara 1 byte dan 50 MB",
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryFile {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub id: String,
    pub owner_id: String,
    /// The name the applicant gave it.
    pub name: String,
    /// `name`, lower case: what the search matches.
    pub name_search: String,
    pub file_name: String,
    pub content_type: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    pub created_at: i64,
    pub version: i64,
}

impl PendingUpload for LibraryFile {
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
        self.size.is_some()
    }
    fn uploaded(&self, size: u64) -> Self {
        Self {
            size: Some(size),
            version: self.version + 1,
            ..self.clone()
        }
    }
}

impl LibraryFile {
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id, "name": self.name, "file_name": self.file_name,
            "content_type": self.content_type, "size": self.size,
            "uploaded": self.size.is_some(), "created_at": self.created_at,
        })
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("file_not_found", "Berkas tidak ditemukan")
}

/// File `id` of the caller's library (another applicant's: 403).
pub async fn own(app: &App, caller: &Caller, id: &str) -> ApiResult<LibraryFile> {
    caller.require_any(&[Role::Applicant])?;
    if id.is_empty() || id.len() > 40 {
        return Err(not_found());
    }
    let f: LibraryFile = app
        .store
        .get_as(&schema::library_file(id), schema::LIBRARY_FILE_SK)
        .await?
        .ok_or_else(not_found)?;
    if f.owner_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    Ok(f)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewFile {
    name: Option<String>,
    file_name: Option<String>,
    content_type: Option<String>,
}

/// `POST /library/files`: a named file; answers its presigned upload.
pub async fn create_library_file(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant])?;
    let input: NewFile = body(&req)?;
    let name = required(&input.name, "name", "Nama Berkas", 120)?;
    let file_name = required(&input.file_name, "file_name", "Nama file", 160)?;
    let content_type = LIBRARY_UPLOAD.content_type(&input.content_type)?;
    let id = app.ids.id();
    let f = LibraryFile {
        pk: schema::library_file(&id),
        sk: schema::LIBRARY_FILE_SK.into(),
        gsi1pk: schema::library(&caller.user_id),
        gsi1sk: id.clone(),
        key: format!("library/{}/{id}", caller.user_id),
        id,
        owner_id: caller.user_id.clone(),
        name_search: name.to_lowercase(),
        name,
        file_name,
        content_type,
        size: None,
        created_at: app.clock.epoch(),
        version: 1,
    };
    let upload = LIBRARY_UPLOAD.expect(&app, &f).await?;
    json(
        201,
        &serde_json::json!({ "file": f.view(), "upload": upload }),
    )
}

/// `POST /library/files/{id}/confirm` ("Upload berhasil"): the upload is checked.
pub async fn confirm_library_file(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let f = own(&app, &caller, &path_param(&req, "id")?).await?;
    let f = LIBRARY_UPLOAD.confirm(&app, f).await?;
    let mut v = f.view();
    v["message"] = "Upload berhasil".into();
    json(200, &v)
}

/// `GET /library/files?q=` ("File Saya"): the caller's files, newest first, 20 a page;
/// `q` finds them by name (any case).
pub async fn list_library_files(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant])?;
    let page = cursor::own_list(
        &app,
        &req,
        "list_library_files",
        &caller.user_id,
        schema::library(&caller.user_id),
        "name_search",
        |f: LibraryFile| f.view(),
    )
    .await?;
    json(200, &page)
}

/// How long a download link stays valid.
const DOWNLOAD_SECONDS: u64 = 5 * 60;

/// `GET /library/files/{id}/download`: a short-lived link to the file.
pub async fn download_library_file(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let f = own(&app, &caller, &path_param(&req, "id")?).await?;
    if f.size.is_none() {
        return Err(not_found());
    }
    let url = files::presigned_get(&app, &f.key, DOWNLOAD_SECONDS).await?;
    json(
        200,
        &serde_json::json!({ "url": url, "expires_in": DOWNLOAD_SECONDS, "file": f.view() }),
    )
}

/// `DELETE /library/files/{id}`: the file and its record (the copies applications took
/// stay theirs).
pub async fn delete_library_file(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let f = own(&app, &caller, &path_param(&req, "id")?).await?;
    let mut tx = loket_shared::store::Tx::new();
    tx.delete_versioned(
        app.store.table(),
        key(f.pk.clone(), f.sk.clone()),
        f.version,
    );
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(loket_shared::store::TxError::Condition(_)) => {
            return Err(ApiError::concurrent_update())
        }
        Err(e) => return Err(e.into()),
    }
    files::delete(&app, &f.key).await?;
    json(
        200,
        &serde_json::json!({ "message": "Berkas dihapus", "id": f.id }),
    )
}
