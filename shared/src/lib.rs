//! Code every Loket function shares: configuration, the error model, the single-table
//! storage layer, authentication, cryptography, email, HTTP helpers and the pure rules.
//!
//! Nothing here knows about a particular use case; the bounded contexts under
//! `functions/` build on these pieces.

pub mod app;
pub mod auth;
pub mod captcha;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
pub mod http;
pub mod lambda;
pub mod mail;
pub mod ratelimit;
pub mod rules;
pub mod store;

pub use app::App;
pub use error::{ApiError, ApiResult};
