//! The single-table DynamoDB layer.
//!
//! Conventions (see `docs/ACCESS_PATTERNS.md`):
//! - every item has `PK` and `SK`; overloaded indexes `GSI1PK/GSI1SK` and `GSI2PK/GSI2SK`;
//! - `expires_at` (epoch seconds) is the table's TTL attribute;
//! - uniqueness is a *guard item* (`PK = <KIND>#<value>`, `SK = GUARD`) written with
//!   `attribute_not_exists(PK)` in the same transaction as the entity;
//! - every mutable item carries a numeric `version`; updates are conditional on it;
//! - lists are paginated with an opaque cursor (the encoded `LastEvaluatedKey`).
//!
//! There is deliberately no scan here: every read is a `GetItem` or a `Query` on a key.

use crate::error::{ApiError, ApiResult};
use crate::meter;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64URL, Engine};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

pub const GUARD_SK: &str = "GUARD";

/// A string attribute.
pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A number attribute.
pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A primary key.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("PK".to_string(), s(pk)), ("SK".to_string(), s(sk))])
}

/// Reads a string attribute.
pub fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(|s| s.as_str())
}

/// Reads a number attribute.
pub fn get_n(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|s| s.parse().ok())
}

/// Serializes a record into an item.
pub fn to_item<T: Serialize>(value: &T) -> ApiResult<Item> {
    serde_dynamo::to_item(value).map_err(ApiError::internal)
}

/// Serializes a value into one attribute (e.g. a map kept on an item).
pub fn to_value<T: Serialize>(value: &T) -> ApiResult<AttributeValue> {
    serde_dynamo::to_attribute_value(value).map_err(ApiError::internal)
}

/// Deserializes an item into a record.
pub fn from_item<T: DeserializeOwned>(item: Item) -> ApiResult<T> {
    serde_dynamo::from_item(item).map_err(ApiError::internal)
}

/// One page of a query.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque cursor for the next page, `None` on the last page.
    pub cursor: Option<String>,
}

/// A key-condition query on the table or one of its indexes.
#[derive(Debug, Clone)]
pub struct Query {
    pub index: Option<&'static str>,
    pub pk_name: &'static str,
    pub pk: String,
    /// `begins_with` on the sort key, if any.
    pub sk_prefix: Option<(&'static str, String)>,
    /// `<` on the sort key, if any (items sorted before a bound, e.g. a deadline).
    pub sk_before: Option<(&'static str, String)>,
    /// `BETWEEN lo AND hi` on the sort key, if any (a price range).
    pub sk_between: Option<(&'static str, String, String)>,
    /// A filter applied after the key condition (it does not reduce what is read).
    pub filter: Option<Filter>,
    pub forward: bool,
    pub limit: i32,
}

impl Query {
    pub fn partition(pk: impl Into<String>) -> Self {
        Self {
            index: None,
            pk_name: "PK",
            pk: pk.into(),
            sk_prefix: None,
            sk_before: None,
            sk_between: None,
            filter: None,
            forward: true,
            limit: 50,
        }
    }

    pub fn on_index(mut self, index: crate::schema::Index) -> Self {
        self.index = Some(index.name);
        self.pk_name = index.pk;
        self
    }

    pub fn sk_begins_with(mut self, sk_name: &'static str, prefix: impl Into<String>) -> Self {
        self.sk_prefix = Some((sk_name, prefix.into()));
        self
    }

    pub fn sk_before(mut self, sk_name: &'static str, bound: impl Into<String>) -> Self {
        self.sk_before = Some((sk_name, bound.into()));
        self
    }

    pub fn sk_between(
        mut self,
        sk_name: &'static str,
        lo: impl Into<String>,
        hi: impl Into<String>,
    ) -> Self {
        self.sk_between = Some((sk_name, lo.into(), hi.into()));
        self
    }

    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    pub fn limit(mut self, limit: i32) -> Self {
        self.limit = limit.clamp(1, 1000);
        self
    }

    pub fn backwards(mut self) -> Self {
        self.forward = false;
        self
    }
}

/// A `FilterExpression` with its names and values (placeholders must not clash with
/// the key condition's `#pk`, `#sk`, `:pk`, `:skp`, `:skb`, `:lo`, `:hi`).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub expression: String,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

/// One raw page of a query: the items, where to continue, and how many items the
/// query read before filtering (what DynamoDB bills).
#[derive(Debug)]
pub struct RawPage {
    pub items: Vec<Item>,
    pub last_key: Option<Item>,
    pub scanned: i64,
}

/// Why a transaction was refused.
#[derive(Debug)]
pub enum TxError {
    /// The condition of the operation at this index failed (guard taken, version moved).
    Condition(Vec<usize>),
    /// Another transaction touched the same items at the same time.
    Conflict,
    Other(ApiError),
}

impl From<TxError> for ApiError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Condition(_) | TxError::Conflict => ApiError::concurrent_update(),
            TxError::Other(e) => e,
        }
    }
}

