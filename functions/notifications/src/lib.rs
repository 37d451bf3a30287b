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
use loket_shared::store::{item_from_stream_image, key, n, s, Item};
use loket_shared::{event_use_case, ApiResult, App};
use std::collections::HashMap;
use std::sync::Arc;

/// The event use cases of this context, by `LOKET_USE_CASE` name.
pub fn event_use_cases() -> Vec<EventUseCase> {
    vec![
        event_use_case!("send_outbox_email", send_outbox_email),
        event_use_case!("notify_task_assignees", tasks::notify_task_assignees),
        event_use_case!("remind_open_tasks", reminders::remind_open_tasks),
    ]
}

pub mod reminders;
pub mod tasks;

const LEASE_SECONDS: i64 = 120;

/// The new items of the `INSERT` records of a stream batch, with their sequence numbers
/// (the identifiers of partial batch failures).
pub(crate) fn inserted_items(event: &serde_json::Value) -> Vec<(String, Item)> {
    event["Records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["eventName"] == "INSERT")
        .filter_map(|r| {
            let seq = r["dynamodb"]["SequenceNumber"].as_str()?.to_string();
            Some((seq, item_from_stream_image(&r["dynamodb"]["NewImage"])?))
        })
        .collect()
}

/// Handles one batch of DynamoDB stream records.
pub async fn send_outbox_email(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    // The records of a batch are independent emails (each has its own claim), so they
    // are sent concurrently: a batch takes as long as its slowest email, not their sum.
    let mut sending = tokio::task::JoinSet::new();
    for (seq, image) in inserted_items(&event) {
        let app = app.clone();
        sending.spawn(async move { (seq, deliver(&app, &image).await) });
    }
    let mut failures = Vec::new();
    while let Some(done) = sending.join_next().await {
        match done {
            Ok((_, Ok(()))) => {}
            Ok((seq, Err(e))) => {
                tracing::error!(error = %e, sequence = %seq, "outbox email not sent, will retry");
                failures.push(serde_json::json!({ "itemIdentifier": seq }));
            }
            // A panicked delivery has lost its sequence number: fail the whole batch so
            // every record is retried (claims make the retry safe).
            Err(e) => {
                return Err(loket_shared::ApiError::internal(format!(
                    "outbox delivery task failed: {e}"
                )))
            }
        }
    }
    Ok(serde_json::json!({ "batchItemFailures": failures }))
}

async fn deliver(app: &App, image: &Item) -> ApiResult<()> {
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
    match app.mailer.send(&mail.to, &mail.template.render()).await {
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
