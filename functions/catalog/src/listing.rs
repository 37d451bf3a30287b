//! Product registration and listing approval (seed 000 §3): the vendor creates and
//! saves a product ("Buat" / "Simpan"), confirms it ("Confirm" → `Pengajuan`); its
//! PJLP edits, rejects with a reason, or approves ("Proses" → `Penayangan`); a satpel
//! of its SKPD approves ("Proses") and the product is published.
//!
//! The state machine `statemachines/product-listing.asl.json` opens the human task of
//! each stage; this module is the single writer of the product's status and of its
//! published version: on "Confirm" and on every decision, in one transaction with the
//! task claim, the audit entry and the vendor's email.

use crate::index::{Listing, VendorCard, INDEX_PREFIX};
use crate::product::{
    product_pk, vendor_products, ListingStage, Product, ProductInput, ProductRejection,
    ProductStatus, AUDIT_PREFIX,
};
use crate::search::load_listing;
use loket_shared::auth::{Caller, Role};
use loket_shared::files;
use loket_shared::http::{authenticate, body, json, path_param, query_param, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::store::{from_item, key, to_item, Query, Tx};
use loket_shared::tasks::{self, Task};
use loket_shared::{ApiError, ApiResult, App};
use loket_vendors::onboarding::Stage;
use loket_vendors::profile::{self as vendor_profile, VendorProfile};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// `Task::kind` of listing tasks.
pub const TASK_KIND: &str = "product_listing";
const PHOTO_LINK_SECONDS: u64 = 900;

/// One line of the product's timeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductAudit {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub at: i64,
    pub actor_id: String,
    pub actor_role: Role,
    /// `created`, `revised`, `submitted`, `corrected`, `approved` or `rejected`.
    pub action: String,
    pub status: ProductStatus,
    pub status_after: ProductStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ProductAudit {
    fn new(
        app: &App,
        p: &Product,
        actor: &Caller,
        role: Role,
        action: &str,
        before: ProductStatus,
        note: Option<String>,
    ) -> Self {
        let now = app.clock.epoch();
        Self {
            pk: p.pk.clone(),
            sk: format!("{AUDIT_PREFIX}{now:012}#{}", app.ids.id()),
            at: now,
            actor_id: actor.user_id.clone(),
            actor_role: role,
            action: action.into(),
            status: before,
            status_after: p.status,
            note,
        }
    }

    fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "at": self.at, "actor_id": self.actor_id, "actor_role": self.actor_role,
            "action": self.action, "status": self.status.label(),
            "status_after": self.status_after.label(), "note": self.note,
        })
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("product_not_found", "Produk tidak ditemukan")
}

pub async fn load(app: &App, id: &str) -> ApiResult<Option<Product>> {
    if id.is_empty() || id.len() > 40 {
        return Ok(None);
    }
    app.store
        .get_as(&product_pk(id), crate::product::PRODUCT_SK)
        .await
}

/// The product, if `caller` is the vendor that owns it (another vendor gets 403).
pub(crate) async fn own_product(app: &App, caller: &Caller, id: &str) -> ApiResult<Product> {
    caller.require_any(&[Role::Vendor])?;
    let p = load(app, id).await?.ok_or_else(not_found)?;
    if p.vendor_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    Ok(p)
}

/// The vendor's profile, which must be "Terdaftar" to register products.
async fn registered_vendor(app: &App, caller: &Caller) -> ApiResult<VendorProfile> {
    caller.require_any(&[Role::Vendor])?;
    let p = vendor_profile::load(app, &caller.user_id).await?;
    match p {
        Some(p) if p.stage == Stage::Registered => Ok(p),
        p => Err(ApiError::new(
            403,
            "vendor_not_registered",
            format!(
                "Produk hanya dapat didaftarkan oleh UMKM berstatus Terdaftar (status Anda: {})",
                p.map_or("Pengisian Data", |p| p.stage.label())
            ),
        )),
    }
}

