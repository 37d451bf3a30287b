//! Notifications: the side effects of state changes, driven from the table's stream,
//! and the inbox that mirrors them (`inbox`).
//!
//! `send_outbox_email` receives the `INSERT` records of outbox items (the stream's
//! filter passes only `PK` beginning with `OUTBOX#`), opens the sealed parameters,
//! renders the Indonesian template and sends it through SES. Delivery is at least once
//! from the stream; a claim (`pending` → `sending` with a lease) keeps one email from
//! being sent twice by concurrent or retried deliveries. Failed records are reported as
//! partial batch failures so only they are retried.
//!
//! The stream is not the only trigger: `sweep_outbox` (every minute) retries the emails
//! still pending a minute after they were queued — a lost stream record, a delivery
//! whose retries ran out, a crashed sender whose lease expired — through the same
//! claim, so a retry never sends an email twice. Pending emails are on a sparse index
//! (GSI1 `OUTBOX#PENDING`, by time) that a sent email leaves.

use loket_shared::http::UseCase;
use loket_shared::lambda::EventUseCase;
use loket_shared::mail::OutboxEmail;
use loket_shared::needs::Need::*;
use loket_shared::schema;
use loket_shared::store::{key, n, s, Item, Query};
use loket_shared::streams;
use loket_shared::{event_use_case, use_case, ApiResult, App};
use std::collections::HashMap;
use std::sync::Arc;

/// The event use cases of this context, by `LOKET_USE_CASE` name.
pub fn event_use_cases() -> Vec<EventUseCase> {
    vec![
        event_use_case!(
            "send_outbox_email",
            send_outbox_email,
            needs: [
                Table(&["dynamodb:UpdateItem"]),
                Mail(&["ses:SendEmail"]),
            ]
        ),
        event_use_case!(
            "sweep_outbox",
            sweep_outbox,
            needs: [
                Table(&["dynamodb:UpdateItem"]),
                Indexes(&["dynamodb:Query"]),
                Mail(&["ses:SendEmail"]),
            ]
        ),
        event_use_case!(
            "mirror_to_inbox",
            inbox::mirror_to_inbox,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        event_use_case!(
            "notify_task_assignees",
            tasks::notify_task_assignees,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
    ]
}

pub mod inbox;
pub mod tasks;

/// The HTTP use cases of this context: the signed-in person's inbox.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "list_inbox",
            GET "/inbox",
            inbox::list_inbox,
            needs: [Table(&["dynamodb:GetItem"]), Indexes(&["dynamodb:Query"])]
        ),
        use_case!(
            "get_inbox_message",
            GET "/inbox/{id}",
            inbox::get_inbox_message,
            needs: [Table(&["dynamodb:GetItem"])]
        ),
        use_case!(
            "mark_inbox_message",
            PUT "/inbox/{id}/read",
            inbox::mark_inbox_message,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
    ]
}

const LEASE_SECONDS: i64 = 120;

/// Handles one batch of DynamoDB stream records: the records of a batch are
/// independent emails (each has its own claim), so they are sent concurrently.
pub async fn send_outbox_email(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    streams::for_each_inserted(app, event, "send_outbox_email", |app, image| async move {
        deliver(&app, &image).await
    })
    .await
}

/// Emails queued this long ago and still not sent are retried by the sweeper.
const SWEEP_AFTER_SECONDS: i64 = 60;

/// `sweep_outbox` (scheduled every minute): retries the outbox emails still pending
/// [`SWEEP_AFTER_SECONDS`] after they were queued, oldest first, at most 100 a run (the
/// next run continues), each through the same claim as the stream's delivery. "Now" is
/// the schedule's `time` (EventBridge's), else the clock.
pub async fn sweep_outbox(app: Arc<App>, event: serde_json::Value) -> ApiResult<serde_json::Value> {
    let now = event["time"]
        .as_str()
        .and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        })
        .map_or_else(|| app.clock.epoch(), |t| t.unix_timestamp());
    let page = app
        .store
        .query_from(
            &Query::partition(schema::PENDING_OUTBOX)
                .on_index(schema::GSI1)
                .sk_before(
                    "GSI1SK",
                    schema::pending_since(now - SWEEP_AFTER_SECONDS, ""),
                )
                .limit(100),
            None,
        )
        .await?;
    let found = page.items.len();
    let results =
        futures::future::join_all(page.items.iter().map(|item| deliver(&app, item))).await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        tracing::warn!(error = %e, "outbox email retry failed; the next sweep tries again");
    }
    if found > 0 {
        tracing::info!(found, failed, "outbox swept");
    }
    Ok(serde_json::json!({ "found": found, "failed": failed }))
}

async fn deliver(app: &App, image: &Item) -> ApiResult<()> {
    let mailer = app.mailer()?;
    let mail = OutboxEmail::from_item(image, &app.sealer)?;
    let pk = format!("{}{}", loket_shared::mail::OUTBOX_PREFIX, mail.id);
    let k = key(&pk, loket_shared::mail::OUTBOX_SK);
    let now = app.clock.epoch();
    let claimed = app
        .store
        .update_if(
            k.clone(),
            "SET #st = :sending, lease_until = :lease",
            "#st = :pending OR (#st = :sending AND lease_until < :now)",
            HashMap::from([("#st".to_string(), "status".to_string())]),
            HashMap::from([
                (":sending".to_string(), s("sending")),
                (":pending".to_string(), s("pending")),
                (":lease".to_string(), n(now + LEASE_SECONDS)),
                (":now".to_string(), n(now)),
            ]),
        )
        .await?;
    if claimed.is_none() {
        return Ok(()); // already sent, or being sent by another delivery
    }
    match mailer.send(&mail.to, &mail.template.render()).await {
        Ok(message_id) => {
            app.store
                .update(
                    k,
                    "SET #st = :sent, sent_at = :now, message_id = :mid REMOVE GSI1PK, GSI1SK",
                    HashMap::from([("#st".to_string(), "status".to_string())]),
                    HashMap::from([
                        (":sent".to_string(), s("sent")),
                        (":now".to_string(), n(now)),
                        (":mid".to_string(), s(message_id)),
                    ]),
                )
                .await?;
            tracing::info!(outbox_id = %mail.id, template = mail.template.name(), "email sent");
            Ok(())
        }
        Err(e) => {
            app.store
                .update(
                    k,
                    "SET #st = :pending",
                    HashMap::from([("#st".to_string(), "status".to_string())]),
                    HashMap::from([(":pending".to_string(), s("pending"))]),
                )
                .await?;
            Err(e)
        }
    }
}
