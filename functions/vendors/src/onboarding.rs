//! The onboarding workflow: the vendor's registration as a subject of the approval
//! engine (`impl Workflow for VendorProfile`: its pure transition, the PJLP check it
//! needs, its email) and "Confirm" (`submit_vendor_profile`), which moves it to the
//! chain's first stage (or the one that rejected it) and records the execution's
//! start. The stages themselves are in `chain`.
//!
//! The state machines (`statemachines/vendor-onboarding-*.asl.json`) open the human
//! task of each stage; the engine (`loket_shared::approval::decide`) with this
//! declaration is the single writer of the vendor's stage on every decision.

use crate::chain::{chain, resume_stage, Chain, Rejection, Stage};
use crate::profile::{self, ProfileInput, VendorProfile};
use loket_shared::approval::{
    self, CaseFile, CaseView, Change, CorrectionForm, Decided, FieldKind, FormField, Moment, Start,
    Subject, Verdict, Versioned, Workflow,
};
use loket_shared::auth::{Caller, Role};
use loket_shared::http::{authenticate, json, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::rules::Refusal;
use loket_shared::store::{to_item, Item};
use loket_shared::{ApiError, ApiResult, App};
use serde::Deserialize;
use std::sync::Arc;

impl Subject for VendorProfile {
    fn pk(&self) -> String {
        self.pk.clone()
    }

    fn status_code(&self) -> &'static str {
        self.stage.as_str()
    }

    fn status_label(code: &str) -> &'static str {
        Stage::parse(code).map_or("-", Stage::label)
    }

    fn to_item(&self) -> ApiResult<Item> {
        to_item(self)
    }
}

loket_shared::versioned!(VendorProfile);

/// What a decision on an onboarding task carries besides `decision` and `note`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct OnboardingInput {
    /// "Penunjukan Pembina": the PJLP assigned to the vendor.
    pub pjlp_id: Option<String>,
}

impl OnboardingInput {
    fn pjlp(&self) -> Option<&str> {
        self.pjlp_id
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// What an onboarding transition needs to know from storage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnboardingFacts {
    /// The chosen PJLP is an active pjlp officer of the vendor's SKPD.
    pub chosen_pjlp_eligible: bool,
}

impl Workflow for VendorProfile {
    const KIND: &'static str = "vendor_onboarding";
    type Stage = Stage;
    type Input = OnboardingInput;
    type Facts = OnboardingFacts;
    type Event = ();
    type Correction = ProfileInput;

    async fn load(app: &App, id: &str) -> ApiResult<Option<Self>> {
        profile::load(app, id).await
    }

    fn status_email(&self, app: &App, note: Option<String>) -> OutboxEmail {
        OutboxEmail {
            id: app.ids.id(),
            to: self.email.clone(),
            template: EmailTemplate::VendorStatusChanged {
                name: self
                    .business_name
                    .clone()
                    .or_else(|| self.owner_name.clone())
                    .unwrap_or_else(|| self.email.clone()),
                status: self.stage.label().to_string(),
                note,
            },
        }
    }

    async fn case(&self, app: &App) -> ApiResult<CaseView> {
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let json = |v: serde_json::Value| v.as_str().map_or_else(|| "-".into(), String::from);
        let lines = vec![
            ("Nama Usaha", text(&self.business_name)),
            ("Nama Pemilik", text(&self.owner_name)),
            ("Email", self.email.clone()),
            ("No. Handphone", text(&self.phone)),
            ("Kategori Usaha", text(&self.business_category)),
            (
                "PKT / Non-PKT",
                json(serde_json::to_value(self.pkt).unwrap_or_default()),
            ),
            (
                "Izin Usaha",
                json(serde_json::to_value(self.licence_type).unwrap_or_default()),
            ),
            ("Nomor Izin", text(&self.licence_number)),
            (
                "Status Pajak",
                json(serde_json::to_value(self.tax_status).unwrap_or_default()),
            ),
            ("Bank", text(&self.bank_name)),
            ("No. Rekening", text(&self.bank_account)),
            (
                "Alamat Usaha",
                self.address
                    .as_ref()
                    .map_or_else(|| "-".into(), |a| a.one_line()),
            ),
            ("No. P-IRT", text(&self.pirt_number)),
            ("Diajukan", format!("{} kali", self.submissions)),
        ];
        let files = crate::documents::list(app, &self.vendor_id)
            .await?
            .into_iter()
            .map(|d| CaseFile {
                label: d.kind.label().to_string(),
                name: Some(d.file_name.clone()),
                content_type: d.content_type.clone(),
                size: d.size,
                id: d.id,
                key: d.key,
            })
            .collect();
        Ok(CaseView {
            lines,
            files,
            changes: Vec::new(),
        })
    }

