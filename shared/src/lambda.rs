//! Lambda entry points. A context's binary calls [`run`] with its registries; the use
//! case comes from `LOKET_USE_CASE`, so each Lambda function runs exactly one handler
//! while one binary serves a whole bounded context, and builds only the SDK clients its
//! use case declares.

use crate::app::App;
use crate::http::{respond, UseCase};
use crate::needs::Need;
use lambda_http::{service_fn, Error};
use std::sync::Arc;
use tracing::Instrument;

/// JSON logs for CloudWatch; level from `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        // The request span's fields (use case, user id) on every line of a request.
        .with_current_span(true)
        .with_span_list(false)
        .without_time()
        .with_target(false)
        .try_init();
}

fn use_case_name() -> Result<String, Error> {
    std::env::var("LOKET_USE_CASE").map_err(|_| "LOKET_USE_CASE is not set".into())
}

/// Runs the use case named by `LOKET_USE_CASE`, an HTTP one (`http`) or an event one
/// (`events`).
pub async fn run(http: &[UseCase], events: &[EventUseCase]) -> Result<(), Error> {
    init_tracing();
    let name = use_case_name()?;
    if let Some(uc) = http.iter().find(|u| u.name == name).copied() {
        serve_http(uc).await
    } else if let Some(uc) = events.iter().find(|u| u.name == name).copied() {
        serve_events(uc).await
    } else {
        Err(format!("no use case named {name}").into())
    }
}

/// The span of one request: the use case, and the caller once authenticated
/// (`http::authenticate` records `user_id`), so every log line of the request says who.
pub fn request_span(use_case: &str) -> tracing::Span {
    tracing::info_span!("request", use_case, user_id = tracing::field::Empty)
}

async fn serve_http(uc: UseCase) -> Result<(), Error> {
    let app = Arc::new(App::from_env_for(uc.name, uc.needs).await?);
    lambda_http::run(service_fn(move |req| {
        let app = app.clone();
        let span = request_span(uc.name);
        async move { Ok::<_, Error>(respond((uc.handler)(app, req).await)) }.instrument(span)
    }))
    .await
}

pub type EventFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = crate::ApiResult<serde_json::Value>> + Send>,
>;
/// An event use case (stream, queue or schedule): JSON event in, JSON result out.
pub type EventHandler = fn(Arc<App>, serde_json::Value) -> EventFuture;

/// A named event use case, declared once: its name (the `LOKET_USE_CASE` of its Lambda
/// function), what it needs from AWS (see [`crate::needs`]) and its handler. Its
/// trigger (stream filter, schedule) is the template's.
#[derive(Clone, Copy)]
pub struct EventUseCase {
    pub name: &'static str,
    pub needs: &'static [Need],
    pub handler: EventHandler,
}

/// Declares an event use case: name, handler (an async fn
/// `(Arc<App>, Value) -> ApiResult<Value>`) and needs, as `use_case!` does.
#[macro_export]
macro_rules! event_use_case {
    ($name:literal, $f:path, needs: [$($need:expr),* $(,)?] $(,)?) => {
        $crate::lambda::EventUseCase {
            name: $name,
            needs: &[$($need),*],
            handler: |app, ev| Box::pin($f(app, ev)),
        }
    };
}

async fn serve_events(uc: EventUseCase) -> Result<(), Error> {
    let app = Arc::new(App::from_env_for(uc.name, uc.needs).await?);
    lambda_http::lambda_runtime::run(lambda_http::lambda_runtime::service_fn(
        move |ev: lambda_http::lambda_runtime::LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            async move { (uc.handler)(app, ev.payload).await.map_err(Error::from) }
        },
    ))
    .await
}
