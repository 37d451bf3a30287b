//! Conversations between people — a buyer and a vendor about an order or a product
//! (orders context), a user and the helpdesk (licensing context) — and what every one
//! of them does the same way: members, messages newest page first with a cursor, an
//! unread count per conversation and in all, and one email to a recipient when a
//! message starts to wait unread (one per unread stretch: reading ends the stretch).
//! A context declares what its conversation is about and who its members are
//! ([`Thread`]) and checks who may open, read and write it; this module stores.
//!
//! Storage, in the conversation's partition `CHAT#<id>`: the context's conversation
//! item (`CHAT`), a member item per member (`MEMBER#<user>`: its unread count, and the
//! member's list of conversations on GSI1 `CHATS#<user>` by last activity) and the
//! messages (`MSG#<milliseconds>-<id>`, the message's id after `MSG#`). Each message is one transaction: the message, the
//! sender's and each recipient's member item (a recipient's unread count conditioned on
//! the count read, so concurrent messages count exactly) and each recipient's total
//! unread (`USER#<id>` / `CHATUNREAD`).

use crate::http::{query_param, Request};
use crate::mail::{EmailTemplate, OutboxEmail};
use crate::schema::{self, GSI1};
use crate::store::{from_item, get_n, key, n, s, to_item, Item, Query, Tx, TxError};
use crate::{cursor, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest message.
pub const MESSAGE_MAX: usize = 2000;
/// Messages (and conversations) per page.
const PAGE: i32 = 20;
/// Tries of a message racing others in the same conversation.
const SEND_ATTEMPTS: usize = 8;
/// The preview of the last message in the conversation list.
const PREVIEW: usize = 100;

/// A member of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// A conversation as this module needs it: its key, what it is about, its members.
#[derive(Debug, Clone)]
pub struct Thread {
    pub id: String,
    /// `order`, `product`, `helpdesk`.
    pub about: &'static str,
    pub subject_id: String,
    /// What the members see it as ("Pesanan …", a product's name, "Helpdesk …").
    pub subject_name: String,
    /// Each member, and the name it sees the conversation is with.
    pub members: Vec<(Party, String)>,
}

impl Thread {
    pub fn pk(&self) -> String {
        schema::chat(&self.id)
    }

    pub fn member(&self, user_id: &str) -> Option<&Party> {
        self.members
            .iter()
            .map(|(p, _)| p)
            .find(|p| p.id == user_id)
    }
}

/// A member's place in a conversation: its unread count and its list entry.
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
    about: String,
    subject_id: String,
    subject_name: String,
    /// Whom the member talks to.
    with: String,
    unread: i64,
    last_at: i64,
    #[serde(default)]
    last_text: String,
}

/// A file attached to a message (checked like every upload before it is offered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFile {
    pub file_name: String,
    pub content_type: String,
    /// Private S3 key.
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub id: String,
    pub sender_id: String,
    pub sender_name: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<MessageFile>,
    pub at: i64,
}

impl Message {
    pub fn view(&self, caller: &str) -> serde_json::Value {
        serde_json::json!({
            "id": self.id, "sender": self.sender_name, "mine": self.sender_id == caller,
            "text": self.text, "at": self.at,
            "attachment": self.attachment.as_ref().map(|a| serde_json::json!({
                "file_name": a.file_name, "content_type": a.content_type, "size": a.size,
                "uploaded": a.size.is_some() })),
        })
    }
}

fn member_view(m: &Member) -> serde_json::Value {
    serde_json::json!({
        "id": m.conversation_id, "about": m.about, "subject_id": m.subject_id,
        "subject_name": m.subject_name, "with": m.with, "unread": m.unread,
        "last_at": m.last_at, "last_text": m.last_text,
    })
}

fn member_item(t: &Thread, party: &Party, with: &str, now: i64) -> ApiResult<Item> {
    to_item(&Member {
        pk: t.pk(),
        sk: schema::chat_member_sk(&party.id),
        gsi1pk: schema::chats_of(&party.id),
        gsi1sk: format!("{now:012}#{}", t.id),
        conversation_id: t.id.clone(),
        about: t.about.into(),
        subject_id: t.subject_id.clone(),
        subject_name: t.subject_name.clone(),
        with: with.into(),
        unread: 0,
        last_at: now,
        last_text: String::new(),
    })
}

