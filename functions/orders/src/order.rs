//! The order (seed 001 §5–6): its lines, the details the buyer fills in before
//! confirming ("Form Detail Pemesanan"), its status, and the pure rules on them.
//!
//! Statuses as the seed names them: `Draft` → `Dipesan` → `Diproses` → `Dikirim` →
//! `Diterima` → `Selesai`, and `Ditolak` (the vendor cannot fulfil it). A draft is the
//! buyer's cart for one vendor: one draft per (buyer, vendor).

use crate::address::AddressSnapshot;
use loket_shared::rules::Refusal;
use serde::{Deserialize, Serialize};

/// At most this many different products in one order.
pub const MAX_LINES: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    /// JATHIL MART (seed 003 §II f): placed, waiting for the administrator's validation.
    AwaitingValidation,
    Placed,
    Processing,
    Shipped,
    Received,
    /// JATHIL MART (seed 003 §II h): paid out to the vendor from the JATHIL account.
    Paid,
    Completed,
    Declined,
    Cancelled,
    /// The vendor did not confirm in time.
    Expired,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 11] = [
        OrderStatus::Draft,
        OrderStatus::AwaitingValidation,
        OrderStatus::Placed,
        OrderStatus::Processing,
        OrderStatus::Shipped,
        OrderStatus::Received,
        OrderStatus::Paid,
        OrderStatus::Completed,
        OrderStatus::Declined,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::AwaitingValidation => "awaiting_validation",
            OrderStatus::Placed => "placed",
            OrderStatus::Processing => "processing",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Received => "received",
            OrderStatus::Paid => "paid",
            OrderStatus::Completed => "completed",
            OrderStatus::Declined => "declined",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }

    /// The status as the seed shows it.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Draft => "Draft",
            OrderStatus::AwaitingValidation => "Menunggu Validasi",
            OrderStatus::Placed => "Dipesan",
            OrderStatus::Processing => "Diproses",
            OrderStatus::Shipped => "Dikirim",
            OrderStatus::Received => "Diterima",
            OrderStatus::Paid => "Dibayar",
            OrderStatus::Completed => "Selesai",
            OrderStatus::Declined => "Ditolak",
            OrderStatus::Cancelled => "Dibatalkan",
            OrderStatus::Expired => "Kedaluwarsa",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// "Ajukan Pembatalan" is possible up to and including `Diproses` (seed 001 §5.3).
    pub fn cancellable(self) -> bool {
        matches!(self, OrderStatus::Placed | OrderStatus::Processing)
    }
}

/// Where a cancellation request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancellationState {
    /// Waits for the other party.
    Pending,
    /// The other party agreed: the order is `Dibatalkan`.
    Agreed,
    /// The other party refused, with a reason: the order goes on.
    Refused,
}

/// "Ajukan Pembatalan" (seed 001 §5.3 note): one party asks, the other agrees or
/// refuses with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    /// `buyer` or `vendor`.
    pub requested_by: loket_shared::auth::Role,
    pub requester_id: String,
    pub reason: String,
    pub at: i64,
    pub state: CancellationState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
}

/// The payment methods the order form offers (seed 001 §5.3: four, COD recommended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cod,
    BankTransfer,
    VirtualAccount,
    Kkpd,
    /// JATHIL MART: to the JATHIL account, paid out to the vendor after receipt.
    JathilTransfer,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 5] = [
        PaymentMethod::Cod,
        PaymentMethod::BankTransfer,
        PaymentMethod::VirtualAccount,
        PaymentMethod::Kkpd,
        PaymentMethod::JathilTransfer,
    ];

    /// What the order form offers: e-Order's four (seed 001 §5.3), or JATHIL MART's
    /// COD and transfer to its account (seed 003 §II h).
    pub fn offered(jathil: bool) -> &'static [PaymentMethod] {
        if jathil {
            &[PaymentMethod::Cod, PaymentMethod::JathilTransfer]
        } else {
            &[
                PaymentMethod::Cod,
                PaymentMethod::BankTransfer,
                PaymentMethod::VirtualAccount,
                PaymentMethod::Kkpd,
            ]
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cod => "cod",
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::VirtualAccount => "virtual_account",
            PaymentMethod::Kkpd => "kkpd",
            PaymentMethod::JathilTransfer => "jathil_transfer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cod => "Cash On Delivery (COD) - disarankan",
            PaymentMethod::BankTransfer => "Transfer Bank",
            PaymentMethod::VirtualAccount => "Virtual Account",
            PaymentMethod::Kkpd => "Kartu Kredit Pemerintah Daerah (KKPD)",
            PaymentMethod::JathilTransfer => "Transfer ke rekening JATHIL MART",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == code)
    }
}

/// A product in the order, as it was when put in the cart (and again when the order
/// is confirmed): later revisions of the product never change a placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product_id: String,
    pub name: String,
    /// Rupiah per pack.
    pub price: i64,
    pub quantity: u32,
    /// `H-1`, `Ready Stock` or `PO`.
    pub availability: String,
    pub min_order: u32,
    pub max_order: u32,
}

