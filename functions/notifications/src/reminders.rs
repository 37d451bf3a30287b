//! `remind_open_tasks` (scheduled): tasks that have waited too long, in working days
//! (weekends and the admins' holiday calendar do not count).
//!
//! After `remind_after_working_days` the officers who may decide a task are reminded;
//! after `escalate_after_working_days` the satpel and main administrators of the task's
//! organisation are told. Each happens once per task: the mark on the task and the
//! emails are one conditional transaction. Overdue tasks come from the deadline index
//! (GSI2 `OPENTASKS`, by opening time), queried only up to the earliest possible
//! opening date — never a scan. "Now" is the schedule's event time, as EventBridge
//! delivers it.

use crate::tasks::{officers, recipients};
use loket_reference::holidays;
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

pub async fn remind_open_tasks(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    let now = event["time"]
        .as_str()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .unwrap_or_else(|| app.clock.now());
    let today = wib_date(now);
    let policy = &app.cfg.onboarding;
    let first = policy
        .remind_after_working_days
        .min(policy.escalate_after_working_days);
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
    let (mut reminded, mut escalated) = (0, 0);
    for item in &overdue {
        let task = Task::from_item(item)?;
        let Ok(opened) = OffsetDateTime::parse(&task.created_at, &Rfc3339) else {
            tracing::warn!(task_id = %task.id, "task with an unreadable opening time");
            continue;
        };
        let days = working_days_between(wib_date(opened), today, &calendar);
        if days >= policy.escalate_after_working_days && get_s(item, "escalated_at").is_none() {
            escalated += escalate(&app, &task, days).await? as u32;
        }
        if days >= policy.remind_after_working_days && get_s(item, "reminded_at").is_none() {
            reminded += remind(&app, &task, days).await? as u32;
        }
    }
    tracing::info!(today = %today, overdue = overdue.len(), reminded, escalated, "open tasks checked");
    Ok(
        serde_json::json!({ "today": today.to_string(), "reminded": reminded, "escalated": escalated }),
    )
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
    let mails = recipients(app, task)
        .await?
        .into_iter()
        .map(|(_, name, email)| OutboxEmail {
            id: app.ids.id(),
            to: email,
            template: EmailTemplate::TaskReminder {
                name,
                stage: task.stage_label.clone(),
                subject: task.subject_name.clone(),
                days,
            },
        })
        .collect();
    mark_and_send(app, task, "reminded_at", mails).await
}

async fn escalate(app: &App, task: &Task, days: i64) -> ApiResult<bool> {
    let mut people = officers(app, &task.organisation, Role::Satpel).await?;
    people.extend(officers(app, &task.organisation, Role::MainAdmin).await?);
    let mails = people
        .into_iter()
        .map(|(_, name, email)| OutboxEmail {
            id: app.ids.id(),
            to: email,
            template: EmailTemplate::TaskEscalated {
                name,
                stage: task.stage_label.clone(),
                subject: task.subject_name.clone(),
                days,
            },
        })
        .collect();
    mark_and_send(app, task, "escalated_at", mails).await
}
