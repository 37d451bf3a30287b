//! Sign-in with NIK, email or NRK and a password (seed 004 §2.3.1, seed 001 §2.1).
//!
//! Any wrong identifier or password gets one message, "NIK/Email atau password salah",
//! and costs the same Argon2 time, so accounts cannot be probed. Failures are counted
//! per account (or per typed identifier when there is no such account) and per source
//! address: after `throttle_after` failures each further attempt must wait an
//! exponentially growing delay; at `lock_after` the account is locked for
//! `lock_seconds`. Per-address thresholds are `per_address_factor` times higher, as
//! many people share an office's address.

use crate::account::{self, AccountStatus, Identifier};
use crate::session;
use loket_shared::config::LoginPolicy;
use loket_shared::http::{
    authenticate, body, json, message, required, source_ip, Request, Response,
};
use loket_shared::store::{get_n, key, n, Item, Tx};
use loket_shared::{crypto, ApiError, ApiResult, App};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

const COUNTER_SK: &str = "COUNTER";

/// The failure counter of one scope (an account or an address).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub first_at: i64,
    pub last_at_ms: i64,
    pub locked_until: i64,
}

impl Failures {
    fn from_item(item: Option<&Item>) -> Self {
        match item {
            None => Self::default(),
            Some(i) => Self {
                count: get_n(i, "failures").unwrap_or(0).max(0) as u32,
                first_at: get_n(i, "first_at").unwrap_or(0),
                last_at_ms: get_n(i, "last_at_ms").unwrap_or(0),
                locked_until: get_n(i, "locked_until").unwrap_or(0),
            },
        }
    }

    /// Failures still inside the counting window.
    fn current(&self, policy: &LoginPolicy, now: i64) -> u32 {
        if self.first_at > now - policy.window_seconds {
            self.count
        } else {
            0
        }
    }
}

/// Decides whether another attempt may be made now (`factor` scales the thresholds).
pub fn gate(policy: &LoginPolicy, factor: u32, f: &Failures, now_ms: i64) -> Result<(), ApiError> {
    let now = now_ms.div_euclid(1000);
    if f.locked_until > now {
        let minutes = ((f.locked_until - now) + 59) / 60;
        // factor 1 is an account; a larger factor is a source address.
        let what = if factor == 1 {
            "Akun"
        } else {
            "Login dari alamat jaringan Anda"
        };
        return Err(ApiError::too_many(
            "login_locked",
            format!("{what} dikunci sementara karena terlalu banyak percobaan login yang gagal. Silakan coba lagi dalam {minutes} menit."),
            (f.locked_until - now) as u64,
        ));
    }
    let count = f.current(policy, now);
    let throttle_after = policy.throttle_after.saturating_mul(factor);
    if count >= throttle_after {
        let exponent = (count - throttle_after).min(16);
        let delay_ms = (policy.delay_base_ms.saturating_mul(1u64 << exponent)).min(300_000) as i64;
        let wait_ms = f.last_at_ms + delay_ms - now_ms;
        if wait_ms > 0 {
            let seconds = (wait_ms + 999) / 1000;
            return Err(ApiError::too_many(
                "login_throttled",
                format!("Terlalu banyak percobaan login yang gagal. Silakan coba lagi dalam {seconds} detik."),
                seconds as u64,
            ));
        }
    }
    Ok(())
}

fn counter_pk(scope: &str) -> String {
    loket_shared::schema::login_failures(scope)
}

async fn load_failures(app: &App, scope: &str) -> ApiResult<Failures> {
    Ok(Failures::from_item(
        app.store
            .get(&counter_pk(scope), COUNTER_SK)
            .await?
            .as_ref(),
    ))
}

fn values<const N: usize>(pairs: [(&str, i64); N]) -> Item {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), n(v)))
        .collect()
}

