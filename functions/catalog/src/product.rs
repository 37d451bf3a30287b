//! A vendor's product (seed 000 §3, seed 001 §4.1 Lampiran 5) and its listing status.
//!
//! The item `PRODUCT#<id>` / `PRODUCT` is the working copy the vendor edits and the
//! officers check. What buyers see is a separate item, the published version
//! (`PUBLISHED`, see `index`), written only when a satpel publishes: editing a
//! published product makes the working copy a revision that goes through approval
//! while the published version stays visible and unchanged.

use loket_shared::auth::Role;
use loket_shared::http::optional;
use loket_shared::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};

pub const PRODUCT_SK: &str = "PRODUCT";
pub const PHOTO_PREFIX: &str = "PHOTO#";
/// At most this many photos per product.
pub const MAX_PHOTOS: usize = 8;
/// A product photo is an image of at most 5 MB.
pub const MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;
pub const PHOTO_TYPES: [&str; 2] = ["image/jpeg", "image/png"];

pub fn product_pk(id: &str) -> String {
    loket_shared::schema::product(id)
}

/// The vendor's own list of products (GSI1).
pub fn vendor_products(vendor_id: &str) -> String {
    loket_shared::schema::vendor_products(vendor_id)
}

/// Availability ("Ketersediaan", seed 001 Lampiran 5).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum Availability {
    /// Ordered at least one day ahead.
    #[serde(rename = "H-1")]
    DayBefore,
    #[serde(rename = "Ready Stock")]
    ReadyStock,
    /// Pre-order.
    #[serde(rename = "PO")]
    PreOrder,
}

impl Availability {
    pub const ALL: [Availability; 3] = [
        Availability::DayBefore,
        Availability::ReadyStock,
        Availability::PreOrder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Availability::DayBefore => "H-1",
            Availability::ReadyStock => "Ready Stock",
            Availability::PreOrder => "PO",
        }
    }

    pub fn parse(s: &str) -> Option<Availability> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// Product categories ("Kategori Barang"): a fixed list, so filters and the index stay
/// exact. Each is (code, label).
pub const CATEGORIES: [(&str, &str); 11] = [
    ("nasi-box", "Nasi Box"),
    ("snack-box", "Snack Box"),
    ("makanan", "Makanan"),
    ("minuman", "Minuman"),
    ("kue-roti", "Kue dan Roti"),
    ("katering", "Katering Prasmanan"),
    ("kerajinan", "Kerajinan"),
    ("busana", "Busana dan Batik"),
    ("atk", "Alat Tulis Kantor"),
    ("suvenir", "Suvenir"),
    ("lainnya", "Lainnya"),
];

pub fn category_label(code: &str) -> Option<&'static str> {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
}

/// Where a product is in its listing (seed 000 §3).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// "Buat / Simpan": the vendor edits.
    Draft,
    /// "Pengajuan": the vendor's PJLP checks (edit, reject or Proses).
    Submitted,
    /// "Penayangan": a satpel of the vendor's SKPD publishes.
    Publishing,
    /// Shown in the catalog ("tayang").
    Published,
    /// Sent back with a reason; the vendor edits and confirms again.
    Rejected,
}

impl ProductStatus {
    /// The status the vendor and the officers see.
    pub fn label(self) -> &'static str {
        match self {
            ProductStatus::Draft => "Draft",
            ProductStatus::Submitted => "Pengajuan",
            ProductStatus::Publishing => "Penayangan",
            ProductStatus::Published => "Tayang",
            ProductStatus::Rejected => "Ditolak",
        }
    }

    /// The status code (as stored and on the timeline).
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Submitted => "submitted",
            ProductStatus::Publishing => "publishing",
            ProductStatus::Published => "published",
            ProductStatus::Rejected => "rejected",
        }
    }

    pub fn parse(code: &str) -> Option<ProductStatus> {
        serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
    }

    /// Whether the vendor may change the product (a published one becomes a revision).
    pub fn editable_by_vendor(self) -> bool {
        !matches!(self, ProductStatus::Submitted | ProductStatus::Publishing)
    }

    /// Whether the vendor may confirm it ("Confirm").
    pub fn submittable(self) -> bool {
        matches!(self, ProductStatus::Draft | ProductStatus::Rejected)
    }
}

/// The human steps of the listing workflow (`Task::stage`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ListingStage {
    /// The PJLP checks ("Pengajuan").
    PjlpReview,
    /// The satpel publishes ("Penayangan").
    SatpelPublish,
}

