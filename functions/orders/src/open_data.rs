//! Open data (beyond the seeds): completed orders published as an OCDS 1.1 release
//! package, so that what the government spends at its UMKM is transparent.
//!
//! When an order is completed (the buyer's rating, `Selesai`), the rating's transaction
//! also writes its release (`OPENDATA#ORDERS` / `<completed 12 digits>#<order>`): the
//! buyer as its work unit, the supplier as its business, the lines, the values in IDR
//! and the dates — no person's name, email, address or review. `GET
//! /open-data/orders?from=&to=` reads one range of that partition, 100 releases per
//! page with a cursor, and wraps them in a release package.

use crate::order::{Order, OrderLine};
use loket_shared::http::{json, query_param, Request, Response};
use loket_shared::schema;
use loket_shared::store::{get_s, n, s, Item, Query};
use loket_shared::{cursor, ApiError, ApiResult, App};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// Releases per page.
const PAGE: i32 = 100;
/// The longest range one request may ask for.
const MAX_DAYS: i64 = 366;
/// The prefix of every `ocid` (a registered OCDS prefix would replace it in production).
pub const OCID_PREFIX: &str = "ocds-loket";

fn rfc3339(epoch: i64) -> String {
    OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn value(amount: i64) -> serde_json::Value {
    serde_json::json!({ "amount": amount, "currency": "IDR" })
}

fn items(lines: &[OrderLine]) -> Vec<serde_json::Value> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            serde_json::json!({
                "id": (i + 1).to_string(),
                "description": l.name,
                "quantity": l.quantity,
                "unit": { "name": "paket", "value": value(l.price) },
            })
        })
        .collect()
}

/// The OCDS release of completed order `o` (bought by work unit `work_unit`, completed
/// at `completed_at`): pure, no personal data.
pub fn release(o: &Order, work_unit: &str, completed_at: i64) -> serde_json::Value {
    let buyer = serde_json::json!({ "id": format!("org-{}", o.buyer_org), "name": work_unit });
    let supplier =
        serde_json::json!({ "id": format!("umkm-{}", o.vendor_id), "name": o.vendor_name });
    let placed = rfc3339(o.placed_at.unwrap_or(o.created_at));
    let completed = rfc3339(completed_at);
    let total = value(o.total());
    let items = items(&o.lines);
    serde_json::json!({
        "ocid": format!("{OCID_PREFIX}-{}", o.id),
        "id": format!("{}-selesai", o.id),
        "date": completed,
        "tag": ["award", "contract", "contractTermination"],
        "initiationType": "tender",
        "language": "id",
        "parties": [
            { "id": buyer["id"], "name": buyer["name"], "roles": ["buyer", "procuringEntity"] },
            { "id": supplier["id"], "name": supplier["name"], "roles": ["supplier"] },
        ],
        "buyer": buyer,
        "tender": {
            "id": o.number(),
            "title": format!("Pesanan {}", o.number()),
            "status": "complete",
            "procurementMethod": "direct",
            "procurementMethodDetails": "Pemesanan langsung dari katalog elektronik UMKM (e-Order)",
            "mainProcurementCategory": "goods",
            "items": items,
            "value": total,
        },
        "awards": [{
            "id": format!("{}-award", o.id),
            "status": "active",
            "date": placed,
            "value": total,
            "suppliers": [supplier],
            "items": items,
        }],
        "contracts": [{
            "id": format!("{}-contract", o.id),
            "awardID": format!("{}-award", o.id),
            "status": "terminated",
            "dateSigned": placed,
            "period": { "startDate": placed, "endDate": completed },
            "value": total,
            "items": items,
        }],
    })
}

/// The item that publishes `o`'s release (written with its completion).
pub fn release_item(o: &Order, work_unit: &str, completed_at: i64) -> Item {
    Item::from([
        ("PK".to_string(), s(schema::OPEN_DATA_ORDERS)),
        ("SK".to_string(), s(format!("{completed_at:012}#{}", o.id))),
        ("order_id".to_string(), s(&o.id)),
        ("completed_at".to_string(), n(completed_at)),
        (
            "release".to_string(),
            s(release(o, work_unit, completed_at).to_string()),
        ),
    ])
}