/// Adds to `tx` the conversation's item and a member item for each of its members.
pub fn open(tx: &mut Tx, app: &App, t: &Thread, conversation: Item) -> ApiResult<()> {
    let now = app.clock.epoch();
    tx.put_new(app.store.table(), conversation);
    for (party, with) in &t.members {
        tx.put_new(app.store.table(), member_item(t, party, with, now)?);
    }
    Ok(())
}

/// Adds to `tx` one more member of `t` (the helpdesk officer who takes a conversation).
pub fn join(tx: &mut Tx, app: &App, t: &Thread, party: &Party, with: &str) -> ApiResult<()> {
    tx.put_new(
        app.store.table(),
        member_item(t, party, with, app.clock.epoch())?,
    );
    Ok(())
}

/// `user`'s unread count in conversation `id`.
pub async fn unread_in(app: &App, id: &str, user: &str) -> ApiResult<i64> {
    Ok(app
        .store
        .get(&schema::chat(id), &schema::chat_member_sk(user))
        .await?
        .and_then(|m| get_n(&m, "unread"))
        .unwrap_or(0))
}

/// `user`'s unread messages in all conversations.
pub async fn unread_total(app: &App, user: &str) -> ApiResult<i64> {
    Ok(app
        .store
        .get(&schema::user(user), schema::CHAT_UNREAD_SK)
        .await?
        .and_then(|i| get_n(&i, "unread"))
        .unwrap_or(0)
        .max(0))
}

/// One page of `user`'s conversations (of `about`, or all), latest activity first,
/// each with its unread count, and the unread messages in all.
pub async fn list(
    app: &App,
    req: &Request,
    route: &str,
    user: &str,
    about: Option<&str>,
) -> ApiResult<serde_json::Value> {
    let mut q = Query::partition(schema::chats_of(user))
        .on_index(GSI1)
        .backwards()
        .limit(PAGE);
    if let Some(about) = about {
        q = q.filter(crate::store::Filter {
            expression: "about = :about".into(),
            names: Default::default(),
            values: [(":about".to_string(), s(about))].into(),
        });
    }
    let scope = cursor::Scope::of(route, user, req);
    let page = cursor::page(app, &q, &scope, query_param(req, "cursor").as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| from_item::<Member>(i).map(|m| member_view(&m)))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(serde_json::json!({
        "items": items, "cursor": page.cursor, "unread_total": unread_total(app, user).await?,
    }))
}

/// One page of conversation `id`'s messages, newest first. The first page is reading
/// it: `reader`'s unread count goes back to zero (when it is a member).
pub async fn messages(
    app: &App,
    req: &Request,
    route: &str,
    id: &str,
    reader: &str,
) -> ApiResult<(Vec<serde_json::Value>, Option<String>)> {
    let q = Query::partition(schema::chat(id))
        .sk_begins_with("SK", schema::CHAT_MSG_PREFIX)
        .backwards()
        .limit(PAGE);
    let scope = cursor::Scope::new(route, reader, id);
    let after = query_param(req, "cursor").filter(|c| !c.is_empty());
    let page = cursor::page(app, &q, &scope, after.as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| from_item::<Message>(i).map(|m| m.view(reader)))
        .collect::<ApiResult<Vec<_>>>()?;
    if after.is_none() {
        mark_read(app, id, reader).await?;
    }
    Ok((items, page.cursor))
}

