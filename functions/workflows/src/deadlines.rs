//! `enforce_task_deadlines` (scheduled, hourly): human tasks that have waited too
//! long, in working days (weekends and the admins' holiday calendar do not count).
//!
//! Each task kind declares its stages' deadlines (`Workflow::deadline`): officers'
//! tasks remind whoever may decide, then escalate to the satpel and main
//! administrators of the task's organisation; an order's "Konfirmasi Pesanan" reminds
//! the vendor, then expires (`approval::expire`: the order is `Kedaluwarsa`, both
//! parties are emailed, the execution ends); the other order steps only remind.
//! Each happens once per task: the mark on the task (or the expiry's claim) and the
//! emails are one conditional transaction. Overdue tasks come from the deadline index
//! (GSI2 `OPENTASKS`, by opening time), queried only up to the earliest possible
//! opening date — never a scan. "Now" is the schedule's event time, as EventBridge
//! delivers it.

use crate::task_kinds;
use loket_identity::directory;
use loket_reference::holidays;
use loket_shared::approval::{Deadline, TaskKind};
use loket_shared::auth::Role;
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::rules::workdays::{wib_date, working_days_between};
use loket_shared::schema::GSI2;
use loket_shared::store::{get_s, key, n, s, Query, Tx, TxError};
use loket_shared::tasks::{self, Task};
use loket_shared::{ApiError, ApiResult, App};
use std::collections::HashMap;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// At most this many people are emailed per task and step.
const MAX_RECIPIENTS: usize = 45;

/// What one run did.
#[derive(Debug, Default, serde::Serialize)]
struct Done {
    reminded: u32,
    escalated: u32,
    expired: u32,
}

pub async fn enforce_task_deadlines(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    let now = event["time"]
        .as_str()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .unwrap_or_else(|| app.clock.now());
    let today = wib_date(now);
    let kinds = task_kinds();
    let Some(first) = earliest(&app, &kinds) else {
        return Ok(serde_json::json!({ "today": today.to_string() }));
    };
    // A task needs at least `first` calendar days to be `first` working days old; one
    // day of slack covers the UTC/WIB difference of the opening time.
    let bound = today - time::Duration::days(first - 1);
    let overdue = app
        .store
        .query_all(
            &Query::partition(tasks::OPEN_TASKS)
                .on_index(GSI2)
                .sk_before(GSI2.sk, bound.to_string()),
        )
        .await?;
    let calendar = holidays::load(&app.store, &[today.year() - 1, today.year()]).await?;
    let mut done = Done::default();
    for item in &overdue {
        let task = Task::from_item(item)?;
        let Ok(opened) = OffsetDateTime::parse(&task.created_at, &Rfc3339) else {
            tracing::warn!(task_id = %task.id, "task with an unreadable opening time");
            continue;
        };
        let kind = kinds.iter().find(|k| k.kind == task.kind);
        let deadline = match kind {
            Some(k) => (k.deadline)(&app.cfg, &task.stage).unwrap_or_default(),
            None => Deadline::officers(&app.cfg.onboarding),
        };
        let days = working_days_between(wib_date(opened), today, &calendar);
        let past = |limit: Option<i64>| limit.is_some_and(|l| days >= l);
        if let (true, Some(k)) = (past(deadline.expire_after), kind) {
            if (k.expire)(&app, &task).await? {
                done.expired += 1;
                continue;
            }
        }
        if past(deadline.escalate_after) && get_s(item, "escalated_at").is_none() {
            done.escalated += escalate(&app, &task, deadline.escalate_to, days).await? as u32;
        }
        if past(deadline.remind_after) && get_s(item, "reminded_at").is_none() {
            done.reminded += remind(&app, &task, days).await? as u32;
        }
    }
    tracing::info!(today = %today, overdue = overdue.len(), ?done, "task deadlines checked");
    let mut answer = serde_json::to_value(&done).map_err(ApiError::internal)?;
    answer["today"] = today.to_string().into();
    Ok(answer)
}

/// The fewest working days after which anything happens to any task.
fn earliest(app: &App, kinds: &[TaskKind]) -> Option<i64> {
    kinds
        .iter()
        .flat_map(|k| (k.stages)().into_iter().map(move |s| (k, s.code)))
        .filter_map(|(k, code)| (k.deadline)(&app.cfg, code).and_then(|d| d.earliest()))
        .chain(Deadline::officers(&app.cfg.onboarding).earliest())
        .min()
        .map(|days| days.max(1))
}

/// Marks the task (once, while pending) and queues the emails, in one transaction.
/// Returns whether this run did it.
async fn mark_and_send(
    app: &App,
    task: &Task,
    mark: &str,
    mails: Vec<OutboxEmail>,
) -> ApiResult<bool> {
    let now = app.clock.epoch();
    let mut tx = Tx::new();
    let table = app.store.table();
    let marked = tx.update(
        table,
        key(format!("{}{}", tasks::TASK_PREFIX, task.id), tasks::TASK_SK),
        &format!("SET {mark} = :now"),
        Some(&format!("attribute_not_exists({mark}) AND #st = :pending")),
        HashMap::from([("#st".to_string(), "status".to_string())]),
        HashMap::from([
            (":now".to_string(), n(now)),
            (":pending".to_string(), s("pending")),
        ]),
    );
    for mail in mails {
        tx.put_new(table, mail.to_item(&app.sealer, now)?);
    }
    match app.store.transact(tx).await {
        Ok(()) => Ok(true),
        Err(TxError::Condition(failed)) if failed.contains(&marked) => Ok(false),
        Err(e) => Err(ApiError::from(e)),
    }
}

async fn remind(app: &App, task: &Task, days: i64) -> ApiResult<bool> {
    let mails = directory::deciders(app, task, MAX_RECIPIENTS)
        .await?
        .into_iter()
        .map(|p| OutboxEmail {
            id: app.ids.id(),
            to: p.email,
            template: EmailTemplate::TaskReminder {
                name: p.name,
                stage: task.stage_label.clone(),
                subject: task.subject_name.clone(),
                days,
            },
        })
        .collect();
    mark_and_send(app, task, "reminded_at", mails).await
}

async fn escalate(app: &App, task: &Task, to: &[Role], days: i64) -> ApiResult<bool> {
    let mut people = Vec::new();
    for role in to {
        people.extend(directory::officers(app, &task.organisation, *role, MAX_RECIPIENTS).await?);
    }
    let mails = people
        .into_iter()
        .map(|p| OutboxEmail {
            id: app.ids.id(),
            to: p.email,
            template: EmailTemplate::TaskEscalated {
                name: p.name,
                stage: task.stage_label.clone(),
                subject: task.subject_name.clone(),
                days,
            },
        })
        .collect();
    mark_and_send(app, task, "escalated_at", mails).await
}
