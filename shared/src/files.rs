//! Files on S3: uploads go straight to the bucket with a presigned POST whose policy
//! fixes the key, the content type and the size (≤ 50 MB); after the upload the file is
//! checked again here (size, and type by its magic bytes, since a client can lie about
//! the type) before anything links to it. Downloads are short-lived presigned GETs.

use crate::{ApiError, ApiResult, App};
use aws_credential_types::provider::ProvideCredentials;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::time::Duration;

/// The largest upload (seed: 50 MB).
pub const MAX_UPLOAD_BYTES: u64 = 50 * 1024 * 1024;

/// The types accepted for documents, by what their first bytes say they are (the
/// library also takes GIF and DWG, `sniff` knows them all).
pub const ALLOWED_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// What the file's first bytes say it is (only the allowed types are recognised).
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if is_dwg(head) {
        Some("image/vnd.dwg")
    } else {
        None
    }
}

/// An AutoCAD drawing: its version string `AC10nn` (`AC1012` R13 … `AC1032` 2018+).
fn is_dwg(head: &[u8]) -> bool {
    head.len() >= 6 && head.starts_with(b"AC10") && head[4..6].iter().all(u8::is_ascii_digit)
}

/// A form upload the client sends straight to S3: POST `url` as multipart/form-data
/// with every field of `fields`, then the file as the last field, named `file`.
#[derive(Debug, Clone, Serialize)]
pub struct PresignedPost {
    pub url: String,
    pub fields: BTreeMap<String, String>,
    pub expires_in: i64,
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn bucket_url(app: &App, region: &str) -> String {
    let bucket = &app.cfg.bucket;
    match std::env::var("AWS_ENDPOINT_URL_S3").or_else(|_| std::env::var("AWS_ENDPOINT_URL")) {
        Ok(endpoint) => format!("{}/{bucket}", endpoint.trim_end_matches('/')),
        Err(_) => format!("https://{bucket}.s3.{region}.amazonaws.com"),
    }
}

/// Signs (SigV4) a POST policy that allows exactly one object: `key`, of
/// `content_type`, between 1 byte and `max_bytes`, for `expires_in` seconds.
pub async fn presigned_post(
    app: &App,
    key: &str,
    content_type: &str,
    max_bytes: u64,
    expires_in: i64,
) -> ApiResult<PresignedPost> {
    let creds = app
        .aws
        .credentials_provider()
        .ok_or_else(|| ApiError::internal("no AWS credentials provider"))?
        .provide_credentials()
        .await
        .map_err(|e| ApiError::unavailable(format!("credentials: {e}")))?;
    let region = app
        .aws
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".into());
    let now = app.clock.now();
    let date = format!(
        "{:04}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    );
    let amz_date = format!(
        "{date}T{:02}{:02}{:02}Z",
        now.hour(),
        now.minute(),
        now.second()
    );
    let expiration = (now + time::Duration::seconds(expires_in))
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(ApiError::internal)?;
    let credential = format!("{}/{date}/{region}/s3/aws4_request", creds.access_key_id());
    let mut fields = BTreeMap::from([
        ("key".to_string(), key.to_string()),
        ("Content-Type".to_string(), content_type.to_string()),
        (
            "x-amz-algorithm".to_string(),
            "AWS4-HMAC-SHA256".to_string(),
        ),
        ("x-amz-credential".to_string(), credential),
        ("x-amz-date".to_string(), amz_date),
    ]);
    if let Some(token) = creds.session_token() {
        fields.insert("x-amz-security-token".into(), token.to_string());
    }
    let mut conditions = vec![
        serde_json::json!({ "bucket": app.cfg.bucket }),
        serde_json::json!(["content-length-range", 1, max_bytes]),
    ];
    for (k, v) in &fields {
        conditions.push(serde_json::json!({ k: v }));
    }
    let policy = serde_json::json!({ "expiration": expiration, "conditions": conditions });
    let policy_b64 = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let mut signing_key = hmac(
        format!("AWS4{}", creds.secret_access_key()).as_bytes(),
        &date,
    );
    for part in [region.as_str(), "s3", "aws4_request"] {
        signing_key = hmac(&signing_key, part);
    }
    fields.insert(
        "x-amz-signature".into(),
        hex::encode(hmac(&signing_key, &policy_b64)),
    );
    fields.insert("policy".into(), policy_b64);
    Ok(PresignedPost {
        url: bucket_url(app, &region),
        fields,
        expires_in,
    })
}

/// The size of an uploaded object, or `None` when nothing was uploaded.
pub async fn size_of(app: &App, key: &str) -> ApiResult<Option<u64>> {
    match app
        .s3()?
        .head_object()
        .bucket(&app.cfg.bucket)
        .key(key)
        .send()
        .await
    {
        Ok(o) => Ok(Some(o.content_length().unwrap_or(0).max(0) as u64)),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
        Err(e) => Err(ApiError::unavailable(
            aws_sdk_s3::error::DisplayErrorContext(e),
        )),
    }
}

/// Writes a generated document once: an object already at `key` (a retried
/// generation) is kept as it is, never overwritten. Returns its size.
pub async fn put_once(app: &App, key: &str, bytes: Vec<u8>, content_type: &str) -> ApiResult<u64> {
    if let Some(size) = size_of(app, key).await? {
        return Ok(size);
    }
    let size = bytes.len() as u64;
    app.s3()?
        .put_object()
        .bucket(&app.cfg.bucket)
        .key(key)
        .content_type(content_type)
        .body(bytes.into())
        .send()
        .await
        .map_err(|e| ApiError::unavailable(aws_sdk_s3::error::DisplayErrorContext(e)))?;
    Ok(size)
}

/// The first `n` bytes of an object.
pub async fn head_bytes(app: &App, key: &str, n: u64) -> ApiResult<Vec<u8>> {
    let out = app
        .s3()?
        .get_object()
        .bucket(&app.cfg.bucket)
        .key(key)
        .range(format!("bytes=0-{}", n.saturating_sub(1)))
        .send()
        .await
        .map_err(|e| ApiError::unavailable(aws_sdk_s3::error::DisplayErrorContext(e)))?;
    let bytes = out
        .body
        .collect()
        .await
        .map_err(ApiError::unavailable)?
        .into_bytes();
    Ok(bytes.iter().take(n as usize).copied().collect())
}

pub async fn delete(app: &App, key: &str) -> ApiResult<()> {
    app.s3()?
        .delete_object()
        .bucket(&app.cfg.bucket)
        .key(key)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| ApiError::unavailable(aws_sdk_s3::error::DisplayErrorContext(e)))
}

/// Checks an uploaded object before anything links to it: it exists, its size is
/// within 1..=`max_bytes` and its first bytes are `content_type`. A file that fails is
/// deleted. Returns its size. `too_large` is the message for a size outside the limit.
pub async fn check_upload(
    app: &App,
    key: &str,
    content_type: &str,
    max_bytes: u64,
    too_large: &str,
) -> ApiResult<u64> {
    let size = size_of(app, key)
        .await?
        .ok_or_else(|| ApiError::bad_request("document_not_uploaded", "Berkas belum diunggah"))?;
    let refused = if size == 0 || size > max_bytes {
        Some(ApiError::bad_request("document_too_large", too_large))
    } else if sniff(&head_bytes(app, key, 16).await?) != Some(content_type) {
        Some(ApiError::bad_request(
            "document_type_invalid",
            "Isi berkas tidak sesuai dengan jenisnya",
        ))
    } else {
        None
    };
    match refused {
        Some(e) => {
            delete(app, key).await?;
            Err(e)
        }
        None => Ok(size),
    }
}

/// What one kind of upload accepts (vendor documents, product photos, order invoices,
/// permit attachments): the one mechanism is presign (`presign`), then check before
/// linking (`check`), with the pending record removed when the file is refused. For a
/// record of its own that waits for its file ([`PendingUpload`]), `expect` and
/// `confirm` are the whole flow.
#[derive(Debug, Clone, Copy)]
pub struct UploadKind {
    pub types: &'static [&'static str],
    pub max_bytes: u64,
    /// The code and message when the declared type is not accepted.
    pub type_invalid: (&'static str, &'static str),
    /// The message when the size is outside 1..=`max_bytes`.
    pub size_invalid: &'static str,
}

