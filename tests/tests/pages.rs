//! The pages behind the emailed links, in a real browser (headless Chromium through
//! WebDriver, `loket_e2e::browser`): what an officer sees on a phone or a desktop when
//! opening the link, and that it passes axe-core at both sizes.

use futures::FutureExt;
use loket_e2e::browser::Browser;
use loket_e2e::{Api, EORDER_ADMIN_ORG};
use serde_json::json;
use std::panic::AssertUnwindSafe;

const SKPD: &str = "141201";
/// The demo satpel of SKPD 141201, to whom the vendor's first task is emailed.
const SATPEL: &str = "satpel@demo.loket.id";
const ONBOARDING: &str = "vendor_onboarding";

/// From the signed-out page of the task link `link`: its sign-in link, the sign-in
/// form, and back on the task (its decision forms, or the refusal of another officer).
async fn sign_in_from_link(browser: &Browser, link: &str, who: &str, password: &str) {
    browser.goto(link).await;
    browser.click("a[href^='/masuk']").await;
    assert_eq!(browser.text("h1").await, "Masuk");
    browser.fill("#identifier", who).await;
    browser.fill("#password", password).await;
    browser.fill("#captcha_token", loket_e2e::CAPTCHA).await;
    browser.click("form.stack button[type=submit]").await;
    browser.wait_for("form.decide, .notice.error").await;
    assert_eq!(browser.current_path().await, link);
}

/// "Setujui" (whatever the stage calls it) and the confirmation page.
async fn approve_on_page(browser: &Browser) {
    browser
        .click("form.decide button[type=submit]:not(.reject)")
        .await;
    browser.wait_for(".notice.ok").await;
    assert_eq!(browser.text("h1").await, "Keputusan tersimpan");
}

/// The header's "Keluar": the session ends, the sign-in page shows.
async fn sign_out(browser: &Browser) {
    browser.click("form.signout button[type=submit]").await;
    browser.wait_for("#identifier").await;
}

#[tokio::test]
async fn a_satpel_opens_the_emailed_task_link_and_reads_the_case_on_a_phone_and_a_desktop() {
    let api = Api::new();
    // A vendor confirms its profile: the chain opens the satpel's task and emails its link.
    let (_, business) = api
        .submitted_vendor("umkm-halaman", SKPD, "Keripik Tempe Bu Sri")
        .await;
    let link = api.task_link(SATPEL, "Penunjukan Pembina", &business).await;

    let (_, stranger, stranger_pw) = api.new_officer_login("satpel", "141105").await;
    Browser::run(&api, |browser| async move {
        browser.goto(&link).await;
        assert_eq!(browser.current_path().await, link);
        let title = browser.text("h1").await;
        assert!(title.contains("Penunjukan Pembina"), "{title}");
        let page = browser.page_text().await;
        assert!(page.contains(&business), "{page}");
        assert!(page.contains("Tolak, dengan alasan"), "{page}");
        browser
            .check_accessibility_at_both_sizes("tautan tugas")
            .await;

        // A link that is not (or no longer) valid gets a page that says so.
        browser.goto("/task-links/bukan-tautan-yang-sah").await;
        assert_eq!(browser.text("h1").await, "Tautan tidak valid");
        browser
            .check_accessibility_at_both_sizes("tautan tidak valid")
            .await;

        // A satpel of another organisation signs in from the link: the refusal page.
        browser.step("another organisation");
        sign_in_from_link(&browser, &link, &stranger, &stranger_pw).await;
        assert_eq!(browser.text("h1").await, "Tidak diizinkan");
        assert!(!browser.has("form.decide").await);
        browser
            .check_accessibility_at_both_sizes("bukan tugasnya")
            .await;
    })
    .await;
}

