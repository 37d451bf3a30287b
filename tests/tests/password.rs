//! Passwords end to end: forgot password with NIK + phone + email and an emailed PIN
//! (seed 004 §2.3.3), the PIN's attempt limit, and changing the password from the profile.

use loket_e2e::{email, Api, Reply, CAPTCHA};
use serde_json::{json, Value};

/// The phone number `Api::registration` gives every new applicant, as typed.
const PHONE: &str = "0812-5000-1234";
const NEW_PASSWORD: &str = "Pesut-Mahakam-88";

fn reset_request(nik: &str, phone: &str, mail: &str) -> Value {
    json!({ "nik": nik, "phone": phone, "email": mail, "captcha_token": CAPTCHA })
}

fn confirmation(reset_id: &str, pin: &str, new: &str, repeat: &str) -> Value {
    json!({
        "reset_id": reset_id, "pin": pin,
        "new_password": new, "new_password_confirmation": repeat,
    })
}

fn other_pin(pin: &str) -> String {
    if pin == "000000" { "111111" } else { "000000" }.to_string()
}

/// Both tokens of a sign-in reply (`access_token`, `refresh_token`) are refused.
async fn assert_session_ended(api: &Api, session: &Value) {
    api.get("/me", session["access_token"].as_str())
        .await
        .expect_error(401, "unauthenticated");
    api.post(
        "/auth/refresh",
        None,
        json!({ "refresh_token": session["refresh_token"] }),
    )
    .await
    .expect_error(401, "refresh_invalid");
}

/// Asks for a PIN for the applicant and returns (reset id, PIN from the email).
async fn request_pin(api: &Api, nik: &str, mail: &str) -> (String, String) {
    let before = api
        .emails(mail)
        .await
        .iter()
        .filter(|e| e.subject.contains("PIN Reset Password"))
        .count();
    let r = api
        .post(
            "/auth/password-reset",
            None,
            reset_request(nik, PHONE, mail),
        )
        .await;
    let body = r.expect(202);
    assert_eq!(
        body["message"],
        "PIN verifikasi telah dikirim ke email Anda"
    );
    let reset_id = body["reset_id"].as_str().unwrap().to_string();
    let pin = api
        .wait_email(mail, "PIN Reset Password", before + 1)
        .await
        .digits_after("mengatur ulang password Anda:", 6);
    (reset_id, pin)
}