/// How long a presigned upload stays valid.
pub const UPLOAD_SECONDS: i64 = 15 * 60;

impl UploadKind {
    /// The declared content type, if this kind accepts it.
    pub fn content_type(&self, declared: &Option<String>) -> ApiResult<String> {
        declared
            .as_deref()
            .map(str::trim)
            .filter(|t| self.types.contains(t))
            .map(str::to_string)
            .ok_or_else(|| {
                ApiError::invalid(self.type_invalid.0, self.type_invalid.1, "content_type")
            })
    }

    /// The presigned POST of one object at `key`.
    pub async fn presign(
        &self,
        app: &App,
        key: &str,
        content_type: &str,
    ) -> ApiResult<PresignedPost> {
        presigned_post(app, key, content_type, self.max_bytes, UPLOAD_SECONDS).await
    }

    /// Checks the uploaded object (`check_upload`); when it is refused (rather than not
    /// there yet), the record waiting for it (`pending`: PK, SK) goes too, so nothing
    /// stays linked to a refused file. Returns its size.
    pub async fn check(
        &self,
        app: &App,
        key: &str,
        content_type: &str,
        pending: (&str, &str),
    ) -> ApiResult<u64> {
        match check_upload(app, key, content_type, self.max_bytes, self.size_invalid).await {
            Err(e) if e.code != "document_not_uploaded" => {
                app.store.delete(pending.0, pending.1).await?;
                Err(e)
            }
            other => other,
        }
    }
}

