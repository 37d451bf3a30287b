//! Workflows: the human tasks the state machines open, as officers see them — their
//! inbox and their decisions. What a decision does to its subject belongs to the
//! subject's context (`loket_vendors::onboarding::decide` for vendor onboarding,
//! `loket_catalog::listing::decide` for product listing).

pub mod inbox;
pub mod links;

use loket_shared::http::UseCase;
use loket_shared::use_case;

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!("list_tasks", inbox::list_tasks),
        use_case!("decide_task", inbox::decide_task),
        use_case!("show_task_link", links::show_task_link),
        use_case!("decide_task_by_link", links::decide_task_by_link),
    ]
}
