//! Authentication and authorization.
//!
//! Access tokens are short-lived HS256 JWTs carrying the user id, roles, organisation,
//! session id and the account's session version; the header's `kid` selects the key so
//! keys can rotate (sign with the active kid, verify with any configured kid). Refresh
//! tokens are opaque (`<user id>.<session id>.<secret>`), stored only as keyed hashes, rotated on
//! every use and revocable; see `functions/identity`.

use crate::error::ApiError;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header};
use jsonwebtoken::{errors::ErrorKind, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Every role in Loket (see the domain handbook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    Vendor,
    Buyer,
    Satpel,
    Pjlp,
    EorderAdmin,
    FieldAdmin,
    MainAdmin,
    Verifier,
    AgencyHead,
    Helpdesk,
    Admin,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::Applicant,
        Role::Vendor,
        Role::Buyer,
        Role::Satpel,
        Role::Pjlp,
        Role::EorderAdmin,
        Role::FieldAdmin,
        Role::MainAdmin,
        Role::Verifier,
        Role::AgencyHead,
        Role::Helpdesk,
        Role::Admin,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Vendor => "vendor",
            Role::Buyer => "buyer",
            Role::Satpel => "satpel",
            Role::Pjlp => "pjlp",
            Role::EorderAdmin => "eorder_admin",
            Role::FieldAdmin => "field_admin",
            Role::MainAdmin => "main_admin",
            Role::Verifier => "verifier",
            Role::AgencyHead => "agency_head",
            Role::Helpdesk => "helpdesk",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Officer roles belong to an organisation (an SKPD or an agency) and are created
    /// by an admin, never by self-registration.
    pub fn is_officer(&self) -> bool {
        matches!(
            self,
            Role::Satpel
                | Role::Pjlp
                | Role::EorderAdmin
                | Role::FieldAdmin
                | Role::MainAdmin
                | Role::Verifier
                | Role::AgencyHead
                | Role::Helpdesk
        )
    }

    /// Indonesian label for emails and pages.
    pub fn label(&self) -> &'static str {
        match self {
            Role::Applicant => "Pemohon",
            Role::Vendor => "Penyedia (UMKM/IKM)",
            Role::Buyer => "Pembeli",
            Role::Satpel => "Satpel",
            Role::Pjlp => "PJLP Pendamping",
            Role::EorderAdmin => "Admin e-Order",
            Role::FieldAdmin => "Admin Lapangan",
            Role::MainAdmin => "Admin Utama",
            Role::Verifier => "Verifikator",
            Role::AgencyHead => "Kepala Dinas",
            Role::Helpdesk => "Helpdesk",
            Role::Admin => "Administrator",
        }
    }
}

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub sub: String,
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Session id (the refresh token's family).
    pub sid: String,
    /// The account's session version when the token was issued; bumping it on the
    /// account (password reset, password change) invalidates older tokens wherever the
    /// account record is read.
    pub sv: u64,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// The signing keys, indexed by kid.
#[derive(Clone)]
pub struct TokenKeys {
    active_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    issuer: String,
}

impl TokenKeys {
    pub fn new(
        keys: &std::collections::BTreeMap<String, String>,
        active_kid: &str,
        issuer: &str,
    ) -> Result<Self, ApiError> {
        let mut decoding = HashMap::new();
        let mut encoding = None;
        for (kid, b64) in keys {
            let raw = B64.decode(b64).map_err(ApiError::internal)?;
            if kid == active_kid {
                encoding = Some(EncodingKey::from_secret(&raw));
            }
            decoding.insert(kid.clone(), DecodingKey::from_secret(&raw));
        }
        Ok(Self {
            active_kid: active_kid.to_string(),
            encoding: encoding.ok_or_else(|| ApiError::internal("no key for the active kid"))?,
            decoding,
            issuer: issuer.to_string(),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.active_kid.clone());
        encode(&header, claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Verifies signature, issuer and expiry (no leeway: tokens are short-lived).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, ApiError> {
        let header = decode_header(token).map_err(|_| ApiError::not_signed_in())?;
        let kid = header.kid.ok_or_else(ApiError::not_signed_in)?;
        let key = self
            .decoding
            .get(&kid)
            .ok_or_else(ApiError::not_signed_in)?;
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[self.issuer.as_str()]);
        v.validate_exp = false; // checked below against the injectable clock
        v.required_spec_claims = ["exp", "iss", "sub"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let data = decode::<Claims>(token, key, &v).map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature | ErrorKind::InvalidIssuer => ApiError::not_signed_in(),
            _ => ApiError::not_signed_in(),
        })?;
        if data.claims.exp <= now {
            return Err(ApiError::unauthorized(
                "token_expired",
                "Sesi Anda sudah berakhir, silakan login kembali",
            ));
        }
        Ok(data.claims)
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub roles: Vec<Role>,
    pub org: Option<String>,
    pub session_id: String,
    pub session_version: u64,
}

impl Caller {
    /// The actor of a scheduled job's change (an expiry on a timeline): no role, no
    /// organisation, no session — it can authorize nothing.
    pub fn system() -> Self {
        Self {
            user_id: crate::approval::SYSTEM_ACTOR.to_string(),
            roles: Vec::new(),
            org: None,
            session_id: String::new(),
            session_version: 0,
        }
    }

    pub fn from_claims(c: Claims) -> Self {
        Self {
            user_id: c.sub,
            roles: c.roles,
            org: c.org,
            session_id: c.sid,
            session_version: c.sv,
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Refuses (403) unless the caller holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.iter().any(|r| self.has_role(*r)) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// Refuses (403) unless the caller holds `role` **in** organisation `org`.
    pub fn require_role_in(&self, role: Role, org: &str) -> Result<(), ApiError> {
        if self.has_role(role) && self.org.as_deref() == Some(org) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn keys(active: &str) -> TokenKeys {
        let mut m = BTreeMap::new();
        m.insert("k1".to_string(), B64.encode([1u8; 32]));
        m.insert("k2".to_string(), B64.encode([2u8; 32]));
        TokenKeys::new(&m, active, "loket-test").unwrap()
    }

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "U1".into(),
            roles: vec![Role::Verifier],
            org: Some("DPMPTSP".into()),
            sid: "S1".into(),
            sv: 1,
            iss: "loket-test".into(),
            iat: 0,
            exp,
        }
    }

    #[test]
    fn tokens_signed_with_an_old_kid_still_verify_after_rotation() {
        let old = keys("k1").sign(&claims(100)).unwrap();
        let rotated = keys("k2");
        assert_eq!(rotated.verify(&old, 50).unwrap().sub, "U1");
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let k = keys("k1");
        let t = k.sign(&claims(100)).unwrap();
        assert_eq!(k.verify(&t, 100).unwrap_err().code, "token_expired");
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Claims {
                roles: vec![Role::Admin],
                ..claims(100)
            })
            .unwrap(),
        );
        parts[1] = &forged_payload;
        assert_eq!(k.verify(&parts.join("."), 50).unwrap_err().status, 401);
        let mut other = BTreeMap::new();
        other.insert("k1".to_string(), B64.encode([9u8; 32]));
        let foreign = TokenKeys::new(&other, "k1", "loket-test").unwrap();
        assert!(k.verify(&foreign.sign(&claims(100)).unwrap(), 50).is_err());
    }

    #[test]
    fn role_checks_include_the_organisation() {
        let c = Caller::from_claims(claims(100));
        assert!(c.require_role_in(Role::Verifier, "DPMPTSP").is_ok());
        assert_eq!(
            c.require_role_in(Role::Verifier, "DINKES")
                .unwrap_err()
                .status,
            403
        );
        assert!(c.require_any(&[Role::Admin]).is_err());
        assert_eq!(Role::parse("eorder_admin"), Some(Role::EorderAdmin));
    }
}
