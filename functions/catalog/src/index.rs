//! The published version of a product and its catalog index (no `Scan`, ever).
//!
//! When a satpel publishes, the product's published version (`PRODUCT#<id>` /
//! `PUBLISHED`) is written with everything the product page shows, and next to it a
//! few small index items (`PRODUCT#<id>` / `IDX#<key>`), each a catalog card placed in
//! one catalog partition (`SPK`):
//!
//! | partition            | holds                                                  |
//! |----------------------|--------------------------------------------------------|
//! | `CATALOG#ALL`        | every published product                                |
//! | `CATALOG#C#<cat>`    | the products of one category                           |
//! | `CATALOG#P#<abc>`    | the products with a name word starting with `abc`      |
//! | `CATALOG#V#<abc>`    | the products of vendors with a name word starting `abc`|
//!
//! (`abc` is a word's first three letters, or the whole word when shorter.) Three
//! indexes sort every partition: `CatalogByPrice` (`SP`), `CatalogByNewest` (`SN`) and
//! `CatalogByRating` (`SR`). A search is a query on one partition, in the order asked,
//! with the remaining conditions as a filter (see `search`).

use crate::product::{category_label, Availability, Photo, Product};
use loket_shared::store::{key, n, s, Item};
use serde::{Deserialize, Serialize};

pub const PUBLISHED_SK: &str = "PUBLISHED";
pub const INDEX_PREFIX: &str = "IDX#";
/// At most this many words of a name are indexed (the rest still match as filters).
const MAX_NAME_WORDS: usize = 12;
const MAX_VENDOR_WORDS: usize = 8;
/// Partition keys are a word's first letters: long enough to be selective, short
/// enough that any word prefix of that length or more finds its partition.
pub const PREFIX_LEN: usize = 3;

/// Lower case, punctuation as word breaks, apostrophes dropped ("D'Lezat" → "dlezat").
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\'' || c == '’' || c == '`' {
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The distinct normalized words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in normalize(text).split(' ').filter(|w| !w.is_empty()) {
        if !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    out
}

/// The partition prefix of a word.
pub fn prefix(word: &str) -> String {
    word.chars().take(PREFIX_LEN).collect()
}

/// The words as stored for filtering: " w1 w2 w3 " so that `contains(" w")` is a
/// word-prefix match.
pub fn word_field(words: &[String]) -> String {
    format!(" {} ", words.join(" "))
}

/// The vendor's rating as shown with its products (from buyers' ratings of orders).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Rating {
    /// Average × 100 (0..=500).
    pub average_x100: u32,
    pub count: u32,
}

impl Rating {
    /// The average in stars; `None` without ratings (a client would show "0.0" as
    /// zero stars).
    pub fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| f64::from(self.average_x100) / 100.0)
    }
}

/// What buyers see of a product: its published version, with the vendor's details
/// as of publication (seed 001 Lampiran 5).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Listing {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub product_id: String,
    pub vendor_id: String,
    pub skpd: String,
    pub skpd_name: String,
    pub name: String,
    pub price: i64,
    pub category: String,
    pub availability: Availability,
    pub min_order: u32,
    pub max_order: u32,
    pub description: String,
    pub photos: Vec<Photo>,
    pub vendor_name: String,
    pub vendor_phone: String,
    pub business_address: String,
    pub village_name: String,
    pub rating: Rating,
    /// First publication (the "newest" order).
    pub published_at: i64,
    /// This version's publication.
    pub updated_at: i64,
    /// 1 for the first publication, +1 per approved revision.
    pub revision: u32,
    /// The index keys written for this version (to remove the stale ones later).
    pub index_keys: Vec<String>,
}

/// The vendor's details a listing shows.
#[derive(Debug, Clone, Default)]
pub struct VendorCard {
    pub name: String,
    pub phone: String,
    pub business_address: String,
    pub village_name: String,
    pub skpd_name: String,
    pub rating: Rating,
}

impl Listing {
    /// The published version of `p` (which must be complete), as of `now`.
    pub fn of(p: &Product, vendor: &VendorCard, previous: Option<&Listing>, now: i64) -> Self {
        let mut l = Listing {
            pk: p.pk.clone(),
            sk: PUBLISHED_SK.into(),
            product_id: p.id.clone(),
            vendor_id: p.vendor_id.clone(),
            skpd: p.skpd.clone(),
            skpd_name: vendor.skpd_name.clone(),
            name: p.display_name(),
            price: p.price.unwrap_or_default(),
            category: p.category.clone().unwrap_or_default(),
            availability: p.availability.unwrap_or(Availability::ReadyStock),
            min_order: p.min_order.unwrap_or(1),
            max_order: p.max_order.unwrap_or(1),
            description: p.description.clone().unwrap_or_default(),
            photos: p.photos.clone(),
            vendor_name: vendor.name.clone(),
            vendor_phone: vendor.phone.clone(),
            business_address: vendor.business_address.clone(),
            village_name: vendor.village_name.clone(),
            rating: vendor.rating,
            published_at: previous.map_or(now, |o| o.published_at),
            updated_at: now,
            revision: previous.map_or(1, |o| o.revision + 1),
            index_keys: Vec::new(),
        };
        l.index_keys = l.keys();
        l
    }

