//! The dependencies of a function, built once at init and borrowed by every request.

use crate::auth::TokenKeys;
use crate::captcha::Captcha;
use crate::clock::{Clock, IdGen, RandomIds, SystemClock};
use crate::config::{Config, Secrets};
use crate::crypto::{Pepper, Sealer};
use crate::error::ApiResult;
use crate::mail::Mailer;
use crate::store::Store;
use std::sync::Arc;

pub struct App {
    pub cfg: Config,
    pub store: Store,
    pub mailer: Mailer,
    pub tokens: TokenKeys,
    pub sealer: Sealer,
    pub pepper: Pepper,
    pub captcha: Captcha,
    /// Step Functions: starts workflow executions and resumes their human tasks.
    pub sfn: aws_sdk_sfn::Client,
    /// S3: uploads (through presigned POSTs), their checks and presigned downloads.
    pub s3: aws_sdk_s3::Client,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGen>,
    /// The shared AWS configuration, for clients a context builds itself.
    pub aws: aws_config::SdkConfig,
}

impl App {
    /// Reads configuration and secrets and builds the SDK clients. `AWS_ENDPOINT_URL`
    /// (set by the local stack) points every client at the emulator.
    pub async fn from_env() -> ApiResult<Self> {
        let cfg = Config::from_env()?;
        let secrets = Secrets::load().await?;
        let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Self::build(
            cfg,
            secrets,
            aws,
            Arc::new(SystemClock),
            Arc::new(RandomIds),
        )
    }

    pub fn build(
        cfg: Config,
        secrets: Secrets,
        aws: aws_config::SdkConfig,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
    ) -> ApiResult<Self> {
        let store = Store::new(aws_sdk_dynamodb::Client::new(&aws), cfg.table.clone());
        let mailer = Mailer::new(aws_sdk_sesv2::Client::new(&aws), cfg.mail_from.clone());
        Ok(Self {
            tokens: TokenKeys::new(&secrets.jwt_keys, &secrets.jwt_active_kid, &cfg.issuer)?,
            sealer: Sealer::from_base64(&secrets.data_key)?,
            pepper: Pepper::from_base64(&secrets.pepper)?,
            captcha: Captcha::new(cfg.captcha.clone(), secrets.captcha_secret.clone()),
            sfn: aws_sdk_sfn::Client::new(&aws),
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&aws)
                    // Emulators are addressed by path (bucket hostnames do not resolve).
                    .force_path_style(std::env::var_os("AWS_ENDPOINT_URL").is_some())
                    .build(),
            ),
            store,
            mailer,
            cfg,
            clock,
            ids,
            aws,
        })
    }
}
