//! Fixed-window rate limits kept in the table (one counter item per key and window,
//! expired by TTL). Used for anything guessable or costly: code requests, PIN
//! requests, registration attempts per address. And the attempts of one secret (a code,
//! a PIN), counted before the secret is compared ([`count_attempt`]).

use crate::error::{ApiError, ApiResult};
use crate::store::{key, n, Store};
use std::collections::HashMap;

/// A limit: at most `max` hits per `window` seconds.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i64,
    pub window: i64,
}

/// Counts one hit for `bucket` (e.g. `code-ip#1.2.3.4`) and refuses with 429 beyond the limit.
pub async fn hit(store: &Store, bucket: &str, limit: Limit, now: i64) -> ApiResult<()> {
    let window_start = now - now.rem_euclid(limit.window);
    let item = store
        .update(
            key(
                crate::schema::rate_window(bucket),
                format!("W#{window_start}"),
            ),
            "ADD hits :one SET expires_at = :exp",
            HashMap::new(),
            HashMap::from([
                (":one".to_string(), n(1)),
                (":exp".to_string(), n(window_start + limit.window + 60)),
            ]),
        )
        .await?;
    let hits = crate::store::get_n(&item, "hits").unwrap_or(0);
    if hits > limit.max {
        return Err(ApiError::too_many(
            "rate_limited",
            "Terlalu banyak permintaan, silakan coba beberapa saat lagi",
            (window_start + limit.window - now) as u64,
        ));
    }
    Ok(())
}

/// Counts one attempt at the secret stored in item `k` (its `attempts`), before the
/// secret is compared, in one conditional write: `false` when `max` attempts were
/// already counted. However many attempts arrive at once, at most `max` are compared.
pub async fn count_attempt(store: &Store, k: crate::store::Item, max: u32) -> ApiResult<bool> {
    let counted = store
        .update_if(
            k,
            "ADD attempts :one",
            "attempts < :max",
            HashMap::new(),
            HashMap::from([
                (":one".to_string(), n(1)),
                (":max".to_string(), n(i64::from(max))),
            ]),
        )
        .await?;
    Ok(counted.is_some())
}

/// The hits counted for `bucket` in the current window of `window` seconds (without
/// counting one): e.g. the misses that make a lookup ask for the captcha.
pub async fn current(store: &Store, bucket: &str, window: i64, now: i64) -> ApiResult<i64> {
    let window_start = now - now.rem_euclid(window);
    Ok(store
        .get(
            &crate::schema::rate_window(bucket),
            &format!("W#{window_start}"),
        )
        .await?
        .and_then(|i| crate::store::get_n(&i, "hits"))
        .unwrap_or(0))
}
