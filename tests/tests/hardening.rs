//! What an attacker's generated requests found (issue "Hardening"), kept held: a body
//! that is not a JSON object is never read field by field, and no string field takes
//! more than its documented maximum.

use loket_e2e::{Api, DEMO_PASSWORD};
use serde_json::json;

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_a_400_body_invalid() {
    let api = Api::new();
    for raw in [
        r#"["6472014502950001"]"#,
        r#""6472014502950001""#,
        "42",
        "null",
    ] {
        for path in [
            "/auth/password-reset",
            "/auth/login",
            "/vendors/registrations",
        ] {
            let r = api.http_raw_post(path, raw).await;
            r.expect_error(400, "body_invalid");
        }
    }
}

#[tokio::test]
async fn overlong_strings_are_refused_not_stored() {
    let api = Api::new();
    let huge = "1".repeat(100_000);
    let (_, _, _, applicant) = api.new_applicant("panjang").await;
    api.call(
        "PATCH",
        "/me",
        Some(&applicant),
        Some(json!({ "email": loket_e2e::email("panjang-baru"), "email_code": huge })),
    )
    .await
    .expect_error(400, "field_too_long");

    let (_, vendor) = api.new_vendor("umkm-panjang", "141201").await;
    let r = api
        .post(
            "/vendor/documents",
            Some(&vendor),
            json!({ "kind": "licence", "content_type": "application/pdf", "file_name": huge }),
        )
        .await;
    r.expect_error(400, "field_too_long");
    let r = api
        .post(
            "/vendor/documents",
            Some(&vendor),
            json!({ "kind": "licence", "content_type": "application/pdf",
                    "file_name": "izin\u{1b}[31m.pdf" }),
        )
        .await;
    r.expect_error(400, "field_invalid");
    let profile = api.get("/vendor/profile", Some(&vendor)).await;
    assert_eq!(
        profile.expect(200)["documents"],
        json!([]),
        "nothing half-written"
    );
}

/// `n` copies of one request sent at once, as a scripted attacker would; the replies.
async fn burst<F, Fut>(n: usize, send: F) -> Vec<loket_e2e::Reply>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = loket_e2e::Reply>,
{
    futures::future::join_all((0..n).map(send)).await
}

/// How many replies have each (status, code).
fn tally(replies: &[loket_e2e::Reply]) -> std::collections::BTreeMap<(u16, String), usize> {
    let mut t = std::collections::BTreeMap::new();
    for r in replies {
        *t.entry((r.status, r.code().to_string())).or_default() += 1;
    }
    t
}

/// Asserts that at most `max` replies are `passed` and every other one is `refused`.
fn at_most(replies: &[loket_e2e::Reply], passed: (u16, &str), max: usize, refused: &[(u16, &str)]) {
    let n = count(replies, passed.0, passed.1);
    let others: usize = refused.iter().map(|(s, c)| count(replies, *s, c)).sum();
    assert!(n <= max, "{:?}", tally(replies));
    assert_eq!(n + others, replies.len(), "{:?}", tally(replies));
}

fn count(replies: &[loket_e2e::Reply], status: u16, code: &str) -> usize {
    replies
        .iter()
        .filter(|r| r.status == status && r.code() == code)
        .count()
}

/// 30 wrong passwords at once for one account from one address: at most the lock's
/// threshold (10) are checked, never the 30 of the finding, and the account is locked
/// even for the right password; 60 unknown identifiers at once from one address: at
/// most the address's threshold (50) are checked.
#[tokio::test]
async fn parallel_wrong_passwords_are_checked_no_more_than_the_limits_allow() {
    let api = Api::new();
    let (_, mail, _, _) = api.new_applicant("serbuan").await;
    let replies = burst(30, |i| {
        let (api, mail) = (&api, mail.clone());
        async move { api.login(&mail, &format!("Tebakan-Serbu-{i}")).await }
    })
    .await;
    let checked = count(&replies, 401, "login_failed");
    let refused = count(&replies, 429, "login_throttled") + count(&replies, 429, "login_locked");
    assert_eq!(checked + refused, 30, "{:?}", tally(&replies));
    assert!((1..=10).contains(&checked), "{:?}", tally(&replies));
    if checked == 10 {
        api.login(&mail, "Samarinda-Kota-7")
            .await
            .expect_error(429, "login_locked");
    }

    let other = api.from_other_address();
    let replies = burst(60, |i| {
        let other = &other;
        async move {
            other
                .login(
                    &loket_e2e::email(&format!("tidak-ada-{i}")),
                    "Tebakan-Apa-Saja-1",
                )
                .await
        }
    })
    .await;
    let checked = count(&replies, 401, "login_failed");
    assert!(checked <= 50, "{:?}", tally(&replies));
    assert_eq!(
        checked + count(&replies, 429, "login_throttled") + count(&replies, 429, "login_locked"),
        60,
        "{:?}",
        tally(&replies)
    );
}

