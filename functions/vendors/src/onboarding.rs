//! The e-Order onboarding chain (seed 000 §2): `Pengisian Data` → `Penunjukan Pembina`
//! (a satpel of the vendor's SKPD assigns a PJLP) → `Pengecekan PJLP` → `Pengecekan
//! Satpel` → `Pengajuan` (an eorder_admin activates) → `Terdaftar`.
//!
//! The state machine `statemachines/vendor-onboarding-eorder.asl.json` opens the human
//! task of each stage; this module is the single writer of the vendor's stage: on
//! "Confirm" (`submit_vendor_profile`) and on every decision (`decide`), in one
//! transaction with the task claim, the audit entry and the vendor's email. A check
//! that rejects sends the registration back to "Pengisian Data" with its reason; the
//! next "Confirm" resumes the chain at the stage that rejected it.

use crate::profile::{self, Rejection, VendorProfile};
use loket_shared::auth::{Caller, Role};
use loket_shared::http::{authenticate, json, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::store::{get_s, to_item, Tx};
use loket_shared::tasks::{self, Task};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// `Task::kind` of onboarding tasks.
pub const TASK_KIND: &str = "vendor_onboarding";
pub const AUDIT_PREFIX: &str = "AUDIT#";

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    DataEntry,
    AssignPjlp,
    PjlpCheck,
    SatpelCheck,
    Activation,
    /// JATHIL MART: the field administrator verifies the requirements.
    FieldVerification,
    /// JATHIL MART: the main administrator validates again and approves.
    MainApproval,
    Registered,
}

/// Which onboarding chain the deployment runs (`LOKET_ONBOARDING_CHAIN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    /// e-Order (seed 000 §2): satpel, PJLP, satpel, eorder_admin.
    EOrder,
    /// JATHIL MART (seed 003 §I): field_admin, then main_admin.
    Jathil,
}

impl Chain {
    pub fn from_config(name: &str) -> Option<Chain> {
        match name {
            "eorder" => Some(Chain::EOrder),
            "jathil" => Some(Chain::Jathil),
            _ => None,
        }
    }

    pub fn first_stage(self) -> Stage {
        match self {
            Chain::EOrder => Stage::AssignPjlp,
            Chain::Jathil => Stage::FieldVerification,
        }
    }
}

impl Stage {
    /// The status the vendor sees (seed 000 §1.2).
    pub fn label(self) -> &'static str {
        match self {
            Stage::DataEntry => "Pengisian Data",
            Stage::AssignPjlp => "Penunjukan Pembina",
            Stage::PjlpCheck => "Pengecekan PJLP",
            Stage::SatpelCheck => "Pengecekan Satpel",
            Stage::Activation => "Pengajuan",
            Stage::FieldVerification => "Verifikasi Administrator Bidang",
            Stage::MainApproval => "Persetujuan Administrator Utama",
            Stage::Registered => "Terdaftar",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::DataEntry => "data_entry",
            Stage::AssignPjlp => "assign_pjlp",
            Stage::PjlpCheck => "pjlp_check",
            Stage::SatpelCheck => "satpel_check",
            Stage::Activation => "activation",
            Stage::FieldVerification => "field_verification",
            Stage::MainApproval => "main_approval",
            Stage::Registered => "registered",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    /// The officer role that decides at this stage (none outside the chain).
    pub fn decider(self) -> Option<Role> {
        match self {
            Stage::AssignPjlp | Stage::SatpelCheck => Some(Role::Satpel),
            Stage::PjlpCheck => Some(Role::Pjlp),
            Stage::Activation => Some(Role::EorderAdmin),
            Stage::FieldVerification => Some(Role::FieldAdmin),
            Stage::MainApproval => Some(Role::MainAdmin),
            Stage::DataEntry | Stage::Registered => None,
        }
    }

    /// Where an approval at this stage leads.
    pub fn after_approval(self) -> Stage {
        match self {
            Stage::AssignPjlp => Stage::PjlpCheck,
            Stage::PjlpCheck => Stage::SatpelCheck,
            Stage::SatpelCheck => Stage::Activation,
            Stage::Activation => Stage::Registered,
            Stage::FieldVerification => Stage::MainApproval,
            Stage::MainApproval => Stage::Registered,
            other => other,
        }
    }
}

/// Where a (re)submission starts: at the stage that sent the registration back (when
/// it belongs to the deployment's chain), and at the chain's first stage otherwise. In
/// the e-Order chain a later stage needs the PJLP assigned before.
pub fn resume_stage(chain: Chain, rejection: Option<&Rejection>, pjlp_assigned: bool) -> Stage {
    let in_chain = |stage: Stage| match chain {
        Chain::EOrder => matches!(
            stage,
            Stage::AssignPjlp | Stage::PjlpCheck | Stage::SatpelCheck | Stage::Activation
        ),
        Chain::Jathil => matches!(stage, Stage::FieldVerification | Stage::MainApproval),
    };
    match rejection.map(|r| r.stage) {
        Some(stage)
            if in_chain(stage)
                && (chain == Chain::Jathil || pjlp_assigned || stage == Stage::AssignPjlp) =>
        {
            stage
        }
        _ => chain.first_stage(),
    }
}

/// One line of the vendor's timeline: who did what, as which role, when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEntry {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub at: i64,
    pub actor_id: String,
    pub actor_role: Role,
    /// `submitted`, `approved` or `rejected`.
    pub action: String,
    pub stage: Stage,
    pub stage_after: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl AuditEntry {
    /// The entry for `actor` (acting as `role`) having moved `p` from `before` to its
    /// current stage.
    pub fn new(
        app: &App,
        p: &VendorProfile,
        actor: &Caller,
        role: Role,
        action: &str,
        before: Stage,
        note: Option<String>,
    ) -> Self {
        let now = app.clock.epoch();
        Self {
            pk: profile::vendor_pk(&p.vendor_id),
            // Time first so the timeline sorts by time; the id keeps entries unique.
            sk: format!("{AUDIT_PREFIX}{now:012}#{}", app.ids.id()),
            at: now,
            actor_id: actor.user_id.clone(),
            actor_role: role,
            action: action.into(),
            stage: before,
            stage_after: p.stage,
            note,
        }
    }

    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "at": self.at,
            "actor_id": self.actor_id,
            "actor_role": self.actor_role,
            "action": self.action,
            "stage": self.stage,
            "status": self.stage.label(),
            "status_after": self.stage_after.label(),
            "note": self.note,
        })
    }
}

