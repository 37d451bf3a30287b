//! The documents an application earns (issue 13 §4–§5): the **receipt** ("Cetak
//! Resi", once the front office found it complete) and the **permit** ("Cetak Izin",
//! once the agency head signed). Both are PDFs written to private S3 once and never
//! changed.
//!
//! A decision records that a document is due (a `generating` record under the
//! application, in the decision's transaction, see `processing`); the record's stream
//! `INSERT` drives [`issue_documents`], so the decision never waits for S3 or KMS and a
//! retried delivery writes nothing twice:
//!
//! - the receipt is rendered and written, and its record marked ready;
//! - the permit first gets its **number** — sequential per agency, permit type and
//!   year, without gaps or duplicates: the counter item moves from `n - 1` to `n` in
//!   the same transaction that writes the number onto the permit's record (conditioned
//!   on both), and a lost race reads the counter again; then its PDF (with a QR code to
//!   `/verifikasi/<id>`) is rendered and written, its canonical data and the PDF's
//!   SHA-256 are signed with the managed key (KMS), and one transaction stores the
//!   public verification record, marks the document ready and completes the
//!   application (timeline, email).

use crate::application::{Application, ApplicationStatus, IssuedPermit, Signature};
use loket_identity::directory;
use loket_shared::approval::{self, Change};
use loket_shared::auth::{Caller, Role};
use loket_shared::http::{authenticate, json, path_param, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::pdf::{self, Line};
use loket_shared::rules::terbilang::rupiah;
use loket_shared::signing::{self, Signed};
use loket_shared::store::{from_item, get_n, key, n, to_item, Item, Tx, TxError};
use loket_shared::{clock, files, schema, streams, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Receipt,
    Permit,
}

impl DocumentKind {
    fn sk(self) -> String {
        let name = match self {
            DocumentKind::Receipt => "RECEIPT",
            DocumentKind::Permit => "PERMIT",
        };
        format!("{}{name}", schema::APPLICATION_DOC_PREFIX)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Generating,
    Ready,
}

/// A document of an application (`APPLICATION#<id>` / `DOC#RECEIPT|PERMIT`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationDocument {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub application_id: String,
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    /// Private S3 key.
    pub key: String,
    pub file_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The permit's number and verification id, once numbered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit_id: Option<String>,
    pub created_at: i64,
    pub version: i64,
}

/// The record a decision writes when a document of `a` is due.
pub fn due(app: &App, a: &Application, kind: DocumentKind, now: i64) -> ApplicationDocument {
    let resi = a.resi.clone().unwrap_or_default();
    let (key, file_name) = match kind {
        DocumentKind::Receipt => (
            format!("applications/{}/resi-{resi}.pdf", a.id),
            format!("Resi-{resi}.pdf"),
        ),
        DocumentKind::Permit => (
            format!("applications/{}/izin-{}.pdf", a.id, app.ids.id()),
            format!("Izin-{}-{resi}.pdf", a.permit_type_code),
        ),
    };
    ApplicationDocument {
        pk: schema::application(&a.id),
        sk: kind.sk(),
        application_id: a.id.clone(),
        kind,
        status: DocumentStatus::Generating,
        key,
        file_name,
        size: None,
        number: None,
        permit_id: None,
        created_at: now,
        version: 1,
    }
}

pub async fn load_document(
    app: &App,
    application_id: &str,
    kind: DocumentKind,
) -> ApiResult<Option<ApplicationDocument>> {
    app.store
        .get_as(&schema::application(application_id), &kind.sk())
        .await
}

/// The verification record of an issued permit (`ISSUEDPERMIT#<id>` / `PERMIT`): what the
/// public page shows, what was signed, and the signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub data: PermitData,
    /// SHA-256 of the PDF, hex.
    pub pdf_sha256: String,
    pub key_id: String,
    /// ECDSA P-256 / SHA-256, DER, base64.
    pub signature: String,
    pub application_id: String,
}

/// The permit's canonical data: what it says, in a fixed order (its JSON is what is
/// signed, with the PDF's hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitData {
    pub id: String,
    pub number: String,
    pub permit_type: String,
    pub agency: String,
    pub kind: String,
    pub holder: String,
    pub company: Option<String>,
    pub location: String,
    pub valid_from: String,
    pub valid_until: String,
    pub signer_name: String,
    pub signer_position: String,
    pub signed_on: String,
    pub resi: String,
}

