//! Processing a submitted application (seed 004 §3.2; issue 13 §3) as a workflow of
//! the approval engine: `statemachines/permit-application.asl.json` opens each human
//! step as a task of the agency's officers, and the applicant's revision as the
//! applicant's own task:
//!
//! - the front office (`helpdesk`) checks completeness: forward (→ Verifikasi; the
//!   receipt, "Cetak Resi", is generated) or reject with a reason;
//! - the verifier forwards (→ Penandatanganan), **sends back for revision** with a note
//!   (→ Revisi: the applicant edits the application in the wizard and resubmits it,
//!   which decides the applicant's task and returns it to the verifier; not resubmitted
//!   within `LOKET_REVISION_LAPSE_DAYS` working days it lapses, through the engine's
//!   expiry), or rejects with a reason;
//! - the agency head signs (TTE) (→ Penerbitan: `issuance` numbers the permit,
//!   generates and signs it, → Selesai) or rejects.
//!
//! The applicant is emailed at every change (the engine writes the status email with
//! each decision). This module is the declaration and the pure transition.

use crate::application::{Application, ApplicationStatus};
use crate::issuance::{self, DocumentKind};
use loket_shared::approval::{
    self, CaseFile, CaseView, Deadline, Decided, Moment, NoInput, Subject, Verdict, Workflow,
};
use loket_shared::auth::Role;
use loket_shared::config::Config;
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::rules::Refusal;
use loket_shared::store::{to_item, Item, Tx};
use loket_shared::{ApiResult, App};

/// A human step of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicensingStage {
    /// The front office checks the application is complete.
    FrontOffice,
    /// The agency's verifier checks it.
    Verification,
    /// The applicant revises it (the verifier's note) and resubmits.
    ApplicantRevision,
    /// The agency head signs the permit (TTE).
    Signing,
}

impl approval::Stage for LicensingStage {
    const DECIDED: &'static [LicensingStage] = &[
        LicensingStage::FrontOffice,
        LicensingStage::Verification,
        LicensingStage::ApplicantRevision,
        LicensingStage::Signing,
    ];

    fn code(self) -> &'static str {
        match self {
            LicensingStage::FrontOffice => "front_office",
            LicensingStage::Verification => "verification",
            LicensingStage::ApplicantRevision => "applicant_revision",
            LicensingStage::Signing => "signing",
        }
    }

    fn label(self) -> &'static str {
        match self {
            LicensingStage::FrontOffice => "Pemeriksaan Kelengkapan",
            LicensingStage::Verification => "Verifikasi Berkas",
            LicensingStage::ApplicantRevision => "Revisi Permohonan",
            LicensingStage::Signing => "Penandatanganan Izin (TTE)",
        }
    }

    fn decider(self) -> Option<Role> {
        Some(match self {
            LicensingStage::FrontOffice => Role::Helpdesk,
            LicensingStage::Verification => Role::Verifier,
            LicensingStage::ApplicantRevision => Role::Applicant,
            LicensingStage::Signing => Role::AgencyHead,
        })
    }

    fn approve_label(self) -> &'static str {
        match self {
            LicensingStage::FrontOffice => "Berkas lengkap, teruskan ke verifikator",
            LicensingStage::Verification => "Berkas sesuai, teruskan untuk ditandatangani",
            LicensingStage::ApplicantRevision => "Kirim ulang permohonan",
            LicensingStage::Signing => "Tandatangani izin (TTE)",
        }
    }

    /// The applicant's revision is not refused: it is resubmitted, or it lapses.
    fn rejectable(self) -> bool {
        self != LicensingStage::ApplicantRevision
    }

    /// Only the verifier sends an application back for revision (seed 004 §3.2.4).
    fn revisable(self) -> bool {
        self == LicensingStage::Verification
    }
}

/// What a decision causes besides the application's new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicensingEvent {
    /// Found complete: the receipt is generated.
    ReceiptDue,
    /// Signed: the permit is numbered, generated and signed.
    PermitDue,
}

impl Subject for Application {
    fn pk(&self) -> String {
        self.pk.clone()
    }

    fn status_code(&self) -> &'static str {
        self.status.as_str()
    }

    fn status_label(code: &str) -> &'static str {
        ApplicationStatus::parse(code).map_or("-", ApplicationStatus::stage_label)
    }

    fn to_item(&self) -> ApiResult<Item> {
        to_item(self)
    }
}

