//! Lambda entry point of the notifications context (stream-driven, and the inbox).
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run(
        &loket_notifications::use_cases(),
        &loket_notifications::event_use_cases(),
    )
    .await
}