/// The harness itself: a page with a critical violation (an image without a text
/// alternative) fails the check, naming the rule, and leaves a screenshot of the page.
#[tokio::test]
async fn the_accessibility_check_fails_a_page_with_a_critical_violation_and_saves_a_screenshot() {
    let api = Api::new();
    let outcome = AssertUnwindSafe(Browser::run(&api, |browser| async move {
        browser
            .goto_url(
                "data:text/html;charset=utf-8,<!doctype html><html lang=id><title>Uji</title>\
                 <main><h1>Uji</h1><img src=foto.png></main></html>",
            )
            .await;
        assert_eq!(browser.text("h1").await, "Uji");
        browser.check_accessibility("halaman cacat").await;
    }))
    .catch_unwind()
    .await;
    let panic = outcome.expect_err("a critical violation fails the check");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("image-alt (critical)") && message.contains("img"),
        "{message}"
    );
    let test = std::thread::current().name().unwrap().to_string();
    let screenshot = std::path::Path::new(&std::env::var("LOKET_SCREENSHOTS").unwrap())
        .join(format!("{test}-axe-halaman-cacat.png"));
    let png = std::fs::read(&screenshot)
        .unwrap_or_else(|e| panic!("no screenshot {}: {e}", screenshot.display()));
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    std::fs::remove_file(&screenshot).unwrap();
}

/// The officer's whole journey from the email, in Chromium: the link, the sign-in page
/// (and back to the task), the case and its form, assigning the PJLP from the list,
/// the confirmation; opened again, the task says it is decided. Every page passes
/// axe-core at phone and desktop size.
#[tokio::test]
async fn a_satpel_signs_in_from_the_emailed_link_and_assigns_the_pjlp_in_the_browser() {
    let api = Api::new();
    let (_, satpel_mail, password) = api.new_officer_login("satpel", SKPD).await;
    let (pjlp_id, _, _) = api.new_officer_login("pjlp", SKPD).await;
    let (vendor, business) = api
        .submitted_vendor("umkm-peramban", SKPD, "Amplang Peramban")
        .await;
    let link = api
        .task_link(&satpel_mail, "Penunjukan Pembina", &business)
        .await;

    let pjlp = pjlp_id.clone();
    Browser::run(&api, |browser| async move {
        browser.step("link");
        browser.goto(&link).await;
        browser.click("a[href^='/masuk']").await;
        browser.step("sign-in page");
        assert_eq!(browser.text("h1").await, "Masuk");
        browser.check_accessibility_at_both_sizes("masuk").await;
        browser.fill("#identifier", &satpel_mail).await;
        browser.fill("#password", &password).await;
        browser.fill("#captcha_token", loket_e2e::CAPTCHA).await;
        browser.click("form.stack button[type=submit]").await;
        browser.step("back to the task");
        browser.wait_for("form.decide").await;
        assert_eq!(browser.current_path().await, link);
        assert!(browser.text("h1").await.contains("Penunjukan Pembina"));
        assert!(browser.page_text().await.contains(&business));
        browser.check_accessibility_at_both_sizes("keputusan").await;
        browser.select("#pjlp_id", &pjlp).await;
        browser
            .click("form.decide button[type=submit]:not(.reject)")
            .await;
        browser.step("confirmation");
        browser.wait_for(".notice.ok").await;
        assert_eq!(browser.text("h1").await, "Keputusan tersimpan");
        browser.check_accessibility_at_both_sizes("tersimpan").await;
        browser.step("decided");
        browser.goto(&link).await;
        assert_eq!(browser.text("h1").await, "Tugas sudah diputuskan");
        browser
            .check_accessibility_at_both_sizes("sudah diputuskan")
            .await;
    })
    .await;
    let p = api.get("/vendor/profile", Some(&vendor)).await;
    assert_eq!(p.expect(200)["status"], "Pengecekan PJLP");
}

