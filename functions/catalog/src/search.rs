//! The public catalog (seed 001 §4.1): list published products, search by product
//! name and by vendor name (word and prefix match, case-insensitive, punctuation
//! ignored), filter by availability, category and price, sort by price, newest or
//! rating, page with an opaque cursor.
//!
//! Every search is a `Query` on one catalog partition (see `index`), in the index of
//! the chosen order: the most selective condition picks the partition (the longest
//! product-name word, else the longest vendor-name word, else the category, else all),
//! the rest is a filter. A price range is a key condition when sorting by price. One
//! search makes at most `MAX_QUERIES` queries however large the catalog is: when the
//! filter is selective the page may hold fewer items, and its cursor continues.

use crate::index::{self, Listing, PUBLISHED_SK};
use crate::product::{category_label, product_pk, Availability, CATEGORIES};
use loket_shared::cursor;
use loket_shared::files;
use loket_shared::http::{json, path_param, query_param, Request, Response};
use loket_shared::schema::{self, Index, CATALOG_BY_NEWEST, CATALOG_BY_PRICE, CATALOG_BY_RATING};
use loket_shared::store::{
    decode_cursor, encode_cursor, get_n, get_s, n, s, Filter, Item, Query, Store,
};
use loket_shared::{ApiError, ApiResult, App};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// At most this many queries per search.
pub const MAX_QUERIES: u32 = 4;
/// Items a filtered query reads: the first call a few pages' worth (most filters keep
/// most of a partition), the next ones more (the filter is selective).
const FILTERED_FIRST_READ: usize = 3;
const FILTERED_READ: i32 = 200;
pub const DEFAULT_PAGE: usize = 20;
pub const MAX_PAGE: usize = 50;
const MAX_WORDS: usize = 6;
const PHOTO_LINK_SECONDS: u64 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    PriceAsc,
    PriceDesc,
    Rating,
}

impl Sort {
    fn parse(s: &str) -> Option<Sort> {
        match s {
            "newest" => Some(Sort::Newest),
            "price_asc" => Some(Sort::PriceAsc),
            "price_desc" => Some(Sort::PriceDesc),
            "rating" => Some(Sort::Rating),
            _ => None,
        }
    }

    /// (index, ascending)
    fn index(self) -> (Index, bool) {
        match self {
            Sort::Newest => (CATALOG_BY_NEWEST, false),
            Sort::PriceAsc => (CATALOG_BY_PRICE, true),
            Sort::PriceDesc => (CATALOG_BY_PRICE, false),
            Sort::Rating => (CATALOG_BY_RATING, false),
        }
    }
}

/// What the buyer asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchParams {
    /// Words of the product name to match (each as a word prefix).
    pub name: Vec<String>,
    /// Words of the vendor name to match.
    pub vendor: Vec<String>,
    pub category: Option<String>,
    pub availability: Option<Availability>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub sort: Sort,
    pub limit: usize,
}

impl Default for SearchParams {
    fn default() -> Self {
        Self {
            name: Vec::new(),
            vendor: Vec::new(),
            category: None,
            availability: None,
            min_price: None,
            max_price: None,
            sort: Sort::Newest,
            limit: DEFAULT_PAGE,
        }
    }
}

fn search_words(raw: Option<&str>, field: &'static str) -> ApiResult<Vec<String>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    if raw.chars().count() > 100 {
        return Err(ApiError::invalid(
            "query_too_long",
            "Kata pencarian maksimal 100 karakter",
            field,
        ));
    }
    let mut w = index::words(raw);
    w.truncate(MAX_WORDS);
    Ok(w)
}

fn price(raw: Option<String>, field: &'static str) -> ApiResult<Option<i64>> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(None);
    };
    let digits: String = raw.trim().chars().filter(|c| *c != '.').collect();
    match digits.parse::<i64>() {
        Ok(v) if (0..=1_000_000_000).contains(&v) => Ok(Some(v)),
        _ => Err(ApiError::invalid(
            "price_invalid",
            "Harga harus berupa angka 0 sampai 1.000.000.000",
            field,
        )),
    }
}