impl OrderLine {
    pub fn subtotal(&self) -> i64 {
        self.price * i64::from(self.quantity)
    }
}

/// The quantity must lie within the product's minimum and maximum order (seed 001
/// §5.1 c): a clear 400 otherwise.
pub fn check_quantity(quantity: i64, min: u32, max: u32) -> Result<u32, Refusal> {
    if quantity < i64::from(min) || quantity > i64::from(max) {
        return Err(Refusal::invalid(
            "quantity_out_of_range",
            format!("Jumlah pesanan harus antara {min} dan {max} paket (minimal dan maksimal pemesanan produk ini)"),
            "quantity",
        ));
    }
    Ok(quantity as u32)
}

/// The "Form Detail Pemesanan" (seed 001 §5.2–5.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_id: Option<String>,
    /// A copy of the chosen address: editing or deleting the address later never
    /// changes the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressSnapshot>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_date: Option<String>,
    /// `HH:MM`, when the products must have arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// The work unit the official buys for (seed 002); the primary one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satker_code: Option<String>,
}

impl OrderDetails {
    /// What "Konfirmasi Pesanan" still needs, as (field, label) pairs.
    pub fn missing(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if self.address.is_none() {
            out.push(("address_id", "Alamat Pengiriman"));
        }
        if self.activity_date.is_none() {
            out.push(("activity_date", "Tanggal Kegiatan"));
        }
        if self.activity_time.is_none() {
            out.push(("activity_time", "Waktu Kegiatan"));
        }
        if self.activity_name.is_none() {
            out.push(("activity_name", "Nama Kegiatan"));
        }
        if self.payment_method.is_none() {
            out.push(("payment_method", "Metode Pembayaran"));
        }
        out
    }
}

/// A date `YYYY-MM-DD`.
pub fn parse_date(value: &str) -> Result<time::Date, Refusal> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format).map_err(|_| {
        Refusal::invalid(
            "field_invalid",
            "Tanggal Kegiatan harus berformat YYYY-MM-DD",
            "activity_date",
        )
    })
}

/// A time `HH:MM` (24 hours).
pub fn check_time(value: &str) -> Result<(), Refusal> {
    let format = time::macros::format_description!("[hour]:[minute]");
    time::Time::parse(value, &format).map(|_| ()).map_err(|_| {
        Refusal::invalid(
            "field_invalid",
            "Waktu Kegiatan harus berformat JJ:MM (24 jam)",
            "activity_time",
        )
    })
}

/// The activity date may not be in the past, and must be at least one day ahead when
/// a line is an `H-1` product (ordered the day before).
pub fn check_activity_date(
    date: time::Date,
    today: time::Date,
    lines: &[OrderLine],
) -> Result<(), Refusal> {
    if date < today {
        return Err(Refusal::invalid(
            "activity_date_past",
            "Tanggal Kegiatan tidak boleh sebelum hari ini",
            "activity_date",
        ));
    }
    if date == today && lines.iter().any(|l| l.availability == "H-1") {
        return Err(Refusal::invalid(
            "activity_date_too_soon",
            "Produk H-1 harus dipesan paling lambat satu hari sebelum Tanggal Kegiatan",
            "activity_date",
        ));
    }
    Ok(())
}

/// The office's calendar day at `now` (epoch seconds) in a zone `offset_hours` ahead of
/// UTC (WIB +7, WITA +8, WIT +9).
pub fn office_today(now: i64, offset_hours: i8) -> time::Date {
    let t =
        time::OffsetDateTime::from_unix_timestamp(now).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let offset = time::UtcOffset::from_hms(offset_hours, 0, 0).unwrap_or(time::UtcOffset::UTC);
    t.to_offset(offset).date()
}

pub fn total(lines: &[OrderLine]) -> i64 {
    lines.iter().map(OrderLine::subtotal).sum()
}

pub use loket_shared::rules::terbilang::rupiah;

#[cfg(test)]
mod tests {
    use super::*;

    fn line(availability: &str) -> OrderLine {
        OrderLine {
            product_id: "p".into(),
            name: "Snack Box".into(),
            price: 25_000,
            quantity: 10,
            availability: availability.into(),
            min_order: 10,
            max_order: 500,
        }
    }

    #[test]
    fn a_quantity_outside_min_and_max_is_refused_with_both_bounds() {
        assert_eq!(check_quantity(10, 10, 500), Ok(10));
        assert_eq!(check_quantity(500, 10, 500), Ok(500));
        for q in [9, 501, 0, -1] {
            let e = check_quantity(q, 10, 500).unwrap_err();
            assert_eq!(e.code, "quantity_out_of_range");
            assert!(e.message.contains("10") && e.message.contains("500"));
        }
    }

