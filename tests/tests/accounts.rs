//! Accounts that start without a password, end to end: vendor self-registration with the
//! "Aktifkan akun Saya!" link (seed 000 §1.2), officer and buyer accounts created by an
//! admin, the officers of an organisation, and the public reference data.

use loket_e2e::{email, Api, Reply, CAPTCHA, DEMO_ADMIN, DEMO_APPLICANT, DEMO_PASSWORD};
use serde_json::{json, Value};

const DPMPTSP_NAME: &str =
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Timur";
const SKPD_141201_NAME: &str = "Dinas Koperasi, Usaha Mikro, Kecil dan Menengah, serta Perdagangan";

async fn show(api: &Api, token: &str) -> Reply {
    api.get(&format!("/accounts/activation?token={token}"), None)
        .await
}

async fn activate(api: &Api, token: &str, password: &str, repeat: &str) -> Reply {
    api.post(
        "/accounts/activation",
        None,
        json!({ "token": token, "password": password, "password_confirmation": repeat }),
    )
    .await
}

fn vendor_registration(name: &str, mail: &str, skpd: &str) -> Value {
    json!({ "name": name, "email": mail, "skpd_code": skpd, "captcha_token": CAPTCHA })
}

/// A fresh 12-digit staff number (NRK).
fn nrk() -> String {
    (100_000_000_000u64 + rand::random::<u64>() % 899_999_999_999).to_string()
}

#[tokio::test]
async fn a_vendor_registers_activates_with_the_emailed_link_and_signs_in() {
    let api = Api::new();
    let mail = email("umkm");
    let r = api
        .post(
            "/vendors/registrations",
            None,
            vendor_registration("Sri  Rahayu", &mail, "141201"),
        )
        .await;
    let body = r.expect(201);
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));

    let invitation = api.wait_email(&mail, "Aktivasi Akun UMKM Anda", 1).await;
    assert_eq!(invitation.subject, "Aktivasi Akun UMKM Anda");
    assert!(invitation.body.contains("Aktifkan akun Saya!"));
    assert!(invitation.body.contains("/aktivasi?token="));
    let token = invitation.link_param("token");
    assert!(token.len() >= 32, "{token}");

    // The activation page shows the account and changes nothing (twice is fine).
    for _ in 0..2 {
        let page = show(&api, &token).await;
        let page = page.expect(200);
        assert_eq!(page["name"], "Sri Rahayu");
        assert_eq!(page["email"], mail.as_str());
        assert_eq!(page["roles"], json!(["vendor"]));
        assert_eq!(
            page["org"],
            json!({ "code": "141201", "name": SKPD_141201_NAME })
        );
    }
    // Not active yet: no password works.
    api.login(&mail, "Kerajinan-Rotan-7")
        .await
        .expect_error(401, "login_failed");

    let weak = activate(&api, &token, "pendek", "pendek").await;
    weak.expect_error(400, "password_too_short");
    assert_eq!(
        weak.message(),
        "Gunakan minimal 8 karakter atau lebih untuk Password"
    );
    let common = activate(&api, &token, "Password123", "Password123").await;
    common.expect_error(400, "password_too_common");
    assert_eq!(
        common.message(),
        "Password terlalu umum dan mudah ditebak, gunakan password lain"
    );
    let mismatch = activate(&api, &token, "Kerajinan-Rotan-7", "Kerajinan-Rotan-8").await;
    mismatch.expect_error(400, "password_mismatch");
    assert_eq!(mismatch.message(), "Konfirmasi password tidak sama");
    show(&api, &token).await.expect(200);

    let r = activate(&api, &token, "Kerajinan-Rotan-7", "Kerajinan-Rotan-7").await;
    let body = r.expect(200);
    assert_eq!(body["message"], "Akun Anda telah aktif");
    let session = body["session"]["access_token"].as_str().unwrap();
    let me = api.get("/me", Some(session)).await;
    let me = me.expect(200);
    assert_eq!(me["status"], "active");
    assert_eq!(me["org"], "141201");

    let r = api.login(&mail.to_uppercase(), "Kerajinan-Rotan-7").await;
    let body = r.expect(200);
    assert_eq!(body["user"]["roles"], json!(["vendor"]));
    assert_eq!(body["user"]["org"], "141201");

    // The link is single use.
    activate(&api, &token, "Kerajinan-Rotan-9", "Kerajinan-Rotan-9")
        .await
        .expect_error(404, "activation_invalid");
    show(&api, &token)
        .await
        .expect_error(404, "activation_invalid");
    api.login(&mail, "Kerajinan-Rotan-9")
        .await
        .expect_error(401, "login_failed");

    let again = api
        .post(
            "/vendors/registrations",
            None,
            vendor_registration("Sri Rahayu", &mail, "141201"),
        )
        .await;
    again.expect_error(409, "email_taken");
    assert_eq!(
        again.message(),
        format!("Email {mail} sudah terdaftar di database kami")
    );
}

