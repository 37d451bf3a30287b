//! Code every Loket function shares: configuration, the error model, the single-table
//! storage layer, authentication, cryptography, email, HTTP helpers and the pure rules.
//!
//! Nothing here knows about a particular use case; the bounded contexts under
//! `functions/` build on these pieces.

pub mod app;
pub mod approval;
pub mod auth;
pub mod captcha;
pub mod clock;
pub mod config;
pub mod conversations;
pub mod crypto;
pub mod cursor;
pub mod error;
pub mod executions;
pub mod files;
pub mod http;
pub mod lambda;
pub mod mail;
pub mod meter;
pub mod needs;
pub mod pdf;
pub mod ratelimit;
pub mod rules;
pub mod schema;
pub mod signing;
pub mod store;
pub mod streams;
pub mod tasks;
pub mod web;

pub use app::App;

/// Makes aws-lc (the AWS SDK's crypto) the process's TLS provider, so HTTPS clients built
/// outside the SDK share one TLS stack. Idempotent; call before building such clients.
pub fn init_tls() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
pub use error::{ApiError, ApiResult};
