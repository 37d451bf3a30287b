//! Lambda entry point of the licensing context.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run(
        &loket_licensing::use_cases(),
        &loket_licensing::event_use_cases(),
    )
    .await
}
