//! Vendor documents end to end: a presigned POST straight to storage, the check after
//! the upload (size, type by its first bytes), and short-lived downloads for the
//! vendor and the officers of its SKPD only.

use loket_e2e::{Api, DEMO_APPLICANT, DEMO_PASSWORD};
use serde_json::{json, Value};

/// A fresh, activated vendor of SKPD 141201; returns its access token.
async fn new_vendor(api: &Api) -> String {
    api.new_vendor("umkm-dokumen", "141201").await.1
}

async fn start_upload(api: &Api, vendor: &str, kind: &str, content_type: &str) -> Value {
    api.post(
        "/vendor/documents",
        Some(vendor),
        json!({ "kind": kind, "content_type": content_type, "file_name": "berkas" }),
    )
    .await
    .expect(201)
    .clone()
}

async fn confirm(api: &Api, vendor: &str, id: &str) -> loket_e2e::Reply {
    api.post(
        &format!("/vendor/documents/{id}/confirm"),
        Some(vendor),
        json!({}),
    )
    .await
}

async fn documents_of(api: &Api, vendor: &str) -> Vec<Value> {
    api.get("/vendor/profile", Some(vendor)).await.expect(200)["documents"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_pdf_uploads_to_storage_is_checked_and_only_the_right_people_download_it() {
    let api = Api::new();
    let vendor = new_vendor(&api).await;
    let vendor_id = api.get("/vendor/profile", Some(&vendor)).await.expect(200)["vendor_id"]
        .as_str()
        .unwrap()
        .to_string();

    let started = start_upload(&api, &vendor, "licence", "application/pdf").await;
    let id = started["document"]["id"].as_str().unwrap().to_string();
    assert_eq!(started["document"]["status"], "awaiting_upload");
    let fields = &started["upload"]["fields"];
    assert_eq!(fields["Content-Type"], "application/pdf");
    assert!(fields["key"].as_str().unwrap().contains(&vendor_id));
    assert!(fields["policy"].as_str().is_some() && fields["x-amz-signature"].as_str().is_some());
    // Confirming before the upload links nothing.
    confirm(&api, &vendor, &id)
        .await
        .expect_error(400, "document_not_uploaded");

    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let status = api.upload(&started["upload"], pdf.clone()).await;
    assert!(
        (200..300).contains(&status),
        "storage refused the upload: {status}"
    );
    let r = confirm(&api, &vendor, &id).await;
    assert_eq!(r.expect(200)["message"], "Dokumen berhasil diunggah");
    assert_eq!(r.body["size"], pdf.len());
    let docs = documents_of(&api, &vendor).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["kind"], "licence");
    assert!(
        docs[0].get("key").is_none(),
        "the storage key stays private"
    );

    // The vendor and the satpel of its SKPD get a 5-minute link to the same bytes.
    let path = format!("/vendors/{vendor_id}/documents/{id}/download");
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    for who in [&vendor, &satpel] {
        let r = api.get(&path, Some(who)).await;
        let link = r.expect(200);
        assert_eq!(link["expires_in"], 300);
        let (status, bytes) = api.fetch(link["url"].as_str().unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(bytes, pdf);
    }
    // Not an applicant, not another vendor, not a satpel of another SKPD.
    let applicant = api.token(DEMO_APPLICANT, DEMO_PASSWORD).await;
    let other_vendor = api.token("umkm@demo.loket.id", DEMO_PASSWORD).await;
    let (_, other_satpel) = api.new_officer("satpel", "141105").await;
    for who in [&applicant, &other_vendor, &other_satpel] {
        api.get(&path, Some(who))
            .await
            .expect_error(403, "forbidden");
    }
    api.get(&path, None)
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_forged_type_an_oversized_file_and_an_unsupported_type_are_refused_and_nothing_is_linked()
{
    let api = Api::new();
    let vendor = new_vendor(&api).await;

    api.post(
        "/vendor/documents",
        Some(&vendor),
        json!({ "kind": "photo", "content_type": "application/x-msdownload" }),
    )
    .await
    .expect_error(400, "document_type_invalid");

    // Declared a PNG, but the bytes are a script.
    let forged = start_upload(&api, &vendor, "photo", "image/png").await;
    let forged_id = forged["document"]["id"].as_str().unwrap().to_string();
    let status = api
        .upload(&forged["upload"], b"<script>alert('x')</script>".to_vec())
        .await;
    assert!((200..300).contains(&status), "{status}");
    let r = confirm(&api, &vendor, &forged_id).await;
    r.expect_error(400, "document_type_invalid");
    // Deleted: it cannot be confirmed later either.
    confirm(&api, &vendor, &forged_id)
        .await
        .expect_error(404, "document_not_found");

    // 50 MB and one byte: refused by the storage's policy or by the check after it.
    let big = start_upload(&api, &vendor, "licence", "application/pdf").await;
    let big_id = big["document"]["id"].as_str().unwrap().to_string();
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.resize(50 * 1024 * 1024 + 1, b' ');
    let status = api.upload(&big["upload"], bytes).await;
    let r = confirm(&api, &vendor, &big_id).await;
    if (200..300).contains(&status) {
        r.expect_error(400, "document_too_large");
        assert_eq!(r.message(), "Ukuran berkas harus antara 1 byte dan 50 MB");
    } else {
        r.expect_error(400, "document_not_uploaded");
    }
    assert!(documents_of(&api, &vendor).await.is_empty());
}
