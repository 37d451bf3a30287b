//! Workflow executions start from the outbox.
//!
//! A use case that starts a workflow (a vendor confirming its profile, a product
//! submitted) does not call `StartExecution` itself: it adds a *start record* to the
//! same transaction as the subject's new state ([`start`]). The table's stream hands the
//! record to `start_workflows` (workflows context), which starts the execution and marks
//! the record started; a failed start is reported as a batch item failure and retried
//! until it succeeds. The execution's name is the record's key, and Step Functions
//! refuses a second execution of that name, so a retried start never opens a second
//! process. There is no path where the subject says "in review" and no start is on its
//! way, and nothing to undo.

use crate::error::{ApiError, ApiResult};
use crate::store::{get_s, key, n, s, Item, Tx};
use crate::App;
use std::collections::HashMap;

/// `PK` prefix of start records (the stream filter of `start_workflows` matches it).
pub const START_PREFIX: &str = "WORKFLOWSTART#";
pub const START_SK: &str = "START";
/// Start records are kept 30 days for diagnosis, then expire.
const KEEP_SECONDS: i64 = 30 * 24 * 3600;

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
