//! Sessions: one item per signed-in device, holding the keyed hash of its refresh token.
//!
//! Refresh token = `<user id>.<session id>.<secret>`. It is rotated on every use; a
//! token that does not match the stored hash (a stolen, already-rotated token) revokes
//! the whole session. Access tokens carry the session id and the account's session
//! version; every authenticated route checks the session still exists with that
//! version (`http::authenticate`, one read), so logout, password change and password
//! reset take effect at once on every route.

use crate::account::{self, Account, AccountStatus};
use loket_shared::auth::{Caller, Claims};
use loket_shared::crypto::random_token;
use loket_shared::store::{get_n, get_s, key, n, s, Item, Query, Tx};
use loket_shared::{ApiError, ApiResult, App};
use serde::Serialize;

pub fn session_sk(sid: &str) -> String {
    loket_shared::schema::session_sk(sid)
}

/// What a successful sign-in returns.
#[derive(Debug, Serialize)]
pub struct Tokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub user: UserSummary,
}

#[derive(Debug, Serialize)]
pub struct UserSummary {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<loket_shared::auth::Role>,
    pub org: Option<String>,
}

fn access_token(app: &App, a: &Account, sid: &str, now: i64) -> ApiResult<String> {
    app.tokens.sign(&Claims {
        sub: a.id.clone(),
        roles: a.roles.clone(),
        org: a.org.clone(),
        sid: sid.to_string(),
        sv: a.session_version,
        iss: app.tokens.issuer().to_string(),
        iat: now,
        exp: now + app.cfg.access_ttl_seconds,
    })
}

fn tokens(
    app: &App,
    a: &Account,
    sid: &str,
    secret: &str,
    now: i64,
    refresh_expires_at: i64,
) -> ApiResult<Tokens> {
    Ok(Tokens {
        access_token: access_token(app, a, sid, now)?,
        token_type: "Bearer",
        expires_in: app.cfg.access_ttl_seconds,
        refresh_token: format!("{}.{}.{}", a.id, sid, secret),
        refresh_expires_in: (refresh_expires_at - now).max(0),
        user: UserSummary {
            id: a.id.clone(),
            name: a.name.clone(),
            email: a.email.clone(),
            roles: a.roles.clone(),
            org: a.org.clone(),
        },
    })
}

/// A new session for `a`: the item to write (in the caller's transaction) and the tokens.
pub fn open(app: &App, a: &Account, source_ip: &str) -> ApiResult<(Item, Tokens)> {
    let now = app.clock.epoch();
    let sid = app.ids.id();
    let secret = random_token(32);
    let mut item = key(account::account_pk(&a.id), session_sk(&sid));
    item.insert(
        "refresh_hash".into(),
        s(app.pepper.hash("refresh", &secret)),
    );
    item.insert("session_version".into(), n(a.session_version));
    item.insert("created_at".into(), n(now));
    item.insert("last_used_at".into(), n(now));
    item.insert("source_ip".into(), s(source_ip));
    item.insert("expires_at".into(), n(now + app.cfg.refresh_ttl_seconds));
    item.insert("version".into(), n(1));
    let t = tokens(
        app,
        a,
        &sid,
        &secret,
        now,
        now + app.cfg.refresh_ttl_seconds,
    )?;
    Ok((item, t))
}

/// Adds the deletion of every session of `user_id` (except `keep`) to `tx`.
pub async fn revoke_all(
    app: &App,
    tx: &mut Tx,
    user_id: &str,
    keep: Option<&str>,
) -> ApiResult<()> {
    let q = Query::partition(account::account_pk(user_id))
        .sk_begins_with("SK", "SESSION#")
        .limit(100);
    let table = app.store.table().to_string();
    let sessions = app.store.query_all(&q).await?;
    let keep_sk = keep.map(session_sk);
    let mut budget = 90usize.saturating_sub(tx.len());
    for item in sessions {
        let sk = get_s(&item, "SK").unwrap_or_default().to_string();
        if Some(&sk) == keep_sk.as_ref() {
            continue;
        }
        if budget > 0 {
            tx.delete(&table, key(account::account_pk(user_id), sk));
            budget -= 1;
        } else {
            // Beyond one transaction's size the rest are deleted directly; the bumped
            // session version already makes their tokens useless.
            app.store.delete(&account::account_pk(user_id), &sk).await?;
        }
    }
    Ok(())
}

/// The caller's account (its session was checked by `http::authenticate`), refusing
/// an older session version or an account no longer active.
pub async fn live_account(app: &App, caller: &Caller) -> ApiResult<Account> {
    let acc = account::load(app, &caller.user_id)
        .await?
        .ok_or_else(ApiError::not_signed_in)?;
    if acc.session_version != caller.session_version || acc.status != AccountStatus::Active {
        return Err(ApiError::not_signed_in());
    }
    Ok(acc)
}

