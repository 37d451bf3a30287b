//! Licensing (E-PTSP, seed 004 §3.2): an applicant's permit application, from the
//! wizard (`application` holds the model and its pure rules, `wizard` the use cases)
//! to its submission with a resi; its processing by the agency's officers as a
//! workflow of the approval engine (`processing`); the receipt and the signed,
//! numbered permit (`issuance`); the public monitoring by resi (`monitoring`) and the
//! public verification of a permit (`verification`). The permit types and their
//! requirements are reference data (`loket_reference::permits`).

pub mod application;
pub mod complaints;
pub mod dashboard;
pub mod helpdesk;
pub mod issuance;
pub mod library;
pub mod monitoring;
pub mod processing;
pub mod survey;
pub mod verification;
pub mod webgis;
pub mod wizard;

use loket_shared::approval::{task_kind, TaskKind};
use loket_shared::http::UseCase;
use loket_shared::lambda::EventUseCase;
use loket_shared::needs::Need::*;
use loket_shared::{event_use_case, use_case};

/// The human tasks of this context's workflow (a permit application's processing).
pub fn task_kinds() -> Vec<TaskKind> {
    vec![
        task_kind::<application::Application>(),
        task_kind::<complaints::Complaint>(),
    ]
}

/// The event use cases of this context, by `LOKET_USE_CASE` name.
pub fn event_use_cases() -> Vec<EventUseCase> {
    vec![event_use_case!(
        "issue_documents",
        issuance::issue_documents,
        needs: [
            Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]),
            Uploads("applications/", &["s3:GetObject", "s3:PutObject"]),
            SigningKey(&["kms:Sign"]),
        ]
    )]
}

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
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query"])]
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
                Uploads("library/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "create_library_file",
            POST "/library/files",
            library::create_library_file,
            needs: [
                Table(&["dynamodb:PutItem"]),
                Uploads("library/", &["s3:PutObject"]),
            ]
        ),
        use_case!(
            "list_library_files",
            GET "/library/files",
            library::list_library_files,
            needs: [Table(&["dynamodb:GetItem"]), Indexes(&["dynamodb:Query"])]
        ),
        use_case!(
            "confirm_library_file",
            POST "/library/files/{id}/confirm",
            library::confirm_library_file,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Uploads("library/", &["s3:GetObject", "s3:DeleteObject"]),
            ]
        ),
        use_case!(
            "download_library_file",
            GET "/library/files/{id}/download",
            library::download_library_file,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Uploads("library/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "delete_library_file",
            DELETE "/library/files/{id}",
            library::delete_library_file,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"]),
                Uploads("library/", &["s3:DeleteObject"]),
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
            needs: [Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"])]
        ),
        use_case!(
            "monitoring_page",
            GET "/monitoring",
            monitoring::monitoring_page,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"])]
        ),
        use_case!(
            "submit_application",
            POST "/applications/{id}/submit",
            wizard::submit_application,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "print_receipt",
            GET "/applications/{id}/receipt",
            issuance::print_receipt,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Uploads("applications/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "print_permit",
            GET "/applications/{id}/permit",
            issuance::print_permit,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Uploads("applications/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "applicant_dashboard",
            GET "/dashboard",
            dashboard::dashboard,
            needs: [Table(&["dynamodb:GetItem"]), Indexes(&["dynamodb:Query"])]
        ),
        use_case!(
            "submit_complaint",
            POST "/complaints",
            complaints::submit_complaint,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
                Uploads("complaints/", &["s3:PutObject"]),
            ]
        ),
        use_case!(
            "list_complaints",
            GET "/complaints",
            complaints::list_complaints,
            needs: [Table(&["dynamodb:GetItem"]), Indexes(&["dynamodb:Query"])]
        ),
        use_case!(
            "get_complaint",
            GET "/complaints/{id}",
            complaints::get_complaint,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query"])]
        ),
        use_case!(
            "confirm_complaint_attachment",
            POST "/complaints/{id}/attachment/confirm",
            complaints::confirm_complaint_attachment,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
                Uploads("complaints/", &["s3:GetObject", "s3:DeleteObject"]),
            ]
        ),
        use_case!(
            "download_complaint_attachment",
            GET "/complaints/{id}/attachment",
            complaints::download_complaint_attachment,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Uploads("complaints/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "open_helpdesk_conversation",
            POST "/helpdesk/conversations",
            helpdesk::open_helpdesk_conversation,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
                Uploads("helpdesk/", &["s3:PutObject"]),
            ]
        ),
        use_case!(
            "list_helpdesk_conversations",
            GET "/helpdesk/conversations",
            helpdesk::list_helpdesk_conversations,
            needs: [Table(&["dynamodb:GetItem"]), Indexes(&["dynamodb:Query"])]
        ),
        use_case!(
            "helpdesk_queue",
            GET "/helpdesk/queue",
            helpdesk::helpdesk_queue,
            needs: [Table(&["dynamodb:GetItem"]), Indexes(&["dynamodb:Query"])]
        ),
        use_case!(
            "take_helpdesk_conversation",
            POST "/helpdesk/conversations/{id}/take",
            helpdesk::take_helpdesk_conversation,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "close_helpdesk_conversation",
            POST "/helpdesk/conversations/{id}/close",
            helpdesk::close_helpdesk_conversation,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "list_helpdesk_messages",
            GET "/helpdesk/conversations/{id}/messages",
            helpdesk::list_helpdesk_messages,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"])]
        ),
        use_case!(
            "send_helpdesk_message",
            POST "/helpdesk/conversations/{id}/messages",
            helpdesk::send_helpdesk_message,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]),
                Uploads("helpdesk/", &["s3:PutObject"]),
            ]
        ),
        use_case!(
            "confirm_message_attachment",
            POST "/helpdesk/conversations/{id}/messages/{message_id}/attachment/confirm",
            helpdesk::confirm_message_attachment,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
                Uploads("helpdesk/", &["s3:GetObject", "s3:DeleteObject"]),
            ]
        ),
        use_case!(
            "download_message_attachment",
            GET "/helpdesk/conversations/{id}/messages/{message_id}/attachment",
            helpdesk::download_message_attachment,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Uploads("helpdesk/", &["s3:GetObject"]),
            ]
        ),
        use_case!(
            "submit_survey",
            POST "/surveys",
            survey::submit_survey,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "ikm_report",
            GET "/ikm",
            survey::ikm_report,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "public_ikm",
            GET "/agencies/{code}/ikm",
            survey::public_ikm,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "permits_in_area",
            GET "/webgis/permits",
            webgis::permits_in_area,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query"])]
        ),
        use_case!(
            "permit_map_page",
            GET "/peta-izin",
            webgis::map_page,
            needs: [Table(&["dynamodb:GetItem"])]
        ),
        use_case!(
            "map_asset",
            GET "/static/leaflet/{file}",
            webgis::map_asset,
            needs: [Table(&["dynamodb:GetItem"])]
        ),
        use_case!(
            "verify_permit",
            GET "/permits/{id}/verification",
            verification::verify_permit,
            needs: [Table(&["dynamodb:GetItem"]), SigningKey(&["kms:Verify"])]
        ),
        use_case!(
            "check_permit_document",
            POST "/permits/{id}/verification",
            verification::check_permit_document,
            needs: [Table(&["dynamodb:GetItem"]), SigningKey(&["kms:Verify"])]
        ),
        use_case!(
            "permit_verification_page",
            GET "/verifikasi/{id}",
            verification::verification_page,
            needs: [Table(&["dynamodb:GetItem"]), SigningKey(&["kms:Verify"])]
        ),
    ]
}
