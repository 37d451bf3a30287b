//! Vendor onboarding, end to end (seed 000 §1.2–§2, seed 003 §I): the vendor fills
//! and confirms its profile; a real Step Functions execution opens each officer's task,
//! and the officers decide from the links in their emails or from their inbox;
//! satpel assigns a PJLP, the PJLP checks, the satpel checks (rejecting once, then the
//! vendor fixes and confirms again, resuming at that stage), the eorder_admin
//! activates, and the vendor is "Terdaftar" with its timeline and an email per change.

use loket_e2e::{vendor_profile_form, Api, Reply, DEMO_APPLICANT, DEMO_PASSWORD, VILLAGE};
use serde_json::{json, Value};
use std::time::Duration;

const SKPD: &str = "141201";
const STATUS_MAIL: &str = "Status Pendaftaran UMKM";

async fn profile(api: &Api, token: &str) -> Value {
    api.get("/vendor/profile", Some(token))
        .await
        .expect(200)
        .clone()
}

/// The pending onboarding task of `vendor_id` at `stage` in the officer's inbox.
async fn wait_task(api: &Api, officer: &str, stage: &str, vendor_id: &str) -> String {
    api.wait_task(officer, "vendor_onboarding", stage, vendor_id)
        .await
}

async fn decide(api: &Api, officer: &str, task: &str, body: Value) -> Reply {
    api.decide(officer, task, body).await
}

