//! Benchmark: N permit applications to a signed permit on a fresh local stack
//! (infra/bench/permit-lifecycle.sh), each with one revision, as the people really
//! do it: the applicant fills the wizard (start, the data, each mandatory document
//! through the checked upload, submit); each officer opens its inbox once the task's
//! email arrived and decides (front office forwards, verifier sends back for revision,
//! the applicant resubmits, verifier forwards, agency head signs); the applicant
//! prints the receipt and the permit, and someone scans the permit's QR code (one
//! verification). Per application: HTTP requests, Lambda invocations, Step Functions
//! state transitions (the execution's history), DynamoDB requests, items and capacity
//! units, emails, KMS requests, S3 objects written (`loket_shared::meter`), the permit
//! PDF's size; then the time to render a permit PDF in-process, and the cost per 1 000
//! applications from AWS's published prices, stated in the output.
//!
//! Usage: permit-lifecycle --applications N --moto URL --prefix PREFIX (the API from
//! LOKET_API_URL)

use loket_bench::{flag, settled, transitions, PerUnit};
use loket_e2e::Api;
use loket_licensing::issuance::{permit_lines, PermitData};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const KIND: &str = "permit_application";

struct Officers {
    front_office: (String, String),
    verifier: (String, String),
    head: (String, String),
}

