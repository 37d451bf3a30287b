//! `notify_task_assignees`: when a workflow opens a human task (an `INSERT` of a
//! `TASK#` item, written by the state machine), every officer who may decide it gets
//! an email with a personal decision link (`directory::deciders`: the assigned one, or
//! the active officers with the task's role in its organisation).
//!
//! One transaction per task writes the links, the emails and a `NOTIFIED` marker
//! (conditional), so a redelivered stream record sends nothing twice.

use loket_identity::directory;
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::store::{get_s, key, Item, Tx, TxError};
use loket_shared::streams;
use loket_shared::tasks::{self, Task};
use loket_shared::{ApiError, ApiResult, App};
use std::sync::Arc;

/// At most this many officers are emailed per task (one transaction holds 100 writes).
const MAX_RECIPIENTS: usize = 45;

pub async fn notify_task_assignees(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    streams::for_each_inserted(
        app,
        event,
        "notify_task_assignees",
        |app, image| async move {
            if get_s(&image, "SK") != Some(tasks::TASK_SK) {
                return Ok(());
            }
            notify(&app, &image).await
        },
    )
    .await
}

async fn notify(app: &App, image: &Item) -> ApiResult<()> {
    let task = Task::from_item(image)?;
    if !task.is_pending() {
        return Ok(());
    }
    let now = app.clock.epoch();
    let mut tx = Tx::new();
    let table = app.store.table();
    let marker = tx.put_new(
        table,
        key(format!("{}{}", tasks::TASK_PREFIX, task.id), "NOTIFIED"),
    );
    let people = directory::deciders(app, &task, MAX_RECIPIENTS).await?;
    for person in &people {
        let link = tasks::add_link(app, &mut tx, &task, &person.id, now);
        let mail = OutboxEmail {
            id: app.ids.id(),
            to: person.email.clone(),
            template: EmailTemplate::TaskAssigned {
                name: person.name.clone(),
                stage: task.stage_label.clone(),
                subject: task.subject_name.clone(),
                link: format!("{}/task-links/{link}", app.cfg.public_url),
            },
        };
        tx.put_new(table, mail.to_item(&app.sealer, now)?);
    }
    match app.store.transact(tx).await {
        Ok(()) => {
            tracing::info!(task_id = %task.id, recipients = people.len(), "task assignees notified");
            Ok(())
        }
        // Already notified by an earlier delivery of the same record.
        Err(TxError::Condition(failed)) if failed.contains(&marker) => Ok(()),
        Err(e) => Err(ApiError::from(e)),
    }
}
