//! Identity: every user's first contact with Loket.
//!
//! - `registration`: applicant registration with an emailed code (seed 004 §2.3.2);
//! - `activation`: vendor self-registration, officer accounts created by an admin, and
//!   the activation link that sets the first password (seed 000 §1.2);
//! - `login`: sign-in with NIK, email or NRK, throttling and lockout, refresh, logout;
//! - `password`: forgot password with an emailed PIN, change password (seed 004 §2.3.3, §3);
//! - `profile`: read and edit one's own profile (seed 004 §3);
//! - `account`: the account record, its guards and sessions (storage adapter).

pub mod account;
pub mod activation;
pub mod directory;
pub mod login;
pub mod password;
pub mod profile;
pub mod registration;
pub mod session;

use loket_shared::http::UseCase;
use loket_shared::use_case;

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "request_registration_code",
            registration::request_registration_code
        ),
        use_case!("register_applicant", registration::register_applicant),
        use_case!("register_vendor", activation::register_vendor),
        use_case!("show_activation", activation::show_activation),
        use_case!("activate_account", activation::activate_account),
        use_case!("create_officer_account", activation::create_officer_account),
        use_case!(
            "list_organisation_accounts",
            activation::list_organisation_accounts
        ),
        use_case!("login", login::login),
        use_case!("refresh_session", login::refresh_session),
        use_case!("logout", login::logout),
        use_case!("request_password_reset", password::request_password_reset),
        use_case!("confirm_password_reset", password::confirm_password_reset),
        use_case!("change_password", password::change_password),
        use_case!("get_profile", profile::get_profile),
        use_case!("update_profile", profile::update_profile),
    ]
}