pub fn not_editable(stage: Stage) -> ApiError {
    ApiError::conflict(
        "profile_locked",
        format!(
            "Data tidak dapat diubah karena pendaftaran sedang dalam tahap {}",
            stage.label()
        ),
    )
}

fn status_email(app: &App, p: &VendorProfile, note: Option<String>) -> OutboxEmail {
    OutboxEmail {
        id: app.ids.id(),
        to: p.email.clone(),
        template: EmailTemplate::VendorStatusChanged {
            name: p
                .business_name
                .clone()
                .or_else(|| p.owner_name.clone())
                .unwrap_or_else(|| p.email.clone()),
            status: p.stage.label().to_string(),
            note,
        },
    }
}

/// `POST /vendor/profile/submit` ("Confirm"): checks the profile is complete and starts
/// (or resumes) the onboarding chain.
pub async fn submit_vendor_profile(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    caller.require_any(&[Role::Vendor])?;
    let chain = chain(&app)?;
    let Some(mut p) = profile::load(&app, &caller.user_id).await? else {
        return Err(incomplete(&VendorProfile::new("", "", "", 0), chain));
    };
    if p.stage != Stage::DataEntry {
        return Err(ApiError::conflict(
            "already_submitted",
            format!(
                "Data sudah dikonfirmasi dan sedang dalam tahap {}",
                p.stage.label()
            ),
        ));
    }
    if !p.missing(chain).is_empty() {
        return Err(incomplete(&p, chain));
    }
    let (machine, admin_org) = match chain {
        Chain::EOrder => (
            &app.cfg.onboarding.eorder_state_machine,
            app.cfg.onboarding.eorder_admin_org.clone(),
        ),
        // JATHIL MART's administrators belong to the vendor's SKPD.
        Chain::Jathil => (&app.cfg.onboarding.jathil_state_machine, p.skpd.clone()),
    };
    let machine = machine
        .clone()
        .ok_or_else(|| ApiError::unavailable("the onboarding state machine ARN is not set"))?;
    let before = p.clone();
    let start = resume_stage(chain, p.rejection.as_ref(), p.pjlp_id.is_some());
    p.stage = start;
    p.rejection = None;
    p.submissions += 1;
    p.updated_at = app.clock.epoch();
    p.version += 1;

    let mut tx = Tx::new();
    let table = app.store.table();
    tx.put_versioned(table, to_item(&p)?, before.version);
    let entry = AuditEntry::new(
        &app,
        &p,
        &caller,
        Role::Vendor,
        "submitted",
        Stage::DataEntry,
        None,
    );
    tx.put_new(table, to_item(&entry)?);
    tx.put_new(
        table,
        status_email(&app, &p, None).to_item(&app.sealer, p.updated_at)?,
    );
    app.store.transact(tx).await?;

    let input = serde_json::json!({
        "start": start.as_str(),
        "vendor_id": p.vendor_id,
        "vendor_name": p.business_name,
        "skpd": p.skpd,
        "pkt": p.pkt.map(|k| k.as_str()),
        "pjlp_id": p.pjlp_id.clone().unwrap_or_default(),
        "admin_org": admin_org,
        "task_timeout_seconds": app.cfg.onboarding.task_timeout_seconds,
    });
    // Named by vendor and submission: a retried start cannot open a second chain.
    if let Err(e) = tasks::start_execution(
        &app,
        &machine,
        &format!("{}-{}", p.vendor_id, p.submissions),
        &input,
    )
    .await
    {
        // Put it back as it was, so the vendor can confirm again.
        let mut tx = Tx::new();
        let mut back = before;
        back.version = p.version + 1;
        tx.put_versioned(app.store.table(), to_item(&back)?, p.version);
        if let Err(undo) = app.store.transact(tx).await {
            tracing::error!(vendor_id = %p.vendor_id, error = ?undo, "could not undo a submission whose workflow did not start");
        }
        return Err(e);
    }
    tracing::info!(vendor_id = %p.vendor_id, stage = start.as_str(), "vendor profile submitted");
    let mut v = profile::view(&app, p).await?;
    v["message"] = "Data berhasil dikonfirmasi dan menunggu verifikasi petugas".into();
    json(202, &v)
}

