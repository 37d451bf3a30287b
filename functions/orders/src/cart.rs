//! The buyer's cart and order drafts (seed 001 §5.1–5.3), the confirmation that places
//! an order, and the orders as their buyer and vendor read them.
//!
//! "Pesan" puts a published product in the cart: the draft order of that product's
//! vendor (one draft per buyer and vendor, found through `USER#<buyer>` / `DRAFT#<vendor>`),
//! created with it. The buyer changes quantities, removes lines, discards the draft
//! ("Batalkan Pesanan"), fills in the order form, and confirms ("Konfirmasi Pesanan"):
//! the lines are copied again from the published products, the order becomes `Dipesan`
//! and its lifecycle execution starts, in one transaction (`approval::submit`).

use crate::address;
use crate::lifecycle::{self, not_in};
use crate::order::{
    check_activity_date, check_quantity, check_time, office_today, parse_date, Order, OrderDetails,
    OrderLine, OrderStatus, PaymentMethod, MAX_LINES,
};
use loket_catalog::search::load_listing;
use loket_shared::approval::{self, Change, Start, Subject, Versioned};
use loket_shared::auth::{Caller, Role};
use loket_shared::http::{
    authenticate, body, json, optional, path_param, query_param, Request, Response,
};
use loket_shared::schema::{self, GSI1, GSI2};
use loket_shared::store::{from_item, get_s, key, s, Query, Tx};
use loket_shared::tasks::{self, Task};
use loket_shared::{cursor, ApiError, ApiResult, App};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

fn not_found() -> ApiError {
    ApiError::not_found("order_not_found", "Pesanan tidak ditemukan")
}

fn product_unavailable(name: &str) -> ApiError {
    ApiError::conflict(
        "product_unavailable",
        format!("Produk \"{name}\" tidak lagi tayang di katalog; hapus dari pesanan"),
    )
}

pub async fn load(app: &App, id: &str) -> ApiResult<Option<Order>> {
    if id.is_empty() || id.len() > 40 {
        return Ok(None);
    }
    app.store.get_as(&schema::order(id), schema::ORDER_SK).await
}

/// The order, if `caller` is a party to it (its buyer; its vendor once placed).
/// Anyone else is refused (403), as the matrix asks.
pub async fn order_for(app: &App, caller: &Caller, id: &str) -> ApiResult<Order> {
    caller.require_any(&[Role::Buyer, Role::Vendor])?;
    let o = load(app, id).await?.ok_or_else(not_found)?;
    if !o.is_party(&caller.user_id) {
        return Err(ApiError::forbidden());
    }
    Ok(o)
}

/// The buyer's own draft `id`.
async fn own_draft(app: &App, caller: &Caller, id: &str) -> ApiResult<Order> {
    caller.require_any(&[Role::Buyer])?;
    let o = load(app, id).await?.ok_or_else(not_found)?;
    if o.buyer_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    if o.status != OrderStatus::Draft {
        return Err(not_in(o.status, "Draft"));
    }
    Ok(o)
}

/// The name and email of the signed-in person (identity's published read).
pub(crate) async fn account(app: &App, user_id: &str) -> ApiResult<(String, String)> {
    let p = loket_identity::directory::person(app, user_id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("account {user_id} is missing")))?;
    Ok((p.name, p.email))
}

