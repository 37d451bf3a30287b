//! Lambda entry point of the reference-data context.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run(&loket_reference::use_cases(), &[]).await
}