impl SearchParams {
    /// Reads `q`, `vendor`, `category`, `availability`, `min_price`, `max_price`,
    /// `sort` and `limit` from the query string.
    pub fn from_request(req: &Request) -> ApiResult<Self> {
        let category = match query_param(req, "category").filter(|c| !c.is_empty()) {
            None => None,
            Some(c) if category_label(&c).is_some() => Some(c),
            Some(_) => {
                return Err(ApiError::invalid(
                    "category_invalid",
                    "Kategori Barang tidak dikenal, pilih dari daftar kategori",
                    "category",
                ))
            }
        };
        let availability = match query_param(req, "availability").filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => Some(Availability::parse(&a).ok_or_else(|| {
                ApiError::invalid(
                    "availability_invalid",
                    "Ketersediaan harus H-1, Ready Stock atau PO",
                    "availability",
                )
            })?),
        };
        let sort = match query_param(req, "sort").filter(|s| !s.is_empty()) {
            None => Sort::Newest,
            Some(s) => Sort::parse(&s).ok_or_else(|| {
                ApiError::invalid(
                    "sort_invalid",
                    "Urutan harus newest, price_asc, price_desc atau rating",
                    "sort",
                )
            })?,
        };
        let limit = match query_param(req, "limit").filter(|l| !l.is_empty()) {
            None => DEFAULT_PAGE,
            Some(l) => match l.parse::<usize>() {
                Ok(v) if (1..=MAX_PAGE).contains(&v) => v,
                _ => {
                    return Err(ApiError::invalid(
                        "limit_invalid",
                        format!("Jumlah per halaman harus 1 sampai {MAX_PAGE}"),
                        "limit",
                    ))
                }
            },
        };
        let min_price = price(query_param(req, "min_price"), "min_price")?;
        let max_price = price(query_param(req, "max_price"), "max_price")?;
        if let (Some(lo), Some(hi)) = (min_price, max_price) {
            if lo > hi {
                return Err(ApiError::invalid(
                    "price_range_invalid",
                    "Harga minimum tidak boleh lebih besar dari harga maksimum",
                    "min_price",
                ));
            }
        }
        Ok(Self {
            name: search_words(query_param(req, "q").as_deref(), "q")?,
            vendor: search_words(query_param(req, "vendor").as_deref(), "vendor")?,
            category,
            availability,
            min_price,
            max_price,
            sort,
            limit,
        })
    }

    /// The query this search runs (without its start key and limit).
    pub fn plan(&self) -> Plan {
        // The longest word is the most selective (the first of equals).
        let longest = |w: &[String]| {
            w.iter()
                .fold(None::<&String>, |best, w| match best {
                    Some(b) if b.chars().count() >= w.chars().count() => Some(b),
                    _ => Some(w),
                })
                .cloned()
        };
        let (partition, by_category) = if let Some(w) = longest(&self.name) {
            (format!("P#{}", index::prefix(&w)), false)
        } else if let Some(w) = longest(&self.vendor) {
            (format!("V#{}", index::prefix(&w)), false)
        } else if let Some(c) = &self.category {
            (format!("C#{c}"), true)
        } else {
            ("ALL".to_string(), false)
        };
        let (index, forward) = self.sort.index();
        let sort_attr = index.sk;
        let mut q = Query::partition(schema::catalog(&partition)).on_index(index);
        if !forward {
            q = q.backwards();
        }
        let mut f = FilterBuilder::default();
        for (i, w) in self.name.iter().enumerate() {
            f.contains("words", &format!("n{i}"), format!(" {w}"));
        }
        for (i, w) in self.vendor.iter().enumerate() {
            f.contains("vwords", &format!("v{i}"), format!(" {w}"));
        }
        if let (Some(c), false) = (&self.category, by_category) {
            f.equals("category", "cat", s(c));
        }
        if let Some(a) = self.availability {
            f.equals("availability", "avail", s(a.as_str()));
        }
        let price_range = self.min_price.is_some() || self.max_price.is_some();
        let lo = self.min_price.unwrap_or(0);
        let hi = self.max_price.unwrap_or(999_999_999_999);
        if price_range {
            if index == CATALOG_BY_PRICE {
                q = q.sk_between(
                    CATALOG_BY_PRICE.sk,
                    format!("{lo:012}#"),
                    format!("{hi:012}#~"),
                );
            } else {
                f.between("price", lo, hi);
            }
        }
        let filtered = !f.parts.is_empty();
        if let Some(filter) = f.build() {
            q = q.filter(filter);
        }
        Plan {
            query: q,
            sort_attr,
            filtered,
        }
    }
}

