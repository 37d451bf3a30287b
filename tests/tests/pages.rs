//! The pages behind the emailed links, in a real browser (headless Chromium through
//! WebDriver, `loket_e2e::browser`): what an officer sees on a phone or a desktop when
//! opening the link, and that it passes axe-core at both sizes.

use futures::FutureExt;
use loket_e2e::browser::Browser;
use loket_e2e::{vendor_profile_form, Api};
use serde_json::json;
use std::panic::AssertUnwindSafe;

const SKPD: &str = "141201";
/// The demo satpel of SKPD 141201, to whom the vendor's first task is emailed.
const SATPEL: &str = "satpel@demo.loket.id";

#[tokio::test]
async fn a_satpel_opens_the_emailed_task_link_and_reads_the_case_on_a_phone_and_a_desktop() {
    let api = Api::new();
    // A vendor confirms its profile: the chain opens the satpel's task and emails its link.
    let (_, vendor) = api.new_vendor("umkm-halaman", SKPD).await;
    let business = format!("Keripik Tempe Bu Sri {}", rand::random::<u32>());
    api.call(
        "PUT",
        "/vendor/profile",
        Some(&vendor),
        Some(vendor_profile_form(&business)),
    )
    .await
    .expect(200);
    api.post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await
        .expect(202);
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
