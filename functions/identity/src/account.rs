//! The account record, its uniqueness guards and the lookups by NIK, email and NRK.
//!
//! Items (see `docs/ACCESS_PATTERNS.md`):
//! - `USER#<id>` / `ACCOUNT`: the account (NIK sealed, never in the clear);
//!   officers also carry `GSI2PK = MEMBERS#<org>`, `GSI2SK = <role>#<name>#<id>`;
//! - `EMAIL#<email>`, `NIK#<keyed hash>`, `NRK#<nrk>` / `GUARD`: uniqueness and lookup;
//! - `USER#<id>` / `SESSION#<sid>`: sessions (see `session`).

use loket_reference::regions::RegionPath;
use loket_shared::auth::Role;
use loket_shared::rules::person::{Education, Gender};
use loket_shared::schema;
use loket_shared::store::{get_s, to_item, Item, GUARD_SK};
use loket_shared::{ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};

pub use loket_shared::schema::ACCOUNT_SK;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Created, waiting for the owner to follow the activation link and set a password.
    PendingActivation,
    Active,
    Disabled,
}

/// The applicant's address (seed 004 §2.3.2 "Alamat Pemohon").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Address {
    pub street: String,
    #[serde(flatten)]
    pub region: RegionPath,
    pub postal_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Account {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi2sk: Option<String>,
    pub id: String,
    pub status: AccountStatus,
    pub roles: Vec<Role>,
    /// The organisation of an officer, or the SKPD Pembina of a vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Name with academic titles.
    pub name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik_sealed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik_masked: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npwp: Option<String>,
    /// Staff number of a government buyer (seed 001 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nrk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education: Option<Education>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Bumped by password change and reset: tokens of older sessions stop working.
    pub session_version: u64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl Account {
    /// A new account with only the fields every kind of account has.
    pub fn new(
        id: &str,
        name: &str,
        email: &str,
        roles: Vec<Role>,
        status: AccountStatus,
        now: i64,
    ) -> Self {
        Self {
            pk: account_pk(id),
            sk: ACCOUNT_SK.into(),
            gsi2pk: None,
            gsi2sk: None,
            id: id.into(),
            status,
            roles,
            org: None,
            name: name.into(),
            email: email.into(),
            nik_sealed: None,
            nik_masked: None,
            npwp: None,
            nrk: None,
            gender: None,
            birth_date: None,
            education: None,
            occupation: None,
            position: None,
            address: None,
            phone: None,
            password_hash: None,
            session_version: 1,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Lists an officer under its organisation (GSI2).
    pub fn index_under_org(&mut self) {
        match (&self.org, self.roles.first()) {
            (Some(org), Some(role))
                if self
                    .roles
                    .iter()
                    .any(|r| r.is_officer() || *r == Role::Admin) =>
            {
                self.gsi2pk = Some(schema::members(org));
                self.gsi2sk = Some(format!(
                    "{}#{}#{}",
                    role.as_str(),
                    self.name.to_lowercase(),
                    self.id
                ));
            }
            _ => {
                self.gsi2pk = None;
                self.gsi2sk = None;
            }
        }
    }

    pub fn to_item(&self) -> ApiResult<Item> {
        to_item(self)
    }
}

pub fn account_pk(id: &str) -> String {
    schema::user(id)
}

pub fn email_guard(email: &str) -> String {
    schema::email_guard(email)
}

/// The NIK guard key holds a keyed hash, so the table never holds a NIK in the clear.
pub fn nik_guard(app: &App, nik: &str) -> String {
    schema::nik_guard(&app.pepper.hash("nik", nik))
}

pub fn nrk_guard(nrk: &str) -> String {
    schema::nrk_guard(nrk)
}

pub async fn load(app: &App, id: &str) -> ApiResult<Option<Account>> {
    app.store.get_as(&account_pk(id), ACCOUNT_SK).await
}

/// The account a guard points at.
pub async fn by_guard(app: &App, guard_pk: &str) -> ApiResult<Option<Account>> {
    let Some(guard) = app.store.get(guard_pk, GUARD_SK).await? else {
        return Ok(None);
    };
    let owner = get_s(&guard, "owner").unwrap_or_default();
    match owner.strip_prefix("USER#") {
        Some(id) => load(app, id).await,
        None => Ok(None),
    }
}

/// What a person typed in the login's first field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    Nik(String),
    Email(String),
    Nrk(String),
}

impl Identifier {
    /// 16 digits → NIK; contains `@` → email; other short digit strings → NRK.
    pub fn parse(input: &str) -> Option<Identifier> {
        let t = input.trim();
        if t.contains('@') {
            return loket_shared::rules::contact::normalize_email(t)
                .ok()
                .map(Identifier::Email);
        }
        if t.len() == 16 && t.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Identifier::Nik(t.to_string()));
        }
        if (4..=12).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Identifier::Nrk(t.to_string()));
        }
        None
    }

    pub fn guard(&self, app: &App) -> String {
        match self {
            Identifier::Nik(n) => nik_guard(app, n),
            Identifier::Email(e) => email_guard(e),
            Identifier::Nrk(n) => nrk_guard(n),
        }
    }
}

