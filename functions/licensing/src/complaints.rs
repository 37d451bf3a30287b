//! Complaints ("Pengaduan", seed 004; issue 14 §3): an applicant sends a complaint —
//! a category (Teknis Aplikasi, Proses Perizinan, Dokumen, Pelayanan, Lainnya),
//! optionally one of its applications ("Perizinan Saya"), the text, and optionally an
//! attachment through the checked upload — and the agency's helpdesk answers it.
//!
//! A complaint is a workflow of the approval engine, like every human step in Loket:
//! `statemachines/complaint.asl.json` opens the helpdesk's task "Tanggapi Pengaduan"
//! (its answer: `Baru` → `Diproses`), then "Selesaikan Pengaduan" (the closing answer:
//! → `Selesai`). So the helpdesk finds it in its inbox and by an emailed link, every
//! answer is on the complaint's timeline and emailed to the complainant (hence in their
//! inbox), and an open complaint is reminded after 3 working days and escalated to the
//! agency head after 5 (§4.1 G "Tunggu 1 – 3 hari kerja") by the one deadline job.
//! The helpdesk is the one of the application's agency, or of `LOKET_COMPLAINTS_ORG`
//! (the one-stop office, DPMPTSP) for a complaint about no application.

use crate::application::Application;
use loket_shared::approval::{
    self, ApproveField, ApproveInput, CaseFile, CaseView, Change, Deadline, Decided, Moment, Start,
    Subject, Verdict, Workflow,
};
use loket_shared::auth::{Caller, Role};
use loket_shared::config::Config;
use loket_shared::files::{self, UploadKind};
use loket_shared::http::{
    authenticate, body, json, optional, path_param, required, Request, Response,
};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::rules::Refusal;
use loket_shared::schema;
use loket_shared::store::{to_item, Item, Tx, TxError};
use loket_shared::{cursor, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The categories of the form (seed 004 "Pengaduan", langkah 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Technical,
    Licensing,
    Documents,
    Service,
    Other,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::Technical => "Teknis Aplikasi",
            Category::Licensing => "Proses Perizinan",
            Category::Documents => "Dokumen",
            Category::Service => "Pelayanan",
            Category::Other => "Lainnya",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    New,
    InProgress,
    Done,
}

impl ComplaintStatus {
    pub fn label(self) -> &'static str {
        match self {
            ComplaintStatus::New => "Baru",
            ComplaintStatus::InProgress => "Diproses",
            ComplaintStatus::Done => "Selesai",
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::New => "new",
            ComplaintStatus::InProgress => "in_progress",
            ComplaintStatus::Done => "done",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(code.into())).ok()
    }
}

/// An answer of the helpdesk ("Pesan Balasan", with its "Tanggal Respon").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub text: String,
    pub at: i64,
}

/// The complaint's attachment (one), checked like every upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintFile {
    pub file_name: String,
    pub content_type: String,
    /// Private S3 key (`complaints/<id>`).
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Complaint {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// The complainant's list, newest first.
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub id: String,
    pub complainant_id: String,
    pub complainant_name: String,
    pub complainant_email: String,
    /// The helpdesk's organisation.
    pub org: String,
    pub category: Category,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resi: Option<String>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<ComplaintFile>,
    pub status: ComplaintStatus,
    #[serde(default)]
    pub replies: Vec<Reply>,
    /// What the list searches: resi, category and text, lower case.
    pub search_text: String,
    pub created_at: i64,
    pub version: i64,
    pub updated_at: i64,
}

loket_shared::versioned!(Complaint);

/// What a complaint's attachment may be.
pub const COMPLAINT_UPLOAD: UploadKind = UploadKind {
    types: &["application/pdf", "image/jpeg", "image/png"],
    max_bytes: 10 * 1024 * 1024,
    type_invalid: (
        "document_type_invalid",
        "Lampiran harus berformat PDF, JPG atau PNG",
    ),
    size_invalid: "Ukuran lampiran harus antara 1 byte dan 10 MB",
};

