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
    ProductStatus,
};
use crate::search::load_listing;
use loket_shared::approval::{
    self, CaseChange, CaseFile, CaseLines, CaseView, Change, CorrectionForm, Decided, FieldKind,
    FormField, Moment, NoInput, Start, Subject, Verdict, Versioned, Workflow,
};
use loket_shared::auth::{Caller, Role};
use loket_shared::cursor;
use loket_shared::files;
use loket_shared::http::{authenticate, body, json, path_param, query_param, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::rules::Refusal;
use loket_shared::schema::GSI1;
use loket_shared::store::{from_item, key, to_item, Item, Query, Tx};
use loket_shared::{ApiError, ApiResult, App};
use loket_vendors::chain::Stage;
use loket_vendors::profile::{self as vendor_profile, VendorProfile};
use std::sync::Arc;

const PHOTO_LINK_SECONDS: u64 = 900;

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
    let timeline = approval::timeline::<Product>(app, &p.pk).await?;
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
    let caller = authenticate(&app, &req).await?;
    let vendor = registered_vendor(&app, &caller).await?;
    let input: ProductInput = body(&req)?;
    let now = app.clock.epoch();
    let mut p = Product::new(&app.ids.id(), &vendor.vendor_id, &vendor.skpd, now);
    input.apply(&mut p)?;
    p.version = 1;
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&p)?);
    let change = Change {
        actor: &caller,
        role: Role::Vendor,
        action: "created",
        from: ProductStatus::Draft.as_str(),
        note: None,
    };
    approval::audit(&app, &mut tx, &p, change)?;
    app.store.transact(tx).await?;
    tracing::info!(product_id = %p.id, "product created");
    json(
        201,
        &with_message(view(&app, &p).await?, "Produk berhasil disimpan"),
    )
}

/// `GET /vendor/products?cursor=`: the vendor's products, newest first.
pub async fn list_vendor_products(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Vendor])?;
    let scope = cursor::Scope::of("list_vendor_products", &caller.user_id, &req);
    let page = cursor::page(
        &app,
        &Query::partition(vendor_products(&caller.user_id))
            .on_index(GSI1)
            .backwards()
            .limit(20),
        &scope,
        query_param(&req, "cursor").as_deref(),
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
    let caller = authenticate(&app, &req).await?;
    let p = own_product(&app, &caller, &path_param(&req, "id")?).await?;
    json(200, &view(&app, &p).await?)
}

/// `PUT /vendor/products/{id}` ("Simpan"): in `Draft` or `Ditolak`; on a published
/// product it starts a revision (the published version stays until it is approved).
pub async fn save_vendor_product(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
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
    p.stamp(app.clock.epoch());
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
    let change = Change {
        actor: caller,
        role: Role::Vendor,
        action: "revised",
        from: ProductStatus::Published.as_str(),
        note: None,
    };
    approval::audit(app, tx, p, change)?;
    Ok(true)
}

