//! The holiday calendar admins keep (national and regional holidays, collective leave):
//! deadlines in working days skip these dates (`loket_shared::rules::workdays`).
//!
//! Storage: `HOLIDAY#<year>` / `<YYYY-MM-DD>` with the holiday's name.

use loket_shared::auth::Role;
use loket_shared::http::{authenticate, body, json, path_param, query_param, Request, Response};
use loket_shared::store::{get_s, key, s, Query, Store, Tx};
use loket_shared::{ApiError, ApiResult, App};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use time::Date;

fn parse_date(text: &str) -> ApiResult<Date> {
    Date::parse(
        text,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| ApiError::invalid("date_invalid", "Tanggal harus berformat YYYY-MM-DD", "date"))
}

fn holiday_pk(year: i32) -> String {
    loket_shared::schema::holidays(year)
}

/// The holidays of `years`.
pub async fn load(store: &Store, years: &[i32]) -> ApiResult<BTreeSet<Date>> {
    let mut out = BTreeSet::new();
    for year in years {
        for item in store
            .query_all(&Query::partition(holiday_pk(*year)))
            .await?
        {
            if let Some(d) = get_s(&item, "SK").and_then(|d| parse_date(d).ok()) {
                out.insert(d);
            }
        }
    }
    Ok(out)
}

/// `GET /holidays?year=2026`: the calendar of a year (public).
pub async fn list_holidays(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let year = match query_param(&req, "year") {
        None => app.clock.now().year(),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| ApiError::invalid("year_invalid", "Tahun tidak valid", "year"))?,
    };
    let items: Vec<serde_json::Value> = app
        .store
        .query_all(&Query::partition(holiday_pk(year)))
        .await?
        .iter()
        .map(|i| {
            serde_json::json!({
                "date": get_s(i, "SK").unwrap_or_default(),
                "name": get_s(i, "name").unwrap_or_default(),
            })
        })
        .collect();
    json(200, &serde_json::json!({ "year": year, "items": items }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HolidayInput {
    name: Option<String>,
}

/// `PUT /admin/holidays/{date}`: adds (or renames) a holiday. Admins only.
pub async fn put_holiday(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Admin])?;
    let date = parse_date(&path_param(&req, "date")?)?;
    let r: HolidayInput = body(&req)?;
    let name = r
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().count() <= 100)
        .ok_or_else(|| {
            ApiError::invalid(
                "field_required",
                "Nama hari libur wajib diisi (maksimal 100 karakter)",
                "name",
            )
        })?
        .to_string();
    let mut item = key(holiday_pk(date.year()), date.to_string());
    item.insert("name".into(), s(&name));
    let mut tx = Tx::new();
    tx.put(app.store.table(), item);
    app.store.transact(tx).await?;
    json(
        200,
        &serde_json::json!({ "date": date.to_string(), "name": name, "message": "Hari libur disimpan" }),
    )
}

/// `DELETE /admin/holidays/{date}`: removes a holiday. Admins only.
pub async fn delete_holiday(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Admin])?;
    let date = parse_date(&path_param(&req, "date")?)?;
    app.store
        .delete(&holiday_pk(date.year()), &date.to_string())
        .await?;
    json(
        200,
        &serde_json::json!({ "date": date.to_string(), "message": "Hari libur dihapus" }),
    )
}
