//! Licensing (E-PTSP, seed 004 §3.2): an applicant's permit application, from the
//! wizard (`application` holds the model and its pure rules, `wizard` the use cases)
//! to its submission with a resi, and the public monitoring by resi (`monitoring`). The permit types and their requirements are reference
//! data (`loket_reference::permits`).

pub mod application;
pub mod monitoring;
pub mod wizard;

use loket_shared::http::UseCase;
use loket_shared::needs::Need::*;
use loket_shared::use_case;

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "start_application",
            POST "/applications",
            wizard::start_application,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "list_applications",
            GET "/applications",
            wizard::list_applications,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "get_application",
            GET "/applications/{id}",
            wizard::get_application,
            needs: [Table(&["dynamodb:GetItem"])]
        ),
        use_case!(
            "save_application",
            PUT "/applications/{id}",
            wizard::save_application,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "create_attachment",
            POST "/applications/{id}/attachments",
            wizard::create_attachment,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
                Uploads("applications/", &["s3:PutObject"]),
            ]
        ),
        use_case!(
            "confirm_attachment",
            POST "/applications/{id}/attachments/{requirement_code}/confirm",
            wizard::confirm_attachment,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
                Uploads("applications/", &["s3:GetObject", "s3:DeleteObject"]),
            ]
        ),
        use_case!(
            "track_application",
            GET "/tracking",
            monitoring::track_application,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])]
        ),
        use_case!(
            "monitoring_page",
            GET "/monitoring",
            monitoring::monitoring_page,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"])]
        ),
        use_case!(
            "submit_application",
            POST "/applications/{id}/submit",
            wizard::submit_application,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
    ]
}
