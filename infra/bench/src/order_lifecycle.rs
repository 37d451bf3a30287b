//! Benchmark: N complete orders on a fresh local stack (infra/bench/order-lifecycle.sh),
//! from "Pesan" to the rating, as a buyer and a vendor really do it — two products into
//! the cart, the order form, "Konfirmasi Pesanan", then each step opened from the inbox
//! once the task's email has arrived (one `GET /tasks` and one decision per step) —
//! and, per order: HTTP requests, Lambda invocations (the local runner counts one per
//! API request, per stream batch delivered to a function and per scheduled run),
//! Step Functions state transitions (the executions' histories), DynamoDB requests,
//! items and capacity units (`loket_shared::meter`), emails; then the cost per 1 000
//! orders from AWS's published prices, stated in the output.
//!
//! Usage: order-lifecycle --orders N --moto URL --prefix PREFIX (the API from LOKET_API_URL)

use loket_bench::{flag, settled, transitions, PerUnit};
use loket_e2e::Api;
use serde_json::{json, Value};
use std::time::Instant;

const SKPD: &str = "141201";
const BUYER_ORG: &str = "141732";

/// One step: wait for the task's email (read from the emulator, not the API), open the
/// inbox once, decide.
async fn step(
    api: &Api,
    (who, mail): (&str, &str),
    (label, stage): (&str, &str),
    (order, number): (&str, &str),
    body: Value,
) {
    api.wait_email(mail, &format!("Tugas Baru: {label} - {number}"), 1)
        .await;
    let inbox = api.get(&format!("/tasks?stage={stage}"), Some(who)).await;
    let task = inbox.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject_id"] == order)
        .unwrap_or_else(|| panic!("{stage} task of {order} not in the inbox"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.post(&format!("/tasks/{task}/decision"), Some(who), body)
        .await
        .expect(200);
}

struct Parties {
    vendor: String,
    vendor_mail: String,
    buyer: String,
    buyer_mail: String,
    products: Vec<String>,
    address: String,
}

/// One complete order; returns its id and the HTTP requests it took.
async fn one_order(api: &Api, p: &Parties, n: usize) -> (String, u32) {
    let mut requests = 0;
    let mut count = |r: u32| requests += r;
    let order = api.into_cart(&p.buyer, &p.products[0], 40).await;
    api.into_cart(&p.buyer, &p.products[1], 40).await;
    api.fill_order_form(&p.buyer, &order, &p.address).await;
    let key = format!("bench-{n}-{}", rand::random::<u64>());
    let confirmed = api.place_order(&p.buyer, &order, &key).await;
    let number = confirmed["number"].as_str().unwrap().to_string();
    count(4);
    let approve = json!({ "decision": "approve" });
    let (vendor, buyer) = ((&*p.vendor, &*p.vendor_mail), (&*p.buyer, &*p.buyer_mail));
    let this = (&*order, &*number);
    step(
        api,
        vendor,
        ("Konfirmasi Pesanan", "vendor_confirm"),
        this,
        approve.clone(),
    )
    .await;
    step(
        api,
        vendor,
        ("Pengiriman Pesanan", "vendor_ship"),
        this,
        approve,
    )
    .await;
    let receipt = json!({ "decision": "approve", "quantity_ok": true, "condition_ok": true,
                          "on_time_and_place": true, "note": "Sesuai" });
    step(
        api,
        buyer,
        ("Penerimaan Pesanan", "buyer_receipt"),
        this,
        receipt,
    )
    .await;
    let rating = json!({ "decision": "approve", "rating": 5, "review": "Tepat waktu" });
    step(
        api,
        buyer,
        ("Penilaian Pesanan", "buyer_rating"),
        this,
        rating,
    )
    .await;
    count(8);
    (order, requests)
}

#[tokio::main]
async fn main() {
    let orders_wanted: usize = flag("--orders", "10").parse().expect("--orders N");
    let (moto, prefix) = (flag("--moto", ""), flag("--prefix", ""));
    let api = Api::new();
    let sfn = loket_bench::sfn(&moto);
    let machine = format!("{prefix}-orderlifecyclestatemachine");

    // The parties (not measured): a registered vendor with two published products, a
    // buyer with a delivery address.
    let (pjlp_id, _) = api.new_officer("pjlp", SKPD).await;
    let (_, vendor_mail, vendor, products) = api
        .seeded_vendor(
            "bench",
            SKPD,
            "Katering Tolok Ukur",
            &pjlp_id,
            json!([
                { "name": "Snack Box", "price": 25000, "category": "snack-box", "availability": "PO",
                  "min_order": 10, "max_order": 500, "description": "Risol, lemper, air mineral." },
                { "name": "Es Teh", "price": 8000, "category": "minuman", "availability": "PO",
                  "min_order": 20, "max_order": 1000, "description": "Es teh manis 500 ml." }
            ]),
        )
        .await;
    let (_, buyer_mail, password) = api.new_officer_login("buyer", BUYER_ORG).await;
    let buyer = api.token(&buyer_mail, &password).await;
    let address = api.buyer_address(&buyer).await;
    let p = Parties {
        vendor,
        vendor_mail,
        buyer,
        buyer_mail,
        products,
        address,
    };

    let before = settled(&api).await;
    let started = Instant::now();
    let mut orders = Vec::new();
    let mut http = 0u32;
    // One at a time: a vendor's emails are told apart by the order number, and the
    // counts are per order either way.
    for n in 0..orders_wanted {
        let (order, requests) = one_order(&api, &p, n).await;
        http += requests;
        orders.push(order);
    }
    let after = settled(&api).await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut sfn_transitions = 0;
    for o in &orders {
        sfn_transitions += transitions(&sfn, &machine, &format!("order-{o}")).await;
    }

    let mut per = PerUnit::of(
        &before,
        &after,
        orders_wanted as f64,
        http as f64,
        sfn_transitions as f64,
    );
    // The generated invoice PDF.
    per.s3_puts = 1.0;
    println!("{orders_wanted} complete orders (2 products each, Dipesan → Selesai) in {elapsed:.1} s on the local stack");
    per.print("order", "lifecycle execution");
}
