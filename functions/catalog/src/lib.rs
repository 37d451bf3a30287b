//! Catalog: the products of registered vendors (seed 000 §3), their listing approval
//! (`listing`), their photos (`photos`), the published versions and their index
//! (`index`), the public catalog with its search and product pages (`search`), and the
//! vendors' ratings on their cards (`ratings`).

pub mod feedback;
pub mod index;
pub mod listing;
pub mod photos;
pub mod product;
pub mod ratings;
pub mod search;

use loket_shared::approval::{task_kind, TaskKind};
use loket_shared::http::UseCase;
use loket_shared::lambda::EventUseCase;
use loket_shared::needs::Need::*;
use loket_shared::{event_use_case, use_case};

/// The event use cases of this context, by `LOKET_USE_CASE` name.
pub fn event_use_cases() -> Vec<EventUseCase> {
    vec![event_use_case!(
        "refresh_vendor_cards",
        ratings::refresh_vendor_cards,
        needs: [
            Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
            Indexes(&["dynamodb:Query"]),
        ]
    )]
}

/// The human tasks of this context's workflows (product listing).
pub fn task_kinds() -> Vec<TaskKind> {
    vec![task_kind::<listing::ProductReview>()]
}

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "create_product",
            POST "/vendor/products",
            listing::create_product,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "list_vendor_products",
            GET "/vendor/products",
            listing::list_vendor_products,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "get_vendor_product",
            GET "/vendor/products/{id}",
            listing::get_vendor_product,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "save_vendor_product",
            PUT "/vendor/products/{id}",
            listing::save_vendor_product,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "submit_vendor_product",
            POST "/vendor/products/{id}/submit",
            listing::submit_vendor_product,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "create_product_photo",
            POST "/vendor/products/{id}/photos",
            photos::create_product_photo,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
                Uploads("products/", &["s3:PutObject"]),
            ]
        ),
        use_case!(
            "confirm_product_photo",
            POST "/vendor/products/{id}/photos/{photo_id}/confirm",
            photos::confirm_product_photo,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Uploads("products/", &["s3:GetObject", "s3:DeleteObject"]),
            ]
        ),
        use_case!(
            "delete_product_photo",
            DELETE "/vendor/products/{id}/photos/{photo_id}",
            photos::delete_product_photo,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "get_product_for_officer",
            GET "/products/{id}",
            listing::get_product_for_officer,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "correct_product",
            PUT "/products/{id}",
            listing::correct_product,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "search_products",
            GET "/catalog/products",
            search::search_products,
            needs: [
                Table(&["dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "get_product_page",
            GET "/catalog/products/{id}",
            search::get_product_page,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Uploads("products/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "list_categories",
            GET "/catalog/categories",
            search::list_categories,
            needs: [
                Table(&["dynamodb:GetItem"]),
            ]
        ),
        use_case!(
            "list_product_feedback",
            GET "/catalog/products/{id}/feedback",
            feedback::list_product_feedback,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query"])]
        ),
    ]
}
