//! The pages behind the emailed links, in a real browser (headless Chromium through
//! WebDriver, `loket_e2e::browser`): what an officer sees on a phone or a desktop when
//! opening the link, and that it passes axe-core at both sizes.

use futures::FutureExt;
use loket_e2e::browser::Browser;
use loket_e2e::Api;
use serde_json::json;
use std::panic::AssertUnwindSafe;

const SKPD: &str = "141201";
/// The demo satpel of SKPD 141201, to whom the vendor's first task is emailed.
const SATPEL: &str = "satpel@demo.loket.id";

#[tokio::test]
async fn a_satpel_opens_the_emailed_task_link_and_reads_the_case_on_a_phone_and_a_desktop() {
    let api = Api::new();
    // A vendor confirms its profile: the chain opens the satpel's task and emails its link.
    let (_, business) = api
        .submitted_vendor("umkm-halaman", SKPD, "Keripik Tempe Bu Sri")
        .await;
    let link = api
        .wait_email(
            SATPEL,
            &format!("Tugas Baru: Penunjukan Pembina - {business}"),
            1,
        )
        .await
        .link_path("/task-links/");

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
        .wait_email(
            &satpel_mail,
            &format!("Tugas Baru: Penunjukan Pembina - {business}"),
            1,
        )
        .await
        .link_path("/task-links/");

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
