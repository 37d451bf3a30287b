//! Vendors (UMKM/IKM): the vendor's profile ("Dataku > Profil") and its onboarding
//! chain, from "Pengisian Data" to "Terdaftar" (seed 000 §1.2–§2).

pub mod chain;
pub mod documents;
pub mod onboarding;
pub mod profile;

use loket_shared::approval::{task_kind, TaskKind};
use loket_shared::http::UseCase;
use loket_shared::needs::Need::*;
use loket_shared::use_case;

/// The human tasks of this context's workflows (vendor onboarding).
pub fn task_kinds() -> Vec<TaskKind> {
    vec![task_kind::<profile::VendorProfile>()]
}

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "get_vendor_profile",
            GET "/vendor/profile",
            profile::get_vendor_profile,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
            ]
        ),
        use_case!(
            "save_vendor_profile",
            PUT "/vendor/profile",
            profile::save_vendor_profile,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "submit_vendor_profile",
            POST "/vendor/profile/submit",
            onboarding::submit_vendor_profile,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "get_vendor_profile_for_officer",
            GET "/vendors/{vendor_id}/profile",
            profile::get_vendor_profile_for_officer,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
            ]
        ),
        use_case!(
            "correct_vendor_profile",
            PUT "/vendors/{vendor_id}/profile",
            profile::correct_vendor_profile,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "create_vendor_document",
            POST "/vendor/documents",
            documents::create_vendor_document,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
                Uploads("vendors/", &["s3:PutObject"]),
            ]
        ),
        use_case!(
            "confirm_vendor_document",
            POST "/vendor/documents/{id}/confirm",
            documents::confirm_vendor_document,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Uploads("vendors/", &["s3:GetObject", "s3:DeleteObject"]),
            ]
        ),
        use_case!(
            "download_vendor_document",
            GET "/vendors/{vendor_id}/documents/{id}/download",
            documents::download_vendor_document,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Uploads("vendors/", &["s3:GetObject"]),
            ]
        ),
    ]
}
