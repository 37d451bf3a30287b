//! The approval engine: what every human-task workflow does the same way.
//!
//! A *subject* (a vendor's registration, a product; later an order, a permit
//! application) declares, through [`Workflow`]:
//! - its decision stages ([`Stage`]): the code the state machine writes on the task,
//!   the label people see, the role that decides, what "approve" means there;
//! - what a decision does to it, as a **pure** [`Workflow::transition`]
//!   `(state, stage, verdict, facts) -> Result<Decided, Refusal>`, unit-tested without
//!   any AWS service;
//! - the facts a transition needs from storage (loaded before it) and the writes its
//!   events add (made after it), when it has any.
//!
//! The engine does the rest, once: it reads the decision, checks the task is still the
//! subject's open stage, claims the task, writes the new version of the subject
//! (conditioned on the version read), the timeline entry and the status email in one
//! transaction, answers the 409s, and returns the output the execution resumes with.
//! [`submit`] is the other half: the subject enters the workflow and the execution's
//! start is recorded in the same transaction (see [`crate::executions`]).
//!
//! Adding a workflow is: declare the subject's stages and its pure transition
//! (`impl Workflow`), write the ASL file, and register [`task_kind`] in the context's
//! `task_kinds()`.

use crate::auth::{Caller, Role};
use crate::executions;
use crate::mail::OutboxEmail;
use crate::rules::Refusal;
use crate::store::{from_item, to_item, Item, Query, Tx};
use crate::tasks::{self, Task};
use crate::{ApiError, ApiResult, App};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

/// `SK` prefix of timeline entries, in the subject's partition.
pub const AUDIT_PREFIX: &str = "AUDIT#";

/// Something "approve" asks the officer to choose: an officer of a role in the task's
/// organisation, sent as `field` (e.g. the PJLP assigned to a vendor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub field: &'static str,
    pub label: &'static str,
    pub role: Role,
}

/// Something else "approve" asks for at a stage, besides the decision (an order's
/// receipt checks, its rating, a payout's transfer reference): a field of the
/// decision's body in the API, an input of the approve form on the task page. The
/// workflow's transition checks it; the page only asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApproveField {
    pub field: &'static str,
    pub label: &'static str,
    pub input: ApproveInput,
}

/// How an [`ApproveField`] is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApproveInput {
    /// A statement to tick (`true` when ticked), required.
    Confirm,
    /// 1 to 5 stars, required.
    Stars,
    /// One line of text, required, at most `max` characters.
    Text { max: usize },
    /// Free text, optional, at most `max` characters.
    Note { max: usize },
    /// Free text, required, at most `max` characters (an answer).
    Paragraph { max: usize },
}

/// A stage of a workflow where an officer decides.
pub trait Stage: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// Every stage where an officer decides (what the state machines may open).
    const DECIDED: &'static [Self];
    /// The code on the task (`Task::stage`), e.g. `assign_pjlp`.
    fn code(self) -> &'static str;
    /// The stage as people see it, e.g. "Penunjukan Pembina".
    fn label(self) -> &'static str;
    /// The officer role that decides at this stage.
    fn decider(self) -> Option<Role>;
    /// What "approve" does at this stage, as the decision page offers it.
    fn approve_label(self) -> &'static str;
    /// What "approve" asks the officer to choose at this stage, if anything.
    fn approve_pick(self) -> Option<Pick> {
        None
    }
    /// What else "approve" asks for at this stage.
    fn approve_fields(self) -> &'static [ApproveField] {
        &[]
    }
    /// Whether the stage can be rejected (with a reason).
    fn rejectable(self) -> bool {
        true
    }
    /// Whether the stage can send the subject back to its owner for a revision (with a
    /// note saying what to change), besides approving and rejecting it.
    fn revisable(self) -> bool {
        false
    }
    /// Whether the officer deciding at this stage may first correct the subject's data
    /// ("Edit", [`correct`]).
    fn corrects(self) -> bool {
        false
    }

    fn parse_decided(code: &str) -> Option<Self> {
        Self::DECIDED.iter().copied().find(|s| s.code() == code)
    }
}

