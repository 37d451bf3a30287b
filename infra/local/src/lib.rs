//! The local stack: one process that runs every Loket function against moto.
//!
//! It reads `infra/template.yaml`, provisions the emulator from it, seeds the demo
//! data, serves every HTTP route on one port (converting each request into the same
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

/// Every HTTP use case of every bounded context.
pub fn http_use_cases() -> Vec<UseCase> {
    let mut all = loket_identity::use_cases();
    all.extend(loket_reference::use_cases());
    all.extend(loket_vendors::use_cases());
    all.extend(loket_catalog::use_cases());
    all.extend(loket_workflows::use_cases());
    all
}

/// Every event (stream, queue, schedule) use case.
pub fn event_use_cases() -> Vec<EventUseCase> {
    let mut all = loket_notifications::event_use_cases();
    all.extend(loket_workflows::event_use_cases());
    all
}
