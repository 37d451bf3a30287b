//! `drive_workflows`: starts the executions and resumes the decided tasks recorded in
//! the outbox (see `loket_shared::executions`). The stream's filters pass only
//! `INSERT`s of start and resume records; one that fails is reported as a batch item
//! failure and retried until it succeeds (the event source retries without limit), and
//! neither is ever done twice (executions are named by their record; a used task token
//! counts as done).

use loket_shared::store::get_s;
use loket_shared::{executions, streams, ApiResult, App};
use std::sync::Arc;

pub async fn drive_workflows(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    streams::for_each_inserted(app, event, "drive_workflows", |app, record| async move {
        let resume =
            get_s(&record, "PK").is_some_and(|pk| pk.starts_with(executions::RESUME_PREFIX));
        if resume {
            executions::resume_recorded(&app, &record).await
        } else {
            executions::start_recorded(&app, &record).await
        }
    })
    .await
}