fn date_param(req: &Request, name: &'static str, default: Date) -> ApiResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match query_param(req, name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => Date::parse(&v, &format).map_err(|_| {
            ApiError::invalid(
                "date_invalid",
                format!("Tanggal {name} harus berformat YYYY-MM-DD"),
                name,
            )
        }),
    }
}

/// `GET /open-data/orders?from=&to=` (public): the orders completed from `from` to `to`
/// (dates, inclusive, UTC; by default the last 30 days, at most 366 days), oldest first,
/// as an OCDS 1.1 release package; paged.
pub async fn list_open_orders(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let today = app.clock.now().date();
    let to = date_param(&req, "to", today)?;
    let from = date_param(&req, "from", to - time::Duration::days(30))?;
    if from > to || (to - from).whole_days() >= MAX_DAYS {
        return Err(ApiError::invalid(
            "range_invalid",
            format!("Rentang tanggal harus dari ≤ sampai, paling lama {MAX_DAYS} hari"),
            "from",
        ));
    }
    let start = from.midnight().assume_utc().unix_timestamp();
    let end = (to + time::Duration::days(1))
        .midnight()
        .assume_utc()
        .unix_timestamp();
    let q = Query::partition(schema::OPEN_DATA_ORDERS)
        .sk_between("SK", format!("{start:012}"), format!("{end:012}"))
        .limit(PAGE);
    let scope = cursor::Scope::of("list_open_orders", "", &req);
    let page = cursor::page(&app, &q, &scope, query_param(&req, "cursor").as_deref()).await?;
    let releases = page
        .items
        .iter()
        .filter_map(|i| get_s(i, "release"))
        .map(serde_json::from_str::<serde_json::Value>)
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::internal)?;
    let base = format!(
        "{}/open-data/orders?from={from}&to={to}",
        app.cfg.public_url
    );
    json(
        200,
        &serde_json::json!({
            "uri": base,
            "version": "1.1",
            "publishedDate": rfc3339(app.clock.epoch()),
            "publisher": { "name": "Loket — layanan elektronik pemerintah daerah" },
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "publicationPolicy": format!("{}/open-data", app.cfg.public_url),
            "releases": releases,
            "links": { "next": page.cursor.as_ref().map(|c| format!("{base}&cursor={c}")) },
            "cursor": page.cursor,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_carries_the_order_but_no_person() {
        let o: Order = serde_json::from_value(serde_json::json!({
            "PK": "ORDER#01JABCDEFGHJKMNPQRSTVWXYZ0", "SK": "ORDER",
            "GSI1PK": "BUYERORDERS#b", "GSI1SK": "1#x",
            "id": "01JABCDEFGHJKMNPQRSTVWXYZ0", "buyer_id": "b", "buyer_org": "141732",
            "buyer_name": "Budi Santoso", "buyer_email": "budi@contoh.id", "vendor_id": "v",
            "vendor_name": "Katering Sehat", "vendor_email": "umkm@contoh.id",
            "vendor_skpd": "141201", "status": "completed",
            "lines": [{ "product_id": "p", "name": "Snack Box", "price": 25000, "quantity": 40,
                        "availability": "H-1", "min_order": 10, "max_order": 500 }],
            "details": { "activity_name": "Rapat", "notes": "Antar ke lobi" },
            "created_at": 1_764_000_000, "placed_at": 1_764_000_100,
            "version": 5, "updated_at": 1_764_100_000,
            "rating": { "stars": 5, "review": "Enak sekali, Pak Budi puas", "at": 1_764_100_000 }
        }))
        .unwrap();
        let r = release(&o, "Biro Pengadaan Barang dan Jasa", 1_764_100_000);
        assert_eq!(r["ocid"], "ocds-loket-01JABCDEFGHJKMNPQRSTVWXYZ0");
        assert_eq!(r["buyer"]["name"], "Biro Pengadaan Barang dan Jasa");
        assert_eq!(r["awards"][0]["suppliers"][0]["name"], "Katering Sehat");
        assert_eq!(r["contracts"][0]["value"]["amount"], 1_000_000);
        assert_eq!(r["contracts"][0]["value"]["currency"], "IDR");
        assert_eq!(r["tender"]["items"][0]["quantity"], 40);
        assert_eq!(r["date"], "2025-11-25T19:46:40Z");
        let text = r.to_string();
        for personal in [
            "Budi",
            "budi@contoh.id",
            "umkm@contoh.id",
            "Enak",
            "lobi",
            "Rapat",
        ] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
}
