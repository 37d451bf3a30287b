//! The product catalog, end to end (seed 000 §3, seed 001 §4.1): a registered vendor
//! creates a product with photos and confirms it; a real Step Functions execution
//! opens the PJLP's task and then the satpel's, who decide from the links in their
//! emails or from their inbox; the published product is found by name and by vendor
//! name, filtered, sorted and paged in the public catalog.

use loket_e2e::{Api, Officers, Reply, PNG};
use serde_json::{json, Value};

const LISTING: &str = "product_listing";

/// (id, price, category, availability) of a seeded product.
type Seeded = (String, i64, &'static str, &'static str);

fn form(name: &str, price: i64, category: &str, availability: &str) -> Value {
    json!({
        "name": name, "price": price, "category": category, "availability": availability,
        "min_order": 10, "max_order": 300,
        "description": "Dibuat setiap pagi dari bahan segar, dikemas per kotak.",
    })
}

/// A random word for this test run, so searches only see this test's products.
fn tag(prefix: &str) -> String {
    let letters: String = (0..6)
        .map(|_| (b'a' + (rand::random::<u8>() % 26)) as char)
        .collect();
    format!("{prefix}{letters}")
}

async fn add_photo(api: &Api, vendor: &str, product: &str) -> String {
    api.add_product_photo(vendor, product).await
}

async fn create(api: &Api, vendor: &str, body: Value) -> String {
    let r = api.post("/vendor/products", Some(vendor), body).await;
    r.expect(201)["id"].as_str().unwrap().to_string()
}

async fn product(api: &Api, vendor: &str, id: &str) -> Value {
    api.get(&format!("/vendor/products/{id}"), Some(vendor))
        .await
        .expect(200)
        .clone()
}

/// "Confirm" (`POST /vendor/products/{id}/submit`).
async fn submit(api: &Api, vendor: &str, id: &str) -> Reply {
    api.post(
        &format!("/vendor/products/{id}/submit"),
        Some(vendor),
        json!({}),
    )
    .await
}

/// Creates, photographs, confirms and publishes (PJLP, then satpel, from the inbox).
async fn publish(api: &Api, vendor: &str, o: &Officers, body: Value) -> String {
    let id = create(api, vendor, body).await;
    add_photo(api, vendor, &id).await;
    approve(api, vendor, o, &id).await;
    id
}

/// Confirms `id` and approves it at both stages from the inbox.
async fn approve(api: &Api, vendor: &str, o: &Officers, id: &str) {
    submit(api, vendor, id).await.expect(202);
    for (officer, stage) in [(&o.pjlp, "pjlp_review"), (&o.satpel, "satpel_publish")] {
        let t = api.wait_task(officer, LISTING, stage, id).await;
        api.decide(officer, &t, json!({ "decision": "approve" }))
            .await
            .expect(200);
    }
    assert_eq!(product(api, vendor, id).await["status"], "Tayang");
}

