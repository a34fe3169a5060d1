//! A small mutation fuzzer without libFuzzer: for a set time per target, takes a corpus
//! file, applies a few seeded random edits (byte flips, inserted tokens, cut or repeated
//! spans, splices with another file) and runs the result through the target. The seed is
//! fixed, so a failure reproduces; its input is written to the temp folder and named in the
//! message (copy it into `corpus/<target>/crash-*` when fixing it).
//! `ATRIUM_FUZZ_SECONDS` sets the time per target (default 1).

use std::time::{Duration, Instant};

/// Tokens the grammars care about, inserted whole.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"-0",
    b"1e999",
    b"-1",
    b"18446744073709551616",
    b"\"$integer\"",
    b"\"$float\"",
    b"\"$bytes\"",
    b"\"AAAAAAAAAAA=\"",
    b"\"type\"",
    b"\"Add\"",
    b"\"args\"",
    b"\"$field\"",
    b"\"$literal\"",
    b"\"$and\"",
    b"\"IndexRange\"",
    b"\"_id\"",
    b"\n",
    b"\\u0000",
    b"\xff",
    b"[[[[[[[[[[[[[[[[",
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"PK\x05\x06",
];

/// xorshift64*: enough randomness for mutations, reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, token.iter().copied());
            }
            2 => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                let span: Vec<u8> = data[at..end].to_vec();
                data.splice(at..at, span);
            }
            4 => {
                let from = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => {
                let i = rng.below(data.len() + 1);
                data.insert(i, rng.next() as u8);
            }
        }
    }
}

#[test]
fn mutated_corpus_inputs_run_through_their_targets() {
    let seconds: u64 =
        std::env::var("ATRIUM_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    for (name, target) in atrium_fuzz::TARGETS {
        let seeds: Vec<Vec<u8>> =
            super::corpus(name).iter().map(|f| std::fs::read(f).unwrap()).collect();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut runs = 0u64;
        while Instant::now() < deadline {
            let mut data = seeds[rng.below(seeds.len())].clone();
            let other = &seeds[rng.below(seeds.len())];
            mutate(&mut rng, &mut data, other);
            if std::panic::catch_unwind(|| target(&data)).is_err() {
                let path = std::env::temp_dir().join(format!("atrium-fuzz-crash-{name}-{runs}"));
                std::fs::write(&path, &data).unwrap();
                panic!("target {name} failed on a mutated input, written to {}", path.display());
            }
            runs += 1;
        }
        eprintln!("{name}: {runs} mutated inputs in {seconds} s");
    }
}
