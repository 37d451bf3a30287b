//! The authorization matrix: every declared route (the use-case declarations, through
//! `loket_local::http_use_cases`) × every caller, with the status class expected. A new
//! route without its row fails this test, and so does any cell that changes.
//!
//! Callers, in column order: anonymous, applicant, vendor ("Terdaftar"), buyer, satpel
//! (SKPD 141201), PJLP (141201), eorder_admin, admin. Cells:
//! - `a`: 401 (signed out)
//! - `d`: 403 (a role or organisation not allowed, or a page form without its CSRF token)
//! - `o`: let through: any answer but 401, 403 or 5xx (the request's data is
//!   placeholder, so 400/404/409/422 are expected)
//! - `*`: depends on the object (ownership, the object's organisation): anything but
//!   401 and 5xx; the ownership rules have their own end-to-end tests
//! - `-`: not sent (it would end the caller's session)
//!
//! Path parameters are placeholders (`nope`), except `{code}` = 141201 (the satpel's
//! SKPD) and `{date}` = 2026-12-25; bodies are `{}`.

use loket_e2e::{Api, DEMO_PASSWORD};

const CALLERS: [Option<&str>; 8] = [
    None,
    Some("pemohon@demo.loket.id"),
    Some("umkm.terdaftar@demo.loket.id"),
    Some("pembeli@demo.loket.id"),
    Some("satpel@demo.loket.id"),
    Some("pjlp@demo.loket.id"),
    Some("admin.eorder@demo.loket.id"),
    Some("admin@demo.loket.id"),
];

/// (use case, cells: anonymous, applicant, vendor, buyer, satpel, pjlp, eorder_admin, admin)
const MATRIX: &[(&str, &str)] = &[
    // catalog: the vendor's own products
    ("create_product", "adoddddd"),
    ("list_vendor_products", "adoddddd"),
    ("get_vendor_product", "adoddddd"),
    ("save_vendor_product", "adoddddd"),
    ("submit_vendor_product", "adoddddd"),
    ("create_product_photo", "adoddddd"),
    ("confirm_product_photo", "adoddddd"),
    ("delete_product_photo", "adoddddd"),
    // catalog: officers on a product
    ("get_product_for_officer", "a*******"),
    ("correct_product", "a*******"),
    // catalog: public
    ("search_products", "oooooooo"),
    ("get_product_page", "oooooooo"),
    ("list_categories", "oooooooo"),
    // identity: public
    ("request_registration_code", "oooooooo"),
    ("register_applicant", "oooooooo"),
    ("register_vendor", "oooooooo"),
    ("show_activation", "oooooooo"),
    ("activate_account", "oooooooo"),
    ("login", "oooooooo"),
    ("refresh_session", "oooooooo"),
    ("request_password_reset", "oooooooo"),
    ("confirm_password_reset", "oooooooo"),
    // identity: signed in
    ("logout", "a-------"),
    ("change_password", "aooooooo"),
    ("get_profile", "aooooooo"),
    ("update_profile", "aooooooo"),
    // identity: administration
    ("create_officer_account", "addddddo"),
    ("list_organisation_accounts", "adddoddo"),
    // reference data
    ("list_regions", "oooooooo"),
    ("list_organisations", "oooooooo"),
    ("list_permit_types", "oooooooo"),
    ("list_holidays", "oooooooo"),
    ("put_holiday", "addddddo"),
    ("delete_holiday", "addddddo"),
    // vendors: the vendor's own registration
    ("get_vendor_profile", "adoddddd"),
    ("save_vendor_profile", "adoddddd"),
    ("submit_vendor_profile", "adoddddd"),
    ("create_vendor_document", "adoddddd"),
    ("confirm_vendor_document", "adoddddd"),
    // vendors: officers on a vendor
    ("get_vendor_profile_for_officer", "a*******"),
    ("correct_vendor_profile", "a*******"),
    ("download_vendor_document", "a*******"),
    // workflows: API
    ("list_tasks", "adddooo*"),
    ("decide_task", "a*******"),
    ("decide_task_by_link", "aooooooo"),
    // pages (a browser session, not a bearer token: signed out here) and their forms
    ("show_activation_page", "oooooooo"),
    ("activate_page", "dddddddd"),
    ("show_sign_in", "oooooooo"),
    ("sign_in_page", "dddddddd"),
    ("sign_out_page", "dddddddd"),
    ("stylesheet", "oooooooo"),
    ("show_task_link", "oooooooo"),
    ("task_list_page", "oooooooo"),
    ("show_task_page", "oooooooo"),
    ("download_task_file", "oooooooo"),
    ("show_correction_form", "oooooooo"),
    ("correct_from_task_page", "dddddddd"),
    ("decide_task_in_list", "dddddddd"),
    ("decide_task_page", "dddddddd"),
];

fn concrete(path: &str) -> String {
    path.replace("{code}", "141201")
        .replace("{date}", "2026-12-25")
        .split('/')
        .map(|seg| if seg.starts_with('{') { "nope" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let api = Api::new();
    let declared = loket_local::http_use_cases();
    let missing: Vec<&str> = declared
        .iter()
        .map(|u| u.name)
        .filter(|n| !MATRIX.iter().any(|(m, _)| m == n))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix: {missing:?}"
    );
    let stale: Vec<&str> = MATRIX
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| !declared.iter().any(|u| u.name == *m))
        .collect();
    assert!(
        stale.is_empty(),
        "rows of routes that no longer exist: {stale:?}"
    );

    let tokens: Vec<Option<String>> = futures::future::join_all(CALLERS.iter().map(|who| {
        let api = &api;
        async move {
            match who {
                Some(w) => Some(api.token(w, DEMO_PASSWORD).await),
                None => None,
            }
        }
    }))
    .await;
    let mut wrong = Vec::new();
    let mut cells = 0;
    for u in &declared {
        let row = MATRIX.iter().find(|(m, _)| *m == u.name).unwrap().1;
        assert_eq!(row.len(), CALLERS.len(), "row of {}", u.name);
        let path = concrete(u.path);
        // The callers of one route at once (each its own session).
        let replies = futures::future::join_all(row.chars().enumerate().map(|(i, expect)| {
            let (api, path, token) = (&api, path.clone(), tokens[i].clone());
            async move {
                if expect == '-' {
                    return None;
                }
                let body =
                    (u.method != "GET" && u.method != "DELETE").then(|| serde_json::json!({}));
                Some((
                    i,
                    expect,
                    api.call(u.method, &path, token.as_deref(), body).await,
                ))
            }
        }))
        .await;
        for (i, expect, r) in replies.into_iter().flatten() {
            cells += 1;
            let ok = r.status < 500
                && match expect {
                    'a' => r.status == 401,
                    'd' => r.status == 403,
                    'o' => r.status != 401 && r.status != 403,
                    '*' => r.status != 401,
                    _ => false,
                };
            if !ok {
                wrong.push(format!(
                    "{} {} {path} as {}: expected '{expect}', got {} {}",
                    u.name,
                    u.method,
                    CALLERS[i].unwrap_or("anonymous"),
                    r.status,
                    r.code()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {cells} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!(
        "authorization matrix: {} routes × {} callers, {cells} cells checked",
        declared.len(),
        CALLERS.len()
    );
}