/// A new vendor opens the activation link of its email and sets its password.
#[tokio::test]
async fn a_vendor_activates_its_account_from_the_emailed_link_in_the_browser() {
    let api = Api::new();
    let mail = loket_e2e::email("umkm-aktif-peramban");
    api.post(
        "/vendors/registrations",
        None,
        json!({ "name": "Sri Rahayu", "email": mail, "skpd_code": SKPD, "captcha_token": loket_e2e::CAPTCHA }),
    )
    .await
    .expect(201);
    let token = api
        .wait_email(&mail, "Aktivasi Akun UMKM Anda", 1)
        .await
        .link_param("token");
    Browser::run(&api, |browser| async move {
        browser.goto(&format!("/aktivasi?token={token}")).await;
        assert_eq!(browser.text("h1").await, "Aktivasi akun");
        browser.check_accessibility_at_both_sizes("aktivasi").await;
        browser.fill("#password", "Kerajinan-Rotan-7").await;
        browser
            .fill("#password_confirmation", "Kerajinan-Rotan-7")
            .await;
        browser.click("form.stack button[type=submit]").await;
        browser.wait_for(".notice.ok").await;
        assert_eq!(browser.text("h1").await, "Akun Anda telah aktif");
        browser.check_accessibility_at_both_sizes("aktif").await;
    })
    .await;
    api.token(&mail, "Kerajinan-Rotan-7").await;
}

/// The rest of the e-Order chain from the emails, in Chromium: the PJLP opens its link,
/// signs in, reads the case with the vendor's document, approves and signs out; the
/// satpel's check is approved; the eorder_admin does the same from its email, and the
/// vendor is "Terdaftar".
#[tokio::test]
async fn the_pjlp_and_then_the_eorder_admin_decide_from_their_emails_until_the_vendor_is_registered(
) {
    let api = Api::new();
    let (_, satpel) = api.new_officer("satpel", SKPD).await;
    let (pjlp_id, pjlp_mail, pjlp_password) = api.new_officer_login("pjlp", SKPD).await;
    let (_, admin_mail, admin_password) = api
        .new_officer_login("eorder_admin", EORDER_ADMIN_ORG)
        .await;
    let (_, vendor) = api.new_vendor("umkm-terdaftar-peramban", SKPD).await;
    let vendor_id = api.user_id(&vendor).await;
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    api.upload_vendor_document(
        &vendor,
        "licence",
        "nib-amplang.pdf",
        "application/pdf",
        pdf,
    )
    .await;
    let business = format!("Amplang Tepian {}", rand::random::<u32>());
    api.submit_vendor_profile(&vendor, &business).await;
    let task = api
        .wait_task(&satpel, ONBOARDING, "assign_pjlp", &vendor_id)
        .await;
    api.decide(
        &satpel,
        &task,
        json!({ "decision": "approve", "pjlp_id": pjlp_id }),
    )
    .await
    .expect(200);
    let pjlp_link = api
        .task_link(&pjlp_mail, "Pengecekan PJLP", &business)
        .await;

    let api = &api;
    let (satpel, vendor_id, business) = (&satpel, &vendor_id, &business);
    Browser::run(api, |browser| async move {
        browser.step("pjlp");
        sign_in_from_link(&browser, &pjlp_link, &pjlp_mail, &pjlp_password).await;
        assert!(browser.text("h1").await.contains("Pengecekan PJLP"));
        let page = browser.page_text().await;
        assert!(page.contains(business.as_str()), "{page}");
        assert!(page.contains("Izin Usaha — nib-amplang.pdf"), "{page}");
        assert!(browser.has("ul.files a[href^='/tugas/']").await);
        browser
            .check_accessibility_at_both_sizes("pengecekan pjlp")
            .await;

        browser.step("pjlp edits");
        browser.click("a[href$='/ubah']").await;
        browser.wait_for("#phone").await;
        assert!(browser.text("h1").await.starts_with("Ubah data"));
        browser.check_accessibility_at_both_sizes("ubah data").await;
        browser.fill("#phone", "0813-4700-1122").await;
        browser.click("form.stack button[type=submit]").await;
        browser.wait_for(".notice.ok").await;
        assert_eq!(browser.text("h1").await, "Data tersimpan");
        browser.click("main a[href^='/tugas/']").await;
        browser.wait_for("form.decide").await;
        let page = browser.page_text().await;
        assert!(
            page.contains("081347001122") && page.contains("Diperbaiki"),
            "{page}"
        );
        approve_on_page(&browser).await;
        sign_out(&browser).await;

        browser.step("satpel check (API)");
        let task = api
            .wait_task(satpel, ONBOARDING, "satpel_check", vendor_id)
            .await;
        api.decide(satpel, &task, json!({ "decision": "approve" }))
            .await
            .expect(200);

        browser.step("eorder_admin");
        let admin_link = api.task_link(&admin_mail, "Pengajuan", business).await;
        sign_in_from_link(&browser, &admin_link, &admin_mail, &admin_password).await;
        assert!(browser.text("h1").await.contains("Pengajuan"));
        let approve = browser
            .text("form.decide button[type=submit]:not(.reject)")
            .await;
        assert_eq!(approve, "Setujui dan aktifkan (Confirm)");
        approve_on_page(&browser).await;
    })
    .await;
    let p = api.get("/vendor/profile", Some(&vendor)).await;
    assert_eq!(p.expect(200)["status"], "Terdaftar");
}

