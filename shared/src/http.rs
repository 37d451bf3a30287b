//! Thin HTTP helpers shared by every handler: use-case registry types, JSON bodies,
//! parameters, the caller's address, authentication, and mapping errors to responses.

use crate::app::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::needs::Need;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type Request = lambda_http::Request;
pub type Response = lambda_http::Response<Body>;
pub type HandlerFuture = Pin<Box<dyn Future<Output = ApiResult<Response>> + Send>>;
/// An HTTP use case: the function a Lambda function (or the local runner) calls.
pub type Handler = fn(Arc<App>, Request) -> HandlerFuture;

/// A named HTTP use case, declared once: its name (the `LOKET_USE_CASE` of its Lambda
/// function), its route, what it needs from AWS (its function's clients and IAM
/// policy, see [`crate::needs`]) and its handler. `infra/local/tests/declarations.rs`
/// checks the template's function, route and policy and the OpenAPI operation against
/// this declaration.
#[derive(Clone, Copy)]
pub struct UseCase {
    pub name: &'static str,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The route's path, its parameters written `{name}` (`/vendor/products/{id}`).
    pub path: &'static str,
    pub needs: &'static [Need],
    pub handler: Handler,
}

impl UseCase {
    /// The names of the route's path parameters, in order.
    pub fn path_params(&self) -> Vec<&'static str> {
        path_params(self.path)
    }
}

/// The names of a route path's parameters (`/a/{id}/b/{photo_id}` → `id`, `photo_id`).
pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// Declares an HTTP use case: name, method and path, handler (an async fn
/// `(Arc<App>, Request) -> ApiResult<Response>`) and needs:
///
/// ```ignore
/// use_case!("get_vendor_product", GET "/vendor/products/{id}", listing::get_vendor_product, needs: [
///     Table(&["dynamodb:GetItem", "dynamodb:Query"]),
///     Uploads("products/", &["s3:GetObject"]),
/// ])
/// ```
#[macro_export]
macro_rules! use_case {
    ($name:literal, $method:ident $path:literal, $f:path, needs: [$($need:expr),* $(,)?] $(,)?) => {
        $crate::http::UseCase {
            name: $name,
            method: stringify!($method),
            path: $path,
            needs: &[$($need),*],
            handler: |app, req| Box::pin($f(app, req)),
        }
    };
}

/// A JSON response.
pub fn json<T: Serialize>(status: u16, body: &T) -> ApiResult<Response> {
    let text = serde_json::to_string(body).map_err(ApiError::internal)?;
    lambda_http::Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("cache-control", "no-store")
        .body(Body::Text(text))
        .map_err(ApiError::internal)
}

/// A response with a message only (`{"message": ...}`).
pub fn message(status: u16, text: &str) -> ApiResult<Response> {
    json(status, &serde_json::json!({ "message": text }))
}

/// The error as its JSON response.
pub fn error_response(e: &ApiError) -> Response {
    let mut b = lambda_http::Response::builder()
        .status(e.status)
        .header("content-type", "application/json; charset=utf-8")
        .header("cache-control", "no-store");
    if let Some(s) = e.retry_after {
        b = b.header("retry-after", s.to_string());
    }
    b.body(Body::Text(e.to_json()))
        .unwrap_or_else(|_| lambda_http::Response::new(Body::Empty))
}

/// Turns a handler's result into the response sent to the caller.
pub fn respond(result: ApiResult<Response>) -> Response {
    match result {
        Ok(r) => r,
        Err(e) => error_response(&e),
    }
}

/// Parses a JSON body. Shape problems are 400 `body_invalid`; individual fields are
/// validated by the use case so each gets its own Indonesian message.
pub fn body<T: DeserializeOwned>(req: &Request) -> ApiResult<T> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => b"{}",
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"{}",
    };
    let at = |e: serde_json::Error| {
        ApiError::bad_request(
            "body_invalid",
            format!(
                "Format data yang dikirim tidak valid (baris {}, kolom {})",
                e.line(),
                e.column()
            ),
        )
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(at)?;
    if !value.is_object() {
        return Err(not_an_object());
    }
    serde_json::from_slice(bytes).map_err(at)
}

fn not_an_object() -> ApiError {
    ApiError::bad_request(
        "body_invalid",
        "Data yang dikirim harus berupa objek JSON ({ ... })",
    )
}

/// A body already read as JSON (e.g. a page's form, as its use case takes it), as `T`:
/// only an object, each field of its type.
pub fn object_body<T: DeserializeOwned>(value: &serde_json::Value) -> ApiResult<T> {
    if !value.is_object() {
        return Err(not_an_object());
    }
    serde_json::from_value(value.clone()).map_err(|_| {
        ApiError::bad_request(
            "body_invalid",
            "Format data yang dikirim tidak valid: ada isian dengan tipe data yang salah",
        )
    })
}

/// A path parameter declared by the route (`/things/{id}`).
pub fn path_param(req: &Request, name: &str) -> ApiResult<String> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad_request("path_invalid", "Alamat (URL) tidak lengkap"))
}

