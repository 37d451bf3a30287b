//! Indonesian administrative regions: province → regency (kab/kota) → district
//! (kecamatan) → village (kelurahan/desa), with Kemendagri codes such as
//! `64.72.01.1001`.
//!
//! Storage: one item per parent listing its children (`REGION#<parent>` / `CHILDREN`,
//! parent `ID` for the provinces), the list kept as one JSON string attribute. Every district item also carries the names of its
//! ancestors, so a full address is checked and named with a single `GetItem`.

use loket_shared::http::{json, query_param, Request, Response};
use loket_shared::store::{key, s, Item, Store};
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
    /// The children as one JSON string: a single attribute is far cheaper to store and
    /// read than a list of maps (and the emulator handles it fast).
    children: String,
    /// For a district: the names of its province, regency and itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    names: Option<Vec<String>>,
}

impl ChildrenRecord {
    fn children(&self) -> ApiResult<Vec<Region>> {
        serde_json::from_str(&self.children).map_err(ApiError::internal)
    }
}

/// A checked address with the names of its regions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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

/// Checks that the four codes name one real chain of regions and returns their names.
pub async fn check_address(
    store: &Store,
    province: &str,
    regency: &str,
    district: &str,
    village: &str,
) -> ApiResult<RegionPath> {
    let child_of = |child: &str, parent: &str, depth: usize| {
        child.starts_with(&format!("{parent}.")) && child.split('.').count() == depth
    };
    if province.split('.').count() != 1 || province.is_empty() {
        return Err(region_error("province_code", "Provinsi"));
    }
    if !child_of(regency, province, 2) {
        return Err(region_error("regency_code", "Kabupaten/Kota"));
    }
    if !child_of(district, regency, 3) {
        return Err(region_error("district_code", "Kecamatan"));
    }
    if !child_of(village, district, 4) {
        return Err(region_error("village_code", "Kelurahan/Desa"));
    }
    let rec: ChildrenRecord = store
        .get_as(&format!("REGION#{district}"), "CHILDREN")
        .await?
        .ok_or_else(|| region_error("district_code", "Kecamatan"))?;
    let children = rec.children()?;
    let v = children
        .iter()
        .find(|r| r.code == village)
        .ok_or_else(|| region_error("village_code", "Kelurahan/Desa"))?;
    let names = rec.names.unwrap_or_default();
    if names.len() != 3 {
        return Err(ApiError::internal(format!("district {district} has no ancestor names")));
    }
    Ok(RegionPath {
        province_code: province.into(),
        province_name: names[0].clone(),
        regency_code: regency.into(),
        regency_name: names[1].clone(),
        district_code: district.into(),
        district_name: names[2].clone(),
        village_code: village.into(),
        village_name: v.name.clone(),
    })
}

/// `GET /regions?parent=<code>`: the provinces, or the children of a region.
pub async fn list_regions(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let parent = query_param(&req, "parent").unwrap_or_else(|| ROOT.to_string());
    if parent.len() > 20 || !parent.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        return Err(ApiError::invalid("region_invalid", "Kode wilayah tidak valid", "parent"));
    }
    let rec: Option<ChildrenRecord> = app.store.get_as(&format!("REGION#{parent}"), "CHILDREN").await?;
    let Some(rec) = rec else {
        return Err(ApiError::not_found("region_not_found", "Wilayah tidak ditemukan"));
    };
    json(200, &serde_json::json!({ "parent": parent, "items": rec.children()? }))
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
    for (r, parent) in regencies.iter().chain(districts).chain(villages) {
        children.entry(parent.clone()).or_default().push(r.clone());
    }
    let name_of: HashMap<&str, &str> = provinces
        .iter()
        .chain(regencies.iter().map(|(r, _)| r))
        .chain(districts.iter().map(|(r, _)| r))
        .map(|r| (r.code.as_str(), r.name.as_str()))
        .collect();
    let mut items = Vec::with_capacity(children.len());
    for (parent, mut kids) in children {
        kids.sort_by(|a, b| a.code.cmp(&b.code));
        let names = if parent.split('.').count() == 3 {
            let parts: Vec<&str> = parent.split('.').collect();
            let p = parts[0].to_string();
            let r = format!("{}.{}", parts[0], parts[1]);
            let get = |c: &str| name_of.get(c).map(|s| s.to_string()).unwrap_or_default();
            Some(vec![get(&p), get(&r), get(&parent)])
        } else {
            None
        };
        let rec = ChildrenRecord {
            pk: format!("REGION#{parent}"),
            sk: "CHILDREN".into(),
            children: serde_json::to_string(&kids).map_err(ApiError::internal)?,
            names,
        };
        items.push(loket_shared::store::to_item(&rec)?);
    }
    Ok(items)
}

/// The key of a region's children item (for tests and tools).
pub fn children_key(parent: &str) -> Item {
    let mut k = key(format!("REGION#{parent}"), "CHILDREN");
    k.insert("kind".into(), s("region"));
    k
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
    fn seed_items_group_children_and_name_district_ancestors() {
        let items = seed_items(
            &[r("64", "Kalimantan Timur")],
            &[(r("64.72", "Kota Samarinda"), "64".into())],
            &[(r("64.72.01", "Palaran"), "64.72".into())],
            &[
                (r("64.72.01.1002", "Rawa Makmur"), "64.72.01".into()),
                (r("64.72.01.1001", "Simpang Pasir"), "64.72.01".into()),
            ],
        )
        .unwrap();
        assert_eq!(items.len(), 4);
        let district = items
            .into_iter()
            .map(|i| loket_shared::store::from_item::<ChildrenRecord>(i).unwrap())
            .find(|c| c.pk == "REGION#64.72.01")
            .unwrap();
        assert_eq!(district.children().unwrap()[0].code, "64.72.01.1001", "sorted by code");
        assert_eq!(
            district.names.unwrap(),
            vec!["Kalimantan Timur", "Kota Samarinda", "Palaran"]
        );
    }
}
