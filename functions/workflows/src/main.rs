//! Lambda entry point of the workflows context.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run(
        &loket_workflows::use_cases(),
        &loket_workflows::event_use_cases(),
    )
    .await
}