/// Binds a browser to a new session (before its item is written): the cookie's secret,
/// as a keyed hash. The cookie is `<user id>.<session id>.<secret>`; it never rotates
/// (unlike a refresh token) and dies with the session: sign-out, a password change (the
/// session version), the account disabled, or the session's lifetime.
pub fn bind_browser(app: &App, session_item: &mut Item, secret: &str) {
    session_item.insert("web_hash".into(), s(app.pepper.hash("web-session", secret)));
}

/// The cookie value of a browser session opened with `tokens` and `secret`.
pub fn browser_cookie(tokens: &Tokens, secret: &str) -> String {
    let sid = tokens
        .refresh_token
        .split('.')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    format!("{}.{sid}.{secret}", tokens.user.id)
}

/// The signed-in person of a browser session cookie, with the account's name; `None`
/// for a missing, forged, ended or expired session.
pub async fn browser_caller(app: &App, cookie: &str) -> ApiResult<Option<(Caller, String)>> {
    let mut parts = cookie.trim().splitn(3, '.');
    let (Some(uid), Some(sid), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    if uid.len() > 40 || sid.len() > 40 || secret.len() > 100 {
        return Ok(None);
    }
    let pk = account::account_pk(uid);
    let sk = session_sk(sid);
    let (acc, sess) = tokio::join!(account::load(app, uid), app.store.get(&pk, &sk));
    let (Some(acc), Some(sess)) = (acc?, sess?) else {
        return Ok(None);
    };
    let stored = get_s(&sess, "web_hash").unwrap_or_default();
    if stored.is_empty()
        || !app.pepper.verify("web-session", secret, stored)
        || get_n(&sess, "expires_at").unwrap_or(0) <= app.clock.epoch()
        || get_n(&sess, "session_version").unwrap_or(-1) != acc.session_version as i64
        || acc.status != AccountStatus::Active
    {
        return Ok(None);
    }
    tracing::Span::current().record("user_id", uid);
    let caller = Caller {
        user_id: acc.id.clone(),
        roles: acc.roles.clone(),
        org: acc.org.clone(),
        session_id: sid.to_string(),
        session_version: acc.session_version,
    };
    Ok(Some((caller, acc.name)))
}

/// Ends a session (sign-out).
pub async fn end(app: &App, user_id: &str, session_id: &str) -> ApiResult<()> {
    app.store
        .delete(&account::account_pk(user_id), &session_sk(session_id))
        .await
}

fn refresh_invalid() -> ApiError {
    ApiError::unauthorized(
        "refresh_invalid",
        "Sesi Anda sudah berakhir, silakan login kembali",
    )
}

/// Rotates a refresh token: new access token and new refresh secret.
pub async fn refresh(app: &App, token: &str) -> ApiResult<Tokens> {
    let mut parts = token.trim().splitn(3, '.');
    let (Some(uid), Some(sid), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(refresh_invalid());
    };
    if uid.len() > 40 || sid.len() > 40 || secret.len() > 100 {
        return Err(refresh_invalid());
    }
    let pk = account::account_pk(uid);
    let sk = session_sk(sid);
    let now = app.clock.epoch();
    let (acc, sess) = tokio::join!(account::load(app, uid), app.store.get(&pk, &sk));
    let (Some(acc), Some(sess)) = (acc?, sess?) else {
        return Err(refresh_invalid());
    };
    let stored = get_s(&sess, "refresh_hash").unwrap_or_default();
    if !app.pepper.verify("refresh", secret, stored) {
        // A rotated (old) token was replayed: someone else may hold this session.
        tracing::warn!(
            user_id = uid,
            "refresh token reuse detected, revoking session"
        );
        app.store.delete(&pk, &sk).await?;
        return Err(refresh_invalid());
    }
    if get_n(&sess, "expires_at").unwrap_or(0) <= now
        || get_n(&sess, "session_version").unwrap_or(0) != acc.session_version as i64
        || acc.status != AccountStatus::Active
    {
        return Err(refresh_invalid());
    }
    let version = get_n(&sess, "version").unwrap_or(1);
    let secret_new = random_token(32);
    let updated = app
        .store
        .update_if(
            key(&pk, &sk),
            "SET refresh_hash = :h, last_used_at = :now, version = :next",
            "version = :v",
            Default::default(),
            [
                (":h".to_string(), s(app.pepper.hash("refresh", &secret_new))),
                (":now".to_string(), n(now)),
                (":next".to_string(), n(version + 1)),
                (":v".to_string(), n(version)),
            ]
            .into(),
        )
        .await?;
    if updated.is_none() {
        // Two refreshes raced with the same token: only one rotation counts.
        return Err(refresh_invalid());
    }
    // A session has a fixed lifetime from sign-in; refreshing does not extend it.
    let expires_at = get_n(&sess, "expires_at").unwrap_or(now);
    tokens(app, &acc, sid, &secret_new, now, expires_at)
}