impl Complaint {
    pub fn view(&self) -> serde_json::Value {
        let last = self.replies.last();
        serde_json::json!({
            "id": self.id, "created_at": self.created_at, "resi": self.resi,
            "application_id": self.application_id,
            "category": { "code": self.category, "label": self.category.label() },
            "text": self.text, "status": self.status.label(), "status_code": self.status,
            "replied_at": last.map(|r| r.at), "reply": last.map(|r| r.text.clone()),
            "replies": self.replies,
            "attachment": self.attachment.as_ref().map(|a| serde_json::json!({
                "file_name": a.file_name, "content_type": a.content_type, "size": a.size,
                "uploaded": a.size.is_some() })),
        })
    }
}

/// A step of the helpdesk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintStage {
    /// "Tanggapi Pengaduan": the first answer (→ Diproses).
    Respond,
    /// "Selesaikan Pengaduan": the closing answer (→ Selesai).
    Close,
}

const REPLY_FIELD: &[ApproveField] = &[ApproveField {
    field: "reply",
    label: "Pesan balasan untuk pengadu",
    input: ApproveInput::Paragraph { max: 2000 },
}];

impl approval::Stage for ComplaintStage {
    const DECIDED: &'static [ComplaintStage] = &[ComplaintStage::Respond, ComplaintStage::Close];

    fn code(self) -> &'static str {
        match self {
            ComplaintStage::Respond => "respond_complaint",
            ComplaintStage::Close => "close_complaint",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ComplaintStage::Respond => "Tanggapi Pengaduan",
            ComplaintStage::Close => "Selesaikan Pengaduan",
        }
    }

    fn decider(self) -> Option<Role> {
        Some(Role::Helpdesk)
    }

    fn approve_label(self) -> &'static str {
        match self {
            ComplaintStage::Respond => "Kirim balasan (Diproses)",
            ComplaintStage::Close => "Kirim balasan dan selesaikan",
        }
    }

    fn approve_fields(self) -> &'static [ApproveField] {
        REPLY_FIELD
    }

    /// A complaint is answered, never refused.
    fn rejectable(self) -> bool {
        false
    }
}

/// What the helpdesk's decision carries: its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ComplaintDecision {
    pub reply: Option<String>,
}

impl Subject for Complaint {
    fn pk(&self) -> String {
        self.pk.clone()
    }

    fn status_code(&self) -> &'static str {
        self.status.as_str()
    }

    fn status_label(code: &str) -> &'static str {
        ComplaintStatus::parse(code).map_or("-", ComplaintStatus::label)
    }

    fn to_item(&self) -> ApiResult<Item> {
        to_item(self)
    }
}

impl Workflow for Complaint {
    const KIND: &'static str = "complaint";
    type Stage = ComplaintStage;
    type Input = ComplaintDecision;
    type Facts = ();
    type Event = ();
    type Correction = approval::NoInput;

    async fn load(app: &App, id: &str) -> ApiResult<Option<Self>> {
        load(app, id).await
    }

    fn status_email(&self, app: &App, _note: Option<String>) -> OutboxEmail {
        OutboxEmail {
            id: app.ids.id(),
            to: self.complainant_email.clone(),
            template: EmailTemplate::ComplaintStatus {
                name: self.complainant_name.clone(),
                number: self.id.clone(),
                status: self.status.label().into(),
                reply: self.replies.last().map(|r| r.text.clone()),
            },
        }
    }

    async fn case(&self, _app: &App) -> ApiResult<CaseView> {
        let mut lines = vec![
            ("Nomor Pengaduan", self.id.clone()),
            ("Pengadu", self.complainant_name.clone()),
            ("Kategori", self.category.label().to_string()),
            (
                "Permohonan",
                self.resi.clone().unwrap_or_else(|| "Lainnya".into()),
            ),
            ("Isi Pengaduan", self.text.clone()),
        ];
        for r in &self.replies {
            lines.push(("Balasan", r.text.clone()));
        }
        let files = self
            .attachment
            .iter()
            .filter(|a| a.size.is_some())
            .map(|a| CaseFile {
                id: "lampiran".into(),
                label: "Lampiran".into(),
                name: Some(a.file_name.clone()),
                content_type: a.content_type.clone(),
                size: a.size,
                key: a.key.clone(),
            })
            .collect();
        Ok(CaseView {
            lines,
            files,
            changes: Vec::new(),
        })
    }

