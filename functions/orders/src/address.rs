//! The buyer's delivery addresses ("Pengaturan > Alamat", seed 001 §3.2): name, type
//! `Utama` or `Kegiatan`, street, country, province, city/regency, kecamatan (checked
//! against the region reference data), postal code and a map point inside Indonesia.
//! An order copies the address it uses ([`AddressSnapshot`]): editing or deleting the
//! address later never changes an order.

use loket_reference::regions;
use loket_shared::auth::{Caller, Role};
use loket_shared::http::{
    authenticate, body, json, optional, path_param, required, Request, Response,
};
use loket_shared::rules::Refusal;
use loket_shared::schema;
use loket_shared::store::{from_item, key, to_item, Query, Tx};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// At most this many addresses per buyer.
pub const MAX_ADDRESSES: usize = 20;

/// Indonesia's extent (with a margin): Sabang to Merauke, Miangas to Rote.
const LATITUDE: (f64, f64) = (-11.5, 6.5);
const LONGITUDE: (f64, f64) = (94.5, 141.5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressKind {
    Utama,
    Kegiatan,
}

impl AddressKind {
    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "Utama" => Some(Self::Utama),
            "Kegiatan" => Some(Self::Kegiatan),
            _ => None,
        }
    }
}

/// The address as an order keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressSnapshot {
    pub name: String,
    pub kind: AddressKind,
    pub street: String,
    pub country: String,
    pub province_code: String,
    pub province_name: String,
    pub regency_code: String,
    pub regency_name: String,
    pub district_code: String,
    pub district_name: String,
    pub postal_code: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl Eq for AddressSnapshot {}

impl AddressSnapshot {
    /// One line, as an email or the vendor's order page shows it.
    pub fn one_line(&self) -> String {
        format!(
            "{}, Kec. {}, {}, {} {}",
            self.street,
            self.district_name,
            self.regency_name,
            self.province_name,
            self.postal_code
        )
    }
}

/// A stored address (`USER#<buyer>` / `ADDRESS#<id>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryAddress {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub id: String,
    #[serde(flatten)]
    pub address: AddressSnapshot,
    pub version: i64,
    pub updated_at: i64,
}

loket_shared::versioned!(DeliveryAddress);

impl DeliveryAddress {
    pub fn view(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.address).unwrap_or_default();
        v["id"] = self.id.clone().into();
        v["version"] = self.version.into();
        v
    }
}

/// The address form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddressInput {
    name: Option<String>,
    kind: Option<String>,
    street: Option<String>,
    country: Option<String>,
    province_code: Option<String>,
    regency_code: Option<String>,
    district_code: Option<String>,
    postal_code: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// The version the form was read at (optional on update: a later change wins nothing).
    version: Option<i64>,
}

/// The map point must lie in Indonesia.
pub fn check_point(latitude: Option<f64>, longitude: Option<f64>) -> Result<(f64, f64), Refusal> {
    let lat = latitude.ok_or_else(|| {
        Refusal::invalid(
            "field_required",
            "Titik lokasi (latitude) wajib diisi",
            "latitude",
        )
    })?;
    let lon = longitude.ok_or_else(|| {
        Refusal::invalid(
            "field_required",
            "Titik lokasi (longitude) wajib diisi",
            "longitude",
        )
    })?;
    if !(LATITUDE.0..=LATITUDE.1).contains(&lat) || !lat.is_finite() {
        return Err(Refusal::invalid(
            "point_outside_indonesia",
            "Titik lokasi harus berada di wilayah Indonesia",
            "latitude",
        ));
    }
    if !(LONGITUDE.0..=LONGITUDE.1).contains(&lon) || !lon.is_finite() {
        return Err(Refusal::invalid(
            "point_outside_indonesia",
            "Titik lokasi harus berada di wilayah Indonesia",
            "longitude",
        ));
    }
    Ok((lat, lon))
}

fn check_postal_code(v: &str) -> Result<(), Refusal> {
    if v.len() != 5 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::invalid(
            "postal_code_invalid",
            "Kode Pos harus 5 digit angka",
            "postal_code",
        ));
    }
    Ok(())
}

