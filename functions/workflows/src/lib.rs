//! Workflows: the human tasks the state machines open, as officers see them — their
//! inbox and their decisions — the start of executions recorded in the outbox, and the
//! tasks' deadlines (reminders, escalation, expiry).
//! What a decision does to its subject is declared by the subject's context (its
//! `impl Workflow`, see `loket_shared::approval`); this context finds the task kinds
//! through the contexts' `task_kinds()`.

pub mod deadlines;
pub mod inbox;
pub mod links;
pub mod starts;

use loket_shared::approval::TaskKind;
use loket_shared::http::UseCase;
use loket_shared::lambda::EventUseCase;
use loket_shared::needs::{Need, Need::*, WORKFLOW_MACHINES};
use loket_shared::{event_use_case, use_case};

/// What every decision writes: the task claim, the subject, its timeline and email
/// (one transaction), after reading the task and the subject.
const DECISION_WRITES: Need = Table(&[
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
]);

/// What a task page reads: the task (by link or id), the case (the subject, its
/// documents, its timeline, the organisation's officers to pick from).
const CASE_READS: Need = Table(&["dynamodb:GetItem", "dynamodb:Query"]);

/// Every kind of human task, as the contexts declare them.
pub fn task_kinds() -> Vec<TaskKind> {
    let mut kinds = loket_vendors::task_kinds();
    kinds.extend(loket_catalog::task_kinds());
    kinds.extend(loket_orders::task_kinds());
    kinds.extend(loket_licensing::task_kinds());
    kinds
}

/// The task kind named `kind`.
pub fn task_kind(kind: &str) -> Option<TaskKind> {
    task_kinds().into_iter().find(|k| k.kind == kind)
}

/// The event use cases of this context, by `LOKET_USE_CASE` name.
pub fn event_use_cases() -> Vec<EventUseCase> {
    vec![
        event_use_case!(
            "drive_workflows",
            starts::drive_workflows,
            needs: [
                Table(&["dynamodb:UpdateItem"]),
                StateMachines(&["states:StartExecution", "states:SendTaskSuccess"], WORKFLOW_MACHINES),
            ]
        ),
        event_use_case!(
            "enforce_task_deadlines",
            deadlines::enforce_task_deadlines,
            needs: [
                Table(&[
                    "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
                    "dynamodb:GetItem",
                ]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
    ]
}

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "list_tasks",
            GET "/tasks",
            inbox::list_tasks,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "decide_task",
            POST "/tasks/{id}/decision",
            inbox::decide_task,
            needs: [
                DECISION_WRITES,
            ]
        ),
        use_case!(
            "show_task_link",
            GET "/task-links/{link}",
            links::show_task_link,
            needs: [
                CASE_READS,
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "task_list_page",
            GET "/tugas",
            links::task_list_page,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "show_task_page",
            GET "/tugas/{id}",
            links::show_task_link,
            needs: [
                CASE_READS,
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "download_task_file",
            GET "/tugas/{id}/berkas/{file}",
            links::download_task_file,
            needs: [
                CASE_READS,
                Indexes(&["dynamodb:Query"]),
                Uploads("vendors/", &["s3:GetObject"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "show_correction_form",
            GET "/tugas/{id}/ubah",
            links::show_correction_form,
            needs: [
                CASE_READS,
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "correct_from_task_page",
            POST "/tugas/{id}/ubah",
            links::correct_from_task_page,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "decide_task_in_list",
            POST "/tugas/{id}",
            links::decide_task_page,
            needs: [
                DECISION_WRITES,
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "decide_task_page",
            POST "/task-links/{link}",
            links::decide_task_page,
            needs: [
                DECISION_WRITES,
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "decide_task_by_link",
            POST "/task-links/{link}/decision",
            links::decide_task_by_link,
            needs: [
                DECISION_WRITES,
            ]
        ),
    ]
}
