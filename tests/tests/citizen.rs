//! Citizen services (issue 14): the inbox that mirrors every notification, the IKM
//! survey of a completed application and the IKM report, the applicant's dashboard.

use loket_e2e::Api;
use serde_json::{json, Value};
use std::time::Duration;

/// The caller's inbox once it has a message of `kind`.
async fn inbox_with(api: &Api, who: &str, kind: &str) -> Value {
    for _ in 0..120 {
        let inbox = api.get("/inbox", Some(who)).await.expect(200).clone();
        if inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == kind)
        {
            return inbox;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("no {kind} message reached the inbox");
}

fn scores(value: i64) -> Value {
    let mut body = json!({});
    for e in [
        "requirements",
        "procedure",
        "time",
        "cost",
        "product",
        "competence",
        "behaviour",
        "complaints",
        "facilities",
    ] {
        body[e] = value.into();
    }
    body
}

#[tokio::test]
async fn every_notification_is_also_an_inbox_message_and_only_its_owner_reads_it() {
    let api = Api::new();
    let (_, mail, _, applicant) = api.new_applicant("pemohon-inbox").await;
    let (_, _, _, other) = api.new_applicant("pemohon-inbox-lain").await;
    let (_, resi) = api.submitted_application(&applicant).await;
    // The status email and its inbox message come from the same event.
    let email = api
        .wait_email(&mail, &format!("Permohonan {resi}"), 1)
        .await;
    let inbox = inbox_with(&api, &applicant, "application_status").await;
    let message = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "application_status")
        .unwrap()
        .clone();
    assert_eq!(message["subject"], email.subject.as_str());
    assert_eq!(message["read"], false);
    assert!(message["text"].as_str().unwrap().contains(&resi));
    // The registration code proved the address: it is the email's secret, never filed.
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["kind"] != "registration_code"),
        "{inbox}"
    );
    let unread = inbox["unread"].as_u64().unwrap();
    assert!(unread >= 1);
    let id = message["id"].as_str().unwrap();
    api.call(
        "PUT",
        &format!("/inbox/{id}/read"),
        Some(&applicant),
        Some(json!({ "read": true })),
    )
    .await
    .expect(200);
    let after = api
        .get("/inbox", Some(&applicant))
        .await
        .expect(200)
        .clone();
    assert_eq!(after["unread"].as_u64().unwrap(), unread - 1);
    // Unread first: a read message comes after every unread one.
    let reads: Vec<bool> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["read"].as_bool().unwrap())
        .collect();
    assert!(reads.windows(2).all(|w| !w[0] || w[1]), "{reads:?}");
    // Another person's message: 403, read or marked.
    api.get(&format!("/inbox/{id}"), Some(&other))
        .await
        .expect_error(403, "forbidden");
    api.call(
        "PUT",
        &format!("/inbox/{id}/read"),
        Some(&other),
        Some(json!({ "read": false })),
    )
    .await
    .expect_error(403, "forbidden");
}

#[tokio::test]
async fn a_completed_application_is_surveyed_once_and_not_before() {
    let api = Api::new();
    let (_, mail, _, applicant) = api.new_applicant("pemohon-survei").await;
    let (_, _, _, other) = api.new_applicant("pemohon-survei-lain").await;
    // Not complete: "Survey tidak bisa diisi".
    let (_, draft_resi) = api.submitted_application(&applicant).await;
    let mut early = scores(4);
    early["resi"] = draft_resi.as_str().into();
    api.post("/surveys", Some(&applicant), early)
        .await
        .expect_error(409, "survey_not_available");

    let (_, resi) = api.completed_application(&applicant).await;
    // Invited by email and in the inbox.
    api.wait_email(
        &mail,
        &format!("Undangan Survey Kepuasan Masyarakat - resi {resi}"),
        1,
    )
    .await;
    inbox_with(&api, &applicant, "survey_invitation").await;
    let mut body = scores(3);
    body["resi"] = resi.as_str().into();
    body["facilities"] = 5.into();
    api.post("/surveys", Some(&applicant), body.clone())
        .await
        .expect_error(400, "score_invalid");
    body["facilities"] = 4.into();
    body["suggestion"] = "Ruang tunggu nyaman".into();
    api.post("/surveys", Some(&other), body.clone())
        .await
        .expect_error(403, "forbidden");
    let done = api.post("/surveys", Some(&applicant), body.clone()).await;
    assert_eq!(done.expect(201)["message"], "Survey berhasil dikirim");
    api.post("/surveys", Some(&applicant), body)
        .await
        .expect_error(409, "survey_already_filled");
}

