//! Sign-in end to end: NIK, email and NRK identifiers, one answer for every wrong
//! credential, per-account throttling and lockout, per-address throttling, refresh token
//! rotation with reuse detection, and logout.

use loket_e2e::{email, Api, DEMO_APPLICANT, DEMO_APPLICANT_NIK, DEMO_PASSWORD};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const WRONG_PASSWORD: &str = "Salah-Sandi-2026";
const LOGIN_FAILED: &str = "NIK/Email atau password salah";
const SESSION_ENDED: &str = "Sesi Anda sudah berakhir, silakan login kembali";

/// The throttling delay of the test stack after `failures` failures (400 ms base).
fn delay_after(failures: u32) -> Duration {
    Duration::from_millis(400 << (failures - 5))
}

/// Checks a successful sign-in reply and returns its body.
#[track_caller]
fn signed_in(r: &loket_e2e::Reply, mail: &str, roles: Value) -> Value {
    let body = r.expect(200).clone();
    assert!(
        body["access_token"].as_str().is_some_and(|t| t.len() > 20),
        "{body}"
    );
    assert!(
        body["refresh_token"].as_str().is_some_and(|t| t.len() > 20),
        "{body}"
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["user"]["email"], mail);
    assert_eq!(body["user"]["roles"], roles);
    body
}

