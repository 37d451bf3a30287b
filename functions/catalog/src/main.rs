//! Lambda entry point of the catalog context.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run(
        &loket_catalog::use_cases(),
        &loket_catalog::event_use_cases(),
    )
    .await
}