/// `POST /vendor/products/{id}/submit` ("Confirm"): `Pengajuan`, and the listing
/// workflow starts.
pub async fn submit_vendor_product(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
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
    let expected = p.version;
    let from = p.status.as_str();
    p.status = ProductStatus::Submitted;
    p.submissions += 1;
    p.stamp(app.clock.epoch());
    let input = serde_json::json!({
        "product_id": p.id,
        "product_name": p.display_name(),
        "vendor_id": p.vendor_id,
        "skpd": p.skpd,
        "pjlp_id": vendor.pjlp_id.clone().unwrap_or_default(),
        "task_timeout_seconds": app.cfg.onboarding.task_timeout_seconds,
    });
    // Named by product and submission: a retried start cannot open a second review.
    let start = Start {
        machine: &machine,
        name: format!("product-{}-{}", p.id, p.submissions),
        input,
    };
    let change = Change {
        actor: &caller,
        role: Role::Vendor,
        action: "submitted",
        from,
        note: None,
    };
    let review = ProductReview { product: p, vendor };
    approval::submit(&app, &review, expected, change, start).await?;
    let p = review.product;
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
    let caller = authenticate(&app, &req).await?;
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

/// `PUT /products/{id}` ("Edit" by the PJLP during `Pengajuan`): the engine's
/// correction (`approval::correct`), as the task page's edit form.
pub async fn correct_product(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let product = product_for_officer(&app, &caller, &path_param(&req, "id")?).await?;
    let vendor = vendor_profile::load(&app, &product.vendor_id)
        .await?
        .ok_or_else(not_found)?;
    let input: serde_json::Value = body(&req)?;
    let review =
        approval::correct(&app, &caller, ProductReview { product, vendor }, &input).await?;
    json(
        200,
        &with_message(
            view(&app, &review.product).await?,
            "Produk berhasil disimpan",
        ),
    )
}

/// The vendor's details shown with its products (its SKPD Pembina by name).
async fn vendor_card(app: &App, v: &VendorProfile) -> ApiResult<VendorCard> {
    let skpd_name = loket_reference::organisations::find(&app.store, &v.skpd)
        .await?
        .map_or_else(|| v.skpd.clone(), |o| o.name);
    let mut card = card_of(v, skpd_name);
    card.rating = crate::ratings::vendor_rating(app, &v.vendor_id).await?;
    Ok(card)
}

/// The vendor's details as buyers see them: name, phone, business address, kelurahan.
pub fn card_of(v: &VendorProfile, skpd_name: String) -> VendorCard {
    let (business_address, village_name) = match &v.address {
        Some(a) => (a.one_line(), a.region.village_name.clone()),
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

impl Subject for Product {
    fn pk(&self) -> String {
        self.pk.clone()
    }

    fn status_code(&self) -> &'static str {
        self.status.as_str()
    }

    fn status_label(code: &str) -> &'static str {
        ProductStatus::parse(code).map_or("-", ProductStatus::label)
    }

    fn to_item(&self) -> ApiResult<Item> {
        to_item(self)
    }
}

loket_shared::versioned!(Product);

impl loket_shared::approval::Stage for ListingStage {
    const DECIDED: &'static [ListingStage] =
        &[ListingStage::PjlpReview, ListingStage::SatpelPublish];

    fn code(self) -> &'static str {
        self.as_str()
    }

    fn label(self) -> &'static str {
        self.status().label()
    }

    fn decider(self) -> Option<Role> {
        Some(ListingStage::decider(self))
    }

    fn approve_label(self) -> &'static str {
        match self {
            ListingStage::PjlpReview => "Setujui produk (Proses)",
            ListingStage::SatpelPublish => "Tayangkan produk (Proses)",
        }
    }

    /// The PJLP corrects the product ("Edit") while checking it.
    fn corrects(self) -> bool {
        self == ListingStage::PjlpReview
    }
}

/// A product in the listing workflow, with its vendor (who is told of every change).
#[derive(Debug, Clone)]
pub struct ProductReview {
    pub product: Product,
    pub vendor: VendorProfile,
}

/// What a listing decision causes besides the product's new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingEvent {
    /// The product (or its revision) is now what buyers see.
    Published,
}

impl Subject for ProductReview {
    fn pk(&self) -> String {
        self.product.pk()
    }

    fn status_code(&self) -> &'static str {
        self.product.status_code()
    }

    fn status_label(code: &str) -> &'static str {
        Product::status_label(code)
    }

    fn to_item(&self) -> ApiResult<Item> {
        self.product.to_item()
    }
}

impl Versioned for ProductReview {
    fn version(&self) -> i64 {
        self.product.version
    }

    fn stamp(&mut self, now: i64) {
        self.product.stamp(now)
    }
}