/// Counts this attempt as a failure of `scope` *before* the password is checked, in one
/// conditional write whose condition is the gate's decision: below the throttle, fewer
/// than the lock's threshold counted; from it, nothing counted since the state the gate
/// let through (`failures = :seen`); never while locked. However many attempts arrive
/// at once, the one after the lock's threshold is never checked. A stale or
/// missing window restarts with this attempt. `false`: refused (the caller answers
/// 429); a right password gives its attempt back ([`give_back`]).
async fn reserve_attempt(
    app: &App,
    scope: &str,
    factor: u32,
    seen: &Failures,
    now_ms: i64,
) -> ApiResult<bool> {
    let policy = &app.cfg.login;
    let now = now_ms.div_euclid(1000);
    let k = key(counter_pk(scope), COUNTER_SK);
    let exp = now + policy.window_seconds + policy.lock_seconds;
    let edge = now - policy.window_seconds;
    let open = "(attribute_not_exists(locked_until) OR locked_until <= :now)";
    let throttle_at = policy.throttle_after.saturating_mul(factor) as i64;
    let lock_at = policy.lock_after.saturating_mul(factor) as i64;
    let count = seen.current(policy, now) as i64;
    // Below the throttle, attempts in flight may overlap (a right password gives its
    // attempt back): the bound is the lock, so the attempt after the lock's threshold
    // is never checked. From the throttle on, one at a time.
    let (condition, bound) = if count < throttle_at {
        ("failures < :bound", lock_at)
    } else {
        ("failures = :bound", seen.count as i64)
    };
    // Twice: a counter deleted by a successful sign-in between the two writes is
    // restarted on the second round.
    for _ in 0..2 {
        let restarted = app
            .store
            .update_if(
                k.clone(),
                "SET failures = :one, first_at = :now, last_at_ms = :ms, expires_at = :exp",
                &format!("(attribute_not_exists(first_at) OR first_at <= :edge) AND {open}"),
                HashMap::new(),
                values([
                    (":one", 1),
                    (":now", now),
                    (":ms", now_ms),
                    (":exp", exp),
                    (":edge", edge),
                ]),
            )
            .await?;
        if restarted.is_some() {
            return Ok(true);
        }
        let added = app
            .store
            .update_if(
                k.clone(),
                "SET last_at_ms = :ms, expires_at = :exp ADD failures :one",
                &format!("first_at > :edge AND {condition} AND {open}"),
                HashMap::new(),
                values([
                    (":one", 1),
                    (":now", now),
                    (":ms", now_ms),
                    (":exp", exp),
                    (":edge", edge),
                    (":bound", bound),
                ]),
            )
            .await?;
        if added.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A right password does not count: the attempt reserved for `scope` is taken back.
async fn give_back(app: &App, scope: &str) -> ApiResult<()> {
    app.store
        .update_if(
            key(counter_pk(scope), COUNTER_SK),
            "ADD failures :minus",
            "failures > :zero",
            HashMap::new(),
            values([(":minus", -1), (":zero", 0)]),
        )
        .await?;
    Ok(())
}

/// After a wrong password (already counted by [`reserve_attempt`]): the delay before
/// the next attempt counts from now, when the failure is answered (the check takes
/// time), and the failure that reaches the threshold locks `scope`. Only the attempt
/// that still sees the threshold reached sets the lock; the counter restarts after it
/// (first_at 0 is always stale), and a lock is never cleared by a racing attempt.
async fn settle_failure(app: &App, scope: &str, factor: u32) -> ApiResult<()> {
    let policy = &app.cfg.login;
    let now_ms = (app.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
    let now = now_ms.div_euclid(1000);
    let k = key(counter_pk(scope), COUNTER_SK);
    let lock_at = policy.lock_after.saturating_mul(factor) as i64;
    let Some(after) = app
        .store
        .update_if(
            k.clone(),
            "SET last_at_ms = :ms",
            "attribute_exists(failures)",
            HashMap::new(),
            values([(":ms", now_ms)]),
        )
        .await?
    else {
        return Ok(());
    };
    if get_n(&after, "failures").unwrap_or(0) >= lock_at {
        app.store
            .update_if(
                k,
                "SET locked_until = :until, failures = :zero, first_at = :zero",
                "failures >= :lock_at",
                HashMap::new(),
                values([
                    (":until", now + policy.lock_seconds),
                    (":zero", 0),
                    (":lock_at", lock_at),
                ]),
            )
            .await?;
    }
    Ok(())
}

/// The answer to an attempt refused by its reservation: what the gate says of the
/// counter now, or (when a racing attempt was let through meanwhile) a short wait.
async fn refused(app: &App, scope: &str, factor: u32, now_ms: i64) -> ApiError {
    let kind = scope.split('#').next().unwrap_or_default();
    tracing::info!(
        scope = kind,
        "sign-in attempt refused: its scope's limit is reached"
    );
    match load_failures(app, scope).await {
        Ok(f) => match gate(&app.cfg.login, factor, &f, now_ms) {
            Err(e) => e,
            Ok(()) => ApiError::too_many(
                "login_throttled",
                "Terlalu banyak percobaan login yang gagal. Silakan coba lagi dalam 1 detik.",
                1,
            ),
        },
        Err(e) => e,
    }
}

pub fn login_failed() -> ApiError {
    ApiError::unauthorized("login_failed", "NIK/Email atau password salah")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginRequest {
    /// NIK, email or NRK.
    pub identifier: Option<String>,
    pub password: Option<String>,
    pub captcha_token: Option<String>,
}

/// `POST /auth/login`.
pub async fn login(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let r: LoginRequest = body(&req)?;
    let tokens = sign_in(&app, &r, &source_ip(&req), None).await?;
    json(200, &tokens)
}

/// The one sign-in use case (API and sign-in page): captcha, throttling and lockout,
/// the password, then a new session. `web_secret`: the secret of a browser session
/// cookie to bind to the session (the page's sign-in).
pub async fn sign_in(
    app: &App,
    r: &LoginRequest,
    ip: &str,
    web_secret: Option<&str>,
) -> ApiResult<session::Tokens> {
    let identifier_text = required(&r.identifier, "identifier", "NIK/Email/NRK", 254)?;
    let pw = r
        .password
        .clone()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::invalid("field_required", "Password wajib diisi", "password"))?;
    if pw.chars().count() > 256 || identifier_text.len() > 254 {
        return Err(login_failed());
    }
    let ip = ip.to_string();
    app.captcha.require(r.captcha_token.as_deref(), &ip).await?;
    let policy = app.cfg.login.clone();
    let factor = policy.per_address_factor.max(1);
    let now_ms = (app.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
    let ip_scope = format!("IP#{ip}");

    let identifier = Identifier::parse(&identifier_text);
    let (ip_failures, acc) = tokio::join!(load_failures(app, &ip_scope), async {
        match &identifier {
            Some(id) => account::by_guard(app, &id.guard(app)).await,
            None => Ok(None),
        }
    });
    let (ip_failures, acc) = (ip_failures?, acc?);
    gate(&policy, factor, &ip_failures, now_ms).inspect_err(|_| {
        tracing::info!(
            scope = "IP",
            failures = ip_failures.count,
            "sign-in attempt refused"
        )
    })?;
    let acc_scope = match &acc {
        Some(a) => format!("ACC#{}", a.id),
        None => format!(
            "ID#{}",
            app.pepper
                .hash("login-id", &identifier_text.trim().to_lowercase())
        ),
    };
    let acc_failures = load_failures(app, &acc_scope).await?;
    gate(&policy, 1, &acc_failures, now_ms).inspect_err(|_| {
        tracing::info!(
            scope = "ACC",
            failures = acc_failures.count,
            "sign-in attempt refused"
        )
    })?;
    // The gate's decision, made atomic: the attempt is counted before the check.
    if !reserve_attempt(app, &ip_scope, factor, &ip_failures, now_ms).await? {
        return Err(refused(app, &ip_scope, factor, now_ms).await);
    }
    if !reserve_attempt(app, &acc_scope, 1, &acc_failures, now_ms).await? {
        give_back(app, &ip_scope).await?;
        return Err(refused(app, &acc_scope, 1, now_ms).await);
    }

    let verified = match acc.as_ref().and_then(|a| a.password_hash.as_deref()) {
        Some(hash) => crypto::verify_password(&pw, hash).await,
        None => {
            crypto::burn_password_time(&pw).await;
            false
        }
    };
    let acc = match (verified, acc) {
        // An account not activated yet cannot sign in: a failure like any other.
        (true, Some(a)) if a.status != AccountStatus::PendingActivation => a,
        _ => {
            let (a, b) = tokio::join!(
                settle_failure(app, &acc_scope, 1),
                settle_failure(app, &ip_scope, factor)
            );
            a?;
            b?;
            return Err(login_failed());
        }
    };
    match acc.status {
        AccountStatus::Active => {}
        AccountStatus::Disabled => {
            return Err(ApiError::new(
                403,
                "account_disabled",
                "Akun Anda dinonaktifkan. Silakan hubungi admin.",
            ))
        }
        AccountStatus::PendingActivation => return Err(login_failed()),
    }
    let (mut session_item, tokens) = session::open(app, &acc, &ip)?;
    if let Some(secret) = web_secret {
        session::bind_browser(app, &mut session_item, secret);
    }
    give_back(app, &ip_scope).await?;
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), session_item);
    tx.delete(app.store.table(), key(counter_pk(&acc_scope), COUNTER_SK));
    app.store.transact(tx).await?;
    tracing::info!(user_id = %acc.id, "signed in");
    Ok(tokens)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RefreshRequest {
    refresh_token: Option<String>,
}

/// `POST /auth/refresh`: a new access token for a refresh token (which is rotated).
pub async fn refresh_session(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let r: RefreshRequest = body(&req)?;
    let token = required(&r.refresh_token, "refresh_token", "Refresh token", 512)?;
    json(200, &session::refresh(&app, &token).await?)
}

/// `POST /auth/logout`: ends the caller's session.
pub async fn logout(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    app.store
        .delete(
            &account::account_pk(&caller.user_id),
            &session::session_sk(&caller.session_id),
        )
        .await?;
    message(200, "Anda telah keluar")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LoginPolicy {
        LoginPolicy {
            throttle_after: 5,
            lock_after: 10,
            delay_base_ms: 1000,
            lock_seconds: 900,
            per_address_factor: 5,
            window_seconds: 900,
        }
    }

    fn failures(count: u32, last_s: i64) -> Failures {
        Failures {
            count,
            first_at: last_s - 10,
            last_at_ms: last_s * 1000,
            locked_until: 0,
        }
    }

    #[test]
    fn below_the_threshold_attempts_are_free() {
        assert!(gate(&policy(), 1, &failures(4, 1000), 1_000_000).is_ok());
    }

    #[test]
    fn from_the_threshold_attempts_wait_exponentially() {
        let p = policy();
        let e = gate(&p, 1, &failures(5, 1000), 1_000_000).unwrap_err();
        assert_eq!(
            (e.status, e.code, e.retry_after),
            (429, "login_throttled", Some(1))
        );
        assert!(gate(&p, 1, &failures(5, 1000), 1_001_000).is_ok());
        let e = gate(&p, 1, &failures(8, 1000), 1_001_000).unwrap_err();
        assert_eq!(e.retry_after, Some(7), "2^3 s after the last failure");
    }

    #[test]
    fn a_lock_refuses_even_the_right_password_until_it_ends() {
        let f = Failures {
            locked_until: 2000,
            ..Failures::default()
        };
        let e = gate(&policy(), 1, &f, 1_100_000).unwrap_err();
        assert_eq!((e.code, e.retry_after), ("login_locked", Some(900)));
        assert!(e.message.contains("15 menit"));
        assert!(gate(&policy(), 1, &f, 2_000_000).is_ok());
    }

    #[test]
    fn old_failures_leave_the_window() {
        assert!(gate(&policy(), 1, &failures(9, 1000), 1_000_000 + 901_000).is_ok());
    }

    #[test]
    fn address_thresholds_are_scaled() {
        assert!(gate(&policy(), 5, &failures(24, 1000), 1_000_000).is_ok());
        assert!(gate(&policy(), 5, &failures(25, 1000), 1_000_000).is_err());
    }
}
