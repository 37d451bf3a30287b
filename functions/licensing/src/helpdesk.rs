//! Chat with the helpdesk (seed 004 §3.5; issue 14 §5): a signed-in person (an
//! applicant, a vendor, a buyer) opens a conversation with the helpdesk of the
//! one-stop office (`LOKET_COMPLAINTS_ORG`) with a first message; it waits in the
//! helpdesk's queue — unassigned first, then taken, then closed — until an officer
//! takes it (and joins it as its second member), answers, and closes it. Messages carry
//! text and an attachment (image or PDF ≤ 10 MB, through the checked upload). Members,
//! message pages, unread counts and the one email per unread stretch are the shared
//! mechanism (`loket_shared::conversations`), as for the buyers' and vendors' chat.
//! Outside the helpdesk's hours (08.00–16.00 WITA on working days of the holiday
//! calendar) the person is told when an answer can be expected ([`answer_expected`]).
//!
//! Storage: the conversation `CHAT#h-<id>` / `CHAT` (the person, the organisation, the
//! officer once taken, the status), in its organisation's queue on GSI2
//! `HELPDESKQ#<org>` sorted `0#` (unassigned), `1#` (taken), `2#` (closed), each oldest
//! first.

use loket_reference::holidays;
use loket_shared::auth::{Caller, Role};
use loket_shared::conversations::{self, MessageFile, Party, Thread, MESSAGE_MAX};
use loket_shared::files::{self, UploadKind};
use loket_shared::http::{authenticate, body, json, optional, path_param, Request, Response};
use loket_shared::rules::workdays::is_working_day;
use loket_shared::schema::{self, GSI2};
use loket_shared::store::{from_item, to_item, Query, Tx, TxError};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use time::{Date, OffsetDateTime, UtcOffset};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpdeskStatus {
    Waiting,
    Taken,
    Closed,
}

impl HelpdeskStatus {
    fn label(self) -> &'static str {
        match self {
            HelpdeskStatus::Waiting => "Menunggu Petugas",
            HelpdeskStatus::Taken => "Ditangani",
            HelpdeskStatus::Closed => "Selesai",
        }
    }

    fn rank(self) -> u8 {
        match self {
            HelpdeskStatus::Waiting => 0,
            HelpdeskStatus::Taken => 1,
            HelpdeskStatus::Closed => 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpdeskConversation {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI2PK")]
    pub gsi2pk: String,
    #[serde(rename = "GSI2SK")]
    pub gsi2sk: String,
    pub id: String,
    pub person: Party,
    pub org: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<Party>,
    pub status: HelpdeskStatus,
    pub created_at: i64,
    pub version: i64,
}

/// What a message's attachment may be.
pub const MESSAGE_UPLOAD: UploadKind = UploadKind {
    types: &["application/pdf", "image/jpeg", "image/png", "image/gif"],
    max_bytes: 10 * 1024 * 1024,
    type_invalid: (
        "document_type_invalid",
        "Lampiran harus berupa gambar (JPG, PNG, GIF) atau PDF",
    ),
    size_invalid: "Ukuran lampiran harus antara 1 byte dan 10 MB",
};

impl HelpdeskConversation {
    fn subject_name(&self) -> String {
        format!("Helpdesk {}", self.org)
    }

    fn thread(&self) -> Thread {
        let mut members = vec![(self.person.clone(), self.subject_name())];
        if let Some(o) = &self.officer {
            members.push((o.clone(), self.person.name.clone()));
        }
        Thread {
            id: self.id.clone(),
            about: "helpdesk",
            subject_id: self.org.clone(),
            subject_name: self.subject_name(),
            members,
        }
    }

    fn queued(mut self) -> Self {
        self.gsi2sk = format!("{}#{:012}#{}", self.status.rank(), self.created_at, self.id);
        self
    }

    fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id, "org": self.org, "person": self.person.name,
            "officer": self.officer.as_ref().map(|o| o.name.clone()),
            "status": self.status.label(), "status_code": self.status,
            "created_at": self.created_at,
        })
    }

    fn is_helpdesk(&self, caller: &Caller) -> bool {
        caller.require_role_in(Role::Helpdesk, &self.org).is_ok()
    }
}