/// What an officer compares of a product: the same lines for the version under
/// review and for the published one.
struct ProductFields<'a> {
    name: String,
    price: Option<i64>,
    category: Option<String>,
    availability: Option<&'static str>,
    min_order: Option<u32>,
    max_order: Option<u32>,
    description: Option<String>,
    photos: &'a [crate::product::Photo],
}

fn product_lines(f: &ProductFields<'_>) -> CaseLines {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    vec![
        ("Nama Produk", f.name.clone()),
        (
            "Harga per paket",
            f.price.map_or_else(|| "-".into(), |v| format!("Rp{v}")),
        ),
        ("Kategori", text(&f.category)),
        ("Ketersediaan", f.availability.unwrap_or("-").into()),
        (
            "Pesanan minimal / maksimal",
            format!(
                "{} / {}",
                f.min_order.unwrap_or_default(),
                f.max_order.unwrap_or_default()
            ),
        ),
        ("Deskripsi", text(&f.description)),
        ("Foto", format!("{} foto", f.photos.len())),
    ]
}

/// What a revision changes against the published `listing`: the differing lines, and
/// the photos added or removed (same count, other photos, is still a change).
fn revision_changes(
    listing: &Listing,
    photos: &[crate::product::Photo],
    revision: &CaseLines,
) -> Vec<CaseChange> {
    let published = product_lines(&ProductFields {
        name: listing.name.clone(),
        price: Some(listing.price),
        category: Some(listing.category.clone()),
        availability: Some(listing.availability.as_str()),
        min_order: Some(listing.min_order),
        max_order: Some(listing.max_order),
        description: Some(listing.description.clone()),
        photos: &listing.photos,
    });
    let mut out: Vec<CaseChange> = approval::changes(&published, revision)
        .into_iter()
        .filter(|c| c.label != "Foto")
        .collect();
    let added = photos
        .iter()
        .filter(|p| !listing.photos.iter().any(|o| o.id == p.id))
        .count();
    let removed = listing
        .photos
        .iter()
        .filter(|o| !photos.iter().any(|p| p.id == o.id))
        .count();
    if added + removed > 0 {
        out.push(CaseChange {
            label: "Foto",
            before: format!("{} foto", listing.photos.len()),
            after: format!("{} foto ({added} baru, {removed} dihapus)", photos.len()),
        });
    }
    out
}

impl Workflow for ProductReview {
    const KIND: &'static str = "product_listing";
    type Stage = ListingStage;
    type Input = NoInput;
    type Facts = ();
    type Event = ListingEvent;
    type Correction = ProductInput;

    async fn load(app: &App, id: &str) -> ApiResult<Option<Self>> {
        let Some(product) = load(app, id).await? else {
            return Ok(None);
        };
        let vendor = vendor_profile::load(app, &product.vendor_id)
            .await?
            .ok_or_else(|| ApiError::internal(format!("product {id} has no vendor")))?;
        Ok(Some(ProductReview { product, vendor }))
    }

    fn status_email(&self, app: &App, note: Option<String>) -> OutboxEmail {
        OutboxEmail {
            id: app.ids.id(),
            to: self.vendor.email.clone(),
            template: EmailTemplate::ProductStatusChanged {
                name: self
                    .vendor
                    .business_name
                    .clone()
                    .unwrap_or_else(|| self.vendor.email.clone()),
                product: self.product.display_name(),
                status: self.product.status.label().to_string(),
                note,
            },
        }
    }

