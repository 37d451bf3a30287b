//! What the lifecycle benchmarks (`order-lifecycle`, `permit-lifecycle`) share: the
//! local runner's meter read once everything settled, the Step Functions state
//! transitions of an execution (its history), and the cost of the counted units from
//! AWS's published prices, printed as one table.

use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use loket_e2e::Api;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Prices: AWS's public price pages for us-east-1 (N. Virginia), on-demand, without free
/// tiers, as known on the date below; Jakarta (ap-southeast-3) lists some 10–25 % higher.
pub const PRICES_DATE: &str =
    "list prices since the DynamoDB on-demand reduction of 2024-11-01, stated on 2026-12-03 without an online re-check";
const API_PER_MILLION: f64 = 1.00; // HTTP API, first 300 M requests per month
const LAMBDA_PER_MILLION: f64 = 0.20; // requests
const LAMBDA_PER_GB_SECOND_ARM: f64 = 0.000_013_333_4; // arm64 duration
const LAMBDA_MEMORY_GB: f64 = 0.25; // MemorySize 256 in every stack
const LAMBDA_ASSUMED_MS: f64 = 50.0; // assumed billed duration per invocation (see output)
const SFN_PER_THOUSAND_TRANSITIONS: f64 = 0.025; // Standard workflows
const DDB_PER_MILLION_READ_UNITS: f64 = 0.125; // on-demand read request units
const DDB_PER_MILLION_WRITE_UNITS: f64 = 0.625; // on-demand write request units
const SES_PER_THOUSAND_EMAILS: f64 = 0.10;
const KMS_PER_TEN_THOUSAND_ASYMMETRIC: f64 = 0.15; // Sign/Verify with an ECC key
const S3_PER_THOUSAND_PUTS: f64 = 0.005;

/// A flag's value from the command line (`--name value`), or `default`.
pub fn flag(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

pub async fn meter(api: &Api) -> Value {
    api.get("/__local/meter", None).await.expect(200).clone()
}

/// The meter once nothing has changed for two seconds (streams and emails settled).
pub async fn settled(api: &Api) -> Value {
    let mut last = meter(api).await;
    let mut quiet = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = meter(api).await;
        if now != last {
            last = now;
            quiet = Instant::now();
        } else if quiet.elapsed() > Duration::from_secs(2) {
            return last;
        }
    }
}

/// A Step Functions client of the emulator at `moto`.
pub fn sfn(moto: &str) -> aws_sdk_sfn::Client {
    aws_sdk_sfn::Client::from_conf(
        aws_sdk_sfn::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("x", "x", None, None, "bench"))
            .endpoint_url(moto)
            .build(),
    )
}

/// The states execution `execution` of `machine` entered (billed transitions).
pub async fn transitions(sfn: &aws_sdk_sfn::Client, machine: &str, execution: &str) -> u64 {
    let arn = format!("arn:aws:states:us-east-1:123456789012:execution:{machine}:{execution}");
    let mut entered = 0;
    let mut token = None;
    loop {
        let out = sfn
            .get_execution_history()
            .execution_arn(&arn)
            .set_next_token(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("history of {arn}: {e:?}"));
        entered += out
            .events()
            .iter()
            .filter(|e| e.r#type().as_str().ends_with("StateEntered"))
            .count() as u64;
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return entered;
        }
    }
}

/// What one unit of work (an order, an application) cost, counted.
#[derive(Debug, Default, Clone, Copy)]
pub struct PerUnit {
    pub http_requests: f64,
    pub api_requests: f64,
    pub invocations: f64,
    pub transitions: f64,
    pub read_requests: f64,
    pub items_read: f64,
    pub read_units: f64,
    pub write_requests: f64,
    pub items_written: f64,
    pub write_units: f64,
    pub emails: f64,
    pub kms_calls: f64,
    /// Objects written to S3 (uploads, generated PDFs).
    pub s3_puts: f64,
}

impl PerUnit {
    /// The meter's difference over `n` units, with the client's requests and the
    /// executions' transitions counted outside it.
    pub fn of(before: &Value, after: &Value, n: f64, http: f64, transitions: f64) -> Self {
        let per = |name: &str| {
            (after[name].as_u64().unwrap_or(0) - before[name].as_u64().unwrap_or(0)) as f64 / n
        };
        Self {
            http_requests: http / n,
            api_requests: per("api_requests"),
            invocations: per("invocations"),
            transitions: transitions / n,
            read_requests: per("dynamodb_read_requests"),
            items_read: per("dynamodb_items_read"),
            read_units: per("dynamodb_read_units"),
            write_requests: per("dynamodb_write_requests"),
            items_written: per("dynamodb_items_written"),
            write_units: per("dynamodb_write_units"),
            emails: per("emails_sent"),
            kms_calls: per("kms_calls"),
            s3_puts: 0.0,
        }
    }