impl ListingStage {
    pub fn parse(s: &str) -> Option<ListingStage> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ListingStage::PjlpReview => "pjlp_review",
            ListingStage::SatpelPublish => "satpel_publish",
        }
    }

    pub fn decider(self) -> Role {
        match self {
            ListingStage::PjlpReview => Role::Pjlp,
            ListingStage::SatpelPublish => Role::Satpel,
        }
    }

    /// The product status while this stage waits.
    pub fn status(self) -> ProductStatus {
        match self {
            ListingStage::PjlpReview => ProductStatus::Submitted,
            ListingStage::SatpelPublish => ProductStatus::Publishing,
        }
    }

    /// The product status after "Proses" at this stage.
    pub fn after_approval(self) -> ProductStatus {
        match self {
            ListingStage::PjlpReview => ProductStatus::Publishing,
            ListingStage::SatpelPublish => ProductStatus::Published,
        }
    }
}

/// A checked photo of the product.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Photo {
    pub id: String,
    pub content_type: String,
    pub size: u64,
    /// The S3 key; never sent to clients (they get short-lived links).
    pub key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProductRejection {
    pub stage: ListingStage,
    pub reason: String,
    pub by_role: Role,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Product {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub id: String,
    pub vendor_id: String,
    /// The vendor's SKPD Pembina: its officers check and publish the product.
    pub skpd: String,
    pub status: ProductStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Price per pack in rupiah.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_order: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_order: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub photos: Vec<Photo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<ProductRejection>,
    /// When it was first published; `None` while it never was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<i64>,
    /// How many times it was confirmed (names the workflow executions).
    #[serde(default)]
    pub submissions: u32,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl Product {
    pub fn new(id: &str, vendor_id: &str, skpd: &str, now: i64) -> Self {
        Self {
            pk: product_pk(id),
            sk: PRODUCT_SK.into(),
            gsi1pk: vendor_products(vendor_id),
            gsi1sk: format!("{now:012}#{id}"),
            id: id.into(),
            vendor_id: vendor_id.into(),
            skpd: skpd.into(),
            status: ProductStatus::Draft,
            name: None,
            price: None,
            category: None,
            availability: None,
            min_order: None,
            max_order: None,
            description: None,
            photos: Vec::new(),
            rejection: None,
            published_at: None,
            submissions: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// The fields still missing for "Confirm", as (field, label), in the form's order.
    pub fn missing(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        let mut need = |present: bool, field: &'static str, label: &'static str| {
            if !present {
                out.push((field, label));
            }
        };
        need(self.name.is_some(), "name", "Nama Produk");
        need(self.price.is_some(), "price", "Harga per Pack");
        need(self.category.is_some(), "category", "Kategori Barang");
        need(self.availability.is_some(), "availability", "Ketersediaan");
        need(self.min_order.is_some(), "min_order", "Minimal Pesan");
        need(self.max_order.is_some(), "max_order", "Maksimal Pesan");
        need(self.description.is_some(), "description", "Deskripsi");
        need(!self.photos.is_empty(), "photos", "Foto Produk");
        out
    }

    /// Whether buyers can see a published version (possibly while a revision is checked).
    pub fn is_listed(&self) -> bool {
        self.published_at.is_some()
    }

    /// The name shown in tasks and emails.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| "(tanpa nama)".into())
    }
}

/// The product form ("Lengkapi detail produk", then Simpan). Every save sends the whole
/// form; a field left out is cleared. Only "Confirm" needs every field.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProductInput {
    pub version: Option<i64>,
    pub name: Option<String>,
    pub price: Option<serde_json::Value>,
    pub category: Option<String>,
    pub availability: Option<String>,
    pub min_order: Option<serde_json::Value>,
    pub max_order: Option<serde_json::Value>,
    pub description: Option<String>,
}

/// A whole number in `range`, given as a JSON number or a string of digits ("15.000"
/// and "15000" are the same price).
fn whole(
    value: &Option<serde_json::Value>,
    field: &'static str,
    label: &str,
    range: std::ops::RangeInclusive<i64>,
) -> ApiResult<Option<i64>> {
    let invalid = || {
        ApiError::invalid(
            "field_invalid",
            format!(
                "{label} harus berupa bilangan bulat {} sampai {}",
                range.start(),
                range.end()
            ),
            field,
        )
    };
    let n = match value {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::Number(n)) => n.as_i64().ok_or_else(invalid)?,
        Some(serde_json::Value::String(s)) => {
            let digits: String = s.trim().chars().filter(|c| *c != '.').collect();
            if digits.is_empty() {
                return Ok(None);
            }
            if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 12 {
                return Err(invalid());
            }
            digits.parse().map_err(|_| invalid())?
        }
        Some(_) => return Err(invalid()),
    };
    if !range.contains(&n) {
        return Err(invalid());
    }
    Ok(Some(n))
}

impl ProductInput {
    /// Checks the form and writes it onto `p` (photos and status are not part of it).
    /// Only the name is required; "Confirm" checks the rest (`Product::missing`).
    pub fn apply(&self, p: &mut Product) -> ApiResult<()> {
        let name = optional(&self.name, "name", "Nama Produk", 120)?;
        if name.as_ref().is_some_and(|n| n.chars().count() < 3) {
            return Err(ApiError::invalid(
                "field_too_short",
                "Nama Produk minimal 3 karakter",
                "name",
            ));
        }
        let price = whole(&self.price, "price", "Harga per Pack", 1..=1_000_000_000)?;
        let category = match self.category.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(category_label(c).map(|_| c.to_string()).ok_or_else(|| {
                ApiError::invalid(
                    "category_invalid",
                    "Kategori Barang tidak dikenal, pilih dari daftar kategori",
                    "category",
                )
            })?),
        };
        let availability = match self.availability.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(a) => Some(Availability::parse(a).ok_or_else(|| {
                ApiError::invalid(
                    "availability_invalid",
                    "Ketersediaan harus H-1, Ready Stock atau PO",
                    "availability",
                )
            })?),
        };
        let min = whole(&self.min_order, "min_order", "Minimal Pesan", 1..=100_000)?;
        let max = whole(&self.max_order, "max_order", "Maksimal Pesan", 1..=100_000)?;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err(ApiError::invalid(
                    "order_range_invalid",
                    "Minimal Pesan tidak boleh lebih besar dari Maksimal Pesan",
                    "min_order",
                ));
            }
        }
        let description = optional(&self.description, "description", "Deskripsi", 2000)?;
        if name.is_none() {
            // A product is known by its name from the first "Simpan".
            return Err(ApiError::invalid(
                "field_required",
                "Nama Produk wajib diisi",
                "name",
            ));
        }
        p.name = name.map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "));
        p.price = price;
        p.category = category;
        p.availability = availability;
        p.min_order = min.map(|v| v as u32);
        p.max_order = max.map(|v| v as u32);
        p.description = description;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(v: serde_json::Value) -> ProductInput {
        serde_json::from_value(v).unwrap()
    }

    fn apply(mut v: serde_json::Value) -> ApiResult<Product> {
        let mut p = Product::new("p1", "v1", "141201", 0);
        if v.get("name").is_none() {
            v["name"] = json!("Kue Lapis");
        }
        form(v).apply(&mut p)?;
        Ok(p)
    }

    #[test]
    fn a_complete_form_leaves_only_the_photo_missing() {
        let p = apply(json!({
            "name": "  Snack Box   Gurih Andrew ", "price": "25.000", "category": "snack-box",
            "availability": "H-1", "min_order": 10, "max_order": "500",
            "description": "Isi 4 kue"
        }))
        .unwrap();
        assert_eq!(p.name.as_deref(), Some("Snack Box Gurih Andrew"));
        assert_eq!(p.price, Some(25_000));
        assert_eq!(p.availability, Some(Availability::DayBefore));
        assert_eq!((p.min_order, p.max_order), (Some(10), Some(500)));
        assert_eq!(
            p.missing(),
            vec![("photos", "Foto Produk")],
            "only the photo is missing"
        );
    }

    #[test]
    fn order_quantities_are_at_least_one_and_min_not_above_max() {
        let e = apply(json!({ "min_order": 0 })).unwrap_err();
        assert_eq!((e.status, e.code), (400, "field_invalid"));
        let e = apply(json!({ "min_order": 20, "max_order": 10 })).unwrap_err();
        assert_eq!(e.code, "order_range_invalid");
        assert!(apply(json!({ "min_order": 10, "max_order": 10 })).is_ok());
        let e = apply(json!({ "max_order": 2.5 })).unwrap_err();
        assert_eq!(e.field, Some("max_order"));
    }

    #[test]
    fn price_category_and_availability_are_checked() {
        assert_eq!(
            apply(json!({ "price": -5 })).unwrap_err().code,
            "field_invalid"
        );
        assert_eq!(
            apply(json!({ "price": "15rb" })).unwrap_err().code,
            "field_invalid"
        );
        assert_eq!(
            apply(json!({ "category": "senjata" })).unwrap_err().code,
            "category_invalid"
        );
        assert_eq!(
            apply(json!({ "availability": "Besok" })).unwrap_err().code,
            "availability_invalid"
        );
        assert_eq!(
            apply(json!({ "name": "ab" })).unwrap_err().code,
            "field_too_short"
        );
        assert_eq!(
            apply(json!({ "name": "  " })).unwrap_err().code,
            "field_required"
        );
    }

    #[test]
    fn statuses_say_who_may_act() {
        assert!(ProductStatus::Published.editable_by_vendor());
        assert!(!ProductStatus::Submitted.editable_by_vendor());
        assert!(!ProductStatus::Publishing.editable_by_vendor());
        assert!(ProductStatus::Rejected.submittable());
        assert!(!ProductStatus::Published.submittable());
        assert_eq!(ListingStage::PjlpReview.decider(), Role::Pjlp);
        assert_eq!(
            ListingStage::SatpelPublish.after_approval(),
            ProductStatus::Published
        );
        assert_eq!(
            ListingStage::parse("satpel_publish"),
            Some(ListingStage::SatpelPublish)
        );
    }
}