/// The email telling the applicant its application's new status.
pub fn status_email(a: &Application, app: &App, note: Option<String>) -> OutboxEmail {
    let days = app.cfg.licensing.revision_lapse_working_days;
    let note = match a.status {
        ApplicationStatus::Submitted => Some(format!(
            "Permohonan Anda diterima dan akan diperiksa kelengkapannya. Waktu pelayanan {} hari kerja.",
            a.service_days
        )),
        ApplicationStatus::Verification if a.revisions > 0 && note.is_none() => {
            Some("Revisi permohonan Anda diterima dan diverifikasi kembali.".into())
        }
        ApplicationStatus::Verification => {
            Some("Berkas Anda lengkap. Bukti pendaftaran (Cetak Resi) dapat diunduh.".into())
        }
        ApplicationStatus::Revision => Some(format!(
            "Catatan verifikator: {}. Perbaiki dan kirim ulang permohonan melalui menu Permohonan Saya dalam {days} hari kerja.",
            note.as_deref().unwrap_or("-")
        )),
        ApplicationStatus::Signing => Some("Berkas Anda telah diverifikasi dan menunggu penandatanganan.".into()),
        ApplicationStatus::Issuing => Some("Izin Anda telah ditandatangani dan sedang diterbitkan.".into()),
        ApplicationStatus::Completed => Some(format!(
            "Izin Anda telah terbit dengan nomor {}. Izin dapat diunduh melalui tombol Cetak Izin.",
            a.permit.as_ref().map_or("-", |p| p.number.as_str())
        )),
        ApplicationStatus::Rejected => Some(format!(
            "Alasan penolakan: {}",
            note.or_else(|| a.rejection_reason.clone()).unwrap_or_default()
        )),
        ApplicationStatus::Lapsed => Some(format!(
            "Revisi tidak dikirim ulang dalam {days} hari kerja, sehingga permohonan dinyatakan kedaluwarsa."
        )),
        ApplicationStatus::Draft => note,
    };
    OutboxEmail {
        id: app.ids.id(),
        to: a.applicant.email.clone(),
        template: EmailTemplate::ApplicationStatus {
            name: a.applicant.name.clone(),
            resi: a.resi.clone().unwrap_or_default(),
            permit: a.permit_name.clone(),
            status: a.status.label().to_string(),
            note,
        },
    }
}

/// The case as the officer reads it: the application's data and its documents.
pub fn case_view(a: &Application) -> CaseView {
    let mut lines = vec![
        ("Nomor Resi", a.resi.clone().unwrap_or_default()),
        ("Instansi", a.agency_name.clone()),
        ("Jenis Izin", a.permit_name.clone()),
        ("Jenis Permohonan", a.kind.label().to_string()),
        ("Waktu Pelayanan", format!("{} hari kerja", a.service_days)),
        ("Nama Pemohon", a.applicant.name.clone()),
        ("NIK", a.applicant.nik_masked.clone()),
        ("Telp", a.applicant.phone.clone()),
        ("Email", a.applicant.email.clone()),
    ];
    match &a.company {
        Some(c) => {
            lines.push(("Perusahaan", format!("{} {}", c.form, c.name)));
            lines.push(("NIB", c.nib.clone()));
            lines.push(("NPWP", c.npwp.clone()));
            lines.push(("Alamat Perusahaan", c.address.clone()));
        }
        None => lines.push(("Perusahaan", "- (perseorangan)".into())),
    }
    if let Some(l) = &a.location {
        lines.push(("Lokasi Izin", l.address.clone()));
        lines.push((
            "Koordinat",
            format!("{:.6}, {:.6}", l.latitude, l.longitude),
        ));
    }
    if let Some(note) = &a.revision_note {
        lines.push(("Catatan revisi terakhir", note.clone()));
    }
    let files = a
        .attachments
        .iter()
        .filter(|d| d.size.is_some())
        .map(|d| CaseFile {
            id: d.id.clone(),
            label: a
                .requirements
                .iter()
                .find(|r| r.code == d.requirement_code)
                .map_or_else(|| d.requirement_code.clone(), |r| r.name.clone()),
            name: Some(d.file_name.clone()),
            content_type: d.content_type.clone(),
            size: d.size,
            key: d.key.clone(),
        })
        .collect();
    CaseView {
        lines,
        files,
        changes: Vec::new(),
    }
}

fn not_at_this_stage() -> Refusal {
    Refusal::conflict(
        "decision_invalid",
        "Keputusan ini tidak tersedia pada tahap permohonan saat ini",
    )
}

impl Workflow for Application {
    const KIND: &'static str = "permit_application";
    type Stage = LicensingStage;
    type Input = NoInput;
    type Facts = ();
    type Event = LicensingEvent;
    type Correction = NoInput;