/// When an answer can be expected for a message sent at `now`: `None` within the
/// helpdesk's hours (08.00–16.00 WITA on a working day), else the next opening.
pub fn answer_expected(now: OffsetDateTime, holidays: &BTreeSet<Date>) -> Option<String> {
    let wita = now.to_offset(UtcOffset::from_hms(8, 0, 0).expect("valid offset"));
    let (day, hour) = (wita.date(), wita.hour());
    if is_working_day(day, holidays) && (8..16).contains(&hour) {
        return None;
    }
    let mut next = if is_working_day(day, holidays) && hour < 8 {
        day
    } else {
        day + time::Duration::days(1)
    };
    while !is_working_day(next, holidays) {
        next += time::Duration::days(1);
    }
    const DAYS: [&str; 7] = [
        "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
    ];
    Some(format!(
        "Pesan Anda diterima di luar jam layanan helpdesk (08.00–16.00 WITA pada hari kerja). Petugas akan menjawab mulai {}, {:02}-{:02}-{} pukul 08.00 WITA.",
        DAYS[next.weekday().number_days_from_monday() as usize],
        next.day(),
        u8::from(next.month()),
        next.year()
    ))
}

async fn notice(app: &App) -> ApiResult<Option<String>> {
    let now = app.clock.now();
    let year = now.year();
    let holidays = holidays::load(&app.store, &[year, year + 1]).await?;
    Ok(answer_expected(now, &holidays))
}

fn not_found() -> ApiError {
    ApiError::not_found("conversation_not_found", "Percakapan tidak ditemukan")
}

async fn load(app: &App, id: &str) -> ApiResult<HelpdeskConversation> {
    if !id.starts_with("h-") || id.len() > 60 {
        return Err(not_found());
    }
    app.store
        .get_as(&schema::chat(id), schema::CHAT_SK)
        .await?
        .ok_or_else(not_found)
}

/// The conversation for `caller`: its person, or a helpdesk officer of its
/// organisation (anyone else: 403).
async fn readable(app: &App, caller: &Caller, id: &str) -> ApiResult<HelpdeskConversation> {
    let c = load(app, id).await?;
    if c.person.id == caller.user_id || c.is_helpdesk(caller) {
        Ok(c)
    } else {
        Err(ApiError::forbidden())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MessageInput {
    text: Option<String>,
    /// `{ file_name, content_type }` of a file to attach (then upload and confirm).
    attachment: Option<AttachmentInput>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AttachmentInput {
    file_name: Option<String>,
    content_type: Option<String>,
}

/// The text and attachment of a message (one of them at least).
fn read_message(
    input: &MessageInput,
    conversation: &str,
) -> ApiResult<(String, Option<MessageFile>)> {
    let text = optional(&input.text, "text", "Pesan", MESSAGE_MAX)?.unwrap_or_default();
    let attachment = match &input.attachment {
        Some(a) => {
            let file_name =
                loket_shared::http::required(&a.file_name, "file_name", "Nama lampiran", 120)?;
            let content_type = MESSAGE_UPLOAD.content_type(&a.content_type)?;
            Some(MessageFile {
                key: format!("helpdesk/{conversation}/{}", rand::random::<u64>()),
                file_name,
                content_type,
                size: None,
            })
        }
        None => None,
    };
    if text.is_empty() && attachment.is_none() {
        return Err(ApiError::invalid(
            "field_required",
            "Tulis pesan atau lampirkan berkas",
            "text",
        ));
    }
    Ok((text, attachment))
}

/// The answer to a message: the message, its attachment's upload, the hours notice.
async fn sent(
    app: &App,
    caller: &str,
    m: &conversations::Message,
    notice: Option<String>,
) -> ApiResult<serde_json::Value> {
    let upload = match &m.attachment {
        Some(a) => Some(MESSAGE_UPLOAD.presign(app, &a.key, &a.content_type).await?),
        None => None,
    };
    Ok(serde_json::json!({ "message": m.view(caller), "upload": upload, "notice": notice }))
}

/// `POST /helpdesk/conversations` (`text`, optional `attachment`): a new conversation
/// with the helpdesk and its first message.
pub async fn open_helpdesk_conversation(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant, Role::Vendor, Role::Buyer])?;
    let input: MessageInput = body(&req)?;
    let id = format!("h-{}", app.ids.id());
    let (text, attachment) = read_message(&input, &id)?;
    let person = loket_identity::directory::person(&app, &caller.user_id)
        .await?
        .ok_or_else(ApiError::forbidden)?;
    let c = HelpdeskConversation {
        pk: schema::chat(&id),
        sk: schema::CHAT_SK.into(),
        gsi2pk: schema::helpdesk_queue(&app.cfg.licensing.complaints_org),
        gsi2sk: String::new(),
        id,
        person: Party {
            id: person.id,
            name: person.name,
            email: person.email,
        },
        org: app.cfg.licensing.complaints_org.clone(),
        officer: None,
        status: HelpdeskStatus::Waiting,
        created_at: app.clock.epoch(),
        version: 1,
    }
    .queued();
    let mut tx = Tx::new();
    conversations::open(&mut tx, &app, &c.thread(), to_item(&c)?)?;
    app.store.transact(tx).await?;
    let m = conversations::send(&app, &c.thread(), &c.person, text, attachment).await?;
    let mut answer = sent(&app, &caller.user_id, &m, notice(&app).await?).await?;
    answer["conversation"] = c.view();
    tracing::info!(conversation = %c.id, "helpdesk conversation opened");
    json(201, &answer)
}

/// `GET /helpdesk/conversations`: the caller's conversations with the helpdesk, latest
/// activity first, with unread counts.
pub async fn list_helpdesk_conversations(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let page = conversations::list(
        &app,
        &req,
        "list_helpdesk_conversations",
        &caller.user_id,
        Some("helpdesk"),
    )
    .await?;
    json(200, &page)
}

/// `GET /helpdesk/queue` (a helpdesk officer): its organisation's conversations,
/// unassigned first, then taken, then closed; oldest first in each.
pub async fn helpdesk_queue(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Helpdesk])?;
    let org = caller.org.clone().ok_or_else(ApiError::forbidden)?;
    let q = Query::partition(schema::helpdesk_queue(&org))
        .on_index(GSI2)
        .limit(50);
    let scope = loket_shared::cursor::Scope::of("helpdesk_queue", &caller.user_id, &req);
    let after = loket_shared::http::query_param(&req, "cursor");
    let page = loket_shared::cursor::page(&app, &q, &scope, after.as_deref()).await?;
    let items = page
        .items
        .into_iter()
        .map(|i| from_item::<HelpdeskConversation>(i).map(|c| c.view()))
        .collect::<ApiResult<Vec<_>>>()?;
    json(
        200,
        &serde_json::json!({ "items": items, "cursor": page.cursor }),
    )
}