/// A record written with optimistic concurrency: a `version` that every write bumps
/// (and is conditioned on) and the time of the last change. [`versioned!`] implements it
/// for a struct with `version: i64` and `updated_at: i64` fields.
pub trait Versioned {
    fn version(&self) -> i64;
    /// A new version: `version + 1`, `updated_at = now`.
    fn stamp(&mut self, now: i64);
}

/// `impl Versioned` for records with `version` and `updated_at` fields.
#[macro_export]
macro_rules! versioned {
    ($t:ty) => {
        impl $crate::approval::Versioned for $t {
            fn version(&self) -> i64 {
                self.version
            }

            fn stamp(&mut self, now: i64) {
                self.updated_at = now;
                self.version += 1;
            }
        }
    };
}

/// Something with a status, a version and a timeline, stored as one item.
pub trait Subject: Versioned + Sized + Send + Sync {
    /// The partition of the subject (its timeline lives there).
    fn pk(&self) -> String;
    /// The code of its status (stage), as the timeline records it.
    fn status_code(&self) -> &'static str;
    /// The label of a status code, as people see it.
    fn status_label(code: &str) -> &'static str;
    /// The item it is stored as.
    fn to_item(&self) -> ApiResult<Item>;
}

/// An officer's decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict<I> {
    /// "Proses" / "Confirm", with the stage's extra input (e.g. the PJLP assigned).
    Approve(I),
    /// "Tolak", with its reason.
    Reject { reason: String },
    /// "Kembalikan untuk Revisi": back to the owner with what to change (only at a
    /// stage that [`Stage::revisable`]).
    Revise { note: String },
}

impl<I> Verdict<I> {
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Approve(_) => "approve",
            Verdict::Reject { .. } => "reject",
            Verdict::Revise { .. } => "revise",
        }
    }

    /// The timeline action.
    pub fn action(&self) -> &'static str {
        match self {
            Verdict::Approve(_) => "approved",
            Verdict::Reject { .. } => "rejected",
            Verdict::Revise { .. } => "revision_requested",
        }
    }
}

/// The refusal of a revision at a stage that cannot ask for one (the engine refuses it
/// before any transition; a transition answers it for completeness).
pub fn not_revisable() -> Refusal {
    Refusal::invalid(
        "decision_invalid",
        "Tahap ini tidak dapat dikembalikan untuk revisi",
        "decision",
    )
}

/// The outcome of a transition: the subject's new state, what happened (for the
/// workflow's own writes) and the extra fields of the execution's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided<S, E> {
    pub state: S,
    pub events: Vec<E>,
    pub output: serde_json::Map<String, serde_json::Value>,
}

impl<S, E> Decided<S, E> {
    pub fn to(state: S) -> Self {
        Self {
            state,
            events: Vec::new(),
            output: Default::default(),
        }
    }

    pub fn with_event(mut self, e: E) -> Self {
        self.events.push(e);
        self
    }

    pub fn with_output(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        self.output.insert(name.into(), value.into());
        self
    }
}

/// Who decides, when: the transition's context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub now: i64,
    /// The role the task was decided as.
    pub role: Role,
}

/// The case as an officer reads it: (label, value) lines.
pub type CaseLines = Vec<(&'static str, String)>;

/// A file of the case the officer can open (a vendor's document, a product's photo).
/// The S3 key stays on the server: the page links to the task's file route, which
/// checks the officer again and answers with a short-lived download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    pub id: String,
    /// What it is, e.g. "Izin Usaha" or "Foto Produk 2".
    pub label: String,
    /// The name it was uploaded with, if it had one.
    pub name: Option<String>,
    pub content_type: String,
    pub size: Option<u64>,
    pub key: String,
}

/// What a revision changes: a line whose value differs from the published version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChange {
    pub label: &'static str,
    pub before: String,
    pub after: String,
}