    fn awaiting(&self) -> Option<Stage> {
        self.stage.decider().map(|_| self.stage)
    }

    /// Only the assigned PJLP, while checking.
    fn correctable(&self, caller: &Caller) -> ApiResult<()> {
        if !caller.has_role(Role::Pjlp) || self.pjlp_id.as_deref() != Some(caller.user_id.as_str())
        {
            return Err(ApiError::forbidden());
        }
        if self.stage != Stage::PjlpCheck {
            return Err(crate::chain::not_editable(self.stage));
        }
        Ok(())
    }

    async fn correct(&mut self, app: &App, input: ProfileInput) -> ApiResult<()> {
        input.apply(app, self).await
    }

    /// The profile's fields; the region codes and the vendor's own declaration are
    /// kept as they are (the vendor changes its region itself).
    fn correction_form(&self) -> CorrectionForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let code = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        let field = |name, label, kind, value| FormField {
            name,
            label,
            kind,
            value,
        };
        let address = self.address.as_ref();
        let mut kept = serde_json::Map::new();
        if let Some(a) = address {
            for (k, v) in [
                ("province_code", &a.region.province_code),
                ("regency_code", &a.region.regency_code),
                ("district_code", &a.region.district_code),
                ("village_code", &a.region.village_code),
            ] {
                kept.insert(k.into(), v.clone().into());
            }
        }
        if let Some(d) = self.declares_no_resale {
            kept.insert("declares_no_resale".into(), d.into());
        }
        CorrectionForm {
            fields: vec![
                field(
                    "business_name",
                    "Nama Usaha",
                    FieldKind::Text(120),
                    text(&self.business_name),
                ),
                field(
                    "owner_name",
                    "Nama Pemilik",
                    FieldKind::Text(120),
                    text(&self.owner_name),
                ),
                field(
                    "phone",
                    "No. Handphone",
                    FieldKind::Text(20),
                    text(&self.phone),
                ),
                field(
                    "business_category",
                    "Kategori Usaha",
                    FieldKind::Text(120),
                    text(&self.business_category),
                ),
                field(
                    "licence_type",
                    "Izin Usaha",
                    FieldKind::Choice(vec![("IUMK", "IUMK"), ("SIUP", "SIUP"), ("NIB", "NIB")]),
                    code(serde_json::to_value(self.licence_type).unwrap_or_default()),
                ),
                field(
                    "licence_number",
                    "Nomor Izin",
                    FieldKind::Text(64),
                    text(&self.licence_number),
                ),
                field(
                    "tax_status",
                    "Status Pajak",
                    FieldKind::Choice(vec![("PKP", "PKP"), ("Non-PKP", "Non-PKP")]),
                    code(serde_json::to_value(self.tax_status).unwrap_or_default()),
                ),
                field(
                    "bank_name",
                    "Bank",
                    FieldKind::Text(120),
                    text(&self.bank_name),
                ),
                field(
                    "bank_account",
                    "No. Rekening",
                    FieldKind::Text(64),
                    text(&self.bank_account),
                ),
                field(
                    "pkt",
                    "PKT / Non-PKT",
                    FieldKind::Choice(vec![("PKT", "PKT"), ("Non-PKT", "Non-PKT")]),
                    code(serde_json::to_value(self.pkt).unwrap_or_default()),
                ),
                field(
                    "pirt_number",
                    "No. P-IRT",
                    FieldKind::Text(64),
                    text(&self.pirt_number),
                ),
                field(
                    "address",
                    "Alamat Usaha (jalan, nomor)",
                    FieldKind::Text(200),
                    address.map(|a| a.street.clone()).unwrap_or_default(),
                ),
                field(
                    "postal_code",
                    "Kode Pos",
                    FieldKind::Text(5),
                    address.map(|a| a.postal_code.clone()).unwrap_or_default(),
                ),
            ],
            kept,
            ..CorrectionForm::default()
        }
    }

