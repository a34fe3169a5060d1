//! Document IDs in Convex's format.
//!
//! ```text
//! bytes  = varint(table number) ‖ internal id (16 bytes) ‖ footer (2 bytes)
//! varint = 7 bits per byte, low group first, high bit = "more" (1–5 bytes)
//! footer = little-endian u16 of fletcher16(varint ‖ internal id) XOR version (0)
//! id     = base32 of bytes, alphabet "0123456789abcdefghjkmnpqrstvwxyz",
//!          big-endian 5-bit groups, no padding (31–37 characters)
//! ```
//!
//! The internal id is 14 random bytes then the day number since the Unix epoch
//! (big-endian u16). Decoding rejects anything that does not re-encode to the same text.

use std::fmt;
use std::str::FromStr;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const VERSION: u16 = 0;
const MIN_LEN: usize = 31;
const MAX_LEN: usize = 37;

/// A table's number within a deployment. User tables start at 10001; system tables use
/// 512 + n.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableNumber(pub u32);

impl TableNumber {
    /// The number Convex gives the first user table.
    pub const FIRST_USER: TableNumber = TableNumber(10001);

    /// Whether this number belongs to a user table (as opposed to a system table).
    pub fn is_user(self) -> bool {
        self.0 > 10000
    }
}

/// A document's ID: its table number and 16 internal bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocumentId {
    pub table: TableNumber,
    pub internal: [u8; 16],
}

/// Why a string is not a document ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("`{0}` is not a document ID: it has {1} characters, IDs have 31 to 37")]
    Length(String, usize),
    #[error("`{0}` is not a document ID: {1:?} is not a base32 ID character")]
    Character(String, char),
    #[error("`{0}` is not a document ID: its table number is malformed")]
    TableNumber(String),
    #[error("`{0}` is not a document ID: its checksum does not match")]
    Checksum(String),
    #[error("`{0}` is not a document ID: it is not in canonical form")]
    NotCanonical(String),
}

impl DocumentId {
    /// An ID from 14 random bytes and the creation time (milliseconds since the epoch),
    /// which supplies the day number.
    pub fn new(table: TableNumber, random: [u8; 14], unix_ms: f64) -> Self {
        let day = (unix_ms / 86_400_000.0).floor().clamp(0.0, u16::MAX as f64) as u16;
        let mut internal = [0u8; 16];
        internal[..14].copy_from_slice(&random);
        internal[14..].copy_from_slice(&day.to_be_bytes());
        Self { table, internal }
    }

    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(23);
        let mut n = self.table.0;
        loop {
            let group = (n & 0x7F) as u8;
            n >>= 7;
            if n == 0 {
                bytes.push(group);
                break;
            }
            bytes.push(group | 0x80);
        }
        bytes.extend_from_slice(&self.internal);
        let footer = fletcher16(&bytes) ^ VERSION;
        bytes.extend_from_slice(&footer.to_le_bytes());
        base32_encode(&bytes)
    }

    pub fn decode(text: &str) -> Result<Self, IdError> {
        let err_text = || text.chars().take(64).collect::<String>();
        if !(MIN_LEN..=MAX_LEN).contains(&text.len()) {
            return Err(IdError::Length(err_text(), text.chars().count()));
        }
        let bytes = base32_decode(text).map_err(|c| IdError::Character(err_text(), c))?;
        // The varint: at most 5 bytes, and never 0.
        let mut table: u64 = 0;
        let mut used = 0;
        loop {
            let Some(&b) = bytes.get(used) else { return Err(IdError::TableNumber(err_text())) };
            table |= u64::from(b & 0x7F) << (7 * used);
            used += 1;
            if b & 0x80 == 0 {
                break;
            }
            if used == 5 {
                return Err(IdError::TableNumber(err_text()));
            }
        }
        if table == 0 || table > u64::from(u32::MAX) {
            return Err(IdError::TableNumber(err_text()));
        }
        if bytes.len() != used + 16 + 2 {
            return Err(IdError::Length(err_text(), text.len()));
        }
        let (body, footer) = bytes.split_at(used + 16);
        if u16::from_le_bytes([footer[0], footer[1]]) != fletcher16(body) ^ VERSION {
            return Err(IdError::Checksum(err_text()));
        }
        let id = DocumentId {
            table: TableNumber(table as u32),
            internal: body[used..].try_into().expect("16 bytes"),
        };
        if id.encode() != text {
            return Err(IdError::NotCanonical(err_text()));
        }
        Ok(id)
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl FromStr for DocumentId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::decode(s)
    }
}

fn fletcher16(bytes: &[u8]) -> u16 {
    let (mut c0, mut c1) = (0u8, 0u8);
    for &b in bytes {
        c0 = c0.wrapping_add(b);
        c1 = c1.wrapping_add(c0);
    }
    (u16::from(c1) << 8) | u16::from(c0)
}

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(text: &str) -> Result<Vec<u8>, char> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars() {
        let value = ALPHABET.iter().position(|&a| a as char == c).ok_or(c)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_convex_worked_examples() {
        let internal: [u8; 16] = std::array::from_fn(|i| i as u8);
        let id = DocumentId { table: TableNumber(10001), internal };
        assert_eq!(id.encode(), "j57000820c20a1g7104gm2rc1m70ynr8");
        let scheduled = DocumentId { table: TableNumber(539), internal: [0xab; 16] };
        assert_eq!(scheduled.encode(), "kc2aqaxbnentqaxbnentqaxbnentpkr2");
        assert_eq!(DocumentId::decode("j57000820c20a1g7104gm2rc1m70ynr8"), Ok(id));
    }

    #[test]
    fn rejects_malformed_ids() {
        let good = "j57000820c20a1g7104gm2rc1m70ynr8";
        assert!(matches!(DocumentId::decode("short"), Err(IdError::Length(..))));
        let bad_char = good.replacen('j', "i", 1);
        assert!(matches!(DocumentId::decode(&bad_char), Err(IdError::Character(_, 'i'))));
        let mut flipped = good.to_string();
        flipped.replace_range(10..11, "d");
        assert!(matches!(DocumentId::decode(&flipped), Err(IdError::Checksum(_))));
        let upper = good.to_uppercase();
        assert!(DocumentId::decode(&upper).is_err());
    }

    #[test]
    fn table_zero_is_refused() {
        let zero = DocumentId { table: TableNumber(0), internal: [7; 16] }.encode();
        assert!(matches!(DocumentId::decode(&zero), Err(IdError::TableNumber(_))));
    }

    #[test]
    fn new_ids_carry_the_day_number() {
        let id = DocumentId::new(TableNumber::FIRST_USER, [1; 14], 86_400_000.0 * 3.5);
        assert_eq!(&id.internal[14..], &[0, 3]);
        assert_eq!(id.encode().len(), 32);
    }
}
