//! The map of issued permits (seed 004 §2.2.1 "WebGIS"; issue 14 §6): `GET
//! /webgis/permits?bbox=&type=&agency=` answers the issued permits inside a map area
//! as GeoJSON — their public fields only (number, permit type, agency, validity, the
//! point), never the holder or the address. No scan: the permit's issuance writes a
//! map entry under the geohash cell of its location (`PERMITMAP#<geohash, 3
//! characters>` — cells of about 1.4° × 1.4°), and a request reads the cells its box
//! covers (at most [`MAX_CELLS`]).
//!
//! The public page `/peta-izin` shows them on a map: Leaflet from npm (its files
//! embedded at build time from `infra/local/node_modules/leaflet/dist`, served by us
//! under `/static/leaflet/`), a small script of ours that asks the GeoJSON route for
//! the visible area, and map tiles from `LOKET_MAP_TILES` (a URL template). The page's
//! own Content-Security-Policy allows scripts from this site only, and images from the
//! tile server.

use crate::application::Application;
use crate::issuance::PermitData;
use loket_shared::http::{json, query_param, Request, Response};
use loket_shared::schema;
use loket_shared::store::{from_item, Query};
use loket_shared::{web, ApiError, ApiResult, App};
use maud::html;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The geohash precision of the map index.
pub const PRECISION: usize = 3;
/// The most cells one request reads (a box wider than about a large province is refused).
pub const MAX_CELLS: usize = 64;

const BASE32: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";

/// The geohash of a point, `precision` characters.
pub fn geohash(lat: f64, lon: f64, precision: usize) -> String {
    let (mut lat_range, mut lon_range) = ((-90.0, 90.0), (-180.0, 180.0));
    let mut out = String::with_capacity(precision);
    let (mut bits, mut value, mut even) = (0, 0usize, true);
    while out.len() < precision {
        let (range, x) = if even {
            (&mut lon_range, lon)
        } else {
            (&mut lat_range, lat)
        };
        let mid = (range.0 + range.1) / 2.0;
        value <<= 1;
        if x >= mid {
            value |= 1;
            range.0 = mid;
        } else {
            range.1 = mid;
        }
        even = !even;
        bits += 1;
        if bits == 5 {
            out.push(BASE32[value] as char);
            bits = 0;
            value = 0;
        }
    }
    out
}

/// The size of a cell at `precision`: (degrees of latitude, degrees of longitude).
fn cell_size(precision: usize) -> (f64, f64) {
    let bits = precision * 5;
    let lon_bits = bits.div_ceil(2);
    let lat_bits = bits / 2;
    (
        180.0 / f64::from(1u32 << lat_bits),
        360.0 / f64::from(1u32 << lon_bits),
    )
}

/// A map area: west, south, east, north (degrees).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    /// `west,south,east,north`, each a number, inside the world, west < east and
    /// south < north.
    pub fn parse(text: &str) -> Option<BBox> {
        let v: Vec<f64> = text
            .split(',')
            .map(|p| p.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect::<Option<_>>()?;
        let [west, south, east, north] = v[..] else {
            return None;
        };
        let ok = (-180.0..=180.0).contains(&west)
            && (-180.0..=180.0).contains(&east)
            && (-90.0..=90.0).contains(&south)
            && (-90.0..=90.0).contains(&north)
            && west < east
            && south < north;
        ok.then_some(BBox {
            west,
            south,
            east,
            north,
        })
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.south..=self.north).contains(&lat) && (self.west..=self.east).contains(&lon)
    }

    /// The geohash cells of `precision` the box touches; `None` when more than `max`.
    pub fn cells(&self, precision: usize, max: usize) -> Option<BTreeSet<String>> {
        let (h, w) = cell_size(precision);
        let rows = ((self.north / h).floor() - (self.south / h).floor()) as usize + 1;
        let cols = ((self.east / w).floor() - (self.west / w).floor()) as usize + 1;
        if rows.saturating_mul(cols) > max {
            return None;
        }
        let mut out = BTreeSet::new();
        for r in 0..rows {
            for c in 0..cols {
                let lat = ((self.south / h).floor() + r as f64 + 0.5) * h;
                let lon = ((self.west / w).floor() + c as f64 + 0.5) * w;
                out.insert(geohash(
                    lat.clamp(-89.999, 89.999),
                    lon.clamp(-179.999, 179.999),
                    precision,
                ));
            }
        }
        Some(out)
    }
}

