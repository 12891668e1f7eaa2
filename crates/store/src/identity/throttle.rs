//! Throttling of password guesses, per account and per address.
//!
//! An attempt on an account is counted *before* its password is checked, in
//! one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement that also decides
//! whether it may go ahead: of attempts made at the same moment, each gets its
//! own count, so none is lost and none slips past the limit. A success clears
//! the account's count. An address's failures are counted after the check, in
//! the same kind of statement; an address over its limit is told to slow down,
//! but its attempts are still checked, so one person failing at an address
//! shared by many (an office, a proxy) never locks the others out.
//!
//! A count starts again once [`WINDOW`] has passed since its last attempt.

use super::IdentityStore;
use crate::sql::Val;
use crate::StoreError;
use std::sync::LazyLock;
use time::{Duration, OffsetDateTime};

/// The longest wait a count can impose.
pub const MAX_DELAY_SECS: i64 = 15 * 60;

/// A count is forgotten once this long has passed since its last attempt.
pub const WINDOW: Duration = Duration::minutes(15);

/// How many failures a key is allowed before each further one must wait a
/// delay that doubles, up to [`MAX_DELAY_SECS`].
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub free: i64,
}

/// An account (or an e-mail address with no account): five free attempts.
pub const ACCOUNT: Rule = Rule { free: 5 };

/// An address, which many people may share: more failures before it is slowed.
pub const ADDRESS: Rule = Rule { free: 20 };

impl Rule {
    /// Seconds to wait after `failures` counted attempts.
    pub fn delay_after(self, failures: i64) -> i64 {
        if failures < self.free {
            0
        } else {
            (1i64 << (failures - self.free).min(20)).min(MAX_DELAY_SECS)
        }
    }

    /// [`Rule::delay_after`] as SQL, over the count `n` (an expression).
    fn delay_sql(self, n: &str) -> String {
        let mut sql = format!("CASE {n}");
        let mut k = 1;
        while self.delay_after(k) < MAX_DELAY_SECS {
            sql.push_str(&format!(" WHEN {k} THEN {}", self.delay_after(k)));
            k += 1;
        }
        sql.push_str(&format!(" ELSE {MAX_DELAY_SECS} END"));
        sql
    }

    /// The one statement that counts an attempt: `$1` the key, `$2` now and
    /// `$3` the start of the window, in microseconds. With `gate`, an attempt
    /// made while the key must wait changes nothing and returns no row.
    fn count_sql(self, gate: bool) -> String {
        // The count after this attempt: 1 when the last one is older than the window.
        let next = "(CASE WHEN login_throttle.last_at_us < $3 THEN 1 ELSE login_throttle.failures + 1 END)";
        format!(
            "INSERT INTO login_throttle (key, failures, last_at_us, blocked_until_us) \
             VALUES ($1, 1, $2, $2 + 1000000 * {first}) \
             ON CONFLICT (key) DO UPDATE SET failures = {next}, last_at_us = $2, \
             blocked_until_us = $2 + 1000000 * ({delay}){gate} \
             RETURNING failures, blocked_until_us",
            first = self.delay_after(1),
            delay = self.delay_sql(next),
            gate = if gate {
                " WHERE login_throttle.last_at_us < $3 OR login_throttle.blocked_until_us <= $2"
            } else {
                ""
            },
        )
    }
}

static ACCOUNT_GATE: LazyLock<String> = LazyLock::new(|| ACCOUNT.count_sql(true));
static ADDRESS_COUNT: LazyLock<String> = LazyLock::new(|| ADDRESS.count_sql(false));

fn micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1000) as i64
}

/// Whole seconds from now until `until_us`, at least one.
fn seconds_until(until_us: i64, now: OffsetDateTime) -> i64 {
    ((until_us - micros(now) + 999_999) / 1_000_000).max(1)
}

/// The throttling key of an account, by its e-mail address as typed (so an
/// address with no account is throttled the same way).
pub fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

pub fn address_key(ip: &str) -> String {
    format!("ip:{ip}")
}

impl IdentityStore<'_> {
    /// Counts an attempt on an account before anything is checked. `Err` holds
    /// the seconds to wait when the account must wait first; nothing is then counted.
    pub(crate) async fn admit(&self, key: &str, now: OffsetDateTime) -> Result<Result<(), i64>, StoreError> {
        let args = [Val::Text(key.into()), Val::Int(micros(now)), Val::Int(micros(now - WINDOW))];
        if !self.store.fetch(&ACCOUNT_GATE, &args).await?.is_empty() {
            return Ok(Ok(()));
        }
        let until = self
            .store
            .fetch_one("SELECT blocked_until_us FROM login_throttle WHERE key = $1", &[Val::Text(key.into())])
            .await?
            .map(|r| r.int(0))
            .unwrap_or(0);
        Ok(Err(seconds_until(until, now)))
    }

    /// Counts a failure at an address, after the check. Returns the seconds
    /// that address should now wait (0 while it is within its allowance).
    pub(crate) async fn count_address_failure(&self, key: &str, now: OffsetDateTime) -> Result<i64, StoreError> {
        let args = [Val::Text(key.into()), Val::Int(micros(now)), Val::Int(micros(now - WINDOW))];
        let row = self.store.fetch_one(&ADDRESS_COUNT, &args).await?;
        let failures = row.map(|r| r.int(0)).unwrap_or(0);
        Ok(ADDRESS.delay_after(failures))
    }

    /// Takes back an attempt counted by [`IdentityStore::admit`] that was not a
    /// guess after all (the password was right and a second-factor code is
    /// still to come, or no password check could be made).
    pub(crate) async fn uncount(&self, key: &str) -> Result<(), StoreError> {
        self.store
            .fetch(
                "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0",
                &[Val::Text(key.into())],
            )
            .await?;
        Ok(())
    }

    /// Forgets an account's count after a success.
    pub(crate) async fn clear_count(&self, key: &str) -> Result<(), StoreError> {
        self.store.fetch("DELETE FROM login_throttle WHERE key = $1", &[Val::Text(key.into())]).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_after_the_free_attempts_and_are_capped() {
        assert_eq!(ACCOUNT.delay_after(1), 0);
        assert_eq!(ACCOUNT.delay_after(4), 0);
        assert_eq!(ACCOUNT.delay_after(5), 1);
        assert_eq!(ACCOUNT.delay_after(6), 2);
        assert_eq!(ACCOUNT.delay_after(9), 16);
        assert_eq!(ACCOUNT.delay_after(100), MAX_DELAY_SECS);
        assert_eq!(ADDRESS.delay_after(19), 0);
        assert_eq!(ADDRESS.delay_after(20), 1);
    }

    #[test]
    fn the_sql_delays_are_the_same_as_the_rule() {
        let sql = ACCOUNT.delay_sql("n");
        assert!(sql.starts_with("CASE n WHEN 1 THEN 0 "), "{sql}");
        assert!(sql.contains(" WHEN 5 THEN 1 WHEN 6 THEN 2 "), "{sql}");
        assert!(sql.contains(" WHEN 14 THEN 512 ELSE 900 END"), "{sql}");
    }

    #[test]
    fn waits_are_whole_seconds_rounded_up() {
        let now = OffsetDateTime::from_unix_timestamp(1_000).unwrap();
        assert_eq!(seconds_until(micros(now) + 1, now), 1);
        assert_eq!(seconds_until(micros(now) + 1_500_000, now), 2);
        assert_eq!(seconds_until(micros(now) - 5, now), 1);
    }
}
