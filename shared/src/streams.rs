//! DynamoDB stream batches, as the event functions receive them: the typed records of
//! `aws_lambda_events`, and the partial batch failures Lambda retries.

use crate::error::{ApiError, ApiResult};
use crate::store::Item;
use aws_lambda_events::event::dynamodb::Event;
use std::future::Future;
use std::sync::Arc;

/// The new items of the `INSERT` records of a stream batch, with their sequence numbers
/// (the identifiers of partial batch failures). A batch that is not a DynamoDB stream
/// event is an error (the whole batch is retried, then reported by Lambda).
pub fn inserted_items(event: serde_json::Value) -> ApiResult<Vec<(String, Item)>> {
    new_images(event, &["INSERT"])
}

/// The new items of the records of `kinds` (`INSERT`, `MODIFY`) of a stream batch.
pub fn new_images(event: serde_json::Value, kinds: &[&str]) -> ApiResult<Vec<(String, Item)>> {
    let event: Event = serde_json::from_value(event)
        .map_err(|e| ApiError::internal(format!("not a DynamoDB stream event: {e}")))?;
    Ok(event
        .records
        .into_iter()
        .filter(|r| kinds.contains(&r.event_name.as_str()))
        .filter_map(|r| {
            let seq = r.change.sequence_number?;
            Some((seq, r.change.new_image.into()))
        })
        .collect())
}

/// Handles every inserted item of `event` with `handle`, concurrently (the records of a
/// batch are independent), and answers the partial batch failures: the records whose
/// handling failed, so that only they are retried. Handlers must be idempotent
/// (delivery is at least once).
pub async fn for_each_inserted<F, Fut>(
    app: Arc<crate::App>,
    event: serde_json::Value,
    use_case: &'static str,
    handle: F,
) -> ApiResult<serde_json::Value>
where
    F: Fn(Arc<crate::App>, Item) -> Fut,
    Fut: Future<Output = ApiResult<()>> + Send + 'static,
{
    for_each(app, inserted_items(event)?, use_case, handle).await
}

/// As [`for_each_inserted`], for the new image of every inserted or modified item.
pub async fn for_each_written<F, Fut>(
    app: Arc<crate::App>,
    event: serde_json::Value,
    use_case: &'static str,
    handle: F,
) -> ApiResult<serde_json::Value>
where
    F: Fn(Arc<crate::App>, Item) -> Fut,
    Fut: Future<Output = ApiResult<()>> + Send + 'static,
{
    for_each(
        app,
        new_images(event, &["INSERT", "MODIFY"])?,
        use_case,
        handle,
    )
    .await
}

async fn for_each<F, Fut>(
    app: Arc<crate::App>,
    items: Vec<(String, Item)>,
    use_case: &'static str,
    handle: F,
) -> ApiResult<serde_json::Value>
where
    F: Fn(Arc<crate::App>, Item) -> Fut,
    Fut: Future<Output = ApiResult<()>> + Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    for (seq, item) in items {
        let handling = handle(app.clone(), item);
        running.spawn(async move { (seq, handling.await) });
    }
    let mut failures = Vec::new();
    while let Some(done) = running.join_next().await {
        match done {
            Ok((_, Ok(()))) => {}
            Ok((seq, Err(e))) => {
                tracing::error!(use_case, error = %e, sequence = %seq, "stream record failed, will retry");
                failures.push(serde_json::json!({ "itemIdentifier": seq }));
            }
            // A panicked handler has lost its sequence number: fail the whole batch so
            // every record is retried (handlers are idempotent).
            Err(e) => {
                return Err(ApiError::internal(format!(
                    "{use_case}: a record's handler failed: {e}"
                )))
            }
        }
    }
    Ok(serde_json::json!({ "batchItemFailures": failures }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::get_s;

    #[test]
    fn reads_the_new_images_of_inserts_only() {
        let record = |name: &str, seq: &str, pk: &str| {
            serde_json::json!({
                "eventID": seq, "eventName": name, "awsRegion": "us-east-1",
                "dynamodb": {
                    "SequenceNumber": seq, "SizeBytes": 10,
                    "Keys": {"PK": {"S": pk}, "SK": {"S": "X"}},
                    "NewImage": {"PK": {"S": pk}, "SK": {"S": "X"}, "n": {"N": "3"},
                                 "m": {"M": {"l": {"L": [{"S": "a"}]}}}}
                }
            })
        };
        let event = serde_json::json!({ "Records": [
            record("INSERT", "1", "OUTBOX#a"),
            record("MODIFY", "2", "OUTBOX#b"),
            record("INSERT", "3", "TASK#c"),
        ]});
        let items = inserted_items(event).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].0, "1");
        assert_eq!(get_s(&items[0].1, "PK"), Some("OUTBOX#a"));
        assert_eq!(crate::store::get_n(&items[0].1, "n"), Some(3));
        assert_eq!(get_s(&items[1].1, "PK"), Some("TASK#c"));
        assert!(inserted_items(serde_json::json!({"Records": "x"})).is_err());
    }
}
