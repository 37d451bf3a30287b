//! Lambda entry points. A context's binary calls [`run_http`] or [`run_events`] with
//! its registry; the use case comes from `LOKET_USE_CASE`, so each Lambda function runs
//! exactly one handler while one binary serves a whole bounded context.

use crate::app::App;
use crate::http::{respond, UseCase};
use lambda_http::{service_fn, Error};
use std::sync::Arc;

/// JSON logs for CloudWatch; level from `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .with_target(false)
        .try_init();
}

fn use_case_name() -> Result<String, Error> {
    std::env::var("LOKET_USE_CASE").map_err(|_| "LOKET_USE_CASE is not set".into())
}

/// Runs the HTTP use case named by `LOKET_USE_CASE`.
pub async fn run_http(registry: &[UseCase]) -> Result<(), Error> {
    init_tracing();
    let name = use_case_name()?;
    let uc = registry
        .iter()
        .find(|u| u.name == name)
        .copied()
        .ok_or_else(|| format!("no HTTP use case named {name}"))?;
    let app = Arc::new(App::from_env().await?);
    lambda_http::run(service_fn(move |req| {
        let app = app.clone();
        async move { Ok::<_, Error>(respond((uc.handler)(app, req).await)) }
    }))
    .await
}

pub type EventFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = crate::ApiResult<serde_json::Value>> + Send>,
>;
/// An event use case (stream, queue or schedule): JSON event in, JSON result out.
pub type EventHandler = fn(Arc<App>, serde_json::Value) -> EventFuture;

#[derive(Clone, Copy)]
pub struct EventUseCase {
    pub name: &'static str,
    pub handler: EventHandler,
}

/// Registers an async fn `(Arc<App>, Value) -> ApiResult<Value>` as an event use case.
#[macro_export]
macro_rules! event_use_case {
    ($name:literal, $f:path) => {
        $crate::lambda::EventUseCase {
            name: $name,
            handler: |app, ev| Box::pin($f(app, ev)),
        }
    };
}

/// Runs the event use case named by `LOKET_USE_CASE`.
pub async fn run_events(registry: &[EventUseCase]) -> Result<(), Error> {
    init_tracing();
    let name = use_case_name()?;
    let uc = registry
        .iter()
        .find(|u| u.name == name)
        .copied()
        .ok_or_else(|| format!("no event use case named {name}"))?;
    let app = Arc::new(App::from_env().await?);
    lambda_http::lambda_runtime::run(lambda_http::lambda_runtime::service_fn(
        move |ev: lambda_http::lambda_runtime::LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            async move { (uc.handler)(app, ev.payload).await.map_err(Error::from) }
        },
    ))
    .await
}