/// `user`'s unread count in `id` back to zero, and off their total — conditioned on
/// the count read, so two readers at once subtract it once.
async fn mark_read(app: &App, id: &str, user: &str) -> ApiResult<()> {
    let pk = schema::chat(id);
    for _ in 0..3 {
        let Some(member) = app.store.get(&pk, &schema::chat_member_sk(user)).await? else {
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
            key(pk.clone(), schema::chat_member_sk(user)),
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
            key(schema::user(user), schema::CHAT_UNREAD_SK),
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

/// The message `text` (with `attachment`, if any) from `sender` in `t`: the message,
/// the conversation's order in every member's list and each other member's unread
/// count, in one transaction; a recipient is emailed when this message starts their
/// unread stretch. Returns the message.
pub async fn send(
    app: &App,
    t: &Thread,
    sender: &Party,
    text: String,
    attachment: Option<MessageFile>,
) -> ApiResult<Message> {
    let now = app.clock.epoch();
    let pk = t.pk();
    // Milliseconds first: messages sent one after the other keep their order, and the
    // id is the key (a message is read back with one GetItem).
    let id = format!(
        "{:015}-{}",
        app.clock.now().unix_timestamp_nanos() / 1_000_000,
        app.ids.id()
    );
    let message = Message {
        pk: pk.clone(),
        sk: format!("{}{id}", schema::CHAT_MSG_PREFIX),
        id,
        sender_id: sender.id.clone(),
        sender_name: sender.name.clone(),
        text: text.clone(),
        attachment,
        at: now,
    };
    let preview: String = if text.is_empty() {
        "(lampiran)".into()
    } else {
        text.chars().take(PREVIEW).collect()
    };
    let recipients: Vec<&Party> = t
        .members
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.id != sender.id)
        .collect();
    let table = app.store.table();
    // The first unread message of a stretch is emailed; the condition on the count
    // read keeps two messages at once from both (or neither) being the first. A lost
    // race reads again, after a short pause that grows.
    for attempt in 0..SEND_ATTEMPTS {
        if attempt > 0 {
            let pause = 10 * attempt as u64 + rand::random::<u64>() % 20;
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
        let mut tx = Tx::new();
        tx.put_new(table, to_item(&message)?);
        let last: Item = HashMap::from([
            (":at".to_string(), n(now)),
            (":sk".to_string(), s(format!("{now:012}#{}", t.id))),
            (":text".to_string(), s(&preview)),
        ]);
        tx.update(
            table,
            key(pk.clone(), schema::chat_member_sk(&sender.id)),
            "SET last_at = :at, GSI1SK = :sk, last_text = :text",
            Some("attribute_exists(PK)"),
            HashMap::new(),
            last.clone(),
        );
        for to in &recipients {
            let unread = unread_in(app, &t.id, &to.id).await?;
            let mut values = last.clone();
            values.insert(":one".into(), n(1));
            values.insert(":seen".into(), n(unread));
            tx.update(
                table,
                key(pk.clone(), schema::chat_member_sk(&to.id)),
                "SET last_at = :at, GSI1SK = :sk, last_text = :text ADD unread :one",
                Some("unread = :seen"),
                HashMap::new(),
                values,
            );
            tx.update(
                table,
                key(schema::user(&to.id), schema::CHAT_UNREAD_SK),
                "ADD unread :one",
                None,
                HashMap::new(),
                HashMap::from([(":one".to_string(), n(1))]),
            );
            if unread == 0 {
                let mail = OutboxEmail {
                    id: app.ids.id(),
                    to: to.email.clone(),
                    template: EmailTemplate::ChatMessage {
                        name: to.name.clone(),
                        from: sender.name.clone(),
                        subject: t.subject_name.clone(),
                        preview: preview.clone(),
                    },
                };
                tx.put_new(table, mail.to_item(&app.sealer, now)?);
            }
        }
        match app.store.transact(tx).await {
            Ok(()) => {
                tracing::info!(conversation = %t.id, "message sent");
                return Ok(message);
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

/// Message `message_id` of conversation `id`.
pub async fn message(app: &App, id: &str, message_id: &str) -> ApiResult<Option<Message>> {
    if message_id.is_empty() || message_id.len() > 60 {
        return Ok(None);
    }
    app.store
        .get_as(
            &schema::chat(id),
            &format!("{}{message_id}", schema::CHAT_MSG_PREFIX),
        )
        .await
}

/// Stores `m` again (its attachment checked).
pub async fn update_message(app: &App, m: &Message) -> ApiResult<()> {
    app.store.put_many(vec![to_item(m)?]).await
}
