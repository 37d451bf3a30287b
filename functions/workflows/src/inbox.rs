//! The inbox of pending tasks (officers', and vendors' and buyers' on their orders) and
//! the decision on one of them.

use loket_shared::auth::{Caller, Role};
use loket_shared::http::{authenticate, body, json, path_param, query_param, Request, Response};
use loket_shared::schema::GSI1;
use loket_shared::store::Query;
use loket_shared::tasks::{self, Task};
use loket_shared::{ApiError, ApiResult, App};
use std::sync::Arc;

/// The inboxes `caller` reads: one per officer role in its organisation, and its own.
fn inboxes(caller: &Caller) -> Vec<String> {
    let mut keys = vec![tasks::user_inbox(&caller.user_id)];
    if let Some(org) = &caller.org {
        for role in caller.roles.iter().filter(|r| r.is_officer()) {
            keys.push(tasks::role_inbox(*role, org));
        }
    }
    keys
}

/// `GET /tasks?stage=&pkt=`: the caller's pending tasks, oldest first.
pub async fn list_tasks(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let stage = query_param(&req, "stage");
    let pkt = query_param(&req, "pkt");
    let items = pending_tasks(&app, &caller, stage.as_deref(), pkt.as_deref()).await?;
    json(200, &serde_json::json!({ "items": items }))
}

/// The one inbox use case (API and page): the pending tasks `caller` may decide,
/// oldest first, filtered by stage code and PKT/Non-PKT. An unknown filter value is a
/// mistake to report (400), not an empty inbox; a blank one is no filter.
pub async fn pending_tasks(
    app: &App,
    caller: &Caller,
    stage: Option<&str>,
    pkt: Option<&str>,
) -> ApiResult<Vec<Task>> {
    // Officers, and the vendors and buyers whose turn it is on their orders.
    let decides = |r: &Role| r.is_officer() || matches!(r, Role::Vendor | Role::Buyer);
    if !caller.roles.iter().any(decides) {
        return Err(ApiError::forbidden());
    }
    let stage = stage.filter(|s| !s.is_empty());
    let pkt = pkt.filter(|s| !s.is_empty());
    if let Some(st) = stage {
        let known = crate::task_kinds()
            .iter()
            .any(|k| (k.stages)().iter().any(|s| s.code == st));
        if !known {
            return Err(ApiError::invalid(
                "stage_invalid",
                "Tahap tidak dikenal",
                "stage",
            ));
        }
    }
    if pkt.is_some_and(|k| k != "PKT" && k != "Non-PKT") {
        return Err(ApiError::invalid(
            "pkt_invalid",
            "Kategori harus PKT atau Non-PKT",
            "pkt",
        ));
    }
    let mut found: Vec<(String, Task)> = Vec::new();
    for inbox in inboxes(caller) {
        let q = Query::partition(inbox).on_index(GSI1);
        for item in app.store.query_all(&q).await? {
            let sort = loket_shared::store::get_s(&item, GSI1.sk)
                .unwrap_or_default()
                .to_string();
            let task = Task::from_item(&item)?;
            if task.is_pending()
                && task.authorize(caller).is_ok()
                && stage.is_none_or(|s| s == task.stage)
                && pkt.is_none_or(|k| task.pkt.as_deref() == Some(k))
            {
                found.push((sort, task));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found.into_iter().map(|(_, t)| t).collect())
}

/// `POST /tasks/{id}/decision`: approve or reject; exactly one decision counts.
pub async fn decide_task(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let id = path_param(&req, "id")?;
    let task = tasks::load(&app, &id)
        .await?
        .ok_or_else(tasks::task_not_found)?;
    decide(&app, &caller, &task, &req).await
}

/// The decision on `task` by `caller`, with the body of `req`: authorization (role,
/// organisation, assigned officer), the subject's context applies it, and the
/// execution's resume is recorded with it.
pub async fn decide(app: &App, caller: &Caller, task: &Task, req: &Request) -> ApiResult<Response> {
    let input: serde_json::Value = body(req)?;
    let output = decide_with(app, caller, task, &input).await?;
    json(
        200,
        &serde_json::json!({ "message": "Keputusan berhasil disimpan", "task_id": task.id, "decision": output["decision"] }),
    )
}

/// The one decision use case, for the API and the pages: authorization, then the engine
/// with the task kind's declaration (its transaction records the execution's resume,
/// see `loket_shared::executions`). Returns the output.
pub async fn decide_with(
    app: &App,
    caller: &Caller,
    task: &Task,
    input: &serde_json::Value,
) -> ApiResult<serde_json::Value> {
    task.authorize(caller)?;
    if !task.is_pending() {
        return Err(tasks::not_pending(task));
    }
    let kind = crate::task_kind(&task.kind)
        .ok_or_else(|| ApiError::internal(format!("task kind {} is not declared", task.kind)))?;
    (kind.decide)(app, task, caller, input).await
}
