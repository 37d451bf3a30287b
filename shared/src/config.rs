//! Configuration from the environment, read once at init.
//!
//! Secrets (JWT signing keys, the data key that seals NIKs and outbox secrets, the pepper
//! for keyed hashes, the captcha secret) come from the environment locally and from one
//! Secrets Manager secret in the cloud, read through the AWS Parameters and Secrets
//! Lambda Extension so no extra SDK is linked into every function.

use crate::error::ApiError;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::env;

/// How wrong logins are slowed down and then locked.
#[derive(Debug, Clone)]
pub struct LoginPolicy {
    /// Failures (per account) before each further attempt must wait.
    pub throttle_after: u32,
    /// Failures (per account) that lock the account for `lock_seconds`.
    pub lock_after: u32,
    /// Base of the exponential wait between attempts once throttled.
    pub delay_base_ms: u64,
    pub lock_seconds: i64,
    /// Per source address thresholds are this many times the account ones.
    pub per_address_factor: u32,
    /// The window in which failures are counted.
    pub window_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptchaKind {
    /// Accepts only the documented token `lulus-captcha-uji` (local stack and tests).
    Test,
    Turnstile,
    Recaptcha,
}

/// Secret material, never logged.
#[derive(Clone, Deserialize)]
pub struct Secrets {
    /// kid → base64 HMAC key (≥ 32 bytes).
    pub jwt_keys: BTreeMap<String, String>,
    pub jwt_active_kid: String,
    /// base64, 32 bytes: AES-256-GCM key for sealed values.
    pub data_key: String,
    /// base64, ≥ 32 bytes: HMAC key for lookup hashes of NIKs, codes and tokens.
    pub pepper: String,
    #[serde(default)]
    pub captcha_secret: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("jwt_keys", &self.jwt_keys.keys().collect::<Vec<_>>())
            .field("jwt_active_kid", &self.jwt_active_kid)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub stage: String,
    pub table: String,
    pub bucket: String,
    pub mail_from: String,
    /// Base URL of the web front end, used in links sent by email.
    pub public_url: String,
    pub issuer: String,
    pub access_ttl_seconds: i64,
    pub refresh_ttl_seconds: i64,
    pub code_ttl_seconds: i64,
    pub code_max_attempts: u32,
    pub code_resend_seconds: i64,
    pub activation_ttl_seconds: i64,
    pub login: LoginPolicy,
    pub captcha: CaptchaKind,
    pub onboarding: OnboardingConfig,
    pub catalog: CatalogConfig,
    pub orders: OrdersConfig,
    pub licensing: LicensingConfig,
    /// The offices' time zone as people name it (`LOKET_OFFICE_ZONE`: WIB, WITA or
    /// WIT) and its offset from UTC in hours: pages show times in it.
    pub office_zone: (&'static str, i8),
}

/// The product catalog.
#[derive(Debug, Clone)]
pub struct CatalogConfig {
    /// ARN of the product listing state machine (`LOKET_PRODUCT_LISTING_ARN`).
    pub listing_state_machine: Option<String>,
}

/// Permit applications (E-PTSP).
#[derive(Debug, Clone)]
pub struct LicensingConfig {
    /// ARN of the permit application state machine (`LOKET_PERMIT_APPLICATION_ARN`).
    pub state_machine: Option<String>,
    /// Working days an applicant has to resubmit a revision before the application
    /// lapses (`LOKET_REVISION_LAPSE_DAYS`, seed: 5).
    pub revision_lapse_working_days: i64,
    /// The managed key that signs permits: a KMS key id, ARN or alias
    /// (`LOKET_PERMIT_SIGNING_KEY`).
    pub signing_key: Option<String>,
    /// The map page's tiles, a URL template (`LOKET_MAP_TILES`; default OpenStreetMap).
    pub map_tiles: String,
    /// ARN of the complaint state machine (`LOKET_COMPLAINT_ARN`).
    pub complaint_state_machine: Option<String>,
    /// The organisation whose helpdesk answers complaints about no application
    /// (`LOKET_COMPLAINTS_ORG`, the one-stop office DPMPTSP).
    pub complaints_org: String,
}

/// Procurement orders.
#[derive(Debug, Clone)]
pub struct OrdersConfig {
    /// ARN of the order lifecycle state machine (`LOKET_ORDER_LIFECYCLE_ARN`).
    pub lifecycle_state_machine: Option<String>,
    /// ARN of the order cancellation state machine (`LOKET_ORDER_CANCELLATION_ARN`).
    pub cancellation_state_machine: Option<String>,
    /// Working days an order may wait for the vendor's "Proses" before the vendor is
    /// reminded (`LOKET_ORDER_CONFIRM_REMIND_DAYS`) …
    pub confirm_remind_after_working_days: i64,
    /// … and before it expires, both parties emailed (`LOKET_ORDER_CONFIRM_EXPIRE_DAYS`).
    pub confirm_expire_after_working_days: i64,
    /// Working days a shipped order may wait for the buyer's receipt before the buyer is
    /// reminded; the same for the vendor's shipment and the buyer's rating, and for the
    /// other party's answer to a cancellation request (`LOKET_ORDER_STEP_REMIND_DAYS`).
    pub step_remind_after_working_days: i64,
    /// JATHIL MART's service time applies within this regency (Kabupaten Ponorogo,
    /// `LOKET_JATHIL_REGENCY`).
    pub jathil_regency: String,
    /// JATHIL MART's service time in working days, validation to receipt.
    pub jathil_service_working_days: i64,
    /// The organisation code self-registered JATHIL MART customers buy under
    /// (`LOKET_JATHIL_CUSTOMER_ORG`).
    pub jathil_customer_org: String,
}

/// Vendor onboarding: which chain the deployment runs and where its tasks go.
#[derive(Debug, Clone)]
pub struct OnboardingConfig {
    /// `eorder` (default) or `jathil` (`LOKET_ONBOARDING_CHAIN`).
    pub chain: String,
    /// ARN of the e-Order onboarding state machine (`LOKET_ONBOARDING_EORDER_ARN`).
    pub eorder_state_machine: Option<String>,
    /// ARN of the JATHIL MART onboarding state machine (`LOKET_ONBOARDING_JATHIL_ARN`).
    pub jathil_state_machine: Option<String>,
    /// The organisation whose eorder_admin officers activate vendors.
    pub eorder_admin_org: String,
    /// How long a human task waits before it is re-issued.
    pub task_timeout_seconds: i64,
    /// How long an emailed decision link works.
    pub link_ttl_seconds: i64,
    /// Working days a task may wait before its officers are reminded.
    pub remind_after_working_days: i64,
    /// Working days after which the organisation's satpel / main_admin are told.
    pub escalate_after_working_days: i64,
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn num<T: std::str::FromStr>(name: &str, default: T) -> Result<T, ApiError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| ApiError::internal(format!("configuration {name} is not a number"))),
    }
}

