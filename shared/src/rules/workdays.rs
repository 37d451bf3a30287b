//! Working days: Monday to Friday, minus the holidays the admins keep in the calendar.
//! Deadlines of human tasks count in working days, in Western Indonesia Time (WIB).

use std::collections::BTreeSet;
use time::{Date, Duration, OffsetDateTime, UtcOffset, Weekday};

/// WIB, UTC+7: the day a moment falls on for the government's offices.
pub fn wib_date(t: OffsetDateTime) -> Date {
    t.to_offset(UtcOffset::from_hms(7, 0, 0).expect("valid offset"))
        .date()
}

pub fn is_working_day(d: Date, holidays: &BTreeSet<Date>) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !holidays.contains(&d)
}

/// How many working days have passed since `from` up to `to`: the working days after
/// `from`, up to and including `to` (a task opened on Friday has been open one working
/// day on Monday).
pub fn working_days_between(from: Date, to: Date, holidays: &BTreeSet<Date>) -> i64 {
    let mut count = 0;
    let mut d = from;
    while d < to {
        d += Duration::days(1);
        if is_working_day(d, holidays) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn weekends_do_not_count() {
        let none = BTreeSet::new();
        // Friday 2026-11-20 → Monday 2026-11-23: one working day.
        assert_eq!(
            working_days_between(date!(2026 - 11 - 20), date!(2026 - 11 - 23), &none),
            1
        );
        // Monday → next Monday: five.
        assert_eq!(
            working_days_between(date!(2026 - 11 - 23), date!(2026 - 11 - 30), &none),
            5
        );
        assert_eq!(
            working_days_between(date!(2026 - 11 - 23), date!(2026 - 11 - 23), &none),
            0
        );
        assert_eq!(
            working_days_between(date!(2026 - 11 - 24), date!(2026 - 11 - 23), &none),
            0
        );
    }

    #[test]
    fn holidays_do_not_count() {
        // Christmas 2026 is a Friday.
        let holidays = BTreeSet::from([date!(2026 - 12 - 25)]);
        assert_eq!(
            working_days_between(date!(2026 - 12 - 24), date!(2026 - 12 - 28), &holidays),
            1
        );
        assert!(!is_working_day(date!(2026 - 12 - 25), &holidays));
        assert!(is_working_day(date!(2026 - 12 - 24), &holidays));
    }

    #[test]
    fn days_are_counted_in_wib() {
        // 18:30 UTC on the 24th is already the 25th in Jakarta.
        assert_eq!(
            wib_date(datetime!(2026-11-24 18:30 UTC)),
            date!(2026 - 11 - 25)
        );
        assert_eq!(
            wib_date(datetime!(2026-11-24 16:30 UTC)),
            date!(2026 - 11 - 24)
        );
    }
}
