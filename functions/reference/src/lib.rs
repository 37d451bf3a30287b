//! Reference data: the Indonesian administrative regions (from `idn-area-data`, ODbL),
//! the organisations officers belong to (SKPD and agencies) and the permit types of
//! each agency. Read by everyone, written only by seeding and admins.

pub mod holidays;
pub mod organisations;
pub mod regions;

use loket_shared::http::UseCase;
use loket_shared::use_case;

/// The HTTP use cases of this context, by `LOKET_USE_CASE` name.
pub fn use_cases() -> Vec<UseCase> {
    vec![
        use_case!("list_regions", regions::list_regions),
        use_case!("list_organisations", organisations::list_organisations),
        use_case!("list_permit_types", organisations::list_permit_types),
        use_case!("list_holidays", holidays::list_holidays),
        use_case!("put_holiday", holidays::put_holiday),
        use_case!("delete_holiday", holidays::delete_holiday),
    ]
}
