//! Commit timestamps: nanoseconds since the Unix epoch, strictly increasing per deployment.

use std::time::{SystemTime, UNIX_EPOCH};

/// A point in the deployment's history. Every commit gets a larger one than the last.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub u64);

impl Timestamp {
    pub const ZERO: Timestamp = Timestamp(0);

    /// The next commit timestamp after `last`: the wall clock, or `last + 1` if the clock
    /// is behind (it moved backwards, or commits come faster than it ticks).
    pub fn next_after(last: Timestamp) -> Timestamp {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Timestamp(now.max(last.0 + 1))
    }

    /// Milliseconds since the epoch, as Convex's `_creationTime` counts.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1_000_000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_moves_forward() {
        let far_future = Timestamp(u64::MAX / 2);
        assert_eq!(Timestamp::next_after(far_future), Timestamp(far_future.0 + 1));
        let a = Timestamp::next_after(Timestamp::ZERO);
        assert!(Timestamp::next_after(a) > a);
    }
}
