//! `notify_task_assignees`: when a workflow opens a human task (an `INSERT` of a
//! `TASK#` item, written by the state machine), every officer who may decide it gets
//! an email with a personal decision link. The officers are the assigned one, or the
//! active officers with the task's role in its organisation.
//!
//! One transaction per task writes the links, the emails and a `NOTIFIED` marker
//! (conditional), so a redelivered stream record sends nothing twice.

use loket_identity::directory::{self, Person};
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

/// (user id, name, email) of a person.
fn contact(p: Person) -> (String, String, String) {
    (p.id, p.name, p.email)
}

/// (user id, name, email) of the officers who may decide `task`: the assigned one
/// (while active), or the active officers of the task's role in its organisation.
pub(crate) async fn recipients(app: &App, task: &Task) -> ApiResult<Vec<(String, String, String)>> {
    if let Some(officer) = &task.assignee {
        let person = directory::person(app, officer).await?;
        return Ok(person
            .filter(|p| p.active)
            .map(contact)
            .into_iter()
            .collect());
    }
    officers(app, &task.organisation, task.role).await
}

/// (user id, name, email) of the active officers with `role` in `org`.
pub(crate) async fn officers(
    app: &App,
    org: &str,
    role: loket_shared::auth::Role,
) -> ApiResult<Vec<(String, String, String)>> {
    let people = directory::officers(app, org, role, MAX_RECIPIENTS).await?;
    Ok(people.into_iter().map(contact).collect())
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
    let people = recipients(app, &task).await?;
    for (user_id, name, email) in &people {
        let link = tasks::add_link(app, &mut tx, &task, user_id, now);
        let mail = OutboxEmail {
            id: app.ids.id(),
            to: email.clone(),
            template: EmailTemplate::TaskAssigned {
                name: name.clone(),
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