/// A query string parameter, trimmed, `None` when absent or empty.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The caller's source address as API Gateway saw it.
pub fn source_ip(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx
            .http
            .source_ip
            .clone()
            .unwrap_or_else(|| "unknown".into()),
        _ => "unknown".into(),
    }
}

/// The bearer token of the `Authorization` header.
pub fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(token)
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Authenticates the request's access token (401 when missing, invalid or expired)
/// *and* its session, in one read: the session must still exist (sign-out deletes
/// it, a password change or reset deletes every other one) with the token's session
/// version, and not be past its lifetime. So a signed-out token is refused at once on
/// every route, not after the token's 15 minutes (see docs/ARCHITECTURE.md, the cost).
pub async fn authenticate(app: &App, req: &Request) -> ApiResult<Caller> {
    let token = bearer(req).ok_or_else(ApiError::not_signed_in)?;
    let now = app.clock.epoch();
    let claims = app.tokens.verify(token, now)?;
    let caller = Caller::from_claims(claims);
    tracing::Span::current().record("user_id", caller.user_id.as_str());
    let session = app
        .store
        .get(
            &crate::schema::user(&caller.user_id),
            &crate::schema::session_sk(&caller.session_id),
        )
        .await?;
    let live = session.is_some_and(|s| {
        crate::store::get_n(&s, "session_version") == Some(caller.session_version as i64)
            && crate::store::get_n(&s, "expires_at").is_none_or(|e| e > now)
    });
    if !live {
        return Err(ApiError::not_signed_in());
    }
    Ok(caller)
}

/// Trims a required text field; 400 `field_required` when missing or blank, and as
/// [`optional`] when longer than `max` characters or holding control characters.
pub fn required(
    value: &Option<String>,
    field: &'static str,
    label: &str,
    max: usize,
) -> ApiResult<String> {
    optional(value, field, label, max)?
        .ok_or_else(|| ApiError::invalid("field_required", format!("{label} wajib diisi"), field))
}

/// Trims an optional text field; `None` when missing or blank; 400 when too long or
/// when it holds control characters other than line breaks and tabs (they would reach
/// the catalog, officers' pages and emails).
pub fn optional(
    value: &Option<String>,
    field: &'static str,
    label: &str,
    max: usize,
) -> ApiResult<Option<String>> {
    match value.as_deref().map(str::trim) {
        Some(v) if v.chars().count() > max => Err(ApiError::invalid(
            "field_too_long",
            format!("{label} maksimal {max} karakter"),
            field,
        )),
        Some(v)
            if v.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
        {
            Err(ApiError::invalid(
                "field_invalid",
                format!("{label} berisi karakter yang tidak diizinkan"),
                field,
            ))
        }
        Some(v) if !v.is_empty() => Ok(Some(v.to_string())),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_text_is_trimmed_bounded_and_free_of_control_characters() {
        let f = |v: &str| optional(&Some(v.to_string()), "name", "Nama", 12);
        assert_eq!(f("  Toko  ").unwrap().as_deref(), Some("Toko"));
        assert_eq!(f("   ").unwrap(), None);
        assert_eq!(f("Baris\nkedua").unwrap().as_deref(), Some("Baris\nkedua"));
        assert_eq!(f("1234567890123").unwrap_err().code, "field_too_long");
        assert_eq!(f("Toko \u{0}").unwrap_err().code, "field_invalid");
        assert_eq!(f("Toko \u{1b}[31m").unwrap_err().code, "field_invalid");
    }

    #[test]
    fn path_parameters_are_named_in_order() {
        assert_eq!(path_params("/me"), Vec::<&str>::new());
        assert_eq!(
            path_params("/vendors/{vendor_id}/documents/{id}/download"),
            ["vendor_id", "id"]
        );
    }

    #[test]
    fn error_response_carries_status_and_retry_after() {
        let r = error_response(&ApiError::too_many("login_throttled", "Tunggu", 7));
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "7");
    }

    #[test]
    fn malformed_body_is_a_400() {
        let req = lambda_http::Request::new(Body::Text("{".into()));
        let e = body::<serde_json::Value>(&req).unwrap_err();
        assert_eq!((e.status, e.code), (400, "body_invalid"));
    }

    #[test]
    fn required_and_optional_fields() {
        assert_eq!(required(&Some("  x ".into()), "a", "A", 5).unwrap(), "x");
        let e = required(&Some("  ".into()), "nik", "NIK", 16).unwrap_err();
        assert_eq!(
            (e.code, e.field, e.message.as_str()),
            ("field_required", Some("nik"), "NIK wajib diisi")
        );
        let e = required(&Some("1".repeat(100_000)), "email_code", "Kode", 16).unwrap_err();
        assert_eq!((e.code, e.field), ("field_too_long", Some("email_code")));
        assert_eq!(optional(&None, "a", "A", 3).unwrap(), None);
        assert!(optional(&Some("abcd".into()), "a", "A", 3).is_err());
    }
}
