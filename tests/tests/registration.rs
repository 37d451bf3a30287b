//! Applicant registration end to end: code by email, the seed's messages, duplicates,
//! and concurrent registrations with the same NIK.

use loket_e2e::{email, nik, Api, CAPTCHA};
use serde_json::json;

#[tokio::test]
async fn an_applicant_registers_with_the_emailed_code_and_signs_in_with_nik_or_email() {
    let api = Api::new();
    let mail = email("daftar");
    let nik = nik(3, 11, 88, true);
    let code = api.registration_code(&mail).await;
    let r = api
        .post(
            "/auth/register",
            None,
            api.registration(
                &nik,
                &mail,
                &code,
                json!({ "npwp": "01.234.567.4-012.000" }),
            ),
        )
        .await;
    let body = r.expect(201);
    assert_eq!(body["message"], "Pendaftaran akun berhasil");
    let token = body["session"]["access_token"].as_str().unwrap();

    let me = api.get("/me", Some(token)).await;
    let me = me.expect(200);
    assert_eq!(me["nik"], nik.as_str());
    assert_eq!(me["email"], mail.as_str());
    assert_eq!(me["npwp"], "012345674012000");
    assert_eq!(me["phone"], "081250001234");
    assert_eq!(me["address"]["village_name"], "Rawa Makmur");
    assert_eq!(me["address"]["regency_name"], "Kota Samarinda");
    assert_eq!(me["roles"], json!(["applicant"]));

    api.token(&nik, "Samarinda-Kota-7").await;
    api.token(&mail.to_uppercase(), "Samarinda-Kota-7").await;
}

#[tokio::test]
async fn the_registration_form_answers_with_the_seed_messages() {
    let api = Api::new();
    let mail = email("pesan");
    let nik = nik(9, 4, 91, false);
    let code = api.registration_code(&mail).await;
    let cases = [
        (
            json!({ "nik": "12345" }),
            "nik_invalid",
            "No NIK hanya boleh Angka 16 digit",
            "nik",
        ),
        (
            json!({ "password": "pendek" }),
            "password_too_short",
            "Gunakan minimal 8 karakter atau lebih untuk Password",
            "password",
        ),
        (
            json!({ "password": "semuakecil99" }),
            "password_no_uppercase",
            "Password harus berisi setidaknya satu Huruf Kapital",
            "password",
        ),
        (
            json!({ "password": "SEMUABESAR99" }),
            "password_no_lowercase",
            "Password harus berisi setidaknya satu Huruf kecil",
            "password",
        ),
        (
            json!({ "password": "Password123" }),
            "password_too_common",
            "Password terlalu umum dan mudah ditebak, gunakan password lain",
            "password",
        ),
        (
            json!({ "captcha_token": "salah" }),
            "captcha_invalid",
            "Captcha Invalid",
            "captcha_token",
        ),
        (
            json!({ "email_code": "000000" }),
            "email_code_invalid",
            "Kode Email Yang Anda Inputkan Salah!",
            "email_code",
        ),
        (
            json!({ "village_code": "64.72.02.1001" }),
            "region_invalid",
            "Kelurahan/Desa tidak ditemukan atau tidak sesuai dengan wilayah di atasnya",
            "village_code",
        ),
        (
            json!({ "npwp": "01.234.567.5-012.000" }),
            "npwp_invalid",
            "NPWP tidak valid: digit pemeriksa tidak sesuai",
            "npwp",
        ),
        (
            json!({ "gender": "P" }),
            "nik_mismatch",
            "Tanggal lahir dan jenis kelamin harus sesuai dengan NIK",
            "birth_date",
        ),
    ];
    for (extra, code_name, message, field) in cases {
        let r = api
            .post(
                "/auth/register",
                None,
                api.registration(&nik, &mail, &code, extra.clone()),
            )
            .await;
        assert_eq!(r.status, 400, "{extra}: {}", r.body);
        assert_eq!(
            (
                r.code(),
                r.message(),
                r.body["field"].as_str().unwrap_or_default()
            ),
            (code_name, message, field),
            "{extra}"
        );
    }
    // Nothing was written: the NIK and the email are still free, the code still works.
    let r = api
        .post(
            "/auth/register",
            None,
            api.registration(&nik, &mail, &code, json!({})),
        )
        .await;
    r.expect(201);
}

