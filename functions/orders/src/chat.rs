//! Chat between a buyer and a vendor (seed 001 §5.1 a): one conversation per product
//! inquiry (a buyer asks about a published product) and one per order (its two
//! parties). Text messages, newest page first with a cursor, an unread count per
//! conversation and in all, and an email to the recipient when a message starts to wait
//! unread (one per unread stretch, not one per message: reading the conversation ends
//! the stretch).
//!
//! Storage, in the conversation's partition `CHAT#<id>`: the conversation (`CHAT`), a
//! member item per party (`MEMBER#<user>`: its unread count, and the party's list of
//! conversations on GSI1 `CHATS#<user>` by last activity) and the messages
//! (`MSG#<time>#<id>`). A conversation's id follows from what it is about
//! (`o-<order>`, `p-<product>-<buyer>`), so opening it twice opens one. Each message is
//! one transaction: the message, the conversation, both members and the recipient's
//! total unread (`USER#<id>` / `CHATUNREAD`).

use crate::cart::{self, load as load_order};
use crate::order::OrderStatus;
use loket_catalog::search::load_listing;
use loket_shared::auth::{Caller, Role};
use loket_shared::http::{
    authenticate, body, json, path_param, query_param, required, Request, Response,
};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::schema::{self, GSI1};
use loket_shared::store::{from_item, get_n, key, n, s, to_item, Item, Query, Tx, TxError};
use loket_shared::{cursor, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// The longest message.
pub const MESSAGE_MAX: usize = 2000;
/// Messages per page.
const PAGE: i32 = 20;
/// Tries of a message racing others in the same conversation.
const SEND_ATTEMPTS: usize = 8;
/// The preview of the last message in the conversation list.
const PREVIEW: usize = 100;

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

    /// (id, name, email) of the party other than `user_id`.
    fn other(&self, user_id: &str) -> (&str, &str, &str) {
        if self.buyer_id == user_id {
            (&self.vendor_id, &self.vendor_name, &self.vendor_email)
        } else {
            (&self.buyer_id, &self.buyer_name, &self.buyer_email)
        }
    }

    fn name_of(&self, user_id: &str) -> &str {
        if self.buyer_id == user_id {
            &self.buyer_name
        } else {
            &self.vendor_name
        }
    }
}

/// A party's place in a conversation: its unread count and its list entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Member {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    conversation_id: String,
    about: About,
    subject_id: String,
    subject_name: String,
    /// The other party's name.
    with: String,
    unread: i64,
    last_at: i64,
    #[serde(default)]
    last_text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Message {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    id: String,
    sender_id: String,
    sender_name: String,
    text: String,
    at: i64,
}

fn not_found() -> ApiError {
    ApiError::not_found("conversation_not_found", "Percakapan tidak ditemukan")
}

fn member_view(m: &Member) -> serde_json::Value {
    serde_json::json!({
        "id": m.conversation_id, "about": m.about, "subject_id": m.subject_id,
        "subject_name": m.subject_name, "with": m.with, "unread": m.unread,
        "last_at": m.last_at, "last_text": m.last_text,
    })
}

fn message_view(m: &Message, caller: &str) -> serde_json::Value {
    serde_json::json!({
        "id": m.id, "sender": m.sender_name, "mine": m.sender_id == caller,
        "text": m.text, "at": m.at,
    })
}

