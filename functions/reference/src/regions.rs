//! Indonesian administrative regions: province → regency (kab/kota) → district
//! (kecamatan) → village (kelurahan/desa), with Kemendagri codes such as
//! `64.72.01.1001`, from the `idn-area-data` package (data under ODbL).
//!
//! Storage, one item per parent (`REGION#<code>` / `CHILDREN`), lists kept as one JSON
//! string attribute:
//! - `REGION#ID`: the provinces; `REGION#<province>`: its regencies;
//! - `REGION#<regency>`: its districts *and* each district's villages, plus the names of
//!   the province and the regency — so a full address is checked and named with a
//!   single `GetItem`, and the whole country is 553 items (moto copies a table on every
//!   transaction; 7 800 district items made each write take seconds).

use loket_shared::http::{json, query_param, Request, Response};
use loket_shared::schema;
use loket_shared::store::{Item, Store};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

pub const ROOT: &str = "ID";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Region {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ChildrenRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    /// The children as JSON (`[{code, name}]`).
    children: String,
    /// For a regency: `{district code: [{code, name}]}` as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    villages: Option<String>,
    /// For a regency: the names of its province and itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    names: Option<Vec<String>>,
}

impl ChildrenRecord {
    fn children(&self) -> ApiResult<Vec<Region>> {
        serde_json::from_str(&self.children).map_err(ApiError::internal)
    }

    fn villages_of(&self, district: &str) -> ApiResult<Option<Vec<Region>>> {
        let Some(raw) = &self.villages else {
            return Ok(None);
        };
        let mut all: HashMap<String, Vec<Region>> =
            serde_json::from_str(raw).map_err(ApiError::internal)?;
        Ok(all.remove(district))
    }
}

async fn record(store: &Store, code: &str) -> ApiResult<Option<ChildrenRecord>> {
    store.get_as(&schema::region(code), "CHILDREN").await
}

/// A checked address with the names of its regions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RegionPath {
    pub province_code: String,
    pub province_name: String,
    pub regency_code: String,
    pub regency_name: String,
    pub district_code: String,
    pub district_name: String,
    pub village_code: String,
    pub village_name: String,
}

fn region_error(field: &'static str, label: &str) -> ApiError {
    ApiError::invalid(
        "region_invalid",
        format!("{label} tidak ditemukan atau tidak sesuai dengan wilayah di atasnya"),
        field,
    )
}

/// A checked province, regency and district (kecamatan) with their names.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DistrictPath {
    pub province_code: String,
    pub province_name: String,
    pub regency_code: String,
    pub regency_name: String,
    pub district_code: String,
    pub district_name: String,
}

/// Checks that the three codes name one real chain of regions (province, regency,
/// district) and returns their names, with the regency's record for a village check.
async fn district_chain(
    store: &Store,
    province: &str,
    regency: &str,
    district: &str,
) -> ApiResult<(DistrictPath, ChildrenRecord)> {
    let child_of = |child: &str, parent: &str, depth: usize| {
        child.starts_with(&format!("{parent}.")) && child.split('.').count() == depth
    };
    if province.is_empty() || province.contains('.') || province.len() > 2 {
        return Err(region_error("province_code", "Provinsi"));
    }
    if !child_of(regency, province, 2) {
        return Err(region_error("regency_code", "Kabupaten/Kota"));
    }
    if !child_of(district, regency, 3) {
        return Err(region_error("district_code", "Kecamatan"));
    }
    let rec = record(store, regency)
        .await?
        .ok_or_else(|| region_error("regency_code", "Kabupaten/Kota"))?;
    let d = rec
        .children()?
        .into_iter()
        .find(|r| r.code == district)
        .ok_or_else(|| region_error("district_code", "Kecamatan"))?;
    let names = rec.names.clone().unwrap_or_default();
    if names.len() != 2 {
        return Err(ApiError::internal(format!(
            "regency {regency} has no ancestor names"
        )));
    }
    let path = DistrictPath {
        province_code: province.into(),
        province_name: names[0].clone(),
        regency_code: regency.into(),
        regency_name: names[1].clone(),
        district_code: district.into(),
        district_name: d.name,
    };
    Ok((path, rec))
}

/// Checks that the three codes name one real province, regency and district (a
/// delivery address, seed 001 §3.2) and returns their names.
pub async fn check_district(
    store: &Store,
    province: &str,
    regency: &str,
    district: &str,
) -> ApiResult<DistrictPath> {
    Ok(district_chain(store, province, regency, district).await?.0)
}

/// Checks that the four codes name one real chain of regions and returns their names.
pub async fn check_address(
    store: &Store,
    province: &str,
    regency: &str,
    district: &str,
    village: &str,
) -> ApiResult<RegionPath> {
    let (d, rec) = district_chain(store, province, regency, district).await?;
    if !(village.starts_with(&format!("{district}.")) && village.split('.').count() == 4) {
        return Err(region_error("village_code", "Kelurahan/Desa"));
    }
    let v = rec
        .villages_of(district)?
        .unwrap_or_default()
        .into_iter()
        .find(|r| r.code == village)
        .ok_or_else(|| region_error("village_code", "Kelurahan/Desa"))?;
    Ok(RegionPath {
        province_code: d.province_code,
        province_name: d.province_name,
        regency_code: d.regency_code,
        regency_name: d.regency_name,
        district_code: d.district_code,
        district_name: d.district_name,
        village_code: village.into(),
        village_name: v.name,
    })
}