#[tokio::test]
async fn forgot_password_with_an_emailed_pin_replaces_the_password_and_ends_every_session() {
    let api = Api::new();
    let (nik, mail, old_password, _) = api.new_applicant("lupa").await;
    let before = api.login(&mail, &old_password).await.expect(200).clone();

    // NIK, phone and email must all belong to one account. (Requests are counted per
    // NIK, three an hour, before matching: two mismatches here, the third is the real one.)
    let someone_else = loket_e2e::nik(2, 2, 92, false);
    let mismatches = [
        reset_request(&nik, "0812-5000-9999", &mail),
        reset_request(&nik, PHONE, &email("orang-lain")),
        reset_request(&someone_else, PHONE, &mail),
    ];
    for body in mismatches {
        let r = api.post("/auth/password-reset", None, body.clone()).await;
        r.expect_error(400, "reset_identity_mismatch");
        assert_eq!(
            r.message(),
            "No KTP / NPWP, No.Telp dan Email Anda Harus Benar!",
            "{body}"
        );
    }
    assert!(
        api.emails(&mail)
            .await
            .iter()
            .all(|e| !e.subject.contains("PIN Reset Password")),
        "no PIN may be sent for a mismatch"
    );
    let mut no_captcha = reset_request(&someone_else, PHONE, &mail);
    no_captcha["captcha_token"] = json!("salah");
    api.post("/auth/password-reset", None, no_captcha)
        .await
        .expect_error(400, "captcha_invalid");

    // The right data, typed differently (phone with country code, email in capitals).
    let r = api
        .post(
            "/auth/password-reset",
            None,
            reset_request(&nik, "+62 812 5000 1234", &mail.to_uppercase()),
        )
        .await;
    let reset_id = r.expect(202)["reset_id"].as_str().unwrap().to_string();
    let pin = api
        .wait_email(&mail, "PIN Reset Password", 1)
        .await
        .digits_after("mengatur ulang password Anda:", 6);

    let confirm = |body: Value| api.post("/auth/password-reset/confirm", None, body);
    let wrong = confirm(confirmation(
        &reset_id,
        &other_pin(&pin),
        NEW_PASSWORD,
        NEW_PASSWORD,
    ))
    .await;
    wrong.expect_error(400, "pin_invalid");
    assert_eq!(wrong.message(), "PIN salah atau sudah kedaluwarsa");
    let mismatch = confirm(confirmation(
        &reset_id,
        &pin,
        NEW_PASSWORD,
        "Pesut-Mahakam-89",
    ))
    .await;
    mismatch.expect_error(400, "password_mismatch");
    assert_eq!(
        mismatch.message(),
        "Ulangi password baru harus sama dengan password baru"
    );
    let weak = confirm(confirmation(&reset_id, &pin, "pendek", "pendek")).await;
    weak.expect_error(400, "password_too_short");
    assert_eq!(
        weak.message(),
        "Gunakan minimal 8 karakter atau lebih untuk Password"
    );
    assert_eq!(weak.body["field"], "new_password");
    // Nothing changed so far.
    api.login(&mail, &old_password).await.expect(200);

    let done = confirm(confirmation(&reset_id, &pin, NEW_PASSWORD, NEW_PASSWORD)).await;
    assert_eq!(done.expect(200)["message"], "Password berhasil diubah");

    api.login(&mail, &old_password)
        .await
        .expect_error(401, "login_failed");
    api.login(&nik, NEW_PASSWORD).await.expect(200);
    // Tokens issued before the reset are dead.
    assert_session_ended(&api, &before).await;
    // The PIN is single use.
    confirm(confirmation(
        &reset_id,
        &pin,
        "Pesut-Mahakam-99",
        "Pesut-Mahakam-99",
    ))
    .await
    .expect_error(400, "pin_invalid");
    api.login(&mail, NEW_PASSWORD).await.expect(200);

    let notice = api.wait_email(&mail, "Password Anda Telah Diubah", 1).await;
    assert!(notice
        .body
        .contains("semua sesi login sebelumnya telah diakhiri"));
}

