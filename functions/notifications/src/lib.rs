//! Notifications: the side effects of state changes, driven from the table's stream.
//!
//! `send_outbox_email` receives the `INSERT` records of outbox items (the stream's
//! filter passes only `PK` beginning with `OUTBOX#`), opens the sealed parameters,
//! renders the Indonesian template and sends it through SES. Delivery is at least once
//! from the stream; a claim (`pending` → `sending` with a lease) keeps one email from
//! being sent twice by concurrent or retried deliveries. Failed records are reported as
//! partial batch failures so only they are retried.

use loket_shared::lambda::EventUseCase;
use loket_shared::mail::OutboxEmail;
use loket_shared::needs::Need::*;
use loket_shared::store::{key, n, s, Item};
use loket_shared::streams;
use loket_shared::{event_use_case, ApiResult, App};
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
            "notify_task_assignees",
            tasks::notify_task_assignees,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        event_use_case!(
            "remind_open_tasks",
            reminders::remind_open_tasks,
            needs: [
                Table(&[
                    "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
                    "dynamodb:GetItem",
                ]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
    ]
}

pub mod reminders;
pub mod tasks;

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
                    "SET #st = :sent, sent_at = :now, message_id = :mid",
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
