//! JATHIL MART's service time (seed 003, "Waktu Penyelesaian 3 Hari"): at most three
//! working days from the administrator's validation to the buyer's receipt for a
//! delivery within Kabupaten Ponorogo; outside it the time "adjusts" (no fixed limit).
//!
//! The validation's transaction writes the order's entry in the month of its
//! validation (`JATHILREPORT#<YYYY-MM>` / `<SKPD>#<vendor>#<order>`), the receipt's
//! transaction adds its time. `GET /admin/jathil/service-report?month=YYYY-MM` reads
//! one month (a field or main administrator: their SKPD's vendors; the platform
//! administrator: all) and reports per vendor: orders, received, on time, late, still
//! open, outside the regency, and the share on time — counted in working days with
//! the admins' holiday calendar ([`report`] is pure).

use crate::order::Order;
use loket_reference::holidays;
use loket_shared::auth::Role;
use loket_shared::http::{authenticate, json, query_param, Request, Response};
use loket_shared::rules::workdays::{wib_date, working_days_between};
use loket_shared::store::{from_item, key, n, Item, Query, Tx};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use time::{Date, OffsetDateTime};

fn month_of(epoch: i64) -> String {
    let d =
        wib_date(OffsetDateTime::from_unix_timestamp(epoch).unwrap_or(OffsetDateTime::UNIX_EPOCH));
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

fn entry_key(o: &Order, validated_at: i64) -> Item {
    key(
        loket_shared::schema::jathil_report(&month_of(validated_at)),
        format!("{}#{}#{}", o.vendor_skpd, o.vendor_id, o.id),
    )
}

/// An order in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub vendor_id: String,
    pub vendor_name: String,
    pub org: String,
    pub order_id: String,
    pub validated_at: i64,
    #[serde(default)]
    pub received_at: Option<i64>,
    /// Delivered within the service area (the service time applies).
    pub within_area: bool,
}

/// Adds to `tx` the entry of `o`, just validated (JATHIL MART).
pub fn record_validation(app: &App, tx: &mut Tx, o: &Order) -> ApiResult<()> {
    let Some(validated_at) = o.validated_at else {
        return Ok(());
    };
    let within_area = o
        .details
        .address
        .as_ref()
        .is_some_and(|a| a.regency_code == app.cfg.orders.jathil_regency);
    let entry = Entry {
        vendor_id: o.vendor_id.clone(),
        vendor_name: o.vendor_name.clone(),
        org: o.vendor_skpd.clone(),
        order_id: o.id.clone(),
        validated_at,
        received_at: None,
        within_area,
    };
    let mut item = loket_shared::store::to_item(&entry)?;
    item.extend(entry_key(o, validated_at));
    tx.put(app.store.table(), item);
    Ok(())
}

/// Adds to `tx` the receipt's time on `o`'s entry (JATHIL MART, once validated).
pub fn record_receipt(app: &App, tx: &mut Tx, o: &Order) {
    let (Some(validated_at), Some(receipt)) = (o.validated_at, o.receipt.as_ref()) else {
        return;
    };
    tx.update(
        app.store.table(),
        entry_key(o, validated_at),
        "SET received_at = :at",
        Some("attribute_exists(PK)"),
        HashMap::new(),
        HashMap::from([(":at".to_string(), n(receipt.at))]),
    );
}

/// One vendor's line in the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VendorLine {
    pub vendor_id: String,
    pub vendor_name: String,
    /// Validated in the month.
    pub orders: u32,
    pub received: u32,
    /// Received within the service time (within the regency).
    pub on_time: u32,
    /// Received late, or still open past the service time (within the regency).
    pub late: u32,
    /// Not received yet and still within the service time.
    pub open: u32,
    /// Delivered outside the regency: the time adjusts, not counted on time or late.
    pub outside_area: u32,
    /// `on_time / (on_time + late)`; `None` when nothing is decided yet.
    pub share_on_time: Option<f64>,
}