/// The order as its parties read it.
pub fn view(o: &Order) -> serde_json::Value {
    let lines: Vec<_> = o
        .lines
        .iter()
        .map(|l| {
            serde_json::json!({
                "product_id": l.product_id, "name": l.name, "price": l.price,
                "quantity": l.quantity, "subtotal": l.subtotal(), "availability": l.availability,
                "min_order": l.min_order, "max_order": l.max_order,
            })
        })
        .collect();
    serde_json::json!({
        "id": o.id,
        "number": o.number(),
        "status": o.status.label(),
        "status_code": o.status,
        "buyer": { "id": o.buyer_id, "name": o.buyer_name, "org": o.buyer_org,
                   "company": o.buyer_company },
        "vendor": { "id": o.vendor_id, "name": o.vendor_name },
        "lines": lines,
        "total": o.total(),
        "details": {
            "address_id": o.details.address_id,
            "address": o.details.address,
            "activity_date": o.details.activity_date,
            "activity_time": o.details.activity_time,
            "activity_name": o.details.activity_name,
            "notes": o.details.notes,
            "payment_method": o.details.payment_method,
            "satker_code": o.details.satker_code,
        },
        "missing": o.details.missing().into_iter().map(|(f, l)| serde_json::json!({ "field": f, "label": l })).collect::<Vec<_>>(),
        "created_at": o.created_at,
        "placed_at": o.placed_at,
        "decline_reason": o.decline_reason,
        "receipt": o.receipt,
        "rating": o.rating,
        "cancellation": o.cancellation,
        "version": o.version,
    })
}

fn with_message(mut v: serde_json::Value, message: &str) -> serde_json::Value {
    v["message"] = message.into();
    v
}

