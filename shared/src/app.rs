//! The dependencies of a function, built once at init and borrowed by every request.
//!
//! A Lambda function builds only the SDK clients its use case declares
//! ([`App::from_env_for`], from the needs in `use_case!`/`event_use_case!`); asking for
//! another one is a 500 naming the client and the use case, so a missing declaration
//! shows at once (the local stack gives each use case the same restricted view).

use crate::auth::TokenKeys;
use crate::captcha::Captcha;
use crate::clock::{Clock, IdGen, RandomIds, SystemClock};
use crate::config::{Config, Secrets};
use crate::crypto::{Pepper, Sealer};
use crate::error::{ApiError, ApiResult};
use crate::mail::Mailer;
use crate::needs::{uses, Client, Need};
use crate::store::Store;
use std::sync::Arc;

/// What `App::from_env` serves: every use case (the local stack, admin tools).
pub const ALL_USE_CASES: &str = "every use case";

/// How long one call to an AWS service may take: a service that stalls (or an emulator
/// that is stopped) makes the request a clean `503 service_unavailable` well before the
/// function's 10 s timeout, instead of a function killed mid-request. A call that took
/// effect although its answer never came is covered by the use cases themselves: their
/// writes are conditional and single transactions, so the user's retry is refused as
/// already done or completes, never half-done. DynamoDB answers in milliseconds: an
/// operation is given 8 s, retries included, each attempt half of it.
/// `LOKET_SDK_TIMEOUT_SECONDS` changes it (the local test stack's shared, single-threaded
/// emulators queue requests under load and get more; its fault deployment keeps this).
pub const OPERATION_TIMEOUT_SECONDS: u64 = 8;

/// The AWS configuration every function (and the local stack) builds its clients from:
/// the environment's credentials, region and endpoint, and the timeouts above.
pub async fn aws_config() -> aws_config::SdkConfig {
    let operation = std::env::var("LOKET_SDK_TIMEOUT_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s >= 2)
        .unwrap_or(OPERATION_TIMEOUT_SECONDS);
    let operation = std::time::Duration::from_secs(operation);
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(2))
                .operation_attempt_timeout(operation / 2)
                .operation_timeout(operation)
                .build(),
        )
        .load()
        .await
}

#[derive(Clone)]
pub struct App {
    pub cfg: Config,
    /// The table: every use case declares a `Table` need (checked by the declarations
    /// test), so the DynamoDB client is always built.
    pub store: Store,
    pub tokens: TokenKeys,
    pub sealer: Sealer,
    pub pepper: Pepper,
    pub captcha: Captcha,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGen>,
    /// The shared AWS configuration (credentials and region, e.g. for presigning).
    pub aws: aws_config::SdkConfig,
    /// The use case this App serves, named in the error for an undeclared client.
    use_case: &'static str,
    /// SES: sends the outbox's emails.
    mailer: Option<Mailer>,
    /// Step Functions: starts workflow executions and resumes their human tasks.
    sfn: Option<aws_sdk_sfn::Client>,
    /// S3: uploads (through presigned POSTs), their checks and presigned downloads.
    s3: Option<aws_sdk_s3::Client>,
    /// KMS: signs issued permits and verifies their signatures.
    kms: Option<aws_sdk_kms::Client>,
}

impl App {
    /// Reads configuration and secrets and builds every SDK client (the local stack,
    /// which serves every use case in one process, and admin tools). `AWS_ENDPOINT_URL`
    /// (set by the local stack) points every client at the emulator.
    pub async fn from_env() -> ApiResult<Self> {
        let (cfg, secrets, aws) = Self::environment().await?;
        Self::build(
            cfg,
            secrets,
            aws,
            Arc::new(SystemClock),
            Arc::new(RandomIds),
        )
    }

    /// As [`App::from_env`], building only the clients that `needs` (the use case's
    /// declaration) imply: a Lambda function's init.
    pub async fn from_env_for(use_case: &'static str, needs: &[Need]) -> ApiResult<Self> {
        let (cfg, secrets, aws) = Self::environment().await?;
        Self::build_for(
            use_case,
            needs,
            cfg,
            secrets,
            aws,
            Arc::new(SystemClock),
            Arc::new(RandomIds),
        )
    }

    async fn environment() -> ApiResult<(Config, Secrets, aws_config::SdkConfig)> {
        let cfg = Config::from_env()?;
        let secrets = Secrets::load().await?;
        Ok((cfg, secrets, aws_config().await))
    }

    /// Every client.
    pub fn build(
        cfg: Config,
        secrets: Secrets,
        aws: aws_config::SdkConfig,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
    ) -> ApiResult<Self> {
        let mut app = Self::build_for(ALL_USE_CASES, &[], cfg, secrets, aws, clock, ids)?;
        app.mailer = Some(app.new_mailer());
        app.sfn = Some(aws_sdk_sfn::Client::new(&app.aws));
        app.s3 = Some(app.new_s3());
        app.kms = Some(aws_sdk_kms::Client::new(&app.aws));
        Ok(app)
    }

