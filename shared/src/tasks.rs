//! Human tasks: the steps of a workflow that wait for an officer.
//!
//! A state machine step writes the task item itself (`aws-sdk:dynamodb:putItem
//! .waitForTaskToken`), with the task token, the assignee role and organisation (or
//! the assigned officer), the subject and the stage, and indexes it in the assignee's
//! inbox (GSI1, oldest first). The decision handler claims the task (`pending` →
//! `decided`, conditioned, in the same transaction as the subject's new state, its
//! audit entry and its emails) and only then resumes the execution: of two officers
//! deciding at once exactly one wins. See `docs/ARCHITECTURE.md`, "Workflows".

use crate::auth::{Caller, Role};
use crate::store::{get_s, key, n, s, Item, Tx, TxError};
use crate::{ApiError, ApiResult, App};
use serde::Serialize;
use std::collections::HashMap;

pub const TASK_PREFIX: &str = "TASK#";
pub const TASK_SK: &str = "TASK";

/// The deadline index: every pending task, by the time it was opened (GSI2), so the
/// reminder job queries the overdue ones instead of scanning.
pub const OPEN_TASKS: &str = "OPENTASKS";

/// The inbox of everyone with `role` in `org`.
pub fn role_inbox(role: Role, org: &str) -> String {
    crate::schema::role_inbox(role.as_str(), org)
}

/// The inbox of one officer (tasks assigned to a person).
pub fn user_inbox(user_id: &str) -> String {
    crate::schema::user_inbox(user_id)
}

/// A task as the state machine wrote it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: String,
    /// What kind of workflow it belongs to, e.g. `vendor_onboarding`.
    pub kind: String,
    pub stage: String,
    /// The stage as users see it ("Penunjukan Pembina").
    pub stage_label: String,
    pub role: Role,
    pub organisation: String,
    /// The officer it is assigned to, when the workflow assigned one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    pub subject_id: String,
    pub subject_name: String,
    /// PKT or Non-PKT (vendors are listed separately by it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pkt: Option<String>,
    pub status: String,
    pub created_at: String,
    #[serde(skip)]
    pub token: String,
}

fn field(item: &Item, name: &str) -> ApiResult<String> {
    get_s(item, name)
        .map(str::to_string)
        .ok_or_else(|| ApiError::internal(format!("task item without {name}")))
}

impl Task {
    pub fn from_item(item: &Item) -> ApiResult<Self> {
        let role = field(item, "role")?;
        Ok(Self {
            id: field(item, "id")?,
            kind: field(item, "kind")?,
            stage: field(item, "stage")?,
            stage_label: get_s(item, "stage_label").unwrap_or_default().to_string(),
            role: Role::parse(&role)
                .ok_or_else(|| ApiError::internal(format!("task with unknown role {role}")))?,
            organisation: field(item, "organisation")?,
            assignee: get_s(item, "assignee")
                .filter(|a| !a.is_empty())
                .map(str::to_string),
            subject_id: field(item, "subject_id")?,
            subject_name: get_s(item, "subject_name").unwrap_or_default().to_string(),
            pkt: get_s(item, "pkt").map(str::to_string),
            status: field(item, "status")?,
            created_at: field(item, "created_at")?,
            token: field(item, "token")?,
        })
    }

    pub fn is_pending(&self) -> bool {
        self.status == "pending"
    }

    /// Whether `caller` may decide this task: the task's role, in the task's
    /// organisation, and the assigned officer when there is one. An applicant belongs
    /// to no organisation: its tasks (a revision of its own application) are always
    /// assigned to it, and only the assignee decides them.
    pub fn authorize(&self, caller: &Caller) -> ApiResult<()> {
        if self.role == Role::Applicant {
            caller.require_any(&[Role::Applicant])?;
            return match &self.assignee {
                Some(a) if a == &caller.user_id => Ok(()),
                _ => Err(ApiError::forbidden()),
            };
        }
        caller.require_role_in(self.role, &self.organisation)?;
        match &self.assignee {
            Some(a) if a != &caller.user_id => Err(ApiError::forbidden()),
            _ => Ok(()),
        }
    }
}

pub async fn load(app: &App, id: &str) -> ApiResult<Option<Task>> {
    match app
        .store
        .get(&format!("{TASK_PREFIX}{id}"), TASK_SK)
        .await?
    {
        Some(item) => Ok(Some(Task::from_item(&item)?)),
        None => Ok(None),
    }
}

