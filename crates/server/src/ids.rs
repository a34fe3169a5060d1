//! Random identifiers: request IDs, push IDs and admin key secrets, as lowercase hex of
//! bytes from the OS random source. A leaf; it must not know what the IDs name.

/// `bytes` random bytes as `2 × bytes` hex digits.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the OS random source is available");
    hex::encode(buffer)
}