/// A `TransactWriteItems` under construction.
#[derive(Default)]
pub struct Tx {
    ops: Vec<TransactWriteItem>,
}

impl Tx {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Puts an item that must not exist yet. Returns the operation's index.
    pub fn put_new(&mut self, table: &str, item: Item) -> usize {
        self.push_put(table, item, Some("attribute_not_exists(PK)"), None)
    }

    /// Puts (creates or replaces) an item unconditionally.
    pub fn put(&mut self, table: &str, item: Item) -> usize {
        self.push_put(table, item, None, None)
    }

    /// Replaces an item only if its stored `version` is `expected`; the caller puts
    /// `expected + 1` in the new item.
    pub fn put_versioned(&mut self, table: &str, item: Item, expected: i64) -> usize {
        let values = HashMap::from([(":v".to_string(), n(expected))]);
        self.push_put(table, item, Some("version = :v"), Some(values))
    }

    /// A uniqueness guard: `<kind>#<value>` / `GUARD`, pointing at its owner.
    pub fn guard(&mut self, table: &str, guard_pk: String, owner: &str) -> usize {
        let mut item = key(guard_pk, GUARD_SK);
        item.insert("owner".into(), s(owner));
        self.put_new(table, item)
    }

    /// Deletes an item unconditionally (deleting a missing item is not an error).
    pub fn delete(&mut self, table: &str, k: Item) -> usize {
        self.ops.push(
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(table)
                        .set_key(Some(k))
                        .build()
                        .expect("table and key are set"),
                )
                .build(),
        );
        self.ops.len() - 1
    }

    /// Deletes an item only if its `version` is `expected` (single-use records).
    pub fn delete_versioned(&mut self, table: &str, k: Item, expected: i64) -> usize {
        self.ops.push(
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(table)
                        .set_key(Some(k))
                        .condition_expression("version = :v")
                        .expression_attribute_values(":v", n(expected))
                        .build()
                        .expect("table and key are set"),
                )
                .build(),
        );
        self.ops.len() - 1
    }

    /// An update with a raw expression (for counters and partial updates).
    pub fn update(
        &mut self,
        table: &str,
        k: Item,
        expression: &str,
        condition: Option<&str>,
        names: HashMap<String, String>,
        values: Item,
    ) -> usize {
        let mut b = Update::builder()
            .table_name(table)
            .set_key(Some(k))
            .update_expression(expression)
            .set_condition_expression(condition.map(str::to_string));
        if !names.is_empty() {
            b = b.set_expression_attribute_names(Some(names));
        }
        if !values.is_empty() {
            b = b.set_expression_attribute_values(Some(values));
        }
        self.ops.push(
            TransactWriteItem::builder()
                .update(b.build().expect("table, key and expression are set"))
                .build(),
        );
        self.ops.len() - 1
    }

    /// Asserts a condition on an item that the transaction does not change.
    pub fn check(&mut self, table: &str, k: Item, condition: &str, values: Item) -> usize {
        let mut b = ConditionCheck::builder()
            .table_name(table)
            .set_key(Some(k))
            .condition_expression(condition);
        if !values.is_empty() {
            b = b.set_expression_attribute_values(Some(values));
        }
        self.ops.push(
            TransactWriteItem::builder()
                .condition_check(b.build().expect("table, key and condition are set"))
                .build(),
        );
        self.ops.len() - 1
    }

    fn push_put(
        &mut self,
        table: &str,
        item: Item,
        condition: Option<&str>,
        values: Option<Item>,
    ) -> usize {
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_string))
            .set_expression_attribute_values(values)
            .build()
            .expect("table and item are set");
        self.ops.push(TransactWriteItem::builder().put(put).build());
        self.ops.len() - 1
    }
}