#[tokio::test]
async fn five_wrong_pins_lock_the_reset_even_for_the_right_pin() {
    let api = Api::new();
    let (nik, mail, password, _) = api.new_applicant("pin").await;
    let (reset_id, pin) = request_pin(&api, &nik, &mail).await;
    let wrong = other_pin(&pin);
    for _ in 0..5 {
        api.post(
            "/auth/password-reset/confirm",
            None,
            confirmation(&reset_id, &wrong, NEW_PASSWORD, NEW_PASSWORD),
        )
        .await
        .expect_error(400, "pin_invalid");
    }
    let r = api
        .post(
            "/auth/password-reset/confirm",
            None,
            confirmation(&reset_id, &pin, NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    r.expect_error(429, "pin_locked");
    assert_eq!(
        r.message(),
        "Terlalu banyak percobaan PIN yang salah. Silakan minta PIN baru."
    );
    // The password did not change.
    api.login(&mail, &password).await.expect(200);
    api.login(&mail, NEW_PASSWORD)
        .await
        .expect_error(401, "login_failed");
}

#[tokio::test]
async fn an_expired_pin_is_refused_and_a_new_one_works() {
    let api = Api::new();
    let (nik, mail, password, _) = api.new_applicant("pin-basi").await;
    let (reset_id, pin) = request_pin(&api, &nik, &mail).await;
    // PINs live 10 minutes.
    let r = api
        .later(601)
        .post(
            "/auth/password-reset/confirm",
            None,
            confirmation(&reset_id, &pin, NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    r.expect_error(400, "pin_invalid");
    assert_eq!(r.message(), "PIN salah atau sudah kedaluwarsa");
    api.login(&mail, &password).await.expect(200);

    let (fresh_id, fresh_pin) = request_pin(&api, &nik, &mail).await;
    assert_ne!(fresh_id, reset_id);
    api.post(
        "/auth/password-reset/confirm",
        None,
        confirmation(&fresh_id, &fresh_pin, NEW_PASSWORD, NEW_PASSWORD),
    )
    .await
    .expect(200);
    api.login(&mail, NEW_PASSWORD).await.expect(200);
}

#[tokio::test]
async fn requests_failing_the_captcha_or_the_match_do_not_use_up_the_owners_reset_quota() {
    let api = Api::new();
    let (nik, mail, _, _) = api.new_applicant("kuota").await;
    // Someone who only knows the NIK sends requests without solving the captcha, from
    // several addresses.
    for _ in 0..3 {
        let stranger = api.from_other_address();
        let mut body = reset_request(&nik, "0811-1111-1111", &email("iseng"));
        body["captcha_token"] = json!("tanpa-captcha");
        stranger
            .post("/auth/password-reset", None, body)
            .await
            .expect_error(400, "captcha_invalid");
    }
    // Or solves it, with the victim's NIK and wrong phone and email (the per-NIK limit
    // is 3 per hour: these must not count).
    for _ in 0..4 {
        let stranger = api.from_other_address();
        stranger
            .post(
                "/auth/password-reset",
                None,
                reset_request(&nik, "0811-1111-1111", &email("iseng")),
            )
            .await
            .expect_error(400, "reset_identity_mismatch");
    }
    // The owner, with the right data and a solved captcha, still gets a PIN.
    let r = api
        .post(
            "/auth/password-reset",
            None,
            reset_request(&nik, PHONE, &mail),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (202, ""),
        "requests refused for their captcha blocked the owner's reset: {}",
        r.body
    );
    api.wait_email(&mail, "PIN Reset Password", 1).await;
}

async fn change(api: &Api, token: &str, old: &str, new: &str, repeat: &str) -> Reply {
    api.call(
        "PUT",
        "/me/password",
        Some(token),
        Some(json!({
            "old_password": old, "new_password": new, "new_password_confirmation": repeat,
        })),
    )
    .await
}

#[tokio::test]
async fn changing_the_password_keeps_only_the_new_session() {
    let api = Api::new();
    let (_, mail, password, registration_token) = api.new_applicant("ganti-sandi").await;
    let elsewhere = api.login(&mail, &password).await.expect(200).clone();
    let elsewhere_access = elsewhere["access_token"].as_str();

    let r = change(
        &api,
        &registration_token,
        "Bukan-Sandi-Lama-1",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    r.expect_error(400, "old_password_wrong");
    assert_eq!(r.message(), "Password lama salah");
    change(
        &api,
        &registration_token,
        &password,
        NEW_PASSWORD,
        "Pesut-Mahakam-89",
    )
    .await
    .expect_error(400, "password_mismatch");
    change(&api, &registration_token, &password, &password, &password)
        .await
        .expect_error(400, "password_unchanged");
    // Nothing changed: both sessions still work.
    api.get("/me", elsewhere_access).await.expect(200);
    api.get("/me", Some(&registration_token)).await.expect(200);

    let r = change(
        &api,
        &registration_token,
        &password,
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    let body = r.expect(200).clone();
    assert_eq!(body["message"], "Password berhasil diubah");
    let fresh = body["session"]["access_token"].as_str().unwrap();
    api.get("/me", Some(fresh)).await.expect(200);

    // Every session from before, the other device's and the caller's own, has ended.
    assert_session_ended(&api, &elsewhere).await;
    api.get("/me", Some(&registration_token))
        .await
        .expect_error(401, "unauthenticated");
    // The fresh session's refresh token works.
    api.post(
        "/auth/refresh",
        None,
        json!({ "refresh_token": body["session"]["refresh_token"] }),
    )
    .await
    .expect(200);

    api.login(&mail, &password)
        .await
        .expect_error(401, "login_failed");
    api.login(&mail, NEW_PASSWORD).await.expect(200);
    api.wait_email(&mail, "Password Anda Telah Diubah", 1).await;

    api.call(
        "PUT",
        "/me/password",
        None,
        Some(
            json!({ "old_password": NEW_PASSWORD, "new_password": "Pesut-Mahakam-99",
            "new_password_confirmation": "Pesut-Mahakam-99" }),
        ),
    )
    .await
    .expect_error(401, "unauthenticated");
}
