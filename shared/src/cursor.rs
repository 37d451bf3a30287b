//! The one cursor type of every paged route. A cursor is the position a page ended at
//! (a DynamoDB key, or a search's own position), sealed with a MAC over that position
//! *and* the cursor's scope: the route, the caller and the query it continues. A
//! cursor of another route, another caller or another query, an edited one, or
//! garbage is `400 cursor_invalid`; nothing unsealed ever reaches the store as an
//! `ExclusiveStartKey`.
//!
//! Form: `<position, base64url>.<first 32 hex digits of HMAC-SHA256(pepper, "cursor",
//! scope ‖ position)>`.

use crate::crypto::Pepper;
use crate::http::Request;
use crate::store::{decode_cursor, encode_cursor, Item, Page, Query};
use crate::{ApiError, ApiResult, App};
use lambda_http::RequestExt;

/// Where a cursor may be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(String);

impl Scope {
    /// The scope of `route` (the use case's name) for `caller` (a user id, or "" for a
    /// public route), continuing the request's query: its parameters other than
    /// `cursor`, in a canonical order.
    pub fn of(route: &str, caller: &str, req: &Request) -> Self {
        let mut params: Vec<(String, String)> = req
            .query_string_parameters_ref()
            .map(|q| {
                q.iter()
                    .filter(|(k, _)| *k != "cursor")
                    .map(|(k, v)| (k.to_string(), v.trim().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        params.sort();
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Self::new(route, caller, &query.join("&"))
    }

    /// A scope from its parts (`query`: what the page continues, canonical).
    pub fn new(route: &str, caller: &str, query: &str) -> Self {
        Scope(format!("{route}\u{0}{caller}\u{0}{query}"))
    }
}

fn invalid() -> ApiError {
    ApiError::invalid(
        "cursor_invalid",
        "Parameter halaman (cursor) tidak valid",
        "cursor",
    )
}

fn mac(pepper: &Pepper, scope: &Scope, position: &str) -> String {
    let mut h = pepper.hash("cursor", &format!("{}\u{0}{position}", scope.0));
    h.truncate(32);
    h
}

/// Seals `position` (any URL-safe string) for `scope`.
pub fn seal(app: &App, scope: &Scope, position: &str) -> String {
    seal_with(&app.pepper, scope, position)
}

fn seal_with(pepper: &Pepper, scope: &Scope, position: &str) -> String {
    format!("{position}.{}", mac(pepper, scope, position))
}

/// The position sealed in `cursor`, if it was sealed for `scope`; else 400.
pub fn open(app: &App, scope: &Scope, cursor: &str) -> ApiResult<String> {
    open_with(&app.pepper, scope, cursor)
}

fn open_with(pepper: &Pepper, scope: &Scope, cursor: &str) -> ApiResult<String> {
    if cursor.len() > 2048 {
        return Err(invalid());
    }
    let (position, tag) = cursor.rsplit_once('.').ok_or_else(invalid)?;
    let expected = mac(pepper, scope, position);
    let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), tag.as_bytes()).into();
    if same {
        Ok(position.to_string())
    } else {
        Err(invalid())
    }
}

/// The key sealed in `cursor` for `scope` (see [`open`]).
pub fn open_key(app: &App, scope: &Scope, cursor: Option<&str>) -> ApiResult<Option<Item>> {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| open(app, scope, c).and_then(|p| decode_cursor(&p)))
        .transpose()
}

/// One page of `q`, continuing `cursor` (sealed for `scope`), with the next page's
/// cursor sealed for the same scope.
pub async fn page(
    app: &App,
    q: &Query,
    scope: &Scope,
    cursor: Option<&str>,
) -> ApiResult<Page<Item>> {
    let start = open_key(app, scope, cursor)?;
    let raw = app.store.query_from(q, start).await?;
    let cursor = match raw.last_key {
        Some(k) if !k.is_empty() => Some(seal(app, scope, &encode_cursor(&k)?)),
        _ => None,
    };
    Ok(Page {
        items: raw.items,
        cursor,
    })
}

/// One page of a person's own list, its newest first, 20 a page: the GSI1 partition
/// `partition`, narrowed by the request's `q` (any case, contained in the item's
/// lower-case `search_field`), continuing the request's cursor; each item answered as
/// `view` shows it, with the next page's cursor. "Permohonan Saya", "File Saya" and
/// the complaints list are this.
pub async fn own_list<T: serde::de::DeserializeOwned>(
    app: &App,
    req: &Request,
    route: &str,
    caller: &str,
    partition: String,
    search_field: &str,
    view: impl Fn(T) -> serde_json::Value,
) -> ApiResult<serde_json::Value> {
    let mut q = Query::partition(partition)
        .on_index(crate::schema::GSI1)
        .backwards()
        .limit(20);
    let text = crate::http::query_param(req, "q");
    if let Some(text) = crate::http::optional(&text, "q", "Pencarian", 100)? {
        q = q.filter(crate::store::Filter {
            expression: format!("contains({search_field}, :q)"),
            names: Default::default(),
            values: [(":q".to_string(), crate::store::s(text.to_lowercase()))].into(),
        });
    }
    let scope = Scope::of(route, caller, req);
    let after = crate::http::query_param(req, "cursor");
    let page = page(app, &q, &scope, after.as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| crate::store::from_item::<T>(i).map(&view))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(serde_json::json!({ "items": items, "cursor": page.cursor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_opens_only_in_its_scope() {
        let app = Pepper::from_base64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap();
        let (seal, open) = (seal_with, open_with);
        let here = Scope::new("list_vendor_products", "user-1", "");
        let c = seal(&app, &here, "eyJQSyI6eyJTIjoiQSJ9fQ");
        assert_eq!(open(&app, &here, &c).unwrap(), "eyJQSyI6eyJTIjoiQSJ9fQ");
        for other in [
            Scope::new("list_organisations", "user-1", ""),
            Scope::new("list_vendor_products", "user-2", ""),
            Scope::new("list_vendor_products", "user-1", "kind=agency"),
        ] {
            assert_eq!(open(&app, &other, &c).unwrap_err().code, "cursor_invalid");
        }
        let forged = c.replacen("eyJQSyI6eyJTIjoiQSJ9fQ", "eyJQSyI6eyJTIjoiQiJ9fQ", 1);
        assert_eq!(
            open(&app, &here, &forged).unwrap_err().code,
            "cursor_invalid"
        );
        assert_eq!(open(&app, &here, "garbage").unwrap_err().status, 400);
        assert_eq!(open(&app, &here, "").unwrap_err().status, 400);
    }
}
