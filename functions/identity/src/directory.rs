//! What other contexts may read of accounts: a person's name, email, roles,
//! organisation and whether the account is active. These are the published read
//! functions of the identity context; no other context reads an account's item or its
//! attributes (the item's shape is identity's business).

use crate::account::{self, Account, AccountStatus};
use loket_shared::auth::Role;
use loket_shared::schema::{self, GSI2};
use loket_shared::store::{from_item, Query};
use loket_shared::{ApiResult, App};

/// A person as other contexts see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    /// The officer's organisation, or the vendor's SKPD Pembina.
    pub org: Option<String>,
    pub active: bool,
}

impl Person {
    fn of(a: Account) -> Self {
        Self {
            active: a.status == AccountStatus::Active,
            id: a.id,
            name: a.name,
            email: a.email,
            roles: a.roles,
            org: a.org,
        }
    }

    /// An active account with `role` in `org`.
    pub fn is_active(&self, role: Role, org: &str) -> bool {
        self.active && self.roles.contains(&role) && self.org.as_deref() == Some(org)
    }
}

/// The person with account `id`, if there is one.
pub async fn person(app: &App, id: &str) -> ApiResult<Option<Person>> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    Ok(account::load(app, id).await?.map(Person::of))
}

/// The account an email address belongs to (its id), if any.
pub async fn id_by_email(app: &App, email: &str) -> ApiResult<Option<String>> {
    Ok(account::by_guard(app, &account::email_guard(email))
        .await?
        .map(|a| a.id))
}

/// The active officers with `role` in `org` (at most `limit`).
pub async fn officers(app: &App, org: &str, role: Role, limit: usize) -> ApiResult<Vec<Person>> {
    // Officers are listed under their organisation, sorted by role first.
    let members = app
        .store
        .query_all(
            &Query::partition(schema::members(org))
                .on_index(GSI2)
                .sk_begins_with(GSI2.sk, format!("{}#", role.as_str())),
        )
        .await?;
    Ok(members
        .into_iter()
        .map(from_item::<Account>)
        .collect::<ApiResult<Vec<_>>>()?
        .into_iter()
        .map(Person::of)
        .filter(|p| p.is_active(role, org))
        .take(limit)
        .collect())
}

/// The people who may decide `task`: the assigned one (while active), or the active
/// officers with the task's role in its organisation (at most `limit`).
pub async fn deciders(
    app: &App,
    task: &loket_shared::tasks::Task,
    limit: usize,
) -> ApiResult<Vec<Person>> {
    if let Some(assignee) = &task.assignee {
        return Ok(person(app, assignee)
            .await?
            .filter(|p| p.active)
            .into_iter()
            .collect());
    }
    officers(app, &task.organisation, task.role, limit).await
}

/// What an applicant's permit application copies from their profile (seed 004 §3.2.1
/// step 2): name and masked NIK (not editable there), phone, postal code and email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicantProfile {
    pub name: String,
    pub nik_masked: String,
    pub phone: String,
    pub postal_code: String,
    pub email: String,
}

/// The profile of applicant `id` (`None` for no such account or not an applicant).
pub async fn applicant_profile(app: &App, id: &str) -> ApiResult<Option<ApplicantProfile>> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    Ok(account::load(app, id)
        .await?
        .filter(|a| a.roles.contains(&Role::Applicant))
        .map(|a| ApplicantProfile {
            name: a.name,
            nik_masked: a.nik_masked.unwrap_or_default(),
            phone: a.phone.unwrap_or_default(),
            postal_code: a.address.map(|ad| ad.postal_code).unwrap_or_default(),
            email: a.email,
        }))
}
