//! Vendors (UMKM/IKM): the vendor's profile ("Dataku > Profil") and its onboarding
//! chain, from "Pengisian Data" to "Terdaftar" (seed 000 §1.2–§2).

pub mod chain;
pub mod documents;
pub mod onboarding;
pub mod profile;

use loket_shared::approval::{task_kind, TaskKind};
use loket_shared::http::UseCase;
use loket_shared::use_case;

/// The human tasks of this context's workflows (vendor onboarding).
pub fn task_kinds() -> Vec<TaskKind> {
    vec![task_kind::<profile::VendorProfile>()]
}

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!("get_vendor_profile", profile::get_vendor_profile),
        use_case!("save_vendor_profile", profile::save_vendor_profile),
        use_case!("submit_vendor_profile", onboarding::submit_vendor_profile),
        use_case!(
            "get_vendor_profile_for_officer",
            profile::get_vendor_profile_for_officer
        ),
        use_case!("correct_vendor_profile", profile::correct_vendor_profile),
        use_case!("create_vendor_document", documents::create_vendor_document),
        use_case!(
            "confirm_vendor_document",
            documents::confirm_vendor_document
        ),
        use_case!(
            "download_vendor_document",
            documents::download_vendor_document
        ),
    ]
}