/// A rejection from the page: a form that lost its CSRF token is refused (and changes
/// nothing), the reason is required, and the vendor gets its registration back with
/// the reason.
#[tokio::test]
async fn a_satpel_rejects_with_a_reason_and_a_form_without_its_csrf_token_is_refused() {
    let api = Api::new();
    let (_, satpel_mail, password) = api.new_officer_login("satpel", SKPD).await;
    let (vendor, business) = api
        .submitted_vendor("umkm-tolak-peramban", SKPD, "Amplang Tolak")
        .await;
    let link = api
        .task_link(&satpel_mail, "Penunjukan Pembina", &business)
        .await;
    let reason = "Wilayah usaha bukan binaan SKPD ini";
    Browser::run(&api, |browser| async move {
        browser.step("sign in");
        sign_in_from_link(&browser, &link, &satpel_mail, &password).await;

        browser.step("forged form");
        browser.remove("form.decide input[name=csrf]").await;
        browser.fill("#note", reason).await;
        browser.click("form.decide button.reject").await;
        browser.wait_for(".notice.error").await;
        assert_eq!(browser.text("h1").await, "Tidak diizinkan");
        assert!(browser.text(".notice.error").await.contains("Formulir"));
        browser
            .check_accessibility_at_both_sizes("formulir ditolak")
            .await;

        browser.step("reason required");
        browser.goto(&link).await;
        browser.remove("#note").await; // the browser's own check aside: the server's
        browser.click("form.decide button.reject").await;
        browser.wait_for(".notice.error").await;
        assert!(
            browser.text(".notice.error").await.contains("Alasan"),
            "{}",
            browser.page_text().await
        );
        assert!(
            browser.has("form.decide").await,
            "the case and its forms stay"
        );

        browser.step("reject");
        browser.fill("#note", reason).await;
        browser.click("form.decide button.reject").await;
        browser.wait_for(".notice.ok").await;
        assert!(browser.text(".notice.ok").await.contains("ditolak"));
    })
    .await;
    let p = api.get("/vendor/profile", Some(&vendor)).await;
    let p = p.expect(200);
    assert_eq!(p["status"], "Pengisian Data");
    assert_eq!(p["rejection"]["reason"], reason);
}