#[tokio::test]
async fn the_e_order_chain_takes_a_vendor_from_data_entry_to_registered() {
    let api = Api::new();
    let (mail, vendor) = api.new_vendor("umkm-rantai", SKPD).await;
    let business = format!("Amplang Bu Sri {}", rand::random::<u32>());

    let p = profile(&api, &vendor).await;
    assert_eq!(p["status"], "Pengisian Data");
    assert_eq!(p["skpd"], SKPD);
    assert!(
        p.get("PK").is_none() && p.get("SK").is_none(),
        "storage keys leak: {p}"
    );
    assert_eq!(p["email"], mail.as_str());
    let vendor_id = p["vendor_id"].as_str().unwrap().to_string();

    // Confirm needs every field.
    let r = api
        .post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await;
    r.expect_error(422, "profile_incomplete");
    assert!(
        r.message()
            .starts_with("Data belum lengkap: No. Handphone, Nama Usaha"),
        "{}",
        r.body
    );
    // "Simpan" with a draft, then the whole form.
    let r = api
        .call(
            "PUT",
            "/vendor/profile",
            Some(&vendor),
            Some(json!({ "business_name": business })),
        )
        .await;
    assert_eq!(r.expect(200)["message"], "Data berhasil disimpan");
    let r = api
        .call(
            "PUT",
            "/vendor/profile",
            Some(&vendor),
            Some(json!({ "bank_account": "12-ab" })),
        )
        .await;
    r.expect_error(400, "field_invalid");
    assert_eq!(r.body["field"], "bank_account");
    let saved = api
        .call(
            "PUT",
            "/vendor/profile",
            Some(&vendor),
            Some(vendor_profile_form(&business)),
        )
        .await;
    let saved = saved.expect(200);
    assert_eq!(saved["missing"], json!([]));
    assert_eq!(saved["address"]["village_code"], VILLAGE[3]);

    // Confirm → Penunjukan Pembina, and the chain starts.
    let r = api
        .post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await;
    assert_eq!(r.expect(202)["status"], "Penunjukan Pembina");
    api.post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await
        .expect_error(409, "already_submitted");
    api.call(
        "PUT",
        "/vendor/profile",
        Some(&vendor),
        Some(vendor_profile_form(&business)),
    )
    .await
    .expect_error(409, "profile_locked");
    let first = api.wait_email(&mail, STATUS_MAIL, 1).await;
    assert!(
        first.subject.contains("Penunjukan Pembina"),
        "{}",
        first.subject
    );

    // Satpel of the vendor's SKPD assigns the PJLP.
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    let task = wait_task(&api, &satpel, "assign_pjlp", &vendor_id).await;
    // The satpel is emailed a personal link; opening it shows the case and changes
    // nothing, however often (mail scanners prefetch links).
    let invite = api
        .wait_email(
            "satpel@demo.loket.id",
            &format!("Tugas Baru: Penunjukan Pembina - {business}"),
            1,
        )
        .await;
    let satpel_link = invite.link_path("/task-links/");
    assert!(
        satpel_link.len() > "/task-links/".len() + 40,
        "{satpel_link}"
    );
    assert!(
        !invite.body.contains("token"),
        "the link must not carry the task token"
    );
    for _ in 0..2 {
        let page = api.get(&satpel_link, None).await;
        assert_eq!(page.status, 200);
        let html = page.body.as_str().unwrap();
        assert!(
            html.contains("Penunjukan Pembina") && html.contains(&business),
            "{html}"
        );
        assert!(html.contains("Tolak, dengan alasan"), "{html}");
    }
    assert_eq!(profile(&api, &vendor).await["status"], "Penunjukan Pembina");
    let bogus = api.get("/task-links/bukan-tautan-yang-sah", None).await;
    assert_eq!(bogus.status, 404);
    api.post(
        "/task-links/bukan-tautan-yang-sah/decision",
        Some(&satpel),
        json!({ "decision": "approve" }),
    )
    .await
    .expect_error(404, "link_invalid");
    // A satpel of another SKPD neither sees nor decides it, by API or by link.
    let (_, other_satpel) = api.new_officer("satpel", "141105").await;
    let theirs = api.get("/tasks", Some(&other_satpel)).await;
    assert!(
        theirs.expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["subject_id"] != vendor_id.as_str()),
        "{}",
        theirs.body
    );
    decide(
        &api,
        &other_satpel,
        &task,
        json!({ "decision": "reject", "note": "bukan wewenang" }),
    )
    .await
    .expect_error(403, "forbidden");
    api.post(
        &format!("{satpel_link}/decision"),
        Some(&other_satpel),
        json!({ "decision": "reject", "note": "bukan wewenang" }),
    )
    .await
    .expect_error(403, "forbidden");
    api.post(
        &format!("{satpel_link}/decision"),
        None,
        json!({ "decision": "approve" }),
    )
    .await
    .expect_error(401, "unauthenticated");
    // Not for an applicant, nor for an officer of another organisation and role.
    let applicant = api.token(DEMO_APPLICANT, DEMO_PASSWORD).await;
    api.get("/tasks", Some(&applicant))
        .await
        .expect_error(403, "forbidden");
    let eorder_admin = api.token("admin.eorder@demo.loket.id", DEMO_PASSWORD).await;
    decide(&api, &eorder_admin, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(403, "forbidden");
    decide(&api, &satpel, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(400, "field_required");
    decide(
        &api,
        &satpel,
        &task,
        json!({ "decision": "approve", "pjlp_id": vendor_id }),
    )
    .await
    .expect_error(400, "pjlp_invalid");
    let officers = api
        .get(
            &format!("/admin/organisations/{SKPD}/accounts"),
            Some(&satpel),
        )
        .await;
    let pjlp_id = officers.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "pjlp@demo.loket.id")
        .expect("the demo pjlp")["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The satpel decides from the emailed link; a second decision (here through the
    // API, as a colleague would) is refused.
    api.post(
        &format!("{satpel_link}/decision"),
        Some(&satpel),
        json!({ "decision": "approve", "pjlp_id": pjlp_id }),
    )
    .await
    .expect(200);
    decide(
        &api,
        &satpel,
        &task,
        json!({ "decision": "approve", "pjlp_id": pjlp_id }),
    )
    .await
    .expect_error(409, "task_already_decided");
    assert_eq!(profile(&api, &vendor).await["status"], "Pengecekan PJLP");

    // The assigned PJLP checks, deciding from the emailed link; the satpel may not.
    let pjlp = api.token("pjlp@demo.loket.id", DEMO_PASSWORD).await;
    let task = wait_task(&api, &pjlp, "pjlp_check", &vendor_id).await;
    decide(&api, &satpel, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(403, "forbidden");
    // The officers of the SKPD read the vendor's data; only the assigned PJLP corrects it.
    let path = format!("/vendors/{vendor_id}/profile");
    assert_eq!(
        api.get(&path, Some(&satpel)).await.expect(200)["business_name"],
        business.as_str()
    );
    api.get(&path, Some(&other_satpel))
        .await
        .expect_error(403, "forbidden");
    api.get(&path, Some(&applicant))
        .await
        .expect_error(403, "forbidden");
    let mut corrected = vendor_profile_form(&business);
    corrected["owner_name"] = json!("Hj. Sri Rahayu");
    api.call("PUT", &path, Some(&satpel), Some(corrected.clone()))
        .await
        .expect_error(403, "forbidden");
    let r = api.call("PUT", &path, Some(&pjlp), Some(corrected)).await;
    assert_eq!(r.expect(200)["owner_name"], "Hj. Sri Rahayu");
    assert_eq!(r.body["status"], "Pengecekan PJLP");
    let pjlp_link = api
        .wait_email(
            "pjlp@demo.loket.id",
            &format!("Tugas Baru: Pengecekan PJLP - {business}"),
            1,
        )
        .await
        .link_path("/task-links/");
    api.post(
        &format!("{pjlp_link}/decision"),
        Some(&pjlp),
        json!({ "decision": "approve" }),
    )
    .await
    .expect(200);
    // The link is spent: it shows the task is decided and cannot decide again.
    let page = api.get(&pjlp_link, None).await;
    assert!(page
        .body
        .as_str()
        .unwrap()
        .contains("Tugas sudah diputuskan"));
    api.post(
        &format!("{pjlp_link}/decision"),
        Some(&pjlp),
        json!({ "decision": "approve" }),
    )
    .await
    .expect_error(409, "task_already_decided");

    // The satpel rejects with a reason: back to Pengisian Data, the vendor sees why.
    let task = wait_task(&api, &satpel, "satpel_check", &vendor_id).await;
    decide(&api, &satpel, &task, json!({ "decision": "reject" }))
        .await
        .expect_error(400, "note_required");
    decide(
        &api,
        &satpel,
        &task,
        json!({ "decision": "reject", "note": "Nomor rekening tidak atas nama usaha" }),
    )
    .await
    .expect(200);
    let p = profile(&api, &vendor).await;
    assert_eq!(p["status"], "Pengisian Data");
    assert_eq!(p["rejection"]["stage"], "satpel_check");
    assert_eq!(
        p["rejection"]["reason"],
        "Nomor rekening tidak atas nama usaha"
    );
    let sent_back = api.wait_email(&mail, "Pengisian Data", 1).await;
    assert!(sent_back
        .body
        .contains("Nomor rekening tidak atas nama usaha"));

    // Fixed and confirmed again: the chain resumes at the satpel's check.
    let mut fixed = vendor_profile_form(&business);
    fixed["bank_account"] = json!("0098765432");
    api.call("PUT", "/vendor/profile", Some(&vendor), Some(fixed))
        .await
        .expect(200);
    let r = api
        .post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await;
    assert_eq!(r.expect(202)["status"], "Pengecekan Satpel");
    let task = wait_task(&api, &satpel, "satpel_check", &vendor_id).await;
    // Two decisions at once (a double click): exactly one counts.
    let (a, b) = tokio::join!(
        decide(&api, &satpel, &task, json!({ "decision": "approve" })),
        decide(&api, &satpel, &task, json!({ "decision": "approve" })),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    let loser = if a.status == 409 { &a } else { &b };
    assert_eq!(loser.code(), "task_already_decided", "{}", loser.body);
    assert_eq!(profile(&api, &vendor).await["status"], "Pengajuan");

    // The eorder_admin activates from the emailed link: Terdaftar.
    wait_task(&api, &eorder_admin, "activation", &vendor_id).await;
    let activation_link = api
        .wait_email(
            "admin.eorder@demo.loket.id",
            &format!("Tugas Baru: Pengajuan - {business}"),
            1,
        )
        .await
        .link_path("/task-links/");
    api.post(
        &format!("{activation_link}/decision"),
        Some(&eorder_admin),
        json!({ "decision": "approve" }),
    )
    .await
    .expect(200);
    let p = profile(&api, &vendor).await;
    assert_eq!(p["status"], "Terdaftar");
    let actions: Vec<(String, String)> = p["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor_role"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("vendor", "submitted"),
        ("satpel", "approved"),
        ("pjlp", "corrected"),
        ("pjlp", "approved"),
        ("satpel", "rejected"),
        ("vendor", "submitted"),
        ("satpel", "approved"),
        ("eorder_admin", "approved"),
    ];
    assert_eq!(
        actions,
        expected
            .iter()
            .map(|(r, a)| (r.to_string(), a.to_string()))
            .collect::<Vec<_>>()
    );
    let done = api.wait_email(&mail, "Terdaftar", 1).await;
    assert!(done.subject.starts_with(STATUS_MAIL));
}

#[tokio::test]
async fn the_jathil_chain_checks_the_requirements_then_two_administrators_decide() {
    // The second deployment of the test stack runs the JATHIL MART chain.
    let api = Api::jathil();
    let (mail, vendor) = api.new_vendor("umkm-jathil", SKPD).await;
    let business = format!("Keripik Tempe Ponorogo {}", rand::random::<u32>());
    let vendor_id = profile(&api, &vendor).await["vendor_id"]
        .as_str()
        .unwrap()
        .to_string();

    // A food business needs a P-IRT certificate, and every vendor declares it does not
    // repack or resell: Confirm lists what is missing.
    let mut form = vendor_profile_form(&business);
    api.call("PUT", "/vendor/profile", Some(&vendor), Some(form.clone()))
        .await
        .expect(200);
    let r = api
        .post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await;
    r.expect_error(422, "profile_incomplete");
    assert_eq!(
        r.message(),
        "Data belum lengkap: Sertifikat P-IRT (usaha makanan dan minuman), Pernyataan bukan usaha pengemasan ulang (repacking) atau penjualan ulang (reseller)"
    );
    form["pirt_number"] = json!("2063502010160");
    form["declares_no_resale"] = json!(true);
    api.call("PUT", "/vendor/profile", Some(&vendor), Some(form.clone()))
        .await
        .expect(200);
    let r = api
        .post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await;
    assert_eq!(r.expect(202)["status"], "Verifikasi Administrator Bidang");

    // The field administrator verifies; a satpel has no say in this chain.
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    let field_admin = api
        .token("admin.lapangan@demo.loket.id", DEMO_PASSWORD)
        .await;
    let task = wait_task(&api, &field_admin, "field_verification", &vendor_id).await;
    decide(&api, &satpel, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(403, "forbidden");
    decide(&api, &field_admin, &task, json!({ "decision": "approve" }))
        .await
        .expect(200);
    assert_eq!(
        profile(&api, &vendor).await["status"],
        "Persetujuan Administrator Utama"
    );

    // The main administrator rejects forged data with a reason…
    let main_admin = api.token("admin.utama@demo.loket.id", DEMO_PASSWORD).await;
    let task = wait_task(&api, &main_admin, "main_approval", &vendor_id).await;
    decide(
        &api,
        &main_admin,
        &task,
        json!({ "decision": "reject", "note": "Nomor P-IRT tidak terdaftar di Dinas Kesehatan" }),
    )
    .await
    .expect(200);
    let p = profile(&api, &vendor).await;
    assert_eq!(p["status"], "Pengisian Data");
    assert_eq!(p["rejection"]["stage"], "main_approval");
    let back = api.wait_email(&mail, "Pengisian Data", 1).await;
    assert!(back
        .body
        .contains("Nomor P-IRT tidak terdaftar di Dinas Kesehatan"));

    // …the vendor corrects it and confirms again: the main administrator checks again.
    form["pirt_number"] = json!("2063502010161");
    api.call("PUT", "/vendor/profile", Some(&vendor), Some(form))
        .await
        .expect(200);
    let r = api
        .post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await;
    assert_eq!(r.expect(202)["status"], "Persetujuan Administrator Utama");
    let task = wait_task(&api, &main_admin, "main_approval", &vendor_id).await;
    decide(&api, &main_admin, &task, json!({ "decision": "approve" }))
        .await
        .expect(200);
    let p = profile(&api, &vendor).await;
    assert_eq!(p["status"], "Terdaftar");
    let roles: Vec<&str> = p["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor_role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "vendor",
            "field_admin",
            "main_admin",
            "vendor",
            "main_admin"
        ]
    );
    api.wait_email(&mail, "Terdaftar", 1).await;
}

/// Submits a complete JATHIL profile for a fresh vendor; returns (vendor email, vendor
/// token, vendor id, business name).
async fn submitted_jathil_vendor(api: &Api, tag: &str) -> (String, String, String, String) {
    let (mail, vendor) = api.new_vendor(tag, SKPD).await;
    let business = format!("Sambal Pecel Ponorogo {}", rand::random::<u32>());
    let mut form = vendor_profile_form(&business);
    form["pirt_number"] = json!("2063502010162");
    form["declares_no_resale"] = json!(true);
    let saved = api
        .call("PUT", "/vendor/profile", Some(&vendor), Some(form))
        .await;
    let vendor_id = saved.expect(200)["vendor_id"].as_str().unwrap().to_string();
    api.post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await
        .expect(202);
    (mail, vendor, vendor_id, business)
}

#[tokio::test]
async fn a_task_nobody_decides_in_time_is_issued_again() {
    // The JATHIL test deployment lets tasks wait 10 s.
    let api = Api::jathil();
    let (_, vendor, vendor_id, business) = submitted_jathil_vendor(&api, "umkm-lambat").await;
    let field_admin = api
        .token("admin.lapangan@demo.loket.id", DEMO_PASSWORD)
        .await;
    let first = wait_task(&api, &field_admin, "field_verification", &vendor_id).await;

    // Nobody decides: the task expires and a new one for the same stage appears.
    let mut second = None;
    for _ in 0..180 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let id = wait_task(&api, &field_admin, "field_verification", &vendor_id).await;
        if id != first {
            second = Some(id);
            break;
        }
    }
    let second = second.expect("the expired task was not issued again within 90 s");
    let r = decide(&api, &field_admin, &first, json!({ "decision": "approve" })).await;
    r.expect_error(409, "task_expired");
    assert_eq!(
        r.message(),
        "Tugas ini sudah kedaluwarsa dan telah diterbitkan ulang, buka daftar tugas untuk tugas yang terbaru"
    );
    // The officers are told again, and the re-issued task decides the stage.
    api.wait_email(
        "admin.lapangan@demo.loket.id",
        &format!("Tugas Baru: Verifikasi Administrator Bidang - {business}"),
        2,
    )
    .await;
    assert_eq!(
        profile(&api, &vendor).await["status"],
        "Verifikasi Administrator Bidang"
    );
    decide(
        &api,
        &field_admin,
        &second,
        json!({ "decision": "approve" }),
    )
    .await
    .expect(200);
    assert_eq!(
        profile(&api, &vendor).await["status"],
        "Persetujuan Administrator Utama"
    );
    let main_admin = api.token("admin.utama@demo.loket.id", DEMO_PASSWORD).await;
    wait_task(&api, &main_admin, "main_approval", &vendor_id).await;
}

/// The start of the workflow is recorded with the confirmation and started from the
/// outbox: when Step Functions refuses the first `StartExecution` (the local stack is
/// told to), the start is retried and the task reaches the satpel anyway; nothing is
/// undone and the vendor is not stuck.
#[tokio::test]
async fn a_workflow_whose_first_start_fails_still_starts() {
    let api = Api::new();
    let o = api.officers(SKPD).await;
    let (_, vendor) = api.new_vendor("umkm-mulai", SKPD).await;
    let business = format!("Keripik Gagal Mulai {}", rand::random::<u32>());
    api.call(
        "PUT",
        "/vendor/profile",
        Some(&vendor),
        Some(vendor_profile_form(&business)),
    )
    .await
    .expect(200);
    let vendor_id = profile(&api, &vendor).await["vendor_id"]
        .as_str()
        .unwrap()
        .to_string();
    let armed = api
        .post(
            "/__local/faults",
            None,
            json!({ "operation": "StartExecution", "name_prefix": format!("{vendor_id}-"), "times": 1 }),
        )
        .await;
    armed.expect(201);

    let r = api
        .post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await;
    assert_eq!(r.expect(202)["status"], "Penunjukan Pembina");
    let task = wait_task(&api, &o.satpel, "assign_pjlp", &vendor_id).await;
    let faults = api.get("/__local/faults", None).await;
    assert!(
        !faults.expect(200)["armed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name_prefix"].as_str() == Some(&format!("{vendor_id}-"))),
        "the first start was not refused: {}",
        faults.body
    );
    // Still "in review", exactly once, and the chain goes on.
    assert_eq!(profile(&api, &vendor).await["status"], "Penunjukan Pembina");
    api.post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await
        .expect_error(409, "already_submitted");
    decide(
        &api,
        &o.satpel,
        &task,
        json!({ "decision": "approve", "pjlp_id": o.pjlp_id }),
    )
    .await
    .expect(200);
    wait_task(&api, &o.pjlp, "pjlp_check", &vendor_id).await;
}
