//! Where Web Crypto's own randomness comes from (key generation, RSA-PSS salts, RSA-OAEP
//! padding): the OS in actions; refused in queries and mutations, whose results must be
//! deterministic, with Convex's error text. `crypto.getRandomValues` is not here: it
//! stays in `web_globals.js`, seeded in queries and mutations as `Math.random` is.

use rand_core::OsRng;

use super::algorithm::{CryptoError, CryptoResult};

/// The randomness an execution may draw for Web Crypto.
#[derive(Debug)]
pub(crate) struct Rng {
    allowed: bool,
}

impl Rng {
    /// `allowed` only in actions (and HTTP actions).
    pub fn new(allowed: bool) -> Rng {
        Rng { allowed }
    }

    pub fn get(&mut self) -> CryptoResult<OsRng> {
        if self.allowed {
            Ok(OsRng)
        } else {
            // A plain `Error`, as Convex throws it.
            Err(CryptoError {
                name: "Error",
                message: "Can't use cryptographic randomness in queries and mutations. Please \
                          consider using an action. See \
                          https://docs.convex.dev/functions/actions for more details."
                    .into(),
            })
        }
    }

    /// Fills `bytes` (a generated secret key).
    pub fn fill(&mut self, bytes: &mut [u8]) -> CryptoResult<()> {
        use rand_core::RngCore as _;
        self.get()?.fill_bytes(bytes);
        Ok(())
    }
}