/// A revision of a published product, approved from the pages: the PJLP's page shows
/// what changes against the published version and the new photo; the PJLP, then the
/// satpel approve from their emails; the catalog shows the revision.
#[tokio::test]
async fn a_product_revision_is_approved_from_the_pages_showing_what_it_changes() {
    let api = Api::new();
    let skpd = "141403";
    let (satpel_id, satpel_mail, satpel_password) = api.new_officer_login("satpel", skpd).await;
    let (pjlp_id, pjlp_mail, pjlp_password) = api.new_officer_login("pjlp", skpd).await;
    let _ = satpel_id;
    let word = rand::random::<u32>();
    let old_name = format!("Bingka Kentang {word}");
    let (_, _, vendor, products) = api
        .seeded_vendor(
            "umkm-revisi-peramban",
            skpd,
            &format!("Dapur Bingka {word}"),
            &pjlp_id,
            json!([{ "name": old_name, "price": 30000, "category": "kue-roti", "availability": "H-1",
                     "min_order": 10, "max_order": 200, "description": "Bingka kentang khas Banjar." }]),
        )
        .await;
    let id = products[0].clone();
    let new_name = format!("Bingka Kentang Pandan {word}");
    api.call(
        "PUT",
        &format!("/vendor/products/{id}"),
        Some(&vendor),
        Some(json!({
            "name": new_name, "price": 32500, "category": "kue-roti", "availability": "H-1",
            "min_order": 10, "max_order": 200, "description": "Bingka kentang khas Banjar.",
        })),
    )
    .await
    .expect(200);
    api.add_product_photo(&vendor, &id).await;
    api.post(
        &format!("/vendor/products/{id}/submit"),
        Some(&vendor),
        json!({}),
    )
    .await
    .expect(202);
    let pjlp_link = api
        .wait_email(&pjlp_mail, &format!("Pengajuan - {new_name}"), 1)
        .await
        .link_path("/task-links/");

    let api_ref = &api;
    let (old, new) = (&old_name, &new_name);
    Browser::run(&api, |browser| async move {
        browser.step("pjlp");
        sign_in_from_link(&browser, &pjlp_link, &pjlp_mail, &pjlp_password).await;
        let changes = browser.text("table").await;
        for expected in [
            old.as_str(),
            new.as_str(),
            "Rp30000",
            "Rp32500",
            "0 foto",
            "1 foto (1 baru, 0 dihapus)",
        ] {
            assert!(changes.contains(expected), "{expected} not in {changes}");
        }
        assert!(
            !changes.contains("Deskripsi"),
            "unchanged lines are not changes: {changes}"
        );
        assert!(browser.page_text().await.contains("Foto Produk 1"));
        browser
            .check_accessibility_at_both_sizes("revisi produk")
            .await;

        approve_on_page(&browser).await;
        sign_out(&browser).await;

        browser.step("satpel");
        let satpel_link = api_ref
            .wait_email(&satpel_mail, &format!("Penayangan - {new}"), 1)
            .await
            .link_path("/task-links/");
        sign_in_from_link(&browser, &satpel_link, &satpel_mail, &satpel_password).await;
        approve_on_page(&browser).await;
    })
    .await;
    let page = api.get(&format!("/catalog/products/{id}"), None).await;
    let page = page.expect(200);
    assert_eq!(page["name"], new_name.as_str());
    assert_eq!(page["price"], 32500);
}

/// The buyer's steps of an order from the emailed links (seed 001 §6.2, §6.4): the
/// receipt page asks for the three checks and a note, the rating page for the stars and
/// the review, and neither offers a rejection (those steps cannot be rejected).
#[tokio::test]
async fn a_buyer_confirms_receipt_and_rates_an_order_from_the_emailed_links() {
    let api = Api::new();
    let (pjlp_id, _) = api.new_officer("pjlp", SKPD).await;
    let vendor_name = format!("Katering Peramban {}", rand::random::<u32>() % 100_000);
    let (_, _, vendor, products) = api
        .seeded_vendor(
            "umkm-pesanan-peramban",
            SKPD,
            &vendor_name,
            &pjlp_id,
            json!([{ "name": "Nasi Kotak", "price": 30000, "category": "snack-box",
                     "availability": "PO", "min_order": 10, "max_order": 300,
                     "description": "Nasi, ayam bakar, sayur, buah." }]),
        )
        .await;
    let (_, buyer_mail, password) = api.new_officer_login("buyer", "141732").await;
    let buyer = api.token(&buyer_mail, &password).await;
    let address = api.buyer_address(&buyer).await;
    let order = api.into_cart(&buyer, &products[0], 25).await;
    api.fill_order_form(&buyer, &order, &address).await;
    let placed = api.place_order(&buyer, &order, "halaman-pesanan-1").await;
    let number = placed["number"].as_str().unwrap().to_string();
    for stage in ["vendor_confirm", "vendor_ship"] {
        let task = api
            .wait_task(&vendor, "order_lifecycle", stage, &order)
            .await;
        api.decide(&vendor, &task, json!({ "decision": "approve" }))
            .await
            .expect(200);
    }
    let receipt = api
        .task_link(&buyer_mail, "Penerimaan Pesanan", &number)
        .await;

    let api_ref = &api;
    let (mail, pw, no) = (buyer_mail.clone(), password.clone(), number.clone());
    Browser::run(&api, |browser| async move {
        browser.step("receipt");
        sign_in_from_link(&browser, &receipt, &mail, &pw).await;
        assert!(browser.text("h1").await.contains("Penerimaan Pesanan"));
        assert!(browser.page_text().await.contains(&no));
        assert!(
            !browser.has("button.reject").await,
            "a receipt cannot be rejected"
        );
        browser
            .check_accessibility_at_both_sizes("penerimaan")
            .await;
        for check in ["quantity_ok", "condition_ok", "on_time_and_place"] {
            browser.click(&format!("#approve-{check}")).await;
        }
        browser
            .fill("#approve-note", "Lengkap, hangat, tepat waktu")
            .await;
        approve_on_page(&browser).await;

        browser.step("rating");
        let rating = api_ref.task_link(&mail, "Penilaian Pesanan", &no).await;
        browser.goto(&rating).await;
        browser.wait_for("form.decide").await;
        assert!(browser.text("h1").await.contains("Penilaian Pesanan"));
        browser.select("#approve-rating", "5").await;
        browser
            .fill("#approve-review", "Rasanya enak, porsinya pas")
            .await;
        browser.check_accessibility_at_both_sizes("penilaian").await;
        approve_on_page(&browser).await;
    })
    .await;
    let done = api.get(&format!("/orders/{order}"), Some(&buyer)).await;
    let done = done.expect(200).clone();
    assert_eq!(done["status"], "Selesai");
    let receipt_entry = done["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status_after"] == "Diterima")
        .cloned()
        .unwrap();
    assert_eq!(receipt_entry["note"], "Lengkap, hangat, tepat waktu");
}

