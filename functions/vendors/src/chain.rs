//! The onboarding chains (seed 000 §2, seed 003 §I) and their stages: where a vendor's
//! registration is, who decides there, where an approval leads and where a
//! resubmission resumes. Pure; the workflow that moves a vendor along is `onboarding`.
//!
//! e-Order: `Pengisian Data` → `Penunjukan Pembina` (a satpel of the vendor's SKPD
//! assigns a PJLP) → `Pengecekan PJLP` → `Pengecekan Satpel` → `Pengajuan` (an
//! eorder_admin activates) → `Terdaftar`. JATHIL MART: `Verifikasi Administrator
//! Bidang` → `Persetujuan Administrator Utama` → `Terdaftar`. A check that rejects sends
//! the registration back to "Pengisian Data" with its reason; the next "Confirm"
//! resumes the chain at the stage that rejected it.

use loket_shared::auth::Role;
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};

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

pub fn not_editable(stage: Stage) -> ApiError {
    ApiError::conflict(
        "profile_locked",
        format!(
            "Data tidak dapat diubah karena pendaftaran sedang dalam tahap {}",
            stage.label()
        ),
    )
}

impl loket_shared::approval::Stage for Stage {
    const DECIDED: &'static [Stage] = &[
        Stage::AssignPjlp,
        Stage::PjlpCheck,
        Stage::SatpelCheck,
        Stage::Activation,
        Stage::FieldVerification,
        Stage::MainApproval,
    ];

    fn code(self) -> &'static str {
        self.as_str()
    }

    fn label(self) -> &'static str {
        Stage::label(self)
    }

    fn decider(self) -> Option<Role> {
        Stage::decider(self)
    }

    fn approve_pick(self) -> Option<loket_shared::approval::Pick> {
        (self == Stage::AssignPjlp).then_some(loket_shared::approval::Pick {
            field: "pjlp_id",
            label: "PJLP Pendamping",
            role: Role::Pjlp,
        })
    }

    fn approve_label(self) -> &'static str {
        match self {
            Stage::AssignPjlp => "Tunjuk PJLP Pendamping (Process)",
            Stage::Activation | Stage::MainApproval => "Setujui dan aktifkan (Confirm)",
            _ => "Setujui (Confirm)",
        }
    }

    /// The PJLP corrects the vendor's data ("Edit") while checking it.
    fn corrects(self) -> bool {
        self == Stage::PjlpCheck
    }
}

/// Why a check sent the registration back, shown to the vendor until it resubmits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rejection {
    pub stage: Stage,
    pub reason: String,
    pub by_role: Role,
    pub at: i64,
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