/// The chain the deployment runs.
pub fn chain(app: &App) -> ApiResult<Chain> {
    Chain::from_config(&app.cfg.onboarding.chain).ok_or_else(|| {
        ApiError::internal(format!(
            "LOKET_ONBOARDING_CHAIN={} is not eorder or jathil",
            app.cfg.onboarding.chain
        ))
    })
}

fn incomplete(p: &VendorProfile, chain: Chain) -> ApiError {
    let labels: Vec<&str> = p.missing(chain).into_iter().map(|(_, l)| l).collect();
    ApiError::unprocessable(
        "profile_incomplete",
        format!("Data belum lengkap: {}", labels.join(", ")),
    )
}

/// An officer's decision on an onboarding task.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Decision {
    /// `approve` (for "Penunjukan Pembina": assign `pjlp_id`) or `reject`.
    pub decision: Option<String>,
    pub note: Option<String>,
    pub pjlp_id: Option<String>,
}

/// Applies `decision` to the vendor behind `task` and claims the task, atomically.
/// Returns the output the waiting execution resumes with.
pub async fn decide(
    app: &App,
    task: &Task,
    caller: &Caller,
    d: &Decision,
) -> ApiResult<serde_json::Value> {
    let stage = Stage::parse(&task.stage)
        .ok_or_else(|| ApiError::internal(format!("unknown onboarding stage {}", task.stage)))?;
    let note = tasks::decision_note(&d.note)?;
    let mut p = profile::load(app, &task.subject_id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("task {} has no vendor", task.id)))?;
    if p.stage != stage {
        return Err(tasks::already_decided());
    }
    let expected = p.version;
    let now = app.clock.epoch();
    let (action, output) = match d.decision.as_deref() {
        Some("approve") => {
            if stage == Stage::AssignPjlp {
                let pjlp = d
                    .pjlp_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "field_required",
                            "PJLP Pendamping wajib dipilih",
                            "pjlp_id",
                        )
                    })?;
                check_pjlp(app, pjlp, &p.skpd).await?;
                p.pjlp_id = Some(pjlp.to_string());
            }
            p.stage = stage.after_approval();
            (
                "approved",
                serde_json::json!({ "decision": "approve", "pjlp_id": p.pjlp_id.clone().unwrap_or_default() }),
            )
        }
        Some("reject") => {
            let reason = tasks::rejection_reason(&note)?;
            p.stage = Stage::DataEntry;
            p.rejection = Some(Rejection {
                stage,
                reason,
                by_role: task.role,
                at: now,
            });
            ("rejected", serde_json::json!({ "decision": "reject" }))
        }
        _ => {
            return Err(ApiError::invalid(
                "decision_invalid",
                "Keputusan harus approve atau reject",
                "decision",
            ))
        }
    };
    p.updated_at = now;
    p.version += 1;

    let mut tx = Tx::new();
    let table = app.store.table();
    let claim = tasks::claim(app, &mut tx, task, caller, &output, note.as_deref(), now);
    tx.put_versioned(table, to_item(&p)?, expected);
    let entry = AuditEntry::new(app, &p, caller, task.role, action, stage, note.clone());
    tx.put_new(table, to_item(&entry)?);
    let mail_note = if action == "rejected" { note } else { None };
    tx.put_new(
        table,
        status_email(app, &p, mail_note).to_item(&app.sealer, now)?,
    );
    tasks::commit_decision(app, tx, claim, task).await?;
    tracing::info!(vendor_id = %p.vendor_id, task_id = %task.id, action, stage = stage.as_str(), "onboarding decision");
    Ok(output)
}

