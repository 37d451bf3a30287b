//! Captcha verification behind one type, chosen by configuration (`LOKET_CAPTCHA`).
//!
//! - `turnstile`: Cloudflare Turnstile `siteverify`;
//! - `recaptcha`: Google reCAPTCHA `siteverify`;
//! - `test`: the local stack's verifier. It accepts exactly the token
//!   [`TEST_TOKEN`] and refuses everything else, so tests exercise both outcomes.
//!   It is refused at start-up when `LOKET_STAGE=prod`.

use crate::config::CaptchaKind;

/// The only token the test verifier accepts ("passes the captcha test").
pub const TEST_TOKEN: &str = "lulus-captcha-uji";

#[derive(Clone)]
pub struct Captcha {
    kind: CaptchaKind,
    secret: String,
    http: reqwest::Client,
}

impl Captcha {
    pub fn new(kind: CaptchaKind, secret: String) -> Self {
        crate::init_tls();
        Self {
            kind,
            secret,
            http: reqwest::Client::new(),
        }
    }

    /// The captcha must prove a human: 400 `captcha_invalid` otherwise (the message
    /// of the seed's login form).
    pub async fn require(&self, token: Option<&str>, remote_ip: &str) -> crate::ApiResult<()> {
        if self.verify(token, remote_ip).await {
            Ok(())
        } else {
            Err(crate::ApiError::invalid(
                "captcha_invalid",
                "Captcha Invalid",
                "captcha_token",
            ))
        }
    }

    /// True when the token proves a human; any failure to verify counts as "no".
    pub async fn verify(&self, token: Option<&str>, remote_ip: &str) -> bool {
        let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
            return false;
        };
        let url = match self.kind {
            CaptchaKind::Test => return token == TEST_TOKEN,
            CaptchaKind::Turnstile => "https://challenges.cloudflare.com/turnstile/v0/siteverify",
            CaptchaKind::Recaptcha => "https://www.google.com/recaptcha/api/siteverify",
        };
        let form = [
            ("secret", self.secret.as_str()),
            ("response", token),
            ("remoteip", remote_ip),
        ];
        let res = self
            .http
            .post(url)
            .form(&form)
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await;
        match res {
            Ok(r) => r
                .json::<serde_json::Value>()
                .await
                .map(|v| v["success"].as_bool().unwrap_or(false))
                .unwrap_or(false),
            Err(e) => {
                tracing::warn!(error = %e, "captcha verification unavailable");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn test_verifier_accepts_only_its_token() {
        let c = Captcha::new(CaptchaKind::Test, String::new());
        assert!(c.verify(Some(TEST_TOKEN), "1.2.3.4").await);
        assert!(!c.verify(Some("anything"), "1.2.3.4").await);
        assert!(!c.verify(None, "1.2.3.4").await);
    }
}
