//! Delivers the table's stream to the event functions, as Lambda's event source mapping
//! does: the same filter patterns, batches, and retry of the records a handler reports
//! in `batchItemFailures`. moto serves DynamoDB Streams over its JSON protocol.

use crate::template::StreamSource;
use loket_shared::lambda::EventHandler;
use loket_shared::App;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub struct StreamClient {
    http: reqwest::Client,
    endpoint: String,
    region: String,
}

impl StreamClient {
    pub fn new(endpoint: &str, region: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            region: region.to_string(),
        }
    }

    async fn call(&self, target: &str, body: Value) -> Result<Value, String> {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=test/20240101/{}/dynamodb/aws4_request, SignedHeaders=host, Signature=local",
            self.region
        );
        let resp = self
            .http
            .post(&self.endpoint)
            .header("X-Amz-Target", format!("DynamoDBStreams_20120810.{target}"))
            .header("Content-Type", "application/x-amz-json-1.0")
            .header("Authorization", auth)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!(
                "{target}: {status} {}",
                &text[..text.len().min(300)]
            ));
        }
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }

    /// Every shard of a stream, positioned after its newest record (like `LATEST`).
    pub async fn positions(&self, stream_arn: &str) -> Result<Vec<Position>, String> {
        let desc = self
            .call("DescribeStream", json!({ "StreamArn": stream_arn }))
            .await?;
        let mut out = Vec::new();
        for shard in desc["StreamDescription"]["Shards"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let mut pos = Position {
                stream_arn: stream_arn.to_string(),
                shard_id: shard["ShardId"].as_str().unwrap_or_default().to_string(),
                last_sequence: None,
            };
            // Skip what is already there: only changes from now on are delivered.
            while !self.next_records(&mut pos).await?.is_empty() {}
            out.push(pos);
        }
        Ok(out)
    }

    /// The records after `pos`, advancing it. A fresh iterator is asked every time:
    /// moto binds an iterator to the shard object, which a failed transaction replaces.
    pub async fn next_records(&self, pos: &mut Position) -> Result<Vec<Value>, String> {
        let mut req = json!({ "StreamArn": pos.stream_arn, "ShardId": pos.shard_id });
        match &pos.last_sequence {
            Some(seq) => {
                req["ShardIteratorType"] = json!("AFTER_SEQUENCE_NUMBER");
                req["SequenceNumber"] = json!(seq);
            }
            None => req["ShardIteratorType"] = json!("TRIM_HORIZON"),
        }
        let it = self.call("GetShardIterator", req).await?;
        let iterator = it["ShardIterator"].as_str().ok_or("no shard iterator")?;
        let out = self
            .call(
                "GetRecords",
                json!({ "ShardIterator": iterator, "Limit": 1000 }),
            )
            .await?;
        let records = out["Records"].as_array().cloned().unwrap_or_default();
        if let Some(last) = records
            .last()
            .and_then(|r| r["dynamodb"]["SequenceNumber"].as_str())
        {
            pos.last_sequence = Some(last.to_string());
        }
        Ok(records)
    }
}

/// Where a consumer is in one shard.
#[derive(Debug, Clone)]
pub struct Position {
    pub stream_arn: String,
    pub shard_id: String,
    pub last_sequence: Option<String>,
}

/// True when `value` satisfies a Lambda event filter `pattern`.
pub fn matches(pattern: &Value, value: &Value) -> bool {
    match pattern {
        Value::Object(p) => p
            .iter()
            .all(|(k, sub)| matches(sub, value.get(k).unwrap_or(&Value::Null))),
        Value::Array(options) => options.iter().any(|opt| match opt {
            Value::Object(o) if o.contains_key("prefix") => {
                match (o["prefix"].as_str(), value.as_str()) {
                    (Some(pre), Some(v)) => v.starts_with(pre),
                    _ => false,
                }
            }
            Value::Object(o) if o.contains_key("exists") => {
                o["exists"].as_bool() == Some(!value.is_null())
            }
            other => other == value,
        }),
        other => other == value,
    }
}