/// The public monitoring page (seed 004 §3.3): a resi shows the application with the
/// applicant's name masked; a wrong one says "Nomor resi tidak ditemukan"; accessible
/// at both sizes.
#[tokio::test]
async fn anyone_follows_an_application_on_the_monitoring_page() {
    let api = Api::new();
    let (_, _, _, applicant) = api.new_applicant("pemohon-halaman").await;
    let (_, resi) = api.submitted_application(&applicant).await;
    Browser::run(&api, |browser| async move {
        browser.goto("/monitoring").await;
        assert_eq!(browser.text("h1").await, "Monitoring Permohonan");
        browser
            .check_accessibility_at_both_sizes("monitoring")
            .await;
        browser.fill("#resi", "ABCDEF").await;
        browser.click("form.stack button[type=submit]").await;
        browser.wait_for(".notice.error").await;
        assert_eq!(
            browser.text(".notice.error").await,
            "Nomor resi tidak ditemukan"
        );
        browser.fill("#resi", &resi).await;
        browser.click("form.stack button[type=submit]").await;
        browser.wait_for("dl").await;
        let page = browser.page_text().await;
        assert!(page.contains(&format!("Permohonan {resi}")), "{page}");
        assert!(page.contains("Drs. Ahm** Fau**, M.M."), "{page}");
        assert!(!page.contains("Ahmad"), "{page}");
        assert!(page.contains("Surat Izin Pengambilan Air Tanah"), "{page}");
        browser
            .check_accessibility_at_both_sizes("hasil monitoring")
            .await;
    })
    .await;
}