    /// Prints the counts per `unit` and the cost per 1 000 of them.
    pub fn print(&self, unit: &str, workflow: &str) {
        println!("per {unit}:");
        println!(
            "  HTTP requests (client)            {:>8.1}",
            self.http_requests
        );
        println!(
            "  API requests (API Gateway)        {:>8.1}",
            self.api_requests
        );
        println!(
            "  Lambda invocations                {:>8.1}   (API + stream batches + scheduled runs)",
            self.invocations
        );
        println!(
            "  Step Functions state transitions  {:>8.1}   (Standard workflow, {workflow})",
            self.transitions
        );
        println!(
            "  DynamoDB read requests            {:>8.1}   items read {:.1}, read units {:.1}",
            self.read_requests, self.items_read, self.read_units
        );
        println!(
            "  DynamoDB write requests           {:>8.1}   items written {:.1}, write units {:.1} (transactions ×2, indexes included)",
            self.write_requests, self.items_written, self.write_units
        );
        println!("  emails sent (SES)                 {:>8.1}", self.emails);
        println!(
            "  KMS requests (Sign, Verify)       {:>8.1}",
            self.kms_calls
        );
        println!("  S3 objects written                {:>8.1}", self.s3_puts);
        let per_thousand = |units: f64, price: f64, per: f64| units * 1000.0 / per * price;
        let c_api = per_thousand(self.api_requests, API_PER_MILLION, 1e6);
        let c_lambda_req = per_thousand(self.invocations, LAMBDA_PER_MILLION, 1e6);
        let c_lambda_dur = self.invocations * 1000.0 * LAMBDA_ASSUMED_MS / 1000.0
            * LAMBDA_MEMORY_GB
            * LAMBDA_PER_GB_SECOND_ARM;
        let c_sfn = per_thousand(self.transitions, SFN_PER_THOUSAND_TRANSITIONS, 1e3);
        let c_read = per_thousand(self.read_units, DDB_PER_MILLION_READ_UNITS, 1e6);
        let c_write = per_thousand(self.write_units, DDB_PER_MILLION_WRITE_UNITS, 1e6);
        let c_ses = per_thousand(self.emails, SES_PER_THOUSAND_EMAILS, 1e3);
        let c_kms = per_thousand(self.kms_calls, KMS_PER_TEN_THOUSAND_ASYMMETRIC, 1e4);
        let c_s3 = per_thousand(self.s3_puts, S3_PER_THOUSAND_PUTS, 1e3);
        let total =
            c_api + c_lambda_req + c_lambda_dur + c_sfn + c_read + c_write + c_ses + c_kms + c_s3;
        println!("cost per 1 000 {unit}s, USD (prices: AWS us-east-1, {PRICES_DATE}):");
        println!(
            "  API Gateway HTTP API   ${c_api:>8.4}   (${API_PER_MILLION:.2} per million requests)"
        );
        println!("  Lambda requests        ${c_lambda_req:>8.4}   (${LAMBDA_PER_MILLION:.2} per million)");
        println!("  Lambda duration        ${c_lambda_dur:>8.4}   (arm64 ${LAMBDA_PER_GB_SECOND_ARM} per GB-s, 256 MB, ASSUMED {LAMBDA_ASSUMED_MS} ms per invocation)");
        println!("  Step Functions         ${c_sfn:>8.4}   (${SFN_PER_THOUSAND_TRANSITIONS} per 1 000 state transitions)");
        println!("  DynamoDB reads         ${c_read:>8.4}   (${DDB_PER_MILLION_READ_UNITS} per million read units)");
        println!("  DynamoDB writes        ${c_write:>8.4}   (${DDB_PER_MILLION_WRITE_UNITS} per million write units)");
        println!("  SES                    ${c_ses:>8.4}   (${SES_PER_THOUSAND_EMAILS:.2} per 1 000 emails)");
        println!("  KMS                    ${c_kms:>8.4}   (${KMS_PER_TEN_THOUSAND_ASYMMETRIC:.2} per 10 000 asymmetric requests; the key itself $1 per month)");
        println!("  S3 writes              ${c_s3:>8.4}   (${S3_PER_THOUSAND_PUTS} per 1 000 PUT; reads and storage not included)");
        println!("  total                  ${total:>8.4}");
    }
}