    async fn load(app: &App, id: &str) -> ApiResult<Option<Self>> {
        crate::wizard::load(app, id).await
    }

    fn status_email(&self, app: &App, note: Option<String>) -> OutboxEmail {
        status_email(self, app, note)
    }

    async fn case(&self, _app: &App) -> ApiResult<CaseView> {
        Ok(case_view(self))
    }

    fn awaiting(&self) -> Option<LicensingStage> {
        match self.status {
            ApplicationStatus::Submitted => Some(LicensingStage::FrontOffice),
            ApplicationStatus::Verification => Some(LicensingStage::Verification),
            ApplicationStatus::Revision => Some(LicensingStage::ApplicantRevision),
            ApplicationStatus::Signing => Some(LicensingStage::Signing),
            _ => None,
        }
    }

    async fn facts(
        _app: &App,
        _subject: &Self,
        _stage: LicensingStage,
        _verdict: &Verdict<NoInput>,
    ) -> ApiResult<()> {
        Ok(())
    }

    fn transition(
        &self,
        stage: LicensingStage,
        verdict: &Verdict<NoInput>,
        _facts: &(),
        _at: Moment,
    ) -> Result<Decided<Self, LicensingEvent>, Refusal> {
        let mut next = self.clone();
        match (stage, verdict) {
            (LicensingStage::FrontOffice, Verdict::Approve(_)) => {
                next.status = ApplicationStatus::Verification;
                Ok(Decided::to(next).with_event(LicensingEvent::ReceiptDue))
            }
            (LicensingStage::Verification, Verdict::Approve(_)) => {
                next.status = ApplicationStatus::Signing;
                Ok(Decided::to(next))
            }
            (LicensingStage::Verification, Verdict::Revise { note }) => {
                next.status = ApplicationStatus::Revision;
                next.revision_note = Some(note.clone());
                next.revisions += 1;
                Ok(Decided::to(next))
            }
            (LicensingStage::ApplicantRevision, Verdict::Approve(_)) => {
                let missing = self.missing();
                if !missing.is_empty() {
                    return Err(Refusal::unprocessable(
                        "application_incomplete",
                        format!(
                            "Permohonan belum dapat dikirim. Lengkapi: {}",
                            missing.join("; ")
                        ),
                    ));
                }
                next.status = ApplicationStatus::Verification;
                Ok(Decided::to(next))
            }
            (LicensingStage::Signing, Verdict::Approve(_)) => {
                next.status = ApplicationStatus::Issuing;
                Ok(Decided::to(next).with_event(LicensingEvent::PermitDue))
            }
            (
                LicensingStage::FrontOffice
                | LicensingStage::Verification
                | LicensingStage::Signing,
                Verdict::Reject { reason },
            ) => {
                next.status = ApplicationStatus::Rejected;
                next.rejection_reason = Some(reason.clone());
                Ok(Decided::to(next))
            }
            (_, Verdict::Revise { .. }) => Err(approval::not_revisable()),
            (LicensingStage::ApplicantRevision, Verdict::Reject { .. }) => Err(not_at_this_stage()),
        }
    }

    /// Officers are reminded as every officer is; a late front office or verifier is
    /// escalated to the agency head (the head's own signature is only reminded). The
    /// applicant's revision is reminded two working days before it lapses, and lapses.
    fn deadline(cfg: &Config, stage: LicensingStage) -> Deadline {
        let officers = Deadline::officers(&cfg.onboarding);
        match stage {
            LicensingStage::ApplicantRevision => {
                let lapse = cfg.licensing.revision_lapse_working_days;
                Deadline {
                    remind_after: Some((lapse - 2).max(1)),
                    expire_after: Some(lapse),
                    ..Deadline::default()
                }
            }
            LicensingStage::Signing => Deadline {
                escalate_after: None,
                ..officers
            },
            LicensingStage::FrontOffice | LicensingStage::Verification => Deadline {
                escalate_to: &[Role::AgencyHead],
                ..officers
            },
        }
    }

    /// A revision not resubmitted in time lapses; the applicant is told.
    fn expired(&self, app: &App, stage: LicensingStage) -> Option<(Self, Vec<OutboxEmail>)> {
        if stage != LicensingStage::ApplicantRevision {
            return None;
        }
        let mut next = self.clone();
        next.status = ApplicationStatus::Lapsed;
        let mail = status_email(&next, app, None);
        Some((next, vec![mail]))
    }