/// The changed lines between a published version and a revision, in `after`'s order:
/// each label with a different value (or only on one side).
pub fn changes(before: &CaseLines, after: &CaseLines) -> Vec<CaseChange> {
    let old = |label: &str| {
        before
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.clone())
    };
    let mut out: Vec<CaseChange> = after
        .iter()
        .filter_map(|(label, value)| {
            let was = old(label).unwrap_or_else(|| "-".into());
            (was != *value).then(|| CaseChange {
                label,
                before: was,
                after: value.clone(),
            })
        })
        .collect();
    out.extend(
        before
            .iter()
            .filter(|(l, _)| !after.iter().any(|(a, _)| a == l))
            .map(|(label, value)| CaseChange {
                label,
                before: value.clone(),
                after: "-".into(),
            }),
    );
    out
}

/// What a subject shows of itself on the decision page.
#[derive(Debug, Clone, Default)]
pub struct CaseView {
    pub lines: CaseLines,
    pub files: Vec<CaseFile>,
    /// For a revision of something published: what it changes (else empty).
    pub changes: Vec<CaseChange>,
}

/// A field of a correction form, filled with the subject's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// The input's name: the correction's field.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text of at most this many characters.
    Text(usize),
    /// Several lines of at most this many characters.
    LongText(usize),
    /// A whole number.
    Number,
    /// One of these (value, label) pairs.
    Choice(Vec<(&'static str, &'static str)>),
}

/// The correction form of a subject: its fields, and the values of the correction's
/// fields the form does not offer (sent as they are, never through the browser).
#[derive(Debug, Clone, Default)]
pub struct CorrectionForm {
    /// The subject's version the form shows (sent back: a later change wins nothing).
    pub version: i64,
    pub fields: Vec<FormField>,
    pub kept: serde_json::Map<String, serde_json::Value>,
}

/// What the decision page shows: the subject's view and its timeline (entries as
/// [`AuditEntry::view`] gives them, oldest first).
#[derive(Debug, Clone)]
pub struct Case {
    pub view: CaseView,
    pub timeline: Vec<serde_json::Value>,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A subject that goes through a human-task workflow.
pub trait Workflow: Subject + Clone + 'static {
    /// `Task::kind` of its tasks, e.g. `vendor_onboarding`.
    const KIND: &'static str;
    type Stage: Stage;
    /// The decision's input besides `decision` and `note` (e.g. `pjlp_id`).
    type Input: DeserializeOwned + Default + Send + Sync;
    /// What the transition needs to know from storage.
    type Facts: Send + Sync;
    /// What a transition can cause besides the new state (e.g. "published").
    type Event: Send + Sync;

    fn load(app: &App, id: &str) -> impl Future<Output = ApiResult<Option<Self>>> + Send;

    /// The email telling its owner the new status (with the reason of a rejection).
    fn status_email(&self, app: &App, note: Option<String>) -> OutboxEmail;

    /// The case as an officer reads it before deciding: its lines, its files and,
    /// for a revision, what changes against the published version.
    fn case(&self, app: &App) -> impl Future<Output = ApiResult<CaseView>> + Send;

    /// The stage whose decision the subject waits for (`None` outside the workflow).
    fn awaiting(&self) -> Option<Self::Stage>;

    /// What the deciding officer sends to correct the subject ("Edit", at a stage that
    /// [`Stage::corrects`]): the same form the owner saves. `NoInput` if never.
    type Correction: DeserializeOwned + Send;

    /// `Ok` when `caller` may correct the subject now; else the workflow's refusal
    /// (403 for the wrong officer, 409 when the stage does not allow it).
    fn correctable(&self, caller: &Caller) -> ApiResult<()> {
        let _ = caller;
        Err(ApiError::conflict(
            "not_correctable",
            "Data tidak dapat diubah pada tahap ini",
        ))
    }

    /// Checks the correction as the owner's own save does and writes it onto the subject.
    fn correct(
        &mut self,
        app: &App,
        input: Self::Correction,
    ) -> impl Future<Output = ApiResult<()>> + Send {
        let _ = (app, input);
        async {
            Err(ApiError::conflict(
                "not_correctable",
                "Data tidak dapat diubah pada tahap ini",
            ))
        }
    }

    /// The correction form, filled with the subject's values.
    fn correction_form(&self) -> CorrectionForm {
        CorrectionForm::default()
    }

