//! The application wizard through the API (seed 004 §3.2.1): start a draft, save any
//! step, upload a document per requirement through the checked upload, submit for a
//! resi. Only the applicant who owns an application reads or changes it (anyone else:
//! 403); a submitted application is no longer a draft (409). Every write is
//! conditioned on the version read.

use crate::application::{
    is_resi, resi, ApplicantData, Application, ApplicationStatus, Attachment, CompanyData,
    LocationData, DECLARATION,
};
use loket_identity::directory;
use loket_reference::permits::{self, ApplicationKind};
use loket_reference::regions;
use loket_shared::approval::{self, Change, Start, Workflow};
use loket_shared::auth::{Caller, Role};
use loket_shared::http::{
    authenticate, body, json, optional, path_param, required, Request, Response,
};
use loket_shared::rules::{contact, npwp};
use loket_shared::schema;
use loket_shared::store::{key, s, to_item, Tx, TxError};
use loket_shared::tasks;
use loket_shared::{cursor, files, ApiError, ApiResult, App};
use serde::Deserialize;
use std::sync::Arc;

/// What the uploads of a requirement may be (each requirement narrows it to its formats).
const ATTACHMENT_UPLOAD: files::UploadKind = files::UploadKind {
    types: &["application/pdf", "image/jpeg", "image/png"],
    max_bytes: 10 * 1024 * 1024,
    type_invalid: (
        "document_type_invalid",
        "Jenis berkas tidak sesuai dengan format persyaratan",
    ),
    size_invalid: "Ukuran berkas harus antara 1 byte dan 10 MB",
};

fn content_type_of(format: &str) -> &'static str {
    match format {
        "jpg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/pdf",
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("application_not_found", "Permohonan tidak ditemukan")
}

fn not_draft() -> ApiError {
    ApiError::conflict(
        "application_not_draft",
        "Permohonan sudah dikirim dan tidak dapat diubah lagi",
    )
}

fn revision_not_ready() -> ApiError {
    ApiError::conflict(
        "revision_not_ready",
        "Permohonan sedang diproses, coba kirim ulang beberapa saat lagi",
    )
}

pub async fn load(app: &App, id: &str) -> ApiResult<Option<Application>> {
    if id.is_empty() || id.len() > 40 {
        return Ok(None);
    }
    let (pk, sk) = Application::key_of(id);
    app.store.get_as(&pk, sk).await
}

/// Application `id` of the signed-in applicant (another applicant's: 403).
pub(crate) async fn own(app: &App, caller: &Caller, id: &str) -> ApiResult<Application> {
    caller.require_any(&[Role::Applicant])?;
    let a = load(app, id).await?.ok_or_else(not_found)?;
    if a.applicant_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    Ok(a)
}

/// The applicant's application while it may change it: a draft, or a revision (the
/// revision form is the wizard, prefilled).
async fn own_draft(app: &App, caller: &Caller, id: &str) -> ApiResult<Application> {
    let a = own(app, caller, id).await?;
    if !a.status.editable() {
        return Err(not_draft());
    }
    Ok(a)
}

/// The application as its applicant reads it (no storage keys).
pub fn view(a: &Application) -> serde_json::Value {
    let attachments: Vec<_> = a
        .attachments
        .iter()
        .map(|d| {
            serde_json::json!({
                "requirement_code": d.requirement_code, "id": d.id, "file_name": d.file_name,
                "content_type": d.content_type, "size": d.size, "uploaded": d.size.is_some(),
            })
        })
        .collect();
    serde_json::json!({
        "id": a.id, "status": a.status.label(), "status_code": a.status, "step": a.step,
        "agency": { "code": a.agency_code, "name": a.agency_name },
        "permit_type": { "code": a.permit_type_code, "name": a.permit_name,
                          "service_days": a.service_days, "fee": a.fee },
        "kind": { "code": a.kind, "label": a.kind.label() },
        "requirements": a.requirements,
        "applicant": a.applicant, "individual": a.individual, "company": a.company,
        "location": a.location, "attachments": attachments,
        "declaration": a.declaration, "declaration_text": DECLARATION,
        "missing": a.missing(), "resi": a.resi, "submitted_at": a.submitted_at,
        "revision_note": a.revision_note, "rejection_reason": a.rejection_reason,
        "permit": a.permit, "signature": a.signature.as_ref().map(|s| serde_json::json!({
            "name": s.name, "position": s.position, "at": s.at })),
        "actions": {
            "edit": a.status.editable(),
            "print_receipt": a.status.has_receipt(),
            "print_permit": a.status == ApplicationStatus::Completed,
        },
        "created_at": a.created_at, "version": a.version,
    })
}