#[derive(Default)]
struct FilterBuilder {
    parts: Vec<String>,
    names: HashMap<String, String>,
    values: Item,
}

impl FilterBuilder {
    fn contains(&mut self, attr: &str, placeholder: &str, value: String) {
        self.names.insert(format!("#{attr}"), attr.to_string());
        self.values.insert(format!(":{placeholder}"), s(value));
        self.parts
            .push(format!("contains(#{attr}, :{placeholder})"));
    }

    fn equals(
        &mut self,
        attr: &str,
        placeholder: &str,
        value: aws_sdk_dynamodb::types::AttributeValue,
    ) {
        self.names.insert(format!("#{attr}"), attr.to_string());
        self.values.insert(format!(":{placeholder}"), value);
        self.parts.push(format!("#{attr} = :{placeholder}"));
    }

    fn between(&mut self, attr: &str, lo: i64, hi: i64) {
        self.names.insert(format!("#{attr}"), attr.to_string());
        self.values.insert(":plo".into(), n(lo));
        self.values.insert(":phi".into(), n(hi));
        self.parts.push(format!("#{attr} BETWEEN :plo AND :phi"));
    }

    fn build(self) -> Option<Filter> {
        (!self.parts.is_empty()).then(|| Filter {
            expression: self.parts.join(" AND "),
            names: self.names,
            values: self.values,
        })
    }
}

/// One search's query: the partition, index and order, the key range and the filter.
#[derive(Debug, Clone)]
pub struct Plan {
    pub query: Query,
    pub sort_attr: &'static str,
    pub filtered: bool,
}

impl Plan {
    /// The key a page ends at (the last card returned): where the next page starts.
    fn key_of(&self, item: &Item) -> Item {
        ["PK", "SK", "SPK", self.sort_attr]
            .iter()
            .filter_map(|k| item.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect()
    }

    /// A cursor from another search (another partition or order) is refused.
    fn check_cursor(&self, c: &str) -> ApiResult<Item> {
        let k = decode_cursor(c)?;
        let fits = get_s(&k, "SPK") == Some(self.query.pk.as_str())
            && k.contains_key(self.sort_attr)
            && k.len() == 4;
        if fits {
            Ok(k)
        } else {
            Err(ApiError::invalid(
                "cursor_invalid",
                "Parameter halaman (cursor) tidak valid untuk pencarian ini",
                "cursor",
            ))
        }
    }
}

/// A catalog card (seed 001 Lampiran 4).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Card {
    pub id: String,
    pub name: String,
    pub price: i64,
    pub category: String,
    pub category_label: &'static str,
    pub availability: String,
    pub vendor_id: String,
    pub vendor_name: String,
    /// `None` (null) without ratings.
    pub rating: Option<f64>,
    pub rating_count: i64,
    pub skpd_name: String,
    pub village_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
    #[serde(skip)]
    pub photo_key: Option<String>,
}

impl Card {
    fn from_index(item: &Item) -> Card {
        let text = |k: &str| get_s(item, k).unwrap_or_default().to_string();
        let category = text("category");
        Card {
            id: text("product_id"),
            name: text("name"),
            price: get_n(item, "price").unwrap_or_default(),
            category_label: category_label(&category).unwrap_or("Lainnya"),
            category,
            availability: text("availability"),
            vendor_id: text("vendor_id"),
            vendor_name: text("vendor_name"),
            rating: crate::index::Rating {
                average_x100: get_n(item, "rating_x100").unwrap_or_default() as u32,
                count: get_n(item, "rating_count").unwrap_or_default() as u32,
            }
            .average(),
            rating_count: get_n(item, "rating_count").unwrap_or_default(),
            skpd_name: text("skpd_name"),
            village_name: text("village_name"),
            photo_url: None,
            photo_key: get_s(item, "photo").map(str::to_string),
        }
    }
}