#[tokio::test]
async fn a_taken_nik_or_email_is_refused_with_the_seed_messages() {
    let api = Api::new();
    let (nik, taken_email, _, _) = api.new_applicant("ganda").await;

    let other = email("ganda2");
    let code = api.registration_code(&other).await;
    let r = api
        .post(
            "/auth/register",
            None,
            api.registration(&nik, &other, &code, json!({})),
        )
        .await;
    r.expect_error(409, "nik_taken");
    assert_eq!(
        r.message(),
        format!("NIK {nik} sudah terdaftar di database kami")
    );

    let r = api
        .post(
            "/auth/registration-code",
            None,
            json!({ "email": taken_email }),
        )
        .await;
    r.expect_error(409, "email_taken");
    assert_eq!(
        r.message(),
        format!("Email {taken_email} sudah terdaftar di database kami")
    );
}

#[tokio::test]
async fn wrong_codes_are_limited_and_codes_expire() {
    let api = Api::new();
    let mail = email("kode");
    let nik = nik(1, 1, 80, false);
    let code = api.registration_code(&mail).await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for _ in 0..5 {
        api.post(
            "/auth/register",
            None,
            api.registration(&nik, &mail, wrong, json!({})),
        )
        .await
        .expect_error(400, "email_code_invalid");
    }
    // The sixth try is refused even with the right code: ask for a new one.
    api.post(
        "/auth/register",
        None,
        api.registration(&nik, &mail, &code, json!({})),
    )
    .await
    .expect_error(429, "email_code_locked");

    // A new code can be asked once the cooldown (60 s) has passed; an immediate second
    // request is refused.
    let sent = api.emails(&mail).await.len();
    let after_cooldown = api.later(61);
    after_cooldown
        .post("/auth/registration-code", None, json!({ "email": mail }))
        .await
        .expect(202);
    let r = after_cooldown
        .post("/auth/registration-code", None, json!({ "email": mail }))
        .await;
    r.expect_error(429, "code_resend_too_soon");
    assert!(r.body["retry_after"].as_u64().unwrap() >= 1);
    let fresh = api
        .wait_email(&mail, "Kode Verifikasi", sent + 1)
        .await
        .digits_after("Kode verifikasi email Anda:", 6);

    // Codes live 10 minutes: after that the fresh code is refused.
    after_cooldown
        .later(601)
        .post(
            "/auth/register",
            None,
            api.registration(&nik, &mail, &fresh, json!({})),
        )
        .await
        .expect_error(400, "email_code_invalid");
}

#[tokio::test]
async fn two_concurrent_registrations_with_one_nik_have_exactly_one_winner() {
    let api = Api::new();
    let nik = nik(12, 6, 93, true);
    let (a, b) = (email("balapan-a"), email("balapan-b"));
    let (code_a, code_b) = tokio::join!(api.registration_code(&a), api.registration_code(&b));
    let body_a = api.registration(&nik, &a, &code_a, json!({}));
    let body_b = api.registration(&nik, &b, &code_b, json!({}));
    let (ra, rb) = tokio::join!(
        api.post("/auth/register", None, body_a),
        api.post("/auth/register", None, body_b)
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "a: {} b: {}", ra.body, rb.body);
    let (loser_email, loser_code, loser) = if ra.status == 409 {
        (&a, &code_a, &ra)
    } else {
        (&b, &code_b, &rb)
    };
    assert_eq!(loser.code(), "nik_taken");

    // Nothing half-written for the loser: no account, its email is still free and its
    // code was not consumed.
    api.login(loser_email, "Samarinda-Kota-7")
        .await
        .expect_error(401, "login_failed");
    let other_nik = loket_e2e::nik(13, 6, 93, true);
    let r = api
        .post(
            "/auth/register",
            None,
            api.registration(&other_nik, loser_email, loser_code, json!({})),
        )
        .await;
    r.expect(201);
}

#[tokio::test]
async fn registration_without_captcha_or_with_missing_fields_is_a_clear_400() {
    let api = Api::new();
    let r = api
        .post("/auth/register", None, json!({ "captcha_token": CAPTCHA }))
        .await;
    r.expect_error(400, "field_required");
    assert_eq!(r.message(), "NIK wajib diisi");
    let r = api.call("POST", "/auth/register", None, None).await;
    r.expect_error(400, "field_required");
    let bad = api.http_raw_post("/auth/register", "{\"nik\": ").await;
    bad.expect_error(400, "body_invalid");
}