    async fn facts(
        app: &App,
        p: &Self,
        stage: Stage,
        verdict: &Verdict<OnboardingInput>,
    ) -> ApiResult<OnboardingFacts> {
        let chosen = match verdict {
            Verdict::Approve(input) if stage == Stage::AssignPjlp => input.pjlp(),
            _ => None,
        };
        Ok(OnboardingFacts {
            chosen_pjlp_eligible: match chosen {
                Some(pjlp) => is_eligible_pjlp(app, pjlp, &p.skpd).await?,
                None => false,
            },
        })
    }

    /// Approval moves to the next stage (at "Penunjukan Pembina" with the assigned
    /// PJLP); rejection sends the registration back to "Pengisian Data" with its reason.
    fn transition(
        &self,
        stage: Stage,
        verdict: &Verdict<OnboardingInput>,
        facts: &OnboardingFacts,
        at: Moment,
    ) -> Result<Decided<Self, ()>, Refusal> {
        let mut p = self.clone();
        match verdict {
            Verdict::Approve(input) => {
                if stage == Stage::AssignPjlp {
                    let pjlp = input.pjlp().ok_or_else(|| {
                        Refusal::invalid(
                            "field_required",
                            "PJLP Pendamping wajib dipilih",
                            "pjlp_id",
                        )
                    })?;
                    if !facts.chosen_pjlp_eligible {
                        return Err(Refusal::invalid(
                            "pjlp_invalid",
                            "PJLP Pendamping tidak ditemukan pada SKPD Pembina ini",
                            "pjlp_id",
                        ));
                    }
                    p.pjlp_id = Some(pjlp.to_string());
                }
                p.stage = stage.after_approval();
                let pjlp = p.pjlp_id.clone().unwrap_or_default();
                Ok(Decided::to(p).with_output("pjlp_id", pjlp))
            }
            Verdict::Reject { reason } => {
                p.stage = Stage::DataEntry;
                p.rejection = Some(Rejection {
                    stage,
                    reason: reason.clone(),
                    by_role: at.role,
                    at: at.now,
                });
                Ok(Decided::to(p))
            }
            Verdict::Revise { .. } => Err(approval::not_revisable()),
        }
    }
}

/// `POST /vendor/profile/submit` ("Confirm"): checks the profile is complete and starts
/// (or resumes) the onboarding chain.
pub async fn submit_vendor_profile(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
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
    let expected = p.version;
    let start = resume_stage(chain, p.rejection.as_ref(), p.pjlp_id.is_some());
    p.stage = start;
    p.rejection = None;
    p.submissions += 1;
    p.stamp(app.clock.epoch());

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
    let change = Change {
        actor: &caller,
        role: Role::Vendor,
        action: "submitted",
        from: Stage::DataEntry.as_str(),
        note: None,
    };
    // Named by vendor and submission: a retried start cannot open a second chain.
    let start_workflow = Start {
        machine: &machine,
        name: format!("{}-{}", p.vendor_id, p.submissions),
        input,
    };
    approval::submit(&app, &p, expected, change, start_workflow).await?;
    tracing::info!(vendor_id = %p.vendor_id, stage = start.as_str(), "vendor profile submitted");
    let mut v = profile::view(&app, p).await?;
    v["message"] = "Data berhasil dikonfirmasi dan menunggu verifikasi petugas".into();
    json(202, &v)
}

fn incomplete(p: &VendorProfile, chain: Chain) -> ApiError {
    let labels: Vec<&str> = p.missing(chain).into_iter().map(|(_, l)| l).collect();
    ApiError::unprocessable(
        "profile_incomplete",
        format!("Data belum lengkap: {}", labels.join(", ")),
    )
}