/// A page of results and what it cost.
#[derive(Debug)]
pub struct SearchPage {
    pub items: Vec<Card>,
    pub cursor: Option<String>,
    /// DynamoDB requests this search made.
    pub requests: u32,
    /// Items DynamoDB read for it (before the filter).
    pub read: i64,
}

/// Runs `params` from `cursor`: at most `MAX_QUERIES` queries.
pub async fn search(
    store: &Store,
    params: &SearchParams,
    cursor: Option<&str>,
) -> ApiResult<SearchPage> {
    let plan = params.plan();
    let mut start = cursor.map(|c| plan.check_cursor(c)).transpose()?;
    let mut items: Vec<Card> = Vec::new();
    let mut last: Option<Item> = None;
    let (mut requests, mut read) = (0u32, 0i64);
    let next = loop {
        let want = params.limit - items.len();
        let per_call = match (plan.filtered, requests) {
            (false, _) => want as i32,
            (true, 0) => (want * FILTERED_FIRST_READ).max(40) as i32,
            (true, _) => FILTERED_READ,
        };
        let page = store
            .query_from(&plan.query.clone().limit(per_call), start.take())
            .await?;
        requests += 1;
        read += page.scanned;
        let mut cut = false;
        for item in &page.items {
            if items.len() == params.limit {
                cut = true;
                break;
            }
            items.push(Card::from_index(item));
            last = Some(plan.key_of(item));
        }
        if items.len() == params.limit {
            // Full: continue after the last card, unless nothing can follow it.
            break if cut || page.last_key.is_some() {
                last.take()
            } else {
                None
            };
        }
        match page.last_key {
            None => break None,
            Some(k) if requests >= MAX_QUERIES => break Some(k),
            Some(k) => start = Some(k),
        }
    };
    let cursor = next.as_ref().map(encode_cursor).transpose()?;
    Ok(SearchPage {
        items,
        cursor,
        requests,
        read,
    })
}

async fn photo_link(app: &App, key: &str) -> ApiResult<String> {
    files::presigned_get(app, key, PHOTO_LINK_SECONDS).await
}

/// `GET /catalog/products`: public.
pub async fn search_products(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let params = SearchParams::from_request(&req)?;
    // The search's own position, sealed for this search (route and query).
    let scope = cursor::Scope::of("search_products", "", &req);
    let position = query_param(&req, "cursor")
        .map(|c| cursor::open(&app, &scope, &c))
        .transpose()?;
    let mut page = search(&app.store, &params, position.as_deref()).await?;
    page.cursor = page.cursor.map(|p| cursor::seal(&app, &scope, &p));
    for card in &mut page.items {
        if let Some(k) = &card.photo_key {
            card.photo_url = Some(photo_link(&app, k).await?);
        }
    }
    json(
        200,
        &serde_json::json!({ "items": page.items, "cursor": page.cursor }),
    )
}

/// `GET /catalog/categories`: public.
pub async fn list_categories(_app: Arc<App>, _req: Request) -> ApiResult<Response> {
    let items: Vec<_> = CATEGORIES
        .iter()
        .map(|(code, label)| serde_json::json!({ "code": code, "label": label }))
        .collect();
    let availability: Vec<_> = Availability::ALL.iter().map(|a| a.as_str()).collect();
    json(
        200,
        &serde_json::json!({ "items": items, "availability": availability }),
    )
}

pub async fn load_listing(app: &App, product_id: &str) -> ApiResult<Option<Listing>> {
    if product_id.is_empty() || product_id.len() > 40 {
        return Ok(None);
    }
    app.store
        .get_as(&product_pk(product_id), PUBLISHED_SK)
        .await
}