fn required(name: &str) -> Result<String, ApiError> {
    var(name).ok_or_else(|| ApiError::internal(format!("configuration {name} is missing")))
}

impl Config {
    /// Whether this is a JATHIL MART deployment (its onboarding chain): its orders are
    /// validated and paid out by its administrators, its customers register themselves.
    pub fn jathil(&self) -> bool {
        self.onboarding.chain == "jathil"
    }

    pub fn from_env() -> Result<Self, ApiError> {
        let captcha = match var("LOKET_CAPTCHA").as_deref().unwrap_or("test") {
            "test" => CaptchaKind::Test,
            "turnstile" => CaptchaKind::Turnstile,
            "recaptcha" => CaptchaKind::Recaptcha,
            other => {
                return Err(ApiError::internal(format!(
                    "LOKET_CAPTCHA={other} is not one of test, turnstile, recaptcha"
                )))
            }
        };
        let stage = var("LOKET_STAGE").unwrap_or_else(|| "local".into());
        if captcha == CaptchaKind::Test && stage == "prod" {
            return Err(ApiError::internal(
                "the test captcha verifier is refused when LOKET_STAGE=prod",
            ));
        }
        Ok(Self {
            table: required("LOKET_TABLE")?,
            bucket: var("LOKET_BUCKET").unwrap_or_default(),
            mail_from: var("LOKET_MAIL_FROM").unwrap_or_else(|| "no-reply@loket.local".into()),
            public_url: var("LOKET_PUBLIC_URL")
                .unwrap_or_else(|| "http://127.0.0.1:3000".into())
                .trim_end_matches('/')
                .to_string(),
            issuer: format!("loket-{stage}"),
            stage,
            access_ttl_seconds: num("LOKET_ACCESS_TTL_SECONDS", 900)?,
            refresh_ttl_seconds: num("LOKET_REFRESH_TTL_SECONDS", 30 * 24 * 3600)?,
            code_ttl_seconds: num("LOKET_CODE_TTL_SECONDS", 600)?,
            code_max_attempts: num("LOKET_CODE_MAX_ATTEMPTS", 5)?,
            code_resend_seconds: num("LOKET_CODE_RESEND_SECONDS", 60)?,
            activation_ttl_seconds: num("LOKET_ACTIVATION_TTL_SECONDS", 3 * 24 * 3600)?,
            login: LoginPolicy {
                throttle_after: num("LOKET_LOGIN_THROTTLE_AFTER", 5)?,
                lock_after: num("LOKET_LOGIN_LOCK_AFTER", 10)?,
                delay_base_ms: num("LOKET_LOGIN_DELAY_BASE_MS", 1000)?,
                lock_seconds: num("LOKET_LOGIN_LOCK_SECONDS", 900)?,
                per_address_factor: num("LOKET_LOGIN_PER_ADDRESS_FACTOR", 5)?,
                window_seconds: num("LOKET_LOGIN_WINDOW_SECONDS", 900)?,
            },
            captcha,
            onboarding: OnboardingConfig {
                chain: var("LOKET_ONBOARDING_CHAIN").unwrap_or_else(|| "eorder".into()),
                eorder_state_machine: var("LOKET_ONBOARDING_EORDER_ARN"),
                jathil_state_machine: var("LOKET_ONBOARDING_JATHIL_ARN"),
                eorder_admin_org: var("LOKET_EORDER_ADMIN_ORG").unwrap_or_else(|| "141732".into()),
                task_timeout_seconds: num("LOKET_TASK_TIMEOUT_SECONDS", 30 * 24 * 3600)?,
                link_ttl_seconds: num("LOKET_TASK_LINK_TTL_SECONDS", 30 * 24 * 3600)?,
                remind_after_working_days: num("LOKET_REMIND_AFTER_WORKING_DAYS", 3)?,
                escalate_after_working_days: num("LOKET_ESCALATE_AFTER_WORKING_DAYS", 5)?,
            },
            catalog: CatalogConfig {
                listing_state_machine: var("LOKET_PRODUCT_LISTING_ARN"),
            },
            orders: OrdersConfig {
                lifecycle_state_machine: var("LOKET_ORDER_LIFECYCLE_ARN"),
                cancellation_state_machine: var("LOKET_ORDER_CANCELLATION_ARN"),
                confirm_remind_after_working_days: num("LOKET_ORDER_CONFIRM_REMIND_DAYS", 1)?,
                confirm_expire_after_working_days: num("LOKET_ORDER_CONFIRM_EXPIRE_DAYS", 3)?,
                step_remind_after_working_days: num("LOKET_ORDER_STEP_REMIND_DAYS", 2)?,
                jathil_regency: var("LOKET_JATHIL_REGENCY").unwrap_or_else(|| "35.02".into()),
                jathil_service_working_days: num("LOKET_JATHIL_SERVICE_DAYS", 3)?,
                jathil_customer_org: var("LOKET_JATHIL_CUSTOMER_ORG")
                    .unwrap_or_else(|| "PELANGGAN".into()),
            },
            licensing: LicensingConfig {
                state_machine: var("LOKET_PERMIT_APPLICATION_ARN"),
                revision_lapse_working_days: num("LOKET_REVISION_LAPSE_DAYS", 5)?,
                signing_key: var("LOKET_PERMIT_SIGNING_KEY"),
                complaint_state_machine: var("LOKET_COMPLAINT_ARN"),
                complaints_org: var("LOKET_COMPLAINTS_ORG").unwrap_or_else(|| "DPMPTSP".into()),
                map_tiles: var("LOKET_MAP_TILES")
                    .unwrap_or_else(|| "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into()),
            },
            office_zone: match var("LOKET_OFFICE_ZONE").as_deref().unwrap_or("WIB") {
                "WIB" => ("WIB", 7),
                "WITA" => ("WITA", 8),
                "WIT" => ("WIT", 9),
                other => {
                    return Err(ApiError::internal(format!(
                        "LOKET_OFFICE_ZONE={other} is not WIB, WITA or WIT"
                    )))
                }
            },
        })
    }
}

impl Secrets {
    /// Reads the secrets: from the environment (`LOKET_SECRETS_SOURCE=env`, the default)
    /// or from the Parameters and Secrets Lambda Extension (`lambda-extension`, with
    /// `LOKET_SECRET_ID` naming a JSON secret of the same shape as this struct).
    pub async fn load() -> Result<Self, ApiError> {
        match var("LOKET_SECRETS_SOURCE").as_deref().unwrap_or("env") {
            "env" => Self::from_env(),
            "lambda-extension" => Self::from_extension().await,
            other => Err(ApiError::internal(format!(
                "LOKET_SECRETS_SOURCE={other} is not env or lambda-extension"
            ))),
        }
    }