    /// Loads the facts the transition needs (e.g. whether the chosen PJLP is one).
    fn facts(
        app: &App,
        subject: &Self,
        stage: Self::Stage,
        verdict: &Verdict<Self::Input>,
    ) -> impl Future<Output = ApiResult<Self::Facts>> + Send;

    /// What `verdict` at `stage` makes of the subject: pure.
    fn transition(
        &self,
        stage: Self::Stage,
        verdict: &Verdict<Self::Input>,
        facts: &Self::Facts,
        at: Moment,
    ) -> Result<Decided<Self, Self::Event>, Refusal>;

    /// How long `stage` may wait and what happens then. By default the officers'
    /// deadline: reminded, then escalated to the organisation's satpel and main
    /// administrators ([`Deadline::SUPERVISORS`]).
    fn deadline(cfg: &crate::config::Config, stage: Self::Stage) -> Deadline {
        let _ = stage;
        Deadline::officers(&cfg.onboarding)
    }

    /// What the subject becomes when `stage` waited past its expiry
    /// ([`Deadline::expire_after`]), and whom to tell; `None` if it cannot expire now.
    fn expired(&self, app: &App, stage: Self::Stage) -> Option<(Self, Vec<OutboxEmail>)> {
        let _ = (app, stage);
        None
    }

    /// Adds to `tx` the writes of the transition's events (e.g. the published version
    /// of a product). Most workflows have none.
    fn effects<'a>(
        _app: &'a App,
        _state: &'a Self,
        _events: &'a [Self::Event],
        _tx: &'a mut Tx,
    ) -> impl Future<Output = ApiResult<()>> + Send + 'a {
        async { Ok(()) }
    }
}

/// One line of a subject's timeline: who did what, as which role, when, from which
/// status to which.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEntry {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub at: i64,
    pub actor_id: String,
    pub actor_role: Role,
    /// e.g. `created`, `submitted`, `corrected`, `approved`, `rejected`.
    pub action: String,
    /// Status code before and after.
    pub stage: String,
    pub stage_after: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl AuditEntry {
    pub fn view<S: Subject>(&self) -> serde_json::Value {
        serde_json::json!({
            "at": self.at,
            "actor_id": self.actor_id,
            "actor_role": self.actor_role,
            "action": self.action,
            "stage": self.stage,
            "stage_after": self.stage_after,
            "status": S::status_label(&self.stage),
            "status_after": S::status_label(&self.stage_after),
            "note": self.note,
        })
    }
}

/// A change to record on a subject's timeline.
pub struct Change<'a> {
    pub actor: &'a Caller,
    pub role: Role,
    pub action: &'static str,
    /// The status code before the change.
    pub from: &'static str,
    pub note: Option<String>,
}

/// Adds to `tx` the timeline entry of `change` to `subject` (at its new status).
pub fn audit<S: Subject>(app: &App, tx: &mut Tx, subject: &S, change: Change<'_>) -> ApiResult<()> {
    let now = app.clock.epoch();
    let entry = AuditEntry {
        pk: subject.pk(),
        // Time first so the timeline sorts by time; the id keeps entries unique.
        sk: format!("{AUDIT_PREFIX}{now:012}#{}", app.ids.id()),
        at: now,
        actor_id: change.actor.user_id.clone(),
        actor_role: change.role,
        action: change.action.into(),
        stage: change.from.into(),
        stage_after: subject.status_code().into(),
        note: change.note,
    };
    tx.put_new(app.store.table(), to_item(&entry)?);
    Ok(())
}

/// Adds to `tx` the new version of `subject` (conditioned on `expected`, the version
/// read) and its timeline entry.
pub fn record<S: Subject>(
    app: &App,
    tx: &mut Tx,
    subject: &S,
    expected: i64,
    change: Change<'_>,
) -> ApiResult<()> {
    tx.put_versioned(app.store.table(), subject.to_item()?, expected);
    audit(app, tx, subject, change)
}

/// The timeline of the subject in partition `pk`, oldest first.
pub async fn timeline<S: Subject>(app: &App, pk: &str) -> ApiResult<Vec<serde_json::Value>> {
    app.store
        .query_all(&Query::partition(pk.to_string()).sk_begins_with("SK", AUDIT_PREFIX))
        .await?
        .into_iter()
        .map(|item| from_item::<AuditEntry>(item).map(|e| e.view::<S>()))
        .collect()
}

