//! Permit applications (seed 004 §3.2.1) through the HTTP API: the wizard saved at
//! every step and resumed, the checked upload of each requirement's document, the 422
//! that lists everything missing, and the submission with its resi and email.

use loket_e2e::{Api, PDF_BYTES as PDF};
use serde_json::{json, Value};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

async fn save(api: &Api, who: &str, id: &str, body: Value) -> loket_e2e::Reply {
    api.call("PUT", &format!("/applications/{id}"), Some(who), Some(body))
        .await
}

#[tokio::test]
async fn an_applicant_fills_the_wizard_over_several_visits_and_submits_for_a_resi() {
    let api = Api::new();
    let (_, email, _, applicant) = api.new_applicant("pemohon-izin").await;
    let (_, _, _, stranger) = api.new_applicant("pemohon-lain").await;

    // Step 1: agency, permit type, kind. The requirements come with it.
    api.post(
        "/applications",
        Some(&applicant),
        json!({ "agency_code": "DPMPTSP", "permit_type_code": "IZIN-APOTEK", "kind": "new" }),
    )
    .await
    .expect_error(404, "permit_type_not_found");
    let started = api
        .post(
            "/applications",
            Some(&applicant),
            json!({ "agency_code": "DPMPTSP", "permit_type_code": "SIPA", "kind": "new" }),
        )
        .await;
    let started = started.expect(201).clone();
    let id = started["id"].as_str().unwrap().to_string();
    assert_eq!(started["step"], 2);
    assert_eq!(started["status"], "Draf");
    assert_eq!(started["applicant"]["email"], email.as_str());
    assert!(started["applicant"]["nik_masked"]
        .as_str()
        .unwrap()
        .contains('*'));
    let requirements = started["requirements"].as_array().unwrap().clone();
    assert_eq!(requirements.len(), 5);
    assert_eq!(requirements[4]["mandatory"], false);

    // Another visit: the draft is where it was left, in "Permohonan Saya".
    let mine = api.get("/applications", Some(&applicant)).await;
    assert_eq!(mine.expect(200)["items"][0]["id"], id.as_str());
    api.get(&format!("/applications/{id}"), Some(&stranger))
        .await
        .expect_error(403, "forbidden");

    // Steps 2 and 3, with a wrong NIB first.
    let saved = save(
        &api,
        &applicant,
        &id,
        json!({ "applicant": { "phone": "0812-9876-5432", "postal_code": "75111", "email": email } }),
    )
    .await;
    assert_eq!(saved.expect(200)["step"], 3);
    let mut company = json!({ "nib": "123", "npwp": "01.234.567.4-012.000",
        "name": "CV Tirta Mahakam", "address": "Jl. Pahlawan 3", "province_code": "64",
        "regency_code": "64.72", "district_code": "64.72.01", "village_code": "64.72.01.1001",
        "form": "CV", "status": "Pusat", "phone": "0541-123456", "postal_code": "75251" });
    save(&api, &applicant, &id, json!({ "company": company.clone() }))
        .await
        .expect_error(400, "nib_invalid");
    company["nib"] = json!("9120301234567");
    let saved = save(&api, &applicant, &id, json!({ "company": company })).await;
    assert_eq!(saved.expect(200)["company"]["npwp"], "012345674012000");

    // Submitting now lists everything still missing, at once.
    let early = api
        .post(
            &format!("/applications/{id}/submit"),
            Some(&applicant),
            json!({}),
        )
        .await;
    early.expect_error(422, "application_incomplete");
    let missing: Vec<String> = early.body["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    assert_eq!(missing.len(), 6, "{missing:?}");
    assert!(
        missing[0].starts_with("Lokasi Izin wajib diisi"),
        "{missing:?}"
    );
    assert!(missing.contains(&"Dokumen \"NIB\" wajib diunggah".to_string()));
    assert!(missing.last().unwrap().starts_with("Centang pernyataan"));

    // Step 4: the location, inside Indonesia.
    let mut location = json!({ "address": "Jl. Juanda No. 8 RT 12", "province_code": "64",
        "regency_code": "64.72", "district_code": "64.72.01", "village_code": "64.72.01.1001",
        "latitude": 51.5, "longitude": -0.1 });
    save(
        &api,
        &applicant,
        &id,
        json!({ "location": location.clone() }),
    )
    .await
    .expect_error(400, "coordinates_invalid");
    location["latitude"] = json!(-0.4948);
    location["longitude"] = json!(117.1436);
    let saved = save(&api, &applicant, &id, json!({ "location": location })).await;
    assert_eq!(saved.expect(200)["step"], 5);

    // Step 5: the documents, each checked; a requirement's formats are enforced, and a
    // file whose bytes are not its declared type is refused and removed.
    let codes: Vec<String> = requirements
        .iter()
        .filter(|r| r["mandatory"] == true)
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect();
    api.post(
        &format!("/applications/{id}/attachments"),
        Some(&applicant),
        json!({ "requirement_code": codes[1], "file_name": "nib.png", "content_type": "image/png" }),
    )
    .await
    .expect_error(400, "document_type_invalid");
    api.attach_document(&applicant, &id, &codes[1], "application/pdf", PNG)
        .await
        .expect_error(400, "document_type_invalid");
    let after = api
        .get(&format!("/applications/{id}"), Some(&applicant))
        .await;
    assert!(after.expect(200)["attachments"]
        .as_array()
        .unwrap()
        .is_empty());
    api.attach_document(&applicant, &id, &codes[0], "image/png", PNG)
        .await
        .expect(200);
    for code in &codes[1..] {
        api.attach_document(&applicant, &id, code, "application/pdf", PDF)
            .await
            .expect(200);
    }
    save(&api, &applicant, &id, json!({ "declaration": true }))
        .await
        .expect(200);

    // Submitted: a resi, an email, and no more changes.
    let submitted = api
        .post(
            &format!("/applications/{id}/submit"),
            Some(&applicant),
            json!({}),
        )
        .await;
    let submitted = submitted.expect(200).clone();
    let resi = submitted["resi"].as_str().unwrap().to_string();
    assert!(
        resi.len() == 6
            && resi
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
        "{resi}"
    );
    assert_eq!(submitted["status"], "Dalam Proses");
    let mail = api
        .wait_email(&email, &format!("Permohonan {resi}"), 1)
        .await;
    assert!(mail.body.contains("14 hari kerja"), "{}", mail.body);
    // "Permohonan Saya" finds it by resi or permit type.
    let found = |q: String| {
        let (api, applicant) = (&api, &applicant);
        async move {
            let r = api
                .get(&format!("/applications?q={q}"), Some(applicant))
                .await;
            r.expect(200)["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found(resi.to_lowercase()).await, std::slice::from_ref(&id));
    assert_eq!(found("air%20tanah".into()).await, std::slice::from_ref(&id));
    assert!(found("apotek".into()).await.is_empty());
    save(&api, &applicant, &id, json!({ "declaration": false }))
        .await
        .expect_error(409, "application_not_draft");
    api.post(
        &format!("/applications/{id}/submit"),
        Some(&applicant),
        json!({}),
    )
    .await
    .expect_error(409, "application_not_draft");
    api.post(
        &format!("/applications/{id}/submit"),
        Some(&stranger),
        json!({}),
    )
    .await
    .expect_error(403, "forbidden");
}

/// Public monitoring by resi (seed 004 §3.3): the applicant's name masked, the status
/// and its description; a miss says so, and after three misses the address must pass
/// the captcha.
#[tokio::test]
async fn anyone_follows_an_application_by_its_resi_and_guessing_costs_a_captcha() {
    let api = Api::new();
    let (_, _, _, applicant) = api.new_applicant("pemohon-pantau").await;
    let (_, resi) = api.submitted_application(&applicant).await;
    let found = api
        .get(&format!("/tracking?resi={}", resi.to_lowercase()), None)
        .await;
    let found = found.expect(200).clone();
    assert_eq!(found["resi"], resi.as_str());
    assert_eq!(found["applicant"], "Drs. Ahm** Fau**, M.M.");
    assert_eq!(found["permit_type"], "Surat Izin Pengambilan Air Tanah");
    assert_eq!(found["status"], "Dalam Proses");
    assert_eq!(found["timeline"].as_array().unwrap().len(), 1);

    // Guessing from one address: three misses, then the captcha.
    let guesser = api.from_other_address();
    for guess in ["000000", "ZZZZZZ", "123ABC"] {
        guesser
            .get(&format!("/tracking?resi={guess}"), None)
            .await
            .expect_error(404, "resi_not_found");
    }
    guesser
        .get(&format!("/tracking?resi={resi}"), None)
        .await
        .expect_error(400, "captcha_invalid");
    let with_captcha = guesser
        .get(
            &format!("/tracking?resi={resi}&captcha_token={}", loket_e2e::CAPTCHA),
            None,
        )
        .await;
    assert_eq!(with_captcha.expect(200)["resi"], resi.as_str());
    // Another address is not affected.
    api.get(&format!("/tracking?resi={resi}"), None)
        .await
        .expect(200);
}