/// A line of `listing` with `quantity` (checked against its min..max).
fn line_of(listing: &loket_catalog::index::Listing, quantity: i64) -> ApiResult<OrderLine> {
    let quantity = check_quantity(quantity, listing.min_order, listing.max_order)?;
    Ok(OrderLine {
        product_id: listing.product_id.clone(),
        name: listing.name.clone(),
        price: listing.price,
        quantity,
        availability: listing.availability.as_str().to_string(),
        min_order: listing.min_order,
        max_order: listing.max_order,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CartItemInput {
    product_id: Option<String>,
    quantity: Option<i64>,
}

fn quantity(q: Option<i64>) -> ApiResult<i64> {
    q.ok_or_else(|| ApiError::invalid("field_required", "Jumlah pesanan wajib diisi", "quantity"))
}

/// `POST /cart/items` ("Pesan"): a published product with a quantity within its
/// minimum and maximum goes into the draft order of its vendor (created with it). A
/// product already in the draft gets the new quantity.
pub async fn add_to_cart(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Buyer])?;
    let buyer_org = caller.org.clone().ok_or_else(ApiError::forbidden)?;
    let input: CartItemInput = body(&req)?;
    let product_id = loket_shared::http::required(&input.product_id, "product_id", "Produk", 40)?;
    let listing = load_listing(&app, &product_id)
        .await?
        .ok_or_else(|| ApiError::not_found("product_not_found", "Produk tidak ditemukan"))?;
    let line = line_of(&listing, quantity(input.quantity)?)?;
    let now = app.clock.epoch();
    let table = app.store.table();
    let draft_key = (
        schema::user(&caller.user_id),
        schema::draft_sk(&listing.vendor_id),
    );
    let existing = match app.store.get(&draft_key.0, &draft_key.1).await? {
        Some(pointer) => load(&app, get_s(&pointer, "order_id").unwrap_or_default()).await?,
        None => None,
    };
    let mut tx = Tx::new();
    let (order, status) = match existing {
        Some(mut o) if o.status == OrderStatus::Draft => {
            let count = o.lines.len();
            match o.lines.iter_mut().find(|l| l.product_id == line.product_id) {
                Some(l) => *l = line,
                None if count >= MAX_LINES => {
                    return Err(ApiError::conflict(
                        "order_too_many_lines",
                        format!("Satu pesanan memuat paling banyak {MAX_LINES} produk"),
                    ))
                }
                None => o.lines.push(line),
            }
            let expected = o.version;
            o.stamp(now);
            tx.put_versioned(table, o.to_item()?, expected);
            (o, 200)
        }
        _ => {
            let vendor = loket_vendors::profile::load(&app, &listing.vendor_id)
                .await?
                .ok_or_else(|| ApiError::internal("a listed product's vendor is missing"))?;
            let (buyer_name, buyer_email) = account(&app, &caller.user_id).await?;
            let id = app.ids.id();
            let o = Order {
                pk: schema::order(&id),
                sk: schema::ORDER_SK.into(),
                gsi1pk: schema::buyer_orders(&caller.user_id),
                gsi1sk: format!("{now:012}#{id}"),
                gsi2pk: None,
                gsi2sk: None,
                id: id.clone(),
                buyer_id: caller.user_id.clone(),
                buyer_org,
                buyer_name,
                buyer_email,
                vendor_id: listing.vendor_id.clone(),
                vendor_name: listing.vendor_name.clone(),
                vendor_email: vendor.email.clone(),
                vendor_skpd: vendor.skpd.clone(),
                status: OrderStatus::Draft,
                lines: vec![line],
                details: OrderDetails::default(),
                created_at: now,
                placed_at: None,
                confirm_key: None,
                decline_reason: None,
                receipt: None,
                rating: None,
                cancellation: None,
                cancellation_requests: 0,
                buyer_company: None,
                jathil: false,
                validated_at: None,
                payout: None,
                version: 1,
                updated_at: now,
            };
            tx.put_new(table, o.to_item()?);
            // The pointer to the vendor's draft: replaced only if it pointed elsewhere
            // (a draft confirmed or discarded meanwhile); a second first "Pesan" for
            // the same vendor at once is a conflict, not a second draft.
            let mut pointer = key(draft_key.0.clone(), draft_key.1.clone());
            pointer.insert("order_id".into(), s(&id));
            tx.put_new(table, pointer);
            (o, 201)
        }
    };
    if let Err(e) = app.store.transact(tx).await {
        return Err(e.into());
    }
    json(
        status,
        &with_message(view(&order), "Produk berhasil ditambahkan ke keranjang"),
    )
}

/// Removes the draft's pointer (its vendor's cart slot) in `tx`.
fn free_cart_slot(app: &App, tx: &mut Tx, o: &Order) {
    tx.delete(
        app.store.table(),
        key(schema::user(&o.buyer_id), schema::draft_sk(&o.vendor_id)),
    );
}

/// `PUT /orders/{id}/items/{product_id}`: a new quantity for a line of a draft.
pub async fn update_order_line(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let mut o = own_draft(&app, &caller, &path_param(&req, "id")?).await?;
    let product_id = path_param(&req, "product_id")?;
    let input: CartItemInput = body(&req)?;
    let q = quantity(input.quantity)?;
    let line = o
        .lines
        .iter_mut()
        .find(|l| l.product_id == product_id)
        .ok_or_else(|| ApiError::not_found("line_not_found", "Produk tidak ada di pesanan ini"))?;
    line.quantity = check_quantity(q, line.min_order, line.max_order)?;
    let expected = o.version;
    o.stamp(app.clock.epoch());
    let mut tx = Tx::new();
    tx.put_versioned(app.store.table(), o.to_item()?, expected);
    app.store.transact(tx).await?;
    json(
        200,
        &with_message(view(&o), "Jumlah pesanan berhasil diubah"),
    )
}

/// `DELETE /orders/{id}/items/{product_id}`: removes a line; a draft left empty is
/// discarded.
pub async fn delete_order_line(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let mut o = own_draft(&app, &caller, &path_param(&req, "id")?).await?;
    let product_id = path_param(&req, "product_id")?;
    let before = o.lines.len();
    o.lines.retain(|l| l.product_id != product_id);
    if o.lines.len() == before {
        return Err(ApiError::not_found(
            "line_not_found",
            "Produk tidak ada di pesanan ini",
        ));
    }
    let expected = o.version;
    let mut tx = Tx::new();
    if o.lines.is_empty() {
        tx.delete_versioned(app.store.table(), key(o.pk.clone(), o.sk.clone()), expected);
        free_cart_slot(&app, &mut tx, &o);
        app.store.transact(tx).await?;
        return json(
            200,
            &serde_json::json!({ "message": "Pesanan dibatalkan karena tidak ada produk lagi", "discarded": true }),
        );
    }
    o.stamp(app.clock.epoch());
    tx.put_versioned(app.store.table(), o.to_item()?, expected);
    app.store.transact(tx).await?;
    json(200, &with_message(view(&o), "Produk dihapus dari pesanan"))
}

/// `DELETE /orders/{id}` ("Batalkan Pesanan" of a draft): the draft is discarded.
pub async fn discard_order(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let o = own_draft(&app, &caller, &path_param(&req, "id")?).await?;
    let mut tx = Tx::new();
    tx.delete_versioned(
        app.store.table(),
        key(o.pk.clone(), o.sk.clone()),
        o.version,
    );
    free_cart_slot(&app, &mut tx, &o);
    app.store.transact(tx).await?;
    json(
        200,
        &serde_json::json!({ "message": "Pesanan berhasil dibatalkan" }),
    )
}

/// The order form: every field optional (the form is saved as it is filled), each
/// checked when given; `null` or blank clears it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailsInput {
    address_id: Option<String>,
    activity_date: Option<String>,
    activity_time: Option<String>,
    activity_name: Option<String>,
    notes: Option<String>,
    payment_method: Option<String>,
    /// The work unit bought for (seed 002): one of the official's, mapped.
    satker_code: Option<String>,
    version: Option<i64>,
}