/// The conversation `id`, if `caller` is one of its parties (anyone else: 403).
async fn conversation_for(app: &App, caller: &Caller, id: &str) -> ApiResult<Conversation> {
    caller.require_any(&[Role::Buyer, Role::Vendor])?;
    if id.is_empty() || id.len() > 100 {
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
    let table = app.store.table();
    let mut tx = Tx::new();
    tx.put_new(table, to_item(&c)?);
    for (user, with) in [(&c.buyer_id, &c.vendor_name), (&c.vendor_id, &c.buyer_name)] {
        let m = Member {
            pk: c.pk.clone(),
            sk: schema::chat_member_sk(user),
            gsi1pk: schema::chats_of(user),
            gsi1sk: format!("{now:012}#{}", c.id),
            conversation_id: c.id.clone(),
            about: c.about,
            subject_id: c.subject_id.clone(),
            subject_name: c.subject_name.clone(),
            with: with.clone(),
            unread: 0,
            last_at: now,
            last_text: String::new(),
        };
        tx.put_new(table, to_item(&m)?);
    }
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
    let unread = app
        .store
        .get(&c.pk, &schema::chat_member_sk(&caller.user_id))
        .await?
        .and_then(|m| get_n(&m, "unread"))
        .unwrap_or(0);
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
    let q = Query::partition(schema::chats_of(&caller.user_id))
        .on_index(GSI1)
        .backwards()
        .limit(PAGE);
    let scope = cursor::Scope::of("list_conversations", &caller.user_id, &req);
    let page = cursor::page(&app, &q, &scope, query_param(&req, "cursor").as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| from_item::<Member>(i).map(|m| member_view(&m)))
        .collect::<ApiResult<Vec<_>>>()?;
    let unread_total = app
        .store
        .get(&schema::user(&caller.user_id), schema::CHAT_UNREAD_SK)
        .await?
        .and_then(|i| get_n(&i, "unread"))
        .unwrap_or(0)
        .max(0);
    json(
        200,
        &serde_json::json!({ "items": items, "cursor": page.cursor, "unread_total": unread_total }),
    )
}

/// `GET /conversations/{id}/messages`: newest first, paged. The first page is reading
/// the conversation: the caller's unread count goes back to zero.
pub async fn list_messages(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = conversation_for(&app, &caller, &path_param(&req, "id")?).await?;
    let q = Query::partition(c.pk.clone())
        .sk_begins_with("SK", schema::CHAT_MSG_PREFIX)
        .backwards()
        .limit(PAGE);
    let scope = cursor::Scope::new("list_messages", &caller.user_id, &c.id);
    let after = query_param(&req, "cursor").filter(|c| !c.is_empty());
    let page = cursor::page(&app, &q, &scope, after.as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| from_item::<Message>(i).map(|m| message_view(&m, &caller.user_id)))
        .collect::<ApiResult<Vec<_>>>()?;
    if after.is_none() {
        mark_read(&app, &c, &caller.user_id).await?;
    }
    json(
        200,
        &serde_json::json!({ "conversation": conversation_view(&app, &c, &caller).await?,
                             "items": items, "cursor": page.cursor }),
    )
}

/// The caller's unread count in `c` back to zero, and off their total — conditioned on
/// the count read, so two readers at once subtract it once.
async fn mark_read(app: &App, c: &Conversation, user_id: &str) -> ApiResult<()> {
    for _ in 0..3 {
        let Some(member) = app
            .store
            .get(&c.pk, &schema::chat_member_sk(user_id))
            .await?
        else {
            return Ok(());
        };
        let unread = get_n(&member, "unread").unwrap_or(0);
        if unread == 0 {
            return Ok(());
        }
        let mut tx = Tx::new();
        let table = app.store.table();
        tx.update(
            table,
            key(c.pk.clone(), schema::chat_member_sk(user_id)),
            "SET unread = :zero",
            Some("unread = :seen"),
            HashMap::new(),
            HashMap::from([
                (":zero".to_string(), n(0)),
                (":seen".to_string(), n(unread)),
            ]),
        );
        tx.update(
            table,
            key(schema::user(user_id), schema::CHAT_UNREAD_SK),
            "ADD unread :minus",
            None,
            HashMap::new(),
            HashMap::from([(":minus".to_string(), n(-unread))]),
        );
        match app.store.transact(tx).await {
            Ok(()) => return Ok(()),
            // A message arrived meanwhile: read again.
            Err(TxError::Condition(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
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
    let now = app.clock.epoch();
    let (to_id, to_name, to_email) = c.other(&caller.user_id);
    let message = Message {
        pk: c.pk.clone(),
        // Milliseconds: messages sent one after the other keep their order.
        sk: format!(
            "{}{:015}#{}",
            schema::CHAT_MSG_PREFIX,
            app.clock.now().unix_timestamp_nanos() / 1_000_000,
            app.ids.id()
        ),
        id: app.ids.id(),
        sender_id: caller.user_id.clone(),
        sender_name: c.name_of(&caller.user_id).to_string(),
        text: text.clone(),
        at: now,
    };
    let preview: String = text.chars().take(PREVIEW).collect();
    let table = app.store.table();
    // The first unread message of a stretch is emailed; the condition on the count
    // read keeps two messages at once from both (or neither) being the first. A lost
    // race reads again, after a short pause that grows.
    for attempt in 0..SEND_ATTEMPTS {
        if attempt > 0 {
            let pause = 10 * attempt as u64 + rand::random::<u64>() % 20;
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
        let recipient = app
            .store
            .get(&c.pk, &schema::chat_member_sk(to_id))
            .await?
            .ok_or_else(|| ApiError::internal("a conversation without its member"))?;
        let unread = get_n(&recipient, "unread").unwrap_or(0);
        let mut tx = Tx::new();
        tx.put_new(table, to_item(&message)?);
        let last: Item = HashMap::from([
            (":at".to_string(), n(now)),
            (":sk".to_string(), s(format!("{now:012}#{}", c.id))),
            (":text".to_string(), s(&preview)),
        ]);
        tx.update(
            table,
            key(c.pk.clone(), schema::chat_member_sk(&caller.user_id)),
            "SET last_at = :at, GSI1SK = :sk, last_text = :text",
            Some("attribute_exists(PK)"),
            HashMap::new(),
            last.clone(),
        );
        let mut values = last;
        values.insert(":one".into(), n(1));
        values.insert(":seen".into(), n(unread));
        tx.update(
            table,
            key(c.pk.clone(), schema::chat_member_sk(to_id)),
            "SET last_at = :at, GSI1SK = :sk, last_text = :text ADD unread :one",
            Some("unread = :seen"),
            HashMap::new(),
            values,
        );
        tx.update(
            table,
            key(schema::user(to_id), schema::CHAT_UNREAD_SK),
            "ADD unread :one",
            None,
            HashMap::new(),
            HashMap::from([(":one".to_string(), n(1))]),
        );
        if unread == 0 {
            let mail = OutboxEmail {
                id: app.ids.id(),
                to: to_email.to_string(),
                template: EmailTemplate::ChatMessage {
                    name: to_name.to_string(),
                    from: message.sender_name.clone(),
                    subject: c.subject_name.clone(),
                    preview: preview.clone(),
                },
            };
            tx.put_new(table, mail.to_item(&app.sealer, now)?);
        }
        match app.store.transact(tx).await {
            Ok(()) => {
                tracing::info!(conversation = %c.id, "message sent");
                return json(201, &message_view(&message, &caller.user_id));
            }
            Err(TxError::Condition(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        "conversation_busy",
        "Percakapan sedang ramai; kirim ulang pesan Anda",
    ))
}