/// What checking a file linked from inside a record found ([`UploadKind::check_linked`]).
#[derive(Debug)]
pub enum Checked {
    /// The file is what it says: its size.
    Size(u64),
    /// The file was refused and deleted: the record must drop it, and answer this.
    Refused(ApiError),
}

impl UploadKind {
    /// Checks a file that a record links to from inside (an application's attachment, a
    /// complaint's or a chat message's): [`check_upload`] with this kind's limits. `Err`
    /// when nothing is uploaded yet (the record stays as it is).
    pub async fn check_linked(
        &self,
        app: &App,
        key: &str,
        content_type: &str,
    ) -> ApiResult<Checked> {
        match check_upload(app, key, content_type, self.max_bytes, self.size_invalid).await {
            Ok(size) => Ok(Checked::Size(size)),
            Err(e) if e.code == "document_not_uploaded" => Err(e),
            Err(e) => Ok(Checked::Refused(e)),
        }
    }
}

/// A record that waits for its uploaded file (a vendor's document, an order's invoice):
/// where the file goes, what it must be, and the record once its file is checked.
pub trait PendingUpload: Serialize + Sized {
    /// `PK`, `SK` of the record.
    fn keys(&self) -> (&str, &str);
    /// The S3 key of its file.
    fn object_key(&self) -> &str;
    fn content_type(&self) -> &str;
    fn version(&self) -> i64;
    fn is_uploaded(&self) -> bool;
    /// The record with its checked file's `size`, its version bumped.
    fn uploaded(&self, size: u64) -> Self;
}

impl UploadKind {
    /// Records `pending` (a new record) and answers the presigned POST of its file.
    pub async fn expect<R: PendingUpload>(
        &self,
        app: &App,
        pending: &R,
    ) -> ApiResult<PresignedPost> {
        let upload = self
            .presign(app, pending.object_key(), pending.content_type())
            .await?;
        let mut tx = crate::store::Tx::new();
        tx.put_new(app.store.table(), crate::store::to_item(pending)?);
        app.store.transact(tx).await?;
        Ok(upload)
    }

    /// Checks the file of `pending` ([`UploadKind::check`]: a refused file and its
    /// record are deleted) and records it uploaded, on the version read. A record
    /// already uploaded is answered as it is.
    pub async fn confirm<R: PendingUpload>(&self, app: &App, pending: R) -> ApiResult<R> {
        if pending.is_uploaded() {
            return Ok(pending);
        }
        let size = self
            .check(
                app,
                pending.object_key(),
                pending.content_type(),
                pending.keys(),
            )
            .await?;
        let done = pending.uploaded(size);
        let mut tx = crate::store::Tx::new();
        tx.put_versioned(
            app.store.table(),
            crate::store::to_item(&done)?,
            pending.version(),
        );
        app.store.transact(tx).await?;
        Ok(done)
    }
}

/// Copies the object at `from` to `to` (a file an application takes from the
/// applicant's library: its own copy, whatever becomes of the original).
pub async fn copy(app: &App, from: &str, to: &str) -> ApiResult<()> {
    app.s3()?
        .copy_object()
        .bucket(&app.cfg.bucket)
        .copy_source(format!("{}/{from}", app.cfg.bucket))
        .key(to)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| ApiError::unavailable(aws_sdk_s3::error::DisplayErrorContext(e)))
}

/// A presigned GET of `key`, valid `expires_in` seconds.
pub async fn presigned_get(app: &App, key: &str, expires_in: u64) -> ApiResult<String> {
    let cfg = aws_sdk_s3::presigning::PresigningConfig::expires_in(Duration::from_secs(expires_in))
        .map_err(ApiError::internal)?;
    let req = app
        .s3()?
        .get_object()
        .bucket(&app.cfg.bucket)
        .key(key)
        .presigned(cfg)
        .await
        .map_err(|e| ApiError::unavailable(aws_sdk_s3::error::DisplayErrorContext(e)))?;
    Ok(req.uri().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some("image/png")
        );
        assert_eq!(sniff(b"GIF89a\x01\x00"), Some("image/gif"));
        assert_eq!(sniff(b"AC1032\x00\x00\x00"), Some("image/vnd.dwg"));
        assert_eq!(sniff(b"AC10XY"), None);
        // A renamed executable or script is none of them.
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b""), None);
    }
}