/// `PUT /orders/{id}` ("Form Detail Pemesanan", seed 001 §5.2–5.3): the delivery
/// address (one of the buyer's, copied into the order), activity date (not past; a day
/// ahead for `H-1` products), time, name, notes and payment method.
pub async fn save_order_details(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let mut o = own_draft(&app, &caller, &path_param(&req, "id")?).await?;
    let input: DetailsInput = body(&req)?;
    if input.version.is_some_and(|v| v != o.version) {
        return Err(ApiError::concurrent_update());
    }
    let mut d = OrderDetails::default();
    if let Some(id) = optional(&input.address_id, "address_id", "Alamat Pengiriman", 40)? {
        let a = address::load(&app, &caller.user_id, &id)
            .await
            .map_err(|_| {
                ApiError::invalid(
                    "address_not_found",
                    "Alamat Pengiriman tidak ditemukan; pilih dari alamat Anda",
                    "address_id",
                )
            })?;
        d.address_id = Some(a.id);
        d.address = Some(a.address);
    }
    if let Some(date) = optional(
        &input.activity_date,
        "activity_date",
        "Tanggal Kegiatan",
        10,
    )? {
        let parsed = parse_date(&date)?;
        check_activity_date(parsed, today(&app), &o.lines)?;
        d.activity_date = Some(date);
    }
    if let Some(t) = optional(&input.activity_time, "activity_time", "Waktu Kegiatan", 5)? {
        check_time(&t)?;
        d.activity_time = Some(t);
    }
    d.activity_name = optional(&input.activity_name, "activity_name", "Nama Kegiatan", 200)?;
    d.notes = optional(&input.notes, "notes", "Catatan", 1000)?;
    if let Some(m) = optional(
        &input.payment_method,
        "payment_method",
        "Metode Pembayaran",
        40,
    )? {
        let offered = PaymentMethod::offered(app.cfg.jathil());
        d.payment_method = Some(
            PaymentMethod::parse(&m)
                .filter(|m| offered.contains(m))
                .ok_or_else(|| {
                    let codes: Vec<&str> = offered.iter().map(|m| m.as_str()).collect();
                    ApiError::invalid(
                        "field_invalid",
                        format!(
                            "Metode Pembayaran harus salah satu dari: {}",
                            codes.join(", ")
                        ),
                        "payment_method",
                    )
                })?,
        );
    }
    if let Some(code) = optional(&input.satker_code, "satker_code", "Satuan Kerja", 40)? {
        crate::satker::for_checkout(&app, &caller, &code).await?;
        d.satker_code = Some(code);
    }
    o.details = d;
    let expected = o.version;
    o.stamp(app.clock.epoch());
    let mut tx = Tx::new();
    tx.put_versioned(app.store.table(), o.to_item()?, expected);
    app.store.transact(tx).await?;
    json(
        200,
        &with_message(view(&o), "Detail pemesanan berhasil disimpan"),
    )
}

fn today(app: &App) -> time::Date {
    office_today(app.clock.epoch(), app.cfg.office_zone.1)
}

