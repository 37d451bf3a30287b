//! A permit application's processing (issue 13 §3–§5, seed 004 §3.2.2–§3.2.4): the
//! front office, the verifier (forward, revise, reject), the applicant's revision, the
//! agency head's signature, the numbered permit with its QR code and KMS signature,
//! and its public verification. Real executions of `permit-application.asl.json`,
//! real emails, the PDFs read back from S3.

use loket_e2e::{qr_in_pdf, Api, PDF_BYTES};
use serde_json::{json, Value};
use std::time::Duration;

const KIND: &str = "permit_application";

/// A front office, a verifier and an agency head of DPMPTSP, new for the test: tokens.
struct Agency {
    front_office: String,
    verifier: String,
    head: String,
    head_name: String,
    head_mail: String,
    front_office_mail: String,
}

async fn agency(api: &Api) -> Agency {
    let o = api
        .new_officers(&[
            ("helpdesk", "DPMPTSP"),
            ("verifier", "DPMPTSP"),
            ("agency_head", "DPMPTSP"),
        ])
        .await;
    Agency {
        front_office: o[0].3.clone(),
        verifier: o[1].3.clone(),
        head: o[2].3.clone(),
        head_name: "Petugas Uji".into(),
        head_mail: o[2].1.clone(),
        front_office_mail: o[0].1.clone(),
    }
}

async fn application(api: &Api, who: &str, id: &str) -> Value {
    api.get(&format!("/applications/{id}"), Some(who))
        .await
        .expect(200)
        .clone()
}

