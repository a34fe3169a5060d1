//! The scheduler's clock: wall time in milliseconds since the epoch, behind a trait so
//! next-run times and due checks can be tested against a fixed "now".
//!
//! It owns no scheduling logic; it only answers "what time is it".

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the scheduler reads the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> f64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// A clock that says what it is told (tests).
#[derive(Debug, Default)]
pub struct FixedClock(AtomicU64);

impl FixedClock {
    pub fn new(now_ms: f64) -> Self {
        Self(AtomicU64::new(now_ms.to_bits()))
    }

    pub fn set(&self, now_ms: f64) {
        self.0.store(now_ms.to_bits(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::SeqCst))
    }
}