    /// The catalog partitions this listing belongs to.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = vec!["ALL".to_string(), format!("C#{}", self.category)];
        let mut add = |k: String| {
            if !keys.contains(&k) {
                keys.push(k);
            }
        };
        for w in words(&self.name).iter().take(MAX_NAME_WORDS) {
            add(format!("P#{}", prefix(w)));
        }
        for w in words(&self.vendor_name).iter().take(MAX_VENDOR_WORDS) {
            add(format!("V#{}", prefix(w)));
        }
        keys
    }

    /// Sort keys: zero-padded so that string order is numeric order; the id keeps
    /// them unique.
    pub fn price_key(&self) -> String {
        format!("{:012}#{}", self.price, self.product_id)
    }

    pub fn newest_key(&self) -> String {
        format!("{:012}#{}", self.published_at, self.product_id)
    }

    pub fn rating_key(&self) -> String {
        format!(
            "{:03}#{:08}#{:012}#{}",
            self.rating.average_x100, self.rating.count, self.published_at, self.product_id
        )
    }

    /// The index items of this listing, one per key.
    pub fn index_items(&self) -> Vec<Item> {
        let name_words = word_field(&words(&self.name));
        let vendor_words = word_field(&words(&self.vendor_name));
        let photo = self
            .photos
            .first()
            .map(|p| p.key.clone())
            .unwrap_or_default();
        self.index_keys
            .iter()
            .map(|k| {
                let mut it = key(self.pk.clone(), format!("{INDEX_PREFIX}{k}"));
                it.insert("SPK".into(), s(loket_shared::schema::catalog(k)));
                it.insert("SP".into(), s(self.price_key()));
                it.insert("SN".into(), s(self.newest_key()));
                it.insert("SR".into(), s(self.rating_key()));
                it.insert("product_id".into(), s(&self.product_id));
                it.insert("name".into(), s(&self.name));
                it.insert("price".into(), n(self.price));
                it.insert("category".into(), s(&self.category));
                it.insert("availability".into(), s(self.availability.as_str()));
                it.insert("vendor_id".into(), s(&self.vendor_id));
                it.insert("vendor_name".into(), s(&self.vendor_name));
                it.insert("rating_x100".into(), n(self.rating.average_x100));
                it.insert("rating_count".into(), n(self.rating.count));
                it.insert("skpd_name".into(), s(&self.skpd_name));
                it.insert("village_name".into(), s(&self.village_name));
                it.insert("published_at".into(), n(self.published_at));
                it.insert("words".into(), s(&name_words));
                it.insert("vwords".into(), s(&vendor_words));
                if !photo.is_empty() {
                    it.insert("photo".into(), s(&photo));
                }
                it
            })
            .collect()
    }

    /// The keys `previous` had that this version no longer has.
    pub fn stale_keys<'a>(&self, previous: &'a Listing) -> Vec<&'a String> {
        previous
            .index_keys
            .iter()
            .filter(|k| !self.index_keys.contains(k))
            .collect()
    }

    pub fn category_label(&self) -> &'static str {
        category_label(&self.category).unwrap_or("Lainnya")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::ProductInput;

    #[test]
    fn text_is_normalized_to_lower_case_words_without_punctuation() {
        assert_eq!(
            normalize("Snack-Box  GURIH, Andrew!"),
            "snack box gurih andrew"
        );
        assert_eq!(normalize("D'Lezat Bu Sri’s"), "dlezat bu sris");
        assert_eq!(words("Kue kue KUE lapis"), vec!["kue", "lapis"]);
        assert_eq!(word_field(&words("Es Teh")), " es teh ");
        assert_eq!(prefix("bakso"), "bak");
        assert_eq!(prefix("es"), "es");
    }

    fn listing(name: &str, vendor: &str) -> Listing {
        let mut p = Product::new("p1", "v1", "141201", 0);
        let form: ProductInput = serde_json::from_value(serde_json::json!({
            "name": name, "price": 25000, "category": "snack-box", "availability": "PO",
            "min_order": 1, "max_order": 10, "description": "x"
        }))
        .unwrap();
        form.apply(&mut p).unwrap();
        let v = VendorCard {
            name: vendor.into(),
            ..Default::default()
        };
        Listing::of(&p, &v, None, 1_700_000_000)
    }

    #[test]
    fn a_listing_is_indexed_by_category_and_name_and_vendor_word_prefixes() {
        let l = listing("Snack Box Gurih", "Kedai Bakso Andrew");
        assert_eq!(
            l.index_keys,
            vec![
                "ALL",
                "C#snack-box",
                "P#sna",
                "P#box",
                "P#gur",
                "V#ked",
                "V#bak",
                "V#and"
            ]
        );
        let items = l.index_items();
        assert_eq!(items.len(), 8);
        assert_eq!(
            loket_shared::store::get_s(&items[2], "SPK"),
            Some("CATALOG#P#sna")
        );
        assert_eq!(
            loket_shared::store::get_s(&items[2], "SP"),
            Some("000000025000#p1")
        );
        assert_eq!(
            loket_shared::store::get_s(&items[2], "vwords"),
            Some(" kedai bakso andrew ")
        );
    }

    #[test]
    fn a_revision_keeps_the_first_publication_and_drops_stale_keys() {
        let first = listing("Snack Box Gurih", "Kedai Andrew");
        let mut p = Product::new("p1", "v1", "141201", 0);
        p.name = Some("Nasi Box Gurih".into());
        p.category = Some("nasi-box".into());
        let second = Listing::of(
            &p,
            &VendorCard {
                name: "Kedai Andrew".into(),
                ..Default::default()
            },
            Some(&first),
            1_800_000_000,
        );
        assert_eq!(second.published_at, first.published_at);
        assert_eq!(second.revision, 2);
        assert_eq!(second.stale_keys(&first), vec!["C#snack-box", "P#sna"]);
    }
}
