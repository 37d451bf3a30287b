//! The local stack: one process that runs every Loket function against moto.
//!
//! It reads `infra/template.yaml` and its nested stacks (`infra/stacks/`), provisions
//! the emulator from them, seeds the demo data, serves every HTTP route on one port (converting each request into the same
//! `lambda_http::Request` API Gateway would deliver), polls the table's stream and
//! delivers matching records to the event functions with the template's filters, and
//! fires scheduled functions.

pub mod faults;
pub mod provision;
pub mod seed;
pub mod server;
pub mod streams;
pub mod template;

use loket_shared::http::UseCase;
use loket_shared::lambda::EventUseCase;

/// A bounded context: its binary (and nested stack, `infra/stacks/<name>.yaml`) and
/// its declared use cases.
pub struct Context {
    pub name: &'static str,
    pub http: Vec<UseCase>,
    pub events: Vec<EventUseCase>,
}

/// Every bounded context.
pub fn contexts() -> Vec<Context> {
    let context = |name, http, events| Context { name, http, events };
    vec![
        context("identity", loket_identity::use_cases(), vec![]),
        context("reference", loket_reference::use_cases(), vec![]),
        context("vendors", loket_vendors::use_cases(), vec![]),
        context(
            "licensing",
            loket_licensing::use_cases(),
            loket_licensing::event_use_cases(),
        ),
        context(
            "catalog",
            loket_catalog::use_cases(),
            loket_catalog::event_use_cases(),
        ),
        context(
            "orders",
            loket_orders::use_cases(),
            loket_orders::event_use_cases(),
        ),
        context(
            "workflows",
            loket_workflows::use_cases(),
            loket_workflows::event_use_cases(),
        ),
        context(
            "notifications",
            loket_notifications::use_cases(),
            loket_notifications::event_use_cases(),
        ),
    ]
}

/// Every HTTP use case of every bounded context.
pub fn http_use_cases() -> Vec<UseCase> {
    contexts().into_iter().flat_map(|c| c.http).collect()
}

/// Every event (stream, queue, schedule) use case.
pub fn event_use_cases() -> Vec<EventUseCase> {
    contexts().into_iter().flat_map(|c| c.events).collect()
}
