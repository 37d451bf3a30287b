//! Lambda entry point of the workflows context.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run_http(&loket_workflows::use_cases()).await
}