/// One officer's step: the `nth` task email about `resi`, the inbox once, the decision.
async fn step(
    api: &Api,
    (token, mail): &(String, String),
    stage: &str,
    id: &str,
    resi: &str,
    nth: usize,
    body: Value,
) {
    api.wait_email(mail, &format!("({resi})"), nth).await;
    let inbox = api.get(&format!("/tasks?stage={stage}"), Some(token)).await;
    let task = inbox.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject_id"] == id && t["kind"] == KIND)
        .unwrap_or_else(|| panic!("{stage} task of {id} not in the inbox"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.post(&format!("/tasks/{task}/decision"), Some(token), body)
        .await
        .expect(200);
}

/// One application to its signed permit: its id, the client's HTTP requests, the
/// objects it uploaded, the permit PDF's size.
async fn one_application(
    api: &Api,
    o: &Officers,
    applicant: (&str, &str),
) -> (String, u32, u32, usize) {
    let (token, mail) = applicant;
    let (id, resi) = api.submitted_application(token).await;
    let mandatory = api
        .get(&format!("/applications/{id}"), Some(token))
        .await
        .expect(200)["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mandatory"] == true)
        .count() as u32;
    // start, the data, each document (create + confirm; the upload goes to S3), submit;
    // and the read of the requirements above
    let mut requests = 4 + 2 * mandatory;
    let approve = json!({ "decision": "approve" });
    step(
        api,
        &o.front_office,
        "front_office",
        &id,
        &resi,
        1,
        approve.clone(),
    )
    .await;
    let revise = json!({ "decision": "revise", "note": "Lengkapi peta lokasi" });
    step(api, &o.verifier, "verification", &id, &resi, 1, revise).await;
    requests += 4;
    api.wait_email(mail, "Tugas Baru: Revisi Permohonan", 1)
        .await;
    loop {
        let r = api
            .post(
                &format!("/applications/{id}/submit"),
                Some(token),
                json!({}),
            )
            .await;
        requests += 1;
        if r.status == 200 {
            break;
        }
        assert_eq!(r.body["code"], "revision_not_ready", "{:?}", r.body);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    step(
        api,
        &o.verifier,
        "verification",
        &id,
        &resi,
        2,
        approve.clone(),
    )
    .await;
    step(api, &o.head, "signing", &id, &resi, 1, approve).await;
    requests += 4;
    let done = format!("Permohonan {resi}");
    // Submitted, complete, revision, resubmitted, signing, issuing, issued: the 7th.
    api.wait_email(mail, &done, 7).await;
    let receipt = api
        .get(&format!("/applications/{id}/receipt"), Some(token))
        .await;
    receipt.expect(200);
    let permit = api
        .get(&format!("/applications/{id}/permit"), Some(token))
        .await;
    let (_, pdf) = api.fetch(permit.expect(200)["url"].as_str().unwrap()).await;
    let a = api.get(&format!("/applications/{id}"), Some(token)).await;
    let permit_id = a.expect(200)["permit"]["id"].as_str().unwrap().to_string();
    api.get(&format!("/permits/{permit_id}/verification"), None)
        .await
        .expect(200);
    requests += 4;
    (id, requests, mandatory, pdf.len())
}

/// The time to render a permit's PDF (its lines and QR code), in-process.
fn render_time() -> (f64, usize) {
    let d = PermitData {
        id: "01JABCDEFGHJKMNPQRSTVWXYZ0".into(),
        number: "503/0042/SIPA/DPMPTSP/2026".into(),
        permit_type: "Surat Izin Pengambilan Air Tanah".into(),
        agency: "Dinas Penanaman Modal dan PTSP".into(),
        kind: "Perizinan Baru".into(),
        holder: "Siti Rahmawati".into(),
        company: Some("PT Air Bersih Mahakam".into()),
        location: "Jl. Juanda No. 8, Samarinda (-0.494800, 117.143600)".into(),
        valid_from: "03-12-2026".into(),
        valid_until: "03-12-2031".into(),
        signer_name: "Dr. Ahmad Fauzi, M.M.".into(),
        signer_position: "Kepala Dinas Penanaman Modal dan PTSP".into(),
        signed_on: "03-12-2026".into(),
        resi: "6F632D".into(),
    };
    let url = "https://loket.example.go.id/verifikasi/01JABCDEFGHJKMNPQRSTVWXYZ0";
    let runs = 200;
    let started = Instant::now();
    let mut size = 0;
    for _ in 0..runs {
        size = loket_shared::pdf::render(&d.number, &permit_lines(&d, url)).len();
    }
    (started.elapsed().as_secs_f64() * 1000.0 / runs as f64, size)
}

#[tokio::main]
async fn main() {
    let wanted: usize = flag("--applications", "5")
        .parse()
        .expect("--applications N");
    let (moto, prefix) = (flag("--moto", ""), flag("--prefix", ""));
    let api = Api::new();
    let sfn = loket_bench::sfn(&moto);
    let machine = format!("{prefix}-permitapplicationstatemachine");

    // The people (not measured): an applicant, and the agency's three officers.
    let people = api
        .new_officers(&[
            ("helpdesk", "DPMPTSP"),
            ("verifier", "DPMPTSP"),
            ("agency_head", "DPMPTSP"),
        ])
        .await;
    let officer = |i: usize| (people[i].3.clone(), people[i].1.clone());
    let o = Officers {
        front_office: officer(0),
        verifier: officer(1),
        head: officer(2),
    };
    let mut applicants = Vec::new();
    for n in 0..wanted {
        let (_, mail, _, token) = api.new_applicant(&format!("bench-izin-{n}")).await;
        applicants.push((token, mail));
    }
    let before = settled(&api).await;
    let started = Instant::now();
    let (mut http, mut uploads, mut pdf_bytes) = (0u32, 0u32, 0usize);
    let mut ids = Vec::new();
    // One at a time, each by its own applicant (whose emails are then its own).
    for (token, mail) in &applicants {
        let (id, requests, uploaded, size) = one_application(&api, &o, (token, mail)).await;
        http += requests;
        uploads += uploaded;
        pdf_bytes += size;
        ids.push(id);
    }
    let after = settled(&api).await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut sfn_transitions = 0;
    for id in &ids {
        sfn_transitions += transitions(&sfn, &machine, &format!("application-{id}")).await;
    }
    let n = wanted as f64;
    let mut per = PerUnit::of(&before, &after, n, http as f64, sfn_transitions as f64);
    // The applicant's documents, the receipt and the permit.
    per.s3_puts = uploads as f64 / n + 2.0;
    println!(
        "{wanted} permit applications (SIPA, DPMPTSP; one revision each; submitted → Selesai) in {elapsed:.1} s on the local stack \
         (the applicants registered before)"
    );
    println!(
        "  permit PDF size                   {:>8.0} bytes (with its QR code)",
        pdf_bytes as f64 / n
    );
    let (ms, size) = render_time();
    println!("  permit PDF rendering              {ms:>8.3} ms  (in-process, debug build, mean of 200; {size} bytes)");
    per.print("application", "permit application execution");
}