/// 12 wrong registration codes at once: at most 5 are compared; the rest are told the
/// code is locked. 12 wrong PINs at once: the same.
#[tokio::test]
async fn parallel_wrong_codes_and_pins_are_compared_at_most_five_times() {
    let api = Api::new();
    let mail = loket_e2e::email("kode-serbu");
    let code = api.registration_code(&mail).await;
    let nik = loket_e2e::random_nik();
    let replies = burst(12, |i| {
        let (api, mail, nik) = (&api, mail.clone(), nik.clone());
        async move {
            let wrong = format!("{:06}", (i as u32 + 1) * 7919 % 1_000_000);
            api.post(
                "/auth/register",
                None,
                api.registration(&nik, &mail, &wrong, json!({})),
            )
            .await
        }
    })
    .await;
    at_most(
        &replies,
        (400, "email_code_invalid"),
        5,
        &[(429, "email_code_locked")],
    );
    // Even the right code is refused now: a new one must be requested.
    api.post(
        "/auth/register",
        None,
        api.registration(&nik, &mail, &code, json!({})),
    )
    .await
    .expect_error(429, "email_code_locked");

    let (nik, mail, _, _) = api.new_applicant("pin-serbu").await;
    let r = api
        .post(
            "/auth/password-reset",
            None,
            json!({ "nik": nik, "phone": "0812-5000-1234", "email": mail,
                    "captcha_token": loket_e2e::CAPTCHA }),
        )
        .await;
    let reset_id = r.expect(202)["reset_id"].as_str().unwrap().to_string();
    let replies = burst(12, |i| {
        let (api, reset_id) = (&api, reset_id.clone());
        async move {
            api.post(
                "/auth/password-reset/confirm",
                None,
                json!({ "reset_id": reset_id, "pin": format!("{:06}", i * 3), 
                        "new_password": "Pesut-Mahakam-88",
                        "new_password_confirmation": "Pesut-Mahakam-88" }),
            )
            .await
        }
    })
    .await;
    at_most(&replies, (400, "pin_invalid"), 5, &[(429, "pin_locked")]);
}