/// The PJLP must be an active pjlp officer of the vendor's SKPD.
async fn check_pjlp(app: &App, pjlp_id: &str, skpd: &str) -> ApiResult<()> {
    let invalid = || {
        ApiError::invalid(
            "pjlp_invalid",
            "PJLP Pendamping tidak ditemukan pada SKPD Pembina ini",
            "pjlp_id",
        )
    };
    let acc = app
        .store
        .get(&format!("USER#{pjlp_id}"), "ACCOUNT")
        .await?
        .ok_or_else(invalid)?;
    let is_pjlp = acc
        .get("roles")
        .and_then(|r| r.as_l().ok())
        .is_some_and(|l| l.iter().any(|v| v.as_s().is_ok_and(|s| s == "pjlp")));
    if is_pjlp && get_s(&acc, "org") == Some(skpd) && get_s(&acc, "status") == Some("active") {
        Ok(())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approvals_walk_the_chain_to_registered() {
        let mut s = Stage::AssignPjlp;
        let mut seen = vec![s.label()];
        while s != Stage::Registered {
            s = s.after_approval();
            seen.push(s.label());
        }
        assert_eq!(
            seen,
            [
                "Penunjukan Pembina",
                "Pengecekan PJLP",
                "Pengecekan Satpel",
                "Pengajuan",
                "Terdaftar"
            ]
        );
    }

    #[test]
    fn each_stage_has_its_deciding_role() {
        assert_eq!(Stage::AssignPjlp.decider(), Some(Role::Satpel));
        assert_eq!(Stage::PjlpCheck.decider(), Some(Role::Pjlp));
        assert_eq!(Stage::SatpelCheck.decider(), Some(Role::Satpel));
        assert_eq!(Stage::Activation.decider(), Some(Role::EorderAdmin));
        assert_eq!(Stage::DataEntry.decider(), None);
        assert_eq!(Stage::parse("pjlp_check"), Some(Stage::PjlpCheck));
        assert_eq!(Stage::parse("nope"), None);
    }

    #[test]
    fn a_resubmission_resumes_at_the_stage_that_rejected() {
        let rejected_at = |stage| Rejection {
            stage,
            reason: "NIB tidak terbaca".into(),
            by_role: Role::Satpel,
            at: 0,
        };
        assert_eq!(resume_stage(Chain::EOrder, None, false), Stage::AssignPjlp);
        assert_eq!(
            resume_stage(Chain::Jathil, None, false),
            Stage::FieldVerification
        );
        assert_eq!(
            resume_stage(
                Chain::Jathil,
                Some(&rejected_at(Stage::MainApproval)),
                false
            ),
            Stage::MainApproval
        );
        // A rejection from the other chain (configuration changed) starts over.
        assert_eq!(
            resume_stage(Chain::Jathil, Some(&rejected_at(Stage::SatpelCheck)), true),
            Stage::FieldVerification
        );
        assert_eq!(
            resume_stage(Chain::EOrder, Some(&rejected_at(Stage::SatpelCheck)), true),
            Stage::SatpelCheck
        );
        assert_eq!(
            resume_stage(Chain::EOrder, Some(&rejected_at(Stage::PjlpCheck)), true),
            Stage::PjlpCheck
        );
        assert_eq!(
            resume_stage(Chain::EOrder, Some(&rejected_at(Stage::AssignPjlp)), false),
            Stage::AssignPjlp
        );
        // Without an assigned PJLP a later stage cannot resume.
        assert_eq!(
            resume_stage(Chain::EOrder, Some(&rejected_at(Stage::Activation)), false),
            Stage::AssignPjlp
        );
    }
}