/// `GET /catalog/products/{id}`: the product page (seed 001 Lampiran 5), public.
pub async fn get_product_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let id = path_param(&req, "id")?;
    let l = load_listing(&app, &id).await?.ok_or_else(|| {
        ApiError::not_found(
            "product_not_found",
            "Produk tidak ditemukan atau belum tayang",
        )
    })?;
    let mut photos = Vec::new();
    for p in &l.photos {
        photos.push(serde_json::json!({ "id": p.id, "url": photo_link(&app, &p.key).await? }));
    }
    // Feedback from buyers' orders, newest first (one bounded query; the feedback tab
    // pages further, `GET /catalog/products/{id}/feedback`).
    let feedback = crate::feedback::views(
        app.store
            .query_from(
                &Query::partition(product_pk(&id))
                    .sk_begins_with("SK", loket_shared::schema::FEEDBACK_PREFIX)
                    .backwards()
                    .limit(20),
                None,
            )
            .await?
            .items,
    )?;
    json(
        200,
        &serde_json::json!({
            "id": l.product_id,
            "name": l.name,
            "price": l.price,
            "rating": l.rating.average(),
            "rating_count": l.rating.count,
            "vendor_id": l.vendor_id,
            "vendor_name": l.vendor_name,
            "category": l.category,
            "category_label": l.category_label(),
            "availability": l.availability,
            "min_order": l.min_order,
            "max_order": l.max_order,
            "skpd": l.skpd,
            "skpd_name": l.skpd_name,
            "phone": l.vendor_phone,
            "business_address": l.business_address,
            "village_name": l.village_name,
            "description": l.description,
            "photos": photos,
            "feedback": feedback,
            "published_at": l.published_at,
            "updated_at": l.updated_at,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(name: &str, vendor: &str) -> SearchParams {
        SearchParams {
            name: index::words(name),
            vendor: index::words(vendor),
            ..Default::default()
        }
    }

    #[test]
    fn the_longest_name_word_picks_the_partition_and_every_word_filters() {
        let p = params("es Bakso urat", "").plan();
        assert_eq!(p.query.pk, "CATALOG#P#bak");
        assert_eq!(p.query.index, Some("CatalogByNewest"));
        assert!(!p.query.forward);
        let f = p.query.filter.unwrap();
        assert_eq!(
            f.expression,
            "contains(#words, :n0) AND contains(#words, :n1) AND contains(#words, :n2)"
        );
        assert_eq!(f.values[":n1"], s(" bakso"));
    }

    #[test]
    fn vendor_name_then_category_then_all() {
        assert_eq!(params("", "Kedai Andrew").plan().query.pk, "CATALOG#V#and");
        let mut p = params("", "");
        p.category = Some("snack-box".into());
        p.availability = Some(Availability::PreOrder);
        let plan = p.plan();
        assert_eq!(plan.query.pk, "CATALOG#C#snack-box");
        assert_eq!(
            plan.query.filter.unwrap().expression,
            "#availability = :avail"
        );
        let plan = params("", "").plan();
        assert_eq!(plan.query.pk, "CATALOG#ALL");
        assert!(plan.query.filter.is_none() && !plan.filtered);
    }

    #[test]
    fn a_price_range_is_a_key_condition_when_sorting_by_price() {
        let mut p = params("", "");
        p.min_price = Some(10_000);
        p.max_price = Some(20_000);
        p.sort = Sort::PriceAsc;
        let plan = p.plan();
        assert_eq!(
            plan.query.sk_between,
            Some(("SP", "000000010000#".into(), "000000020000#~".into()))
        );
        assert!(plan.query.filter.is_none());
        p.sort = Sort::Rating;
        let plan = p.plan();
        assert_eq!(plan.query.index, Some("CatalogByRating"));
        assert_eq!(
            plan.query.filter.unwrap().expression,
            "#price BETWEEN :plo AND :phi"
        );
    }

    #[test]
    fn a_cursor_only_continues_the_same_search() {
        let plan = params("bakso", "").plan();
        let mut k = loket_shared::store::key("PRODUCT#1", "IDX#P#bak");
        k.insert("SPK".into(), s("CATALOG#P#bak"));
        k.insert("SN".into(), s("000000000001#1"));
        let c = encode_cursor(&k).unwrap();
        assert!(plan.check_cursor(&c).is_ok());
        let other = params("kue", "").plan();
        assert_eq!(other.check_cursor(&c).unwrap_err().code, "cursor_invalid");
    }
}