/// Writes `next` on the version `c` was read at (and `tx`'s other writes).
async fn save(
    app: &App,
    c: &HelpdeskConversation,
    next: HelpdeskConversation,
    mut tx: Tx,
) -> ApiResult<HelpdeskConversation> {
    let mut next = next.queued();
    next.version = c.version + 1;
    tx.put_versioned(app.store.table(), to_item(&next)?, c.version);
    match app.store.transact(tx).await {
        Ok(()) => Ok(next),
        Err(TxError::Condition(_)) => Err(ApiError::conflict(
            "conversation_taken",
            "Percakapan ini baru saja diambil atau diubah petugas lain",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /helpdesk/conversations/{id}/take` (a helpdesk officer of its organisation):
/// the officer takes an unassigned conversation and joins it; one wins.
pub async fn take_helpdesk_conversation(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = load(&app, &path_param(&req, "id")?).await?;
    if !c.is_helpdesk(&caller) {
        return Err(ApiError::forbidden());
    }
    if c.status != HelpdeskStatus::Waiting {
        return Err(ApiError::conflict(
            "conversation_taken",
            "Percakapan ini sudah ditangani petugas lain",
        ));
    }
    let officer = loket_identity::directory::person(&app, &caller.user_id)
        .await?
        .ok_or_else(ApiError::forbidden)?;
    let officer = Party {
        id: officer.id,
        name: officer.name,
        email: officer.email,
    };
    let mut next = c.clone();
    next.officer = Some(officer.clone());
    next.status = HelpdeskStatus::Taken;
    let mut tx = Tx::new();
    conversations::join(&mut tx, &app, &next.thread(), &officer, &c.person.name)?;
    let next = save(&app, &c, next, tx).await?;
    json(200, &next.view())
}

/// `POST /helpdesk/conversations/{id}/close` (its officer, or its person).
pub async fn close_helpdesk_conversation(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = load(&app, &path_param(&req, "id")?).await?;
    let officer = c.officer.as_ref().is_some_and(|o| o.id == caller.user_id);
    if !officer && c.person.id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    if c.status == HelpdeskStatus::Closed {
        return json(200, &c.view());
    }
    let mut next = c.clone();
    next.status = HelpdeskStatus::Closed;
    let next = save(&app, &c, next, Tx::new()).await?;
    json(200, &next.view())
}

/// `GET /helpdesk/conversations/{id}/messages`: newest first; reading it zeroes the
/// reader's unread count.
pub async fn list_helpdesk_messages(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = readable(&app, &caller, &path_param(&req, "id")?).await?;
    let (items, cursor) =
        conversations::messages(&app, &req, "list_helpdesk_messages", &c.id, &caller.user_id)
            .await?;
    json(
        200,
        &serde_json::json!({ "conversation": c.view(), "items": items, "cursor": cursor }),
    )
}

/// `POST /helpdesk/conversations/{id}/messages`: its person, or the officer who took
/// it, writes (a closed conversation: 409).
pub async fn send_helpdesk_message(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = readable(&app, &caller, &path_param(&req, "id")?).await?;
    let t = c.thread();
    let sender = t.member(&caller.user_id).cloned().ok_or_else(|| {
        ApiError::conflict(
            "conversation_not_taken",
            "Ambil percakapan ini terlebih dahulu sebelum menjawab",
        )
    })?;
    if c.status == HelpdeskStatus::Closed {
        return Err(ApiError::conflict(
            "conversation_closed",
            "Percakapan ini sudah selesai; mulai percakapan baru",
        ));
    }
    let input: MessageInput = body(&req)?;
    let (text, attachment) = read_message(&input, &c.id)?;
    let m = conversations::send(&app, &t, &sender, text, attachment).await?;
    let notice = if sender.id == c.person.id {
        notice(&app).await?
    } else {
        None
    };
    json(201, &sent(&app, &caller.user_id, &m, notice).await?)
}

/// `POST /helpdesk/conversations/{id}/messages/{message_id}/attachment/confirm`: the
/// sender's uploaded attachment is checked (a refused file is deleted).
pub async fn confirm_message_attachment(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = readable(&app, &caller, &path_param(&req, "id")?).await?;
    let mut m = conversations::message(&app, &c.id, &path_param(&req, "message_id")?)
        .await?
        .ok_or_else(|| ApiError::not_found("message_not_found", "Pesan tidak ditemukan"))?;
    if m.sender_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    let Some(a) = m.attachment.clone() else {
        return Err(ApiError::not_found(
            "attachment_not_found",
            "Pesan ini tanpa lampiran",
        ));
    };
    if a.size.is_none() {
        match MESSAGE_UPLOAD
            .check_linked(&app, &a.key, &a.content_type)
            .await?
        {
            files::Checked::Size(size) => {
                m.attachment = Some(MessageFile {
                    size: Some(size),
                    ..a
                })
            }
            files::Checked::Refused(e) => {
                m.attachment = None;
                conversations::update_message(&app, &m).await?;
                return Err(e);
            }
        }
        conversations::update_message(&app, &m).await?;
    }
    json(200, &m.view(&caller.user_id))
}

/// `GET /helpdesk/conversations/{id}/messages/{message_id}/attachment`: a short-lived
/// link, for the conversation's members and its helpdesk.
pub async fn download_message_attachment(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = readable(&app, &caller, &path_param(&req, "id")?).await?;
    let m = conversations::message(&app, &c.id, &path_param(&req, "message_id")?)
        .await?
        .ok_or_else(|| ApiError::not_found("message_not_found", "Pesan tidak ditemukan"))?;
    let a = m
        .attachment
        .filter(|a| a.size.is_some())
        .ok_or_else(|| ApiError::not_found("attachment_not_found", "Pesan ini tanpa lampiran"))?;
    let url = files::presigned_get(&app, &a.key, 300).await?;
    json(
        200,
        &serde_json::json!({ "url": url, "expires_in": 300, "file_name": a.file_name }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn outside_the_helpdesks_hours_the_next_opening_is_announced() {
        let holidays = BTreeSet::from([time::macros::date!(2026 - 12 - 25)]);
        // Thursday 3 Dec 2026, 10.00 WITA: within the hours.
        assert_eq!(
            answer_expected(datetime!(2026-12-03 02:00 UTC), &holidays),
            None
        );
        // 17.00 WITA: tomorrow, Friday.
        let evening = answer_expected(datetime!(2026-12-03 09:00 UTC), &holidays).unwrap();
        assert!(evening.contains("Jumat, 04-12-2026"), "{evening}");
        // Friday 18.00 WITA: Monday.
        let friday = answer_expected(datetime!(2026-12-04 10:00 UTC), &holidays).unwrap();
        assert!(friday.contains("Senin, 07-12-2026"), "{friday}");
        // Thursday 24 Dec, 07.00 WITA, before a holiday: that morning still.
        let early = answer_expected(datetime!(2026-12-23 23:00 UTC), &holidays).unwrap();
        assert!(early.contains("Kamis, 24-12-2026"), "{early}");
        // Thursday 24 Dec evening: Friday is Christmas, so Monday 28.
        let christmas = answer_expected(datetime!(2026-12-24 12:00 UTC), &holidays).unwrap();
        assert!(christmas.contains("Senin, 28-12-2026"), "{christmas}");
    }
}