/// 409 while the product is checked (the vendor cannot change it).
pub(crate) fn locked(p: &Product) -> ApiError {
    ApiError::conflict(
        "product_locked",
        format!(
            "Produk tidak dapat diubah karena sedang dalam tahap {}",
            p.status.label()
        ),
    )
}

/// The product as its vendor and the officers see it.
async fn view(app: &App, p: &Product) -> ApiResult<serde_json::Value> {
    let timeline = app
        .store
        .query_all(&Query::partition(p.pk.clone()).sk_begins_with("SK", AUDIT_PREFIX))
        .await?
        .into_iter()
        .map(from_item::<ProductAudit>)
        .map(|e| e.map(|e| e.view()))
        .collect::<ApiResult<Vec<_>>>()?;
    let mut photos = Vec::new();
    for ph in &p.photos {
        photos.push(serde_json::json!({
            "id": ph.id, "content_type": ph.content_type, "size": ph.size,
            "url": files::presigned_get(app, &ph.key, PHOTO_LINK_SECONDS).await?,
        }));
    }
    Ok(serde_json::json!({
        "id": p.id,
        "vendor_id": p.vendor_id,
        "skpd": p.skpd,
        "status": p.status.label(),
        "status_code": p.status,
        "listed": p.is_listed(),
        "name": p.name,
        "price": p.price,
        "category": p.category,
        "availability": p.availability,
        "min_order": p.min_order,
        "max_order": p.max_order,
        "description": p.description,
        "photos": photos,
        "missing": p.missing().into_iter().map(|(f, _)| f).collect::<Vec<_>>(),
        "rejection": p.rejection.as_ref().map(|r| serde_json::json!({
            "stage": r.stage, "reason": r.reason, "by_role": r.by_role, "at": r.at,
        })),
        "published_at": p.published_at,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "version": p.version,
        "timeline": timeline,
    }))
}

fn with_message(mut v: serde_json::Value, message: &str) -> serde_json::Value {
    v["message"] = message.into();
    v
}

/// `POST /vendor/products` ("Buat", then "Simpan"): a new product in `Draft`.
pub async fn create_product(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    let vendor = registered_vendor(&app, &caller).await?;
    let input: ProductInput = body(&req)?;
    let now = app.clock.epoch();
    let mut p = Product::new(&app.ids.id(), &vendor.vendor_id, &vendor.skpd, now);
    input.apply(&mut p)?;
    p.version = 1;
    let entry = ProductAudit::new(
        &app,
        &p,
        &caller,
        Role::Vendor,
        "created",
        ProductStatus::Draft,
        None,
    );
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&p)?);
    tx.put_new(app.store.table(), to_item(&entry)?);
    app.store.transact(tx).await?;
    tracing::info!(product_id = %p.id, "product created");
    json(
        201,
        &with_message(view(&app, &p).await?, "Produk berhasil disimpan"),
    )
}