    #[test]
    fn the_activity_date_is_not_past_and_a_day_ahead_for_h_1_products() {
        let today = time::macros::date!(2026 - 12 - 03);
        let tomorrow = time::macros::date!(2026 - 12 - 04);
        let yesterday = time::macros::date!(2026 - 12 - 02);
        assert_eq!(
            check_activity_date(yesterday, today, &[line("Ready Stock")])
                .unwrap_err()
                .code,
            "activity_date_past"
        );
        assert!(check_activity_date(today, today, &[line("Ready Stock")]).is_ok());
        assert_eq!(
            check_activity_date(today, today, &[line("Ready Stock"), line("H-1")])
                .unwrap_err()
                .code,
            "activity_date_too_soon"
        );
        assert!(check_activity_date(tomorrow, today, &[line("H-1")]).is_ok());
    }

    #[test]
    fn the_office_day_follows_its_zone() {
        // 2026-12-03 18:30 UTC is already 4 December in WITA (+8), still 3 December in UTC.
        let t = 1_796_322_600;
        assert_eq!(office_today(t, 0), time::macros::date!(2026 - 12 - 03));
        assert_eq!(office_today(t, 8), time::macros::date!(2026 - 12 - 04));
    }

    #[test]
    fn missing_details_are_listed_with_their_labels() {
        let d = OrderDetails::default();
        let labels: Vec<_> = d.missing().into_iter().map(|(_, l)| l).collect();
        assert_eq!(
            labels,
            [
                "Alamat Pengiriman",
                "Tanggal Kegiatan",
                "Waktu Kegiatan",
                "Nama Kegiatan",
                "Metode Pembayaran"
            ]
        );
    }

    #[test]
    fn totals_and_rupiah() {
        let mut a = line("H-1");
        a.quantity = 50;
        assert_eq!(total(&[a.clone(), line("PO")]), 1_500_000);
        assert_eq!(rupiah(1_500_000), "Rp 1.500.000");
        assert_eq!(rupiah(25_000), "Rp 25.000");
        assert_eq!(rupiah(999), "Rp 999");
        assert!(check_time("09:30").is_ok());
        assert!(check_time("25:00").is_err());
        assert!(parse_date("2026-02-30").is_err());
    }
}

/// The buyer's confirmation of receipt (seed 001 §6.2): the three checks and a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub note: Option<String>,
    pub at: i64,
}

/// JATHIL MART's payout to the vendor (seed 003 §II h): the administrator's transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// The bank transfer's reference.
    pub reference: String,
    pub at: i64,
}

/// The buyer's rating (seed 001 §6.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub stars: u8,
    pub review: Option<String>,
    pub at: i64,
}

/// An order, stored as one item (`ORDER#<id>` / `ORDER`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// The buyer's orders, newest first: `BUYERORDERS#<buyer>`.
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    /// The vendor's orders, once placed (a draft is the buyer's alone).
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi2sk: Option<String>,
    pub id: String,
    pub buyer_id: String,
    /// The buyer's organisation (work unit) the order is placed for.
    pub buyer_org: String,
    pub buyer_name: String,
    pub buyer_email: String,
    pub vendor_id: String,
    pub vendor_name: String,
    pub vendor_email: String,
    /// The vendor's SKPD Pembina (the organisation of its tasks).
    pub vendor_skpd: String,
    pub status: OrderStatus,
    pub lines: Vec<OrderLine>,
    #[serde(default)]
    pub details: OrderDetails,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_at: Option<i64>,
    /// The `Idempotency-Key` of the confirmation that placed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// The latest cancellation request, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    /// How many cancellations were requested (each is an execution of its own).
    #[serde(default)]
    pub cancellation_requests: u32,
    /// Placed in a JATHIL MART deployment: validated by its administrator first, and a
    /// transfer to its account paid out after receipt (seed 003 §II f–h).
    #[serde(default)]
    pub jathil: bool,
    /// When the administrator validated it (JATHIL MART; the service time starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validated_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout: Option<Payout>,
    /// The company account of the satker it was placed for (seed 002), when not the
    /// official's primary work unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_company: Option<crate::satker::CompanySnapshot>,
    pub version: i64,
    pub updated_at: i64,
}

loket_shared::versioned!(Order);

impl Order {
    pub fn total(&self) -> i64 {
        total(&self.lines)
    }

    /// Whether `user_id` is a party to the order (its buyer or, once placed, its vendor).
    pub fn is_party(&self, user_id: &str) -> bool {
        self.buyer_id == user_id || (self.reached_vendor() && self.vendor_id == user_id)
    }

    /// Whether JATHIL MART's administrator still has to approve the payout: paid by
    /// transfer to its account, received, not paid out yet.
    pub fn payout_required(&self) -> bool {
        self.jathil
            && self.details.payment_method == Some(PaymentMethod::JathilTransfer)
            && self.payout.is_none()
    }

    /// Whether the vendor has been told of it: placed (in JATHIL MART: validated).
    pub fn reached_vendor(&self) -> bool {
        self.status != OrderStatus::Draft && (!self.jathil || self.validated_at.is_some())
    }

    /// Whether a cancellation request waits for the other party.
    pub fn cancellation_pending(&self) -> bool {
        self.cancellation
            .as_ref()
            .is_some_and(|c| c.state == CancellationState::Pending)
    }

    /// The order's short number, as people quote it.
    pub fn number(&self) -> String {
        format!("PO-{}", &self.id[self.id.len().saturating_sub(8)..])
    }
}