/// The execution a submission starts.
pub struct Start<'a> {
    pub machine: &'a str,
    /// Unique per submission (e.g. the subject and its submission count).
    pub name: String,
    pub input: serde_json::Value,
}

/// The subject enters its workflow: its new version (`subject`, already moved to the
/// first stage and stamped; `expected` is the version read), the `submitted` timeline
/// entry, the status email and the start of the execution, in one transaction.
pub async fn submit<W: Workflow>(
    app: &App,
    subject: &W,
    expected: i64,
    change: Change<'_>,
    start: Start<'_>,
) -> ApiResult<()> {
    submit_with(app, subject, expected, change, start, Tx::new()).await
}

/// [`submit`], with the subject's own further writes (`tx`) in the same transaction
/// (e.g. an order frees its cart slot).
pub async fn submit_with<W: Workflow>(
    app: &App,
    subject: &W,
    expected: i64,
    change: Change<'_>,
    start: Start<'_>,
    tx: Tx,
) -> ApiResult<()> {
    let tx = submission(app, subject, expected, change, start, tx)?;
    app.store.transact(tx).await?;
    Ok(())
}

/// The writes of [`submit_with`] added to `tx`, for a caller that runs the transaction
/// itself (e.g. to retry when a guard of its own is taken).
pub fn submission<W: Workflow>(
    app: &App,
    subject: &W,
    expected: i64,
    change: Change<'_>,
    start: Start<'_>,
    mut tx: Tx,
) -> ApiResult<Tx> {
    let now = app.clock.epoch();
    record(app, &mut tx, subject, expected, change)?;
    tx.put_new(
        app.store.table(),
        subject.status_email(app, None).to_item(&app.sealer, now)?,
    );
    executions::start(app, &mut tx, start.machine, &start.name, &start.input, now);
    Ok(tx)
}

/// The input of a decision that has nothing besides `decision` and `note`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct NoInput {}

/// The `decision` and `note` every decision has.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionBody {
    decision: Option<String>,
    note: Option<String>,
}

/// Reads the verdict of a decision request: `approve` (with the stage's input) or
/// `reject` (with its reason, the note); the note trimmed, at most 1000 characters.
pub fn read_verdict<I: DeserializeOwned + Default>(
    input: &serde_json::Value,
) -> ApiResult<(Verdict<I>, Option<String>)> {
    fn read<T: DeserializeOwned>(v: &serde_json::Value) -> ApiResult<T> {
        serde_json::from_value(v.clone())
            .map_err(|_| ApiError::bad_request("body_invalid", "Isi permintaan tidak valid"))
    }
    let d: DecisionBody = read(input)?;
    let note = tasks::decision_note(&d.note)?;
    let verdict = match d.decision.as_deref() {
        Some("approve") => Verdict::Approve(read(input)?),
        Some("reject") => Verdict::Reject {
            reason: tasks::rejection_reason(&note)?,
        },
        Some("revise") => Verdict::Revise {
            note: note.clone().ok_or_else(|| {
                ApiError::invalid("note_required", "Catatan revisi wajib diisi", "note")
            })?,
        },
        _ => {
            return Err(ApiError::invalid(
                "decision_invalid",
                "Keputusan harus approve (Proses), revise atau reject",
                "decision",
            ))
        }
    };
    Ok((verdict, note))
}

