//! Chat between a buyer and a vendor (seed 001 §5.1 a): one conversation per product
//! inquiry (a buyer asks about a published product) and one per order (its two
//! parties). Who may open, read and write a conversation is decided here; members,
//! messages, unread counts and the one email per unread stretch are the shared
//! mechanism (`loket_shared::conversations`). A conversation's id follows from what it
//! is about (`o-<order>`, `p-<product>-<buyer>`), so opening it twice opens one.

use crate::cart::{self, load as load_order};
use crate::order::OrderStatus;
use loket_catalog::search::load_listing;
use loket_shared::auth::{Caller, Role};
use loket_shared::conversations::{self, Party, Thread, MESSAGE_MAX};
use loket_shared::http::{authenticate, body, json, path_param, required, Request, Response};
use loket_shared::schema;
use loket_shared::store::{to_item, Tx, TxError};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a conversation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum About {
    Order,
    Product,
}

/// A conversation between a buyer and a vendor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conversation {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub id: String,
    pub about: About,
    /// The order's or the product's id.
    pub subject_id: String,
    /// "Pesanan <number>" or the product's name.
    pub subject_name: String,
    pub buyer_id: String,
    pub buyer_name: String,
    pub buyer_email: String,
    pub vendor_id: String,
    pub vendor_name: String,
    pub vendor_email: String,
    pub created_at: i64,
}

impl Conversation {
    fn is_party(&self, user_id: &str) -> bool {
        self.buyer_id == user_id || self.vendor_id == user_id
    }