/// Waits until the application has `status_code`.
async fn wait_status(api: &Api, who: &str, id: &str, status: &str) -> Value {
    for _ in 0..120 {
        let a = application(api, who, id).await;
        if a["status_code"] == status {
            return a;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("application {id} never reached {status}");
}

async fn decide(api: &Api, officer: &str, stage: &str, id: &str, body: Value) {
    let task = api.wait_task(officer, KIND, stage, id).await;
    api.decide(officer, &task, body).await.expect(200);
}

/// The front office forwards `id`; the verifier decides `verdict`.
async fn to_verifier(api: &Api, officers: &Agency, id: &str, verdict: Value) {
    let forward = json!({ "decision": "approve" });
    decide(api, &officers.front_office, "front_office", id, forward).await;
    decide(api, &officers.verifier, "verification", id, verdict).await;
}

/// The document behind "Cetak Resi"/"Cetak Izin" once generated: its bytes.
async fn printed(api: &Api, who: &str, id: &str, what: &str) -> (Value, Vec<u8>) {
    for _ in 0..120 {
        let r = api
            .get(&format!("/applications/{id}/{what}"), Some(who))
            .await;
        if r.status == 409 && r.body["code"] == "document_generating" {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        let link = r.expect(200).clone();
        let (status, bytes) = api.fetch(link["url"].as_str().unwrap()).await;
        assert_eq!(status, 200);
        return (link, bytes);
    }
    panic!("the {what} of {id} was never generated");
}

/// Resubmits a revision (its task is opened by the execution a moment after the
/// verifier's decision).
async fn resubmit(api: &Api, who: &str, id: &str) -> Value {
    for _ in 0..120 {
        let r = api
            .post(&format!("/applications/{id}/submit"), Some(who), json!({}))
            .await;
        if r.status == 409 && r.body["code"] == "revision_not_ready" {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        return r.expect(200).clone();
    }
    panic!("the revision of {id} never opened");
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    format!("/{}", rest.split_once('/').map_or("", |(_, p)| p))
}

#[tokio::test]
async fn an_application_is_revised_signed_numbered_and_its_permit_verified() {
    let api = Api::new();
    let officers = agency(&api).await;
    let (_, applicant_mail, _, applicant) = api.new_applicant("pemohon-izin").await;
    let (_, _, _, other) = api.new_applicant("pemohon-lain").await;
    let (id, resi) = api.submitted_application(&applicant).await;

    // No receipt before the front office found it complete.
    api.get(&format!("/applications/{id}/receipt"), Some(&applicant))
        .await
        .expect_error(409, "document_not_available");
    decide(
        &api,
        &officers.front_office,
        "front_office",
        &id,
        json!({ "decision": "approve" }),
    )
    .await;

    // "Cetak Resi": the receipt, with the resi and a QR code to the monitoring.
    let (_, receipt) = printed(&api, &applicant, &id, "receipt").await;
    let text = String::from_utf8_lossy(&receipt);
    assert!(text.starts_with("%PDF-"));
    for expected in [
        "BUKTI PENDAFTARAN PERMOHONAN IZIN",
        resi.as_str(),
        "Surat Izin Pengambilan Air Tanah",
    ] {
        assert!(text.contains(expected), "{expected} not in the receipt");
    }
    let tracking = qr_in_pdf(&receipt).expect("a QR code on the receipt");
    assert!(
        tracking.ends_with(&format!("/monitoring?resi={resi}")),
        "{tracking}"
    );

    // The verifier sends it back: a note is required; the applicant is emailed it.
    let task = api
        .wait_task(&officers.verifier, KIND, "verification", &id)
        .await;
    api.decide(&officers.verifier, &task, json!({ "decision": "revise" }))
        .await
        .expect_error(400, "note_required");
    api.decide(
        &officers.verifier,
        &task,
        json!({ "decision": "revise", "note": "Hasil uji kualitas air belum dilampirkan" }),
    )
    .await
    .expect(200);
    let a = application(&api, &applicant, &id).await;
    assert_eq!(a["status"], "Revisi");
    assert_eq!(
        a["revision_note"],
        "Hasil uji kualitas air belum dilampirkan"
    );
    assert_eq!(a["actions"]["edit"], true);
    assert_eq!(a["actions"]["print_receipt"], true);
    let mail = api
        .wait_email(&applicant_mail, &format!("Permohonan {resi}"), 3)
        .await;
    assert!(
        mail.body
            .contains("Hasil uji kualitas air belum dilampirkan"),
        "{}",
        mail.body
    );

    // The revision form is the wizard: the optional document added, then resubmitted.
    let optional = a["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["mandatory"] == false)
        .map(|r| r["code"].as_str().unwrap().to_string());
    if let Some(code) = optional {
        api.attach_document(&applicant, &id, &code, "application/pdf", PDF_BYTES)
            .await
            .expect(200);
    }
    // Another applicant cannot resubmit it.
    api.post(
        &format!("/applications/{id}/submit"),
        Some(&other),
        json!({}),
    )
    .await
    .expect_error(403, "forbidden");
    let again = resubmit(&api, &applicant, &id).await;
    assert_eq!(again["status"], "Dalam Proses");
    assert_eq!(again["resi"], resi.as_str(), "the resi stays");

    // Back to the verifier, then the agency head signs.
    decide(
        &api,
        &officers.verifier,
        "verification",
        &id,
        json!({ "decision": "approve" }),
    )
    .await;
    decide(
        &api,
        &officers.head,
        "signing",
        &id,
        json!({ "decision": "approve" }),
    )
    .await;
    let done = wait_status(&api, &applicant, &id, "completed").await;
    assert_eq!(done["status"], "Selesai");
    let number = done["permit"]["number"].as_str().unwrap().to_string();
    let year = time::OffsetDateTime::now_utc().year();
    assert!(
        number.starts_with("503/") && number.ends_with(&format!("/SIPA/DPMPTSP/{year}")),
        "{number}"
    );
    let actions: Vec<&str> = done["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "approved",
            "revision_requested",
            "resubmitted",
            "approved",
            "approved",
            "issued"
        ]
    );
    let revision = &done["timeline"][2];
    assert_eq!(revision["note"], "Hasil uji kualitas air belum dilampirkan");
    assert_eq!(revision["actor_role"], "verifier");

    // "Cetak Izin": the permit, its data and a QR code to its verification.
    let (link, permit) = printed(&api, &applicant, &id, "permit").await;
    assert_eq!(link["number"], number.as_str());
    let text = String::from_utf8_lossy(&permit);
    for expected in [
        number.as_str(),
        "Surat Izin Pengambilan Air Tanah",
        "Jl. Juanda No. 8",
        &officers.head_name,
        "Kepala",
    ] {
        assert!(text.contains(expected), "{expected} not in the permit");
    }
    let verify = qr_in_pdf(&permit).expect("a QR code on the permit");
    let page_path = path_of(&verify);
    assert!(page_path.starts_with("/verifikasi/"), "{verify}");
    let permit_id = page_path.trim_start_matches("/verifikasi/").to_string();
    let (status, page) = api.fetch(&format!("{}{page_path}", api.base_url())).await;
    assert_eq!(status, 200);
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("ASLI") && page.contains(&number), "{page}");

    // The JSON verification: the signature holds; the genuine PDF matches, an altered
    // one does not; a forged id is not found.
    let v = api
        .get(&format!("/permits/{permit_id}/verification"), None)
        .await
        .expect(200)
        .clone();
    assert_eq!(v["signature_valid"], true);
    assert_eq!(v["permit"]["number"], number.as_str());
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let genuine = api
        .post(
            &format!("/permits/{permit_id}/verification"),
            None,
            json!({ "pdf_base64": b64.encode(&permit) }),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(genuine["document_matches"], true);
    let altered_bytes = String::from_utf8_lossy(&permit)
        .replace(&officers.head_name, "Petugas Palsu")
        .into_bytes();
    let altered = api
        .post(
            &format!("/permits/{permit_id}/verification"),
            None,
            json!({ "pdf_base64": b64.encode(&altered_bytes) }),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(altered["document_matches"], false);
    assert!(altered["message"]
        .as_str()
        .unwrap()
        .contains("tidak sesuai"));
    api.get("/permits/01JFORGEDFORGEDFORGEDFORGE/verification", None)
        .await
        .expect_error(404, "permit_not_found");
    let (status, _) = api
        .fetch(&format!(
            "{}/verifikasi/01JFORGEDFORGEDFORGEDFORGE",
            api.base_url()
        ))
        .await;
    assert_eq!(status, 404);

    // Only its applicant prints it.
    for what in ["receipt", "permit"] {
        api.get(&format!("/applications/{id}/{what}"), Some(&other))
            .await
            .expect_error(403, "forbidden");
    }
    // The applicant was told every change: submitted, complete, revision, resubmitted,
    // verified, signed, issued.
    let last = api
        .wait_email(&applicant_mail, &format!("Permohonan {resi}"), 7)
        .await;
    assert!(last.body.contains(&number), "{}", last.body);
}

#[tokio::test]
async fn a_rejected_application_shows_its_reason_to_the_applicant_and_the_public() {
    let api = Api::new();
    let officers = agency(&api).await;
    let (_, applicant_mail, _, applicant) = api.new_applicant("pemohon-ditolak").await;
    let (id, resi) = api.submitted_application(&applicant).await;
    let task = api
        .wait_task(&officers.front_office, KIND, "front_office", &id)
        .await;
    // The front office cannot ask for a revision (only the verifier does).
    api.decide(
        &officers.front_office,
        &task,
        json!({ "decision": "revise", "note": "x" }),
    )
    .await
    .expect_error(400, "decision_invalid");
    api.decide(
        &officers.front_office,
        &task,
        json!({ "decision": "reject", "note": "Lokasi berada di kawasan lindung" }),
    )
    .await
    .expect(200);
    let a = application(&api, &applicant, &id).await;
    assert_eq!(a["status"], "Ditolak");
    assert_eq!(a["rejection_reason"], "Lokasi berada di kawasan lindung");
    assert_eq!(a["actions"]["print_receipt"], false);
    let public = api
        .get(&format!("/tracking?resi={resi}"), None)
        .await
        .expect(200)
        .clone();
    assert_eq!(public["status"], "Ditolak");
    assert_eq!(public["rejection_note"], "Lokasi berada di kawasan lindung");
    assert!(public["timeline"].as_array().unwrap().len() >= 2);
    let mail = api
        .wait_email(&applicant_mail, &format!("Permohonan {resi}"), 2)
        .await;
    assert!(mail.body.contains("Lokasi berada di kawasan lindung"));
    // Nothing more to decide, nothing to print.
    api.post(
        &format!("/applications/{id}/submit"),
        Some(&applicant),
        json!({}),
    )
    .await
    .expect_error(409, "application_not_draft");
}

/// Permit numbers are sequential per agency, type and year, without gaps or
/// duplicates, however many heads sign at once.
#[tokio::test]
async fn permits_signed_at_the_same_time_get_consecutive_numbers() {
    let api = Api::new();
    let officers = agency(&api).await;
    const N: usize = 3;
    let ids: Vec<(String, String)> = futures::future::join_all((0..N).map(|i| {
        let api = &api;
        async move {
            let (_, _, _, applicant) = api.new_applicant(&format!("pemohon-nomor-{i}")).await;
            let (id, _) = api
                .submitted_application_of(&applicant, "REKOMTEK-LINGKUNGAN")
                .await;
            (id, applicant)
        }
    }))
    .await;
    futures::future::join_all(
        ids.iter()
            .map(|(id, _)| to_verifier(&api, &officers, id, json!({ "decision": "approve" }))),
    )
    .await;
    let mut tasks = Vec::new();
    for (id, _) in &ids {
        tasks.push(api.wait_task(&officers.head, KIND, "signing", id).await);
    }
    // Every signature at once.
    let replies = futures::future::join_all(
        tasks
            .iter()
            .map(|t| api.decide(&officers.head, t, json!({ "decision": "approve" }))),
    )
    .await;
    for r in replies {
        r.expect(200);
    }
    let mut numbers = Vec::new();
    for (id, applicant) in &ids {
        let a = wait_status(&api, applicant, id, "completed").await;
        let number = a["permit"]["number"].as_str().unwrap().to_string();
        let seq: u32 = number.split('/').nth(1).unwrap().parse().unwrap();
        numbers.push(seq);
    }
    numbers.sort();
    let first = numbers[0];
    assert_eq!(
        numbers,
        (first..first + N as u32).collect::<Vec<_>>(),
        "consecutive, no gap, no duplicate"
    );
}

/// Sends `id` back for revision (front office forwards, verifier revises) and waits
/// until the applicant's revision task is open (its "Tugas Baru" email).
async fn sent_back(api: &Api, officers: &Agency, id: &str, applicant_mail: &str) {
    let revise = json!({ "decision": "revise", "note": "Peta lokasi belum sesuai" });
    to_verifier(api, officers, id, revise).await;
    api.wait_email(applicant_mail, "Tugas Baru: Revisi Permohonan", 1)
        .await;
}

/// A revision not resubmitted within 5 working days lapses, through the hourly job (on
/// a deployment of its own: the job runs days ahead): reminded on the third working
/// day, lapsed on the fifth — once, emailed, even when the job runs twice; a
/// resubmission racing the job: exactly one of them wins.
#[tokio::test]
async fn a_revision_not_resubmitted_in_time_lapses_once() {
    let api = Api::own_deployment();
    let (officers, (_, late_mail, _, late_applicant), (_, racing_mail, _, racing_applicant)) = tokio::join!(
        agency(&api),
        api.new_applicant("pemohon-gugur"),
        api.new_applicant("pemohon-balapan"),
    );
    let ((late, resi), (racing, _)) = tokio::join!(
        api.submitted_application(&late_applicant),
        api.submitted_application(&racing_applicant),
    );
    tokio::join!(
        sent_back(&api, &officers, &late, &late_mail),
        sent_back(&api, &officers, &racing, &racing_mail),
    );
    let today = loket_shared::rules::workdays::wib_date(time::OffsetDateTime::now_utc());
    let holidays = api.holiday_calendar(today).await;
    api.run_deadline_job_on(loket_e2e::working_day(today, 3, &holidays))
        .await;
    let reminder = api
        .wait_email(&late_mail, "Pengingat Tugas: Revisi Permohonan", 1)
        .await;
    assert!(reminder.body.contains("3 hari kerja"), "{}", reminder.body);
    assert_eq!(
        application(&api, &late_applicant, &late).await["status_code"],
        "revision"
    );

    // The fifth working day: the job and a last-minute resubmission at once.
    let lapse_day = loket_e2e::working_day(today, 5, &holidays);
    let submit = format!("/applications/{racing}/submit");
    let (done, resubmitted) = tokio::join!(
        api.run_deadline_job_on(lapse_day),
        api.post(&submit, Some(&racing_applicant), json!({})),
    );
    assert!(done["expired"].as_u64().unwrap() >= 1, "{done}");
    let racing_now = application(&api, &racing_applicant, &racing).await;
    match resubmitted.status {
        200 => assert_eq!(racing_now["status_code"], "verification"),
        409 => assert_eq!(racing_now["status_code"], "lapsed"),
        other => panic!(
            "a resubmission racing the lapse answered {other}: {:?}",
            resubmitted.body
        ),
    }

    let a = application(&api, &late_applicant, &late).await;
    assert_eq!(a["status_code"], "lapsed");
    assert_eq!(a["status"], "Kedaluwarsa");
    let lapsed = format!("Permohonan {resi} (Surat Izin Pengambilan Air Tanah): Kedaluwarsa");
    let mail = api.wait_email(&late_mail, &lapsed, 1).await;
    assert!(mail.body.contains("5 hari kerja"), "{}", mail.body);
    // Too late now.
    api.post(
        &format!("/applications/{late}/submit"),
        Some(&late_applicant),
        json!({}),
    )
    .await
    .expect_error(409, "application_not_draft");

    // Once: the job again the same day changes nothing and sends nothing.
    api.run_deadline_job_on(lapse_day).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let a = application(&api, &late_applicant, &late).await;
    let expired = a["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "expired")
        .count();
    assert_eq!(expired, 1);
    let mails = api.emails(&late_mail).await;
    assert_eq!(
        mails.iter().filter(|m| m.subject.contains(&lapsed)).count(),
        1
    );
}

/// An agency's late steps (the hourly job, on the deployment of its own): an
/// application the front office leaves waiting and an unanswered complaint — the
/// helpdesk is reminded on the third working day, the agency head hears of both on
/// the fifth (an SKPD's satpel would, for an SKPD's step).
#[tokio::test]
async fn an_agencys_late_steps_are_reminded_then_escalated_to_its_head() {
    let api = Api::own_deployment();
    let (officers, (_, _, _, applicant)) =
        tokio::join!(agency(&api), api.new_applicant("pemohon-menunggu"));
    let (_, waiting_resi) = api.submitted_application(&applicant).await;
    let complaint = api
        .post(
            "/complaints",
            Some(&applicant),
            json!({ "category": "service", "text": "Kapan permohonan saya diperiksa?" }),
        )
        .await
        .expect(201)["complaint"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.wait_task(
        &officers.front_office,
        "complaint",
        "respond_complaint",
        &complaint,
    )
    .await;
    let today = loket_shared::rules::workdays::wib_date(time::OffsetDateTime::now_utc());
    let holidays = api.holiday_calendar(today).await;
    api.run_deadline_job_on(loket_e2e::working_day(today, 3, &holidays))
        .await;
    api.wait_email(
        &officers.front_office_mail,
        "Pengingat Tugas: Tanggapi Pengaduan",
        1,
    )
    .await;
    api.run_deadline_job_on(loket_e2e::working_day(today, 5, &holidays))
        .await;
    api.wait_email(&officers.head_mail, "Eskalasi Tugas: Tanggapi Pengaduan", 1)
        .await;
    api.wait_email(
        &officers.head_mail,
        "Eskalasi Tugas: Pemeriksaan Kelengkapan - ",
        1,
    )
    .await;
    let escalations = api.emails(&officers.head_mail).await;
    assert!(
        escalations
            .iter()
            .any(|m| m.subject.starts_with("Eskalasi Tugas") && m.subject.contains(&waiting_resi)),
        "the head is told of the waiting application"
    );
}
