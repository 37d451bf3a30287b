//! Reference data: the Indonesian administrative regions (from `idn-area-data`, ODbL),
//! the organisations officers belong to (SKPD and agencies) and the permit types of
//! each agency. Read by everyone, written only by seeding and admins.

pub mod holidays;
pub mod organisations;
pub mod permits;
pub mod regions;

use loket_shared::http::UseCase;
use loket_shared::needs::Need::*;
use loket_shared::use_case;

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!(
            "list_regions",
            GET "/regions",
            regions::list_regions,
            needs: [
                Table(&["dynamodb:GetItem"]),
            ]
        ),
        use_case!(
            "list_organisations",
            GET "/organisations",
            organisations::list_organisations,
            needs: [
                Table(&["dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "list_permit_types",
            GET "/agencies/{code}/permit-types",
            permits::list_permit_types,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:Query"]),
            ]
        ),
        use_case!(
            "list_all_permit_types",
            GET "/permit-types",
            permits::list_all_permit_types,
            needs: [
                Table(&["dynamodb:Query"]),
                Indexes(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "put_permit_type",
            PUT "/admin/agencies/{agency}/permit-types/{code}",
            permits::put_permit_type,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "list_holidays",
            GET "/holidays",
            holidays::list_holidays,
            needs: [
                Table(&["dynamodb:Query"]),
            ]
        ),
        use_case!(
            "put_holiday",
            PUT "/admin/holidays/{date}",
            holidays::put_holiday,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:PutItem"]),
            ]
        ),
        use_case!(
            "delete_holiday",
            DELETE "/admin/holidays/{date}",
            holidays::delete_holiday,
            needs: [
                Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"]),
            ]
        ),
    ]
}
