//! Orders (seed 001 §3–6): the buyers' delivery addresses (`address`), the cart and the
//! order drafts with their confirmation (`cart`), the order itself and its pure rules
//! (`order`), the vendor's invoice and kwitansi (`documents`) and the invoice Loket
//! generates on shipment (`invoice`), its lifecycle as a workflow of the approval engine (`lifecycle`), whose
//! rating leaves the products' feedback and adds to the vendor's rating, and the
//! cancellation the other party agrees to or refuses (`cancellation`), and the chat
//! between a buyer and a vendor about a product or an order (`chat`); completed orders
//! are published as open data (OCDS, `open_data`). In a JATHIL MART deployment its
//! administrator validates each order and approves the payout of a transfer, and the
//! service time is reported (`service_time`). A procurement official with several work
//! units maps each to a company account and buys for it (`satker`).

pub mod address;
pub mod cancellation;
pub mod cart;
pub mod chat;
pub mod documents;
pub mod invoice;
pub mod lifecycle;
pub mod open_data;
pub mod order;
pub mod satker;
pub mod service_time;

use loket_shared::approval::{task_kind, TaskKind};
use loket_shared::http::UseCase;
use loket_shared::lambda::EventUseCase;
use loket_shared::needs::Need::*;
use loket_shared::{event_use_case, use_case};

/// The event use cases of this context, by `LOKET_USE_CASE` name.
pub fn event_use_cases() -> Vec<EventUseCase> {
    vec![event_use_case!(
        "generate_invoices",
        invoice::generate_invoices,
        needs: [
            Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
            Uploads("orders/", &["s3:GetObject", "s3:PutObject"]),
        ]
    )]
}

/// The human tasks of this context's workflows (the order lifecycle, cancellations).
pub fn task_kinds() -> Vec<TaskKind> {
    vec![
        task_kind::<order::Order>(),
        task_kind::<cancellation::OrderCancellation>(),
    ]
}

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "list_addresses",
            GET "/buyer/addresses",
            address::list_addresses,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query"])]
        ),
        use_case!(
            "create_address",
            POST "/buyer/addresses",
            address::create_address,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"])]
        ),
        use_case!(
            "update_address",
            PUT "/buyer/addresses/{id}",
            address::update_address,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "delete_address",
            DELETE "/buyer/addresses/{id}",
            address::delete_address,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"])]
        ),
        use_case!(
            "add_to_cart",
            POST "/cart/items",
            cart::add_to_cart,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "list_satkers",
            GET "/buyer/satkers",
            satker::list_satkers,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query"])]
        ),
        use_case!(
            "add_satker",
            POST "/buyer/satkers",
            satker::add_satker,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"])]
        ),
        use_case!(
            "get_satker",
            GET "/buyer/satkers/{code}",
            satker::get_satker,
            needs: [Table(&["dynamodb:GetItem"])]
        ),
        use_case!(
            "remove_satker",
            DELETE "/buyer/satkers/{code}",
            satker::remove_satker,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"])]
        ),
        use_case!(
            "send_company_code",
            POST "/buyer/satkers/{code}/mapping/code",
            satker::send_company_code,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "map_satker",
            POST "/buyer/satkers/{code}/mapping",
            satker::map_satker,
            needs: [Table(&[
                "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ])]
        ),
        use_case!(
            "jathil_service_report",
            GET "/admin/jathil/service-report",
            service_time::service_report,
            needs: [Table(&["dynamodb:Query"])]
        ),
        use_case!(
            "list_open_orders",
            GET "/open-data/orders",
            open_data::list_open_orders,
            needs: [Table(&["dynamodb:Query"])]
        ),
        use_case!(
            "list_conversations",
            GET "/conversations",
            chat::list_conversations,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "open_conversation",
            POST "/conversations",
            chat::open_conversation,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "list_messages",
            GET "/conversations/{id}/messages",
            chat::list_messages,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"])]
        ),
        use_case!(
            "send_message",
            POST "/conversations/{id}/messages",
            chat::send_message,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"])]
        ),
        use_case!(
            "list_orders",
            GET "/orders",
            cart::list_orders,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "get_order",
            GET "/orders/{id}",
            cart::get_order,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "save_order_details",
            PUT "/orders/{id}",
            cart::save_order_details,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "discard_order",
            DELETE "/orders/{id}",
            cart::discard_order,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"])]
        ),
        use_case!(
            "update_order_line",
            PUT "/orders/{id}/items/{product_id}",
            cart::update_order_line,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "delete_order_line",
            DELETE "/orders/{id}/items/{product_id}",
            cart::delete_order_line,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"])]
        ),
        use_case!(
            "confirm_order",
            POST "/orders/{id}/confirm",
            cart::confirm_order,
            needs: [Table(&[
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
            ])]
        ),
        use_case!(
            "request_cancellation",
            POST "/orders/{id}/cancellation",
            cancellation::request_cancellation,
            needs: [Table(&["dynamodb:GetItem", "dynamodb:PutItem"])]
        ),
        use_case!(
            "create_order_document",
            POST "/orders/{id}/documents",
            documents::create_order_document,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
                Uploads("orders/", &["s3:PutObject"]),
            ]
        ),
        use_case!(
            "confirm_order_document",
            POST "/orders/{id}/documents/{doc_id}/confirm",
            documents::confirm_order_document,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Uploads("orders/", &["s3:GetObject", "s3:DeleteObject"]),
            ]
        ),
        use_case!(
            "download_order_document",
            GET "/orders/{id}/documents/{doc_id}/download",
            documents::download_order_document,
            needs: [
                Table(&["dynamodb:GetItem"]),
                Uploads("orders/", &["s3:GetObject"]),
            ]
        ),
    ]
}
