//! Timestamps on the wire: u64 nanoseconds as base64 of their 8 little-endian bytes
//! (`0` is `"AAAAAAAAAAA="`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

pub fn encode(ts: u64) -> String {
    BASE64.encode(ts.to_le_bytes())
}

pub fn decode(text: &str) -> Result<u64, String> {
    let bytes =
        BASE64.decode(text).map_err(|e| format!("`{text}` is not a base64 timestamp: {e}"))?;
    let bytes: [u8; 8] =
        bytes.try_into().map_err(|_| format!("`{text}` is not an 8-byte timestamp"))?;
    Ok(u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_examples() {
        assert_eq!(encode(0), "AAAAAAAAAAA=");
        assert_eq!(encode(1_700_000_000_000_000_000), "AAAqNv6clxc=");
        assert_eq!(decode("AAAqNv6clxc="), Ok(1_700_000_000_000_000_000));
        assert!(decode("AAAA").is_err());
        assert!(decode("!!").is_err());
    }
}