/// The profile as its owner sees it.
#[derive(Debug, Serialize)]
pub struct ProfileView {
    pub id: String,
    pub status: AccountStatus,
    pub roles: Vec<Role>,
    pub org: Option<String>,
    pub name: String,
    pub email: String,
    pub nik: Option<String>,
    pub npwp: Option<String>,
    pub nrk: Option<String>,
    pub gender: Option<Gender>,
    pub birth_date: Option<String>,
    pub education: Option<Education>,
    pub occupation: Option<String>,
    pub position: Option<String>,
    pub address: Option<Address>,
    pub phone: Option<String>,
    pub version: i64,
}

impl ProfileView {
    pub fn of(app: &App, a: &Account) -> ApiResult<Self> {
        let nik = a
            .nik_sealed
            .as_deref()
            .map(|s| app.sealer.open(s))
            .transpose()?;
        Ok(Self {
            id: a.id.clone(),
            status: a.status,
            roles: a.roles.clone(),
            org: a.org.clone(),
            name: a.name.clone(),
            email: a.email.clone(),
            nik,
            npwp: a.npwp.clone(),
            nrk: a.nrk.clone(),
            gender: a.gender,
            birth_date: a.birth_date.clone(),
            education: a.education,
            occupation: a.occupation.clone(),
            position: a.position.clone(),
            address: a.address.clone(),
            phone: a.phone.clone(),
            version: a.version,
        })
    }
}

/// 409 for a taken email, with the seed's message.
pub fn email_taken(email: &str) -> ApiError {
    ApiError::conflict(
        "email_taken",
        format!("Email {email} sudah terdaftar di database kami"),
    )
    .with_field("email")
}

/// 409 for a taken NIK, with the seed's message.
pub fn nik_taken(nik: &str) -> ApiError {
    ApiError::conflict(
        "nik_taken",
        format!("NIK {nik} sudah terdaftar di database kami"),
    )
    .with_field("nik")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_classified() {
        assert_eq!(
            Identifier::parse(" 6472015502950001 "),
            Some(Identifier::Nik("6472015502950001".into()))
        );
        assert_eq!(
            Identifier::parse("A@B.id"),
            Some(Identifier::Email("a@b.id".into()))
        );
        assert_eq!(
            Identifier::parse("198765"),
            Some(Identifier::Nrk("198765".into()))
        );
        assert_eq!(Identifier::parse("abc"), None);
        assert_eq!(Identifier::parse(""), None);
    }

    #[test]
    fn only_officers_are_indexed_under_their_organisation() {
        let mut a = Account::new(
            "1",
            "Budi",
            "b@x.id",
            vec![Role::Satpel],
            AccountStatus::Active,
            0,
        );
        a.org = Some("141732".into());
        a.index_under_org();
        assert_eq!(a.gsi2pk.as_deref(), Some("MEMBERS#141732"));
        let mut v = Account::new(
            "2",
            "UMKM",
            "u@x.id",
            vec![Role::Vendor],
            AccountStatus::Active,
            0,
        );
        v.org = Some("141732".into());
        v.index_under_org();
        assert_eq!(v.gsi2pk, None);
    }
}