#[tokio::test]
async fn an_account_signs_in_with_nik_with_email_in_any_case_and_a_buyer_with_nrk() {
    let api = Api::new();

    let by_nik = api.login(DEMO_APPLICANT_NIK, DEMO_PASSWORD).await;
    let by_nik = signed_in(&by_nik, DEMO_APPLICANT, json!(["applicant"]));
    let me = api
        .get("/me", by_nik["access_token"].as_str())
        .await
        .expect(200)
        .clone();
    assert_eq!(me["nik"], DEMO_APPLICANT_NIK);
    assert_eq!(me["email"], DEMO_APPLICANT);

    let by_email = api.login(" PEMOHON@Demo.Loket.ID ", DEMO_PASSWORD).await;
    let by_email = signed_in(&by_email, DEMO_APPLICANT, json!(["applicant"]));
    assert_eq!(by_email["user"]["id"], by_nik["user"]["id"]);
    assert_ne!(
        by_email["refresh_token"], by_nik["refresh_token"],
        "every sign-in opens its own session"
    );

    let buyer = api.login("198765", DEMO_PASSWORD).await;
    let buyer = signed_in(&buyer, "pembeli@demo.loket.id", json!(["buyer"]));
    assert_eq!(buyer["user"]["org"], "141732");
    let me = api.get("/me", buyer["access_token"].as_str()).await;
    assert_eq!(me.expect(200)["nrk"], "198765");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_identifier_get_the_same_answer() {
    let api = Api::new();
    let (nik, mail, password, _) = api.new_applicant("salah").await;

    let wrong_password = api.login(&mail, WRONG_PASSWORD).await;
    wrong_password.expect_error(401, "login_failed");
    assert_eq!(wrong_password.message(), LOGIN_FAILED);
    let unknown_email = api.login(&email("tidak-terdaftar"), WRONG_PASSWORD).await;
    let unknown_nik = api.login("6472015708900001", WRONG_PASSWORD).await;
    let wrong_with_nik = api.login(&nik, WRONG_PASSWORD).await;
    for other in [&unknown_email, &unknown_nik, &wrong_with_nik] {
        assert_eq!(
            (other.status, &other.body),
            (wrong_password.status, &wrong_password.body),
            "an unknown identifier must not be distinguishable from a wrong password"
        );
    }

    // A missing or wrong captcha is refused before the password is looked at, even with
    // the right password.
    let no_captcha = api
        .post(
            "/auth/login",
            None,
            json!({ "identifier": mail, "password": password }),
        )
        .await;
    no_captcha.expect_error(400, "captcha_invalid");
    assert_eq!(no_captcha.message(), "Captcha Invalid");
    let bad_captcha = api
        .post(
            "/auth/login",
            None,
            json!({ "identifier": mail, "password": password, "captcha_token": "bukan-captcha" }),
        )
        .await;
    bad_captcha.expect_error(400, "captcha_invalid");

    // Two failures are below every threshold: the right password still works.
    signed_in(
        &api.login(&mail, &password).await,
        &mail,
        json!(["applicant"]),
    );
}

#[tokio::test]
async fn wrong_passwords_throttle_then_lock_the_account_even_for_the_right_password() {
    let api = Api::new();
    let (nik, mail, password, _) = api.new_applicant("kunci").await;

    for _ in 0..5 {
        api.login(&mail, WRONG_PASSWORD)
            .await
            .expect_error(401, "login_failed");
    }
    // The sixth attempt, right away, must wait.
    let r = api.login(&mail, WRONG_PASSWORD).await;
    r.expect_error(429, "login_throttled");
    assert!(r.message().contains("detik"), "{}", r.body);
    assert!(r.body["retry_after"].as_u64().unwrap() >= 1, "{}", r.body);

    // Waiting out each delay lets one more attempt through; an immediate one is refused,
    // and the delay doubles with every failure.
    let mut failures = 5;
    while failures < 10 {
        tokio::time::sleep(delay_after(failures) + Duration::from_millis(60)).await;
        api.login(&mail, WRONG_PASSWORD)
            .await
            .expect_error(401, "login_failed");
        failures += 1;
        if failures == 9 {
            // 400 ms × 2^4 = 6.4 s after the ninth failure: the client is told 6 or 7 s.
            let r = api.login(&nik, WRONG_PASSWORD).await;
            r.expect_error(429, "login_throttled");
            let wait = r.body["retry_after"].as_u64().unwrap();
            assert!((6..=7).contains(&wait), "{}", r.body);
        }
    }

    // Ten failures lock the account: the right password is refused, by email, by NIK and
    // from another address.
    let locked = api.login(&mail, &password).await;
    locked.expect_error(429, "login_locked");
    assert!(locked.message().contains("menit"), "{}", locked.body);
    assert!(locked.message().contains("15 menit"), "{}", locked.body);
    api.login(&nik, &password)
        .await
        .expect_error(429, "login_locked");
    api.from_other_address()
        .login(&mail, &password)
        .await
        .expect_error(429, "login_locked");
}

#[tokio::test]
async fn concurrent_wrong_passwords_count_towards_the_lock_and_only_the_allowed_are_checked() {
    let api = Arc::new(Api::new());
    let (_, mail, password, _) = api.new_applicant("serbu").await;

    // Twelve wrong passwords at once, as a scripted attacker would send them.
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (api, mail) = (api.clone(), mail.clone());
        burst.spawn(async move { api.login(&mail, &format!("Tebakan-Ke-{i}")).await });
    }
    let mut failed = 0;
    let mut refused = 0;
    while let Some(r) = burst.join_next().await {
        let r = r.unwrap();
        match (r.status, r.code()) {
            (401, "login_failed") => failed += 1,
            (429, "login_throttled") | (429, "login_locked") => refused += 1,
            _ => panic!("unexpected reply: {}", r.body),
        }
    }
    assert_eq!(failed + refused, 12);

    // Every password that was actually checked and found wrong is a failure. If some of
    // the burst was refused before checking, make up the difference one at a time: the
    // tenth checked failure must lock the account, even for the right password.
    // (The throttle's waits are passed by moving the test stack's clock.)
    let mut checked = failed;
    let mut clock = api.later(0);
    while checked < 10 {
        let r = clock.login(&mail, WRONG_PASSWORD).await;
        match (r.status, r.code()) {
            (401, "login_failed") => checked += 1,
            (429, "login_throttled") => clock = clock.later(8),
            _ => panic!("after {checked} counted failures: {}", r.body),
        }
    }
    let r = clock.login(&mail, &password).await;
    assert_eq!(
        (r.status, r.code()),
        (429, "login_locked"),
        "{checked} wrong passwords were checked ({failed} in the burst), yet the account is not locked: {}",
        r.body
    );
}