    fn awaiting(&self) -> Option<ComplaintStage> {
        match self.status {
            ComplaintStatus::New => Some(ComplaintStage::Respond),
            ComplaintStatus::InProgress => Some(ComplaintStage::Close),
            ComplaintStatus::Done => None,
        }
    }

    async fn facts(
        _app: &App,
        _subject: &Self,
        _stage: ComplaintStage,
        _verdict: &Verdict<ComplaintDecision>,
    ) -> ApiResult<()> {
        Ok(())
    }

    fn transition(
        &self,
        stage: ComplaintStage,
        verdict: &Verdict<ComplaintDecision>,
        _facts: &(),
        at: Moment,
    ) -> Result<Decided<Self, ()>, Refusal> {
        let Verdict::Approve(d) = verdict else {
            return Err(Refusal::invalid(
                "decision_invalid",
                "Pengaduan dijawab, tidak ditolak",
                "decision",
            ));
        };
        let text = d
            .reply
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Refusal::invalid("field_required", "Pesan balasan wajib diisi", "reply")
            })?;
        if text.chars().count() > 2000 {
            return Err(Refusal::invalid(
                "field_too_long",
                "Pesan balasan paling banyak 2000 karakter",
                "reply",
            ));
        }
        let mut next = self.clone();
        next.replies.push(Reply {
            text: text.to_string(),
            at: at.now,
        });
        next.status = match stage {
            ComplaintStage::Respond => ComplaintStatus::InProgress,
            ComplaintStage::Close => ComplaintStatus::Done,
        };
        Ok(Decided::to(next))
    }

    /// Reminded after 3 working days (§4.1 G), escalated to the agency head after 5.
    fn deadline(_cfg: &Config, _stage: ComplaintStage) -> Deadline {
        Deadline {
            remind_after: Some(3),
            escalate_after: Some(5),
            escalate_to: &[Role::AgencyHead],
            expire_after: None,
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("complaint_not_found", "Pengaduan tidak ditemukan")
}

pub async fn load(app: &App, id: &str) -> ApiResult<Option<Complaint>> {
    if id.is_empty() || id.len() > 40 {
        return Ok(None);
    }
    app.store
        .get_as(&schema::complaint(id), schema::COMPLAINT_SK)
        .await
}

/// Complaint `id` for `caller`: its complainant, or the helpdesk (and head) of its
/// organisation, or the administrator; anyone else 403.
async fn readable(app: &App, caller: &Caller, id: &str) -> ApiResult<Complaint> {
    let c = load(app, id).await?.ok_or_else(not_found)?;
    let officer = [Role::Helpdesk, Role::AgencyHead]
        .into_iter()
        .any(|r| caller.require_role_in(r, &c.org).is_ok());
    if c.complainant_id == caller.user_id || officer || caller.has_role(Role::Admin) {
        Ok(c)
    } else {
        Err(ApiError::forbidden())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewComplaint {
    category: Option<Category>,
    application_id: Option<String>,
    text: Option<String>,
    /// `{ file_name, content_type }` of an attachment to upload.
    attachment: Option<NewAttachment>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewAttachment {
    file_name: Option<String>,
    content_type: Option<String>,
}

/// `POST /complaints` ("Kirim Aduan"): the complaint enters its workflow (the
/// helpdesk's task) in one transaction with its timeline and email; with an attachment
/// declared, its presigned upload is answered (then confirm it).
pub async fn submit_complaint(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant])?;
    let input: NewComplaint = body(&req)?;
    let category = input
        .category
        .ok_or_else(|| ApiError::invalid("field_required", "Kategori wajib dipilih", "category"))?;
    let text = required(&input.text, "text", "Isi Pengaduan", 4000)?;
    let profile = loket_identity::directory::applicant_profile(&app, &caller.user_id)
        .await?
        .ok_or_else(ApiError::forbidden)?;
    let (application, org) = match optional(
        &input.application_id,
        "application_id",
        "Perizinan Saya",
        40,
    )? {
        Some(id) => {
            let a: Application = crate::wizard::own(&app, &caller, &id).await?;
            let org = a.agency_code.clone();
            (Some(a), org)
        }
        None => (None, app.cfg.licensing.complaints_org.clone()),
    };
    let id = app.ids.id();
    let attachment = match &input.attachment {
        Some(a) => Some(ComplaintFile {
            file_name: required(&a.file_name, "file_name", "Nama lampiran", 120)?,
            content_type: COMPLAINT_UPLOAD.content_type(&a.content_type)?,
            key: format!("complaints/{id}"),
            size: None,
        }),
        None => None,
    };
    let now = app.clock.epoch();
    let resi = application.as_ref().and_then(|a| a.resi.clone());
    let c = Complaint {
        pk: schema::complaint(&id),
        sk: schema::COMPLAINT_SK.into(),
        gsi1pk: schema::complainant(&caller.user_id),
        gsi1sk: format!("{now:012}#{id}"),
        complainant_id: caller.user_id.clone(),
        complainant_name: profile.name,
        complainant_email: profile.email,
        org,
        category,
        application_id: application.as_ref().map(|a| a.id.clone()),
        search_text: format!(
            "{} {} {}",
            resi.clone().unwrap_or_default(),
            category.label(),
            text
        )
        .to_lowercase(),
        resi,
        text,
        attachment,
        status: ComplaintStatus::New,
        replies: Vec::new(),
        id: id.clone(),
        created_at: now,
        version: 1,
        updated_at: now,
    };
    let machine = app
        .cfg
        .licensing
        .complaint_state_machine
        .clone()
        .ok_or_else(|| ApiError::internal("LOKET_COMPLAINT_ARN is not set"))?;
    let start = Start {
        machine: &machine,
        name: format!("complaint-{id}"),
        input: serde_json::json!({
            "complaint_id": id, "complaint_name": format!("{} ({})", c.category.label(), c.complainant_name),
            "org": c.org, "task_timeout_seconds": app.cfg.onboarding.task_timeout_seconds,
        }),
    };
    let change = Change {
        actor: &caller,
        role: Role::Applicant,
        action: "submitted",
        from: ComplaintStatus::New.as_str(),
        note: None,
    };
    // A new complaint: its version 1 does not exist yet, so it is put as new.
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&c)?);
    approval::audit(&app, &mut tx, &c, change)?;
    tx.put_new(
        app.store.table(),
        c.status_email(&app, None).to_item(&app.sealer, now)?,
    );
    loket_shared::executions::start(&app, &mut tx, start.machine, &start.name, &start.input, now);
    app.store.transact(tx).await?;
    let upload = match &c.attachment {
        Some(a) => Some(
            COMPLAINT_UPLOAD
                .presign(&app, &a.key, &a.content_type)
                .await?,
        ),
        None => None,
    };
    tracing::info!(complaint_id = %c.id, org = %c.org, "complaint submitted");
    let mut v = c.view();
    v["message"] = "Pengaduan berhasil dikirim".into();
    json(
        201,
        &serde_json::json!({ "complaint": v, "upload": upload }),
    )
}