/// The table, with the operations the use cases need.
#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A strongly consistent `GetItem`.
    pub async fn get(&self, pk: &str, sk: &str) -> ApiResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        meter::read(out.item.as_ref());
        Ok(out.item)
    }

    /// `GetItem` deserialized into a record.
    pub async fn get_as<T: DeserializeOwned>(&self, pk: &str, sk: &str) -> ApiResult<Option<T>> {
        self.get(pk, sk).await?.map(from_item).transpose()
    }

    /// One page of a query starting after `start` (an `ExclusiveStartKey`).
    pub async fn query_from(&self, q: &Query, start: Option<Item>) -> ApiResult<RawPage> {
        let mut names = HashMap::from([("#pk".to_string(), q.pk_name.to_string())]);
        let mut values = HashMap::from([(":pk".to_string(), s(&q.pk))]);
        let mut cond = "#pk = :pk".to_string();
        if let Some((sk_name, prefix)) = &q.sk_prefix {
            names.insert("#sk".into(), sk_name.to_string());
            values.insert(":skp".into(), s(prefix));
            cond.push_str(" AND begins_with(#sk, :skp)");
        } else if let Some((sk_name, bound)) = &q.sk_before {
            names.insert("#sk".into(), sk_name.to_string());
            values.insert(":skb".into(), s(bound));
            cond.push_str(" AND #sk < :skb");
        } else if let Some((sk_name, lo, hi)) = &q.sk_between {
            names.insert("#sk".into(), sk_name.to_string());
            values.insert(":lo".into(), s(lo));
            values.insert(":hi".into(), s(hi));
            cond.push_str(" AND #sk BETWEEN :lo AND :hi");
        }
        let mut filter_expression = None;
        if let Some(f) = &q.filter {
            names.extend(f.names.clone());
            values.extend(f.values.clone());
            filter_expression = Some(f.expression.clone());
        }
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(q.index.map(str::to_string))
            .key_condition_expression(cond)
            .set_filter_expression(filter_expression)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(q.forward)
            .limit(q.limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk_error)?;
        meter::read(out.items.iter().flatten());
        Ok(RawPage {
            items: out.items.unwrap_or_default(),
            last_key: out.last_evaluated_key.filter(|k| !k.is_empty()),
            scanned: i64::from(out.scanned_count),
        })
    }

    /// Every item of one partition (bounded use: an account's sessions).
    pub async fn query_all(&self, q: &Query) -> ApiResult<Vec<Item>> {
        let mut all = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self.query_from(q, start.take()).await?;
            all.extend(page.items);
            match page.last_key {
                Some(k) => start = Some(k),
                None => return Ok(all),
            }
        }
    }

    /// Runs a transaction (at most 100 operations).
    pub async fn transact(&self, tx: Tx) -> Result<(), TxError> {
        if tx.ops.is_empty() {
            return Ok(());
        }
        meter::write_request();
        for op in &tx.ops {
            if let Some(p) = op.put() {
                meter::written(p.item(), true);
            } else if let Some(u) = op.update() {
                let mut written = u.key().clone();
                written.extend(u.expression_attribute_values().cloned().unwrap_or_default());
                meter::written(&written, true);
            } else if let Some(d) = op.delete() {
                meter::written(d.key(), true);
            } else if let Some(c) = op.condition_check() {
                meter::written(c.key(), true);
            }
        }
        let res = self
            .client
            .transact_write_items()
            .set_transact_items(Some(tx.ops))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(ctx)) => {
                use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError as E;
                match ctx.into_err() {
                    E::TransactionCanceledException(c) => {
                        let reasons = c.cancellation_reasons.unwrap_or_default();
                        let failed: Vec<usize> = reasons
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| r.code.as_deref() == Some("ConditionalCheckFailed"))
                            .map(|(i, _)| i)
                            .collect();
                        if !failed.is_empty() {
                            Err(TxError::Condition(failed))
                        } else {
                            Err(TxError::Conflict)
                        }
                    }
                    E::TransactionInProgressException(_) => Err(TxError::Conflict),
                    other => Err(TxError::Other(ApiError::unavailable(other))),
                }
            }
            Err(e) => Err(TxError::Other(ApiError::unavailable(e))),
        }
    }

    /// A single conditional update; `Ok(None)` when the condition failed.
    pub async fn update_if(
        &self,
        k: Item,
        expression: &str,
        condition: &str,
        names: HashMap<String, String>,
        values: Item,
    ) -> ApiResult<Option<Item>> {
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(k))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_names((!names.is_empty()).then_some(names))
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        meter::write_request();
        match res {
            Ok(out) => {
                let new = out.attributes.unwrap_or_default();
                meter::written(&new, false);
                Ok(Some(new))
            }
            Err(SdkError::ServiceError(ctx))
                if ctx.err().is_conditional_check_failed_exception() =>
            {
                Ok(None)
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    /// An unconditional update returning the new item (counters).
    pub async fn update(
        &self,
        k: Item,
        expression: &str,
        names: HashMap<String, String>,
        values: Item,
    ) -> ApiResult<Item> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(k))
            .update_expression(expression)
            .set_expression_attribute_names((!names.is_empty()).then_some(names))
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(sdk_error)?;
        let new = out.attributes.unwrap_or_default();
        meter::write_request();
        meter::written(&new, false);
        Ok(new)
    }

    /// Deletes one item.
    pub async fn delete(&self, pk: &str, sk: &str) -> ApiResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .send()
            .await
            .map_err(sdk_error)?;
        meter::write_request();
        meter::written(&key(pk, sk), false);
        Ok(())
    }

    /// Writes many items without conditions (seeding reference data), 25 per batch,
    /// retrying unprocessed items.
    pub async fn put_many(&self, items: Vec<Item>) -> ApiResult<()> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        for chunk in items.chunks(25) {
            meter::write_request();
            for it in chunk {
                meter::written(it, false);
            }
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|it| {
                    WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(it.clone()))
                                .build()
                                .expect("item is set"),
                        )
                        .build()
                })
                .collect();
            for attempt in 0..8 {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests.clone())
                    .send()
                    .await
                    .map_err(sdk_error)?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
            if !requests.is_empty() {
                return Err(ApiError::unavailable("batch write left unprocessed items"));
            }
        }
        Ok(())
    }
}

