//! What an attacker's generated requests found (issue "Hardening"), kept held: a body
//! that is not a JSON object is never read field by field, and no string field takes
//! more than its documented maximum.

use loket_e2e::Api;
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
