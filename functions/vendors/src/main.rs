//! Lambda entry point of the vendors context.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run(&loket_vendors::use_cases(), &[]).await
}