    /// The clients `needs` imply (the table's always).
    pub fn build_for(
        use_case: &'static str,
        needs: &[Need],
        cfg: Config,
        secrets: Secrets,
        aws: aws_config::SdkConfig,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
    ) -> ApiResult<Self> {
        let store = Store::new(aws_sdk_dynamodb::Client::new(&aws), cfg.table.clone());
        let mut app = Self {
            tokens: TokenKeys::new(&secrets.jwt_keys, &secrets.jwt_active_kid, &cfg.issuer)?,
            sealer: Sealer::from_base64(&secrets.data_key)?,
            pepper: Pepper::from_base64(&secrets.pepper)?,
            captcha: Captcha::new(cfg.captcha.clone(), secrets.captcha_secret.clone()),
            store,
            cfg,
            clock,
            ids,
            aws,
            use_case,
            mailer: None,
            sfn: None,
            s3: None,
            kms: None,
        };
        app.mailer = uses(needs, Client::Ses).then(|| app.new_mailer());
        app.sfn = uses(needs, Client::StepFunctions).then(|| aws_sdk_sfn::Client::new(&app.aws));
        app.s3 = uses(needs, Client::S3).then(|| app.new_s3());
        app.kms = uses(needs, Client::Kms).then(|| aws_sdk_kms::Client::new(&app.aws));
        Ok(app)
    }

    fn new_mailer(&self) -> Mailer {
        Mailer::new(
            aws_sdk_sesv2::Client::new(&self.aws),
            self.cfg.mail_from.clone(),
        )
    }

    fn new_s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.aws)
                // Emulators are addressed by path (bucket hostnames do not resolve).
                .force_path_style(std::env::var_os("AWS_ENDPOINT_URL").is_some())
                .build(),
        )
    }

    /// This App as the function of `use_case` has it: only the clients its `needs`
    /// imply (the local stack serves each use case through such a view, so a handler
    /// that uses an undeclared client fails there as it would in its Lambda function).
    pub fn restricted_to(&self, use_case: &'static str, needs: &[Need]) -> Self {
        let mut app = self.clone();
        app.use_case = use_case;
        if !uses(needs, Client::Ses) {
            app.mailer = None;
        }
        if !uses(needs, Client::StepFunctions) {
            app.sfn = None;
        }
        if !uses(needs, Client::S3) {
            app.s3 = None;
        }
        if !uses(needs, Client::Kms) {
            app.kms = None;
        }
        app
    }

    /// Replaces the Step Functions client (the local stack's fault injection).
    pub fn set_sfn(&mut self, client: aws_sdk_sfn::Client) {
        self.sfn = Some(client);
    }

    fn undeclared(&self, client: Client) -> ApiError {
        ApiError::internal(format!(
            "{} client not declared for {} (add the need to its use_case! declaration)",
            client.name(),
            self.use_case
        ))
    }

    /// SES, for a use case that declares a `Mail` need.
    pub fn mailer(&self) -> ApiResult<&Mailer> {
        self.mailer
            .as_ref()
            .ok_or_else(|| self.undeclared(Client::Ses))
    }

    /// Step Functions, for a use case that declares a `StateMachines` need.
    pub fn sfn(&self) -> ApiResult<&aws_sdk_sfn::Client> {
        self.sfn
            .as_ref()
            .ok_or_else(|| self.undeclared(Client::StepFunctions))
    }

    /// S3, for a use case that declares an `Uploads` need.
    pub fn s3(&self) -> ApiResult<&aws_sdk_s3::Client> {
        self.s3.as_ref().ok_or_else(|| self.undeclared(Client::S3))
    }

    /// KMS, for a use case that declares a `SigningKey` need.
    pub fn kms(&self) -> ApiResult<&aws_sdk_kms::Client> {
        self.kms
            .as_ref()
            .ok_or_else(|| self.undeclared(Client::Kms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn app_for(needs: &[Need]) -> App {
        std::env::set_var("LOKET_TABLE", "t");
        let cfg = Config::from_env().unwrap();
        let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_string();
        let secrets = Secrets {
            jwt_keys: BTreeMap::from([("k".to_string(), key.clone())]),
            jwt_active_kid: "k".into(),
            data_key: key.clone(),
            pepper: key,
            captcha_secret: String::new(),
        };
        let aws = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        App::build_for(
            "get_vendor_product",
            needs,
            cfg,
            secrets,
            aws,
            Arc::new(SystemClock),
            Arc::new(RandomIds),
        )
        .unwrap()
    }

    #[test]
    fn a_function_builds_only_the_clients_it_declares() {
        let app = app_for(&[
            Need::Table(&["dynamodb:GetItem"]),
            Need::Uploads("products/", &["s3:GetObject"]),
        ]);
        assert!(app.s3().is_ok());
        let e = app.sfn().unwrap_err();
        assert_eq!((e.status, e.code), (500, "internal_error"));
        assert!(app.mailer().is_err());
        let narrower = app.restricted_to("get_profile", &[Need::Table(&["dynamodb:GetItem"])]);
        assert!(narrower.s3().is_err());
        assert_eq!(narrower.store.table(), "t");
    }
}