#[tokio::test]
async fn many_failures_from_one_address_throttle_that_address_only() {
    let api = Api::new();
    let (_, mail, password, _) = api.new_applicant("alamat").await;

    // 24 failures spread over different unknown identifiers stay under the address
    // threshold (25): the 25th attempt is still checked.
    for i in 0..25 {
        api.login(&email(&format!("tebak{i}")), WRONG_PASSWORD)
            .await
            .expect_error(401, "login_failed");
    }
    // 25 failures: the next attempt from this address must wait, whoever it is for.
    let r = api.login(&mail, &password).await;
    r.expect_error(429, "login_throttled");
    assert!(r.message().contains("detik"), "{}", r.body);

    // The account itself has no failures: from another address it signs in.
    let other = api.from_other_address();
    signed_in(
        &other.login(&mail, &password).await,
        &mail,
        json!(["applicant"]),
    );
}

async fn refresh(api: &Api, token: &Value) -> loket_e2e::Reply {
    api.post(
        "/auth/refresh",
        None,
        json!({ "refresh_token": token.as_str().unwrap() }),
    )
    .await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_ends_the_session() {
    let api = Api::new();
    let first = signed_in(
        &api.login(DEMO_APPLICANT, DEMO_PASSWORD).await,
        DEMO_APPLICANT,
        json!(["applicant"]),
    );
    let bystander = signed_in(
        &api.login(DEMO_APPLICANT, DEMO_PASSWORD).await,
        DEMO_APPLICANT,
        json!(["applicant"]),
    );

    let second = refresh(&api, &first["refresh_token"]).await;
    let second = signed_in(&second, DEMO_APPLICANT, json!(["applicant"]));
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    api.get("/me", second["access_token"].as_str())
        .await
        .expect(200);
    let third = refresh(&api, &second["refresh_token"]).await;
    let third = signed_in(&third, DEMO_APPLICANT, json!(["applicant"]));
    assert_ne!(third["refresh_token"], second["refresh_token"]);

    // The first token was rotated away: replaying it is refused and ends the session.
    let replay = refresh(&api, &first["refresh_token"]).await;
    replay.expect_error(401, "refresh_invalid");
    assert_eq!(replay.message(), SESSION_ENDED);
    refresh(&api, &third["refresh_token"])
        .await
        .expect_error(401, "refresh_invalid");
    api.get("/me", third["access_token"].as_str())
        .await
        .expect_error(401, "unauthenticated");

    // Only that session: the other sign-in of the same person continues.
    api.get("/me", bystander["access_token"].as_str())
        .await
        .expect(200);
    signed_in(
        &refresh(&api, &bystander["refresh_token"]).await,
        DEMO_APPLICANT,
        json!(["applicant"]),
    );

    // Garbage and missing tokens.
    refresh(&api, &json!("bukan.token.yang-sah"))
        .await
        .expect_error(401, "refresh_invalid");
    api.post("/auth/refresh", None, json!({}))
        .await
        .expect_error(400, "field_required");
}

#[tokio::test]
async fn after_logout_the_access_and_refresh_tokens_are_refused() {
    let api = Api::new();
    let session = signed_in(
        &api.login(DEMO_APPLICANT, DEMO_PASSWORD).await,
        DEMO_APPLICANT,
        json!(["applicant"]),
    );
    let other = signed_in(
        &api.login(DEMO_APPLICANT_NIK, DEMO_PASSWORD).await,
        DEMO_APPLICANT,
        json!(["applicant"]),
    );
    let access = session["access_token"].as_str();
    api.get("/me", access).await.expect(200);

    let r = api.post("/auth/logout", access, json!({})).await;
    assert_eq!(r.expect(200)["message"], "Anda telah keluar");

    let me = api.get("/me", access).await;
    me.expect_error(401, "unauthenticated");
    assert_eq!(
        me.message(),
        "Sesi Anda tidak valid atau sudah berakhir, silakan login kembali"
    );
    refresh(&api, &session["refresh_token"])
        .await
        .expect_error(401, "refresh_invalid");
    // The other session of the same person is untouched.
    api.get("/me", other["access_token"].as_str())
        .await
        .expect(200);

    api.get("/me", None)
        .await
        .expect_error(401, "unauthenticated");
    api.get("/me", Some("bukan-jwt"))
        .await
        .expect_error(401, "unauthenticated");
    api.post("/auth/logout", None, json!({}))
        .await
        .expect_error(401, "unauthenticated");
}