impl AddressInput {
    /// The checked address: every field required, codes against the reference data.
    async fn check(&self, app: &App) -> ApiResult<AddressSnapshot> {
        let name = required(&self.name, "name", "Nama Alamat", 80)?;
        let kind = required(&self.kind, "kind", "Jenis Alamat", 20)?;
        let kind = AddressKind::parse(&kind).ok_or_else(|| {
            ApiError::invalid(
                "field_invalid",
                "Jenis Alamat harus Utama atau Kegiatan",
                "kind",
            )
        })?;
        let street = required(&self.street, "street", "Nama Jalan", 200)?;
        let country =
            optional(&self.country, "country", "Negara", 40)?.unwrap_or_else(|| "Indonesia".into());
        if country != "Indonesia" {
            return Err(ApiError::invalid(
                "field_invalid",
                "Negara hanya dapat diisi Indonesia",
                "country",
            ));
        }
        let province = required(&self.province_code, "province_code", "Provinsi", 20)?;
        let regency = required(
            &self.regency_code,
            "regency_code",
            "Kotamadya/Kabupaten",
            20,
        )?;
        let district = required(&self.district_code, "district_code", "Kecamatan", 20)?;
        let postal_code = required(&self.postal_code, "postal_code", "Kode Pos", 5)?;
        check_postal_code(&postal_code)?;
        let (latitude, longitude) = check_point(self.latitude, self.longitude)?;
        let d = regions::check_district(&app.store, &province, &regency, &district).await?;
        Ok(AddressSnapshot {
            name,
            kind,
            street,
            country,
            province_code: d.province_code,
            province_name: d.province_name,
            regency_code: d.regency_code,
            regency_name: d.regency_name,
            district_code: d.district_code,
            district_name: d.district_name,
            postal_code,
            latitude,
            longitude,
        })
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("address_not_found", "Alamat tidak ditemukan")
}

fn buyer(caller: &Caller) -> ApiResult<()> {
    caller.require_any(&[Role::Buyer])
}

/// The buyer's address `id` (another buyer's is not found: addresses are per user).
pub async fn load(app: &App, buyer_id: &str, id: &str) -> ApiResult<DeliveryAddress> {
    if id.is_empty() || id.len() > 40 {
        return Err(not_found());
    }
    app.store
        .get_as(&schema::user(buyer_id), &schema::address_sk(id))
        .await?
        .ok_or_else(not_found)
}

async fn all(app: &App, buyer_id: &str) -> ApiResult<Vec<DeliveryAddress>> {
    app.store
        .query_all(
            &Query::partition(schema::user(buyer_id)).sk_begins_with("SK", schema::ADDRESS_PREFIX),
        )
        .await?
        .into_iter()
        .map(from_item)
        .collect()
}

/// `GET /buyer/addresses`: the buyer's addresses, `Utama` first.
pub async fn list_addresses(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    buyer(&caller)?;
    let mut items = all(&app, &caller.user_id).await?;
    items.sort_by_key(|a| (a.address.kind != AddressKind::Utama, a.address.name.clone()));
    let items: Vec<_> = items.iter().map(DeliveryAddress::view).collect();
    json(200, &serde_json::json!({ "items": items }))
}

/// `POST /buyer/addresses`: "Simpan" of a new address.
pub async fn create_address(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    buyer(&caller)?;
    let input: AddressInput = body(&req)?;
    let address = input.check(&app).await?;
    if all(&app, &caller.user_id).await?.len() >= MAX_ADDRESSES {
        return Err(ApiError::conflict(
            "address_limit",
            format!("Alamat maksimal {MAX_ADDRESSES}; hapus alamat yang tidak dipakai"),
        ));
    }
    let id = app.ids.id();
    let a = DeliveryAddress {
        pk: schema::user(&caller.user_id),
        sk: schema::address_sk(&id),
        id,
        address,
        version: 1,
        updated_at: app.clock.epoch(),
    };
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&a)?);
    app.store.transact(tx).await?;
    let mut v = a.view();
    v["message"] = "Alamat berhasil disimpan".into();
    json(201, &v)
}

/// `PUT /buyer/addresses/{id}`: edits an address (orders keep their copy).
pub async fn update_address(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    buyer(&caller)?;
    let mut a = load(&app, &caller.user_id, &path_param(&req, "id")?).await?;
    let input: AddressInput = body(&req)?;
    if input.version.is_some_and(|v| v != a.version) {
        return Err(ApiError::concurrent_update());
    }
    a.address = input.check(&app).await?;
    let expected = a.version;
    loket_shared::approval::Versioned::stamp(&mut a, app.clock.epoch());
    let mut tx = Tx::new();
    tx.put_versioned(app.store.table(), to_item(&a)?, expected);
    app.store.transact(tx).await?;
    let mut v = a.view();
    v["message"] = "Alamat berhasil disimpan".into();
    json(200, &v)
}

/// `DELETE /buyer/addresses/{id}`.
pub async fn delete_address(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    buyer(&caller)?;
    let a = load(&app, &caller.user_id, &path_param(&req, "id")?).await?;
    let mut tx = Tx::new();
    tx.delete_versioned(
        app.store.table(),
        key(a.pk.clone(), a.sk.clone()),
        a.version,
    );
    app.store.transact(tx).await?;
    json(
        200,
        &serde_json::json!({ "message": "Alamat berhasil dihapus" }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_point_is_inside_indonesia() {
        assert_eq!(
            check_point(Some(-0.502), Some(117.153)),
            Ok((-0.502, 117.153))
        );
        assert_eq!(check_point(Some(5.89), Some(95.32)), Ok((5.89, 95.32)));
        assert_eq!(check_point(Some(-8.49), Some(140.4)), Ok((-8.49, 140.4)));
        for (lat, lon) in [
            (1.35, 103.0 - 10.0),
            (51.5, 0.0),
            (-0.5, 150.0),
            (f64::NAN, 110.0),
        ] {
            assert_eq!(
                check_point(Some(lat), Some(lon)).unwrap_err().code,
                "point_outside_indonesia"
            );
        }
        assert_eq!(
            check_point(None, Some(110.0)).unwrap_err().code,
            "field_required"
        );
    }

    #[test]
    fn a_postal_code_is_five_digits() {
        assert!(check_postal_code("75251").is_ok());
        for bad in ["7525", "752511", "7525a", "     "] {
            assert!(check_postal_code(bad).is_err(), "{bad}");
        }
    }
}