    /// The receipt and the permit are generated from the stream (`issuance`): the
    /// decision only records that they are due.
    async fn effects(
        app: &App,
        state: &Self,
        events: &[LicensingEvent],
        tx: &mut Tx,
    ) -> ApiResult<()> {
        let now = app.clock.epoch();
        for e in events {
            let kind = match e {
                LicensingEvent::ReceiptDue => DocumentKind::Receipt,
                LicensingEvent::PermitDue => DocumentKind::Permit,
            };
            tx.put_new(
                app.store.table(),
                to_item(&issuance::due(app, state, kind, now))?,
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::tests::draft;

    fn at() -> Moment {
        Moment {
            now: 100,
            role: Role::Verifier,
        }
    }

    fn approve() -> Verdict<NoInput> {
        Verdict::Approve(NoInput {})
    }

    fn complete() -> Application {
        let mut a = draft();
        a.individual = true;
        a.declaration = true;
        a.location = Some(crate::application::LocationData {
            address: "Jl. Juanda No. 1".into(),
            region: Default::default(),
            latitude: -0.5,
            longitude: 117.1,
        });
        a.attachments.push(crate::application::Attachment {
            requirement_code: "R1".into(),
            id: "d1".into(),
            file_name: "ktp.pdf".into(),
            content_type: "application/pdf".into(),
            key: "applications/a1/d1".into(),
            size: Some(10),
        });
        a.status = ApplicationStatus::Submitted;
        a
    }

    #[test]
    fn an_application_goes_from_the_front_office_to_the_permit() {
        let a = complete();
        let d = a
            .transition(LicensingStage::FrontOffice, &approve(), &(), at())
            .unwrap();
        assert_eq!(d.state.status, ApplicationStatus::Verification);
        assert_eq!(d.events, [LicensingEvent::ReceiptDue]);
        let d = d
            .state
            .transition(LicensingStage::Verification, &approve(), &(), at())
            .unwrap();
        assert_eq!(d.state.status, ApplicationStatus::Signing);
        let d = d
            .state
            .transition(LicensingStage::Signing, &approve(), &(), at())
            .unwrap();
        assert_eq!(d.state.status, ApplicationStatus::Issuing);
        assert_eq!(d.events, [LicensingEvent::PermitDue]);
    }

    #[test]
    fn a_revision_returns_to_the_applicant_and_back_to_the_verifier() {
        let mut a = complete();
        a.status = ApplicationStatus::Verification;
        let revise = Verdict::Revise {
            note: "Foto KTP buram".into(),
        };
        let d = a
            .transition(LicensingStage::Verification, &revise, &(), at())
            .unwrap();
        assert_eq!(d.state.status, ApplicationStatus::Revision);
        assert_eq!(d.state.revision_note.as_deref(), Some("Foto KTP buram"));
        assert_eq!(d.state.revisions, 1);
        // Resubmitting an incomplete revision is refused, with what is missing.
        let mut incomplete = d.state.clone();
        incomplete.declaration = false;
        let e = incomplete
            .transition(LicensingStage::ApplicantRevision, &approve(), &(), at())
            .unwrap_err();
        assert_eq!(e.code, "application_incomplete");
        let d = d
            .state
            .transition(LicensingStage::ApplicantRevision, &approve(), &(), at())
            .unwrap();
        assert_eq!(d.state.status, ApplicationStatus::Verification);
        assert!(d.events.is_empty(), "no second receipt");
    }

    #[test]
    fn only_the_verifier_sends_back_and_the_applicant_cannot_reject() {
        use approval::Stage;
        let a = complete();
        let revise = Verdict::Revise { note: "x".into() };
        assert!(a
            .transition(LicensingStage::FrontOffice, &revise, &(), at())
            .is_err());
        assert!(LicensingStage::Verification.revisable());
        assert!(!LicensingStage::Signing.revisable());
        assert!(!LicensingStage::ApplicantRevision.rejectable());
        let reject = Verdict::Reject {
            reason: "Lokasi di kawasan lindung".into(),
        };
        let d = a
            .transition(LicensingStage::FrontOffice, &reject, &(), at())
            .unwrap();
        assert_eq!(d.state.status, ApplicationStatus::Rejected);
        assert_eq!(
            d.state.rejection_reason.as_deref(),
            Some("Lokasi di kawasan lindung")
        );
    }

    #[test]
    fn the_applicant_sees_four_statuses() {
        use ApplicationStatus::*;
        for (s, label) in [
            (Submitted, "Dalam Proses"),
            (Verification, "Dalam Proses"),
            (Signing, "Dalam Proses"),
            (Issuing, "Dalam Proses"),
            (Revision, "Revisi"),
            (Rejected, "Ditolak"),
            (Completed, "Selesai"),
        ] {
            assert_eq!(s.label(), label, "{s:?}");
        }
    }
}
