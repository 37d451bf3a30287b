//! `start_workflows`: starts the executions recorded in the outbox (see
//! `loket_shared::executions`). The stream's filter passes only `INSERT`s of start
//! records; a start that fails is reported as a batch item failure and retried until
//! it succeeds (the event source retries without limit), and a start that already
//! happened is not repeated (executions are named by their record).

use loket_shared::{executions, streams, ApiResult, App};
use std::sync::Arc;

pub async fn start_workflows(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    streams::for_each_inserted(app, event, "start_workflows", |app, record| async move {
        executions::start_recorded(&app, &record).await
    })
    .await
}