impl PermitData {
    /// The message the managed key signs: the canonical data and the PDF's hash.
    pub fn message(&self, pdf_sha256: &str) -> Vec<u8> {
        let mut v = serde_json::to_vec(self).unwrap_or_default();
        v.extend_from_slice(b"\nsha256:");
        v.extend_from_slice(pdf_sha256.as_bytes());
        v
    }
}

/// A permit's number: `503/<sequence, 4 digits>/<permit type>/<agency>/<year>`.
pub fn permit_number(sequence: i64, permit_type: &str, agency: &str, year: i32) -> String {
    format!("503/{sequence:04}/{permit_type}/{agency}/{year}")
}

/// How long a permit is valid, in years (a renewal is a new application).
const VALIDITY_YEARS: i32 = 5;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The receipt's lines (pure).
pub fn receipt_lines(a: &Application, registered: &str, tracking_url: &str) -> Vec<Line> {
    let mut out = vec![
        Line::Title("BUKTI PENDAFTARAN PERMOHONAN IZIN".into()),
        Line::Field("Nomor Resi".into(), a.resi.clone().unwrap_or_default()),
        Line::Field("Tanggal Pendaftaran".into(), registered.into()),
        Line::Gap,
        Line::Field("Instansi".into(), a.agency_name.clone()),
        Line::Field("Jenis Izin".into(), a.permit_name.clone()),
        Line::Field("Jenis Permohonan".into(), a.kind.label().into()),
        Line::Field(
            "Waktu Pelayanan".into(),
            format!("{} hari kerja", a.service_days),
        ),
        Line::Field(
            "Biaya".into(),
            if a.fee == 0 {
                "Tidak dipungut biaya".into()
            } else {
                rupiah(a.fee)
            },
        ),
        Line::Gap,
        Line::Field("Nama Pemohon".into(), a.applicant.name.clone()),
        Line::Field("NIK".into(), a.applicant.nik_masked.clone()),
    ];
    if let Some(c) = &a.company {
        out.push(Line::Field(
            "Perusahaan".into(),
            format!("{} {}", c.form, c.name),
        ));
    }
    out.push(Line::Gap);
    out.push(Line::Qr {
        payload: tracking_url.into(),
        caption: "Pindai untuk memantau status permohonan".into(),
    });
    out.push(Line::Text(
        "Simpan bukti ini. Status permohonan dapat dipantau dengan nomor resi pada menu Monitoring."
            .into(),
    ));
    out
}

/// The permit's lines (pure): everything it says and the QR code to its verification.
pub fn permit_lines(d: &PermitData, verify_url: &str) -> Vec<Line> {
    let mut out = vec![
        Line::Title(d.permit_type.to_uppercase()),
        Line::Field("Nomor".into(), d.number.clone()),
        Line::Field("Jenis Izin".into(), d.permit_type.clone()),
        Line::Field("Instansi Penerbit".into(), d.agency.clone()),
        Line::Field("Jenis Permohonan".into(), d.kind.clone()),
        Line::Gap,
        Line::Heading("Diberikan kepada".into()),
        Line::Field("Nama".into(), d.holder.clone()),
    ];
    if let Some(c) = &d.company {
        out.push(Line::Field("Perusahaan".into(), c.clone()));
    }
    out.extend([
        Line::Field("Lokasi".into(), d.location.clone()),
        Line::Gap,
        Line::Field(
            "Berlaku".into(),
            format!("{} s.d. {}", d.valid_from, d.valid_until),
        ),
        Line::Field("Nomor Resi".into(), d.resi.clone()),
        Line::Gap,
        Line::Text(format!("Ditetapkan pada tanggal {}", d.signed_on)),
        Line::Text(d.signer_position.clone()),
        Line::Text("Ditandatangani secara elektronik (TTE)".into()),
        Line::Text(d.signer_name.clone()),
        Line::Gap,
        Line::Qr {
            payload: verify_url.into(),
            caption: format!("Verifikasi keaslian: {verify_url}"),
        },
    ]);
    out
}

/// Stream handler: generates each due document once.
pub async fn issue_documents(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    streams::for_each_inserted(app, event, "issue_documents", |app, image| async move {
        issue(&app, image).await
    })
    .await
}

