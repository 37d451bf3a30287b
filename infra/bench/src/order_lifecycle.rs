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
//! Usage: order-lifecycle --orders N --api URL --moto URL --prefix PREFIX

use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use loket_e2e::Api;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SKPD: &str = "141201";
const BUYER_ORG: &str = "141732";

/// Prices: AWS's public price pages for us-east-1 (N. Virginia), on-demand, without free
/// tiers, as known on the date below; Jakarta (ap-southeast-3) lists some 10–25 % higher.
const PRICES_DATE: &str =
    "list prices since the DynamoDB on-demand reduction of 2024-11-01, stated on 2026-12-03 without an online re-check";
const API_PER_MILLION: f64 = 1.00; // HTTP API, first 300 M requests per month
const LAMBDA_PER_MILLION: f64 = 0.20; // requests
const LAMBDA_PER_GB_SECOND_ARM: f64 = 0.000_013_333_4; // arm64 duration
const LAMBDA_MEMORY_GB: f64 = 0.25; // MemorySize 256 in every stack
const LAMBDA_ASSUMED_MS: f64 = 50.0; // assumed billed duration per invocation (see output)
const SFN_PER_THOUSAND_TRANSITIONS: f64 = 0.025; // Standard workflows
const DDB_PER_MILLION_READ_UNITS: f64 = 0.125; // on-demand read request units
const DDB_PER_MILLION_WRITE_UNITS: f64 = 0.625; // on-demand write request units
const SES_PER_THOUSAND_EMAILS: f64 = 0.10;

struct Args {
    orders: usize,
    moto: String,
    prefix: String,
}

fn args() -> Args {
    let mut a = Args {
        orders: 10,
        moto: String::new(),
        prefix: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_default();
        match flag.as_str() {
            "--orders" => a.orders = v.parse().expect("--orders N"),
            "--moto" => a.moto = v,
            "--prefix" => a.prefix = v,
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

async fn meter(api: &Api) -> Value {
    api.get("/__local/meter", None).await.expect(200).clone()
}

/// The meter once nothing has changed for two seconds (streams and emails settled).
async fn settled(api: &Api) -> Value {
    let mut last = meter(api).await;
    let mut quiet = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = meter(api).await;
        if now != last {
            last = now;
            quiet = Instant::now();
        } else if quiet.elapsed() > Duration::from_secs(2) {
            return last;
        }
    }
}

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

async fn transitions(sfn: &aws_sdk_sfn::Client, machine: &str, execution: &str) -> u64 {
    let arn = format!("arn:aws:states:us-east-1:123456789012:execution:{machine}:{execution}");
    let mut entered = 0;
    let mut token = None;
    loop {
        let out = sfn
            .get_execution_history()
            .execution_arn(&arn)
            .set_next_token(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("history of {arn}: {e:?}"));
        entered += out
            .events()
            .iter()
            .filter(|e| e.r#type().as_str().ends_with("StateEntered"))
            .count() as u64;
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return entered;
        }
    }
}

fn diff(after: &Value, before: &Value, name: &str) -> f64 {
    (after[name].as_u64().unwrap_or(0) - before[name].as_u64().unwrap_or(0)) as f64
}

#[tokio::main]
async fn main() {
    let a = args();
    let api = Api::new();
    let sfn = aws_sdk_sfn::Client::from_conf(
        aws_sdk_sfn::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("x", "x", None, None, "bench"))
            .endpoint_url(&a.moto)
            .build(),
    );
    let machine = format!("{}-orderlifecyclestatemachine", a.prefix);

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
    for n in 0..a.orders {
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

    let n = a.orders as f64;
    let per = |name: &str| diff(&after, &before, name) / n;
    let api_requests = per("api_requests");
    let invocations = per("invocations");
    let transitions = sfn_transitions as f64 / n;
    let (reads, items_read, rru) = (
        per("dynamodb_read_requests"),
        per("dynamodb_items_read"),
        per("dynamodb_read_units"),
    );
    let (writes, items_written, wru) = (
        per("dynamodb_write_requests"),
        per("dynamodb_items_written"),
        per("dynamodb_write_units"),
    );
    let emails = per("emails_sent");
    println!("{} complete orders (2 products each, Dipesan → Selesai) in {elapsed:.1} s on the local stack", a.orders);
    println!("per order:");
    println!(
        "  HTTP requests (client)            {:>8.1}",
        http as f64 / n
    );
    println!("  API requests (API Gateway)        {api_requests:>8.1}");
    println!("  Lambda invocations                {invocations:>8.1}   (API + stream batches + scheduled runs)");
    println!("  Step Functions state transitions  {transitions:>8.1}   (Standard workflow, lifecycle execution)");
    println!("  DynamoDB read requests            {reads:>8.1}   items read {items_read:.1}, read units {rru:.1}");
    println!("  DynamoDB write requests           {writes:>8.1}   items written {items_written:.1}, write units {wru:.1} (transactions ×2, indexes included)");
    println!("  emails sent (SES)                 {emails:>8.1}");
    let per_thousand = |units: f64, price_per: f64, per: f64| units * 1000.0 / per * price_per;
    let c_api = per_thousand(api_requests, API_PER_MILLION, 1e6);
    let c_lambda_req = per_thousand(invocations, LAMBDA_PER_MILLION, 1e6);
    let c_lambda_dur = invocations * 1000.0 * LAMBDA_ASSUMED_MS / 1000.0
        * LAMBDA_MEMORY_GB
        * LAMBDA_PER_GB_SECOND_ARM;
    let c_sfn = per_thousand(transitions, SFN_PER_THOUSAND_TRANSITIONS, 1e3);
    let c_read = per_thousand(rru, DDB_PER_MILLION_READ_UNITS, 1e6);
    let c_write = per_thousand(wru, DDB_PER_MILLION_WRITE_UNITS, 1e6);
    let c_ses = per_thousand(emails, SES_PER_THOUSAND_EMAILS, 1e3);
    let total = c_api + c_lambda_req + c_lambda_dur + c_sfn + c_read + c_write + c_ses;
    println!("cost per 1 000 orders, USD (prices: AWS us-east-1, {PRICES_DATE}):");
    println!(
        "  API Gateway HTTP API   ${c_api:>8.4}   (${API_PER_MILLION:.2} per million requests)"
    );
    println!(
        "  Lambda requests        ${c_lambda_req:>8.4}   (${LAMBDA_PER_MILLION:.2} per million)"
    );
    println!("  Lambda duration        ${c_lambda_dur:>8.4}   (arm64 ${LAMBDA_PER_GB_SECOND_ARM} per GB-s, 256 MB, ASSUMED {LAMBDA_ASSUMED_MS} ms per invocation)");
    println!("  Step Functions         ${c_sfn:>8.4}   (${SFN_PER_THOUSAND_TRANSITIONS} per 1 000 state transitions)");
    println!("  DynamoDB reads         ${c_read:>8.4}   (${DDB_PER_MILLION_READ_UNITS} per million read units)");
    println!("  DynamoDB writes        ${c_write:>8.4}   (${DDB_PER_MILLION_WRITE_UNITS} per million write units)");
    println!(
        "  SES                    ${c_ses:>8.4}   (${SES_PER_THOUSAND_EMAILS:.2} per 1 000 emails)"
    );
    println!("  total                  ${total:>8.4}   (S3: the invoice PDF, 1 HEAD + 1 PUT per order, ≈ $0.005; storage not included)");
}
