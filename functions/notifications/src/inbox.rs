//! The inbox (seed 004 §3.4): every notification Loket emails a person with an account
//! (status changes, revision notes, task notices, survey invitations, complaint
//! responses, messages) is also an item of their inbox. Both come from the same event —
//! the outbox record's stream `INSERT` — through two consumers: `send_outbox_email`
//! sends it, [`mirror_to_inbox`] files it; each is retried on its own, so neither is
//! lost when the other fails. What only proves an address or opens an account
//! (registration codes, activation and invitation links, reset PINs) is never filed:
//! it is a secret of the email, not a message.
//!
//! Storage: `INBOXMSG#<outbox id>` / `MSG` (its owner, subject, text, read), in the
//! owner's list on GSI1 `USERINBOX#<user>` sorted `0#…` (unread) before `1#…` (read),
//! each newest first — so one query pages unread first.

use loket_shared::auth::Caller;
use loket_shared::http::{authenticate, body, json, path_param, query_param, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::schema::{self, GSI1};
use loket_shared::store::{from_item, to_item, Item, Query, Tx, TxError};
use loket_shared::{cursor, streams, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InboxMessage {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub id: String,
    pub owner_id: String,
    /// The kind of notification (the email's template).
    pub kind: String,
    pub subject: String,
    pub text: String,
    pub read: bool,
    pub created_at: i64,
}

/// Whether a template's emails are filed in the inbox.
pub fn mirrored(template: &EmailTemplate) -> bool {
    !matches!(
        template,
        EmailTemplate::RegistrationCode { .. }
            | EmailTemplate::AccountActivation { .. }
            | EmailTemplate::OfficerInvitation { .. }
            | EmailTemplate::PasswordResetPin { .. }
    )
}

/// The list's sort key: unread (`0`) before read (`1`), newest first in each.
fn sort_key(read: bool, created_at: i64, id: &str) -> String {
    let newest_first = 9_999_999_999i64 - created_at.clamp(0, 9_999_999_999);
    format!("{}#{newest_first:010}#{id}", if read { 1 } else { 0 })
}

impl InboxMessage {
    fn marked(mut self, read: bool) -> Self {
        self.read = read;
        self.gsi1sk = sort_key(read, self.created_at, &self.id);
        self
    }

    fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id, "kind": self.kind, "subject": self.subject, "text": self.text,
            "read": self.read, "created_at": self.created_at,
        })
    }
}

/// Stream handler (outbox `INSERT`): files each mirrored email in its recipient's
/// inbox, once (the message's key is the email's).
pub async fn mirror_to_inbox(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    streams::for_each_inserted(app, event, "mirror_to_inbox", |app, image| async move {
        mirror(&app, &image).await
    })
    .await
}

async fn mirror(app: &App, image: &Item) -> ApiResult<()> {
    let mail = OutboxEmail::from_item(image, &app.sealer)?;
    if !mirrored(&mail.template) {
        return Ok(());
    }
    let Some(owner) = loket_identity::directory::id_by_email(app, &mail.to).await? else {
        return Ok(()); // an address without an account (e.g. a company's)
    };
    let rendered = mail.template.render();
    let created_at = loket_shared::store::get_n(image, "created_at").unwrap_or(app.clock.epoch());
    let message = InboxMessage {
        pk: schema::inbox_message(&mail.id),
        sk: schema::INBOX_MESSAGE_SK.into(),
        gsi1pk: schema::user_messages(&owner),
        gsi1sk: sort_key(false, created_at, &mail.id),
        id: mail.id.clone(),
        owner_id: owner,
        kind: mail.template.name().into(),
        subject: rendered.subject,
        text: rendered.text,
        read: false,
        created_at,
    };
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&message)?);
    match app.store.transact(tx).await {
        // Filed by an earlier delivery.
        Ok(()) | Err(TxError::Condition(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /inbox`: the caller's messages, unread first, newest first, 20 a page; with
/// the number unread.
pub async fn list_inbox(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let q = Query::partition(schema::user_messages(&caller.user_id))
        .on_index(GSI1)
        .limit(20);
    let scope = cursor::Scope::of("list_inbox", &caller.user_id, &req);
    let page = cursor::page(&app, &q, &scope, query_param(&req, "cursor").as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| from_item::<InboxMessage>(i).map(|m| m.view()))
        .collect::<ApiResult<Vec<_>>>()?;
    json(
        200,
        &serde_json::json!({
            "items": items, "cursor": page.cursor, "unread": unread(&app, &caller.user_id).await?,
        }),
    )
}

/// How many of `user`'s messages are unread (the dashboard shows it too).
pub async fn unread(app: &App, user: &str) -> ApiResult<usize> {
    let q = Query::partition(schema::user_messages(user))
        .on_index(GSI1)
        .sk_begins_with(GSI1.sk, "0#");
    Ok(app.store.query_all(&q).await?.len())
}

async fn own(app: &App, caller: &Caller, id: &str) -> ApiResult<InboxMessage> {
    let not_found = || ApiError::not_found("message_not_found", "Pesan tidak ditemukan");
    if id.is_empty() || id.len() > 64 {
        return Err(not_found());
    }
    let m: InboxMessage = app
        .store
        .get_as(&schema::inbox_message(id), schema::INBOX_MESSAGE_SK)
        .await?
        .ok_or_else(not_found)?;
    if m.owner_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    Ok(m)
}

/// `GET /inbox/{id}`: one message of the caller (opening it does not mark it read).
pub async fn get_inbox_message(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let m = own(&app, &caller, &path_param(&req, "id")?).await?;
    json(200, &m.view())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Mark {
    read: Option<bool>,
}

/// `PUT /inbox/{id}/read` `{ "read": true|false }`: marks a message read or unread.
pub async fn mark_inbox_message(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let m = own(&app, &caller, &path_param(&req, "id")?).await?;
    let input: Mark = body(&req)?;
    let read = input.read.ok_or_else(|| {
        ApiError::invalid(
            "field_required",
            "Isian read wajib diisi (true atau false)",
            "read",
        )
    })?;
    let m = m.marked(read);
    app.store.put_many(vec![to_item(&m)?]).await?;
    json(200, &m.view())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unread_sorts_before_read_and_newer_before_older() {
        let mut keys = [
            sort_key(true, 300, "c"),
            sort_key(false, 100, "a"),
            sort_key(false, 200, "b"),
            sort_key(true, 400, "d"),
        ];
        keys.sort();
        let order: Vec<&str> = keys.iter().map(|k| k.rsplit('#').next().unwrap()).collect();
        assert_eq!(order, ["b", "a", "d", "c"]);
    }

    #[test]
    fn secrets_of_an_email_are_never_filed() {
        assert!(!mirrored(&EmailTemplate::RegistrationCode {
            code: "123456".into(),
            minutes: 10
        }));
        assert!(mirrored(&EmailTemplate::ApplicationStatus {
            name: "Siti".into(),
            resi: "6F632D".into(),
            permit: "SIPA".into(),
            status: "Revisi".into(),
            note: None,
        }));
    }
}