/// A permit on the map (`PERMITMAP#<cell>` / `<permit id>`): public fields only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapEntry {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub permit_id: String,
    pub number: String,
    pub permit_type_code: String,
    pub permit_type: String,
    pub agency_code: String,
    pub agency: String,
    pub valid_until: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl MapEntry {
    /// The entry of an issued permit, if its application has a location.
    pub fn of(a: &Application, d: &PermitData) -> Option<MapEntry> {
        let l = a.location.as_ref()?;
        Some(MapEntry {
            pk: schema::permit_map(&geohash(l.latitude, l.longitude, PRECISION)),
            sk: d.id.clone(),
            permit_id: d.id.clone(),
            number: d.number.clone(),
            permit_type_code: a.permit_type_code.clone(),
            permit_type: a.permit_name.clone(),
            agency_code: a.agency_code.clone(),
            agency: a.agency_name.clone(),
            valid_until: d.valid_until.clone(),
            latitude: l.latitude,
            longitude: l.longitude,
        })
    }

    fn feature(&self, app: &App) -> serde_json::Value {
        serde_json::json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [self.longitude, self.latitude] },
            "properties": {
                "id": self.permit_id, "number": self.number,
                "permit_type": self.permit_type, "permit_type_code": self.permit_type_code,
                "agency": self.agency, "agency_code": self.agency_code,
                "valid_until": self.valid_until,
                "verification_url": crate::issuance::verify_url(app, &self.permit_id),
            },
        })
    }
}

/// `GET /webgis/permits?bbox=west,south,east,north&type=&agency=` (public): GeoJSON.
pub async fn permits_in_area(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let bbox = query_param(&req, "bbox")
        .filter(|b| b.len() <= 200)
        .and_then(|b| BBox::parse(&b))
        .ok_or_else(|| {
            ApiError::invalid(
                "bbox_invalid",
                "Area peta harus berupa bbox=barat,selatan,timur,utara dalam derajat",
                "bbox",
            )
        })?;
    let cells = bbox.cells(PRECISION, MAX_CELLS).ok_or_else(|| {
        ApiError::invalid(
            "bbox_too_large",
            "Area peta terlalu luas; perbesar peta untuk melihat izin",
            "bbox",
        )
    })?;
    let permit_type = query_param(&req, "type").filter(|t| !t.is_empty());
    let agency = query_param(&req, "agency").filter(|t| !t.is_empty());
    let reads = cells.iter().map(|cell| {
        let q = Query::partition(schema::permit_map(cell));
        let app = &app;
        async move { app.store.query_all(&q).await }
    });
    let mut features = Vec::new();
    for items in futures::future::join_all(reads).await {
        for item in items? {
            let e: MapEntry = from_item(item)?;
            if bbox.contains(e.latitude, e.longitude)
                && permit_type
                    .as_ref()
                    .is_none_or(|t| *t == e.permit_type_code)
                && agency.as_ref().is_none_or(|a| *a == e.agency_code)
            {
                features.push(e.feature(&app));
            }
        }
    }
    json(
        200,
        &serde_json::json!({ "type": "FeatureCollection", "features": features }),
    )
}

/// Leaflet's files (npm `leaflet`, BSD-2-Clause), embedded at build time.
const LEAFLET_JS: &str = include_str!("../../../infra/local/node_modules/leaflet/dist/leaflet.js");
const LEAFLET_CSS: &str =
    include_str!("../../../infra/local/node_modules/leaflet/dist/leaflet.css");
/// Our script of the map page.
const MAP_JS: &str = include_str!("webgis.js");