/// `POST /complaints/{id}/attachment/confirm`: the uploaded attachment is checked; a
/// refused file is deleted and the complaint stays without it.
pub async fn confirm_complaint_attachment(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = load(&app, &path_param(&req, "id")?)
        .await?
        .ok_or_else(not_found)?;
    if c.complainant_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    let Some(a) = c.attachment.clone() else {
        return Err(ApiError::not_found(
            "attachment_not_found",
            "Pengaduan ini tanpa lampiran",
        ));
    };
    if a.size.is_some() {
        return json(200, &c.view());
    }
    let checked = COMPLAINT_UPLOAD
        .check_linked(&app, &a.key, &a.content_type)
        .await?;
    let mut next = c.clone();
    let outcome = match checked {
        files::Checked::Size(size) => {
            next.attachment = Some(ComplaintFile {
                size: Some(size),
                ..a
            });
            Ok(())
        }
        files::Checked::Refused(e) => {
            next.attachment = None;
            Err(e)
        }
    };
    approval::Versioned::stamp(&mut next, app.clock.epoch());
    let mut tx = Tx::new();
    tx.put_versioned(app.store.table(), to_item(&next)?, c.version);
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(TxError::Condition(_)) => return Err(ApiError::concurrent_update()),
        Err(e) => return Err(e.into()),
    }
    outcome?;
    let mut v = next.view();
    v["message"] = "Upload berhasil".into();
    json(200, &v)
}