    fn from_env() -> Result<Self, ApiError> {
        // LOKET_JWT_KEYS = "kid1=base64,kid2=base64"
        let mut jwt_keys = BTreeMap::new();
        for pair in required("LOKET_JWT_KEYS")?.split(',') {
            let (kid, key) = pair
                .split_once('=')
                .ok_or_else(|| ApiError::internal("LOKET_JWT_KEYS must be kid=base64,..."))?;
            jwt_keys.insert(kid.trim().to_string(), key.trim().to_string());
        }
        let s = Self {
            jwt_active_kid: var("LOKET_JWT_ACTIVE_KID")
                .or_else(|| jwt_keys.keys().next_back().cloned())
                .unwrap_or_default(),
            jwt_keys,
            data_key: required("LOKET_DATA_KEY")?,
            pepper: required("LOKET_PEPPER")?,
            captcha_secret: var("LOKET_CAPTCHA_SECRET").unwrap_or_default(),
        };
        s.check()?;
        Ok(s)
    }

    async fn from_extension() -> Result<Self, ApiError> {
        let id = required("LOKET_SECRET_ID")?;
        let token = required("AWS_SESSION_TOKEN")?;
        let port = var("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT").unwrap_or_else(|| "2773".into());
        let url = format!("http://localhost:{port}/secretsmanager/get");
        crate::init_tls();
        let resp: serde_json::Value = reqwest::Client::new()
            .get(url)
            .query(&[("secretId", id.as_str())])
            .header("X-Aws-Parameters-Secrets-Token", token)
            .send()
            .await
            .map_err(ApiError::unavailable)?
            .error_for_status()
            .map_err(ApiError::unavailable)?
            .json()
            .await
            .map_err(ApiError::internal)?;
        let text = resp["SecretString"]
            .as_str()
            .ok_or_else(|| ApiError::internal("secret has no SecretString"))?;
        let s: Self = serde_json::from_str(text).map_err(ApiError::internal)?;
        s.check()?;
        Ok(s)
    }

    fn check(&self) -> Result<(), ApiError> {
        let len = |b64: &str| B64.decode(b64).map(|v| v.len()).unwrap_or(0);
        if !self.jwt_keys.contains_key(&self.jwt_active_kid) {
            return Err(ApiError::internal("the active JWT kid has no key"));
        }
        if self.jwt_keys.values().any(|k| len(k) < 32) {
            return Err(ApiError::internal("every JWT key must be ≥ 32 bytes"));
        }
        if len(&self.data_key) != 32 {
            return Err(ApiError::internal("LOKET_DATA_KEY must be 32 bytes"));
        }
        if len(&self.pepper) < 32 {
            return Err(ApiError::internal("LOKET_PEPPER must be ≥ 32 bytes"));
        }
        Ok(())
    }
}