/// Polls the shards once for every event source (as one consumer: each poll is two
/// emulator calls however many sources there are) and hands each source the records
/// its filters pass. Each source delivers on its own task, in order, with its own
/// retries, so a source retrying a failed record does not hold the others back.
/// Each source's handler runs with its own App (the clients its use case declares).
pub async fn run(
    client: Arc<StreamClient>,
    sources: Vec<(StreamSource, EventHandler, Arc<App>)>,
    mut positions: Vec<Position>,
    faults: crate::faults::Faults,
) {
    let region = client.region.clone();
    let mut outlets = Vec::new();
    for (source, handler, app) in sources {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<Value>>();
        let filters = source.filters.clone();
        tokio::spawn(async move {
            while let Some(mut batch) = rx.recv().await {
                for chunk in batch.chunks_mut(source.batch_size.max(1)) {
                    deliver(&app, &source, handler, chunk.to_vec()).await;
                }
            }
        });
        outlets.push((filters, tx));
    }
    loop {
        let mut idle = true;
        for pos in positions.iter_mut() {
            let records = match client.next_records(pos).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "stream poll failed");
                    continue;
                }
            };
            if records.is_empty() {
                continue;
            }
            idle = false;
            let records: Vec<Value> = records
                .into_iter()
                .filter(|r| {
                    let lost = faults.loses(r);
                    if lost {
                        tracing::warn!("fault injected: a stream record is lost");
                    }
                    !lost
                })
                .map(|mut r| {
                    r["awsRegion"] = json!(region);
                    r
                })
                .collect();
            for (filters, outlet) in &outlets {
                let batch: Vec<Value> = records
                    .iter()
                    .filter(|r| filters.is_empty() || filters.iter().any(|f| matches(f, r)))
                    .cloned()
                    .collect();
                if !batch.is_empty() {
                    let _ = outlet.send(batch);
                }
            }
        }
        if idle {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn deliver(
    app: &Arc<App>,
    source: &StreamSource,
    handler: EventHandler,
    mut records: Vec<Value>,
) {
    let mut attempt = 0u32;
    loop {
        let event = json!({ "Records": records });
        loket_shared::meter::invocation();
        let failed: Vec<String> = match handler(app.clone(), event).await {
            Ok(v) => v["batchItemFailures"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|f| f["itemIdentifier"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) => {
                tracing::warn!(use_case = %source.use_case, error = %e, "event handler failed");
                records
                    .iter()
                    .filter_map(|r| r["dynamodb"]["SequenceNumber"].as_str().map(String::from))
                    .collect()
            }
        };
        if failed.is_empty() {
            return;
        }
        records.retain(|r| {
            r["dynamodb"]["SequenceNumber"]
                .as_str()
                .is_some_and(|s| failed.iter().any(|f| f == s))
        });
        if source.max_retries.is_some_and(|max| attempt >= max) {
            tracing::error!(use_case = %source.use_case, count = records.len(), "records dropped after retries");
            return;
        }
        // Backoff from 200 ms, at most 3.2 s between attempts.
        tokio::time::sleep(Duration::from_millis(200 << attempt.min(4))).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_patterns_match_like_lambda() {
        let p: Value = serde_json::from_str(
            r#"{"eventName": ["INSERT"], "dynamodb": {"Keys": {"PK": {"S": [{"prefix": "OUTBOX#"}]}}}}"#,
        )
        .unwrap();
        let rec = |name: &str, pk: &str| json!({"eventName": name, "dynamodb": {"Keys": {"PK": {"S": pk}}}});
        assert!(matches(&p, &rec("INSERT", "OUTBOX#1")));
        assert!(!matches(&p, &rec("MODIFY", "OUTBOX#1")));
        assert!(!matches(&p, &rec("INSERT", "USER#1")));
    }
}
