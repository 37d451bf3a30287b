//! What this process asked of AWS, counted where it is asked: DynamoDB requests, items
//! and capacity units (computed from the items' sizes by DynamoDB's published rules,
//! since the emulator does not report real ones), emails sent; and, in the local
//! runner, the handler invocations (one per Lambda invocation in AWS) and API requests.
//! The order benchmark (`infra/bench/order-lifecycle.sh`) reads the totals through the
//! local runner (`GET /__local/meter`, test support only) before and after its orders.
//! Counting is one relaxed atomic add per call.
//!
//! Capacity rules (on-demand): a strongly consistent read is 1 read unit per 4 KB
//! (a query: of the items' total size, at least one unit); a write is 1 write unit per
//! 1 KB of the item, twice that inside a transaction; each global secondary index the
//! item is in (ALL projection) is written too. Sizes are DynamoDB's (attribute names
//! plus values). For an update, the item's new size is known when DynamoDB returns it;
//! inside a transaction only the key and the values written are, so an update there
//! counts at least one unit (our transactional updates are on small items: tasks,
//! counters, marks).

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The counters (see the module's documentation).
#[derive(Default)]
pub struct Meter {
    pub dynamodb_read_requests: AtomicU64,
    pub dynamodb_items_read: AtomicU64,
    pub dynamodb_read_units: AtomicU64,
    pub dynamodb_write_requests: AtomicU64,
    pub dynamodb_items_written: AtomicU64,
    pub dynamodb_write_units: AtomicU64,
    pub emails_sent: AtomicU64,
    pub kms_calls: AtomicU64,
    pub invocations: AtomicU64,
    pub api_requests: AtomicU64,
}

pub static METER: Meter = Meter {
    dynamodb_read_requests: AtomicU64::new(0),
    dynamodb_items_read: AtomicU64::new(0),
    dynamodb_read_units: AtomicU64::new(0),
    dynamodb_write_requests: AtomicU64::new(0),
    dynamodb_items_written: AtomicU64::new(0),
    dynamodb_write_units: AtomicU64::new(0),
    emails_sent: AtomicU64::new(0),
    kms_calls: AtomicU64::new(0),
    invocations: AtomicU64::new(0),
    api_requests: AtomicU64::new(0),
};

/// The global secondary indexes, by the attribute that puts an item in them.
const INDEX_KEYS: [&str; 5] = ["GSI1PK", "GSI2PK", "SPK", "SPK", "SPK"];

fn value_size(v: &AttributeValue) -> u64 {
    match v {
        AttributeValue::S(s) => s.len() as u64,
        // Numbers: about one byte per two significant digits, plus one.
        AttributeValue::N(n) => (n.trim_start_matches('-').len() as u64).div_ceil(2) + 1,
        AttributeValue::B(b) => b.as_ref().len() as u64,
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, v)| k.len() as u64 + value_size(v) + 1)
                .sum::<u64>()
        }
        AttributeValue::L(l) => 3 + l.iter().map(|v| value_size(v) + 1).sum::<u64>(),
        AttributeValue::Ss(ss) => ss.iter().map(|s| s.len() as u64).sum(),
        AttributeValue::Ns(ns) => ns.iter().map(|n| n.len() as u64 / 2 + 1).sum(),
        AttributeValue::Bs(bs) => bs.iter().map(|b| b.as_ref().len() as u64).sum(),
        _ => 1,
    }
}

/// An item's size as DynamoDB counts it: attribute names plus values.
pub fn item_size(item: &HashMap<String, AttributeValue>) -> u64 {
    item.iter()
        .map(|(k, v)| k.len() as u64 + value_size(v))
        .sum()
}

fn indexes_of(item: &HashMap<String, AttributeValue>) -> u64 {
    INDEX_KEYS.iter().filter(|k| item.contains_key(**k)).count() as u64
}

/// A consistent read of `items` (one request).
pub fn read<'a>(items: impl IntoIterator<Item = &'a HashMap<String, AttributeValue>>) {
    let (mut count, mut bytes) = (0, 0);
    for i in items {
        count += 1;
        bytes += item_size(i);
    }
    METER.dynamodb_read_requests.fetch_add(1, Relaxed);
    METER.dynamodb_items_read.fetch_add(count, Relaxed);
    METER
        .dynamodb_read_units
        .fetch_add(bytes.div_ceil(4096).max(1), Relaxed);
}

/// One write of an item of `item`'s size (in a transaction: twice the units), to the
/// table and each index it is in.
pub fn written(item: &HashMap<String, AttributeValue>, transactional: bool) {
    let units = item_size(item).div_ceil(1024).max(1) * (1 + indexes_of(item));
    METER.dynamodb_items_written.fetch_add(1, Relaxed);
    METER
        .dynamodb_write_units
        .fetch_add(units * if transactional { 2 } else { 1 }, Relaxed);
}

/// One write request (a transaction is one request).
pub fn write_request() {
    METER.dynamodb_write_requests.fetch_add(1, Relaxed);
}

pub fn email_sent() {
    METER.emails_sent.fetch_add(1, Relaxed);
}

pub fn kms_call() {
    METER.kms_calls.fetch_add(1, Relaxed);
}

pub fn invocation() {
    METER.invocations.fetch_add(1, Relaxed);
}

pub fn api_request() {
    METER.api_requests.fetch_add(1, Relaxed);
}

/// The totals so far.
pub fn totals() -> serde_json::Value {
    let m = &METER;
    serde_json::json!({
        "dynamodb_read_requests": m.dynamodb_read_requests.load(Relaxed),
        "dynamodb_items_read": m.dynamodb_items_read.load(Relaxed),
        "dynamodb_read_units": m.dynamodb_read_units.load(Relaxed),
        "dynamodb_write_requests": m.dynamodb_write_requests.load(Relaxed),
        "dynamodb_items_written": m.dynamodb_items_written.load(Relaxed),
        "dynamodb_write_units": m.dynamodb_write_units.load(Relaxed),
        "emails_sent": m.emails_sent.load(Relaxed),
        "kms_calls": m.kms_calls.load(Relaxed),
        "invocations": m.invocations.load(Relaxed),
        "api_requests": m.api_requests.load(Relaxed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_dynamodb_rules() {
        let item = HashMap::from([
            ("PK".to_string(), AttributeValue::S("ORDER#1".into())),
            ("n".to_string(), AttributeValue::N("12345".into())),
        ]);
        // "PK" + "ORDER#1" = 2 + 7; "n" + 3 bytes for five digits.
        assert_eq!(item_size(&item), 9 + 1 + 4);
        let big = HashMap::from([("x".to_string(), AttributeValue::S("a".repeat(3000)))]);
        assert_eq!(item_size(&big).div_ceil(1024), 3);
        let indexed = HashMap::from([
            ("GSI1PK".to_string(), AttributeValue::S("A".into())),
            ("GSI2PK".to_string(), AttributeValue::S("B".into())),
        ]);
        assert_eq!(indexes_of(&indexed), 2);
    }
}