/// Applies the decision in `req` to the subject behind `task` and claims the task,
/// atomically. Returns the output the waiting execution resumes with. The caller's
/// right to decide the task is checked before (`Task::authorize`).
pub async fn decide<W: Workflow>(
    app: &App,
    task: &Task,
    caller: &Caller,
    input: &serde_json::Value,
) -> ApiResult<serde_json::Value> {
    let stage = W::Stage::parse_decided(&task.stage)
        .ok_or_else(|| ApiError::internal(format!("{} has no stage {}", W::KIND, task.stage)))?;
    let (verdict, note) = read_verdict::<W::Input>(input)?;
    if matches!(verdict, Verdict::Revise { .. }) && !stage.revisable() {
        return Err(not_revisable().into());
    }
    let subject = subject_of::<W>(app, task).await?;
    if subject.awaiting() != Some(stage) {
        return Err(tasks::already_decided());
    }
    let facts = W::facts(app, &subject, stage, &verdict).await?;
    let now = app.clock.epoch();
    let at = Moment {
        now,
        role: task.role,
    };
    let Decided {
        mut state,
        events,
        output,
    } = subject.transition(stage, &verdict, &facts, at)?;
    state.stamp(now);
    let mut out = serde_json::Map::from_iter([("decision".to_string(), verdict.code().into())]);
    out.extend(output);
    let output = serde_json::Value::Object(out);

    let mut tx = Tx::new();
    let claim = tasks::claim(app, &mut tx, task, caller, &output, note.as_deref(), now);
    // The execution resumes from the outbox, once the decision is stored.
    let resume_output = {
        let mut o = output.clone();
        o["task_id"] = task.id.clone().into();
        o
    };
    executions::resume(app, &mut tx, task, &resume_output, now);
    let change = Change {
        actor: caller,
        role: task.role,
        action: verdict.action(),
        from: subject.status_code(),
        note: note.clone(),
    };
    record(app, &mut tx, &state, subject.version(), change)?;
    W::effects(app, &state, &events, &mut tx).await?;
    let mail_note = matches!(verdict, Verdict::Reject { .. } | Verdict::Revise { .. })
        .then_some(note)
        .flatten();
    tx.put_new(
        app.store.table(),
        state
            .status_email(app, mail_note)
            .to_item(&app.sealer, now)?,
    );
    tasks::commit_decision(app, tx, claim, task).await?;
    tracing::info!(
        kind = W::KIND,
        subject_id = %task.subject_id,
        task_id = %task.id,
        action = verdict.action(),
        stage = stage.code(),
        "decision"
    );
    Ok(output)
}

/// "Edit" before deciding: the officer who decides the subject's open stage corrects
/// its data (the API's `PUT` of the subject for officers, and the task page's edit
/// form). Checked as the owner's save is, conditioned on the version read (and on the
/// `version` sent, if any), recorded on the timeline as `corrected`.
pub async fn correct<W: Workflow>(
    app: &App,
    caller: &Caller,
    mut subject: W,
    input: &serde_json::Value,
) -> ApiResult<W> {
    subject.correctable(caller)?;
    let role = subject
        .awaiting()
        .and_then(|s| s.decider())
        .ok_or_else(|| ApiError::internal("a correctable subject awaits a decider"))?;
    let correction: W::Correction = crate::http::object_body(input)?;
    let sent_version = input.get("version").and_then(serde_json::Value::as_i64);
    if sent_version.is_some_and(|v| v != subject.version()) {
        return Err(ApiError::concurrent_update());
    }
    let expected = subject.version();
    let from = subject.status_code();
    subject.correct(app, correction).await?;
    subject.stamp(app.clock.epoch());
    let change = Change {
        actor: caller,
        role,
        action: "corrected",
        from,
        note: None,
    };
    let mut tx = Tx::new();
    record(app, &mut tx, &subject, expected, change)?;
    app.store.transact(tx).await?;
    tracing::info!(kind = W::KIND, "corrected by the deciding officer");
    Ok(subject)
}

/// How long a waiting stage may wait, in working days since its task was opened
/// (weekends and the holiday calendar do not count), and what happens then. Each
/// happens once per task (see the workflows context's `enforce_task_deadlines`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deadline {
    /// Whoever may decide the task is reminded.
    pub remind_after: Option<i64>,
    /// The officers of `escalate_to` in the task's organisation are told.
    pub escalate_after: Option<i64>,
    /// Whom an escalation tells (the roles, in the task's organisation).
    pub escalate_to: &'static [Role],
    /// The wait ends: the subject becomes what [`Workflow::expired`] says.
    pub expire_after: Option<i64>,
}