fn asset(content_type: &str, body: &'static str) -> ApiResult<Response> {
    lambda_http::http::Response::builder()
        .status(200)
        .header("content-type", content_type)
        .header("cache-control", "public, max-age=86400")
        .header("x-content-type-options", "nosniff")
        .body(lambda_http::Body::Text(body.to_string()))
        .map_err(ApiError::internal)
}

/// `GET /static/leaflet/{file}`: `leaflet.js`, `leaflet.css`, and our `peta-izin.js`.
pub async fn map_asset(_app: Arc<App>, req: Request) -> ApiResult<Response> {
    match loket_shared::http::path_param(&req, "file")?.as_str() {
        "leaflet.js" => asset("text/javascript; charset=utf-8", LEAFLET_JS),
        "leaflet.css" => asset("text/css; charset=utf-8", LEAFLET_CSS),
        "peta-izin.js" => asset("text/javascript; charset=utf-8", MAP_JS),
        _ => Err(ApiError::not_found(
            "asset_not_found",
            "Berkas tidak ditemukan",
        )),
    }
}

/// The tile server's origin (for the page's Content-Security-Policy).
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split('/').next().unwrap_or_default();
    format!("{scheme}://{}", host.replace("{s}", "*"))
}

/// `GET /peta-izin` (public page): the map of issued permits.
pub async fn map_page(app: Arc<App>, _req: Request) -> ApiResult<Response> {
    let tiles = app.cfg.licensing.map_tiles.clone();
    let markup = web::layout(
        "Peta Izin",
        None,
        html! {
            link rel="stylesheet" href="/static/leaflet/leaflet.css";
            p { "Izin yang telah terbit, menurut lokasinya. Geser dan perbesar peta; pilih penanda untuk melihat nomor izin dan memverifikasinya." }
            div id="peta" class="map" role="region" aria-label="Peta izin terbit"
                data-tiles=(tiles) data-center="-0.5,117.15" data-zoom="9" {}
            p id="peta-status" aria-live="polite" { "Memuat peta…" }
            noscript { p { "Peta memerlukan JavaScript. Data izin tersedia sebagai GeoJSON di /webgis/permits." } }
            script src="/static/leaflet/leaflet.js" {}
            script src="/static/leaflet/peta-izin.js" {}
        },
    );
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: {}; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        origin(&tiles)
    );
    let mut r = web::page(200, markup, &[])?;
    r.headers_mut().insert(
        "content-security-policy",
        csp.parse().map_err(ApiError::internal)?,
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geohashes_match_the_reference_encoding() {
        // The canonical example (Wikipedia): 57.64911, 10.40744 → u4pruydqqvj.
        assert_eq!(geohash(57.64911, 10.40744, 11), "u4pruydqqvj");
        // Samarinda.
        assert_eq!(geohash(-0.4948, 117.1436, 3), "qxg");
        assert_eq!(cell_size(3), (1.40625, 1.40625));
    }

    #[test]
    fn a_box_covers_the_cells_it_touches_and_a_huge_one_is_refused() {
        let samarinda = BBox::parse("117.0,-0.6,117.3,-0.4").unwrap();
        let cells = samarinda.cells(PRECISION, MAX_CELLS).unwrap();
        assert!(cells.contains(&geohash(-0.4948, 117.1436, 3)), "{cells:?}");
        assert!(cells.len() <= 4);
        assert!(samarinda.contains(-0.4948, 117.1436));
        assert!(!samarinda.contains(-0.4948, 116.0));
        let kaltim = BBox::parse("113.8,-2.5,119.1,2.6").unwrap();
        assert!(kaltim.cells(PRECISION, MAX_CELLS).is_some());
        let indonesia = BBox::parse("95,-11,141,6").unwrap();
        assert_eq!(indonesia.cells(PRECISION, MAX_CELLS), None);
        for bad in [
            "",
            "1,2,3",
            "117.3,-0.6,117.0,-0.4",
            "a,b,c,d",
            "0,0,200,1",
            "NaN,0,1,1",
        ] {
            assert_eq!(BBox::parse(bad), None, "{bad}");
        }
    }
}