fn date_of(epoch: i64) -> Date {
    wib_date(OffsetDateTime::from_unix_timestamp(epoch).unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

/// The report of `entries` on `today`: pure.
pub fn report(
    entries: &[Entry],
    service_days: i64,
    today: Date,
    holidays: &BTreeSet<Date>,
) -> Vec<VendorLine> {
    let mut lines: BTreeMap<&str, VendorLine> = BTreeMap::new();
    for e in entries {
        let line = lines.entry(&e.vendor_id).or_insert_with(|| VendorLine {
            vendor_id: e.vendor_id.clone(),
            vendor_name: e.vendor_name.clone(),
            ..VendorLine::default()
        });
        line.orders += 1;
        line.received += e.received_at.is_some() as u32;
        if !e.within_area {
            line.outside_area += 1;
            continue;
        }
        let start = date_of(e.validated_at);
        match e.received_at {
            Some(at) if working_days_between(start, date_of(at), holidays) <= service_days => {
                line.on_time += 1
            }
            Some(_) => line.late += 1,
            None if working_days_between(start, today, holidays) > service_days => line.late += 1,
            None => line.open += 1,
        }
    }
    lines
        .into_values()
        .map(|mut l| {
            let decided = l.on_time + l.late;
            l.share_on_time = (decided > 0).then(|| f64::from(l.on_time) / f64::from(decided));
            l
        })
        .collect()
}

/// `GET /admin/jathil/service-report?month=YYYY-MM`: the month's service time per vendor.
pub async fn service_report(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::FieldAdmin, Role::MainAdmin, Role::Admin])?;
    let now = app.clock.now();
    let month = match query_param(&req, "month").filter(|m| !m.is_empty()) {
        None => month_of(now.unix_timestamp()),
        Some(m) => {
            let valid = m.len() == 7
                && m.as_bytes()[4] == b'-'
                && m[..4].parse::<u16>().is_ok()
                && m[5..].parse::<u8>().is_ok_and(|mm| (1..=12).contains(&mm));
            if !valid {
                return Err(ApiError::invalid(
                    "month_invalid",
                    "Bulan harus berformat YYYY-MM",
                    "month",
                ));
            }
            m
        }
    };
    let mut q = Query::partition(loket_shared::schema::jathil_report(&month));
    // An SKPD's administrators see its vendors; the platform administrator sees all.
    if !caller.has_role(Role::Admin) {
        let org = caller.org.clone().ok_or_else(ApiError::forbidden)?;
        q = q.sk_begins_with("SK", format!("{org}#"));
    }
    let entries = app
        .store
        .query_all(&q)
        .await?
        .into_iter()
        .map(from_item::<Entry>)
        .collect::<ApiResult<Vec<_>>>()?;
    let today = wib_date(now);
    let calendar = holidays::load(&app.store, &[today.year() - 1, today.year()]).await?;
    let days = app.cfg.orders.jathil_service_working_days;
    let vendors = report(&entries, days, today, &calendar);
    json(
        200,
        &serde_json::json!({
            "month": month,
            "service_working_days": days,
            "regency_code": app.cfg.orders.jathil_regency,
            "vendors": vendors,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn at(d: Date) -> i64 {
        // 10:00 WIB.
        d.midnight().assume_utc().unix_timestamp() + 3 * 3600
    }

    fn entry(vendor: &str, validated: Date, received: Option<Date>, within: bool) -> Entry {
        Entry {
            vendor_id: vendor.into(),
            vendor_name: format!("UMKM {vendor}"),
            org: "141201".into(),
            order_id: format!("{vendor}-{validated}"),
            validated_at: at(validated),
            received_at: received.map(at),
            within_area: within,
        }
    }

    #[test]
    fn three_working_days_from_validation_to_receipt_within_the_regency() {
        // Monday 2026-12-07; the 10th is a holiday.
        let holidays = BTreeSet::from([date!(2026 - 12 - 10)]);
        let mon = date!(2026 - 12 - 07);
        let entries = [
            // Thursday is the third working day: on time.
            entry("a", mon, Some(date!(2026 - 12 - 10)), true),
            // Monday to the next Monday, with the holiday: 4 working days, late.
            entry("a", mon, Some(date!(2026 - 12 - 14)), true),
            // Friday to Wednesday: 3 working days (weekend not counted), on time.
            entry(
                "a",
                date!(2026 - 12 - 04),
                Some(date!(2026 - 12 - 09)),
                true,
            ),
            // Outside the regency: not judged.
            entry("a", mon, Some(date!(2026 - 12 - 31)), false),
            // Still open: within the time on Wednesday, late on the next Tuesday.
            entry("b", mon, None, true),
        ];
        let wed = report(&entries, 3, date!(2026 - 12 - 09), &holidays);
        assert_eq!(wed[0].orders, 4);
        assert_eq!(wed[0].received, 4);
        assert_eq!(
            (wed[0].on_time, wed[0].late, wed[0].outside_area),
            (2, 1, 1)
        );
        assert_eq!(wed[0].share_on_time, Some(2.0 / 3.0));
        assert_eq!(
            (wed[1].open, wed[1].late, wed[1].share_on_time),
            (1, 0, None)
        );
        let later = report(&entries, 3, date!(2026 - 12 - 15), &holidays);
        assert_eq!((later[1].open, later[1].late), (0, 1));
        assert_eq!(later[1].share_on_time, Some(0.0));
    }
}
