//! Invalidations per minute from the subscription inspector's samples: each live query
//! reports how many times it has run; between two samples of the same connection, the
//! runs added (a query's first run excluded) over the time between them is the rate at
//! which writes re-ran subscriptions. Hand-written: a difference of two counters, no
//! crate does less.
//!
//! It must not fetch anything (the Health command hands it the samples).

use std::collections::BTreeMap;
use std::time::Instant;

/// One sample: each live query's run count, by (session, query ID).
#[derive(Debug, Clone, Default)]
pub(crate) struct Sample {
    pub runs: BTreeMap<(String, u32), u64>,
}

/// The previous sample of one connection.
#[derive(Debug, Default)]
pub(crate) struct InvalidationRate {
    last: Option<(u64, Instant, Sample)>,
}

/// Re-runs between `before` and `after`: a query in both adds its new runs, a new query
/// its runs after the first; a query gone adds nothing.
pub(crate) fn reruns(before: &Sample, after: &Sample) -> u64 {
    after
        .runs
        .iter()
        .map(|(key, now)| match before.runs.get(key) {
            Some(then) => now.saturating_sub(*then),
            None => now.saturating_sub(1),
        })
        .sum()
}

impl InvalidationRate {
    /// Takes a sample of connection `generation` at `at`: the rate since the previous
    /// sample of the same connection, per minute (`None` for the first one).
    pub(crate) fn sample(&mut self, generation: u64, at: Instant, sample: Sample) -> Option<f64> {
        let rate = match &self.last {
            Some((g, then, before)) if *g == generation && at > *then => {
                let seconds = at.duration_since(*then).as_secs_f64();
                Some(reruns(before, &sample) as f64 * 60.0 / seconds)
            }
            _ => None,
        };
        self.last = Some((generation, at, sample));
        rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sample(entries: &[(&str, u32, u64)]) -> Sample {
        Sample { runs: entries.iter().map(|(s, q, n)| ((s.to_string(), *q), *n)).collect() }
    }

    #[test]
    fn reruns_count_new_runs_and_skip_first_runs_and_gone_queries() {
        let before = sample(&[("a", 1, 3), ("a", 2, 1), ("b", 1, 5)]);
        let after = sample(&[("a", 1, 5), ("a", 2, 1), ("c", 1, 4)]);
        // a:1 gained 2, a:2 none, c:1 is new (4 runs, the first not a re-run), b:1 is gone.
        assert_eq!(reruns(&before, &after), 5);
    }

    #[test]
    fn the_rate_needs_two_samples_of_the_same_connection() {
        let mut rate = InvalidationRate::default();
        let t0 = Instant::now();
        assert_eq!(rate.sample(1, t0, sample(&[("a", 1, 1)])), None);
        let r = rate.sample(1, t0 + Duration::from_secs(30), sample(&[("a", 1, 11)]));
        assert_eq!(r, Some(20.0));
        assert_eq!(
            rate.sample(2, t0 + Duration::from_secs(60), sample(&[])),
            None,
            "another connection"
        );
    }
}