    async fn case(&self, app: &App) -> ApiResult<CaseView> {
        let p = &self.product;
        let lines_of_revision = product_lines(&ProductFields {
            name: p.display_name(),
            price: p.price,
            category: p.category.clone(),
            availability: p.availability.map(|a| a.as_str()),
            min_order: p.min_order,
            max_order: p.max_order,
            description: p.description.clone(),
            photos: &p.photos,
        });
        let published = match p.published_at {
            Some(_) => load_listing(app, &p.id).await?,
            None => None,
        };
        let changes = published.as_ref().map_or_else(Vec::new, |l| {
            revision_changes(l, &p.photos, &lines_of_revision)
        });
        let mut lines = vec![(
            "UMKM",
            self.vendor.business_name.clone().unwrap_or_default(),
        )];
        lines.extend(lines_of_revision);
        lines.push((
            "Revisi dari produk tayang",
            if published.is_some() { "Ya" } else { "Tidak" }.into(),
        ));
        let files = p
            .photos
            .iter()
            .enumerate()
            .map(|(i, ph)| CaseFile {
                id: ph.id.clone(),
                label: format!("Foto Produk {}", i + 1),
                name: None,
                content_type: ph.content_type.clone(),
                size: Some(ph.size),
                key: ph.key.clone(),
            })
            .collect();
        Ok(CaseView {
            lines,
            files,
            changes,
        })
    }

    fn awaiting(&self) -> Option<ListingStage> {
        <ListingStage as loket_shared::approval::Stage>::DECIDED
            .iter()
            .copied()
            .find(|s| s.status() == self.product.status)
    }

    fn correctable(&self, caller: &Caller) -> ApiResult<()> {
        if !is_reviewing_pjlp(caller, &self.vendor) {
            return Err(ApiError::forbidden());
        }
        if self.product.status != ProductStatus::Submitted {
            return Err(locked(&self.product));
        }
        Ok(())
    }

    /// The whole form, as the vendor's save; the product stays complete.
    async fn correct(&mut self, _: &App, input: ProductInput) -> ApiResult<()> {
        input.apply(&mut self.product)?;
        let missing: Vec<&str> = self.product.missing().into_iter().map(|(_, l)| l).collect();
        if !missing.is_empty() {
            return Err(ApiError::unprocessable(
                "product_incomplete",
                format!("Data produk belum lengkap: {}", missing.join(", ")),
            ));
        }
        Ok(())
    }

    fn correction_form(&self) -> CorrectionForm {
        let p = &self.product;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let field = |name, label, kind, value| FormField {
            name,
            label,
            kind,
            value,
        };
        CorrectionForm {
            fields: vec![
                field("name", "Nama Produk", FieldKind::Text(120), text(&p.name)),
                field(
                    "price",
                    "Harga per paket (Rp)",
                    FieldKind::Number,
                    number(p.price),
                ),
                field(
                    "category",
                    "Kategori",
                    FieldKind::Choice(crate::product::CATEGORIES.to_vec()),
                    text(&p.category),
                ),
                field(
                    "availability",
                    "Ketersediaan",
                    FieldKind::Choice(
                        crate::product::Availability::ALL
                            .iter()
                            .map(|a| (a.as_str(), a.as_str()))
                            .collect(),
                    ),
                    p.availability
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                ),
                field(
                    "min_order",
                    "Pesanan minimal (paket)",
                    FieldKind::Number,
                    number(p.min_order.map(i64::from)),
                ),
                field(
                    "max_order",
                    "Pesanan maksimal (paket)",
                    FieldKind::Number,
                    number(p.max_order.map(i64::from)),
                ),
                field(
                    "description",
                    "Deskripsi",
                    FieldKind::LongText(2000),
                    text(&p.description),
                ),
            ],
            ..CorrectionForm::default()
        }
    }

    async fn facts(_: &App, _: &Self, _: ListingStage, _: &Verdict<NoInput>) -> ApiResult<()> {
        Ok(())
    }