/// `GET /complaints?q=` ("Daftar Pengaduan"): the caller's complaints, newest first;
/// `q` searches resi, category and text.
pub async fn list_complaints(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant])?;
    let page = cursor::own_list(
        &app,
        &req,
        "list_complaints",
        &caller.user_id,
        schema::complainant(&caller.user_id),
        "search_text",
        |c: Complaint| c.view(),
    )
    .await?;
    json(200, &page)
}

/// `GET /complaints/{id}`: the complaint with its timeline, for its complainant and
/// its helpdesk.
pub async fn get_complaint(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = readable(&app, &caller, &path_param(&req, "id")?).await?;
    let mut v = c.view();
    v["timeline"] = approval::timeline::<Complaint>(&app, &c.pk).await?.into();
    json(200, &v)
}

/// `GET /complaints/{id}/attachment`: a short-lived link to the attachment.
pub async fn download_complaint_attachment(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let c = readable(&app, &caller, &path_param(&req, "id")?).await?;
    let a = c.attachment.filter(|a| a.size.is_some()).ok_or_else(|| {
        ApiError::not_found("attachment_not_found", "Pengaduan ini tanpa lampiran")
    })?;
    let url = files::presigned_get(&app, &a.key, 300).await?;
    json(
        200,
        &serde_json::json!({ "url": url, "expires_in": 300, "file_name": a.file_name }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complaint() -> Complaint {
        Complaint {
            pk: "COMPLAINT#c1".into(),
            sk: "COMPLAINT".into(),
            gsi1pk: "COMPLAINANT#u1".into(),
            gsi1sk: "1#c1".into(),
            id: "c1".into(),
            complainant_id: "u1".into(),
            complainant_name: "Siti".into(),
            complainant_email: "siti@contoh.id".into(),
            org: "DPMPTSP".into(),
            category: Category::Licensing,
            application_id: None,
            resi: None,
            text: "Permohonan belum diproses".into(),
            attachment: None,
            status: ComplaintStatus::New,
            replies: vec![],
            search_text: String::new(),
            created_at: 1,
            version: 1,
            updated_at: 1,
        }
    }

    #[test]
    fn the_helpdesk_answers_then_closes_with_a_reply_each_time() {
        let at = Moment {
            now: 50,
            role: Role::Helpdesk,
        };
        let reply = |t: &str| {
            Verdict::Approve(ComplaintDecision {
                reply: Some(t.into()),
            })
        };
        let c = complaint();
        let e = c
            .transition(ComplaintStage::Respond, &reply("  "), &(), at)
            .unwrap_err();
        assert_eq!(e.code, "field_required");
        let d = c
            .transition(
                ComplaintStage::Respond,
                &reply("Sedang kami periksa"),
                &(),
                at,
            )
            .unwrap();
        assert_eq!(d.state.status, ComplaintStatus::InProgress);
        let d = d
            .state
            .transition(ComplaintStage::Close, &reply("Sudah diproses"), &(), at)
            .unwrap();
        assert_eq!(d.state.status, ComplaintStatus::Done);
        assert_eq!(d.state.replies.len(), 2);
        assert_eq!(d.state.view()["reply"], "Sudah diproses");
        assert_eq!(d.state.view()["status"], "Selesai");
    }
}