/// A permit application's officers decide from their emailed links (issue 13 §3): the
/// verifier sends it back for revision with a note on the task page (the button only
/// the verifier's stage offers), and, once resubmitted, the agency head signs it on
/// the page; the permit is issued. Both pages accessible at both sizes.
#[tokio::test]
async fn a_verifier_sends_an_application_back_and_the_agency_head_signs_it_on_the_pages() {
    let api = Api::new();
    let officers = api
        .new_officers(&[
            ("helpdesk", "DPMPTSP"),
            ("verifier", "DPMPTSP"),
            ("agency_head", "DPMPTSP"),
        ])
        .await;
    let (front_office, verifier, head) = (&officers[0], &officers[1], &officers[2]);
    let (_, _, _, applicant) = api.new_applicant("pemohon-halaman").await;
    let (id, resi) = api.submitted_application(&applicant).await;
    let task = api
        .wait_task(&front_office.3, "permit_application", "front_office", &id)
        .await;
    api.decide(&front_office.3, &task, json!({ "decision": "approve" }))
        .await
        .expect(200);
    let in_subject = format!("({resi})");
    let revise_link = api
        .wait_email(&verifier.1, &in_subject, 1)
        .await
        .link_path("/task-links/");

    let api_ref = &api;
    let (verifier_mail, verifier_pw) = (verifier.1.clone(), verifier.2.clone());
    let (head_mail, head_pw, head_token) = (head.1.clone(), head.2.clone(), head.3.clone());
    let verifier_token = verifier.3.clone();
    let (app_id, applicant_token, resi_ref) = (id.clone(), applicant.clone(), resi.clone());
    Browser::run(&api, |browser| async move {
        browser.step("verifier revises");
        sign_in_from_link(&browser, &revise_link, &verifier_mail, &verifier_pw).await;
        assert!(browser.text("h1").await.contains("Verifikasi Berkas"));
        assert!(browser.page_text().await.contains(&resi_ref));
        assert!(
            browser.has("button.revise").await,
            "the verifier may ask for a revision"
        );
        browser
            .check_accessibility_at_both_sizes("verifikasi-izin")
            .await;
        browser
            .fill("#revise-note", "Lampirkan hasil uji kualitas air terbaru")
            .await;
        browser.click("form.decide button.revise").await;
        browser.wait_for(".notice.ok").await;
        assert!(browser
            .page_text()
            .await
            .contains("dikembalikan untuk revisi"));
        sign_out(&browser).await;

        // The applicant resubmits; the verifier forwards it through the API.
        for _ in 0..120 {
            let r = api_ref
                .post(
                    &format!("/applications/{app_id}/submit"),
                    Some(&applicant_token),
                    json!({}),
                )
                .await;
            if r.status == 200 {
                break;
            }
            assert_eq!(r.body["code"], "revision_not_ready", "{:?}", r.body);
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        let again = api_ref
            .wait_task(
                &verifier_token,
                "permit_application",
                "verification",
                &app_id,
            )
            .await;
        api_ref
            .decide(&verifier_token, &again, json!({ "decision": "approve" }))
            .await
            .expect(200);

        browser.step("agency head signs");
        let sign_link = api_ref
            .wait_email(&head_mail, &format!("({resi_ref})"), 1)
            .await
            .link_path("/task-links/");
        sign_in_from_link(&browser, &sign_link, &head_mail, &head_pw).await;
        assert!(browser.text("h1").await.contains("Penandatanganan Izin"));
        assert!(
            !browser.has("button.revise").await,
            "signing cannot be sent back"
        );
        assert!(browser
            .page_text()
            .await
            .contains("Lampirkan hasil uji kualitas air terbaru"));
        browser
            .check_accessibility_at_both_sizes("tandatangan-izin")
            .await;
        approve_on_page(&browser).await;
        let _ = head_token;
    })
    .await;
    for _ in 0..120 {
        let a = api
            .get(&format!("/applications/{id}"), Some(&applicant))
            .await;
        if a.expect(200)["status_code"] == "completed" {
            let a = a.body.clone();
            assert!(a["permit"]["number"].as_str().unwrap().starts_with("503/"));
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("the signed permit was never issued");
}

/// The map of issued permits (issue 14 §6): Leaflet and our script served by us, the
/// permits of the visible area drawn from the GeoJSON route, accessible at both sizes.
#[tokio::test]
async fn the_permit_map_page_draws_the_issued_permits_of_the_visible_area() {
    let api = Api::new();
    let (_, _, _, applicant) = api.new_applicant("pemohon-peta-halaman").await;
    api.completed_application(&applicant).await;
    Browser::run(&api, |browser| async move {
        browser.goto("/peta-izin").await;
        assert_eq!(browser.text("h1").await, "Peta Izin");
        browser.wait_for("#peta[data-count]").await;
        browser.wait_for("path.leaflet-interactive").await;
        let status = browser.text("#peta-status").await;
        assert!(status.ends_with("izin pada area peta ini"), "{status}");
        browser.check_accessibility_at_both_sizes("peta-izin").await;
    })
    .await;
}