/// The pending task of `kind` on subject `subject_id` in the inbox of `user_id` (a
/// task assigned to that person), if any.
pub async fn open_for_user(
    app: &App,
    user_id: &str,
    kind: &str,
    subject_id: &str,
) -> ApiResult<Option<Task>> {
    let q = crate::store::Query::partition(user_inbox(user_id)).on_index(crate::schema::GSI1);
    for item in app.store.query_all(&q).await? {
        let t = Task::from_item(&item)?;
        if t.subject_id == subject_id && t.kind == kind && t.is_pending() {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

pub fn task_not_found() -> ApiError {
    ApiError::not_found("task_not_found", "Tugas tidak ditemukan")
}

pub fn already_decided() -> ApiError {
    ApiError::conflict(
        "task_already_decided",
        "Tugas ini sudah diputuskan sebelumnya, muat ulang untuk melihat status terbaru",
    )
}

/// Adds the claim of `task` to `tx`: it must still be pending; it leaves every inbox.
/// The decision's `output` is kept on the task, so an execution whose wait timed out
/// just as the decision landed continues with it. Returns the index of the operation
/// (its condition failing means someone else decided first, or the task expired).
pub fn claim(
    app: &App,
    tx: &mut Tx,
    task: &Task,
    caller: &Caller,
    output: &serde_json::Value,
    note: Option<&str>,
    now: i64,
) -> usize {
    claim_for(app, tx, task, &caller.user_id, output, note, now)
}

/// [`claim`] on behalf of `user_id`: what another decision ends with it (e.g. an
/// agreed cancellation closes the order's open step).
pub fn claim_for(
    app: &App,
    tx: &mut Tx,
    task: &Task,
    user_id: &str,
    output: &serde_json::Value,
    note: Option<&str>,
    now: i64,
) -> usize {
    tx.update(
        app.store.table(),
        key(format!("{TASK_PREFIX}{}", task.id), TASK_SK),
        "SET #st = :decided, decision = :decision, #out = :output, decided_by = :by, decided_at = :now, note = :note REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK",
        Some("#st = :pending"),
        HashMap::from([
            ("#st".to_string(), "status".to_string()),
            ("#out".to_string(), "output".to_string()),
        ]),
        HashMap::from([
            (":decided".to_string(), s("decided")),
            (":pending".to_string(), s("pending")),
            (
                ":decision".to_string(),
                s(output["decision"].as_str().unwrap_or_default()),
            ),
            (":output".to_string(), s(output.to_string())),
            (":by".to_string(), s(user_id)),
            (":now".to_string(), n(now)),
            (":note".to_string(), s(note.unwrap_or_default())),
        ]),
    )
}

/// The officer's note on a decision: trimmed, `None` when blank, at most 1000
/// characters.
pub fn decision_note(note: &Option<String>) -> ApiResult<Option<String>> {
    crate::http::optional(note, "note", "Catatan", 1000)
}

/// A rejection needs its reason (the note).
pub fn rejection_reason(note: &Option<String>) -> ApiResult<String> {
    note.clone()
        .ok_or_else(|| ApiError::invalid("note_required", "Alasan penolakan wajib diisi", "note"))
}

/// Runs the transaction of a decision, which holds the task's claim at index `claim`.
/// When the claim's condition fails, someone decided first or the task expired: 409
/// saying which.
pub async fn commit_decision(app: &App, tx: Tx, claim: usize, task: &Task) -> ApiResult<()> {
    match app.store.transact(tx).await {
        Ok(()) => Ok(()),
        Err(TxError::Condition(failed)) if failed.contains(&claim) => {
            let now = load(app, &task.id).await?;
            Err(now.map(|t| not_pending(&t)).unwrap_or_else(already_decided))
        }
        Err(e) => Err(e.into()),
    }
}

/// Starts an execution of `machine` named `name` (a name used before is refused by
/// Step Functions, so a retried start cannot open a second process). 503 on failure.
pub async fn start_execution(
    app: &App,
    machine: &str,
    name: &str,
    input: &serde_json::Value,
) -> ApiResult<()> {
    app.sfn()?
        .start_execution()
        .state_machine_arn(machine)
        .name(name)
        .input(input.to_string())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            ApiError::unavailable(format!(
                "starting {name}: {}",
                aws_sdk_sfn::error::DisplayErrorContext(e)
            ))
        })
}

/// 409 for a task that is no longer pending: decided by someone, or expired (and
/// issued again as a new task).
pub fn not_pending(task: &Task) -> ApiError {
    if task.status == "expired" {
        ApiError::conflict(
            "task_expired",
            "Tugas ini sudah kedaluwarsa dan telah diterbitkan ulang, buka daftar tugas untuk tugas yang terbaru",
        )
    } else {
        already_decided()
    }
}

pub const LINK_SK: &str = "LINK";

/// The item of an emailed decision link: keyed by a keyed hash of the link id, so the
/// table never holds a usable link; it names the task, never its token.
pub fn link_pk(app: &App, link: &str) -> String {
    crate::schema::task_link(&app.pepper.hash("task-link", link))
}

pub fn link_invalid() -> ApiError {
    ApiError::not_found("link_invalid", "Tautan tidak valid atau sudah kedaluwarsa")
}

/// The task behind an emailed link (404 when the link is unknown or expired).
pub async fn resolve_link(app: &App, link: &str) -> ApiResult<Task> {
    if link.is_empty() || link.len() > 100 {
        return Err(link_invalid());
    }
    let item = app
        .store
        .get(&link_pk(app, link), LINK_SK)
        .await?
        .ok_or_else(link_invalid)?;
    let expires = crate::store::get_n(&item, "expires_at").unwrap_or(0);
    if expires <= app.clock.epoch() {
        return Err(link_invalid());
    }
    let task_id = get_s(&item, "task_id").ok_or_else(link_invalid)?;
    load(app, task_id).await?.ok_or_else(link_invalid)
}

/// Adds to `tx` a new decision link to `task` for `recipient`; returns the link id.
pub fn add_link(app: &App, tx: &mut Tx, task: &Task, recipient: &str, now: i64) -> String {
    let link = crate::crypto::random_token(32);
    let mut item = key(link_pk(app, &link), LINK_SK);
    item.insert("task_id".into(), s(&task.id));
    item.insert("recipient".into(), s(recipient));
    item.insert("created_at".into(), n(now));
    item.insert(
        "expires_at".into(),
        n(now + app.cfg.onboarding.link_ttl_seconds),
    );
    tx.put_new(app.store.table(), item);
    link
}