#[tokio::test]
async fn vendor_registration_checks_the_skpd_the_captcha_and_the_link() {
    let api = Api::new();
    let mail = email("umkm-salah");
    for skpd in ["999999", "DPMPTSP"] {
        let r = api
            .post(
                "/vendors/registrations",
                None,
                vendor_registration("Sri Rahayu", &mail, skpd),
            )
            .await;
        r.expect_error(400, "skpd_invalid");
        assert_eq!(r.message(), "SKPD Pembina tidak ditemukan");
    }
    let mut body = vendor_registration("Sri Rahayu", &mail, "141201");
    body["captcha_token"] = json!("salah");
    api.post("/vendors/registrations", None, body)
        .await
        .expect_error(400, "captcha_invalid");
    show(&api, "token-yang-tidak-pernah-ada")
        .await
        .expect_error(404, "activation_invalid");
    api.get("/accounts/activation", None)
        .await
        .expect_error(400, "field_required");
    // None of the refused registrations took the email.
    api.post(
        "/vendors/registrations",
        None,
        vendor_registration("Sri Rahayu", &mail, "141201"),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn only_an_admin_creates_officers_who_activate_and_sign_in_with_their_role() {
    let api = Api::new();
    let admin = api.token(DEMO_ADMIN, DEMO_PASSWORD).await;
    let applicant = api.token(DEMO_APPLICANT, DEMO_PASSWORD).await;
    let vendor = api.token("umkm@demo.loket.id", DEMO_PASSWORD).await;
    let mail = email("verifikator");
    let officer = json!({ "name": "Fitri Rahmawati, S.H.", "email": mail, "role": "verifier", "org": "DPMPTSP" });

    for token in [&applicant, &vendor] {
        let r = api
            .post("/admin/accounts", Some(token), officer.clone())
            .await;
        r.expect_error(403, "forbidden");
        assert_eq!(
            r.message(),
            "Anda tidak memiliki akses untuk melakukan tindakan ini"
        );
    }
    api.post("/admin/accounts", None, officer.clone())
        .await
        .expect_error(401, "unauthenticated");

    let mut satpel = officer.clone();
    satpel["role"] = json!("satpel");
    let r = api.post("/admin/accounts", Some(&admin), satpel).await;
    r.expect_error(400, "org_invalid");
    assert_eq!(r.body["field"], "org");
    let mut unknown_org = officer.clone();
    unknown_org["org"] = json!("TIDAK-ADA");
    api.post("/admin/accounts", Some(&admin), unknown_org)
        .await
        .expect_error(400, "org_invalid");
    let mut applicant_role = officer.clone();
    applicant_role["role"] = json!("applicant");
    api.post("/admin/accounts", Some(&admin), applicant_role)
        .await
        .expect_error(400, "role_invalid");

    // Nothing above created an account: the email is still free.
    let r = api
        .post("/admin/accounts", Some(&admin), officer.clone())
        .await;
    let created = r.expect(201);
    assert_eq!(created["status"], "pending_activation");
    assert_eq!(created["roles"], json!(["verifier"]));
    assert_eq!(created["org"], "DPMPTSP");
    assert_eq!(created["email"], mail.as_str());
    api.post("/admin/accounts", Some(&admin), officer.clone())
        .await
        .expect_error(409, "email_taken");

    let invitation = api.wait_email(&mail, "Akun Petugas Loket Anda", 1).await;
    assert!(
        invitation.body.contains("Verifikator"),
        "{}",
        invitation.body
    );
    assert!(
        invitation.body.contains(DPMPTSP_NAME),
        "{}",
        invitation.body
    );
    let token = invitation.link_param("token");
    api.login(&mail, "Verifikasi-Berkas-5")
        .await
        .expect_error(401, "login_failed");
    let page = show(&api, &token).await;
    let page = page.expect(200);
    assert_eq!(page["roles"], json!(["verifier"]));
    assert_eq!(page["org"]["code"], "DPMPTSP");

    let r = activate(&api, &token, "Verifikasi-Berkas-5", "Verifikasi-Berkas-5").await;
    assert_eq!(
        r.expect(200)["session"]["user"]["roles"],
        json!(["verifier"])
    );
    let r = api.login(&mail, "Verifikasi-Berkas-5").await;
    let body = r.expect(200);
    assert_eq!(body["user"]["roles"], json!(["verifier"]));
    assert_eq!(body["user"]["org"], "DPMPTSP");

    // A verifier is an officer, not an admin.
    let verifier = body["access_token"].as_str().unwrap();
    let mut another = officer.clone();
    another["email"] = json!(email("verifikator2"));
    api.post("/admin/accounts", Some(verifier), another)
        .await
        .expect_error(403, "forbidden");
}

#[tokio::test]
async fn an_admin_created_buyer_signs_in_with_the_nrk_and_nrks_are_unique() {
    let api = Api::new();
    let admin = api.token(DEMO_ADMIN, DEMO_PASSWORD).await;
    let mail = email("pembeli");
    let staff_number = nrk();
    let buyer = json!({
        "name": "Yohanes Situmorang", "email": mail, "role": "buyer", "org": "141732",
        "nrk": staff_number,
    });
    let r = api.post("/admin/accounts", Some(&admin), buyer).await;
    let created = r.expect(201);
    assert_eq!(created["nrk"], staff_number.as_str());
    assert_eq!(created["roles"], json!(["buyer"]));

    for taken in [staff_number.as_str(), "198765"] {
        let r = api
            .post(
                "/admin/accounts",
                Some(&admin),
                json!({ "name": "Yohanes Situmorang", "email": email("pembeli-ganda"),
                    "role": "buyer", "org": "141732", "nrk": taken }),
            )
            .await;
        r.expect_error(409, "nrk_taken");
        assert_eq!(r.message(), "NRK sudah terdaftar di database kami");
    }
    api.post(
        "/admin/accounts",
        Some(&admin),
        json!({ "name": "Yohanes Situmorang", "email": email("pembeli-nrk"),
            "role": "buyer", "org": "141732", "nrk": "12ab" }),
    )
    .await
    .expect_error(400, "nrk_invalid");

    let token = api
        .wait_email(&mail, "Akun Petugas Loket Anda", 1)
        .await
        .link_param("token");
    api.login(&staff_number, "Belanja-Daerah-3")
        .await
        .expect_error(401, "login_failed");
    activate(&api, &token, "Belanja-Daerah-3", "Belanja-Daerah-3")
        .await
        .expect(200);
    let r = api.login(&staff_number, "Belanja-Daerah-3").await;
    let body = r.expect(200);
    assert_eq!(body["user"]["email"], mail.as_str());
    assert_eq!(body["user"]["roles"], json!(["buyer"]));
    assert_eq!(body["user"]["org"], "141732");
}

fn emails_of(r: &Reply) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {}", r.body))
        .iter()
        .map(|i| i["email"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn a_satpel_lists_the_officers_of_its_own_organisation_only() {
    let api = Api::new();
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    let r = api
        .get("/admin/organisations/141201/accounts", Some(&satpel))
        .await;
    r.expect(200);
    let items = r.body["items"].as_array().unwrap();
    let pjlp = items
        .iter()
        .find(|i| i["email"] == "pjlp@demo.loket.id")
        .unwrap_or_else(|| panic!("the demo pjlp is missing: {}", r.body));
    assert_eq!(pjlp["roles"], json!(["pjlp"]));
    assert_eq!(pjlp["status"], "active");
    assert_eq!(pjlp["name"], "Agus Pratama");
    let listed = emails_of(&r);
    assert!(listed.contains(&"satpel@demo.loket.id".to_string()));
    // Vendors supervised by the SKPD and officers of other organisations are not listed.
    assert!(!listed.contains(&"umkm@demo.loket.id".to_string()));
    assert!(!listed.contains(&"admin.eorder@demo.loket.id".to_string()));

    api.get("/admin/organisations/141732/accounts", Some(&satpel))
        .await
        .expect_error(403, "forbidden");
    let applicant = api.token(DEMO_APPLICANT, DEMO_PASSWORD).await;
    api.get("/admin/organisations/141201/accounts", Some(&applicant))
        .await
        .expect_error(403, "forbidden");
    let pjlp = api.token("pjlp@demo.loket.id", DEMO_PASSWORD).await;
    api.get("/admin/organisations/141201/accounts", Some(&pjlp))
        .await
        .expect_error(403, "forbidden");
    api.get("/admin/organisations/141201/accounts", None)
        .await
        .expect_error(401, "unauthenticated");

    let admin = api.token(DEMO_ADMIN, DEMO_PASSWORD).await;
    let r = api
        .get("/admin/organisations/141732/accounts", Some(&admin))
        .await;
    r.expect(200);
    assert!(emails_of(&r).contains(&"admin.eorder@demo.loket.id".to_string()));
}

#[tokio::test]
async fn a_signed_out_satpel_can_no_longer_list_the_officers() {
    // Identity routes check that the session still exists (docs/ARCHITECTURE.md,
    // "Identity and security"): logout must take effect at once here too.
    let api = Api::new();
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    api.get("/admin/organisations/141201/accounts", Some(&satpel))
        .await
        .expect(200);
    api.post("/auth/logout", Some(&satpel), json!({}))
        .await
        .expect(200);
    api.get("/me", Some(&satpel))
        .await
        .expect_error(401, "unauthenticated");
    let r = api
        .get("/admin/organisations/141201/accounts", Some(&satpel))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (401, "unauthenticated"),
        "a signed-out token still lists the organisation's officers: {}",
        r.body
    );
}

#[tokio::test]
async fn reference_data_lists_regions_organisations_and_permit_types() {
    let api = Api::new();
    let r = api.get("/regions", None).await;
    let provinces = r.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(provinces.len(), 38);
    assert!(provinces.contains(&json!({ "code": "64", "name": "Kalimantan Timur" })));

    let r = api.get("/regions?parent=64", None).await;
    assert!(r.expect(200)["items"]
        .as_array()
        .unwrap()
        .contains(&json!({ "code": "64.72", "name": "Kota Samarinda" })));
    let r = api.get("/regions?parent=64.72.01", None).await;
    let villages = r.expect(200)["items"].as_array().unwrap().clone();
    assert!(villages.contains(&json!({ "code": "64.72.01.1001", "name": "Rawa Makmur" })));
    assert!(villages.contains(&json!({ "code": "64.72.01.1002", "name": "Handil Bakti" })));
    assert!(villages
        .iter()
        .all(|v| v["code"].as_str().unwrap().starts_with("64.72.01.")));
    for unknown in ["99", "64.72.99", "64.72.01.1001"] {
        let r = api.get(&format!("/regions?parent={unknown}"), None).await;
        r.expect_error(404, "region_not_found");
        assert_eq!(r.message(), "Wilayah tidak ditemukan");
    }

    let r = api.get("/organisations?kind=skpd", None).await;
    let skpd = r.expect(200)["items"].as_array().unwrap().clone();
    assert!(skpd.contains(&json!({ "code": "141201", "name": SKPD_141201_NAME, "kind": "skpd" })));
    assert!(skpd.iter().all(|o| o["kind"] == "skpd"));
    let r = api.get("/organisations?kind=agency", None).await;
    let agencies: Vec<Value> = r.expect(200)["items"].as_array().unwrap().clone();
    assert!(agencies.iter().any(|o| o["code"] == "DPMPTSP"));
    assert!(!agencies.iter().any(|o| o["code"] == "141201"));
    api.get("/organisations?kind=lainnya", None)
        .await
        .expect_error(400, "kind_invalid");

    let r = api.get("/agencies/DPMPTSP/permit-types", None).await;
    let body = r.expect(200);
    assert_eq!(body["agency_code"], "DPMPTSP");
    let permits = body["items"].as_array().unwrap();
    let codes: Vec<&str> = permits
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3, "{codes:?}");
    for code in ["IZIN-REKLAME", "REKOMTEK-LINGKUNGAN", "SIPA"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    let reklame = permits
        .iter()
        .find(|p| p["code"] == "IZIN-REKLAME")
        .unwrap();
    assert_eq!(reklame["name"], "Izin Penyelenggaraan Reklame");
    assert_eq!(reklame["service_days"], 5);
    assert_eq!(reklame["fee"], 250000);
    assert_eq!(
        reklame["requirements"][0],
        json!({ "code": "R1", "name": "Fotokopi KTP pemohon", "mandatory": true,
                "formats": ["pdf", "jpg", "png"] })
    );
    assert_eq!(reklame["requirements"].as_array().unwrap().len(), 5);
    let kinds: Vec<&str> = reklame["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["label"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Perizinan Baru", "Perpanjangan", "Revisi"]);
    // "Persyaratan": every agency's permit types, public.
    let all = api.get("/permit-types", None).await;
    let all = all.expect(200)["items"].as_array().unwrap().clone();
    let agencies: std::collections::BTreeSet<&str> = all
        .iter()
        .map(|p| p["agency_code"].as_str().unwrap())
        .collect();
    assert!(all.len() >= 8 && agencies.len() >= 3, "{agencies:?}");
    for name in [
        "Izin Usaha Perikanan",
        "Surat Izin Pengambilan Air Tanah",
        "Izin Trayek Angkutan Antar Kota Dalam Provinsi",
    ] {
        assert!(all.iter().any(|p| p["name"] == name), "{name}");
    }
    for unknown in ["TIDAK-ADA", "141201"] {
        let r = api
            .get(&format!("/agencies/{unknown}/permit-types"), None)
            .await;
        r.expect_error(404, "agency_not_found");
        assert_eq!(r.message(), "Instansi tidak ditemukan");
    }
}

/// The platform administrator maintains the permit types: a new one is listed at once
/// with its requirements, fee and service time; a wrong form is refused with its
/// reason; a stale version is a conflict; nobody else may.
#[tokio::test]
async fn the_admin_maintains_permit_types_and_the_public_list_shows_them() {
    let api = Api::new();
    let admin = api.token(DEMO_ADMIN, DEMO_PASSWORD).await;
    let code = format!("IZIN-UJI-{}", rand::random::<u32>() % 100_000);
    let path = format!("/admin/agencies/DKP-KALTIM/permit-types/{code}");
    let form = json!({ "name": "Izin Pembudidayaan Ikan", "service_days": 9, "fee": 75000,
        "kinds": ["new", "renewal"],
        "requirements": [
            { "name": "Fotokopi KTP pemohon", "formats": ["pdf", "jpg"] },
            { "name": "Foto kolam", "mandatory": false, "formats": ["jpg", "png"] }
        ] });
    let created = api
        .call("PUT", &path, Some(&admin), Some(form.clone()))
        .await;
    let created = created.expect(201).clone();
    assert_eq!(created["requirements"][1]["mandatory"], false);
    assert_eq!(
        created["agency_name"],
        "Dinas Kelautan dan Perikanan Provinsi Kalimantan Timur"
    );
    let listed = api.get("/agencies/DKP-KALTIM/permit-types", None).await;
    assert!(listed.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["code"] == code.as_str() && p["fee"] == 75000 && p["service_days"] == 9));

    let mut bad = form.clone();
    bad["requirements"][0]["formats"] = json!(["exe"]);
    api.call("PUT", &path, Some(&admin), Some(bad))
        .await
        .expect_error(400, "requirements_invalid");
    api.call(
        "PUT",
        "/admin/agencies/DKP-KALTIM/permit-types/huruf-kecil",
        Some(&admin),
        Some(form.clone()),
    )
    .await
    .expect_error(400, "code_invalid");
    api.call(
        "PUT",
        &format!("/admin/agencies/141201/permit-types/{code}"),
        Some(&admin),
        Some(form.clone()),
    )
    .await
    .expect_error(404, "agency_not_found");
    let mut update = form.clone();
    update["service_days"] = json!(8);
    update["version"] = json!(1);
    let updated = api
        .call("PUT", &path, Some(&admin), Some(update.clone()))
        .await;
    assert_eq!(updated.expect(200)["version"], 2);
    api.call("PUT", &path, Some(&admin), Some(update))
        .await
        .expect_error(409, "concurrent_update");
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    api.call("PUT", &path, Some(&satpel), Some(form))
        .await
        .expect_error(403, "forbidden");
}