fn sdk_error<E: std::error::Error + Send + Sync + 'static>(e: SdkError<E>) -> ApiError {
    ApiError::unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e))
}

/// Encodes a `LastEvaluatedKey` (string and number attributes only, as our keys are).
pub fn encode_cursor(k: &Item) -> ApiResult<String> {
    let mut m = serde_json::Map::new();
    for (name, v) in k {
        let j = match v {
            AttributeValue::S(x) => serde_json::json!({ "S": x }),
            AttributeValue::N(x) => serde_json::json!({ "N": x }),
            _ => return Err(ApiError::internal("unsupported key attribute type")),
        };
        m.insert(name.clone(), j);
    }
    Ok(B64URL.encode(serde_json::to_vec(&m).map_err(ApiError::internal)?))
}

pub fn decode_cursor(c: &str) -> ApiResult<Item> {
    let bad = || {
        ApiError::invalid(
            "cursor_invalid",
            "Parameter halaman (cursor) tidak valid",
            "cursor",
        )
    };
    let raw = B64URL.decode(c).map_err(|_| bad())?;
    let m: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&raw).map_err(|_| bad())?;
    let mut out = HashMap::new();
    for (name, v) in m {
        let av = if let Some(x) = v.get("S").and_then(|x| x.as_str()) {
            s(x)
        } else if let Some(x) = v.get("N").and_then(|x| x.as_str()) {
            AttributeValue::N(x.to_string())
        } else {
            return Err(bad());
        };
        out.insert(name, av);
    }
    if out.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_roundtrips_and_rejects_garbage() {
        let mut k = key("USER#1", "SESSION#2");
        k.insert("GSI1SK".into(), n(42));
        let c = encode_cursor(&k).unwrap();
        assert_eq!(decode_cursor(&c).unwrap(), k);
        assert_eq!(decode_cursor("!!").unwrap_err().code, "cursor_invalid");
        assert_eq!(
            decode_cursor(&B64URL.encode(b"{}")).unwrap_err().status,
            400
        );
    }

    #[test]
    fn guard_is_a_conditional_put() {
        let mut tx = Tx::new();
        let i = tx.guard("t", "NIK#abc".into(), "USER#1");
        assert_eq!(i, 0);
        let put = tx.ops[0].put().unwrap();
        assert_eq!(put.condition_expression(), Some("attribute_not_exists(PK)"));
        assert_eq!(get_s(put.item(), "owner"), Some("USER#1"));
    }
}
