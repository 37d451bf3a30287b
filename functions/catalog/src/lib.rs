//! Catalog: the products of registered vendors (seed 000 §3), their listing approval
//! (`listing`), their photos (`photos`), the published versions and their index
//! (`index`), and the public catalog with its search and product pages (`search`).

pub mod index;
pub mod listing;
pub mod photos;
pub mod product;
pub mod search;

use loket_shared::approval::{task_kind, TaskKind};
use loket_shared::http::UseCase;
use loket_shared::use_case;

/// The human tasks of this context's workflows (product listing).
pub fn task_kinds() -> Vec<TaskKind> {
    vec![task_kind::<listing::ProductReview>()]
}

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!("create_product", listing::create_product),
        use_case!("list_vendor_products", listing::list_vendor_products),
        use_case!("get_vendor_product", listing::get_vendor_product),
        use_case!("save_vendor_product", listing::save_vendor_product),
        use_case!("submit_vendor_product", listing::submit_vendor_product),
        use_case!("create_product_photo", photos::create_product_photo),
        use_case!("confirm_product_photo", photos::confirm_product_photo),
        use_case!("delete_product_photo", photos::delete_product_photo),
        use_case!("get_product_for_officer", listing::get_product_for_officer),
        use_case!("correct_product", listing::correct_product),
        use_case!("search_products", search::search_products),
        use_case!("get_product_page", search::get_product_page),
        use_case!("list_categories", search::list_categories),
    ]
}