impl Deadline {
    /// The officers' deadline: reminded, then escalated (`LOKET_REMIND_AFTER_WORKING_DAYS`,
    /// `LOKET_ESCALATE_AFTER_WORKING_DAYS`).
    pub fn officers(cfg: &crate::config::OnboardingConfig) -> Self {
        Self {
            remind_after: Some(cfg.remind_after_working_days),
            escalate_after: Some(cfg.escalate_after_working_days),
            escalate_to: Self::SUPERVISORS,
            expire_after: None,
        }
    }

    /// Who is told of a late step of an SKPD: its satpel and main administrators.
    pub const SUPERVISORS: &'static [Role] = &[Role::Satpel, Role::MainAdmin];

    /// Only a reminder, after `days`.
    pub fn remind(days: i64) -> Self {
        Self {
            remind_after: Some(days),
            ..Self::default()
        }
    }

    /// The fewest working days after which anything happens.
    pub fn earliest(&self) -> Option<i64> {
        [self.remind_after, self.escalate_after, self.expire_after]
            .into_iter()
            .flatten()
            .min()
    }
}

/// Ends the wait of `task` past its expiry: the subject becomes what
/// [`Workflow::expired`] says, the task is claimed by the system, the execution resumes
/// with `expired`, the timeline and the emails are written — one transaction,
/// conditioned on the subject's version and the task still pending. Returns whether
/// this call expired it (`false`: decided meanwhile, or nothing expires there).
pub async fn expire<W: Workflow>(app: &App, task: &Task) -> ApiResult<bool> {
    let Some(stage) = W::Stage::parse_decided(&task.stage) else {
        return Ok(false);
    };
    let subject = subject_of::<W>(app, task).await?;
    if subject.awaiting() != Some(stage) {
        return Ok(false);
    }
    let Some((mut state, mails)) = subject.expired(app, stage) else {
        return Ok(false);
    };
    let now = app.clock.epoch();
    state.stamp(now);
    let output = serde_json::json!({ "decision": "expired", "task_id": task.id });
    let note = "Batas waktu terlewati";
    let mut tx = Tx::new();
    tasks::claim_for(app, &mut tx, task, SYSTEM_ACTOR, &output, Some(note), now);
    executions::resume(app, &mut tx, task, &output, now);
    let system = Caller::system();
    let change = Change {
        actor: &system,
        role: task.role,
        action: "expired",
        from: subject.status_code(),
        note: Some(note.to_string()),
    };
    record(app, &mut tx, &state, subject.version(), change)?;
    for mail in mails {
        tx.put_new(app.store.table(), mail.to_item(&app.sealer, now)?);
    }
    match app.store.transact(tx).await {
        Ok(()) => {
            tracing::info!(kind = W::KIND, subject_id = %task.subject_id, task_id = %task.id, stage = stage.code(), "expired");
            Ok(true)
        }
        // Decided or changed meanwhile: that wins.
        Err(crate::store::TxError::Condition(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The actor of what a scheduled job does (an expiry on the timeline).
pub const SYSTEM_ACTOR: &str = "system";

/// A kind of human task, as the workflows context finds it: how to decide it and what
/// its stages are.
#[derive(Clone, Copy)]
pub struct TaskKind {
    pub kind: &'static str,
    pub decide: for<'a> fn(
        &'a App,
        &'a Task,
        &'a Caller,
        &'a serde_json::Value,
    ) -> BoxFuture<'a, ApiResult<serde_json::Value>>,
    /// The label of "approve" at a stage code (`None` for a stage it does not have).
    pub approve_label: fn(&str) -> Option<&'static str>,
    /// What "approve" asks for at a stage code, besides the decision (e.g. a PJLP).
    pub approve_pick: fn(&str) -> Option<Pick>,
    /// What else "approve" asks for at a stage code.
    pub approve_fields: fn(&str) -> &'static [ApproveField],
    /// Whether a stage code can be rejected.
    pub rejectable: fn(&str) -> bool,
    /// Whether a stage code can be sent back for a revision.
    pub revisable: fn(&str) -> bool,
    /// The case the officer decides on: the subject's lines and its timeline.
    pub case: for<'a> fn(&'a App, &'a Task) -> BoxFuture<'a, ApiResult<Case>>,
    /// Every decision stage.
    pub stages: fn() -> Vec<StageInfo>,
    /// Whether the officer may correct the subject at a stage code before deciding.
    pub corrects: fn(&str) -> bool,
    /// The task's subject's correction form, for `caller` (refused as [`correct`] is).
    pub correction_form:
        for<'a> fn(&'a App, &'a Task, &'a Caller) -> BoxFuture<'a, ApiResult<CorrectionForm>>,
    /// The deadline of a stage code (`None` for a stage it does not have).
    pub deadline: fn(&crate::config::Config, &str) -> Option<Deadline>,
    /// [`expire`] of a task of this kind.
    pub expire: for<'a> fn(&'a App, &'a Task) -> BoxFuture<'a, ApiResult<bool>>,
    /// [`correct`] of the task's subject.
    pub correct: for<'a> fn(
        &'a App,
        &'a Task,
        &'a Caller,
        &'a serde_json::Value,
    ) -> BoxFuture<'a, ApiResult<()>>,
}

/// A decision stage as declared: what a state machine's task item must say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageInfo {
    pub code: &'static str,
    pub label: &'static str,
    pub decider: Option<Role>,
}