/// The `Idempotency-Key` of a confirmation: required, 8 to 100 visible characters.
fn idempotency_key(req: &Request) -> ApiResult<String> {
    let k = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if k.len() < 8 || k.len() > 100 || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "idempotency_key_required",
            "Header Idempotency-Key wajib diisi (8-100 karakter) agar konfirmasi yang diulang tidak membuat pesanan ganda",
        ));
    }
    Ok(k.to_string())
}

/// `POST /orders/{id}/confirm` ("Konfirmasi Pesanan"): with every required detail
/// (else 422 listing what is missing, the seed's warning), the lines copied again from
/// the published products (quantities re-checked), the order becomes `Dipesan` and its
/// lifecycle starts, in one transaction. A retried confirmation with the same
/// `Idempotency-Key` answers the same order again; it never places a second one.
pub async fn confirm_order(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Buyer])?;
    let mut o = load(&app, &path_param(&req, "id")?)
        .await?
        .ok_or_else(not_found)?;
    if o.buyer_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    let idem = idempotency_key(&req)?;
    if o.status != OrderStatus::Draft {
        if o.confirm_key.as_deref() == Some(idem.as_str()) {
            return json(
                200,
                &with_message(view(&o), "Pesanan berhasil dikonfirmasi"),
            );
        }
        return Err(not_in(o.status, "Draft"));
    }
    let missing: Vec<&str> = o.details.missing().into_iter().map(|(_, l)| l).collect();
    if !missing.is_empty() {
        return Err(ApiError::unprocessable(
            "order_incomplete",
            format!(
                "Pesanan belum dapat dikonfirmasi. Lengkapi detail pemesanan terlebih dahulu: {}",
                missing.join(", ")
            ),
        ));
    }
    // What is ordered is what is published now: name, price and limits copied again.
    let mut lines = Vec::with_capacity(o.lines.len());
    for l in &o.lines {
        let listing = load_listing(&app, &l.product_id)
            .await?
            .filter(|p| p.vendor_id == o.vendor_id)
            .ok_or_else(|| product_unavailable(&l.name))?;
        lines.push(line_of(&listing, i64::from(l.quantity))?);
    }
    if let Some(date) = &o.details.activity_date {
        check_activity_date(parse_date(date)?, today(&app), &lines)?;
    }
    let machine = app
        .cfg
        .orders
        .lifecycle_state_machine
        .clone()
        .ok_or_else(|| ApiError::unavailable("the order lifecycle state machine ARN is not set"))?;
    let now = app.clock.epoch();
    let expected = o.version;
    let from = o.status_code();
    o.lines = lines;
    o.placed_at = Some(now);
    o.confirm_key = Some(idem);
    o.jathil = app.cfg.jathil();
    // Placed for the satker picked in the form (checked again: it may have been
    // removed or remapped meanwhile), as its company; else the official's own unit.
    if let Some(code) = o.details.satker_code.clone() {
        let (org, company) = crate::satker::for_checkout(&app, &caller, &code).await?;
        o.buyer_org = org;
        o.buyer_company = company;
    }
    if o.jathil {
        // JATHIL MART: its administrator validates the transaction first; the vendor
        // sees the order from then on (seed 003 §II f–g).
        o.status = OrderStatus::AwaitingValidation;
    } else {
        o.status = OrderStatus::Placed;
        o.gsi2pk = Some(schema::vendor_orders(&o.vendor_id));
        o.gsi2sk = Some(format!("{now:012}#{}", o.id));
    }
    o.stamp(now);
    let start = Start {
        machine: &machine,
        // One execution per order: a retried start cannot open a second one.
        name: format!("order-{}", o.id),
        input: lifecycle::execution_input(&app, &o),
    };
    let change = Change {
        actor: &caller,
        role: Role::Buyer,
        action: "placed",
        from,
        note: None,
    };
    let mut extra = Tx::new();
    free_cart_slot(&app, &mut extra, &o);
    approval::submit_with(&app, &o, expected, change, start, extra).await?;
    tracing::info!(order_id = %o.id, vendor_id = %o.vendor_id, "order placed");
    json(
        200,
        &with_message(view(&o), "Pesanan berhasil dikonfirmasi"),
    )
}