    /// The conversation as the shared mechanism stores it: its two members.
    fn thread(&self) -> Thread {
        let buyer = Party {
            id: self.buyer_id.clone(),
            name: self.buyer_name.clone(),
            email: self.buyer_email.clone(),
        };
        let vendor = Party {
            id: self.vendor_id.clone(),
            name: self.vendor_name.clone(),
            email: self.vendor_email.clone(),
        };
        Thread {
            id: self.id.clone(),
            about: match self.about {
                About::Order => "order",
                About::Product => "product",
            },
            subject_id: self.subject_id.clone(),
            subject_name: self.subject_name.clone(),
            members: vec![
                (buyer, self.vendor_name.clone()),
                (vendor, self.buyer_name.clone()),
            ],
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("conversation_not_found", "Percakapan tidak ditemukan")
}

/// The conversation `id`, if `caller` is one of its parties (anyone else: 403).
async fn conversation_for(app: &App, caller: &Caller, id: &str) -> ApiResult<Conversation> {
    caller.require_any(&[Role::Buyer, Role::Vendor])?;
    // Only a buyer and vendor conversation (a helpdesk one has routes of its own).
    if id.len() > 100 || !(id.starts_with("o-") || id.starts_with("p-")) {
        return Err(not_found());
    }
    let c: Conversation = app
        .store
        .get_as(&schema::chat(id), schema::CHAT_SK)
        .await?
        .ok_or_else(not_found)?;
    if !c.is_party(&caller.user_id) {
        return Err(ApiError::forbidden());
    }
    Ok(c)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OpenInput {
    order_id: Option<String>,
    product_id: Option<String>,
}

/// `POST /conversations` with `order_id` (a party of a placed order) or `product_id`
/// (a buyer asking about a published product): the conversation, opened once (201) or
/// as it is (200).
pub async fn open_conversation(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Buyer, Role::Vendor])?;
    let input: OpenInput = body(&req)?;
    let now = app.clock.epoch();
    let c = match (&input.order_id, &input.product_id) {
        (Some(_), None) => {
            let order_id = required(&input.order_id, "order_id", "Pesanan", 40)?;
            let o = load_order(&app, &order_id)
                .await?
                .ok_or_else(|| ApiError::not_found("order_not_found", "Pesanan tidak ditemukan"))?;
            if !o.is_party(&caller.user_id) {
                return Err(ApiError::forbidden());
            }
            if o.status == OrderStatus::Draft {
                return Err(ApiError::conflict(
                    "order_not_placed",
                    "Percakapan pesanan dapat dimulai setelah pesanan dikonfirmasi",
                ));
            }
            Conversation {
                pk: schema::chat(&format!("o-{}", o.id)),
                sk: schema::CHAT_SK.into(),
                id: format!("o-{}", o.id),
                about: About::Order,
                subject_id: o.id.clone(),
                subject_name: format!("Pesanan {}", o.number()),
                buyer_id: o.buyer_id.clone(),
                buyer_name: o.buyer_name.clone(),
                buyer_email: o.buyer_email.clone(),
                vendor_id: o.vendor_id.clone(),
                vendor_name: o.vendor_name.clone(),
                vendor_email: o.vendor_email.clone(),
                created_at: now,
            }
        }
        (None, Some(_)) => {
            caller.require_any(&[Role::Buyer])?;
            let product_id = required(&input.product_id, "product_id", "Produk", 40)?;
            let listing = load_listing(&app, &product_id).await?.ok_or_else(|| {
                ApiError::not_found(
                    "product_not_found",
                    "Produk tidak ditemukan atau belum tayang",
                )
            })?;
            let vendor = loket_vendors::profile::load(&app, &listing.vendor_id)
                .await?
                .ok_or_else(|| ApiError::internal("a listed product's vendor is missing"))?;
            let (buyer_name, buyer_email) = cart::account(&app, &caller.user_id).await?;
            let id = format!("p-{}-{}", listing.product_id, caller.user_id);
            Conversation {
                pk: schema::chat(&id),
                sk: schema::CHAT_SK.into(),
                id,
                about: About::Product,
                subject_id: listing.product_id.clone(),
                subject_name: listing.name.clone(),
                buyer_id: caller.user_id.clone(),
                buyer_name,
                buyer_email,
                vendor_id: listing.vendor_id.clone(),
                vendor_name: listing.vendor_name.clone(),
                vendor_email: vendor.email.clone(),
                created_at: now,
            }
        }
        _ => {
            return Err(ApiError::invalid(
                "field_required",
                "Pilih pesanan (order_id) atau produk (product_id) yang ingin ditanyakan",
                "order_id",
            ))
        }
    };
    if let Some(existing) = app
        .store
        .get_as::<Conversation>(&c.pk, schema::CHAT_SK)
        .await?
    {
        return json(200, &conversation_view(&app, &existing, &caller).await?);
    }
    let mut tx = Tx::new();
    conversations::open(&mut tx, &app, &c.thread(), to_item(&c)?)?;
    match app.store.transact(tx).await {
        Ok(()) => json(201, &conversation_view(&app, &c, &caller).await?),
        // Opened at the same moment by the other party or a retry: the same one.
        Err(TxError::Condition(_)) => json(200, &conversation_view(&app, &c, &caller).await?),
        Err(e) => Err(e.into()),
    }
}

async fn conversation_view(
    app: &App,
    c: &Conversation,
    caller: &Caller,
) -> ApiResult<serde_json::Value> {
    let unread = conversations::unread_in(app, &c.id, &caller.user_id).await?;
    Ok(serde_json::json!({
        "id": c.id, "about": c.about, "subject_id": c.subject_id, "subject_name": c.subject_name,
        "buyer": { "id": c.buyer_id, "name": c.buyer_name },
        "vendor": { "id": c.vendor_id, "name": c.vendor_name },
        "unread": unread,
    }))
}

/// `GET /conversations`: the caller's conversations, latest activity first, each with
/// its unread count, and the unread messages in all; paged.
pub async fn list_conversations(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Buyer, Role::Vendor])?;
    let page = conversations::list(&app, &req, "list_conversations", &caller.user_id, None).await?;
    json(200, &page)
}

/// `GET /conversations/{id}/messages`: newest first, paged. The first page is reading
/// the conversation: the caller's unread count goes back to zero.
pub async fn list_messages(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = conversation_for(&app, &caller, &path_param(&req, "id")?).await?;
    let (items, cursor) =
        conversations::messages(&app, &req, "list_messages", &c.id, &caller.user_id).await?;
    json(
        200,
        &serde_json::json!({ "conversation": conversation_view(&app, &c, &caller).await?,
                             "items": items, "cursor": cursor }),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MessageInput {
    text: Option<String>,
}

/// `POST /conversations/{id}/messages` (`text`, at most 2000 characters): the message,
/// the conversation's order in both lists and the recipient's unread count, in one
/// transaction; the recipient is emailed when this message starts an unread stretch.
pub async fn send_message(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = conversation_for(&app, &caller, &path_param(&req, "id")?).await?;
    let input: MessageInput = body(&req)?;
    let text = required(&input.text, "text", "Pesan", MESSAGE_MAX)?;
    let t = c.thread();
    let sender = t
        .member(&caller.user_id)
        .cloned()
        .ok_or_else(ApiError::forbidden)?;
    let m = conversations::send(&app, &t, &sender, text, None).await?;
    json(201, &m.view(&caller.user_id))
}
