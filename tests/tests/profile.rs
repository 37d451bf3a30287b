//! The own profile end to end (seed 004 §3 "Edit Profile"): editable fields, NIK and name
//! fixed, optimistic concurrency, and changing the email with a code sent to the new
//! address.

use loket_e2e::{email, Api, Reply};
use serde_json::{json, Value};

async fn me(api: &Api, token: &str) -> Value {
    api.get("/me", Some(token)).await.expect(200).clone()
}

async fn patch(api: &Api, token: &str, body: Value) -> Reply {
    api.call("PATCH", "/me", Some(token), Some(body)).await
}

#[tokio::test]
async fn the_profile_edits_phone_occupation_and_address_but_never_nik_or_name() {
    let api = Api::new();
    let (nik, _, _, token) = api.new_applicant("profil").await;
    let before = me(&api, &token).await;
    let version = before["version"].as_i64().unwrap();

    let r = patch(
        &api,
        &token,
        json!({
            "version": version,
            "phone": "+62 813-4567-8901",
            "occupation": "Wiraswasta",
            "address": "Jl. Sultan Hasanuddin No. 7",
            "province_code": "64", "regency_code": "64.72", "district_code": "64.72.01",
            "village_code": "64.72.01.1002", "postal_code": "75253",
        }),
    )
    .await;
    let body = r.expect(200);
    assert_eq!(body["message"], "Data berhasil disimpan");
    assert_eq!(body["profile"]["version"], version + 1);

    let after = me(&api, &token).await;
    assert_eq!(after["phone"], "081345678901");
    assert_eq!(after["occupation"], "Wiraswasta");
    let address = &after["address"];
    assert_eq!(address["street"], "Jl. Sultan Hasanuddin No. 7");
    assert_eq!(address["village_code"], "64.72.01.1002");
    assert_eq!(address["village_name"], "Handil Bakti");
    assert_eq!(address["district_name"], "Palaran");
    assert_eq!(address["regency_name"], "Kota Samarinda");
    assert_eq!(address["province_name"], "Kalimantan Timur");
    assert_eq!(address["postal_code"], "75253");
    assert_eq!(after["version"], version + 1);
    // Untouched fields stay.
    assert_eq!(after["nik"], nik.as_str());
    assert_eq!(after["name"], before["name"]);
    assert_eq!(after["email"], before["email"]);
    assert_eq!(after["education"], before["education"]);

    // NIK and name cannot change; the whole request is refused.
    let other_nik = loket_e2e::nik(5, 5, 85, false);
    let r = patch(
        &api,
        &token,
        json!({ "nik": other_nik, "occupation": "Petani" }),
    )
    .await;
    r.expect_error(400, "field_readonly");
    assert_eq!(r.message(), "NIK dan Nama tidak dapat diubah");
    assert_eq!(r.body["field"], "nik");
    let r = patch(
        &api,
        &token,
        json!({ "name": "Budi Santoso", "phone": "0811-1111-2222" }),
    )
    .await;
    r.expect_error(400, "field_readonly");
    assert_eq!(r.body["field"], "name");
    assert_eq!(
        me(&api, &token).await,
        after,
        "a refused edit changes nothing"
    );

    // Sending them unchanged (as a form does) is fine.
    let r = patch(
        &api,
        &token,
        json!({ "nik": nik, "name": before["name"], "position": "Pemilik Usaha" }),
    )
    .await;
    r.expect(200);

    // An edit based on an old version is refused and changes nothing.
    let r = patch(
        &api,
        &token,
        json!({ "version": version, "occupation": "Nelayan" }),
    )
    .await;
    r.expect_error(409, "concurrent_update");
    let last = me(&api, &token).await;
    assert_eq!(last["occupation"], "Wiraswasta");
    assert_eq!(last["position"], "Pemilik Usaha");
    assert_eq!(last["version"], version + 2);

    patch(&api, "bukan-token", json!({ "occupation": "Nelayan" }))
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_new_email_needs_the_code_sent_to_it_and_frees_the_old_one() {
    let api = Api::new();
    let (_, old_mail, password, token) = api.new_applicant("surel-lama").await;
    let new_mail = email("surel-baru");

    // No code yet, then a wrong code: refused, nothing changes.
    patch(
        &api,
        &token,
        json!({ "email": new_mail, "email_code": "123456" }),
    )
    .await
    .expect_error(400, "email_code_invalid");
    let code = api.registration_code(&new_mail).await;
    let wrong = if code == "654321" { "123456" } else { "654321" };
    let r = patch(
        &api,
        &token,
        json!({ "email": new_mail, "email_code": wrong }),
    )
    .await;
    r.expect_error(400, "email_code_invalid");
    assert_eq!(r.message(), "Kode Email Yang Anda Inputkan Salah!");
    assert_eq!(me(&api, &token).await["email"], old_mail.as_str());

    let r = patch(
        &api,
        &token,
        json!({ "email": new_mail.to_uppercase(), "email_code": code }),
    )
    .await;
    let body = r.expect(200);
    assert_eq!(body["message"], "Data berhasil disimpan");
    assert_eq!(body["profile"]["email"], new_mail.as_str());
    assert_eq!(me(&api, &token).await["email"], new_mail.as_str());

    // Sign-in follows the email.
    let r = api.login(&new_mail, &password).await;
    assert_eq!(r.expect(200)["user"]["email"], new_mail.as_str());
    api.login(&old_mail, &password)
        .await
        .expect_error(401, "login_failed");

    // The new address is taken, the old one is free for someone else.
    api.post(
        "/auth/registration-code",
        None,
        json!({ "email": new_mail }),
    )
    .await
    .expect_error(409, "email_taken");
    let someone = api.from_other_address();
    let code = someone.registration_code(&old_mail).await;
    let nik = loket_e2e::nik(21, 4, 87, true);
    let r = someone
        .post(
            "/auth/register",
            None,
            someone.registration(&nik, &old_mail, &code, json!({})),
        )
        .await;
    r.expect(201);
}

#[tokio::test]
async fn two_concurrent_edits_of_one_version_have_exactly_one_winner() {
    let api = Api::new();
    let (_, _, _, token) = api.new_applicant("bersamaan").await;
    let version = me(&api, &token).await["version"].as_i64().unwrap();

    let (a, b) = tokio::join!(
        patch(
            &api,
            &token,
            json!({ "version": version, "occupation": "Guru" })
        ),
        patch(
            &api,
            &token,
            json!({ "version": version, "occupation": "Petani" })
        )
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "a: {} b: {}", a.body, b.body);
    let (winner, loser) = if a.status == 200 {
        ("Guru", &b)
    } else {
        ("Petani", &a)
    };
    assert_eq!(loser.code(), "concurrent_update");
    let after = me(&api, &token).await;
    assert_eq!(after["occupation"], winner);
    assert_eq!(after["version"], version + 1);
}