async fn issue(app: &App, image: Item) -> ApiResult<()> {
    let Ok(doc) = from_item::<ApplicationDocument>(image) else {
        return Ok(()); // another item of the application's partition
    };
    // The current record (a retried delivery may find it done).
    let Some(doc) = load_document(app, &doc.application_id, doc.kind).await? else {
        return Ok(());
    };
    if doc.status == DocumentStatus::Ready {
        return Ok(());
    }
    let a = crate::wizard::load(app, &doc.application_id)
        .await?
        .ok_or_else(|| ApiError::internal("a document of a missing application"))?;
    match doc.kind {
        DocumentKind::Receipt => issue_receipt(app, &a, doc).await,
        DocumentKind::Permit => issue_permit(app, a, doc).await,
    }
}

async fn issue_receipt(app: &App, a: &Application, doc: ApplicationDocument) -> ApiResult<()> {
    let (zone, offset) = app.cfg.office_zone;
    let registered = format!(
        "{} ({zone})",
        clock::office_date(a.submitted_at.unwrap_or(a.created_at), offset)
    );
    let tracking = format!(
        "{}/monitoring?resi={}",
        app.cfg.public_url,
        a.resi.as_deref().unwrap_or_default()
    );
    let title = format!("Resi {}", a.resi.as_deref().unwrap_or_default());
    let bytes = pdf::render(&title, &receipt_lines(a, &registered, &tracking));
    let size = files::put_once(app, &doc.key, bytes, "application/pdf").await?;
    let mut ready = doc.clone();
    ready.status = DocumentStatus::Ready;
    ready.size = Some(size);
    ready.version += 1;
    let mut tx = Tx::new();
    tx.put_versioned(app.store.table(), to_item(&ready)?, doc.version);
    match app.store.transact(tx).await {
        Ok(()) | Err(TxError::Condition(_)) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(application_id = %a.id, size, "receipt generated");
    Ok(())
}

/// How often a lost race for the next number is retried (each loser reads again).
const NUMBER_ATTEMPTS: usize = 50;

/// Numbers the permit (once): the counter's next value, written with the number in
/// one transaction conditioned on the counter's value read and the record's version.
async fn number(
    app: &App,
    a: &Application,
    doc: ApplicationDocument,
) -> ApiResult<ApplicationDocument> {
    let year = time::OffsetDateTime::from_unix_timestamp(doc.created_at)
        .map(|t| t.year())
        .unwrap_or(1970);
    let table = app.store.table();
    let counter = schema::permit_counter(&a.agency_code, &a.permit_type_code, year);
    let mut doc = doc;
    for _ in 0..NUMBER_ATTEMPTS {
        if doc.number.is_some() {
            return Ok(doc);
        }
        let last = app
            .store
            .get(&counter, schema::PERMIT_COUNTER_SK)
            .await?
            .and_then(|item| get_n(&item, "last"))
            .unwrap_or(0);
        let next = last + 1;
        let mut numbered = doc.clone();
        numbered.number = Some(permit_number(
            next,
            &a.permit_type_code,
            &a.agency_code,
            year,
        ));
        numbered.permit_id = Some(app.ids.id());
        numbered.version += 1;
        let mut tx = Tx::new();
        let counter_op = tx.update(
            table,
            key(counter.clone(), schema::PERMIT_COUNTER_SK),
            "SET #last = :next",
            Some(if last == 0 {
                "attribute_not_exists(#last)"
            } else {
                "#last = :last"
            }),
            HashMap::from([("#last".to_string(), "last".to_string())]),
            if last == 0 {
                HashMap::from([(":next".to_string(), n(next))])
            } else {
                HashMap::from([
                    (":next".to_string(), n(next)),
                    (":last".to_string(), n(last)),
                ])
            },
        );
        tx.put_versioned(table, to_item(&numbered)?, doc.version);
        match app.store.transact(tx).await {
            Ok(()) => {
                tracing::info!(application_id = %a.id, number = ?numbered.number, "permit numbered");
                return Ok(numbered);
            }
            // Another permit took this number: read the counter again.
            Err(TxError::Condition(failed)) if failed == [counter_op] => continue,
            // This record changed (another delivery numbered it): use that.
            Err(TxError::Condition(_)) => {
                doc = load_document(app, &a.id, DocumentKind::Permit)
                    .await?
                    .ok_or_else(|| ApiError::internal("the permit's record vanished"))?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::unavailable(
        "no permit number after several attempts",
    ))
}

/// Who signed (the agency head whose "Tandatangani" moved it to issuing) and when.
async fn signature(app: &App, a: &Application) -> ApiResult<Signature> {
    let timeline = approval::timeline::<Application>(app, &a.pk).await?;
    let entry = timeline
        .iter()
        .rev()
        .find(|e| {
            e["stage"] == ApplicationStatus::Signing.as_str()
                && e["stage_after"] == ApplicationStatus::Issuing.as_str()
        })
        .ok_or_else(|| ApiError::internal("an issuing application without its signature"))?;
    let officer_id = entry["actor_id"].as_str().unwrap_or_default().to_string();
    let name = directory::person(app, &officer_id)
        .await?
        .map_or_else(|| "-".to_string(), |p| p.name);
    Ok(Signature {
        officer_id,
        name,
        position: format!("Kepala {}", a.agency_name),
        at: entry["at"].as_i64().unwrap_or(a.updated_at),
    })
}

/// The permit's data, from the application, its number and its signature (pure).
pub fn permit_data(
    a: &Application,
    number: &str,
    permit_id: &str,
    signed: &Signature,
    offset: i8,
) -> PermitData {
    let signed_on = clock::office_date(signed.at, offset);
    let (d, m, y) = {
        let mut parts = signed_on.splitn(3, '-');
        (
            parts.next().unwrap_or("01").to_string(),
            parts.next().unwrap_or("01").to_string(),
            parts
                .next()
                .and_then(|y| y.parse::<i32>().ok())
                .unwrap_or(1970),
        )
    };
    PermitData {
        id: permit_id.into(),
        number: number.into(),
        permit_type: a.permit_name.clone(),
        agency: a.agency_name.clone(),
        kind: a.kind.label().into(),
        holder: a.applicant.name.clone(),
        company: a.company.as_ref().map(|c| format!("{} {}", c.form, c.name)),
        location: a.location.as_ref().map_or_else(
            || "-".into(),
            |l| format!("{} ({:.6}, {:.6})", l.address, l.latitude, l.longitude),
        ),
        valid_from: signed_on.clone(),
        valid_until: format!("{d}-{m}-{}", y + VALIDITY_YEARS),
        signer_name: signed.name.clone(),
        signer_position: signed.position.clone(),
        signed_on,
        resi: a.resi.clone().unwrap_or_default(),
    }
}

pub fn verify_url(app: &App, permit_id: &str) -> String {
    format!("{}/verifikasi/{permit_id}", app.cfg.public_url)
}

async fn issue_permit(app: &App, a: Application, doc: ApplicationDocument) -> ApiResult<()> {
    if a.status != ApplicationStatus::Issuing {
        return Ok(());
    }
    let doc = number(app, &a, doc).await?;
    let (Some(number), Some(permit_id)) = (doc.number.clone(), doc.permit_id.clone()) else {
        return Err(ApiError::internal("a numbered permit without its number"));
    };
    let signed_by = signature(app, &a).await?;
    let data = permit_data(&a, &number, &permit_id, &signed_by, app.cfg.office_zone.1);
    let bytes = pdf::render(&number, &permit_lines(&data, &verify_url(app, &permit_id)));
    let pdf_sha256 = sha256_hex(&bytes);
    let size = files::put_once(app, &doc.key, bytes, "application/pdf").await?;
    let Signed { key_id, signature } = signing::sign(app, &data.message(&pdf_sha256)).await?;

    let now = app.clock.epoch();
    let table = app.store.table();
    let record = PermitRecord {
        pk: schema::permit(&permit_id),
        sk: schema::PERMIT_SK.into(),
        data: data.clone(),
        pdf_sha256,
        key_id,
        signature,
        application_id: a.id.clone(),
    };
    let mut ready = doc.clone();
    ready.status = DocumentStatus::Ready;
    ready.size = Some(size);
    ready.version += 1;
    let mut done = a.clone();
    done.status = ApplicationStatus::Completed;
    done.signature = Some(signed_by);
    done.permit = Some(IssuedPermit {
        id: permit_id.clone(),
        number: number.clone(),
        valid_until: data.valid_until.clone(),
    });
    approval::Versioned::stamp(&mut done, now);
    let mut tx = Tx::new();
    tx.put(table, to_item(&record)?);
    if let Some(entry) = crate::webgis::MapEntry::of(&a, &data) {
        tx.put(table, to_item(&entry)?);
    }
    tx.put_versioned(table, to_item(&ready)?, doc.version);
    let system = Caller::system();
    approval::record(
        app,
        &mut tx,
        &done,
        a.version,
        Change {
            actor: &system,
            role: Role::AgencyHead,
            action: "issued",
            from: a.status.as_str(),
            note: Some(format!("Nomor izin {number}")),
        },
    )?;
    tx.put_new(
        table,
        crate::processing::status_email(&done, app, None).to_item(&app.sealer, now)?,
    );
    let invitation = OutboxEmail {
        id: app.ids.id(),
        to: done.applicant.email.clone(),
        template: EmailTemplate::SurveyInvitation {
            name: done.applicant.name.clone(),
            resi: done.resi.clone().unwrap_or_default(),
            permit: done.permit_name.clone(),
        },
    };
    tx.put_new(table, invitation.to_item(&app.sealer, now)?);
    match app.store.transact(tx).await {
        Ok(()) => {
            tracing::info!(application_id = %a.id, number = %number, size, "permit issued");
            Ok(())
        }
        // Another delivery completed it meanwhile.
        Err(TxError::Condition(_)) => {
            let now = crate::wizard::load(app, &a.id).await?;
            if now.is_some_and(|n| n.status == ApplicationStatus::Completed) {
                Ok(())
            } else {
                Err(ApiError::unavailable(
                    "the permit's application changed; retried",
                ))
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// How long a "Cetak" link stays valid.
const DOWNLOAD_SECONDS: u64 = 5 * 60;

/// `GET /applications/{id}/receipt` ("Cetak Resi"): the receipt's short-lived link.
pub async fn print_receipt(app: Arc<App>, req: Request) -> ApiResult<Response> {
    print(&app, &req, DocumentKind::Receipt).await
}

/// `GET /applications/{id}/permit` ("Cetak Izin"): the signed permit's short-lived link.
pub async fn print_permit(app: Arc<App>, req: Request) -> ApiResult<Response> {
    print(&app, &req, DocumentKind::Permit).await
}

async fn print(app: &App, req: &Request, kind: DocumentKind) -> ApiResult<Response> {
    let caller = authenticate(app, req).await?;
    let a = crate::wizard::own(app, &caller, &path_param(req, "id")?).await?;
    let available = match kind {
        DocumentKind::Receipt => a.status.has_receipt(),
        DocumentKind::Permit => a.status == ApplicationStatus::Completed,
    };
    if !available {
        return Err(ApiError::conflict(
            "document_not_available",
            match kind {
                DocumentKind::Receipt => {
                    "Resi belum tersedia: kelengkapan permohonan belum diperiksa petugas"
                }
                DocumentKind::Permit => "Izin belum terbit",
            },
        ));
    }
    let doc = load_document(app, &a.id, kind)
        .await?
        .filter(|d| d.status == DocumentStatus::Ready)
        .ok_or_else(|| {
            ApiError::conflict(
                "document_generating",
                "Dokumen sedang disiapkan, coba beberapa saat lagi",
            )
        })?;
    let url = files::presigned_get(app, &doc.key, DOWNLOAD_SECONDS).await?;
    json(
        200,
        &serde_json::json!({
            "url": url, "expires_in": DOWNLOAD_SECONDS, "file_name": doc.file_name,
            "size": doc.size, "number": doc.number,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permit_numbers_are_sequential_per_agency_type_and_year() {
        assert_eq!(
            permit_number(7, "SIPA", "DPMPTSP", 2026),
            "503/0007/SIPA/DPMPTSP/2026"
        );
        assert_eq!(
            permit_number(12345, "SIPA", "DPMPTSP", 2026),
            "503/12345/SIPA/DPMPTSP/2026"
        );
    }

    #[test]
    fn the_signed_message_covers_the_data_and_the_pdf() {
        let d = PermitData {
            id: "p1".into(),
            number: "503/0001/SIPA/DPMPTSP/2026".into(),
            permit_type: "SIPA".into(),
            agency: "DPMPTSP".into(),
            kind: "Perizinan Baru".into(),
            holder: "Siti Rahma".into(),
            company: None,
            location: "Jl. Juanda".into(),
            valid_from: "03-12-2026".into(),
            valid_until: "03-12-2031".into(),
            signer_name: "Kepala".into(),
            signer_position: "Kepala DPMPTSP".into(),
            signed_on: "03-12-2026".into(),
            resi: "6F632D".into(),
        };
        let m = d.message("abc");
        assert_ne!(m, d.message("abd"));
        let mut other = d.clone();
        other.holder = "Siti Rahmi".into();
        assert_ne!(m, other.message("abc"));
        let text = String::from_utf8(m).unwrap();
        assert!(text.ends_with("\nsha256:abc"));
        let lines = permit_lines(&d, "http://x/verifikasi/p1");
        assert!(lines
            .iter()
            .any(|l| matches!(l, Line::Qr { payload, .. } if payload == "http://x/verifikasi/p1")));
    }
}
