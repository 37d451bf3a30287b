//! Workflow executions start, and resume after a human decision, from the outbox.
//!
//! A use case that starts a workflow (a vendor confirming its profile, a product
//! submitted) does not call `StartExecution` itself: it adds a *start record* to the
//! same transaction as the subject's new state ([`start`]). The table's stream hands the
//! record to `drive_workflows` (workflows context), which starts the execution and marks
//! the record started; a failed start is reported as a batch item failure and retried
//! until it succeeds. The execution's name is the record's key, and Step Functions
//! refuses a second execution of that name, so a retried start never opens a second
//! process. There is no path where the subject says "in review" and no start is on its
//! way, and nothing to undo.
//!
//! A decision does the same for the execution waiting on its task: the decision's
//! transaction adds a *resume record* ([`resume`]); `drive_workflows` sends the task's
//! success with the decision, retried until Step Functions takes it. An unreachable
//! Step Functions therefore never leaves a decision stored and its workflow stuck: the
//! decision is answered once stored, and the execution moves on when the service is
//! back. A token that timed out meanwhile counts as done (the execution's timeout
//! branch continues with the decision stored on the task).

use crate::error::{ApiError, ApiResult};
use crate::store::{get_s, key, n, s, Item, Tx};
use crate::App;
use std::collections::HashMap;

/// `PK` prefix of start records (the stream filter of `drive_workflows` matches it).
pub const START_PREFIX: &str = "WORKFLOWSTART#";
pub const START_SK: &str = "START";
/// Start records are kept 30 days for diagnosis, then expire.
const KEEP_SECONDS: i64 = 30 * 24 * 3600;

/// `PK` prefix of resume records (the other stream filter of `drive_workflows`).
pub const RESUME_PREFIX: &str = "WORKFLOWRESUME#";
pub const RESUME_SK: &str = "RESUME";

/// Adds to `tx` the resumption of the execution waiting on `task`, with `output`.
pub fn resume(
    app: &App,
    tx: &mut Tx,
    task: &crate::tasks::Task,
    output: &serde_json::Value,
    now: i64,
) -> usize {
    let mut item = key(format!("{RESUME_PREFIX}{}", task.id), RESUME_SK);
    item.insert("task_id".into(), s(&task.id));
    item.insert("token".into(), s(&task.token));
    item.insert("output".into(), s(output.to_string()));
    item.insert("status".into(), s("pending"));
    item.insert("created_at".into(), n(now));
    item.insert("expires_at".into(), n(now + KEEP_SECONDS));
    tx.put_new(app.store.table(), item)
}

/// Sends the task success a resume record asks for (idempotent: a token already used,
/// timed out or unknown counts as done), then marks the record `resumed`.
pub async fn resume_recorded(app: &App, record: &Item) -> ApiResult<()> {
    let field = |name: &str| {
        get_s(record, name)
            .map(str::to_string)
            .ok_or_else(|| ApiError::internal(format!("workflow resume record without {name}")))
    };
    let (task_id, token, output) = (field("task_id")?, field("token")?, field("output")?);
    let res = app
        .sfn()?
        .send_task_success()
        .task_token(&token)
        .output(&output)
        .send()
        .await;
    match res {
        Ok(_) => {}
        Err(aws_sdk_sfn::error::SdkError::ServiceError(ctx))
            if ctx.err().is_task_timed_out()
                || ctx.err().is_task_does_not_exist()
                || ctx.err().is_invalid_token() =>
        {
            tracing::warn!(task_id = %task_id, "task token no longer waits; the execution picks the decision up from the task");
        }
        Err(e) => {
            return Err(ApiError::unavailable(format!(
                "resuming task {task_id}: {}",
                aws_sdk_sfn::error::DisplayErrorContext(e)
            )))
        }
    }
    app.store
        .update(
            key(format!("{RESUME_PREFIX}{task_id}"), RESUME_SK),
            "SET #st = :resumed, resumed_at = :now",
            HashMap::from([("#st".to_string(), "status".to_string())]),
            HashMap::from([
                (":resumed".to_string(), s("resumed")),
                (":now".to_string(), n(app.clock.epoch())),
            ]),
        )
        .await?;
    tracing::info!(task_id = %task_id, "workflow resumed");
    Ok(())
}

/// Adds to `tx` the start of an execution of `machine` named `name` with `input`.
/// `name` must be unique per start (e.g. the subject and its submission count): a
/// second record of the same name fails the transaction.
pub fn start(
    app: &App,
    tx: &mut Tx,
    machine: &str,
    name: &str,
    input: &serde_json::Value,
    now: i64,
) -> usize {
    let mut item = key(format!("{START_PREFIX}{name}"), START_SK);
    item.insert("machine".into(), s(machine));
    item.insert("name".into(), s(name));
    item.insert("input".into(), s(input.to_string()));
    item.insert("status".into(), s("pending"));
    item.insert("created_at".into(), n(now));
    item.insert("expires_at".into(), n(now + KEEP_SECONDS));
    tx.put_new(app.store.table(), item)
}

/// Starts the execution a start record asks for (idempotent: an execution of that name
/// that already exists counts as started), then marks the record `started`.
pub async fn start_recorded(app: &App, record: &Item) -> ApiResult<()> {
    let field = |name: &str| {
        get_s(record, name)
            .map(str::to_string)
            .ok_or_else(|| ApiError::internal(format!("workflow start record without {name}")))
    };
    let (machine, name, input) = (field("machine")?, field("name")?, field("input")?);
    let arn = match app
        .sfn()?
        .start_execution()
        .state_machine_arn(&machine)
        .name(&name)
        .input(&input)
        .send()
        .await
    {
        Ok(out) => out.execution_arn,
        Err(aws_sdk_sfn::error::SdkError::ServiceError(ctx))
            if ctx.err().is_execution_already_exists() =>
        {
            tracing::info!(execution = %name, "workflow already started");
            String::new()
        }
        Err(e) => {
            return Err(ApiError::unavailable(format!(
                "starting workflow {name}: {}",
                aws_sdk_sfn::error::DisplayErrorContext(e)
            )))
        }
    };
    app.store
        .update(
            key(format!("{START_PREFIX}{name}"), START_SK),
            "SET #st = :started, started_at = :now, execution_arn = :arn",
            HashMap::from([("#st".to_string(), "status".to_string())]),
            HashMap::from([
                (":started".to_string(), s("started")),
                (":now".to_string(), n(app.clock.epoch())),
                (":arn".to_string(), s(arn)),
            ]),
        )
        .await?;
    tracing::info!(execution = %name, "workflow started");
    Ok(())
}
