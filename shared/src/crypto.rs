//! Password hashing (Argon2id), sealing of personal data and secrets at rest
//! (AES-256-GCM), and keyed lookup hashes (HMAC-SHA256 with a server-side pepper).

use crate::error::ApiError;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

fn verify_now(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Runs CPU-bound hashing off the async workers: tens of milliseconds of Argon2 must
/// not stall the other requests a process serves (the local stack serves many at once).
async fn off_the_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)
}

/// Hashes a password into a PHC string.
pub async fn hash_password(password: &str) -> Result<String, ApiError> {
    let password = password.to_string();
    off_the_runtime(move || hash_now(&password)).await?
}

/// Verifies a password against a PHC string; false on any mismatch or malformed hash.
pub async fn verify_password(password: &str, phc: &str) -> bool {
    let (password, phc) = (password.to_string(), phc.to_string());
    off_the_runtime(move || verify_now(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A hash computed when the account does not exist, so that a wrong identifier costs
/// the same time as a wrong password.
pub async fn burn_password_time(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let password = password.to_string();
    let _ = off_the_runtime(move || {
        let phc = DUMMY.get_or_init(|| hash_now("loket-dummy-password").unwrap_or_default());
        verify_now(&password, phc)
    })
    .await;
}

/// Seals small secrets (NIKs, codes in outbox records) with AES-256-GCM.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    pub fn from_base64(key: &str) -> Result<Self, ApiError> {
        let raw = B64.decode(key).map_err(ApiError::internal)?;
        let cipher = Aes256Gcm::new_from_slice(&raw).map_err(ApiError::internal)?;
        Ok(Self { cipher })
    }

    /// `v1.` + base64url(nonce ‖ ciphertext).
    pub fn seal(&self, plain: &str) -> Result<String, ApiError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| ApiError::internal("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(format!("v1.{}", B64URL.encode(out)))
    }

    pub fn open(&self, sealed: &str) -> Result<String, ApiError> {
        let body = sealed
            .strip_prefix("v1.")
            .ok_or_else(|| ApiError::internal("unknown sealed format"))?;
        let raw = B64URL.decode(body).map_err(ApiError::internal)?;
        if raw.len() < 13 {
            return Err(ApiError::internal("sealed value too short"));
        }
        let (nonce, ct) = raw.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| ApiError::internal("sealed value does not open"))?;
        String::from_utf8(plain).map_err(ApiError::internal)
    }
}

/// Keyed hashes for values we must look up but must not store in the clear
/// (NIK guard keys, verification codes, PINs, activation and refresh tokens).
#[derive(Clone)]
pub struct Pepper {
    key: Vec<u8>,
}

impl Pepper {
    pub fn from_base64(key: &str) -> Result<Self, ApiError> {
        Ok(Self {
            key: B64.decode(key).map_err(ApiError::internal)?,
        })
    }

    /// HMAC-SHA256(key, purpose ‖ 0 ‖ value), hex. `purpose` separates domains so a
    /// NIK hash can never be used as a code hash.
    pub fn hash(&self, purpose: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC accepts keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Constant-time check of `value` against a stored hash.
    pub fn verify(&self, purpose: &str, value: &str, stored: &str) -> bool {
        let h = self.hash(purpose, value);
        h.as_bytes().ct_eq(stored.as_bytes()).into()
    }
}

/// A random URL-safe token of `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut v = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut v);
    B64URL.encode(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn password_hash_roundtrip_and_is_argon2id() {
        let h = hash_password("Rahasia-Sekali-9").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Rahasia-Sekali-9", &h).await);
        assert!(!verify_password("rahasia-sekali-9", &h).await);
        assert!(!verify_password("x", "not a hash").await);
    }

    #[test]
    fn sealing_roundtrips_and_detects_tampering() {
        let key = B64.encode([7u8; 32]);
        let s = Sealer::from_base64(&key).unwrap();
        let sealed = s.seal("3201011502950001").unwrap();
        assert_ne!(sealed, s.seal("3201011502950001").unwrap(), "random nonce");
        assert_eq!(s.open(&sealed).unwrap(), "3201011502950001");
        let mut bad = sealed.clone();
        bad.pop();
        bad.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(s.open(&bad).is_err());
    }

    #[test]
    fn pepper_separates_purposes() {
        let p = Pepper::from_base64(&B64.encode([1u8; 32])).unwrap();
        assert_ne!(p.hash("nik", "123"), p.hash("code", "123"));
        assert!(p.verify("code", "123456", &p.hash("code", "123456")));
        assert!(!p.verify("code", "123457", &p.hash("code", "123456")));
    }
}
