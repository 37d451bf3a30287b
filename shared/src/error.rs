//! The one error model of Loket.
//!
//! Every failure a person can see is an [`ApiError`]: a stable English `code` for
//! machines, an Indonesian `message` for people, the HTTP `status`, and optionally the
//! `field` of the request it is about. Domain code builds these through the named
//! constructors below so that statuses stay consistent across handlers.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// Seconds a client should wait before retrying (429 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Everything a submission still misses (422 of an incomplete form), each item in
    /// the form's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            missing: None,
        }
    }

    pub fn with_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// 400: the request is malformed or a field has the wrong shape.
    pub fn invalid(code: &'static str, message: impl Into<String>, field: &'static str) -> Self {
        Self::new(400, code, message).with_field(field)
    }

    /// 400 without a specific field.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(401, code, message)
    }

    /// 401 for a missing or invalid access token.
    pub fn not_signed_in() -> Self {
        Self::unauthorized(
            "unauthenticated",
            "Sesi Anda tidak valid atau sudah berakhir, silakan login kembali",
        )
    }

    /// 403: signed in, but not allowed to do this.
    pub fn forbidden() -> Self {
        Self::new(
            403,
            "forbidden",
            "Anda tidak memiliki akses untuk melakukan tindakan ini",
        )
    }

    /// 404.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(404, code, message)
    }

    /// 409: the record changed or already exists.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }

    /// 409 for a lost optimistic-concurrency race.
    pub fn concurrent_update() -> Self {
        Self::conflict(
            "concurrent_update",
            "Data telah diubah oleh proses lain, muat ulang lalu coba lagi",
        )
    }

    /// 422: well-formed, but the business rules refuse it.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(422, code, message)
    }

    /// 429 with a retry hint.
    pub fn too_many(code: &'static str, message: impl Into<String>, retry_after: u64) -> Self {
        let mut e = Self::new(429, code, message);
        e.retry_after = Some(retry_after.max(1));
        e
    }

    /// 500: our fault. The detail goes to the log, never to the caller.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            500,
            "internal_error",
            "Terjadi kesalahan pada sistem, silakan coba beberapa saat lagi",
        )
    }

    /// 503: a dependency is unavailable.
    pub fn unavailable(detail: impl fmt::Display) -> Self {
        tracing::error!(error = %detail, "dependency unavailable");
        Self::new(
            503,
            "service_unavailable",
            "Layanan sedang tidak tersedia, silakan coba beberapa saat lagi",
        )
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

/// The one place a domain rule's refusal becomes an HTTP answer.
impl From<crate::rules::Refusal> for ApiError {
    fn from(r: crate::rules::Refusal) -> Self {
        use crate::rules::RefusalKind;
        let status = match r.kind {
            RefusalKind::Invalid => 400,
            RefusalKind::Unprocessable => 422,
            RefusalKind::Conflict => 409,
        };
        let mut e = ApiError::new(status, r.code, r.message);
        e.field = r.field;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_code_message_and_field_but_not_status() {
        let e = ApiError::invalid("nik_invalid", "No NIK hanya boleh Angka 16 digit", "nik");
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["code"], "nik_invalid");
        assert_eq!(v["field"], "nik");
        assert_eq!(v["message"], "No NIK hanya boleh Angka 16 digit");
        assert!(v.get("status").is_none());
        assert_eq!(e.status, 400);
    }

    #[test]
    fn refusals_map_to_their_status() {
        use crate::rules::Refusal;
        let e: ApiError = Refusal::invalid("nik_invalid", "x", "nik").into();
        assert_eq!((e.status, e.field), (400, Some("nik")));
        assert_eq!(ApiError::from(Refusal::unprocessable("a", "b")).status, 422);
        assert_eq!(ApiError::from(Refusal::conflict("a", "b")).status, 409);
    }

    #[test]
    fn too_many_has_at_least_one_second_retry() {
        assert_eq!(ApiError::too_many("x", "y", 0).retry_after, Some(1));
    }
}
