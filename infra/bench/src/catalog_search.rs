//! Catalog search benchmark: loads a generated catalog (default 100 000 published
//! products of 2 000 vendors) into a table provisioned from `infra/template.yaml` on a
//! DynamoDB emulator, then runs product-name searches, vendor-name searches and
//! filtered listings through `loket_catalog::search::search` (the code behind
//! `GET /catalog/products`) and prints, per kind: p50 and p99 latency, DynamoDB
//! requests per search and items read per search.
//!
//! The items are the ones publication writes (`Listing::of` + `index_items`), built by
//! the same code. Usage (see `infra/bench/catalog-search.sh`):
//! `catalog-search --endpoint URL [--products N] [--vendors N] [--searches N] [--seed N]`

use loket_catalog::index::{Listing, Rating, VendorCard};
use loket_catalog::product::{Availability, Photo, Product, CATEGORIES};
use loket_catalog::search::{search, SearchParams, Sort};
use loket_shared::store::{to_item, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::time::Instant;

const VENDOR_KINDS: &[&str] = &[
    "Kedai", "Warung", "Dapur", "Toko", "Rumah", "Sentra", "Griya", "Pondok", "Galeri", "Kios",
];
const PEOPLE: &[&str] = &[
    "Andrew", "Sri", "Rahayu", "Budi", "Siti", "Aminah", "Joko", "Wati", "Yanti", "Agus", "Dewi",
    "Hendra", "Lestari", "Rudi", "Sari", "Bambang", "Indah", "Putri", "Eko", "Nur", "Fitri",
    "Rina", "Taufik", "Wahyu", "Yusuf", "Zainal", "Ayu", "Bayu", "Citra", "Dimas", "Erna", "Fajar",
    "Gita", "Hasan", "Ika", "Jamal", "Kartika", "Lukman", "Maya", "Nanda", "Oki", "Purnama",
    "Ratna", "Samsul", "Tuti", "Umar", "Vina", "Wulan", "Yoga", "Zahra",
];
const QUALITIES: &[&str] = &[
    "Sejahtera",
    "Makmur",
    "Berkah",
    "Jaya",
    "Mandiri",
    "Sentosa",
    "Abadi",
    "Barokah",
    "Lestari",
    "Sehati",
    "Mulia",
    "Permai",
    "Rezeki",
    "Bahagia",
    "Amanah",
    "Nusantara",
    "Samarinda",
    "Mahakam",
    "Borneo",
    "Khatulistiwa",
];
/// (product noun, category)
const NOUNS: &[(&str, &str)] = &[
    ("Nasi Box", "nasi-box"),
    ("Nasi Kuning", "nasi-box"),
    ("Nasi Uduk", "nasi-box"),
    ("Nasi Bakar", "nasi-box"),
    ("Nasi Kebuli", "nasi-box"),
    ("Snack Box", "snack-box"),
    ("Kotak Kue", "snack-box"),
    ("Paket Rapat", "snack-box"),
    ("Bakso", "makanan"),
    ("Soto Banjar", "makanan"),
    ("Ayam Bakar", "makanan"),
    ("Ikan Bakar", "makanan"),
    ("Amplang", "makanan"),
    ("Kerupuk Ikan", "makanan"),
    ("Es Teh", "minuman"),
    ("Jus Buah", "minuman"),
    ("Kopi Susu", "minuman"),
    ("Wedang Jahe", "minuman"),
    ("Kue Lapis", "kue-roti"),
    ("Bolu Pandan", "kue-roti"),
    ("Roti Sobek", "kue-roti"),
    ("Lemper", "kue-roti"),
    ("Prasmanan", "katering"),
    ("Tumpeng", "katering"),
    ("Tas Rotan", "kerajinan"),
    ("Anyaman Bambu", "kerajinan"),
    ("Manik Dayak", "kerajinan"),
    ("Batik Tulis", "busana"),
    ("Kain Ulap Doyo", "busana"),
    ("Kemeja Batik", "busana"),
    ("Map Dokumen", "atk"),
    ("Buku Agenda", "atk"),
    ("Gantungan Kunci", "suvenir"),
    ("Plakat Kayu", "suvenir"),
    ("Sabun Herbal", "lainnya"),
    ("Madu Hutan", "lainnya"),
];
const FLAVOURS: &[&str] = &[
    "Gurih",
    "Pedas",
    "Manis",
    "Original",
    "Spesial",
    "Premium",
    "Jumbo",
    "Mini",
    "Keju",
    "Coklat",
    "Pandan",
    "Durian",
    "Rendang",
    "Balado",
    "Sambal",
    "Madu",
    "Jahe",
    "Kelapa",
    "Nangka",
    "Pisang",
    "Merah",
    "Hijau",
    "Klasik",
    "Tradisional",
    "Hemat",
    "Keluarga",
    "Ekonomis",
    "Istimewa",
    "Lezat",
    "Segar",
];
const SKPDS: &[&str] = &[
    "Dinas Koperasi, Usaha Mikro, Kecil dan Menengah, serta Perdagangan",
    "Dinas Ketahanan Pangan, Kelautan dan Pertanian",
    "Dinas Pariwisata dan Ekonomi Kreatif",
    "Dinas Tenaga Kerja, Transmigrasi dan Energi",
    "Dinas Sosial",
];
const VILLAGES: &[&str] = &[
    "Rawa Makmur",
    "Handil Bakti",
    "Simpang Pasir",
    "Bantuas",
    "Bukuan",
    "Sempaja",
    "Lempake",
    "Sungai Pinang",
    "Teluk Lerong",
    "Air Putih",
    "Karang Asam",
    "Loa Bakung",
];

struct Args {
    endpoint: String,
    products: usize,
    vendors: usize,
    searches: usize,
    seed: u64,
}

fn args() -> Args {
    let mut a = Args {
        endpoint: String::new(),
        products: 100_000,
        vendors: 2_000,
        searches: 200,
        seed: 2026,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => a.endpoint = value,
            "--products" => a.products = value.parse().expect("--products N"),
            "--vendors" => a.vendors = value.parse().expect("--vendors N"),
            "--searches" => a.searches = value.parse().expect("--searches N"),
            "--seed" => a.seed = value.parse().expect("--seed N"),
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(
        !a.endpoint.is_empty(),
        "--endpoint URL of the emulator is required"
    );
    a
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from.choose(rng).copied().expect("non-empty")
}

fn vendors(rng: &mut StdRng, n: usize) -> Vec<(String, VendorCard)> {
    (0..n)
        .map(|i| {
            let name = format!(
                "{} {} {}",
                pick(rng, VENDOR_KINDS),
                pick(rng, PEOPLE),
                pick(rng, QUALITIES)
            );
            let village = pick(rng, VILLAGES);
            let card = VendorCard {
                name,
                phone: format!("0812{:08}", rng.gen_range(0..100_000_000)),
                business_address: format!("Jl. Pahlawan No. {}, Kel. {village}", i % 200 + 1),
                village_name: village.into(),
                skpd_name: pick(rng, SKPDS).into(),
                rating: Rating {
                    average_x100: rng.gen_range(0..=500),
                    count: rng.gen_range(0..400),
                },
            };
            (format!("vendor-{i:05}"), card)
        })
        .collect()
}

fn product(rng: &mut StdRng, i: usize, vendor: &(String, VendorCard)) -> Listing {
    let (noun, category) = *NOUNS.choose(rng).expect("nouns");
    let name = format!("{noun} {} {}", pick(rng, FLAVOURS), pick(rng, FLAVOURS));
    let id = format!("bench-{i:06}");
    let published = 1_760_000_000 + i as i64 * 37;
    let mut p = Product::new(&id, &vendor.0, "141201", published);
    p.name = Some(name);
    p.price = Some(rng.gen_range(10..=1_000) * 500);
    p.category = Some(category.to_string());
    p.availability = Some(*Availability::ALL.choose(rng).expect("availability"));
    p.min_order = Some(rng.gen_range(1..=20));
    p.max_order = Some(rng.gen_range(20..=500));
    p.description = Some("Produk UMKM binaan, dibuat dan dikemas oleh penyedia.".into());
    p.photos = vec![Photo {
        id: format!("{id}-1"),
        content_type: "image/jpeg".into(),
        size: 120_000,
        key: format!("products/{id}/photos/{id}-1"),
    }];
    Listing::of(&p, &vendor.1, None, published)
}

/// A prefix of a word of `text` (at least 3 letters) — what a buyer types.
fn typed(rng: &mut StdRng, text: &str) -> String {
    let words = loket_catalog::index::words(text);
    let w = words.choose(rng).expect("words");
    let len = w.chars().count();
    let keep = if len <= 3 {
        len
    } else {
        rng.gen_range(3..=len)
    };
    w.chars().take(keep).collect()
}

fn sort(rng: &mut StdRng) -> Sort {
    *[Sort::Newest, Sort::PriceAsc, Sort::PriceDesc, Sort::Rating]
        .choose(rng)
        .expect("sorts")
}

struct Stats {
    latency_ms: Vec<f64>,
    requests: Vec<u32>,
    read: Vec<i64>,
    results: Vec<usize>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

impl Stats {
    fn print(mut self, kind: &str) {
        self.latency_ms.sort_by(|a, b| a.total_cmp(b));
        let n = self.latency_ms.len() as f64;
        let avg = |v: &[f64]| v.iter().sum::<f64>() / n;
        let req: Vec<f64> = self.requests.iter().map(|r| *r as f64).collect();
        let read: Vec<f64> = self.read.iter().map(|r| *r as f64).collect();
        let res: Vec<f64> = self.results.iter().map(|r| *r as f64).collect();
        println!(
            "{kind:<22} {:>5} {:>9.1} {:>9.1} {:>8.2} {:>6} {:>9.1} {:>7} {:>8.1}",
            self.latency_ms.len(),
            percentile(&self.latency_ms, 0.50),
            percentile(&self.latency_ms, 0.99),
            avg(&req),
            self.requests.iter().max().copied().unwrap_or(0),
            avg(&read),
            self.read.iter().max().copied().unwrap_or(0),
            avg(&res),
        );
    }
}

async fn run(store: &Store, queries: Vec<SearchParams>) -> Stats {
    let mut s = Stats {
        latency_ms: Vec::new(),
        requests: Vec::new(),
        read: Vec::new(),
        results: Vec::new(),
    };
    for q in queries {
        let t = Instant::now();
        let page = search(store, &q, None).await.expect("search");
        s.latency_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        s.requests.push(page.requests);
        s.read.push(page.read);
        s.results.push(page.items.len());
    }
    s
}

#[tokio::main]
async fn main() {
    let a = args();
    std::env::set_var("AWS_ENDPOINT_URL", &a.endpoint);
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_REGION", "us-east-1"),
    ] {
        if std::env::var_os(k).is_none() {
            std::env::set_var(k, v);
        }
    }
    let aws = loket_shared::app::aws_config().await;
    let ddb = aws_sdk_dynamodb::Client::new(&aws);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let prefix = format!("bench-{}", std::process::id());
    let template = loket_local::template::Template::load(
        &root.join("infra/template.yaml"),
        &prefix,
        "us-east-1",
    )
    .expect("template");
    let table = loket_local::provision::table(&template, &ddb)
        .await
        .expect("table");
    let store = Store::new(ddb, table.clone());

    let mut rng = StdRng::seed_from_u64(a.seed);
    let vendors = vendors(&mut rng, a.vendors);
    println!(
        "catalog: {} published products of {} vendors, table {table} on {}",
        a.products, a.vendors, a.endpoint
    );
    let started = Instant::now();
    let (mut written, mut names) = (0usize, Vec::with_capacity(a.products));
    let mut batch = Vec::new();
    let mut loading = tokio::task::JoinSet::new();
    for i in 0..a.products {
        let vendor = &vendors[i % vendors.len()];
        let l = product(&mut rng, i, vendor);
        names.push(l.name.clone());
        batch.push(to_item(&l).expect("listing item"));
        batch.extend(l.index_items());
        if batch.len() >= 500 || i + 1 == a.products {
            written += batch.len();
            // A few writes in flight, so building requests overlaps the emulator's work.
            if loading.len() >= 4 {
                loading
                    .join_next()
                    .await
                    .expect("a load task")
                    .expect("load");
            }
            let (store, items) = (store.clone(), std::mem::take(&mut batch));
            loading.spawn(async move { store.put_many(items).await.expect("load") });
        }
        if (i + 1) % 10_000 == 0 {
            eprintln!(
                "  loaded {} products ({written} items) in {:.0} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    while let Some(done) = loading.join_next().await {
        done.expect("load");
    }
    println!(
        "loaded {written} items ({:.1} per product: the published version and its index items) in {:.0} s",
        written as f64 / a.products as f64,
        started.elapsed().as_secs_f64()
    );

    let n = a.searches;
    let by_name: Vec<SearchParams> = (0..n)
        .map(|_| {
            let name = names.choose(&mut rng).expect("names").clone();
            let mut words = vec![typed(&mut rng, &name)];
            if rng.gen_bool(0.3) {
                words.push(typed(&mut rng, &name));
            }
            SearchParams {
                name: words,
                sort: sort(&mut rng),
                ..Default::default()
            }
        })
        .collect();
    let by_vendor: Vec<SearchParams> = (0..n)
        .map(|_| {
            let v = &vendors.choose(&mut rng).expect("vendors").1.name;
            SearchParams {
                vendor: vec![typed(&mut rng, v)],
                sort: sort(&mut rng),
                ..Default::default()
            }
        })
        .collect();
    let filtered: Vec<SearchParams> = (0..n)
        .map(|_| {
            let lo = rng.gen_range(10..=900) * 500;
            SearchParams {
                category: Some(
                    CATEGORIES
                        .choose(&mut rng)
                        .expect("categories")
                        .0
                        .to_string(),
                ),
                availability: Some(*Availability::ALL.choose(&mut rng).expect("availability")),
                min_price: Some(lo),
                max_price: Some(lo + rng.gen_range(20..=200) * 500),
                sort: sort(&mut rng),
                ..Default::default()
            }
        })
        .collect();
    // Warm the connection (and the emulator's partition map) before measuring.
    run(&store, by_name.iter().take(3).cloned().collect()).await;

    println!(
        "\n{:<22} {:>5} {:>9} {:>9} {:>8} {:>6} {:>9} {:>7} {:>8}",
        "search (first page)",
        "n",
        "p50 ms",
        "p99 ms",
        "req/avg",
        "max",
        "read/avg",
        "max",
        "results"
    );
    run(&store, by_name).await.print("product name");
    run(&store, by_vendor).await.print("vendor name");
    run(&store, filtered).await.print("filtered listing");
    println!(
        "\nreq = DynamoDB Query requests per search (bounded: at most {} by design); read = items DynamoDB read (billed) per search before the filter; page size {}.",
        loket_catalog::search::MAX_QUERIES,
        loket_catalog::search::DEFAULT_PAGE
    );
}