/// The seeded surveys of DINKES-KALTIM (infra/local/seed/demo.json), by hand:
/// IZIN-APOTEK, 4 respondents: element means 3.5, 3.5, 3.25, 3.75, 3.5, 3.25, 3.75,
/// 2.75, 3.5 → sum 30.75 / 9 × 25 = 85.4167 → 85.42, B. SIP-DOKTER, 2 respondents:
/// eight means of 4 and one of 3.5 → 35.5 / 9 × 25 = 98.61, A. The agency, 6
/// respondents: element sums 22, 22, 21, 23, 21, 21, 23, 19, 22 → 194 / 6 / 9 × 25 =
/// 89.81, A.
#[tokio::test]
async fn the_ikm_report_matches_a_hand_computation_and_is_for_the_agencys_officers() {
    let api = Api::new();
    let check = |report: &Value| {
        let service = |code: &str| {
            report["services"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["permit_type"]["code"] == code)
                .unwrap()["ikm"]
                .clone()
        };
        let apotek = service("IZIN-APOTEK");
        assert_eq!(apotek["respondents"], 4);
        let means: Vec<f64> = apotek["elements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["mean"].as_f64().unwrap())
            .collect();
        assert_eq!(means, [3.5, 3.5, 3.25, 3.75, 3.5, 3.25, 3.75, 2.75, 3.5]);
        assert_eq!(apotek["index"], 85.42);
        assert_eq!(apotek["grade"], "B");
        let dokter = service("SIP-DOKTER");
        assert_eq!(
            (dokter["index"].as_f64(), dokter["grade"].as_str()),
            (Some(98.61), Some("A"))
        );
        assert_eq!(report["ikm"]["respondents"], 6);
        assert_eq!(report["ikm"]["index"], 89.81);
        assert_eq!(report["ikm"]["grade"], "A");
    };
    let public = api
        .get("/agencies/DINKES-KALTIM/ikm", None)
        .await
        .expect(200)
        .clone();
    check(&public);
    assert!(
        !public.to_string().contains("percepat"),
        "no suggestion is public"
    );

    let officers = api
        .new_officers(&[("verifier", "DINKES-KALTIM"), ("verifier", "DPMPTSP")])
        .await;
    let report = api
        .get("/ikm?agency=DINKES-KALTIM", Some(&officers[0].3))
        .await
        .expect(200)
        .clone();
    check(&report);
    api.get("/ikm?agency=DINKES-KALTIM", Some(&officers[1].3))
        .await
        .expect_error(403, "forbidden");
    let (_, _, _, applicant) = api.new_applicant("pemohon-ikm").await;
    api.get("/ikm?agency=DINKES-KALTIM", Some(&applicant))
        .await
        .expect_error(403, "forbidden");
    api.get(
        "/ikm?agency=DINKES-KALTIM&from=kemarin",
        Some(&officers[0].3),
    )
    .await
    .expect_error(400, "date_invalid");
}

#[tokio::test]
async fn the_dashboard_sums_up_the_applicants_applications_and_inbox() {
    let api = Api::new();
    let (_, _, _, applicant) = api.new_applicant("pemohon-dasbor").await;
    let (submitted, _) = api.submitted_application(&applicant).await;
    let draft = api.started_application(&applicant, "SIPA").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    inbox_with(&api, &applicant, "application_status").await;
    let d = api
        .get("/dashboard", Some(&applicant))
        .await
        .expect(200)
        .clone();
    assert_eq!(d["applications"]["total"], 2);
    assert_eq!(d["applications"]["by_status"]["Draf"], 1);
    assert_eq!(d["applications"]["by_status"]["Dalam Proses"], 1);
    assert_eq!(d["applications"]["by_status"]["Selesai"], 0);
    let latest: Vec<&str> = d["latest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(latest, [draft.as_str(), submitted.as_str()], "newest first");
    assert!(d["inbox_unread"].as_u64().unwrap() >= 1);
    assert!(d["profile"]["nik_masked"].as_str().unwrap().contains('*'));
    // Only applicants have one.
    let buyer = api
        .token("pembeli@demo.loket.id", loket_e2e::DEMO_PASSWORD)
        .await;
    api.get("/dashboard", Some(&buyer))
        .await
        .expect_error(403, "forbidden");
}

/// A file of the caller's library, uploaded and checked: its id.
async fn library_file(
    api: &Api,
    who: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> String {
    let created = api
        .post(
            "/library/files",
            Some(who),
            json!({ "name": name, "file_name": format!("{name}.berkas"), "content_type": content_type }),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(api.upload(&created["upload"], bytes.to_vec()).await, 204);
    let id = created["file"]["id"].as_str().unwrap().to_string();
    let done = api
        .post(
            &format!("/library/files/{id}/confirm"),
            Some(who),
            json!({}),
        )
        .await;
    assert_eq!(done.expect(200)["message"], "Upload berhasil");
    id
}

#[tokio::test]
async fn file_saya_keeps_named_files_found_by_name_and_picked_in_the_wizard() {
    let api = Api::new();
    let (_, _, _, applicant) = api.new_applicant("pemohon-file").await;
    let (_, _, _, other) = api.new_applicant("pemohon-file-lain").await;
    let ktp = library_file(
        &api,
        &applicant,
        "KTP Siti 2026",
        "application/pdf",
        loket_e2e::PDF_BYTES,
    )
    .await;
    // A drawing (DWG, by its header) and a GIF are library files too.
    library_file(
        &api,
        &applicant,
        "Denah Lokasi",
        "image/vnd.dwg",
        b"AC1032\0\0\0\0\0\0denah",
    )
    .await;
    library_file(
        &api,
        &applicant,
        "Foto Papan Nama",
        "image/gif",
        b"GIF89a\x01\0\x01\0\0\0\0;",
    )
    .await;
    // A file that is not what it says is refused, and removed.
    let liar = api
        .post(
            "/library/files",
            Some(&applicant),
            json!({ "name": "Palsu", "file_name": "palsu.pdf", "content_type": "application/pdf" }),
        )
        .await
        .expect(201)
        .clone();
    api.upload(&liar["upload"], b"MZ\x90\0 not a pdf".to_vec())
        .await;
    let liar_id = liar["file"]["id"].as_str().unwrap();
    api.post(
        &format!("/library/files/{liar_id}/confirm"),
        Some(&applicant),
        json!({}),
    )
    .await
    .expect_error(400, "document_type_invalid");

    let found = api
        .get("/library/files?q=ktp", Some(&applicant))
        .await
        .expect(200)
        .clone();
    let names: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["KTP Siti 2026"]);
    let all = api
        .get("/library/files", Some(&applicant))
        .await
        .expect(200)
        .clone();
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        3,
        "newest first, the refused one gone"
    );
    assert_eq!(all["items"][0]["name"], "Foto Papan Nama");

    // Picked in the wizard: the application takes its own copy.
    let app_id = api.started_application(&applicant, "SIPA").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let requirement = api
        .get(&format!("/applications/{app_id}"), Some(&applicant))
        .await
        .expect(200)["requirements"][0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let picked = api
        .post(
            &format!("/applications/{app_id}/attachments"),
            Some(&applicant),
            json!({ "requirement_code": requirement, "library_file_id": ktp }),
        )
        .await
        .expect(201)
        .clone();
    let attachment = picked["application"]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["requirement_code"] == requirement.as_str())
        .unwrap()
        .clone();
    assert_eq!(attachment["uploaded"], true);
    // Another applicant's file cannot be picked, read or deleted.
    api.post(
        &format!("/applications/{app_id}/attachments"),
        Some(&applicant),
        json!({ "requirement_code": requirement, "library_file_id": "nope" }),
    )
    .await
    .expect_error(404, "file_not_found");
    for (method, path) in [
        ("GET", format!("/library/files/{ktp}/download")),
        ("DELETE", format!("/library/files/{ktp}")),
    ] {
        api.call(method, &path, Some(&other), None)
            .await
            .expect_error(403, "forbidden");
    }
    // The download is the file; deleting it leaves the application's copy.
    let link = api
        .get(&format!("/library/files/{ktp}/download"), Some(&applicant))
        .await
        .expect(200)
        .clone();
    let (status, bytes) = api.fetch(link["url"].as_str().unwrap()).await;
    assert_eq!((status, bytes.as_slice()), (200, loket_e2e::PDF_BYTES));
    api.call(
        "DELETE",
        &format!("/library/files/{ktp}"),
        Some(&applicant),
        None,
    )
    .await
    .expect(200);
    let a = api
        .get(&format!("/applications/{app_id}"), Some(&applicant))
        .await
        .expect(200)
        .clone();
    assert!(a["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["requirement_code"] == requirement.as_str() && d["uploaded"] == true));
    api.get(&format!("/library/files/{ktp}/download"), Some(&applicant))
        .await
        .expect_error(404, "file_not_found");
}

#[tokio::test]
async fn the_permit_map_finds_an_issued_permit_by_its_area_without_personal_data() {
    let api = Api::new();
    let (_, _, _, applicant) = api.new_applicant("pemohon-peta").await;
    let (id, _) = api.completed_application(&applicant).await;
    let a = api
        .get(&format!("/applications/{id}"), Some(&applicant))
        .await
        .expect(200)
        .clone();
    let permit_id = a["permit"]["id"].as_str().unwrap().to_string();
    let holder = a["applicant"]["name"].as_str().unwrap().to_string();
    let find = |body: &Value| {
        body["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["id"] == permit_id.as_str())
            .cloned()
    };
    // Its location is Jl. Juanda No. 8, Samarinda (-0.4948, 117.1436).
    let around = api
        .get("/webgis/permits?bbox=117.10,-0.52,117.18,-0.46", None)
        .await
        .expect(200)
        .clone();
    assert_eq!(around["type"], "FeatureCollection");
    let feature = find(&around).expect("the permit is on the map of its area");
    assert_eq!(
        feature["geometry"]["coordinates"],
        json!([117.1436, -0.4948])
    );
    assert_eq!(feature["properties"]["number"], a["permit"]["number"]);
    let text = around.to_string();
    assert!(
        !text.contains(&holder) && !text.contains("Juanda"),
        "no personal data: {text}"
    );
    let elsewhere = api
        .get("/webgis/permits?bbox=116.0,-1.5,116.5,-1.0", None)
        .await
        .expect(200)
        .clone();
    assert!(find(&elsewhere).is_none());
    let of_type = |t: &str| format!("/webgis/permits?bbox=117.10,-0.52,117.18,-0.46&type={t}");
    assert!(find(api.get(&of_type("SIPA"), None).await.expect(200)).is_some());
    assert!(find(api.get(&of_type("IZIN-TRAYEK"), None).await.expect(200)).is_none());
    api.get("/webgis/permits?bbox=95,-11,141,6", None)
        .await
        .expect_error(400, "bbox_too_large");
    api.get("/webgis/permits?bbox=117.3,-0.6,117.0,-0.4", None)
        .await
        .expect_error(400, "bbox_invalid");
}

#[tokio::test]
async fn a_complaint_is_answered_then_closed_by_the_helpdesk_and_the_complainant_is_told() {
    let api = Api::new();
    let (_, mail, _, applicant) = api.new_applicant("pengadu").await;
    let (_, _, _, other) = api.new_applicant("pengadu-lain").await;
    let (app_id, resi) = api.submitted_application(&applicant).await;
    let (other_app, _) = api.submitted_application(&other).await;
    let helpdesk = api.new_officers(&[("helpdesk", "DPMPTSP")]).await[0]
        .3
        .clone();
    api.post(
        "/complaints",
        Some(&applicant),
        json!({ "text": "Tanpa kategori" }),
    )
    .await
    .expect_error(400, "field_required");
    // Another applicant's application cannot be named.
    api.post(
        "/complaints",
        Some(&applicant),
        json!({ "category": "licensing", "application_id": other_app, "text": "x" }),
    )
    .await
    .expect_error(403, "forbidden");
    let sent = api
        .post(
            "/complaints",
            Some(&applicant),
            json!({ "category": "licensing", "application_id": app_id,
                    "text": "Permohonan saya belum diverifikasi sejak minggu lalu",
                    "attachment": { "file_name": "bukti.pdf", "content_type": "application/pdf" } }),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(sent["complaint"]["message"], "Pengaduan berhasil dikirim");
    assert_eq!(sent["complaint"]["status"], "Baru");
    assert_eq!(sent["complaint"]["resi"], resi.as_str());
    let id = sent["complaint"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.upload(&sent["upload"], loket_e2e::PDF_BYTES.to_vec())
            .await,
        204
    );
    let confirmed = api
        .post(
            &format!("/complaints/{id}/attachment/confirm"),
            Some(&applicant),
            json!({}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(confirmed["attachment"]["uploaded"], true);
    api.get(&format!("/complaints/{id}"), Some(&other))
        .await
        .expect_error(403, "forbidden");

    // The helpdesk of the application's agency answers from its inbox.
    let task = api
        .wait_task(&helpdesk, "complaint", "respond_complaint", &id)
        .await;
    api.decide(&helpdesk, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(400, "field_required");
    api.decide(
        &helpdesk,
        &task,
        json!({ "decision": "reject", "note": "x" }),
    )
    .await
    .expect_error(400, "decision_invalid");
    api.decide(
        &helpdesk,
        &task,
        json!({ "decision": "approve", "reply": "Sedang kami periksa bersama verifikator" }),
    )
    .await
    .expect(200);
    let c = api
        .get(&format!("/complaints/{id}"), Some(&applicant))
        .await
        .expect(200)
        .clone();
    assert_eq!(c["status"], "Diproses");
    assert_eq!(c["reply"], "Sedang kami periksa bersama verifikator");
    assert!(c["replied_at"].as_i64().is_some());
    let answered = api
        .wait_email(&mail, &format!("Pengaduan {id}: Diproses"), 1)
        .await;
    assert!(answered
        .body
        .contains("Sedang kami periksa bersama verifikator"));
    inbox_with(&api, &applicant, "complaint_status").await;
    // The helpdesk reads the attachment; another applicant does not.
    api.get(&format!("/complaints/{id}/attachment"), Some(&helpdesk))
        .await
        .expect(200);
    api.get(&format!("/complaints/{id}/attachment"), Some(&other))
        .await
        .expect_error(403, "forbidden");

    let close = api
        .wait_task(&helpdesk, "complaint", "close_complaint", &id)
        .await;
    api.decide(
        &helpdesk,
        &close,
        json!({ "decision": "approve", "reply": "Permohonan Anda sudah diverifikasi" }),
    )
    .await
    .expect(200);
    api.wait_email(&mail, &format!("Pengaduan {id}: Selesai"), 1)
        .await;
    let listed = api
        .get(
            &format!("/complaints?q={}", resi.to_lowercase()),
            Some(&applicant),
        )
        .await
        .expect(200)
        .clone();
    let item = &listed["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["status"], "Selesai");
    assert_eq!(item["reply"], "Permohonan Anda sudah diverifikasi");
    assert_eq!(item["replies"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_person_chats_with_the_helpdesk_which_takes_answers_and_closes() {
    let api = Api::new();
    let (_, mail, _, applicant) = api.new_applicant("pemohon-chat").await;
    let (_, _, _, other) = api.new_applicant("pemohon-chat-lain").await;
    let officers = api
        .new_officers(&[
            ("helpdesk", "DPMPTSP"),
            ("helpdesk", "DPMPTSP"),
            ("helpdesk", "DINKES-KALTIM"),
        ])
        .await;
    let (helpdesk, helpdesk_mail, second, elsewhere) = (
        officers[0].3.clone(),
        officers[0].1.clone(),
        officers[1].3.clone(),
        officers[2].3.clone(),
    );
    api.post("/helpdesk/conversations", Some(&applicant), json!({}))
        .await
        .expect_error(400, "field_required");
    let opened = api
        .post(
            "/helpdesk/conversations",
            Some(&applicant),
            json!({ "text": "KTP saya tidak bisa diunggah, mohon bantuan",
                    "attachment": { "file_name": "layar.png", "content_type": "image/png" } }),
        )
        .await
        .expect(201)
        .clone();
    let id = opened["conversation"]["id"].as_str().unwrap().to_string();
    let first = opened["message"]["id"].as_str().unwrap().to_string();
    assert_eq!(opened["conversation"]["status_code"], "waiting");
    // The notice depends on the clock: present exactly outside the helpdesk's hours.
    assert!(
        opened["notice"].is_null() || opened["notice"].as_str().unwrap().contains("08.00 WITA")
    );
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
    assert_eq!(api.upload(&opened["upload"], png.to_vec()).await, 204);
    let attachment = format!("/helpdesk/conversations/{id}/messages/{first}/attachment");
    api.post(
        &format!("{attachment}/confirm"),
        Some(&applicant),
        json!({}),
    )
    .await
    .expect(200);

    // The queue: waiting first; another agency's helpdesk does not see it.
    let queue = api
        .get("/helpdesk/queue", Some(&helpdesk))
        .await
        .expect(200)
        .clone();
    let position = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["id"] == id.as_str());
    assert!(position.is_some(), "{queue}");
    assert!(queue["items"].as_array().unwrap()[..position.unwrap()]
        .iter()
        .all(|c| c["status_code"] == "waiting"));
    let elsewhere_queue = api
        .get("/helpdesk/queue", Some(&elsewhere))
        .await
        .expect(200)
        .clone();
    assert!(!elsewhere_queue.to_string().contains(&id));
    api.get(
        &format!("/helpdesk/conversations/{id}/messages"),
        Some(&other),
    )
    .await
    .expect_error(403, "forbidden");
    api.get(
        &format!("/helpdesk/conversations/{id}/messages"),
        Some(&elsewhere),
    )
    .await
    .expect_error(403, "forbidden");
    // Answering needs taking it first; two officers take it at once: one wins.
    api.post(
        &format!("/helpdesk/conversations/{id}/messages"),
        Some(&helpdesk),
        json!({ "text": "Halo" }),
    )
    .await
    .expect_error(409, "conversation_not_taken");
    let take = format!("/helpdesk/conversations/{id}/take");
    let (a, b) = tokio::join!(
        api.post(&take, Some(&helpdesk), json!({})),
        api.post(&take, Some(&second), json!({}))
    );
    let winners = [&a, &b].iter().filter(|r| r.status == 200).count();
    assert_eq!(winners, 1, "{:?} {:?}", a.body, b.body);
    let (taker, taker_mail) = if a.status == 200 {
        (helpdesk.clone(), helpdesk_mail.clone())
    } else {
        (second.clone(), officers[1].1.clone())
    };
    // The officer reads the attachment and answers; the person is emailed once.
    api.get(&attachment, Some(&taker)).await.expect(200);
    let send = format!("/helpdesk/conversations/{id}/messages");
    api.post(
        &send,
        Some(&taker),
        json!({ "text": "Silakan kompres berkas ke bawah 10 MB" }),
    )
    .await
    .expect(201);
    api.post(&send, Some(&taker), json!({ "text": "Lalu unggah ulang" }))
        .await
        .expect(201);
    api.wait_email(&mail, "Pesan Baru dari Petugas Uji", 1)
        .await;
    // A message is a notification too: in the person's inbox.
    inbox_with(&api, &applicant, "chat_message").await;
    let mine = api
        .get("/helpdesk/conversations", Some(&applicant))
        .await
        .expect(200)
        .clone();
    assert_eq!(mine["items"][0]["id"], id.as_str());
    assert_eq!(mine["items"][0]["unread"], 2);
    let dashboard = api
        .get("/dashboard", Some(&applicant))
        .await
        .expect(200)
        .clone();
    assert_eq!(dashboard["chat_unread"], 2);
    let page = api.get(&send, Some(&applicant)).await.expect(200).clone();
    let texts: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Lalu unggah ulang",
            "Silakan kompres berkas ke bawah 10 MB",
            "KTP saya tidak bisa diunggah, mohon bantuan"
        ]
    );
    let after = api
        .get("/helpdesk/conversations", Some(&applicant))
        .await
        .expect(200)
        .clone();
    assert_eq!(after["items"][0]["unread"], 0);
    // The person's reply reaches the officer; then the officer closes it.
    api.post(
        &send,
        Some(&applicant),
        json!({ "text": "Berhasil, terima kasih" }),
    )
    .await
    .expect(201);
    api.wait_email(&taker_mail, "Pesan Baru dari", 1).await;
    api.post(
        &format!("/helpdesk/conversations/{id}/close"),
        Some(&taker),
        json!({}),
    )
    .await
    .expect(200);
    api.post(&send, Some(&applicant), json!({ "text": "Satu lagi" }))
        .await
        .expect_error(409, "conversation_closed");
}
