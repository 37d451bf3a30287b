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
pub mod pages;
pub mod password;
pub mod profile;
pub mod registration;
pub mod session;

use loket_shared::http::UseCase;
use loket_shared::needs::Need::*;
use loket_shared::use_case;

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "request_registration_code",
            POST "/auth/registration-code",
            registration::request_registration_code,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "register_applicant",
            POST "/auth/register",
            registration::register_applicant,
            needs: [
                Table(&[
                    "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
                ]),
            ]
        ),
        use_case!(
            "register_buyer",
            POST "/auth/register/buyer",
            registration::register_buyer,
            needs: [
                Table(&[
                    "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
                ]),
            ]
        ),
        use_case!(
            "register_vendor",
            POST "/vendors/registrations",
            activation::register_vendor,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "show_activation",
            GET "/accounts/activation",
            activation::show_activation,
            needs: [
                Table(&["dynamodb:GetItem"]),
            ]
        ),
        use_case!(
            "activate_account",
            POST "/accounts/activation",
            activation::activate_account,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ]
        ),
        use_case!(
            "show_activation_page",
            GET "/aktivasi",
            pages::show_activation_page,
            needs: [
                Table(&["dynamodb:GetItem"]),
            ]
        ),
        use_case!(
            "activate_page",
            POST "/aktivasi",
            pages::activate_page,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
            ]
        ),
        use_case!(
            "create_officer_account",
            POST "/admin/accounts",
            activation::create_officer_account,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "list_organisation_accounts",
            GET "/admin/organisations/{code}/accounts",
            activation::list_organisation_accounts,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "show_sign_in",
            GET "/masuk",
            pages::show_sign_in,
            needs: [
                Table(&["dynamodb:GetItem"]),
            ]
        ),
        use_case!(
            "sign_in_page",
            POST "/masuk",
            pages::sign_in_page,
            needs: [
                Table(&[
                    "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem",
                ]),
            ]
        ),
        use_case!(
            "sign_out_page",
            POST "/keluar",
            pages::sign_out_page,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"]),
            ]
        ),
        use_case!(
            "stylesheet",
            GET "/static/loket.css",
            loket_shared::web::stylesheet,
            needs: [
                Table(&["dynamodb:GetItem"]),
            ]
        ),
        use_case!(
            "login",
            POST "/auth/login",
            login::login,
            needs: [
                Table(&[
                    "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem",
                ]),
            ]
        ),
        use_case!(
            "refresh_session",
            POST "/auth/refresh",
            login::refresh_session,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ]
        ),
        use_case!(
            "logout",
            POST "/auth/logout",
            login::logout,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"]),
            ]
        ),
        use_case!(
            "request_password_reset",
            POST "/auth/password-reset",
            password::request_password_reset,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "confirm_password_reset",
            POST "/auth/password-reset/confirm",
            password::confirm_password_reset,
            needs: [
                Table(&[
                    "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem", "dynamodb:Query",
                ]),
            ]
        ),
        use_case!(
            "change_password",
            PUT "/me/password",
            password::change_password,
            needs: [
                Table(&[
                    "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem", "dynamodb:Query",
                ]),
            ]
        ),
        use_case!(
            "get_profile",
            GET "/me",
            profile::get_profile,
            needs: [
                Table(&["dynamodb:GetItem"]),
            ]
        ),
        use_case!(
            "update_profile",
            PATCH "/me",
            profile::update_profile,
            needs: [
                Table(&[
                    "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
                    "dynamodb:DeleteItem",
                ]),
            ]
        ),
    ]
}