/// 8 code requests at once for one email: one email is sent (the resend cooldown is
/// one conditional write); 15 reset requests at once from one address: at most its
/// limit (10 per hour) get through to matching.
#[tokio::test]
async fn parallel_resends_and_reset_requests_stay_within_their_limits() {
    let api = Api::new();
    let mail = loket_e2e::email("kirim-serbu");
    let replies = burst(8, |_| {
        let (api, mail) = (&api, mail.clone());
        async move {
            api.post("/auth/registration-code", None, json!({ "email": mail }))
                .await
        }
    })
    .await;
    assert_eq!(count(&replies, 202, ""), 1, "{:?}", tally(&replies));
    api.wait_email(&mail, "Kode Verifikasi", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(api.emails(&mail).await.len(), 1, "one code email");

    let stranger = api.from_other_address();
    let replies = burst(15, |i| {
        let stranger = &stranger;
        async move {
            stranger
                .post(
                    "/auth/password-reset",
                    None,
                    json!({ "nik": loket_e2e::random_nik(), "phone": "0811-1111-1111",
                            "email": loket_e2e::email(&format!("iseng-{i}")),
                            "captcha_token": loket_e2e::CAPTCHA }),
                )
                .await
        }
    })
    .await;
    at_most(
        &replies,
        (400, "reset_identity_mismatch"),
        10,
        &[(429, "rate_limited")],
    );
}

/// Re-registering a pending vendor's email: within the cooldown nothing is sent, 8 at
/// once after it send one link, and the owner's name and SKPD never change.
#[tokio::test]
async fn re_registration_of_a_pending_vendor_resends_once_per_cooldown_and_changes_nothing() {
    let api = Api::new();
    let mail = loket_e2e::email("umkm-daftar-ulang");
    let register = |api: &Api, name: &str, skpd: &str| {
        let body = json!({ "name": name, "email": mail, "skpd_code": skpd,
                           "captcha_token": loket_e2e::CAPTCHA });
        let api = api.clone();
        async move { api.post("/vendors/registrations", None, body).await }
    };
    register(&api, "Sri Rahayu", "141201").await.expect(201);
    api.wait_email(&mail, "Aktivasi Akun UMKM Anda", 1).await;

    let now = burst(8, |i| {
        let stranger = api.from_other_address();
        let name = format!("Nama Palsu {}", ["A", "B", "C", "D", "E", "F", "G", "H"][i]);
        register(&stranger, &name, "141403")
    })
    .await;
    assert_eq!(
        count(&now, 429, "activation_resend_too_soon"),
        8,
        "{:?}",
        tally(&now)
    );

    let later = api.later(120);
    let replies = burst(8, |_| register(&later, "Nama Palsu", "141403")).await;
    assert_eq!(count(&replies, 201, ""), 1, "{:?}", tally(&replies));
    assert_eq!(
        count(&replies, 429, "activation_resend_too_soon"),
        7,
        "{:?}",
        tally(&replies)
    );
    let link = api.wait_email(&mail, "Aktivasi Akun UMKM Anda", 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(api.emails(&mail).await.len(), 2, "one new link, not eight");
    let view = api
        .get(
            &format!("/accounts/activation?token={}", link.link_param("token")),
            None,
        )
        .await;
    let view = view.expect(200);
    assert_eq!(view["name"], "Sri Rahayu", "{view}");
    assert_eq!(view["org"]["code"], "141201", "{view}");
}

/// Every paged route takes only its own cursors: forged key names, garbage, a cursor
/// of another route, of another caller or of another query are `400 cursor_invalid`
/// (they reached DynamoDB as an `ExclusiveStartKey` and answered 503 before).
#[tokio::test]
async fn every_paged_route_refuses_a_cursor_it_did_not_give() {
    use base64::Engine;
    let api = Api::new();
    let o = api.officers("141403").await;
    let products: Vec<serde_json::Value> = (0..21)
        .map(|i| {
            json!({ "name": format!("Kue Kering Nomor {i}"), "price": 10000 + i, "category": "kue-roti",
                    "availability": "PO", "min_order": 1, "max_order": 100,
                    "description": "Kue kering untuk rapat." })
        })
        .collect();
    let (_, _, vendor, _) = api
        .seeded_vendor(
            "umkm-kursor",
            "141403",
            "Toko Kursor",
            &o.pjlp_id,
            json!(products),
        )
        .await;
    let (_, _, other_vendor, _) = api
        .seeded_vendor(
            "umkm-kursor-lain",
            "141403",
            "Toko Lain",
            &o.pjlp_id,
            json!([]),
        )
        .await;
    let first = api.get("/vendor/products", Some(&vendor)).await;
    let first = first.expect(200);
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let cursor = first["cursor"].as_str().unwrap().to_string();
    let next = api
        .get(&format!("/vendor/products?cursor={cursor}"), Some(&vendor))
        .await;
    assert_eq!(next.expect(200)["items"].as_array().unwrap().len(), 1);

    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let forged_names = b64(json!({ "XX": { "S": "a" }, "YY": { "S": "b" } }));
    let forged_sealed = format!("{forged_names}.00000000000000000000000000000000");
    let admin = api
        .token(loket_e2e::DEMO_ADMIN, loket_e2e::DEMO_PASSWORD)
        .await;
    for bad in [
        forged_names.as_str(),
        forged_sealed.as_str(),
        "sampah",
        "!!",
    ] {
        for (path, token) in [
            ("/vendor/products", Some(vendor.as_str())),
            ("/admin/organisations/141403/accounts", Some(admin.as_str())),
            ("/organisations", None),
            ("/catalog/products", None),
        ] {
            let r = api.get(&format!("{path}?cursor={bad}"), token).await;
            r.expect_error(400, "cursor_invalid");
        }
    }
    // Another caller, another route, another query.
    api.get(
        &format!("/vendor/products?cursor={cursor}"),
        Some(&other_vendor),
    )
    .await
    .expect_error(400, "cursor_invalid");
    api.get(&format!("/organisations?cursor={cursor}"), None)
        .await
        .expect_error(400, "cursor_invalid");
    api.get(&format!("/catalog/products?cursor={cursor}"), None)
        .await
        .expect_error(400, "cursor_invalid");
    let search = api
        .get(
            "/catalog/products?q=kue+kering+nomor&limit=1&sort=price_asc",
            None,
        )
        .await;
    let c = search.expect(200)["cursor"].as_str().unwrap().to_string();
    api.get(
        &format!("/catalog/products?q=kue+kering+nomor&limit=1&sort=price_asc&cursor={c}"),
        None,
    )
    .await
    .expect(200);
    api.get(
        &format!("/catalog/products?q=kue&limit=1&sort=price_asc&cursor={c}"),
        None,
    )
    .await
    .expect_error(400, "cursor_invalid");
    api.get(&format!("/vendor/products?cursor={c}"), Some(&vendor))
        .await
        .expect_error(400, "cursor_invalid");
}

/// A registered vendor of `skpd` (PJLP `pjlp_id`) whose complete product, with a photo,
/// is confirmed: the listing workflow starts. Returns (vendor token, product id).
async fn submitted_product(api: &Api, skpd: &str, tag: &str, pjlp_id: &str) -> (String, String) {
    let (_, _, vendor, _) = api
        .seeded_vendor(tag, skpd, &format!("Toko {tag}"), pjlp_id, json!([]))
        .await;
    let r = api
        .post(
            "/vendor/products",
            Some(&vendor),
            json!({ "name": format!("Bolu Pandan {tag}"), "price": 40000, "category": "kue-roti",
                    "availability": "H-1", "min_order": 5, "max_order": 50,
                    "description": "Bolu pandan lembut." }),
        )
        .await;
    let product = r.expect(201)["id"].as_str().unwrap().to_string();
    api.add_product_photo(&vendor, &product).await;
    api.post(
        &format!("/vendor/products/{product}/submit"),
        Some(&vendor),
        json!({}),
    )
    .await
    .expect(202);
    (vendor, product)
}

/// Signed out means signed out on every route: a PJLP's token after logout cannot list
/// tasks nor decide a product review (it decided with 200 before), and a token of a
/// session ended by a password change is refused on non-identity routes too.
#[tokio::test]
async fn a_token_of_an_ended_session_is_refused_on_every_route() {
    let api = Api::new();
    let skpd = "141403";
    let (pjlp_id, pjlp_mail, pjlp_pw) = api.new_officer_login("pjlp", skpd).await;
    let (_, product) = submitted_product(&api, skpd, "umkm-keluar", &pjlp_id).await;
    let pjlp = api.token(&pjlp_mail, &pjlp_pw).await;
    let task = api
        .wait_task(&pjlp, "product_listing", "pjlp_review", &product)
        .await;

    api.post("/auth/logout", Some(&pjlp), json!({}))
        .await
        .expect(200);
    api.get("/tasks", Some(&pjlp))
        .await
        .expect_error(401, "unauthenticated");
    api.decide(&pjlp, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(401, "unauthenticated");
    api.get(&format!("/products/{product}"), Some(&pjlp))
        .await
        .expect_error(401, "unauthenticated");

    // A password change ends every other session: its tokens stop everywhere.
    let elsewhere = api.token(&pjlp_mail, &pjlp_pw).await;
    let here = api.token(&pjlp_mail, &pjlp_pw).await;
    api.call(
        "PUT",
        "/me/password",
        Some(&here),
        Some(
            json!({ "old_password": pjlp_pw, "new_password": "Pesut-Mahakam-88",
                     "new_password_confirmation": "Pesut-Mahakam-88" }),
        ),
    )
    .await
    .expect(200);
    api.get("/tasks", Some(&elsewhere))
        .await
        .expect_error(401, "unauthenticated");
    let fresh = api.token(&pjlp_mail, "Pesut-Mahakam-88").await;
    api.decide(&fresh, &task, json!({ "decision": "approve" }))
        .await
        .expect(200);
}

/// No email lost: an activation code email whose stream record is lost on purpose is
/// not sent by the stream; the sweeper, run as the schedule would a minute later, sends
/// it, and a second sweep sends nothing twice.
#[tokio::test]
async fn an_email_whose_stream_record_is_lost_is_sent_once_by_the_sweeper() {
    let api = Api::new();
    let mail = loket_e2e::email("hilang-di-stream");
    api.post(
        "/__local/faults",
        None,
        json!({ "operation": "LoseStreamRecord", "name_prefix": mail, "times": 1 }),
    )
    .await
    .expect(201);
    api.post("/auth/registration-code", None, json!({ "email": mail }))
        .await
        .expect(202);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        api.emails(&mail).await.is_empty(),
        "the stream did not lose it"
    );

    let sweep = || async {
        let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(120);
        let at = later
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        api.post("/__local/events/sweep_outbox", None, json!({ "time": at }))
            .await
            .expect(200)
            .clone()
    };
    let first = sweep().await;
    assert!(first["found"].as_u64().unwrap() >= 1, "{first}");
    api.wait_email(&mail, "Kode Verifikasi", 1).await;
    sweep().await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(api.emails(&mail).await.len(), 1, "sent once");
}

/// A workflow step whose Step Functions call fails: the PJLP's decision is stored and
/// answered, the execution's resume fails twice (Step Functions unreachable, injected),
/// is retried from the outbox, and the workflow moves on to the satpel's task; the
/// product is never left "decided" with its workflow stuck.
#[tokio::test]
async fn a_decision_whose_resume_fails_is_stored_once_and_its_workflow_moves_on() {
    let api = Api::new();
    let skpd = "141403";
    let o = api.officers(skpd).await;
    let (vendor, product) = submitted_product(&api, skpd, "umkm-gangguan", &o.pjlp_id).await;
    let task = api
        .wait_task(&o.pjlp, "product_listing", "pjlp_review", &product)
        .await;
    api.post(
        "/__local/faults",
        None,
        json!({ "operation": "SendTaskSuccess", "name_prefix": task, "times": 2 }),
    )
    .await
    .expect(201);

    api.decide(&o.pjlp, &task, json!({ "decision": "approve" }))
        .await
        .expect(200);
    // Stored once: a second decision is a conflict, the product moved on.
    api.decide(&o.pjlp, &task, json!({ "decision": "approve" }))
        .await
        .expect_error(409, "task_already_decided");
    let p = api
        .get(&format!("/vendor/products/{product}"), Some(&vendor))
        .await;
    assert_eq!(p.expect(200)["status"], "Penayangan");
    // The resume is retried until Step Functions takes it: the next stage opens.
    api.wait_task(&o.satpel, "product_listing", "satpel_publish", &product)
        .await;
    let faults = api.get("/__local/faults", None).await;
    assert!(
        !faults.body.to_string().contains(&task),
        "both injected failures were hit: {}",
        faults.body
    );
}

/// The emulator (tables, workflows, mail: one moto, of a deployment of its own) is
/// stopped in the middle of a workflow step and started again:
/// - a decision sent while it is stopped is refused cleanly (`503
///   service_unavailable`, within the SDK's timeouts, not a hang) and leaves nothing:
///   the same decision afterwards is taken;
/// - stopped again right after a decision was answered, while the workflow moves on (the
///   resume through the outbox, the execution, the next task and its email), the step
///   completes once it runs again: exactly one next task, one email, and the decision
///   cannot be taken twice.
#[tokio::test]
async fn a_workflow_step_survives_its_emulator_being_stopped_and_started_again() {
    let (api, emulator) = Api::stoppable();
    let (vendor, business) = api
        .submitted_vendor("umkm-henti", "141201", "Usaha Henti")
        .await;
    let vendor_id = api.user_id(&vendor).await;
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    let pjlp = api.token("pjlp@demo.loket.id", DEMO_PASSWORD).await;
    let pjlp_id = api.user_id(&pjlp).await;
    let task = api
        .wait_task(&satpel, "vendor_onboarding", "assign_pjlp", &vendor_id)
        .await;
    let assign = json!({ "decision": "approve", "pjlp_id": pjlp_id });

    emulator.stop();
    let started = std::time::Instant::now();
    let refused = api.decide(&satpel, &task, assign.clone()).await;
    let waited = started.elapsed();
    emulator.resume();
    refused.expect_error(503, "service_unavailable");
    assert!(waited.as_secs() < 12, "answered after {waited:?}");
    // Nothing of it was kept: the vendor still waits for its PJLP, the decision is taken.
    let p = api.get("/vendor/profile", Some(&vendor)).await;
    assert_eq!(p.expect(200)["status"], "Penunjukan Pembina");
    api.decide(&satpel, &task, assign.clone()).await.expect(200);

    // Stopped while the workflow moves on to the PJLP's check, then started again.
    emulator.stop();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    emulator.resume();
    let next = api
        .wait_task(&pjlp, "vendor_onboarding", "pjlp_check", &vendor_id)
        .await;
    assert_ne!(next, task);
    api.wait_email(
        "pjlp@demo.loket.id",
        &format!("Tugas Baru: Pengecekan PJLP - {business}"),
        1,
    )
    .await;
    api.decide(&satpel, &task, assign)
        .await
        .expect_error(409, "task_already_decided");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let emails = api.emails("pjlp@demo.loket.id").await;
    let about = emails
        .iter()
        .filter(|e| e.subject.contains(&business))
        .count();
    assert_eq!(about, 1, "one task email to the PJLP");
    let tasks = api.get("/tasks?stage=pjlp_check", Some(&pjlp)).await;
    let open = tasks.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["subject_id"] == vendor_id.as_str())
        .count();
    assert_eq!(open, 1, "one PJLP task: {}", tasks.body);
}
