//! Injectable time and id generation, so tests can pin both.

use rand::RngCore;
use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;

/// The current time, seen through a trait so tests can control it.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;

    /// Seconds since the Unix epoch.
    fn epoch(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

tokio::task_local! {
    /// Seconds the clock is moved for the request being served (see [`ShiftedClock`]).
    static SHIFT: i64;
}

/// The system clock, moved forward for the duration of one request. Only the local test
/// stack builds it (`loket-local --test-support`, header `x-loket-clock-shift`), so that a
/// test sees a code or a PIN expire, or a cooldown pass, without waiting it out; the
/// rules and their lifetimes stay the production ones. No Lambda function builds it.
#[derive(Debug, Default, Clone, Copy)]
pub struct ShiftedClock;

impl ShiftedClock {
    /// Runs `f` with the clock moved `seconds` ahead.
    pub async fn shifted<F: std::future::Future>(seconds: i64, f: F) -> F::Output {
        SHIFT.scope(seconds, f).await
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(SHIFT.try_with(|s| *s).unwrap_or(0))
    }
}

/// A clock that only moves when told to (unit tests).
#[derive(Debug)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(epoch: i64) -> Self {
        Self(AtomicI64::new(epoch))
    }
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0.load(Ordering::SeqCst))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// Identifiers and secrets, seen through a trait so tests can make them predictable.
pub trait IdGen: Send + Sync {
    /// A sortable, unique id: 10 chars of time + 16 random chars (Crockford base32).
    fn id(&self) -> String;
    /// `n` random bytes from the OS CSPRNG.
    fn secret_bytes(&self, n: usize) -> Vec<u8>;
    /// A random decimal code of `digits` digits (verification codes, PINs).
    fn digits(&self, digits: usize) -> String;
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Random ids from the operating system's CSPRNG.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdGen for RandomIds {
    fn id(&self) -> String {
        let millis = (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as u64;
        let mut out = String::with_capacity(26);
        for i in (0..10).rev() {
            out.push(CROCKFORD[((millis >> (i * 5)) & 31) as usize] as char);
        }
        let mut rnd = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut rnd);
        for b in rnd {
            out.push(CROCKFORD[(b & 31) as usize] as char);
        }
        out
    }

    fn secret_bytes(&self, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        rand::rngs::OsRng.fill_bytes(&mut v);
        v
    }

    fn digits(&self, digits: usize) -> String {
        use rand::Rng;
        let mut rng = rand::rngs::OsRng;
        (0..digits)
            .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
            .collect()
    }
}

/// The calendar date of `epoch` in the offices' zone (`offset_hours` from UTC), as
/// generated documents print it: `03-12-2026`.
pub fn office_date(epoch: i64, offset_hours: i8) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::UtcOffset::from_hms(offset_hours, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!("{:02}-{:02}-{}", t.day(), u8::from(t.month()), t.year())
}

/// The calendar date of `epoch` in the offices' zone as `yyyy-mm-dd` (sortable keys).
pub fn office_iso_date(epoch: i64, offset_hours: i8) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::UtcOffset::from_hms(offset_hours, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_shifted_clock_moves_only_inside_its_scope() {
        let clock = ShiftedClock;
        let before = clock.epoch();
        let inside = ShiftedClock::shifted(601, async { clock.epoch() }).await;
        assert!(
            (601..=603).contains(&(inside - before)),
            "{inside} - {before}"
        );
        assert!(clock.epoch() - before <= 2);
    }

    #[test]
    fn ids_are_unique_and_time_ordered() {
        let g = RandomIds;
        let a = g.id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = g.id();
        assert_eq!(a.len(), 26);
        assert_ne!(a, b);
        assert!(a[..10] <= b[..10]);
    }

    #[test]
    fn digits_are_digits_of_the_right_length() {
        let d = RandomIds.digits(6);
        assert_eq!(d.len(), 6);
        assert!(d.bytes().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = FixedClock::at(1_700_000_000);
        assert_eq!(c.epoch(), 1_700_000_000);
        c.advance(60);
        assert_eq!(c.epoch(), 1_700_000_060);
    }
}