async fn subject_of<W: Workflow>(app: &App, task: &Task) -> ApiResult<W> {
    W::load(app, &task.subject_id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("task {} has no subject", task.id)))
}

/// The task kind of workflow `W`, for a context's `task_kinds()`.
pub fn task_kind<W: Workflow>() -> TaskKind {
    TaskKind {
        kind: W::KIND,
        decide: |app, task, caller, input| Box::pin(decide::<W>(app, task, caller, input)),
        approve_label: |code| W::Stage::parse_decided(code).map(|s| s.approve_label()),
        approve_pick: |code| W::Stage::parse_decided(code).and_then(|s| s.approve_pick()),
        approve_fields: |code| W::Stage::parse_decided(code).map_or(&[], |s| s.approve_fields()),
        rejectable: |code| W::Stage::parse_decided(code).is_some_and(|s| s.rejectable()),
        revisable: |code| W::Stage::parse_decided(code).is_some_and(|s| s.revisable()),
        case: |app, task| {
            Box::pin(async move {
                let subject = subject_of::<W>(app, task).await?;
                let timeline = timeline::<W>(app, &subject.pk()).await?;
                Ok(Case {
                    view: subject.case(app).await?,
                    timeline,
                })
            })
        },
        corrects: |code| W::Stage::parse_decided(code).is_some_and(|s| s.corrects()),
        correction_form: |app, task, caller| {
            Box::pin(async move {
                let subject = subject_of::<W>(app, task).await?;
                subject.correctable(caller)?;
                Ok(CorrectionForm {
                    version: subject.version(),
                    ..subject.correction_form()
                })
            })
        },
        correct: |app, task, caller, input| {
            Box::pin(async move {
                let subject = subject_of::<W>(app, task).await?;
                correct(app, caller, subject, input).await.map(|_| ())
            })
        },
        deadline: |cfg, code| W::Stage::parse_decided(code).map(|s| W::deadline(cfg, s)),
        expire: |app, task| Box::pin(expire::<W>(app, task)),
        stages: || {
            W::Stage::DECIDED
                .iter()
                .map(|s| StageInfo {
                    code: s.code(),
                    label: s.label(),
                    decider: s.decider(),
                })
                .collect()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_shows_only_what_it_changes() {
        let published: CaseLines = vec![
            ("Nama Produk", "Amplang".into()),
            ("Harga per paket", "Rp25000".into()),
            ("Lama", "x".into()),
        ];
        let revision: CaseLines = vec![
            ("Nama Produk", "Amplang".into()),
            ("Harga per paket", "Rp27500".into()),
            ("Baru", "y".into()),
        ];
        assert_eq!(
            changes(&published, &revision),
            vec![
                CaseChange {
                    label: "Harga per paket",
                    before: "Rp25000".into(),
                    after: "Rp27500".into()
                },
                CaseChange {
                    label: "Baru",
                    before: "-".into(),
                    after: "y".into()
                },
                CaseChange {
                    label: "Lama",
                    before: "x".into(),
                    after: "-".into()
                },
            ]
        );
        assert!(changes(&revision, &revision).is_empty());
    }
}