/// `GET /regions?parent=<code>`: the provinces, or the children of a region.
pub async fn list_regions(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let parent = query_param(&req, "parent").unwrap_or_else(|| ROOT.to_string());
    if parent.len() > 20
        || !parent
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.')
    {
        return Err(ApiError::invalid(
            "region_invalid",
            "Kode wilayah tidak valid",
            "parent",
        ));
    }
    let not_found = || ApiError::not_found("region_not_found", "Wilayah tidak ditemukan");
    let items = if parent.split('.').count() == 3 {
        // A district's villages live in its regency's item.
        let regency = parent.rsplit_once('.').map(|(r, _)| r).unwrap_or_default();
        let rec = record(&app.store, regency).await?.ok_or_else(not_found)?;
        rec.villages_of(&parent)?.ok_or_else(not_found)?
    } else {
        record(&app.store, &parent)
            .await?
            .ok_or_else(not_found)?
            .children()?
    };
    json(
        200,
        &serde_json::json!({ "parent": parent, "items": items }),
    )
}

/// Builds the seed items from the four CSV tables of `idn-area-data`
/// (`code,name`, `code,province_code,name`, `code,regency_code,name`,
/// `code,district_code,name`).
pub fn seed_items(
    provinces: &[Region],
    regencies: &[(Region, String)],
    districts: &[(Region, String)],
    villages: &[(Region, String)],
) -> ApiResult<Vec<Item>> {
    let mut children: HashMap<String, Vec<Region>> = HashMap::new();
    children.insert(ROOT.into(), provinces.to_vec());
    for (r, parent) in regencies.iter().chain(districts) {
        children.entry(parent.clone()).or_default().push(r.clone());
    }
    let mut villages_by_regency: HashMap<String, HashMap<String, Vec<Region>>> = HashMap::new();
    for (v, district) in villages {
        let regency = district
            .rsplit_once('.')
            .map(|(r, _)| r.to_string())
            .unwrap_or_default();
        villages_by_regency
            .entry(regency)
            .or_default()
            .entry(district.clone())
            .or_default()
            .push(v.clone());
    }
    let name_of: HashMap<&str, &str> = provinces
        .iter()
        .chain(regencies.iter().map(|(r, _)| r))
        .map(|r| (r.code.as_str(), r.name.as_str()))
        .collect();
    let mut items = Vec::with_capacity(children.len());
    for (parent, mut kids) in children {
        kids.sort_by(|a, b| a.code.cmp(&b.code));
        let (villages, names) = if parent.split('.').count() == 2 {
            let mut v = villages_by_regency.remove(&parent).unwrap_or_default();
            for list in v.values_mut() {
                list.sort_by(|a, b| a.code.cmp(&b.code));
            }
            let province = parent.split('.').next().unwrap_or_default();
            let get = |c: &str| name_of.get(c).map(|s| s.to_string()).unwrap_or_default();
            (
                Some(serde_json::to_string(&v).map_err(ApiError::internal)?),
                Some(vec![get(province), get(&parent)]),
            )
        } else {
            (None, None)
        };
        let rec = ChildrenRecord {
            pk: schema::region(&parent),
            sk: "CHILDREN".into(),
            children: serde_json::to_string(&kids).map_err(ApiError::internal)?,
            villages,
            names,
        };
        items.push(loket_shared::store::to_item(&rec)?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: &str, name: &str) -> Region {
        Region {
            code: code.into(),
            name: name.into(),
        }
    }

    #[test]
    fn seed_items_keep_districts_and_villages_in_the_regency() {
        let items = seed_items(
            &[r("64", "Kalimantan Timur")],
            &[(r("64.72", "Kota Samarinda"), "64".into())],
            &[(r("64.72.01", "Palaran"), "64.72".into())],
            &[
                (r("64.72.01.1002", "Handil Bakti"), "64.72.01".into()),
                (r("64.72.01.1001", "Rawa Makmur"), "64.72.01".into()),
            ],
        )
        .unwrap();
        assert_eq!(items.len(), 3, "root, province and regency");
        let regency = items
            .into_iter()
            .map(|i| loket_shared::store::from_item::<ChildrenRecord>(i).unwrap())
            .find(|c| c.pk == "REGION#64.72")
            .unwrap();
        assert_eq!(regency.children().unwrap()[0].name, "Palaran");
        let villages = regency.villages_of("64.72.01").unwrap().unwrap();
        assert_eq!(villages[0].code, "64.72.01.1001", "sorted by code");
        assert_eq!(
            regency.names.unwrap(),
            vec!["Kalimantan Timur", "Kota Samarinda"]
        );
    }
}
