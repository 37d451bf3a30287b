//! Procurement orders (seed 001 §3.2–§6.4) through the HTTP API: a buyer's delivery
//! address, the cart, the order form, the confirmation, and the lifecycle as human tasks
//! of the vendor and the buyer (real state machine executions), with the emails.

use loket_e2e::{Api, Reply, DEMO_PASSWORD};
use loket_shared::rules::workdays::wib_date;
use serde_json::{json, Value};

const SKPD: &str = "141201";
const BUYER_ORG: &str = "141732";

/// A date `days` from today (UTC; the office's zone is at most 9 hours ahead, so a
/// date two or more days ahead is ahead everywhere).
fn in_days(days: i64) -> String {
    let d = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn products() -> Value {
    json!([
        { "name": "Snack Box Gurih", "price": 25000, "category": "snack-box", "availability": "H-1",
          "min_order": 10, "max_order": 500, "description": "Risol, lemper, kue lapis, air mineral." },
        { "name": "Es Teh Manis Jumbo", "price": 8000, "category": "minuman", "availability": "PO",
          "min_order": 20, "max_order": 1000, "description": "Es teh manis 500 ml." }
    ])
}

struct Parties {
    vendor: String,
    vendor_mail: String,
    buyer: String,
    buyer_mail: String,
    /// As [`products`] lists them: [Snack Box (Rp 25.000, 10..500), Es Teh (Rp 8.000, 20..1000)].
    products: Vec<String>,
    vendor_name: String,
}

/// A registered vendor of SKPD 141201 with two published products and a new buyer of
/// the procurement agency.
async fn parties(api: &Api, tag: &str) -> Parties {
    let (pjlp_id, _) = api.new_officer("pjlp", SKPD).await;
    let vendor_name = format!("Katering {} {tag}", 10_000 + rand::random::<u32>() % 90_000);
    let (_, vendor_mail, vendor, products) = api
        .seeded_vendor(tag, SKPD, &vendor_name, &pjlp_id, products())
        .await;
    let (_, buyer_mail, password) = api.new_officer_login("buyer", BUYER_ORG).await;
    let buyer = api.token(&buyer_mail, &password).await;
    Parties {
        vendor,
        vendor_mail,
        buyer,
        buyer_mail,
        products,
        vendor_name,
    }
}

async fn new_address(api: &Api, buyer: &str, name: &str) -> String {
    api.post(
        "/buyer/addresses",
        Some(buyer),
        json!({ "name": name, "kind": "Kegiatan", "street": "Jl. Gajah Mada No. 2",
                "country": "Indonesia", "province_code": "64", "regency_code": "64.72",
                "district_code": "64.72.01", "postal_code": "75251",
                "latitude": -0.5022, "longitude": 117.1536 }),
    )
    .await
    .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn add(api: &Api, buyer: &str, product: &str, quantity: i64) -> Reply {
    api.post(
        "/cart/items",
        Some(buyer),
        json!({ "product_id": product, "quantity": quantity }),
    )
    .await
}

async fn confirm(api: &Api, buyer: &str, order: &str, key: &str) -> Reply {
    api.confirm_order(buyer, order, key).await
}

/// A draft of the buyer with both products, its details filled in; returns its id.
async fn ready_draft(api: &Api, p: &Parties) -> String {
    let address = new_address(api, &p.buyer, "Balai Kota").await;
    let order = add(api, &p.buyer, &p.products[1], 20).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    add(api, &p.buyer, &p.products[0], 40).await.expect(200);
    api.call(
        "PUT",
        &format!("/orders/{order}"),
        Some(&p.buyer),
        Some(
            json!({ "address_id": address, "activity_date": in_days(3), "activity_time": "10:00",
                     "activity_name": "Rapat Koordinasi Pengadaan", "notes": "Antar ke lobi",
                     "payment_method": "cod" }),
        ),
    )
    .await
    .expect(200);
    order
}

async fn order_of(api: &Api, who: &str, id: &str) -> Value {
    api.get(&format!("/orders/{id}"), Some(who))
        .await
        .expect(200)
        .clone()
}

#[tokio::test]
async fn an_order_goes_from_the_cart_to_selesai_with_the_emails() {
    let api = Api::new();
    let p = parties(&api, "umkm-pesanan").await;

    // Addresses: checked against the reference data and Indonesia's extent.
    let bad = api
        .post(
            "/buyer/addresses",
            Some(&p.buyer),
            json!({ "name": "Rumah", "kind": "Kegiatan", "street": "Jl. Mawar", "province_code": "64",
                    "regency_code": "64.72", "district_code": "64.71.01", "postal_code": "75251",
                    "latitude": -0.5, "longitude": 117.1 }),
        )
        .await;
    bad.expect_error(400, "region_invalid");
    let outside = api
        .post(
            "/buyer/addresses",
            Some(&p.buyer),
            json!({ "name": "Rumah", "kind": "Utama", "street": "Jl. Mawar", "province_code": "64",
                    "regency_code": "64.72", "district_code": "64.72.01", "postal_code": "75251",
                    "latitude": 51.5, "longitude": -0.12 }),
        )
        .await;
    outside.expect_error(400, "point_outside_indonesia");
    let address = new_address(&api, &p.buyer, "Balai Kota").await;

    // "Pesan": a quantity outside min..max is refused; one draft per vendor.
    add(&api, &p.buyer, &p.products[1], 5)
        .await
        .expect_error(400, "quantity_out_of_range");
    let draft = add(&api, &p.buyer, &p.products[1], 20).await;
    let order = draft.expect(201)["id"].as_str().unwrap().to_string();
    let second = add(&api, &p.buyer, &p.products[0], 40).await;
    assert_eq!(
        second.expect(200)["id"],
        order.as_str(),
        "one draft per vendor"
    );
    assert_eq!(second.body["total"], 20 * 8000 + 40 * 25000);

    // "Konfirmasi Pesanan" without the details: the seed's warning, what is missing.
    let r = confirm(&api, &p.buyer, &order, "konfirmasi-1").await;
    r.expect_error(422, "order_incomplete");
    assert!(r.message().contains("Alamat Pengiriman"), "{}", r.body);
    api.call_with_headers(
        "POST",
        &format!("/orders/{order}/confirm"),
        Some(&p.buyer),
        Some(json!({})),
        &[],
    )
    .await
    .expect_error(400, "idempotency_key_required");
    api.call(
        "PUT",
        &format!("/orders/{order}"),
        Some(&p.buyer),
        Some(json!({ "address_id": address, "activity_date": in_days(-2) })),
    )
    .await
    .expect_error(400, "activity_date_past");
    api.call(
        "PUT",
        &format!("/orders/{order}"),
        Some(&p.buyer),
        Some(
            json!({ "address_id": address, "activity_date": in_days(3), "activity_time": "10:00",
                     "activity_name": "Rapat Koordinasi Pengadaan", "notes": "Antar ke lobi",
                     "payment_method": "cod" }),
        ),
    )
    .await
    .expect(200);

    // Confirmed twice with one key (a retry): one order, placed once.
    let (a, b) = tokio::join!(
        confirm(&api, &p.buyer, &order, "konfirmasi-2"),
        confirm(&api, &p.buyer, &order, "konfirmasi-2"),
    );
    let placed: Vec<&Reply> = [&a, &b].into_iter().filter(|r| r.status == 200).collect();
    assert!(!placed.is_empty(), "{} {}", a.body, b.body);
    for r in [&a, &b] {
        assert!(
            r.status == 200 || (r.status == 409 && r.code() == "concurrent_update"),
            "{} {}",
            r.status,
            r.body
        );
    }
    let again = confirm(&api, &p.buyer, &order, "konfirmasi-2").await;
    assert_eq!(again.expect(200)["status"], "Dipesan");
    confirm(&api, &p.buyer, &order, "kunci-lain-3")
        .await
        .expect_error(409, "order_status_conflict");
    let mine = api.get("/orders?status=placed", Some(&p.buyer)).await;
    assert_eq!(mine.expect(200)["items"].as_array().unwrap().len(), 1);
    // The address can change or go: the order keeps its copy.
    api.call(
        "DELETE",
        &format!("/buyer/addresses/{address}"),
        Some(&p.buyer),
        None,
    )
    .await
    .expect(200);
    let o = order_of(&api, &p.buyer, &order).await;
    assert_eq!(o["details"]["address"]["name"], "Balai Kota");
    assert_eq!(o["lines"][0]["name"], "Es Teh Manis Jumbo");

    // The vendor is told, and its task waits.
    api.wait_email(&p.vendor_mail, "Status Pesanan", 1).await;
    let task = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_confirm", &order)
        .await;
    let v = order_of(&api, &p.vendor, &order).await;
    assert_eq!(v["task"]["id"], task.as_str());
    // Nobody else sees or decides it.
    let (_, stranger_buyer) = api.new_officer("buyer", BUYER_ORG).await;
    let other_vendor = api
        .token("umkm.terdaftar@demo.loket.id", loket_e2e::DEMO_PASSWORD)
        .await;
    for who in [&stranger_buyer, &other_vendor] {
        api.get(&format!("/orders/{order}"), Some(who))
            .await
            .expect_error(403, "forbidden");
        api.decide(who, &task, json!({ "decision": "approve" }))
            .await
            .expect_error(403, "forbidden");
    }
    api.decide(&p.buyer, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(403, "forbidden");

    // Diproses → Dikirim (vendor), Diterima → Selesai (buyer).
    api.decide(&p.vendor, &task, json!({ "decision": "approve" }))
        .await
        .expect(200);
    api.wait_email(&p.buyer_mail, "Diproses", 1).await;
    let ship = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_ship", &order)
        .await;
    api.decide(
        &p.vendor,
        &ship,
        json!({ "decision": "reject", "note": "batal" }),
    )
    .await
    .expect_error(400, "decision_invalid");
    api.decide(&p.vendor, &ship, json!({ "decision": "approve" }))
        .await
        .expect(200);
    let receipt = api
        .wait_task(&p.buyer, "order_lifecycle", "buyer_receipt", &order)
        .await;
    api.decide(
        &p.buyer,
        &receipt,
        json!({ "decision": "approve", "quantity_ok": true, "condition_ok": false, "on_time_and_place": true }),
    )
    .await
    .expect_error(400, "receipt_unchecked");
    api.decide(
        &p.buyer,
        &receipt,
        json!({ "decision": "approve", "quantity_ok": true, "condition_ok": true,
                "on_time_and_place": true, "note": "Jumlah dan kondisi sesuai" }),
    )
    .await
    .expect(200);
    let rating = api
        .wait_task(&p.buyer, "order_lifecycle", "buyer_rating", &order)
        .await;
    api.decide(
        &p.buyer,
        &rating,
        json!({ "decision": "approve", "rating": 6 }),
    )
    .await
    .expect_error(400, "rating_invalid");
    api.decide(
        &p.buyer,
        &rating,
        json!({ "decision": "approve", "rating": 5, "review": "Enak, tepat waktu, kemasan rapi" }),
    )
    .await
    .expect(200);

    let done = order_of(&api, &p.buyer, &order).await;
    assert_eq!(done["status"], "Selesai");
    assert_eq!(done["receipt"]["note"], "Jumlah dan kondisi sesuai");
    let actions: Vec<&str> = done["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status_after"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["Dipesan", "Diproses", "Dikirim", "Diterima", "Selesai"],
        "{done}"
    );
    api.wait_email(&p.vendor_mail, "Selesai", 1).await;
    // The completed order is open data (OCDS), without any person in it.
    let today = time::OffsetDateTime::now_utc().date();
    let from = today - time::Duration::days(1);
    let package = api
        .get(&format!("/open-data/orders?from={from}&to={today}"), None)
        .await;
    let package = package.expect(200).clone();
    assert_eq!(package["version"], "1.1");
    let ocid = format!("ocds-loket-{order}");
    let release = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ocid"] == ocid.as_str())
        .unwrap_or_else(|| panic!("{ocid} not published: {package}"))
        .clone();
    assert_eq!(
        release["awards"][0]["suppliers"][0]["name"],
        p.vendor_name.as_str()
    );
    assert_eq!(release["contracts"][0]["value"]["amount"], done["total"]);
    assert_eq!(release["contracts"][0]["value"]["currency"], "IDR");
    let text = release.to_string();
    for personal in [
        p.buyer_mail.as_str(),
        p.vendor_mail.as_str(),
        "Enak, tepat waktu",
        "Antar ke lobi",
    ] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    api.get("/open-data/orders?from=2026-02-30", None)
        .await
        .expect_error(400, "date_invalid");
    api.get(&format!("/open-data/orders?from={today}&to={from}"), None)
        .await
        .expect_error(400, "range_invalid");
    // The review is on the product's feedback tab.
    let feedback = api
        .get(
            &format!("/catalog/products/{}/feedback", p.products[0]),
            None,
        )
        .await;
    let items = feedback.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{}", feedback.body);
    assert_eq!(items[0]["stars"], 5);
    assert_eq!(items[0]["review"], "Enak, tepat waktu, kemasan rapi");
    assert_eq!(items[0]["by"], "Petugas U.");
    // The vendor's rating reaches its cards (from the rating's stream record): the
    // product page, and the catalog sorted by rating.
    let mut page = Value::Null;
    for _ in 0..80 {
        page = api
            .get(&format!("/catalog/products/{}", p.products[1]), None)
            .await
            .expect(200)
            .clone();
        if page["rating_count"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(
        (page["rating"].clone(), page["rating_count"].clone()),
        (json!(5.0), json!(1)),
        "{page}"
    );
    assert_eq!(
        page["feedback"][0]["stars"], 5,
        "both products of the order are rated"
    );
    let word = p.vendor_name.split_whitespace().nth(1).unwrap();
    let sorted = api
        .get(
            &format!("/catalog/products?vendor={word}&sort=rating"),
            None,
        )
        .await;
    let cards = sorted.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(cards.len(), 2, "{}", sorted.body);
    assert!(cards.iter().all(|c| c["rating"] == 5.0), "{}", sorted.body);
}

#[tokio::test]
async fn a_vendor_declines_with_a_reason_and_the_buyer_is_told() {
    let api = Api::new();
    let p = parties(&api, "umkm-tolak").await;
    let order = ready_draft(&api, &p).await;
    confirm(&api, &p.buyer, &order, "konfirmasi-tolak")
        .await
        .expect(200);
    let task = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_confirm", &order)
        .await;
    api.decide(&p.vendor, &task, json!({ "decision": "reject" }))
        .await
        .expect_error(400, "note_required");
    api.decide(
        &p.vendor,
        &task,
        json!({ "decision": "reject", "note": "Stok bahan baku habis pada tanggal itu" }),
    )
    .await
    .expect(200);
    let o = order_of(&api, &p.buyer, &order).await;
    assert_eq!(o["status"], "Ditolak");
    assert_eq!(
        o["decline_reason"],
        "Stok bahan baku habis pada tanggal itu"
    );
    let mail = api.wait_email(&p.buyer_mail, "Ditolak", 1).await;
    assert!(mail.body.contains("Stok bahan baku habis"), "{}", mail.body);
    api.decide(&p.vendor, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(409, "task_already_decided");
}

#[tokio::test]
async fn a_draft_is_edited_and_discarded_and_its_lines_are_checked() {
    let api = Api::new();
    let p = parties(&api, "umkm-keranjang").await;
    let order = ready_draft(&api, &p).await;
    let line = format!("/orders/{order}/items/{}", p.products[0]);
    api.call(
        "PUT",
        &line,
        Some(&p.buyer),
        Some(json!({ "quantity": 5000 })),
    )
    .await
    .expect_error(400, "quantity_out_of_range");
    let r = api
        .call(
            "PUT",
            &line,
            Some(&p.buyer),
            Some(json!({ "quantity": 100 })),
        )
        .await;
    assert_eq!(r.expect(200)["total"], 20 * 8000 + 100 * 25000);
    // The vendor does not see a draft; another buyer cannot touch it.
    api.get(&format!("/orders/{order}"), Some(&p.vendor))
        .await
        .expect_error(403, "forbidden");
    let (_, stranger) = api.new_officer("buyer", BUYER_ORG).await;
    api.call("DELETE", &format!("/orders/{order}"), Some(&stranger), None)
        .await
        .expect_error(403, "forbidden");
    api.call("DELETE", &line, Some(&p.buyer), None)
        .await
        .expect(200);
    api.call("DELETE", &format!("/orders/{order}"), Some(&p.buyer), None)
        .await
        .expect(200);
    api.get(&format!("/orders/{order}"), Some(&p.buyer))
        .await
        .expect_error(404, "order_not_found");
    // The cart slot is free again: "Pesan" starts a new draft.
    let fresh = add(&api, &p.buyer, &p.products[1], 20).await;
    assert_ne!(fresh.expect(201)["id"], order.as_str());
    api.get("/orders?status=kemarin", Some(&p.buyer))
        .await
        .expect_error(400, "status_invalid");
}

/// A placed order of `p` (returns its id) after the vendor's "Proses" (`Diproses`), or
/// just placed (`Dipesan`) when `processing` is false.
async fn placed(api: &Api, p: &Parties, key: &str, processing: bool) -> String {
    let order = ready_draft(api, p).await;
    confirm(api, &p.buyer, &order, key).await.expect(200);
    if processing {
        let task = api
            .wait_task(&p.vendor, "order_lifecycle", "vendor_confirm", &order)
            .await;
        api.decide(&p.vendor, &task, json!({ "decision": "approve" }))
            .await
            .expect(200);
    }
    order
}

async fn ask_to_cancel(api: &Api, who: &str, order: &str, reason: &str) -> Reply {
    api.post(
        &format!("/orders/{order}/cancellation"),
        Some(who),
        json!({ "reason": reason }),
    )
    .await
}

#[tokio::test]
async fn an_agreed_cancellation_ends_the_order_and_closes_its_open_step() {
    let api = Api::new();
    let p = parties(&api, "umkm-batal").await;
    let order = placed(&api, &p, "konfirmasi-batal", false).await;
    let step = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_confirm", &order)
        .await;
    ask_to_cancel(&api, &p.buyer, &order, "")
        .await
        .expect_error(400, "field_required");
    let r = ask_to_cancel(&api, &p.buyer, &order, "Kegiatan ditunda oleh pimpinan").await;
    assert_eq!(r.expect(202)["cancellation"]["state"], "pending");
    ask_to_cancel(&api, &p.vendor, &order, "Sekalian saja")
        .await
        .expect_error(409, "cancellation_pending");
    // While it waits, the order does not move on.
    api.decide(&p.vendor, &step, json!({ "decision": "approve" }))
        .await
        .expect_error(409, "cancellation_pending");
    let mail = api
        .wait_email(&p.vendor_mail, "Menunggu persetujuan pembatalan", 1)
        .await;
    assert!(mail.body.contains("Kegiatan ditunda"), "{}", mail.body);
    let agree = api
        .wait_task(
            &p.vendor,
            "order_cancellation",
            "vendor_agrees_cancellation",
            &order,
        )
        .await;
    api.decide(&p.buyer, &agree, json!({ "decision": "approve" }))
        .await
        .expect_error(403, "forbidden");
    api.decide(&p.vendor, &agree, json!({ "decision": "approve" }))
        .await
        .expect(200);
    let o = order_of(&api, &p.buyer, &order).await;
    assert_eq!(o["status"], "Dibatalkan");
    assert_eq!(o["task"], Value::Null);
    // Both are told; the open step is closed, not left in the vendor's inbox.
    api.wait_email(&p.buyer_mail, "Dibatalkan", 1).await;
    api.wait_email(&p.vendor_mail, "Dibatalkan", 1).await;
    api.decide(&p.vendor, &step, json!({ "decision": "approve" }))
        .await
        .expect_error(409, "task_already_decided");
    let inbox = api.get("/tasks", Some(&p.vendor)).await;
    assert!(
        inbox.expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["subject_id"] != order.as_str()),
        "{}",
        inbox.body
    );
}

#[tokio::test]
async fn a_refused_cancellation_lets_the_order_go_on_until_it_is_too_late() {
    let api = Api::new();
    let p = parties(&api, "umkm-tolak-batal").await;
    let order = placed(&api, &p, "konfirmasi-tolak-batal", true).await;
    ask_to_cancel(&api, &p.vendor, &order, "Bahan baku langka")
        .await
        .expect(202);
    let answer = api
        .wait_task(
            &p.buyer,
            "order_cancellation",
            "buyer_agrees_cancellation",
            &order,
        )
        .await;
    api.decide(&p.buyer, &answer, json!({ "decision": "reject" }))
        .await
        .expect_error(400, "note_required");
    api.decide(
        &p.buyer,
        &answer,
        json!({ "decision": "reject", "note": "Acara tetap berjalan, mohon dipenuhi" }),
    )
    .await
    .expect(200);
    let mail = api
        .wait_email(&p.vendor_mail, "Pembatalan ditolak", 1)
        .await;
    assert!(mail.body.contains("Acara tetap berjalan"), "{}", mail.body);
    // The order goes on: the vendor ships; then it is too late to cancel.
    let ship = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_ship", &order)
        .await;
    api.decide(&p.vendor, &ship, json!({ "decision": "approve" }))
        .await
        .expect(200);
    ask_to_cancel(&api, &p.buyer, &order, "Terlambat")
        .await
        .expect_error(409, "order_status_conflict");
}

#[tokio::test]
async fn a_cancellation_request_racing_the_shipment_has_exactly_one_winner() {
    let api = Api::new();
    let p = parties(&api, "umkm-balapan").await;
    let order = placed(&api, &p, "konfirmasi-balapan", true).await;
    let ship = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_ship", &order)
        .await;
    let (asked, shipped) = tokio::join!(
        ask_to_cancel(&api, &p.buyer, &order, "Anggaran dialihkan"),
        api.decide(&p.vendor, &ship, json!({ "decision": "approve" })),
    );
    let won = [asked.status == 202, shipped.status == 200];
    assert_eq!(
        won.iter().filter(|w| **w).count(),
        1,
        "exactly one wins: {} {} / {} {}",
        asked.status,
        asked.body,
        shipped.status,
        shipped.body
    );
    let loser = if won[0] { &shipped } else { &asked };
    assert_eq!(loser.status, 409, "{}", loser.body);
    let o = order_of(&api, &p.buyer, &order).await;
    if won[0] {
        assert_eq!(o["status"], "Diproses");
        assert_eq!(o["cancellation"]["state"], "pending");
    } else {
        assert_eq!(o["status"], "Dikirim");
        assert_eq!(o["cancellation"], Value::Null);
    }
}

#[tokio::test]
async fn the_vendor_uploads_invoice_and_kwitansi_and_only_the_parties_download_them() {
    let api = Api::new();
    let p = parties(&api, "umkm-dokumen").await;
    let order = placed(&api, &p, "konfirmasi-dokumen", true).await;
    let docs = format!("/orders/{order}/documents");
    let new_doc = |kind: &'static str, content_type: &'static str| {
        let (api, docs, vendor) = (&api, docs.clone(), p.vendor.clone());
        async move {
            api.post(
                &docs,
                Some(&vendor),
                json!({ "kind": kind, "content_type": content_type, "file_name": format!("{kind}.pdf") }),
            )
            .await
        }
    };
    api.post(
        &docs,
        Some(&p.buyer),
        json!({ "kind": "invoice", "content_type": "application/pdf" }),
    )
    .await
    .expect_error(403, "forbidden");
    new_doc("invoice", "image/png")
        .await
        .expect_error(400, "document_type_invalid");
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let started = new_doc("invoice", "application/pdf")
        .await
        .expect(201)
        .clone();
    assert!((200..300).contains(&api.upload(&started["upload"], pdf.clone()).await));
    let id = started["document"]["id"].as_str().unwrap().to_string();
    api.post(&format!("{docs}/{id}/confirm"), Some(&p.vendor), json!({}))
        .await
        .expect(200);
    // A "PDF" that is not one is refused and not linked.
    let fake = new_doc("kwitansi", "application/pdf")
        .await
        .expect(201)
        .clone();
    api.upload(&fake["upload"], loket_e2e::PNG.to_vec()).await;
    let fake_id = fake["document"]["id"].as_str().unwrap();
    api.post(
        &format!("{docs}/{fake_id}/confirm"),
        Some(&p.vendor),
        json!({}),
    )
    .await
    .expect_error(400, "document_type_invalid");

    let o = order_of(&api, &p.buyer, &order).await;
    let listed = o["documents"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{o}");
    assert_eq!(listed[0]["label"], "Invoice");
    let download = format!("{docs}/{id}/download");
    let link = api.get(&download, Some(&p.buyer)).await;
    let url = link.expect(200)["url"].as_str().unwrap().to_string();
    assert_eq!(api.fetch(&url).await, (200, pdf));
    let (_, stranger) = api.new_officer("buyer", BUYER_ORG).await;
    let other_vendor = api
        .token("umkm.terdaftar@demo.loket.id", loket_e2e::DEMO_PASSWORD)
        .await;
    for who in [&stranger, &other_vendor] {
        api.get(&download, Some(who))
            .await
            .expect_error(403, "forbidden");
    }

    // Shipped: Loket generates the numbered invoice from the order's lines, once.
    let ship = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_ship", &order)
        .await;
    api.decide(&p.vendor, &ship, json!({ "decision": "approve" }))
        .await
        .expect(200);
    let mut generated = Value::Null;
    for _ in 0..80 {
        let o = order_of(&api, &p.buyer, &order).await;
        if let Some(d) = o["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["kind"] == "generated_invoice")
        {
            generated = d.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let number = generated["number"]
        .as_str()
        .expect("an invoice number")
        .to_string();
    assert!(
        number.starts_with("INV/") && number.ends_with("/1"),
        "{number}"
    );
    let link = api
        .get(
            &format!("{docs}/{}/download", generated["id"].as_str().unwrap()),
            Some(&p.buyer),
        )
        .await;
    let (status, bytes) = api.fetch(link.expect(200)["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("%PDF-"));
    for expected in [
        number.as_str(),
        p.vendor_name.as_str(),
        "Badan Pelayanan Pengadaan Barang/Jasa",
        "Es Teh Manis Jumbo - 20 paket x Rp 8.000 = Rp 160.000",
        "Snack Box Gurih - 40 paket x Rp 25.000 = Rp 1.000.000",
        "Rp 1.160.000",
        "Satu juta seratus enam puluh ribu rupiah",
    ] {
        assert!(text.contains(expected), "{expected} not in the invoice");
    }
}

/// Deadlines in working days through the hourly job (on a deployment of its own: the
/// job run days ahead would expire other tests' orders): the vendor is reminded to
/// confirm after one working day, the order it has not confirmed after three expires
/// (`Kedaluwarsa`, both emailed, the task closed, the execution ended), and the buyer
/// of a shipped order is reminded to confirm receipt after two — each once.
#[tokio::test]
async fn an_order_not_confirmed_in_time_expires_and_a_receipt_is_reminded() {
    let api = Api::own_deployment();
    let p = parties(&api, "tenggat").await;
    let late = placed(&api, &p, &format!("late-{}", rand::random::<u64>()), false).await;
    let shipped = placed(&api, &p, &format!("ship-{}", rand::random::<u64>()), true).await;
    let ship = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_ship", &shipped)
        .await;
    api.decide(&p.vendor, &ship, json!({ "decision": "approve" }))
        .await
        .expect(200);
    api.wait_task(&p.buyer, "order_lifecycle", "buyer_receipt", &shipped)
        .await;
    let confirm_task = api
        .wait_task(&p.vendor, "order_lifecycle", "vendor_confirm", &late)
        .await;
    let number = order_of(&api, &p.buyer, &late).await["number"]
        .as_str()
        .unwrap()
        .to_string();

    // Opened today (WIB); the job counts working days from there.
    let today = wib_date(time::OffsetDateTime::now_utc());
    let holidays = api.holiday_calendar(today).await;
    let confirm_reminder = format!("Pengingat Tugas: Konfirmasi Pesanan - {number}");
    let receipt_reminder = "Pengingat Tugas: Penerimaan Pesanan";

    api.run_deadline_job_on(loket_e2e::working_day(today, 1, &holidays))
        .await;
    let mail = api.wait_email(&p.vendor_mail, &confirm_reminder, 1).await;
    assert!(mail.body.contains("1 hari kerja"), "{}", mail.body);
    assert_eq!(
        order_of(&api, &p.buyer, &late).await["status_code"],
        "placed"
    );

    api.run_deadline_job_on(loket_e2e::working_day(today, 2, &holidays))
        .await;
    api.wait_email(&p.buyer_mail, receipt_reminder, 1).await;
    assert_eq!(
        order_of(&api, &p.buyer, &late).await["status_code"],
        "placed"
    );

    let expiry_day = loket_e2e::working_day(today, 3, &holidays);
    let done = api.run_deadline_job_on(expiry_day).await;
    assert!(done["expired"].as_u64().unwrap() >= 1, "{done}");
    let o = order_of(&api, &p.vendor, &late).await;
    assert_eq!(o["status_code"], "expired");
    assert_eq!(o["status"], "Kedaluwarsa");
    for to in [&p.buyer_mail, &p.vendor_mail] {
        let mail = api
            .wait_email(to, &format!("Status Pesanan {number}: Kedaluwarsa"), 1)
            .await;
        assert!(mail.body.contains("3 hari kerja"), "{}", mail.body);
    }
    api.decide(&p.vendor, &confirm_task, json!({ "decision": "approve" }))
        .await
        .expect_error(409, "task_already_decided");
    ask_to_cancel(&api, &p.buyer, &late, "Sudah tidak diperlukan")
        .await
        .expect_error(409, "order_status_conflict");
    let timeline = o["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|e| e["action"] == "expired"), "{o}");

    // Each once: the same day again sends nothing more, and the shipped order goes on.
    api.run_deadline_job_on(expiry_day).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let count = |mails: Vec<loket_e2e::Email>, subject: &str| {
        mails.iter().filter(|m| m.subject.contains(subject)).count()
    };
    assert_eq!(
        count(api.emails(&p.vendor_mail).await, &confirm_reminder),
        1
    );
    assert_eq!(count(api.emails(&p.buyer_mail).await, receipt_reminder), 1);
    assert_eq!(
        order_of(&api, &p.buyer, &shipped).await["status_code"],
        "shipped"
    );
}

async fn open(api: &Api, who: &str, about: Value) -> Reply {
    api.post("/conversations", Some(who), about).await
}

async fn say(api: &Api, who: &str, conversation: &str, text: &str) -> Reply {
    api.post(
        &format!("/conversations/{conversation}/messages"),
        Some(who),
        json!({ "text": text }),
    )
    .await
}

async fn unread(api: &Api, who: &str, conversation: &str) -> (i64, i64) {
    let r = api.get("/conversations", Some(who)).await;
    let list = r.expect(200);
    let mine = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == conversation)
        .map_or(-1, |c| c["unread"].as_i64().unwrap());
    (mine, list["unread_total"].as_i64().unwrap())
}

/// Chat (seed 001 §5.1 a): a buyer asks a vendor about a product and both talk about
/// an order; messages newest first with a cursor, unread counts, one email per unread
/// stretch (also when messages arrive at once), and only the two parties.
#[tokio::test]
async fn a_buyer_and_a_vendor_chat_about_a_product_and_an_order() {
    let api = Api::new();
    let p = parties(&api, "obrolan").await;
    let (other_buyer_mail, password) = {
        let (_, mail, password) = api.new_officer_login("buyer", BUYER_ORG).await;
        (mail, password)
    };
    let other_buyer = api.token(&other_buyer_mail, &password).await;

    // A product inquiry: opened once, by a buyer only.
    let about_product = json!({ "product_id": p.products[0] });
    let c = open(&api, &p.buyer, about_product.clone()).await;
    let c = c.expect(201).clone();
    assert_eq!(c["about"], "product");
    assert_eq!(c["subject_name"], "Snack Box Gurih");
    let id = c["id"].as_str().unwrap().to_string();
    let again = open(&api, &p.buyer, about_product.clone()).await;
    assert_eq!(again.expect(200)["id"], id.as_str());
    open(&api, &p.vendor, about_product)
        .await
        .expect_error(403, "forbidden");
    open(&api, &p.buyer, json!({}))
        .await
        .expect_error(400, "field_required");
    open(&api, &p.buyer, json!({ "product_id": "01NOSUCHPRODUCT" }))
        .await
        .expect_error(404, "product_not_found");

    // Bad messages are refused, nothing is stored.
    say(&api, &p.buyer, &id, "  ")
        .await
        .expect_error(400, "field_required");
    say(&api, &p.buyer, &id, "Halo\u{0}\u{1b}[31m")
        .await
        .expect_error(400, "field_invalid");
    say(&api, &p.buyer, &id, &"x".repeat(2001))
        .await
        .expect_error(400, "field_too_long");

    // Two messages: the vendor is emailed once, and has two unread.
    say(
        &api,
        &p.buyer,
        &id,
        "Apakah snack box bisa diantar sebelum jam 9 pagi?",
    )
    .await
    .expect(201);
    say(&api, &p.buyer, &id, "Untuk 40 orang.")
        .await
        .expect(201);
    let subject = "Pesan Baru dari";
    let mail = api.wait_email(&p.vendor_mail, subject, 1).await;
    assert!(mail.subject.contains("Snack Box Gurih"), "{}", mail.subject);
    assert!(mail.body.contains("sebelum jam 9 pagi"), "{}", mail.body);
    assert_eq!(unread(&api, &p.vendor, &id).await, (2, 2));
    assert_eq!(unread(&api, &p.buyer, &id).await, (0, 0));

    // Reading the first page: newest first, and read.
    let page = api
        .get(&format!("/conversations/{id}/messages"), Some(&p.vendor))
        .await;
    let page = page.expect(200).clone();
    let texts: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Untuk 40 orang.",
            "Apakah snack box bisa diantar sebelum jam 9 pagi?"
        ]
    );
    assert_eq!(page["items"][0]["mine"], false);
    assert_eq!(unread(&api, &p.vendor, &id).await, (0, 0));
    say(&api, &p.vendor, &id, "Bisa, Bapak/Ibu.")
        .await
        .expect(201);
    api.wait_email(&p.buyer_mail, subject, 1).await;
    assert_eq!(unread(&api, &p.buyer, &id).await, (1, 1));

    // Another buyer (another vendor: the authorization matrix).
    api.get(&format!("/conversations/{id}/messages"), Some(&other_buyer))
        .await
        .expect_error(403, "forbidden");
    say(&api, &other_buyer, &id, "Halo")
        .await
        .expect_error(403, "forbidden");

    // The order's conversation: both parties open the same one, strangers cannot.
    let order = placed(&api, &p, &format!("chat-{}", rand::random::<u64>()), false).await;
    let oc = open(&api, &p.vendor, json!({ "order_id": order })).await;
    let oc = oc.expect(201)["id"].as_str().unwrap().to_string();
    let same = open(&api, &p.buyer, json!({ "order_id": order })).await;
    assert_eq!(same.expect(200)["id"], oc.as_str());
    open(&api, &other_buyer, json!({ "order_id": order }))
        .await
        .expect_error(403, "forbidden");

    // Five messages at once: all stored, five unread, one email.
    let sends = (0..5).map(|i| {
        let (api, vendor, oc) = (&api, &p.vendor, &oc);
        async move { say(api, vendor, oc, &format!("Pesanan sedang disiapkan ({i})")).await }
    });
    for r in futures::future::join_all(sends).await {
        r.expect(201);
    }
    assert_eq!(unread(&api, &p.buyer, &oc).await, (5, 6));
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let order_mails = api
        .emails(&p.buyer_mail)
        .await
        .into_iter()
        .filter(|m| m.subject.contains(subject) && m.subject.contains("Pesanan "))
        .count();
    assert_eq!(order_mails, 1);

    // Paging: 25 messages in all, newest first, 20 then 5, and a cursor of another
    // conversation is refused.
    for i in 5..25 {
        say(&api, &p.vendor, &oc, &format!("Pesan {i}"))
            .await
            .expect(201);
    }
    let first = api
        .get(&format!("/conversations/{oc}/messages"), Some(&p.buyer))
        .await;
    let first = first.expect(200).clone();
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    assert_eq!(first["items"][0]["text"], "Pesan 24");
    let cursor = first["cursor"].as_str().unwrap();
    let rest = api
        .get(
            &format!("/conversations/{oc}/messages?cursor={cursor}"),
            Some(&p.buyer),
        )
        .await;
    let rest = rest.expect(200).clone();
    assert_eq!(rest["items"].as_array().unwrap().len(), 5);
    assert!(rest["cursor"].is_null());
    api.get(
        &format!("/conversations/{id}/messages?cursor={cursor}"),
        Some(&p.buyer),
    )
    .await
    .expect_error(400, "cursor_invalid");
    assert_eq!(unread(&api, &p.buyer, &oc).await, (0, 1));
}

/// A JATHIL MART draft of `p` with a product, delivered in Kabupaten Ponorogo and paid
/// `payment`; returns its id.
async fn jathil_draft(api: &Api, p: &Parties, payment: &str) -> String {
    let address = api
        .post(
            "/buyer/addresses",
            Some(&p.buyer),
            json!({ "name": "Pendopo", "kind": "Kegiatan", "street": "Jl. Alun-alun Utara 9",
                    "country": "Indonesia", "province_code": "35", "regency_code": "35.02",
                    "district_code": "35.02.01", "postal_code": "63413",
                    "latitude": -7.8707, "longitude": 111.4620 }),
        )
        .await;
    let address = address.expect(201)["id"].as_str().unwrap().to_string();
    let order = add(api, &p.buyer, &p.products[0], 20).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let details = |payment: &str| {
        json!({ "address_id": address, "activity_date": in_days(3), "activity_time": "09:00",
                "activity_name": "Pameran UMKM", "payment_method": payment })
    };
    let path = format!("/orders/{order}");
    // JATHIL MART offers COD or a transfer to its account, nothing else.
    api.call("PUT", &path, Some(&p.buyer), Some(details("bank_transfer")))
        .await
        .expect_error(400, "field_invalid");
    api.call("PUT", &path, Some(&p.buyer), Some(details(payment)))
        .await
        .expect(200);
    order
}

/// JATHIL MART transactions (seed 003 §II f–h), on the JATHIL deployment: the
/// administrator validates a placed order before the vendor sees it (or rejects it
/// with a reason, the buyer told); a transfer to the JATHIL account is paid out with
/// the main administrator's approval and its reference (`Dibayar`) before the rating;
/// and the month's service-time report counts the order on time.
#[tokio::test]
async fn a_jathil_order_is_validated_paid_out_and_reported_on_time() {
    let api = Api::jathil();
    let p = parties(&api, "jathil-pesanan").await;
    let field_admin = api
        .token("admin.lapangan@demo.loket.id", DEMO_PASSWORD)
        .await;
    let main_admin = api.token("admin.utama@demo.loket.id", DEMO_PASSWORD).await;

    let order = jathil_draft(&api, &p, "jathil_transfer").await;
    let placed = confirm(
        &api,
        &p.buyer,
        &order,
        &format!("j-{}", rand::random::<u64>()),
    )
    .await;
    assert_eq!(placed.expect(200)["status"], "Menunggu Validasi");
    let number = placed.body["number"].as_str().unwrap().to_string();
    // The vendor is not told before the validation.
    api.get(&format!("/orders/{order}"), Some(&p.vendor))
        .await
        .expect_error(403, "forbidden");
    let task = api
        .wait_task(&field_admin, "order_lifecycle", "admin_validate", &order)
        .await;
    api.decide(&p.vendor, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(403, "forbidden");
    api.decide(&field_admin, &task, json!({ "decision": "approve" }))
        .await
        .expect(200);
    api.wait_email(
        &p.vendor_mail,
        &format!("Status Pesanan {number}: Dipesan"),
        1,
    )
    .await;
    let approve = json!({ "decision": "approve" });
    for stage in ["vendor_confirm", "vendor_ship"] {
        let t = api
            .wait_task(&p.vendor, "order_lifecycle", stage, &order)
            .await;
        api.decide(&p.vendor, &t, approve.clone()).await.expect(200);
    }
    let t = api
        .wait_task(&p.buyer, "order_lifecycle", "buyer_receipt", &order)
        .await;
    api.decide(
        &p.buyer,
        &t,
        json!({ "decision": "approve", "quantity_ok": true, "condition_ok": true,
                "on_time_and_place": true, "note": "Lengkap" }),
    )
    .await
    .expect(200);

    // The payout: the main administrator, with the transfer's reference.
    let payout = api
        .wait_task(&main_admin, "order_lifecycle", "admin_payout", &order)
        .await;
    api.decide(&main_admin, &payout, approve.clone())
        .await
        .expect_error(400, "transfer_reference_required");
    api.decide(
        &main_admin,
        &payout,
        json!({ "decision": "approve", "transfer_reference": "TRF/JATHIL/2026/0042" }),
    )
    .await
    .expect(200);
    api.wait_email(
        &p.vendor_mail,
        &format!("Status Pesanan {number}: Dibayar"),
        1,
    )
    .await;
    let rating = api
        .wait_task(&p.buyer, "order_lifecycle", "buyer_rating", &order)
        .await;
    api.decide(
        &p.buyer,
        &rating,
        json!({ "decision": "approve", "rating": 5 }),
    )
    .await
    .expect(200);
    let done = order_of(&api, &p.buyer, &order).await;
    assert_eq!(done["status"], "Selesai");
    let statuses: Vec<&str> = done["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status_after"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "Menunggu Validasi",
            "Dipesan",
            "Diproses",
            "Dikirim",
            "Diterima",
            "Dibayar",
            "Selesai"
        ]
    );

    // The month's report: on time, for this vendor; only administrators read it.
    let report = api
        .get("/admin/jathil/service-report", Some(&field_admin))
        .await;
    let report = report.expect(200).clone();
    let line = report["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vendor_name"] == p.vendor_name.as_str())
        .unwrap_or_else(|| panic!("{} not in {report}", p.vendor_name))
        .clone();
    assert_eq!(
        (
            line["orders"].as_u64(),
            line["received"].as_u64(),
            line["on_time"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{line}"
    );
    assert_eq!(line["share_on_time"], 1.0);
    api.get(
        "/admin/jathil/service-report?month=2026-13",
        Some(&field_admin),
    )
    .await
    .expect_error(400, "month_invalid");
    api.get("/admin/jathil/service-report", Some(&p.buyer))
        .await
        .expect_error(403, "forbidden");

    // A rejected transaction: the buyer is told why; the vendor never sees it.
    let second = jathil_draft(&api, &p, "cod").await;
    confirm(
        &api,
        &p.buyer,
        &second,
        &format!("j2-{}", rand::random::<u64>()),
    )
    .await
    .expect(200);
    let t = api
        .wait_task(&field_admin, "order_lifecycle", "admin_validate", &second)
        .await;
    api.decide(
        &field_admin,
        &t,
        json!({ "decision": "reject", "note": "Identitas pembeli tidak dapat diverifikasi" }),
    )
    .await
    .expect(200);
    let mail = api.wait_email(&p.buyer_mail, "Ditolak", 1).await;
    assert!(
        mail.body.contains("tidak dapat diverifikasi"),
        "{}",
        mail.body
    );
    api.get(&format!("/orders/{second}"), Some(&p.vendor))
        .await
        .expect_error(403, "forbidden");
}

async fn map(api: &Api, who: &str, code: &str, body: Value) -> Reply {
    api.post(&format!("/buyer/satkers/{code}/mapping"), Some(who), body)
        .await
}

/// The registration of a new company account for `satker` of `who`, its email proven
/// with the code sent to it.
async fn company(api: &Api, who: &str, satker: &str, email: &str, name: &str) -> Value {
    let subject = "Kode Verifikasi";
    let before = api
        .emails(email)
        .await
        .iter()
        .filter(|m| m.subject.contains(subject))
        .count();
    api.post(
        &format!("/buyer/satkers/{satker}/mapping/code"),
        Some(who),
        json!({ "email": email }),
    )
    .await
    .expect(202);
    let code = api
        .wait_email(email, subject, before + 1)
        .await
        .digits_after("Kode verifikasi email Anda:", 6);
    json!({ "method": "register", "email": email, "email_code": code, "name": name,
            "city": "Samarinda", "postal_code": "75123", "address": "Jl. Basuki Rahmat 12",
            "password": "Pengadaan-Satker-2026" })
}

/// One procurement official, several work units (seed 002): the primary unit is there
/// and mapped; units from the reference list are added and mapped to a company account
/// by registering one, by signing in to one, or by confirming the one with the
/// official's email; checkout places the order for the unit's company and the history
/// filters by unit; another official can neither see nor use these mappings.
#[tokio::test]
async fn an_official_maps_work_units_three_ways_and_buys_for_each() {
    let api = Api::new();
    let p = parties(&api, "satker").await;
    let (_, other_mail, other_pw) = api.new_officer_login("buyer", BUYER_ORG).await;
    let other = api.token(&other_mail, &other_pw).await;
    let list = api.get("/buyer/satkers", Some(&p.buyer)).await;
    let first = list.expect(200)["items"][0].clone();
    assert_eq!(
        (
            first["code"].as_str(),
            first["primary"].as_bool(),
            first["mapped"].as_bool()
        ),
        (Some(BUYER_ORG), Some(true), Some(true))
    );
    let add = |who: String, code: &'static str| {
        let api = &api;
        async move {
            api.post("/buyer/satkers", Some(&who), json!({ "code": code }))
                .await
        }
    };
    for code in ["141105", "141302", "141201"] {
        let r = add(p.buyer.clone(), code).await;
        assert_eq!(r.expect(201)["mapped"], false);
    }
    add(p.buyer.clone(), "141105")
        .await
        .expect_error(409, "satker_exists");
    add(p.buyer.clone(), "LOKET")
        .await
        .expect_error(400, "satker_unknown");
    api.call(
        "DELETE",
        &format!("/buyer/satkers/{BUYER_ORG}"),
        Some(&p.buyer),
        None,
    )
    .await
    .expect_error(409, "satker_primary");

    // An unmapped unit cannot be bought for yet.
    let draft = ready_draft(&api, &p).await;
    // The order form is saved whole: its details, and the unit picked.
    let mut details = order_of(&api, &p.buyer, &draft).await["details"].clone();
    details.as_object_mut().unwrap().remove("address");
    let pick = |code: &str| {
        let mut form = details.clone();
        form["satker_code"] = code.into();
        form
    };
    api.call(
        "PUT",
        &format!("/orders/{draft}"),
        Some(&p.buyer),
        Some(pick("141302")),
    )
    .await
    .expect_error(409, "satker_not_mapped");

    // 1. Register a new company account, its email proven by the code sent to it.
    let tag = rand::random::<u32>();
    let ketapang = format!("pengadaan.ketapang.{tag}@contoh.go.id");
    let mut form = company(
        &api,
        &p.buyer,
        "141105",
        &ketapang,
        "Unit Pengadaan Ketahanan Pangan",
    )
    .await;
    let code = form["email_code"].clone();
    form["email_code"] = json!("000000");
    map(&api, &p.buyer, "141105", form.clone())
        .await
        .expect_error(400, "email_code_invalid");
    form["email_code"] = code;
    let registered = map(&api, &p.buyer, "141105", form).await;
    assert_eq!(
        registered.expect(200)["company"]["name"],
        "Unit Pengadaan Ketahanan Pangan"
    );
    // None with my email yet: nothing to confirm.
    map(&api, &p.buyer, "141201", json!({ "method": "confirm" }))
        .await
        .expect_error(404, "company_not_found");

    // Another official registers two accounts for a unit, then removes the unit: the
    // accounts are free (one of them carries our official's email).
    let free_mail = format!("pariwisata.{tag}@contoh.go.id");
    add(other.clone(), "141302").await.expect(201);
    let form = company(&api, &other, "141302", &free_mail, "Bagian Umum Pariwisata").await;
    map(&api, &other, "141302", form).await.expect(200);
    api.call("DELETE", "/buyer/satkers/141302", Some(&other), None)
        .await
        .expect(200);
    add(other.clone(), "141201").await.expect(201);
    let form = company(
        &api,
        &other,
        "141201",
        &p.buyer_mail,
        "Sekretariat Dinas Koperasi",
    )
    .await;
    map(&api, &other, "141201", form).await.expect(200);
    // An email with a company account gets no new code: sign in instead.
    api.post(
        "/buyer/satkers/141201/mapping/code",
        Some(&other),
        json!({ "email": p.buyer_mail }),
    )
    .await
    .expect_error(409, "company_email_taken");
    api.call("DELETE", "/buyer/satkers/141201", Some(&other), None)
        .await
        .expect(200);
    // The other official does not see ours, and cannot map or buy with them.
    api.get("/buyer/satkers/141105", Some(&other))
        .await
        .expect_error(404, "satker_not_found");

    // 2. Sign in to an existing account (a wrong password first).
    let login =
        |password: &str| json!({ "method": "login", "email": free_mail, "password": password });
    map(&api, &p.buyer, "141302", login("salah-sandi"))
        .await
        .expect_error(400, "company_login_failed");
    let signed_in = map(&api, &p.buyer, "141302", login("Pengadaan-Satker-2026")).await;
    assert_eq!(
        signed_in.expect(200)["company"]["name"],
        "Bagian Umum Pariwisata"
    );
    // 3. Confirm the unmapped account with the official's email.
    let confirmed = map(&api, &p.buyer, "141201", json!({ "method": "confirm" })).await;
    assert_eq!(
        confirmed.expect(200)["company"]["name"],
        "Sekretariat Dinas Koperasi"
    );
    // A company account serves one unit: the other official cannot take it now.
    add(other.clone(), "141302").await.expect(201);
    map(&api, &other, "141302", login("Pengadaan-Satker-2026"))
        .await
        .expect_error(409, "company_already_mapped");

    // Checkout for a unit: placed for it and its company; the history filters by unit.
    api.call(
        "PUT",
        &format!("/orders/{draft}"),
        Some(&p.buyer),
        Some(pick("141105")),
    )
    .await
    .expect(200);
    let placed = confirm(&api, &p.buyer, &draft, &format!("satker-{tag}")).await;
    let placed = placed.expect(200).clone();
    assert_eq!(placed["buyer"]["org"], "141105");
    assert_eq!(
        placed["buyer"]["company"]["name"],
        "Unit Pengadaan Ketahanan Pangan"
    );
    let ids = |r: Reply| -> Vec<String> {
        r.expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect()
    };
    let for_unit = ids(api.get("/orders?satker=141105", Some(&p.buyer)).await);
    assert_eq!(for_unit, std::slice::from_ref(&draft));
    let for_primary = ids(api
        .get(&format!("/orders?satker={BUYER_ORG}"), Some(&p.buyer))
        .await);
    assert!(!for_primary.contains(&draft));
    let other_draft = add_cart_for(&api, &other, &p.products[1]).await;
    api.call(
        "PUT",
        &format!("/orders/{other_draft}"),
        Some(&other),
        Some(json!({ "satker_code": "141105" })),
    )
    .await
    .expect_error(404, "satker_not_found");
}

async fn add_cart_for(api: &Api, buyer: &str, product: &str) -> String {
    add(api, buyer, product, 20).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// JATHIL MART customers register themselves (seed 003 §II a) with the code emailed to
/// them, and can order at once; an e-Order deployment refuses (its buyers are officials
/// an admin creates).
#[tokio::test]
async fn a_jathil_customer_registers_with_an_emailed_code_and_orders() {
    let api = Api::jathil();
    let p = parties(&api, "jathil-pelanggan").await;
    let email = loket_e2e::email("pelanggan");
    let code = api.registration_code(&email).await;
    let mut form = json!({ "name": "Rina Wulandari", "phone": "0812-3456-7890", "email": email,
        "email_code": code, "password": "Jathil-Mart-2026", "address": "Jl. Soekarno Hatta 5",
        "province_code": "35", "regency_code": "35.02", "district_code": "35.02.01",
        "village_code": "35.02.01.2001", "postal_code": "63472",
        "captcha_token": loket_e2e::CAPTCHA });
    let mut wrong = form.clone();
    wrong["email_code"] = json!("000000");
    api.post("/auth/register/buyer", None, wrong)
        .await
        .expect_error(400, "email_code_invalid");
    let r = api.post("/auth/register/buyer", None, form.clone()).await;
    let session = r.expect(201)["session"].clone();
    assert_eq!(session["user"]["roles"], json!(["buyer"]));
    let token = session["access_token"].as_str().unwrap().to_string();
    add(&api, &token, &p.products[0], 20).await.expect(201);
    // Once only (the email is taken: no new code), and not in e-Order.
    api.post("/auth/registration-code", None, json!({ "email": email }))
        .await
        .expect_error(409, "email_taken");
    form["email_code"] = json!(code);
    Api::new()
        .post("/auth/register/buyer", None, form)
        .await
        .expect_error(403, "buyer_registration_closed");
}