async fn search(api: &Api, query: &str) -> Value {
    api.get(&format!("/catalog/products?{query}"), None)
        .await
        .expect(200)
        .clone()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_product_is_checked_by_the_pjlp_and_published_by_the_satpel_from_their_emails() {
    let api = Api::new();
    let skpd = "141105";
    let o = api.officers(skpd).await;
    let word = tag("andrew");
    let vendor_name = format!("Kedai Bakso {word}");
    let (vendor_id, vendor_mail, vendor, _) = api
        .seeded_vendor("umkm-katalog", skpd, &vendor_name, &o.pjlp_id, json!([]))
        .await;

    // A vendor that is not "Terdaftar" cannot register products.
    let (_, newcomer) = api.new_vendor("umkm-baru", skpd).await;
    api.post(
        "/vendor/products",
        Some(&newcomer),
        form("Kue Lapis", 5000, "kue-roti", "PO"),
    )
    .await
    .expect_error(403, "vendor_not_registered");

    // "Buat" / "Simpan": a draft may be partial; bad values are refused field by field.
    let name = format!("Snack Box Gurih {word}");
    let r = api
        .post("/vendor/products", Some(&vendor), json!({ "name": name }))
        .await;
    let draft = r.expect(201);
    assert_eq!(draft["status"], "Draft");
    assert_eq!(draft["message"], "Produk berhasil disimpan");
    let id = draft["id"].as_str().unwrap().to_string();
    let r = submit(&api, &vendor, &id).await;
    r.expect_error(422, "product_incomplete");
    assert!(
        r.message()
            .starts_with("Data produk belum lengkap: Harga per Pack"),
        "{}",
        r.body
    );
    let mut bad = form(&name, 25_000, "snack-box", "H-1");
    bad["min_order"] = json!(50);
    bad["max_order"] = json!(20);
    api.call(
        "PUT",
        &format!("/vendor/products/{id}"),
        Some(&vendor),
        Some(bad),
    )
    .await
    .expect_error(400, "order_range_invalid");
    let saved = api
        .call(
            "PUT",
            &format!("/vendor/products/{id}"),
            Some(&vendor),
            Some(form(&name, 25_000, "snack-box", "H-1")),
        )
        .await;
    assert_eq!(saved.expect(200)["missing"], json!(["photos"]));

    // Photos are images only, checked by their bytes.
    api.post(
        &format!("/vendor/products/{id}/photos"),
        Some(&vendor),
        json!({ "content_type": "application/pdf" }),
    )
    .await
    .expect_error(400, "photo_type_invalid");
    let forged = api
        .post(
            &format!("/vendor/products/{id}/photos"),
            Some(&vendor),
            json!({ "content_type": "image/png" }),
        )
        .await
        .expect(201)
        .clone();
    api.upload(&forged["upload"], b"<?php system($_GET['c']);".to_vec())
        .await;
    let forged_id = forged["photo"]["id"].as_str().unwrap();
    api.post(
        &format!("/vendor/products/{id}/photos/{forged_id}/confirm"),
        Some(&vendor),
        json!({}),
    )
    .await
    .expect_error(400, "document_type_invalid");
    add_photo(&api, &vendor, &id).await;

    // Another vendor can neither read nor touch it.
    let (_, _, other, _) = api
        .seeded_vendor("umkm-lain", skpd, "Toko Sebelah", &o.pjlp_id, json!([]))
        .await;
    api.get(&format!("/vendor/products/{id}"), Some(&other))
        .await
        .expect_error(403, "forbidden");
    api.call(
        "PUT",
        &format!("/vendor/products/{id}"),
        Some(&other),
        Some(form("Punya Saya", 1, "lainnya", "PO")),
    )
    .await
    .expect_error(403, "forbidden");
    submit(&api, &other, &id)
        .await
        .expect_error(403, "forbidden");
    // Nor can the public see a product that is not published.
    api.get(&format!("/catalog/products/{id}"), None)
        .await
        .expect_error(404, "product_not_found");

    // "Confirm": Pengajuan; locked for the vendor while it is checked.
    let r = submit(&api, &vendor, &id).await;
    assert_eq!(r.expect(202)["status"], "Pengajuan");
    api.call(
        "PUT",
        &format!("/vendor/products/{id}"),
        Some(&vendor),
        Some(form(&name, 1, "snack-box", "H-1")),
    )
    .await
    .expect_error(409, "product_locked");

    // The PJLP is told by email; the link opens the case; the PJLP edits ("Edit") the
    // price, then decides ("Proses") from the link.
    let invite = api
        .wait_email(
            &pjlp_mail(&api, &o).await,
            &format!("Pengajuan - {name}"),
            1,
        )
        .await;
    let link = invite.link_path("/task-links/");
    let page = api.get(&link, None).await;
    assert_eq!(page.status, 200);
    let corrected = api
        .call(
            "PUT",
            &format!("/products/{id}"),
            Some(&o.pjlp),
            Some(form(&name, 27_500, "snack-box", "H-1")),
        )
        .await;
    assert_eq!(corrected.expect(200)["price"], 27_500);
    api.call(
        "PUT",
        &format!("/products/{id}"),
        Some(&o.satpel),
        Some(form(&name, 1, "snack-box", "H-1")),
    )
    .await
    .expect_error(403, "forbidden");
    api.post(
        &format!("{link}/decision"),
        Some(&o.pjlp),
        json!({ "decision": "approve" }),
    )
    .await
    .expect(200);
    assert_eq!(product(&api, &vendor, &id).await["status"], "Penayangan");

    // The satpel publishes from its email.
    let satpel_mail = officer_mail(&api, &o.satpel).await;
    let invite = api
        .wait_email(&satpel_mail, &format!("Penayangan - {name}"), 1)
        .await;
    let link = invite.link_path("/task-links/");
    api.post(
        &format!("{link}/decision"),
        Some(&o.satpel),
        json!({ "decision": "approve" }),
    )
    .await
    .expect(200);
    let p = product(&api, &vendor, &id).await;
    assert_eq!(p["status"], "Tayang");
    assert_eq!(p["listed"], true);
    let actions: Vec<&str> = p["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["created", "submitted", "corrected", "approved", "approved"]
    );
    api.wait_email(&vendor_mail, &format!("Status Produk: {name} - Tayang"), 1)
        .await;

    // The product page: every field of seed 001 Lampiran 5, public.
    let page = api.get(&format!("/catalog/products/{id}"), None).await;
    let page = page.expect(200);
    assert_eq!(page["name"], name.as_str());
    assert_eq!(page["price"], 27_500);
    assert_eq!(page["vendor_name"], vendor_name.as_str());
    assert_eq!(page["vendor_id"], vendor_id.as_str());
    assert_eq!(page["category_label"], "Snack Box");
    assert_eq!(page["availability"], "H-1");
    assert_eq!(
        (page["min_order"].clone(), page["max_order"].clone()),
        (json!(10), json!(300))
    );
    assert_eq!(
        page["skpd_name"],
        "Dinas Ketahanan Pangan, Kelautan dan Pertanian"
    );
    assert_eq!(page["phone"], "081255007788");
    assert!(page["business_address"]
        .as_str()
        .unwrap()
        .starts_with("Jl. Pangeran Antasari No. 12, Kel. "));
    assert!(!page["village_name"].as_str().unwrap().is_empty());
    // No ratings yet: no rating (not zero stars).
    assert_eq!(page["rating"], Value::Null);
    assert_eq!(page["rating_count"], 0);
    assert_eq!(page["feedback"], json!([]));
    let photo = page["photos"][0]["url"].as_str().unwrap();
    assert_eq!(api.fetch(photo).await, (200, PNG.to_vec()));
    assert!(page.get("PK").is_none() && page.get("vendor_phone").is_none());

    // Found by a word prefix of its name, any case, punctuation ignored, and by its
    // vendor's name.
    let prefix = &word[..word.len() - 2];
    for q in [
        format!("q={}", prefix.to_uppercase()),
        format!("q=gurih,+{prefix}!"),
        format!("vendor=bakso+{prefix}"),
    ] {
        let found = search(&api, &q).await;
        assert_eq!(ids(&found), vec![id.clone()], "{q}");
    }
    let card = &search(&api, &format!("q={word}")).await["items"][0];
    assert_eq!(card["vendor_name"], vendor_name.as_str());
    assert_eq!(
        card["skpd_name"],
        "Dinas Ketahanan Pangan, Kelautan dan Pertanian"
    );
    assert!(card["photo_url"].as_str().is_some());
    assert_eq!(
        ids(&search(&api, &format!("q=gurih+{word}x")).await),
        Vec::<String>::new()
    );
}

/// The email address of an officer, from its own profile.
async fn officer_mail(api: &Api, token: &str) -> String {
    api.get("/me", Some(token)).await.expect(200)["email"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn pjlp_mail(api: &Api, o: &Officers) -> String {
    officer_mail(api, &o.pjlp).await
}

#[tokio::test]
async fn a_rejected_product_is_edited_and_confirmed_again() {
    let api = Api::new();
    let skpd = "141302";
    let o = api.officers(skpd).await;
    let word = tag("tolak");
    let (_, vendor_mail, vendor, _) = api
        .seeded_vendor(
            "umkm-tolak",
            skpd,
            &format!("Rotan {word}"),
            &o.pjlp_id,
            json!([]),
        )
        .await;
    let name = format!("Tas Rotan {word}");
    let id = create(&api, &vendor, form(&name, 150_000, "kerajinan", "PO")).await;
    add_photo(&api, &vendor, &id).await;
    submit(&api, &vendor, &id).await.expect(202);

    // Reject needs a reason.
    let t = api.wait_task(&o.pjlp, LISTING, "pjlp_review", &id).await;
    api.decide(&o.pjlp, &t, json!({ "decision": "reject" }))
        .await
        .expect_error(400, "note_required");
    api.decide(
        &o.pjlp,
        &t,
        json!({ "decision": "reject", "note": "Foto buram, harga belum termasuk ongkir" }),
    )
    .await
    .expect(200);
    api.decide(&o.pjlp, &t, json!({ "decision": "approve" }))
        .await
        .expect_error(409, "task_already_decided");
    let p = product(&api, &vendor, &id).await;
    assert_eq!(p["status"], "Ditolak");
    assert_eq!(
        p["rejection"]["reason"],
        "Foto buram, harga belum termasuk ongkir"
    );
    let mail = api
        .wait_email(&vendor_mail, &format!("Status Produk: {name} - Ditolak"), 1)
        .await;
    assert!(mail.body.contains("Foto buram"), "{}", mail.body);

    // Edited and confirmed again: a new review, then published.
    api.call(
        "PUT",
        &format!("/vendor/products/{id}"),
        Some(&vendor),
        Some(form(&name, 165_000, "kerajinan", "PO")),
    )
    .await
    .expect(200);
    approve(&api, &vendor, &o, &id).await;
    let p = product(&api, &vendor, &id).await;
    assert!(p["rejection"].is_null());
    let page = api.get(&format!("/catalog/products/{id}"), None).await;
    assert_eq!(page.expect(200)["price"], 165_000);
}

#[tokio::test]
async fn a_revision_is_checked_while_the_published_version_stays_visible() {
    let api = Api::new();
    let skpd = "141403";
    let o = api.officers(skpd).await;
    let word = tag("revisi");
    let (_, _, vendor, _) = api
        .seeded_vendor(
            "umkm-revisi",
            skpd,
            &format!("Dapur {word}"),
            &o.pjlp_id,
            json!([]),
        )
        .await;
    let old_name = format!("Nasi Kuning {word}");
    let id = publish(
        &api,
        &vendor,
        &o,
        form(&old_name, 30_000, "nasi-box", "H-1"),
    )
    .await;

    // The edit is a revision: the catalog still shows the published version.
    let new_name = format!("Nasi Uduk {word}");
    let r = api
        .call(
            "PUT",
            &format!("/vendor/products/{id}"),
            Some(&vendor),
            Some(form(&new_name, 32_000, "nasi-box", "Ready Stock")),
        )
        .await;
    let r = r.expect(200);
    assert_eq!(r["status"], "Draft");
    assert_eq!(r["listed"], true);
    let page = api.get(&format!("/catalog/products/{id}"), None).await;
    assert_eq!(page.expect(200)["name"], old_name.as_str());
    submit(&api, &vendor, &id).await.expect(202);
    let t = api.wait_task(&o.pjlp, LISTING, "pjlp_review", &id).await;
    api.decide(&o.pjlp, &t, json!({ "decision": "approve" }))
        .await
        .expect(200);
    assert_eq!(
        ids(&search(&api, &format!("q=kuning+{word}")).await),
        vec![id.clone()],
        "still published under the old name during the review"
    );

    // Two satpels publish at once: exactly one decision counts.
    let (_, satpel2) = api.new_officer("satpel", skpd).await;
    let t = api
        .wait_task(&o.satpel, LISTING, "satpel_publish", &id)
        .await;
    let (a, b) = tokio::join!(
        api.decide(&o.satpel, &t, json!({ "decision": "approve" })),
        api.decide(&satpel2, &t, json!({ "decision": "approve" })),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);

    // The revision replaces the published version and its index.
    let page = api.get(&format!("/catalog/products/{id}"), None).await;
    let page = page.expect(200);
    assert_eq!(page["name"], new_name.as_str());
    assert_eq!(page["price"], 32_000);
    assert_eq!(page["availability"], "Ready Stock");
    assert_eq!(
        ids(&search(&api, &format!("q=uduk+{word}")).await),
        vec![id.clone()]
    );
    assert_eq!(
        ids(&search(&api, &format!("q=kuning+{word}")).await),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&search(&api, &format!("q={word}&availability=H-1")).await),
        Vec::<String>::new()
    );

    // Removing a photo of a published product is a revision too.
    let p = product(&api, &vendor, &id).await;
    let photo = p["photos"][0]["id"].as_str().unwrap().to_string();
    api.call(
        "DELETE",
        &format!("/vendor/products/{id}/photos/{photo}"),
        Some(&vendor),
        None,
    )
    .await
    .expect(200);
    let p = product(&api, &vendor, &id).await;
    assert_eq!(
        (p["status"].clone(), p["listed"].clone()),
        (json!("Draft"), json!(true))
    );
    assert_eq!(p["missing"], json!(["photos"]));
    let revised = p["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "revised")
        .count();
    assert_eq!(revised, 2);
    let page = api.get(&format!("/catalog/products/{id}"), None).await;
    assert_eq!(page.expect(200)["photos"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn search_filters_sorts_and_pages_without_duplicates_or_gaps() {
    let api = Api::new();
    let skpd = "141504";
    let (pjlp_id, _) = api.new_officer("pjlp", skpd).await;
    let word = tag("cari");
    let vendor_word = tag("juragan");
    // A price band of its own, so the filtered listing without words sees only these.
    let band = 500_000_000 + (rand::random::<i64>().rem_euclid(400_000)) * 1000;
    let seeded = [
        ("Batik Tulis", 7, "busana", "PO"),
        ("Batik Cap", 3, "busana", "Ready Stock"),
        ("Kemeja Batik", 5, "busana", "PO"),
        ("Kain Tenun", 1, "busana", "H-1"),
        ("Selendang Batik", 9, "busana", "PO"),
        ("Tas Anyaman", 4, "kerajinan", "PO"),
        ("Dompet Anyaman", 2, "kerajinan", "Ready Stock"),
    ];
    // Published with the publication's own code (the listing workflow that leads there
    // has its own end-to-end tests above).
    let forms: Vec<Value> = seeded
        .iter()
        .map(|(name, price, category, availability)| {
            form(
                &format!("{name} {word}"),
                band + price,
                category,
                availability,
            )
        })
        .collect();
    let (_, _, _, product_ids) = api
        .seeded_vendor(
            "umkm-cari",
            skpd,
            &format!("Juragan {vendor_word}"),
            &pjlp_id,
            json!(forms),
        )
        .await;
    let products: Vec<Seeded> = product_ids
        .into_iter()
        .zip(seeded)
        .map(|(id, (_, price, category, availability))| (id, band + price, category, availability))
        .collect();
    let by_price = |keep: &dyn Fn(&Seeded) -> bool| {
        let mut v: Vec<_> = products.iter().filter(|p| keep(p)).cloned().collect();
        v.sort_by_key(|p| p.1);
        v.into_iter().map(|p| p.0).collect::<Vec<_>>()
    };

    // Every page of 3, cheapest first: all seven, once each, in price order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut q = format!("q={word}&sort=price_asc&limit=3");
        if let Some(c) = &cursor {
            q.push_str(&format!("&cursor={c}"));
        }
        let page = search(&api, &q).await;
        pages += 1;
        assert!(ids(&page).len() <= 3);
        seen.extend(ids(&page));
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(seen, by_price(&|_| true));
    assert_eq!(pages, 3);

    // Most expensive first; by vendor name; filters.
    let mut desc = by_price(&|_| true);
    desc.reverse();
    assert_eq!(
        ids(&search(&api, &format!("q={word}&sort=price_desc")).await),
        desc
    );
    assert_eq!(
        ids(&search(&api, &format!("vendor={vendor_word}&sort=price_asc")).await),
        by_price(&|_| true)
    );
    assert_eq!(
        ids(&search(
            &api,
            &format!("q=batik+{word}&availability=PO&sort=price_asc")
        )
        .await),
        by_price(&|p| p.3 == "PO" && p.2 == "busana"),
        "Batik Tulis, Kemeja Batik, Selendang Batik"
    );
    assert_eq!(
        ids(&search(
            &api,
            &format!("q=anyam&vendor={vendor_word}&sort=price_asc")
        )
        .await),
        by_price(&|p| p.2 == "kerajinan")
    );
    // Filtered listing with no words: category and price range, in the order asked.
    let listing = search(
        &api,
        &format!(
            "category=busana&min_price={}&max_price={}&sort=price_asc",
            band + 2,
            band + 8
        ),
    )
    .await;
    assert_eq!(
        ids(&listing),
        by_price(&|p| p.2 == "busana" && (band + 2..=band + 8).contains(&p.1))
    );
    let newest = search(
        &api,
        &format!(
            "category=kerajinan&availability=PO&min_price={band}&max_price={}",
            band + 9
        ),
    )
    .await;
    assert_eq!(
        ids(&newest),
        by_price(&|p| p.2 == "kerajinan" && p.3 == "PO")
    );
    let rated = search(
        &api,
        &format!("q={word}&sort=rating&min_price={}", band + 5),
    )
    .await;
    assert_eq!(ids(&rated).len(), 3);

    // Bad parameters are 400 with a stable code; a cursor only continues its search.
    api.get("/catalog/products?sort=termurah", None)
        .await
        .expect_error(400, "sort_invalid");
    api.get("/catalog/products?availability=besok", None)
        .await
        .expect_error(400, "availability_invalid");
    api.get("/catalog/products?min_price=9&max_price=1", None)
        .await
        .expect_error(400, "price_range_invalid");
    api.get("/catalog/products?limit=500", None)
        .await
        .expect_error(400, "limit_invalid");
    let first = search(&api, &format!("q={word}&sort=price_asc&limit=2")).await;
    let c = first["cursor"].as_str().unwrap();
    api.get(
        &format!("/catalog/products?q=kain&sort=price_asc&cursor={c}"),
        None,
    )
    .await
    .expect_error(400, "cursor_invalid");
    api.get("/catalog/products?cursor=bukan-cursor", None)
        .await
        .expect_error(400, "cursor_invalid");
    let cats = api.get("/catalog/categories", None).await;
    assert!(cats.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "busana"));
}

#[tokio::test]
async fn the_demo_catalog_is_seeded_and_public() {
    let api = Api::new();
    let found = search(&api, "vendor=kedai+andrew&q=snack&limit=50").await;
    let card = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Snack Box Gurih Andrew")
        .expect("the demo product is found by product and vendor words");
    assert_eq!(card["vendor_name"], "Kedai Bakso Andrew");
    let id = card["id"].as_str().unwrap();
    let page = api.get(&format!("/catalog/products/{id}"), None).await;
    let page = page.expect(200);
    assert_eq!(page["price"], 25_000);
    assert_eq!(page["min_order"], 10);
    assert_eq!(page["village_name"], "Rawa Makmur");
}
