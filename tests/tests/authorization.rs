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
//!   401 and 5xx here; such a route must have a row in the object matrix (the second
//!   test), which calls it on real objects as their owner, another owner and the
//!   officers of the object's organisation and of another one
//! - `-`: not sent (it would end the caller's session)
//!
//! Path parameters are placeholders (`nope`), except `{code}` = 141201 (the satpel's
//! SKPD) and `{date}` = 2026-12-25; bodies are `{}`.

use loket_e2e::{Api, DEMO_ADMIN, DEMO_PASSWORD};
use serde_json::json;

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
    // JATHIL MART customers only: this deployment runs e-Order
    ("register_buyer", "dddddddd"),
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
    ("list_tasks", "adooooo*"),
    ("decide_task", "a*******"),
    ("decide_task_by_link", "aooooooo"),
    // orders: the buyer's addresses, cart and drafts; the parties' orders
    ("list_addresses", "addodddd"),
    ("create_address", "addodddd"),
    ("update_address", "addodddd"),
    ("delete_address", "addodddd"),
    ("add_to_cart", "addodddd"),
    ("list_orders", "adoodddd"),
    ("list_conversations", "adoodddd"),
    ("start_application", "aodddddd"),
    ("track_application", "oooooooo"),
    ("monitoring_page", "oooooooo"),
    ("list_applications", "aodddddd"),
    ("get_application", "aodddddd"),
    ("save_application", "aodddddd"),
    ("create_attachment", "aodddddd"),
    ("confirm_attachment", "aodddddd"),
    ("submit_application", "aodddddd"),
    ("list_inbox", "aooooooo"),
    ("get_inbox_message", "aooooooo"),
    ("mark_inbox_message", "aooooooo"),
    ("applicant_dashboard", "aodddddd"),
    ("open_helpdesk_conversation", "aooodddd"),
    ("list_helpdesk_conversations", "aooooooo"),
    ("helpdesk_queue", "addddddd"),
    ("take_helpdesk_conversation", "aooooooo"),
    ("close_helpdesk_conversation", "aooooooo"),
    ("list_helpdesk_messages", "aooooooo"),
    ("send_helpdesk_message", "aooooooo"),
    ("confirm_message_attachment", "aooooooo"),
    ("download_message_attachment", "aooooooo"),
    ("submit_complaint", "aodddddd"),
    ("list_complaints", "aodddddd"),
    ("get_complaint", "aooooooo"),
    ("confirm_complaint_attachment", "aooooooo"),
    ("download_complaint_attachment", "aooooooo"),
    ("create_library_file", "aodddddd"),
    ("list_library_files", "aodddddd"),
    ("confirm_library_file", "aodddddd"),
    ("download_library_file", "aodddddd"),
    ("delete_library_file", "aodddddd"),
    ("submit_survey", "aodddddd"),
    // the IKM report: the agency is asked before the role (none given: 400)
    ("ikm_report", "aooooooo"),
    ("public_ikm", "oooooooo"),
    ("permits_in_area", "oooooooo"),
    ("permit_map_page", "oooooooo"),
    ("map_asset", "oooooooo"),
    ("print_receipt", "aodddddd"),
    ("print_permit", "aodddddd"),
    // licensing: a permit's public verification (a forged id: 404)
    ("verify_permit", "oooooooo"),
    ("check_permit_document", "oooooooo"),
    ("permit_verification_page", "oooooooo"),
    ("list_satkers", "addodddd"),
    ("add_satker", "addodddd"),
    ("get_satker", "addodddd"),
    ("remove_satker", "addodddd"),
    ("map_satker", "addodddd"),
    ("send_company_code", "addodddd"),
    ("list_open_orders", "oooooooo"),
    ("list_all_permit_types", "oooooooo"),
    ("put_permit_type", "addddddo"),
    // JATHIL MART's administrators (not columns here) and the platform admin
    ("jathil_service_report", "addddddo"),
    ("open_conversation", "adoodddd"),
    ("list_messages", "adoodddd"),
    ("send_message", "adoodddd"),
    ("get_order", "adoodddd"),
    ("save_order_details", "addodddd"),
    ("discard_order", "addodddd"),
    ("update_order_line", "addodddd"),
    ("delete_order_line", "addodddd"),
    ("confirm_order", "addodddd"),
    ("request_cancellation", "adoodddd"),
    ("create_order_document", "adoodddd"),
    ("confirm_order_document", "adoodddd"),
    ("download_order_document", "adoodddd"),
    ("list_product_feedback", "oooooooo"),
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