/// Whether `pjlp_id` is an active pjlp officer of `skpd`.
async fn is_eligible_pjlp(app: &App, pjlp_id: &str, skpd: &str) -> ApiResult<bool> {
    let pjlp = loket_identity::directory::person(app, pjlp_id).await?;
    Ok(pjlp.is_some_and(|p| p.is_active(Role::Pjlp, skpd)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_stage(stage: Stage) -> VendorProfile {
        let mut p = VendorProfile::new("v1", "DPMPTSP", "toko@contoh.id", 0);
        p.stage = stage;
        p
    }

    const SATPEL: Moment = Moment {
        now: 100,
        role: Role::Satpel,
    };

    fn approve(pjlp: Option<&str>) -> Verdict<OnboardingInput> {
        Verdict::Approve(OnboardingInput {
            pjlp_id: pjlp.map(String::from),
        })
    }

    #[test]
    fn assigning_a_pjlp_needs_an_eligible_one_and_records_it() {
        let p = in_stage(Stage::AssignPjlp);
        let eligible = OnboardingFacts {
            chosen_pjlp_eligible: true,
        };
        let refused = p
            .transition(Stage::AssignPjlp, &approve(Some("  ")), &eligible, SATPEL)
            .unwrap_err();
        assert_eq!(
            (refused.code, refused.field),
            ("field_required", Some("pjlp_id"))
        );
        let refused = p
            .transition(
                Stage::AssignPjlp,
                &approve(Some("u9")),
                &OnboardingFacts::default(),
                SATPEL,
            )
            .unwrap_err();
        assert_eq!(refused.code, "pjlp_invalid");
        let done = p
            .transition(Stage::AssignPjlp, &approve(Some(" u9 ")), &eligible, SATPEL)
            .unwrap();
        assert_eq!(done.state.stage, Stage::PjlpCheck);
        assert_eq!(done.state.pjlp_id.as_deref(), Some("u9"));
        assert_eq!(done.output["pjlp_id"], "u9");
        // Pure: the version is the engine's business, the input is untouched.
        assert_eq!(done.state.version, p.version);
        assert_eq!(p.stage, Stage::AssignPjlp);
    }

    #[test]
    fn approval_at_a_check_moves_on_and_rejection_goes_back_with_its_reason() {
        let mut p = in_stage(Stage::SatpelCheck);
        p.pjlp_id = Some("u9".into());
        let none = OnboardingFacts::default();
        let done = p
            .transition(Stage::SatpelCheck, &approve(None), &none, SATPEL)
            .unwrap();
        assert_eq!(done.state.stage, Stage::Activation);
        assert_eq!(done.output["pjlp_id"], "u9");
        let reject = Verdict::Reject {
            reason: "NIB tidak terbaca".into(),
        };
        let back = p
            .transition(Stage::SatpelCheck, &reject, &none, SATPEL)
            .unwrap()
            .state;
        assert_eq!(back.stage, Stage::DataEntry);
        assert_eq!(
            back.rejection,
            Some(Rejection {
                stage: Stage::SatpelCheck,
                reason: "NIB tidak terbaca".into(),
                by_role: Role::Satpel,
                at: 100,
            })
        );
        // The next confirmation resumes where it was rejected.
        assert_eq!(
            resume_stage(Chain::EOrder, back.rejection.as_ref(), true),
            Stage::SatpelCheck
        );
    }

    #[test]
    fn only_chain_stages_await_a_decision() {
        assert_eq!(in_stage(Stage::DataEntry).awaiting(), None);
        assert_eq!(in_stage(Stage::Registered).awaiting(), None);
        assert_eq!(
            in_stage(Stage::MainApproval).awaiting(),
            Some(Stage::MainApproval)
        );
        use loket_shared::approval::Stage as _;
        for s in Stage::DECIDED {
            assert!(s.decider().is_some(), "{s:?} has no decider");
            assert_eq!(Stage::parse_decided(s.code()), Some(*s));
        }
        assert_eq!(Stage::parse_decided("data_entry"), None);
    }
}