/// `GET /vendor/products?cursor=`: the vendor's products, newest first.
pub async fn list_vendor_products(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    caller.require_any(&[Role::Vendor])?;
    let cursor = query_param(&req, "cursor").filter(|c| !c.is_empty());
    let page = app
        .store
        .query(
            &Query::partition(vendor_products(&caller.user_id))
                .on_index("GSI1", "GSI1PK")
                .backwards()
                .limit(20),
            cursor.as_deref(),
        )
        .await?;
    let items = page
        .items
        .into_iter()
        .map(from_item::<Product>)
        .map(|p| {
            p.map(|p| {
                serde_json::json!({
                    "id": p.id, "name": p.name, "price": p.price, "status": p.status.label(),
                    "status_code": p.status, "listed": p.is_listed(), "updated_at": p.updated_at,
                })
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    json(
        200,
        &serde_json::json!({ "items": items, "cursor": page.cursor }),
    )
}

/// `GET /vendor/products/{id}`.
pub async fn get_vendor_product(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    let p = own_product(&app, &caller, &path_param(&req, "id")?).await?;
    json(200, &view(&app, &p).await?)
}

/// `PUT /vendor/products/{id}` ("Simpan"): in `Draft` or `Ditolak`; on a published
/// product it starts a revision (the published version stays until it is approved).
pub async fn save_vendor_product(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    let mut p = own_product(&app, &caller, &path_param(&req, "id")?).await?;
    let input: ProductInput = body(&req)?;
    if input.version.is_some_and(|v| v != p.version) {
        return Err(ApiError::concurrent_update());
    }
    if !p.status.editable_by_vendor() {
        return Err(locked(&p));
    }
    let expected = p.version;
    input.apply(&mut p)?;
    let mut tx = Tx::new();
    let revising = start_revision(&app, &caller, &mut p, &mut tx)?;
    p.updated_at = app.clock.epoch();
    p.version += 1;
    tx.put_versioned(app.store.table(), to_item(&p)?, expected);
    app.store.transact(tx).await?;
    let message = if revising {
        "Perubahan disimpan sebagai revisi. Produk yang tayang tidak berubah sampai revisi disetujui"
    } else {
        "Produk berhasil disimpan"
    };
    json(200, &with_message(view(&app, &p).await?, message))
}

/// Any change to a published product starts a revision: the working copy goes back to
/// Draft (the published version stays as it is) and the timeline says so (in `tx`).
/// Returns whether it did.
pub(crate) fn start_revision(
    app: &App,
    caller: &Caller,
    p: &mut Product,
    tx: &mut Tx,
) -> ApiResult<bool> {
    if p.status != ProductStatus::Published {
        return Ok(false);
    }
    p.status = ProductStatus::Draft;
    let entry = ProductAudit::new(
        app,
        p,
        caller,
        Role::Vendor,
        "revised",
        ProductStatus::Published,
        None,
    );
    tx.put_new(app.store.table(), to_item(&entry)?);
    Ok(true)
}

fn status_email(
    app: &App,
    vendor: &VendorProfile,
    p: &Product,
    note: Option<String>,
) -> OutboxEmail {
    OutboxEmail {
        id: app.ids.id(),
        to: vendor.email.clone(),
        template: EmailTemplate::ProductStatusChanged {
            name: vendor
                .business_name
                .clone()
                .unwrap_or_else(|| vendor.email.clone()),
            product: p.display_name(),
            status: p.status.label().to_string(),
            note,
        },
    }
}

/// `POST /vendor/products/{id}/submit` ("Confirm"): `Pengajuan`, and the listing
/// workflow starts.
pub async fn submit_vendor_product(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    let vendor = registered_vendor(&app, &caller).await?;
    let mut p = own_product(&app, &caller, &path_param(&req, "id")?).await?;
    if !p.status.submittable() {
        return Err(ApiError::conflict(
            "already_submitted",
            format!(
                "Produk tidak dapat diajukan karena berstatus {}",
                p.status.label()
            ),
        ));
    }
    let missing: Vec<&str> = p.missing().into_iter().map(|(_, l)| l).collect();
    if !missing.is_empty() {
        return Err(ApiError::unprocessable(
            "product_incomplete",
            format!("Data produk belum lengkap: {}", missing.join(", ")),
        ));
    }
    let machine = app
        .cfg
        .catalog
        .listing_state_machine
        .clone()
        .ok_or_else(|| ApiError::unavailable("the product listing state machine ARN is not set"))?;
    let before = p.clone();
    p.status = ProductStatus::Submitted;
    p.submissions += 1;
    p.updated_at = app.clock.epoch();
    p.version += 1;
    let mut tx = Tx::new();
    let table = app.store.table();
    tx.put_versioned(table, to_item(&p)?, before.version);
    let entry = ProductAudit::new(
        &app,
        &p,
        &caller,
        Role::Vendor,
        "submitted",
        before.status,
        None,
    );
    tx.put_new(table, to_item(&entry)?);
    let mail = status_email(&app, &vendor, &p, None);
    tx.put_new(table, mail.to_item(&app.sealer, p.updated_at)?);
    app.store.transact(tx).await?;

    let input = serde_json::json!({
        "product_id": p.id,
        "product_name": p.display_name(),
        "vendor_id": p.vendor_id,
        "skpd": p.skpd,
        "pjlp_id": vendor.pjlp_id.clone().unwrap_or_default(),
        "task_timeout_seconds": app.cfg.onboarding.task_timeout_seconds,
    });
    // Named by product and submission: a retried start cannot open a second review.
    if let Err(e) = tasks::start_execution(
        &app,
        &machine,
        &format!("product-{}-{}", p.id, p.submissions),
        &input,
    )
    .await
    {
        // Put it back as it was, so the vendor can confirm again.
        let mut tx = Tx::new();
        let mut back = before;
        back.version = p.version + 1;
        tx.put_versioned(app.store.table(), to_item(&back)?, p.version);
        if let Err(undo) = app.store.transact(tx).await {
            tracing::error!(product_id = %p.id, error = ?undo, "could not undo a submission whose workflow did not start");
        }
        return Err(e);
    }
    tracing::info!(product_id = %p.id, "product submitted");
    json(
        202,
        &with_message(
            view(&app, &p).await?,
            "Produk berhasil diajukan dan menunggu pengecekan PJLP",
        ),
    )
}

/// The product, if `caller` is an officer who may read its vendor's data.
async fn product_for_officer(app: &App, caller: &Caller, id: &str) -> ApiResult<Product> {
    let p = load(app, id).await?.ok_or_else(not_found)?;
    if !vendor_profile::officer_may_read(app, caller, &p.skpd) {
        return Err(ApiError::forbidden());
    }
    Ok(p)
}

/// `GET /products/{id}`: the product under review, for the officers of its SKPD.
pub async fn get_product_for_officer(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    let p = product_for_officer(&app, &caller, &path_param(&req, "id")?).await?;
    json(200, &view(&app, &p).await?)
}

/// Whether `caller` is the PJLP who checks `vendor`'s products: the assigned one, or
/// any PJLP of the SKPD when the vendor has none.
fn is_reviewing_pjlp(caller: &Caller, vendor: &VendorProfile) -> bool {
    caller.require_role_in(Role::Pjlp, &vendor.skpd).is_ok()
        && vendor
            .pjlp_id
            .as_deref()
            .is_none_or(|id| id == caller.user_id)
}

/// `PUT /products/{id}` ("Edit" by the PJLP during `Pengajuan`).
pub async fn correct_product(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    let mut p = product_for_officer(&app, &caller, &path_param(&req, "id")?).await?;
    let vendor = vendor_profile::load(&app, &p.vendor_id)
        .await?
        .ok_or_else(not_found)?;
    if !is_reviewing_pjlp(&caller, &vendor) {
        return Err(ApiError::forbidden());
    }
    if p.status != ProductStatus::Submitted {
        return Err(locked(&p));
    }
    let input: ProductInput = body(&req)?;
    if input.version.is_some_and(|v| v != p.version) {
        return Err(ApiError::concurrent_update());
    }
    let expected = p.version;
    input.apply(&mut p)?;
    let missing: Vec<&str> = p.missing().into_iter().map(|(_, l)| l).collect();
    if !missing.is_empty() {
        return Err(ApiError::unprocessable(
            "product_incomplete",
            format!("Data produk belum lengkap: {}", missing.join(", ")),
        ));
    }
    p.updated_at = app.clock.epoch();
    p.version += 1;
    let entry = ProductAudit::new(
        &app,
        &p,
        &caller,
        Role::Pjlp,
        "corrected",
        ProductStatus::Submitted,
        None,
    );
    let mut tx = Tx::new();
    tx.put_versioned(app.store.table(), to_item(&p)?, expected);
    tx.put_new(app.store.table(), to_item(&entry)?);
    app.store.transact(tx).await?;
    json(
        200,
        &with_message(view(&app, &p).await?, "Produk berhasil disimpan"),
    )
}

/// An officer's decision on a listing task: `approve` ("Proses") or `reject` (with a
/// reason).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Decision {
    pub decision: Option<String>,
    pub note: Option<String>,
}

/// The vendor's details shown with its products (its SKPD Pembina by name).
async fn vendor_card(app: &App, v: &VendorProfile) -> ApiResult<VendorCard> {
    let skpd_name = loket_reference::organisations::find(&app.store, &v.skpd)
        .await?
        .map_or_else(|| v.skpd.clone(), |o| o.name);
    Ok(card_of(v, skpd_name))
}

/// The vendor's details as buyers see them: name, phone, business address, kelurahan.
pub fn card_of(v: &VendorProfile, skpd_name: String) -> VendorCard {
    let (business_address, village_name) = match &v.address {
        Some(a) => (
            format!(
                "{}, Kel. {}, Kec. {}, {}, {} {}",
                a.street,
                a.region.village_name,
                a.region.district_name,
                a.region.regency_name,
                a.region.province_name,
                a.postal_code
            ),
            a.region.village_name.clone(),
        ),
        None => (String::new(), String::new()),
    };
    VendorCard {
        name: v.business_name.clone().unwrap_or_default(),
        phone: v.phone.clone().unwrap_or_default(),
        business_address,
        village_name,
        skpd_name,
        rating: Default::default(),
    }
}

/// Applies `d` to the product behind `task` and claims the task, atomically; on the
/// satpel's approval also writes the published version and its catalog index. Returns
/// the output the waiting execution resumes with.
pub async fn decide(
    app: &App,
    task: &Task,
    caller: &Caller,
    d: &Decision,
) -> ApiResult<serde_json::Value> {
    let stage = ListingStage::parse(&task.stage)
        .ok_or_else(|| ApiError::internal(format!("unknown listing stage {}", task.stage)))?;
    let note = tasks::decision_note(&d.note)?;
    let mut p = load(app, &task.subject_id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("task {} has no product", task.id)))?;
    if p.status != stage.status() {
        return Err(tasks::already_decided());
    }
    let vendor = vendor_profile::load(app, &p.vendor_id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("product {} has no vendor", p.id)))?;
    let before = p.status;
    let expected = p.version;
    let now = app.clock.epoch();
    let table = app.store.table();
    let mut tx = Tx::new();
    let (action, output) = match d.decision.as_deref() {
        Some("approve") => {
            p.status = stage.after_approval();
            p.rejection = None;
            if p.status == ProductStatus::Published {
                let previous = load_listing(app, &p.id).await?;
                let card = vendor_card(app, &vendor).await?;
                let listing = Listing::of(&p, &card, previous.as_ref(), now);
                p.published_at = Some(listing.published_at);
                if let Some(old) = &previous {
                    for k in listing.stale_keys(old) {
                        tx.delete(table, key(p.pk.clone(), format!("{INDEX_PREFIX}{k}")));
                    }
                }
                for item in listing.index_items() {
                    tx.put(table, item);
                }
                tx.put(table, to_item(&listing)?);
            }
            ("approved", serde_json::json!({ "decision": "approve" }))
        }
        Some("reject") => {
            let reason = tasks::rejection_reason(&note)?;
            p.status = ProductStatus::Rejected;
            p.rejection = Some(ProductRejection {
                stage,
                reason,
                by_role: task.role,
                at: now,
            });
            ("rejected", serde_json::json!({ "decision": "reject" }))
        }
        _ => {
            return Err(ApiError::invalid(
                "decision_invalid",
                "Keputusan harus approve (Proses) atau reject",
                "decision",
            ))
        }
    };
    p.updated_at = now;
    p.version += 1;
    let claim = tasks::claim(app, &mut tx, task, caller, &output, note.as_deref(), now);
    tx.put_versioned(table, to_item(&p)?, expected);
    let entry = ProductAudit::new(app, &p, caller, task.role, action, before, note.clone());
    tx.put_new(table, to_item(&entry)?);
    let mail_note = if action == "rejected" { note } else { None };
    let mail = status_email(app, &vendor, &p, mail_note);
    tx.put_new(table, mail.to_item(&app.sealer, now)?);
    tasks::commit_decision(app, tx, claim, task).await?;
    tracing::info!(product_id = %p.id, task_id = %task.id, action, stage = stage.as_str(), "listing decision");
    Ok(output)
}