/// The object matrix: every signed-in route on one object, with a real object, for its
/// owner, another owner, the officers of the object's organisation and of another one.
/// Columns: anonymous, the owner (the vendor whose object it is), another registered
/// vendor of the same SKPD, satpel and PJLP (the vendor's assigned one) of the object's
/// SKPD (141201), satpel and PJLP of another SKPD (141105), eorder_admin, admin, the
/// buyer of the owner's order (141732), another buyer, the applicant whose permit
/// application it is and another applicant. Cells as
/// in [`MATRIX`], plus `k`: answered (2xx or 3xx), `n`: 404 and `r`: refused (403, 404
/// or 409, whichever check comes first) without touching the object.
const OBJECT_CALLERS: [&str; 13] = [
    "anonymous",
    "owner",
    "other vendor",
    "satpel",
    "PJLP",
    "satpel of another SKPD",
    "PJLP of another SKPD",
    "eorder_admin",
    "admin",
    "buyer",
    "other buyer",
    "applicant",
    "other applicant",
];

/// (use case, the object's path, cells). Objects: `{p}` a published product of the
/// owner with a draft photo `{photo}`; `{r}` a product of the owner under the PJLP's
/// review; `{v}` a vendor waiting for the satpel (the owner of the rows that use it),
/// with its document `{doc}`, the satpel's task `{task}` and the decision link `{link}`
/// the satpel was emailed for it; the buyer's address `{addr}`, its order `{o}` placed
/// with the owner and the conversation `{c}` about it, its draft `{dr}` with the owner and `{dr2}` with the other vendor.
const OBJECT_MATRIX: &[(&str, &str, &str)] = &[
    // the vendor's own products: another vendor is refused (403)
    (
        "get_vendor_product",
        "/vendor/products/{p}",
        "akddddddddddd",
    ),
    (
        "save_vendor_product",
        "/vendor/products/{p}",
        "aoddddddddddd",
    ),
    (
        "submit_vendor_product",
        "/vendor/products/{p}/submit",
        "aoddddddddddd",
    ),
    (
        "create_product_photo",
        "/vendor/products/{p}/photos",
        "aoddddddddddd",
    ),
    (
        "confirm_product_photo",
        "/vendor/products/{p}/photos/{photo}/confirm",
        "aoddddddddddd",
    ),
    (
        "delete_product_photo",
        "/vendor/products/{p}/photos/{photo}",
        "aoddddddddddd",
    ),
    // the officers of the product's SKPD and the e-Order administrators read it; only
    // the PJLP reviewing it corrects it
    ("get_product_for_officer", "/products/{p}", "addkkddkddddd"),
    ("correct_product", "/products/{r}", "adddodddddddd"),
    // the waiting vendor: readable by its SKPD's officers and the e-Order
    // administrators; nobody corrects at the satpel's stage (the PJLP does, later);
    // its documents are the vendor's own and the readers'
    (
        "get_vendor_profile_for_officer",
        "/vendors/{v}/profile",
        "addkkddkddddd",
    ),
    (
        "correct_vendor_profile",
        "/vendors/{v}/profile",
        "adddddddddddd",
    ),
    (
        "confirm_vendor_document",
        "/vendor/documents/{doc}/confirm",
        "aordddddddddd",
    ),
    (
        "download_vendor_document",
        "/vendors/{v}/documents/{doc}/download",
        "akdkkddkddddd",
    ),
    // its task: only a satpel of its SKPD decides (`{}` is then a 400), by id or link
    ("decide_task", "/tasks/{task}/decision", "addoddddddddd"),
    (
        "decide_task_by_link",
        "/task-links/{link}/decision",
        "addoddddddddd",
    ),
    // every officer has an inbox (their own), the platform admin none
    ("list_tasks", "/tasks?stage=assign_pjlp", "akkkkkkkdkkdd"),
    // an SKPD's accounts: its satpel and the admin
    (
        "list_organisation_accounts",
        "/admin/organisations/141201/accounts",
        "addkddddkdddd",
    ),
    // orders: the buyer's and, once placed, the vendor's (another buyer or vendor:
    // 403); drafts and addresses the buyer's alone (another buyer's address is not
    // found: addresses live in their owner's partition)
    ("list_orders", "/orders", "akkddddddkkdd"),
    ("get_order", "/orders/{o}", "akdddddddkddd"),
    ("update_address", "/buyer/addresses/{addr}", "addddddddordd"),
    ("save_order_details", "/orders/{dr}", "addddddddoddd"),
    (
        "update_order_line",
        "/orders/{dr}/items/{p}",
        "addddddddoddd",
    ),
    ("confirm_order", "/orders/{dr}/confirm", "addddddddoddd"),
    (
        "request_cancellation",
        "/orders/{o}/cancellation",
        "aodddddddoddd",
    ),
    // the conversation about the order: its two parties only (an empty message: 400)
    (
        "list_messages",
        "/conversations/{c}/messages",
        "akdddddddkddd",
    ),
    (
        "send_message",
        "/conversations/{c}/messages",
        "aodddddddoddd",
    ),
    // reference data: the platform administrator alone maintains the permit types
    // (`{}` is then a 400: the demo type stays as it is)
    (
        "put_permit_type",
        "/admin/agencies/DPMPTSP/permit-types/SIPA",
        "adddddddodddd",
    ),
    // the buyer's work units: its own (another buyer: not in their list, 404)
    ("get_satker", "/buyer/satkers/141105", "addddddddkndd"),
    (
        "map_satker",
        "/buyer/satkers/141105/mapping",
        "addddddddondd",
    ),
    (
        "send_company_code",
        "/buyer/satkers/141105/mapping/code",
        "addddddddondd",
    ),
    // the order's documents: its vendor uploads (the order is only Dipesan here: 409),
    // both parties read (no such document: 404)
    (
        "create_order_document",
        "/orders/{o}/documents",
        "aoddddddddddd",
    ),
    (
        "confirm_order_document",
        "/orders/{o}/documents/nope/confirm",
        "aoddddddddddd",
    ),
    (
        "download_order_document",
        "/orders/{o}/documents/nope/download",
        "andddddddnddd",
    ),
    // a permit application: its applicant only (an empty body: 400 or 422; no
    // document uploaded for R1 yet: 404)
    ("get_application", "/applications/{app}", "addddddddddkd"),
    ("save_application", "/applications/{app}", "addddddddddkd"),
    (
        "create_attachment",
        "/applications/{app}/attachments",
        "addddddddddod",
    ),
    (
        "confirm_attachment",
        "/applications/{app}/attachments/R1/confirm",
        "addddddddddnd",
    ),
    (
        "submit_application",
        "/applications/{app}/submit",
        "addddddddddod",
    ),
    // a message of the owner's inbox: only the owner reads or marks it
    ("get_inbox_message", "/inbox/{msg}", "akddddddddddd"),
    ("mark_inbox_message", "/inbox/{msg}/read", "aoddddddddddd"),
    // a file of the applicant's library: only its owner (not uploaded yet: 404 to
    // download, 400 to confirm; deleting it is last)
    (
        "confirm_library_file",
        "/library/files/{lib}/confirm",
        "addddddddddod",
    ),
    (
        "download_library_file",
        "/library/files/{lib}/download",
        "addddddddddnd",
    ),
    // a complaint about no application: its complainant, and the helpdesk of DPMPTSP
    // (none of these callers; the admin reads it); without attachment: 404
    ("get_complaint", "/complaints/{cmp}", "adddddddkddkd"),
    (
        "confirm_complaint_attachment",
        "/complaints/{cmp}/attachment/confirm",
        "addddddddddnd",
    ),
    (
        "download_complaint_attachment",
        "/complaints/{cmp}/attachment",
        "adddddddnddnd",
    ),
    // the applicant's conversation with the helpdesk (of DPMPTSP: none of these
    // callers), its first message `{hm}` without attachment
    (
        "list_helpdesk_messages",
        "/helpdesk/conversations/{hc}/messages",
        "addddddddddkd",
    ),
    (
        "send_helpdesk_message",
        "/helpdesk/conversations/{hc}/messages",
        "addddddddddod",
    ),
    (
        "take_helpdesk_conversation",
        "/helpdesk/conversations/{hc}/take",
        "adddddddddddd",
    ),
    (
        "confirm_message_attachment",
        "/helpdesk/conversations/{hc}/messages/{hm}/attachment/confirm",
        "addddddddddnd",
    ),
    (
        "download_message_attachment",
        "/helpdesk/conversations/{hc}/messages/{hm}/attachment",
        "addddddddddnd",
    ),
    // its documents: not yet available for a draft (409), and only for its applicant
    (
        "print_receipt",
        "/applications/{app}/receipt",
        "addddddddddod",
    ),
    (
        "print_permit",
        "/applications/{app}/permit",
        "addddddddddod",
    ),
    // last: these remove their object (another buyer, meanwhile: refused or not found)
    (
        "close_helpdesk_conversation",
        "/helpdesk/conversations/{hc}/close",
        "addddddddddkd",
    ),
    (
        "delete_library_file",
        "/library/files/{lib}",
        "addddddddddkd",
    ),
    (
        "delete_order_line",
        "/orders/{dr}/items/{p}",
        "addddddddordd",
    ),
    ("discard_order", "/orders/{dr2}", "addddddddordd"),
    ("delete_address", "/buyer/addresses/{addr}", "addddddddordd"),
    ("remove_satker", "/buyer/satkers/141105", "addddddddkndd"),
];