/// The caller's open task on the order, if any (what the client offers to do next).
async fn open_task(app: &App, caller: &Caller, o: &Order) -> ApiResult<Option<Task>> {
    if o.status == OrderStatus::Draft {
        return Ok(None);
    }
    let q = Query::partition(tasks::user_inbox(&caller.user_id)).on_index(GSI1);
    for item in app.store.query_all(&q).await? {
        let t = Task::from_item(&item)?;
        if t.subject_id == o.id && t.is_pending() {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// `GET /orders/{id}`: the order for its buyer or vendor, with its timeline and the
/// caller's open task (`POST /tasks/{id}/decision` acts on it).
pub async fn get_order(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let o = order_for(&app, &caller, &path_param(&req, "id")?).await?;
    let mut v = view(&o);
    v["timeline"] = approval::timeline::<Order>(&app, &o.pk()).await?.into();
    v["documents"] = crate::documents::list(&app, &o.id)
        .await?
        .iter()
        .map(crate::documents::OrderDocument::view)
        .collect::<Vec<_>>()
        .into();
    v["task"] = match open_task(&app, &caller, &o).await? {
        Some(t) => {
            serde_json::json!({ "id": t.id, "stage": t.stage, "stage_label": t.stage_label })
        }
        None => serde_json::Value::Null,
    };
    json(200, &v)
}

/// `GET /orders?status=&satker=`: the caller's orders, newest first — a buyer's (its
/// drafts are the cart: `status=draft`), a vendor's placed ones; paged, by status and
/// by the work unit they were placed for.
pub async fn list_orders(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Buyer, Role::Vendor])?;
    let status = query_param(&req, "status").filter(|v| !v.trim().is_empty());
    let status = status
        .map(|v| {
            OrderStatus::parse(v.trim()).ok_or_else(|| {
                ApiError::invalid(
                    "status_invalid",
                    "Status harus draft, awaiting_validation, placed, processing, shipped, received, paid, completed, declined, cancelled atau expired",
                    "status",
                )
            })
        })
        .transpose()?;
    let q = if caller.has_role(Role::Buyer) {
        Query::partition(schema::buyer_orders(&caller.user_id)).on_index(GSI1)
    } else {
        Query::partition(schema::vendor_orders(&caller.user_id)).on_index(GSI2)
    };
    let mut q = q.backwards().limit(20);
    // `satker`: the orders placed for one of the official's work units (seed 002).
    let satker = optional(&query_param(&req, "satker"), "satker", "Satuan Kerja", 40)?;
    let mut filter = loket_shared::store::Filter {
        expression: String::new(),
        names: HashMap::new(),
        values: HashMap::new(),
    };
    let mut clauses = Vec::new();
    if let Some(st) = status {
        clauses.push("#status = :status");
        filter.names.insert("#status".into(), "status".into());
        filter.values.insert(":status".into(), s(st.as_str()));
    }
    if let Some(code) = satker {
        clauses.push("buyer_org = :satker");
        filter.values.insert(":satker".into(), s(code));
    }
    if !clauses.is_empty() {
        filter.expression = clauses.join(" AND ");
        q = q.filter(filter);
    }
    let scope = cursor::Scope::of("list_orders", &caller.user_id, &req);
    let page = cursor::page(&app, &q, &scope, query_param(&req, "cursor").as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(from_item::<Order>)
        .map(|o| {
            o.map(|o| {
                serde_json::json!({
                    "id": o.id, "number": o.number(), "status": o.status.label(), "status_code": o.status,
                    "vendor": o.vendor_name, "buyer": o.buyer_name, "total": o.total(),
                    "lines": o.lines.len(), "placed_at": o.placed_at, "updated_at": o.updated_at,
                })
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    json(
        200,
        &serde_json::json!({ "items": items, "cursor": page.cursor }),
    )
}
