//! Lambda entry point of the orders context.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    loket_shared::lambda::run(&loket_orders::use_cases(), &loket_orders::event_use_cases()).await
}