/// Writes `a` (bumped) on the version it was read at.
async fn save(app: &App, mut a: Application) -> ApiResult<Application> {
    let expected = a.version;
    a.version += 1;
    a.updated_at = app.clock.epoch();
    let mut tx = Tx::new();
    tx.put_versioned(app.store.table(), to_item(&a)?, expected);
    match app.store.transact(tx).await {
        Ok(()) => Ok(a),
        Err(TxError::Condition(_)) => Err(ApiError::concurrent_update()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StartInput {
    agency_code: Option<String>,
    permit_type_code: Option<String>,
    kind: Option<ApplicationKind>,
}

/// `POST /applications` (step 1, "Proses"): agency, permit type and kind; a draft with
/// the permit type's requirements and the applicant's profile data.
pub async fn start_application(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant])?;
    let input: StartInput = body(&req)?;
    let agency = required(&input.agency_code, "agency_code", "Dinas/Badan", 40)?;
    let code = required(
        &input.permit_type_code,
        "permit_type_code",
        "Jenis Izin",
        40,
    )?;
    let kind = input.kind.ok_or_else(|| {
        ApiError::invalid("field_required", "Jenis Permohonan wajib dipilih", "kind")
    })?;
    let permit = permits::load(&app, &agency, &code).await?.ok_or_else(|| {
        ApiError::not_found(
            "permit_type_not_found",
            "Jenis izin tidak ditemukan pada Dinas/Badan ini",
        )
    })?;
    if !permit.kinds.contains(&kind) {
        return Err(ApiError::invalid(
            "kind_invalid",
            format!("{} tidak melayani {}", permit.name, kind.label()),
            "kind",
        ));
    }
    let profile = directory::applicant_profile(&app, &caller.user_id)
        .await?
        .ok_or_else(ApiError::forbidden)?;
    let now = app.clock.epoch();
    let id = app.ids.id();
    let (pk, sk) = Application::key_of(&id);
    let a = Application {
        pk,
        sk: sk.into(),
        gsi1pk: schema::applicant_applications(&caller.user_id),
        gsi1sk: format!("{now:012}#{id}"),
        id,
        applicant_id: caller.user_id.clone(),
        agency_code: permit.agency_code.clone(),
        agency_name: permit.agency_name.clone(),
        permit_type_code: permit.code.clone(),
        permit_name: permit.name.clone(),
        kind,
        service_days: permit.service_days,
        fee: permit.fee,
        requirements: permit.requirements.clone(),
        status: ApplicationStatus::Draft,
        step: 2,
        applicant: ApplicantData {
            name: profile.name,
            nik_masked: profile.nik_masked,
            phone: profile.phone,
            postal_code: profile.postal_code,
            email: profile.email,
        },
        individual: false,
        company: None,
        location: None,
        attachments: Vec::new(),
        declaration: false,
        resi: None,
        submitted_at: None,
        revision_note: None,
        revisions: 0,
        rejection_reason: None,
        signature: None,
        permit: None,
        search_text: String::new(),
        created_at: now,
        version: 1,
        updated_at: now,
    };
    let a = a.indexed();
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&a)?);
    app.store.transact(tx).await?;
    tracing::info!(application_id = %a.id, permit_type = %a.permit_type_code, "application started");
    json(201, &view(&a))
}

/// `GET /applications?q=` ("Permohonan Saya"): the applicant's applications, newest
/// first; `q` finds them by resi or permit type (case-insensitive).
pub async fn list_applications(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant])?;
    let page = cursor::own_list(
        &app,
        &req,
        "list_applications",
        &caller.user_id,
        schema::applicant_applications(&caller.user_id),
        "search_text",
        |a: Application| {
            serde_json::json!({
                "id": a.id, "resi": a.resi, "permit_type": a.permit_name,
                "agency": a.agency_name, "kind": a.kind.label(),
                "status": a.status.label(), "status_code": a.status, "step": a.step,
                "created_at": a.created_at, "submitted_at": a.submitted_at,
            })
        },
    )
    .await?;
    json(200, &page)
}

/// `GET /applications/{id}`: the application, with what submitting still misses.
pub async fn get_application(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let a = own(&app, &caller, &path_param(&req, "id")?).await?;
    let mut v = view(&a);
    v["timeline"] = timeline(&app, &a).await?.into();
    json(200, &v)
}