/// Whether the route needs a row in [`OBJECT_MATRIX`]: signed in (its anonymous cell is
/// 401) and about one object (a path parameter other than a date).
fn on_one_object(path: &str, row: &str) -> bool {
    row.starts_with('a')
        && path
            .split('/')
            .any(|seg| seg.starts_with('{') && seg != "{date}")
}

#[tokio::test]
async fn every_route_on_one_object_answers_owners_and_strangers_as_the_matrix_says() {
    let api = Api::new();
    let declared = loket_local::http_use_cases();
    let missing: Vec<&str> = declared
        .iter()
        .filter(|u| {
            let row = MATRIX
                .iter()
                .find(|(m, _)| *m == u.name)
                .map_or("", |r| r.1);
            on_one_object(u.path, row) || row.contains('*')
        })
        .map(|u| u.name)
        .filter(|n| !OBJECT_MATRIX.iter().any(|(m, _, _)| m == n))
        .collect();
    assert!(
        missing.is_empty(),
        "routes on one object without a row in the object matrix: {missing:?}"
    );

    // The objects, in SKPD 141201, and the callers.
    const A: &str = "141201";
    const B: &str = "141105";
    // The officers and buyers, created by one sign-in of the demo admin, while the
    // waiting vendor registers, uploads and confirms.
    let officers = async {
        let mut made = api
            .new_officers(&[
                ("satpel", A),
                ("pjlp", A),
                ("satpel", B),
                ("pjlp", B),
                ("buyer", "141732"),
                ("buyer", "141732"),
            ])
            .await
            .into_iter();
        let mut next = || made.next().unwrap();
        let (_, satpel_mail, _, satpel_token) = next();
        let satpel_a = (satpel_mail, satpel_token);
        let (pjlp_id, _, _, pjlp_token) = next();
        let pjlp_a = (pjlp_id, pjlp_token);
        let satpel_b = next().3;
        let pjlp_b = next().3;
        let buyer = next().3;
        let other_buyer = next().3;
        let admin = api.token(DEMO_ADMIN, DEMO_PASSWORD).await;
        (
            satpel_a,
            pjlp_a,
            satpel_b,
            pjlp_b,
            admin,
            buyer,
            other_buyer,
        )
    };
    let waiting_vendor = async {
        let (_, waiting) = api.new_vendor("menunggu", A).await;
        let business = format!("Usaha Menunggu {}", rand::random::<u32>());
        let doc = api
            .upload_vendor_document(
                &waiting,
                "licence",
                "nib.pdf",
                "application/pdf",
                b"%PDF-1.4\n".to_vec(),
            )
            .await;
        api.submit_vendor_profile(&waiting, &business).await;
        (waiting, business, doc)
    };
    let (
        (satpel_a, pjlp_a, satpel_b, pjlp_b, admin, buyer, other_buyer),
        (waiting, waiting_business, doc),
    ) = tokio::join!(officers, waiting_vendor);
    let eorder_admin = api.token("admin.eorder@demo.loket.id", DEMO_PASSWORD).await;
    let product_form = json!([{ "name": "Kue Lapis Legit", "price": 90000, "category": "kue-roti",
        "availability": "H-1", "min_order": 1, "max_order": 20, "description": "Lapis legit." }]);
    let ((_, _, owner, products), (_, _, other, other_products)) = tokio::join!(
        api.seeded_vendor(
            "pemilik",
            A,
            "Toko Pemilik",
            &pjlp_a.0,
            product_form.clone()
        ),
        api.seeded_vendor("lain", A, "Toko Lain", &pjlp_a.0, product_form),
    );
    let p = products[0].clone();
    let under_review = async {
        let r = api
            .post(
                "/vendor/products",
                Some(&owner),
                json!({ "name": "Bolu Pandan", "price": 40000, "category": "kue-roti",
                        "availability": "H-1", "min_order": 5, "max_order": 50,
                        "description": "Bolu pandan lembut." }),
            )
            .await
            .expect(201)["id"]
            .as_str()
            .unwrap()
            .to_string();
        api.add_product_photo(&owner, &r).await;
        api.post(
            &format!("/vendor/products/{r}/submit"),
            Some(&owner),
            json!({}),
        )
        .await
        .expect(202);
        r
    };
    // The buyer's address, an order placed with the owner, a draft with the owner and
    // one with the other vendor.
    let orders = async {
        let addr = api.buyer_address(&buyer).await;
        let cart = |product: String| {
            let (api, buyer) = (&api, &buyer);
            async move { api.into_cart(buyer, &product, 2).await }
        };
        let o = cart(p.clone()).await;
        api.fill_order_form(&buyer, &o, &addr).await;
        api.place_order(&buyer, &o, "matriks-objek-1").await;
        let dr = cart(p.clone()).await;
        let dr2 = cart(other_products[0].clone()).await;
        (addr, o, dr, dr2)
    };
    let ((photo, r), (addr, o, dr, dr2)) = tokio::join!(
        async { tokio::join!(api.add_product_photo(&owner, &p), under_review) },
        orders
    );
    api.post("/buyer/satkers", Some(&buyer), json!({ "code": "141105" }))
        .await
        .expect(201);
    // A permit application of a fresh applicant, and another applicant.
    let ((_, _, _, applicant), (_, _, _, other_applicant)) = tokio::join!(
        api.new_applicant("pemohon-matriks"),
        api.new_applicant("pemohon-lain")
    );
    let application = api.started_application(&applicant, "SIPA").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = api
        .post("/conversations", Some(&buyer), json!({ "order_id": o }))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let v = api.user_id(&waiting).await;
    let task = api
        .wait_task(&satpel_a.1, "vendor_onboarding", "assign_pjlp", &v)
        .await;
    api.wait_task(&pjlp_a.1, "product_listing", "pjlp_review", &r)
        .await;
    let link = api
        .task_link(&satpel_a.0, "Penunjukan Pembina", &waiting_business)
        .await
        .trim_start_matches("/task-links/")
        .to_string();

    // A file of the applicant's library (not uploaded).
    let lib = api
        .post(
            "/library/files",
            Some(&applicant),
            json!({ "name": "KTP", "file_name": "ktp.pdf", "content_type": "application/pdf" }),
        )
        .await
        .expect(201)["file"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The applicant's conversation with the helpdesk, and its first message.
    let opened = api
        .post(
            "/helpdesk/conversations",
            Some(&applicant),
            json!({ "text": "Bagaimana cara mengunggah KTP?" }),
        )
        .await
        .expect(201)
        .clone();
    let hc = opened["conversation"]["id"].as_str().unwrap().to_string();
    let hm = opened["message"]["id"].as_str().unwrap().to_string();
    // A complaint of the applicant about no application (without attachment).
    let cmp = api
        .post(
            "/complaints",
            Some(&applicant),
            json!({ "category": "other", "text": "Bagaimana cara memperpanjang izin?" }),
        )
        .await
        .expect(201)["complaint"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A message of the owner's inbox (its onboarding's status emails are filed there).
    let msg = {
        let mut found = None;
        for _ in 0..120 {
            let r = api.get("/inbox", Some(&owner)).await;
            if let Some(m) = r.expect(200)["items"].as_array().unwrap().first() {
                found = Some(m["id"].as_str().unwrap().to_string());
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        found.expect("the owner's inbox has a message")
    };

    let mut wrong = Vec::new();
    let mut cells = 0;
    for (name, path, row) in OBJECT_MATRIX {
        assert_eq!(row.len(), OBJECT_CALLERS.len(), "row of {name}");
        let u = declared
            .iter()
            .find(|u| u.name == *name)
            .unwrap_or_else(|| panic!("{name} is not a declared route"));
        let path = path
            .replace("{hc}", &hc)
            .replace("{hm}", &hm)
            .replace("{cmp}", &cmp)
            .replace("{lib}", &lib)
            .replace("{msg}", &msg)
            .replace("{photo}", &photo)
            .replace("{p}", &p)
            .replace("{r}", &r)
            .replace("{v}", &v)
            .replace("{doc}", &doc)
            .replace("{task}", &task)
            .replace("{link}", &link)
            .replace("{addr}", &addr)
            .replace("{app}", &application)
            .replace("{c}", &c)
            .replace("{o}", &o)
            .replace("{dr2}", &dr2)
            .replace("{dr}", &dr);
        // The owner of the waiting vendor's objects is that vendor.
        let owner = if path.contains(&v) || path.contains(&doc) {
            &waiting
        } else {
            &owner
        };
        let tokens = [
            None,
            Some(owner),
            Some(&other),
            Some(&satpel_a.1),
            Some(&pjlp_a.1),
            Some(&satpel_b),
            Some(&pjlp_b),
            Some(&eorder_admin),
            Some(&admin),
            Some(&buyer),
            Some(&other_buyer),
            Some(&applicant),
            Some(&other_applicant),
        ];
        let replies = futures::future::join_all(row.chars().zip(tokens).enumerate().map(
            |(i, (expect, token))| {
                let (api, path) = (&api, path.clone());
                async move {
                    let body = (u.method != "GET" && u.method != "DELETE").then(|| json!({}));
                    (
                        i,
                        expect,
                        api.call(u.method, &path, token.map(|t| t.as_str()), body)
                            .await,
                    )
                }
            },
        ))
        .await;
        for (i, expect, r) in replies {
            cells += 1;
            let ok = r.status < 500
                && match expect {
                    'a' => r.status == 401,
                    'd' => r.status == 403,
                    'r' => [403, 404, 409].contains(&r.status),
                    'n' => r.status == 404,
                    'k' => r.status < 400,
                    'o' => r.status != 401 && r.status != 403 && r.status != 404,
                    _ => false,
                };
            if !ok {
                wrong.push(format!(
                    "{name} {} {path} as {}: expected '{expect}', got {} {}",
                    u.method,
                    OBJECT_CALLERS[i],
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
        "object matrix: {} routes × {} callers, {cells} cells checked",
        OBJECT_MATRIX.len(),
        OBJECT_CALLERS.len()
    );
}