    /// "Proses" moves the product on (at the satpel's stage it is published, first
    /// published now unless it was before); rejection makes it "Ditolak" with its reason.
    fn transition(
        &self,
        stage: ListingStage,
        verdict: &Verdict<NoInput>,
        _: &(),
        at: Moment,
    ) -> Result<Decided<Self, ListingEvent>, Refusal> {
        let mut next = self.clone();
        let p = &mut next.product;
        match verdict {
            Verdict::Approve(_) => {
                p.status = stage.after_approval();
                p.rejection = None;
                if p.status == ProductStatus::Published {
                    p.published_at = p.published_at.or(Some(at.now));
                    return Ok(Decided::to(next).with_event(ListingEvent::Published));
                }
            }
            Verdict::Reject { reason } => {
                p.status = ProductStatus::Rejected;
                p.rejection = Some(ProductRejection {
                    stage,
                    reason: reason.clone(),
                    by_role: at.role,
                    at: at.now,
                });
            }
            Verdict::Revise { .. } => return Err(approval::not_revisable()),
        }
        Ok(Decided::to(next))
    }

    /// On publication: the published version and its catalog index entries (the
    /// previous version's stale entries removed).
    async fn effects(
        app: &App,
        state: &Self,
        events: &[ListingEvent],
        tx: &mut Tx,
    ) -> ApiResult<()> {
        if !events.contains(&ListingEvent::Published) {
            return Ok(());
        }
        let p = &state.product;
        let table = app.store.table();
        let previous = load_listing(app, &p.id).await?;
        let card = vendor_card(app, &state.vendor).await?;
        let listing = Listing::of(p, &card, previous.as_ref(), app.clock.epoch());
        if let Some(old) = &previous {
            for k in listing.stale_keys(old) {
                tx.delete(table, key(p.pk.clone(), format!("{INDEX_PREFIX}{k}")));
            }
        }
        for item in listing.index_items() {
            tx.put(table, item);
        }
        tx.put(table, to_item(&listing)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(status: ProductStatus) -> ProductReview {
        let mut product = Product::new("p1", "v1", "DPMPTSP", 0);
        product.status = status;
        ProductReview {
            product,
            vendor: VendorProfile::new("v1", "DPMPTSP", "toko@contoh.id", 0),
        }
    }

    const AT: Moment = Moment {
        now: 500,
        role: Role::Satpel,
    };

    #[test]
    fn the_pjlp_passes_it_on_and_the_satpel_publishes_it_once() {
        let r = review(ProductStatus::Submitted);
        assert_eq!(r.awaiting(), Some(ListingStage::PjlpReview));
        let approve = Verdict::Approve(NoInput {});
        let d = r
            .transition(ListingStage::PjlpReview, &approve, &(), AT)
            .unwrap();
        assert_eq!(d.state.product.status, ProductStatus::Publishing);
        assert!(d.events.is_empty());
        assert_eq!(d.state.awaiting(), Some(ListingStage::SatpelPublish));
        let d = d
            .state
            .transition(ListingStage::SatpelPublish, &approve, &(), AT)
            .unwrap();
        assert_eq!(d.state.product.status, ProductStatus::Published);
        assert_eq!(d.events, vec![ListingEvent::Published]);
        assert_eq!(d.state.product.published_at, Some(500));
        assert_eq!(d.state.awaiting(), None);
        // A revision keeps the date it was first published.
        let mut revised = review(ProductStatus::Publishing);
        revised.product.published_at = Some(10);
        let d = revised
            .transition(ListingStage::SatpelPublish, &approve, &(), AT)
            .unwrap();
        assert_eq!(d.state.product.published_at, Some(10));
    }

    #[test]
    fn a_rejection_keeps_its_reason_stage_and_role() {
        let r = review(ProductStatus::Publishing);
        let reject = Verdict::Reject {
            reason: "Foto buram".into(),
        };
        let d = r
            .transition(ListingStage::SatpelPublish, &reject, &(), AT)
            .unwrap();
        assert_eq!(d.state.product.status, ProductStatus::Rejected);
        assert!(d.events.is_empty());
        assert_eq!(
            d.state.product.rejection,
            Some(ProductRejection {
                stage: ListingStage::SatpelPublish,
                reason: "Foto buram".into(),
                by_role: Role::Satpel,
                at: 500,
            })
        );
        assert!(d.state.product.status.submittable());
    }
}