/// The application's timeline as its applicant reads it: each change with its stage,
/// the officer's role and note (revision notes, the rejection reason), oldest first.
pub async fn timeline(app: &App, a: &Application) -> ApiResult<Vec<serde_json::Value>> {
    Ok(approval::timeline::<Application>(app, &a.pk)
        .await?
        .into_iter()
        .map(|mut e| {
            // The applicant's "approve" of its own revision is a resubmission.
            if e["actor_role"] == "applicant" && e["action"] == "approved" {
                e["action"] = "resubmitted".into();
            }
            if let Some(o) = e.as_object_mut() {
                o.remove("actor_id");
            }
            e
        })
        .collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApplicantInput {
    phone: Option<String>,
    postal_code: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RegionInput {
    province_code: Option<String>,
    regency_code: Option<String>,
    district_code: Option<String>,
    village_code: Option<String>,
}

impl RegionInput {
    async fn check(&self, app: &App) -> ApiResult<regions::RegionPath> {
        let p = required(&self.province_code, "province_code", "Provinsi", 16)?;
        let r = required(&self.regency_code, "regency_code", "Kab/Kota", 16)?;
        let d = required(&self.district_code, "district_code", "Kecamatan", 16)?;
        let v = required(&self.village_code, "village_code", "Kelurahan", 16)?;
        regions::check_address(&app.store, &p, &r, &d, &v).await
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CompanyInput {
    nib: Option<String>,
    npwp: Option<String>,
    npwpd: Option<String>,
    name: Option<String>,
    address: Option<String>,
    #[serde(flatten)]
    region: RegionInput,
    form: Option<String>,
    status: Option<String>,
    phone: Option<String>,
    postal_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LocationInput {
    address: Option<String>,
    #[serde(flatten)]
    region: RegionInput,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// The steps a save may carry; each given one is checked whole and saved.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepsInput {
    applicant: Option<ApplicantInput>,
    /// Step 3: applying as an individual (no company data), or the company.
    individual: Option<bool>,
    company: Option<CompanyInput>,
    location: Option<LocationInput>,
    declaration: Option<bool>,
    version: Option<i64>,
}

/// Indonesia's extent (a permit's location must be in it).
fn inside_indonesia(lat: f64, lon: f64) -> bool {
    (-11.5..=6.5).contains(&lat) && (94.5..=141.5).contains(&lon)
}

async fn company(app: &App, c: &CompanyInput) -> ApiResult<CompanyData> {
    let nib = required(&c.nib, "nib", "NIB", 13)?;
    if nib.len() != 13 || !nib.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            "nib_invalid",
            "NIB harus 13 digit angka",
            "nib",
        ));
    }
    let npwp = npwp::normalize_npwp(&required(&c.npwp, "npwp", "NPWP", 30)?)?;
    Ok(CompanyData {
        nib,
        npwp,
        npwpd: optional(&c.npwpd, "npwpd", "NPWPD", 30)?,
        name: required(&c.name, "name", "Nama Perusahaan", 200)?,
        address: required(&c.address, "address", "Alamat Perusahaan", 250)?,
        region: c.region.check(app).await?,
        form: required(&c.form, "form", "Bentuk Perusahaan", 60)?,
        status: required(&c.status, "status", "Status Perusahaan", 60)?,
        phone: contact::normalize_phone(&required(&c.phone, "phone", "Telp", 20)?)?,
        postal_code: contact::check_postal_code(&required(
            &c.postal_code,
            "postal_code",
            "Kode Pos Perusahaan",
            5,
        )?)?,
    })
}

/// `PUT /applications/{id}` ("Lanjut ▶" at any step): the steps sent are checked and
/// saved; the draft resumes at the furthest step saved.
pub async fn save_application(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let mut a = own_draft(&app, &caller, &path_param(&req, "id")?).await?;
    let input: StepsInput = body(&req)?;
    if input.version.is_some_and(|v| v != a.version) {
        return Err(ApiError::concurrent_update());
    }
    if let Some(p) = &input.applicant {
        // Name and NIK come from the profile and stay as they are.
        a.applicant.phone = contact::normalize_phone(&required(&p.phone, "phone", "Telp", 20)?)?;
        a.applicant.postal_code =
            contact::check_postal_code(&required(&p.postal_code, "postal_code", "Kode Pos", 5)?)?;
        a.applicant.email = contact::normalize_email(&required(&p.email, "email", "Email", 254)?)?;
        a.step = a.step.max(3);
    }
    match (input.individual, &input.company) {
        (Some(true), _) => {
            a.individual = true;
            a.company = None;
            a.step = a.step.max(4);
        }
        (_, Some(c)) => {
            a.company = Some(company(&app, c).await?);
            a.individual = false;
            a.step = a.step.max(4);
        }
        _ => {}
    }
    if let Some(l) = &input.location {
        let (lat, lon) = match (l.latitude, l.longitude) {
            (Some(lat), Some(lon)) if inside_indonesia(lat, lon) => (lat, lon),
            _ => {
                return Err(ApiError::invalid(
                    "coordinates_invalid",
                    "Titik koordinat lokasi izin wajib diisi dan berada di wilayah Indonesia",
                    "latitude",
                ))
            }
        };
        a.location = Some(LocationData {
            address: required(&l.address, "address", "Jalan", 250)?,
            region: l.region.check(&app).await?,
            latitude: lat,
            longitude: lon,
        });
        a.step = a.step.max(5);
    }
    if let Some(d) = input.declaration {
        a.declaration = d;
    }
    let a = save(&app, a).await?;
    json(200, &view(&a))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AttachmentInput {
    requirement_code: Option<String>,
    file_name: Option<String>,
    content_type: Option<String>,
    /// A file of the applicant's library ("File Saya") instead of an upload.
    library_file_id: Option<String>,
}

fn wrong_format(requirement: &loket_reference::permits::Requirement) -> ApiError {
    ApiError::invalid(
        "document_type_invalid",
        format!(
            "{} harus berformat {}",
            requirement.name,
            requirement.formats.join(", ").to_uppercase()
        ),
        "content_type",
    )
}

/// `POST /applications/{id}/attachments` (step 5, "Pilih" then "Upload"): the document
/// for one requirement, in one of its formats; answers the presigned upload. A new
/// upload for a requirement replaces the earlier one. With `library_file_id`, the
/// document is a file of "File Saya", copied into the application (no upload).
pub async fn create_attachment(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let mut a = own_draft(&app, &caller, &path_param(&req, "id")?).await?;
    let input: AttachmentInput = body(&req)?;
    let code = required(
        &input.requirement_code,
        "requirement_code",
        "Persyaratan",
        20,
    )?;
    let requirement = a
        .requirements
        .iter()
        .find(|r| r.code == code)
        .cloned()
        .ok_or_else(|| {
            ApiError::invalid(
                "requirement_unknown",
                "Persyaratan tidak ada pada jenis izin ini",
                "requirement_code",
            )
        })?;
    let accepts = |content_type: &str| {
        requirement
            .formats
            .iter()
            .any(|f| content_type_of(f) == content_type)
    };
    if let Some(file_id) = &input.library_file_id {
        // Picked from "File Saya": the application takes its own copy.
        let f = crate::library::own(&app, &caller, file_id).await?;
        let size = f.size.ok_or_else(|| {
            ApiError::bad_request("document_not_uploaded", "Berkas belum diunggah")
        })?;
        if !accepts(&f.content_type) {
            return Err(wrong_format(&requirement));
        }
        let id = app.ids.id();
        let attachment = Attachment {
            requirement_code: code.clone(),
            key: format!("applications/{}/{id}", a.id),
            id,
            file_name: f.file_name.clone(),
            content_type: f.content_type.clone(),
            size: Some(size),
        };
        files::copy(&app, &f.key, &attachment.key).await?;
        a.attachments.retain(|d| d.requirement_code != code);
        a.attachments.push(attachment.clone());
        let a = save(&app, a).await?;
        return json(
            201,
            &serde_json::json!({ "application": view(&a), "attachment_id": attachment.id }),
        );
    }
    let file_name = required(&input.file_name, "file_name", "Nama berkas", 120)?;
    let content_type = ATTACHMENT_UPLOAD.content_type(&input.content_type)?;
    if !accepts(&content_type) {
        return Err(wrong_format(&requirement));
    }
    let id = app.ids.id();
    let attachment = Attachment {
        requirement_code: code.clone(),
        key: format!("applications/{}/{id}", a.id),
        id,
        file_name,
        content_type: content_type.clone(),
        size: None,
    };
    let upload = ATTACHMENT_UPLOAD
        .presign(&app, &attachment.key, &content_type)
        .await?;
    a.attachments.retain(|d| d.requirement_code != code);
    a.attachments.push(attachment.clone());
    let a = save(&app, a).await?;
    json(
        201,
        &serde_json::json!({ "application": view(&a), "attachment_id": attachment.id, "upload": upload }),
    )
}

/// `POST /applications/{id}/attachments/{requirement_code}/confirm` ("Upload
/// berhasil"): the uploaded file is checked (size, and its first bytes are its type);
/// a refused file is deleted and the requirement is open again.
pub async fn confirm_attachment(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let mut a = own_draft(&app, &caller, &path_param(&req, "id")?).await?;
    let code = path_param(&req, "requirement_code")?;
    let pos = a
        .attachments
        .iter()
        .position(|d| d.requirement_code == code)
        .ok_or_else(|| {
            ApiError::not_found(
                "attachment_not_found",
                "Belum ada berkas untuk persyaratan ini",
            )
        })?;
    let d = a.attachments[pos].clone();
    if d.size.is_some() {
        return json(200, &view(&a));
    }
    match ATTACHMENT_UPLOAD
        .check_linked(&app, &d.key, &d.content_type)
        .await?
    {
        files::Checked::Size(size) => {
            a.attachments[pos].size = Some(size);
            let a = save(&app, a).await?;
            let mut v = view(&a);
            v["message"] = "Upload berhasil".into();
            json(200, &v)
        }
        files::Checked::Refused(e) => {
            a.attachments.remove(pos);
            save(&app, a).await?;
            Err(e)
        }
    }
}

/// How often a resi collision is retried (16.7 million resi; a collision is rare).
const RESI_ATTEMPTS: usize = 8;

/// `POST /applications/{id}/submit` ("Submit"): everything is checked; what is missing
/// is answered at once (422, each item in `missing`). A complete draft gets its resi
/// (unique through its guard item, a collision retried with another) and enters its
/// workflow — new status, timeline, email and the execution's start in one
/// transaction. A revision is resubmitted: the applicant's revision task is decided,
/// and the application returns to the verifier.
pub async fn submit_application(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let a = own_draft(&app, &caller, &path_param(&req, "id")?).await?;
    let missing = a.missing();
    if !missing.is_empty() {
        let mut e = ApiError::unprocessable(
            "application_incomplete",
            format!(
                "Permohonan belum dapat dikirim. Lengkapi: {}",
                missing.join("; ")
            ),
        );
        e.missing = Some(missing);
        return Err(e);
    }
    if a.status == ApplicationStatus::Revision {
        return resubmit(&app, &caller, a).await;
    }
    let machine = app
        .cfg
        .licensing
        .state_machine
        .clone()
        .ok_or_else(|| ApiError::internal("LOKET_PERMIT_APPLICATION_ARN is not set"))?;
    let now = app.clock.epoch();
    let table = app.store.table();
    for _ in 0..RESI_ATTEMPTS {
        let number = resi(rand::random());
        debug_assert!(is_resi(&number));
        let mut next = a.clone();
        next.status = ApplicationStatus::Submitted;
        next.resi = Some(number.clone());
        next.submitted_at = Some(now);
        approval::Versioned::stamp(&mut next, now);
        let next = next.indexed();
        let mut tx = Tx::new();
        let mut guard = key(schema::resi(&number), schema::RESI_SK);
        guard.insert("application_id".into(), s(&a.id));
        let guard_op = tx.put_new(table, guard);
        let start = Start {
            machine: &machine,
            name: format!("application-{}", a.id),
            input: serde_json::json!({
                "application_id": next.id,
                "application_name": format!("{} — {} ({number})", next.permit_name, next.applicant.name),
                "agency_code": next.agency_code,
                "applicant_id": next.applicant_id,
                "task_timeout_seconds": app.cfg.onboarding.task_timeout_seconds,
            }),
        };
        let change = Change {
            actor: &caller,
            role: Role::Applicant,
            action: "submitted",
            from: a.status.as_str(),
            note: None,
        };
        let tx = approval::submission(&app, &next, a.version, change, start, tx)?;
        match app.store.transact(tx).await {
            Ok(()) => {
                tracing::info!(application_id = %next.id, resi = %number, "application submitted");
                let mut v = view(&next);
                v["message"] = "Permohonan berhasil dikirim".into();
                return json(200, &v);
            }
            // That resi is taken: another one.
            Err(TxError::Condition(failed)) if failed == [guard_op] => continue,
            Err(TxError::Condition(_)) => return Err(ApiError::concurrent_update()),
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::unavailable("no free resi after several attempts"))
}

/// A revision resubmitted: the applicant decides its own revision task ("Kirim
/// ulang"), through the engine as every decision is (one wins against the lapse).
async fn resubmit(app: &App, caller: &Caller, a: Application) -> ApiResult<Response> {
    let task = tasks::open_for_user(app, &caller.user_id, Application::KIND, &a.id)
        .await?
        .ok_or_else(revision_not_ready)?;
    task.authorize(caller)?;
    approval::decide::<Application>(
        app,
        &task,
        caller,
        &serde_json::json!({ "decision": "approve" }),
    )
    .await?;
    let a = load(app, &a.id).await?.ok_or_else(not_found)?;
    tracing::info!(application_id = %a.id, "revision resubmitted");
    let mut v = view(&a);
    v["message"] = "Revisi permohonan berhasil dikirim".into();
    json(200, &v)
}
