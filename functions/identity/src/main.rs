//! Lambda entry point of the identity context: runs the use case named by `LOKET_USE_CASE`.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run(&loket_identity::use_cases(), &[]).await
}
