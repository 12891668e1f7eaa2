//! The time the store works to. The system clock in service; tests inject a
//! clock they move forward, so that no test sleeps to see a session expire or
//! a second-factor code go stale.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// A cheap handle to a clock: the system's, or one a test moves by hand.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// How far ahead of the system clock this clock runs, in microseconds.
    offset_us: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock::default()
    }

    /// The current time.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::microseconds(self.offset_us.load(Ordering::Relaxed))
    }

    /// Today's date in the UK (Europe/London), the calendar people record levels in.
    pub fn today(&self) -> time::Date {
        cordon_domain::london::to_london(self.now()).0.date()
    }

    /// Moves this clock (and every handle cloned from it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_us.fetch_add(by.whole_microseconds() as i64, Ordering::Relaxed);
    }
}

/// How costly password hashes are to make. Only the test kit can choose
/// anything but the standard cost (the `test-support` feature), so a
/// deployment cannot be configured with weak hashes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PasswordCost {
    /// argon2id with the crate's recommended parameters (19 MiB, 2 passes).
    #[default]
    Standard,
    /// argon2id at its minimum cost: for tests only.
    #[cfg(feature = "test-support")]
    Cheap,
}

impl PasswordCost {
    pub(crate) fn argon2(self) -> argon2::Argon2<'static> {
        match self {
            PasswordCost::Standard => argon2::Argon2::default(),
            #[cfg(feature = "test-support")]
            PasswordCost::Cheap => argon2::Argon2::new(
                argon2::Algorithm::Argon2id,
                argon2::Version::V0x13,
                argon2::Params::new(argon2::Params::MIN_M_COST, 1, 1, None).expect("minimum parameters are valid"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_clock_moves_every_handle() {
        let a = Clock::system();
        let b = a.clone();
        let before = b.now();
        a.advance(Duration::hours(2));
        assert!(b.now() - before >= Duration::hours(2));
        assert!(Clock::system().now() - before < Duration::hours(1));
    }
}
