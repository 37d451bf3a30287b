//! Public verification of an issued permit (issue 13 §5): the QR code on the permit
//! opens `/verifikasi/<id>`, which shows what the permit says and whether the managed
//! key's signature over that data and the PDF's hash holds. The same answer as JSON
//! (`GET /permits/{id}/verification`), and a check of a PDF someone was handed
//! (`POST /permits/{id}/verification`): its SHA-256 against the signed one. A forged
//! id is not found; an altered record fails the signature; an altered PDF does not
//! match.

use crate::issuance::PermitRecord;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use loket_shared::http::{body, json, path_param, Request, Response};
use loket_shared::signing::{self, Signed};
use loket_shared::{schema, web, ApiError, ApiResult, App};
use maud::html;
use serde::Deserialize;
use std::sync::Arc;

fn not_found() -> ApiError {
    ApiError::not_found(
        "permit_not_found",
        "Izin tidak ditemukan. Periksa kembali kode verifikasi pada dokumen izin.",
    )
}

async fn load(app: &App, id: &str) -> ApiResult<PermitRecord> {
    if id.is_empty() || id.len() > 40 {
        return Err(not_found());
    }
    app.store
        .get_as::<PermitRecord>(&schema::permit(id), schema::PERMIT_SK)
        .await?
        .ok_or_else(not_found)
}

/// Whether the stored data and hash are what the managed key signed.
async fn signature_holds(app: &App, p: &PermitRecord) -> ApiResult<bool> {
    signing::verify(
        app,
        &p.data.message(&p.pdf_sha256),
        &Signed {
            key_id: p.key_id.clone(),
            signature: p.signature.clone(),
        },
    )
    .await
}

fn view(p: &PermitRecord, valid: bool) -> serde_json::Value {
    serde_json::json!({
        "id": p.data.id,
        "signature_valid": valid,
        "status": if valid { "Asli" } else { "Tidak valid" },
        "message": if valid {
            "Tanda tangan elektronik sah: data izin sesuai dengan yang diterbitkan"
        } else {
            "Tanda tangan elektronik tidak sah: data izin telah diubah"
        },
        "permit": p.data,
        "pdf_sha256": p.pdf_sha256,
        "signing_algorithm": "ECDSA_SHA_256",
    })
}

/// `GET /permits/{id}/verification` (public).
pub async fn verify_permit(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let p = load(&app, &path_param(&req, "id")?).await?;
    let valid = signature_holds(&app, &p).await?;
    json(200, &view(&p, valid))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DocumentCheck {
    /// The PDF, base64.
    pdf_base64: Option<String>,
}

/// The largest PDF checked (a permit is a few kilobytes).
const MAX_PDF_BYTES: usize = 5 * 1024 * 1024;

/// `POST /permits/{id}/verification` (public): is this PDF the permit issued?
pub async fn check_permit_document(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let p = load(&app, &path_param(&req, "id")?).await?;
    let input: DocumentCheck = body(&req)?;
    let invalid = || {
        ApiError::invalid(
            "document_invalid",
            "Berkas PDF wajib dikirim (base64, paling besar 5 MB)",
            "pdf_base64",
        )
    };
    let text = input.pdf_base64.ok_or_else(invalid)?;
    if text.len() > MAX_PDF_BYTES * 4 / 3 + 4 {
        return Err(invalid());
    }
    let bytes = B64.decode(text.trim()).map_err(|_| invalid())?;
    if bytes.is_empty() {
        return Err(invalid());
    }
    let sent = crate::issuance::sha256_hex(&bytes);
    let matches = sent == p.pdf_sha256;
    let valid = signature_holds(&app, &p).await?;
    let mut v = view(&p, valid);
    v["document_sha256"] = sent.into();
    v["document_matches"] = matches.into();
    v["message"] = if matches && valid {
        "Dokumen asli: sama dengan izin yang diterbitkan dan ditandatangani"
    } else if !matches {
        "Dokumen tidak sesuai: berkas ini bukan izin yang diterbitkan (telah diubah)"
    } else {
        "Tanda tangan elektronik tidak sah: data izin telah diubah"
    }
    .into();
    json(200, &v)
}

/// `GET /verifikasi/{id}` (public page, the permit's QR code).
pub async fn verification_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let id = path_param(&req, "id")?;
    let p = match load(&app, &id).await {
        Ok(p) => p,
        Err(e) if e.status == 404 => return web::error_page(&e, None),
        Err(e) => return Err(e),
    };
    let valid = signature_holds(&app, &p).await?;
    let d = &p.data;
    let markup = web::layout(
        "Verifikasi Izin",
        None,
        html! {
            @if valid {
                (web::notice("ok", "Izin ini ASLI: tanda tangan elektronik sah dan data sesuai dengan yang diterbitkan."))
            } @else {
                (web::notice("error", "Izin ini TIDAK VALID: tanda tangan elektronik tidak sesuai dengan data izin."))
            }
            dl {
                dt { "Nomor Izin" } dd { (d.number) }
                dt { "Jenis Izin" } dd { (d.permit_type) }
                dt { "Instansi Penerbit" } dd { (d.agency) }
                dt { "Pemegang Izin" } dd { (d.holder) }
                @if let Some(c) = &d.company { dt { "Perusahaan" } dd { (c) } }
                dt { "Lokasi" } dd { (d.location) }
                dt { "Masa Berlaku" } dd { (d.valid_from) " s.d. " (d.valid_until) }
                dt { "Ditandatangani oleh" } dd { (d.signer_name) ", " (d.signer_position) }
                dt { "Tanggal Penetapan" } dd { (d.signed_on) }
                dt { "Sidik jari dokumen (SHA-256)" } dd { code { (p.pdf_sha256) } }
            }
            p { "Bandingkan sidik jari di atas dengan sidik jari berkas PDF yang Anda terima: berkas yang diubah memiliki sidik jari yang berbeda." }
        },
    );
    web::page(200, markup, &[])
}
