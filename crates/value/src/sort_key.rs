//! An order-preserving byte encoding of values: comparing two encodings byte by byte gives
//! the same answer as comparing the values in Convex's total order.
//!
//! Index keys are the concatenation of their fields' encodings, a missing field encoded as
//! `undefined` (which sorts before every value), so SQLite can order and range-scan them as
//! plain blobs.
//!
//! Layout (a type tag, then the payload):
//! - `undefined` 0x01, `null` 0x03;
//! - Int64 0x04 + 8 bytes big-endian with the sign bit flipped;
//! - Float64 0x0D + 8 bytes: IEEE bits with the sign bit flipped for positives and every
//!   bit flipped for negatives (IEEE total order);
//! - `false` 0x0E, `true` 0x0F;
//! - String 0x10 and Bytes 0x11: the bytes with 0x00 escaped as 0x00 0xFF, then 0x00;
//! - Array 0x12: each element's encoding, then 0x00;
//! - Object 0x15: for each field in name order, 0x01 + escaped name + 0x00 + the value's
//!   encoding; then 0x00.

use crate::Value;

const UNDEFINED: u8 = 0x01;
const NULL: u8 = 0x03;
const INT64: u8 = 0x04;
const FLOAT64: u8 = 0x0D;
const FALSE: u8 = 0x0E;
const TRUE: u8 = 0x0F;
const STRING: u8 = 0x10;
const BYTES: u8 = 0x11;
const ARRAY: u8 = 0x12;
const OBJECT: u8 = 0x15;
const END: u8 = 0x00;
const FIELD: u8 = 0x01;

/// Appends the encoding of `value` (`None` for a missing field) to `out`.
pub fn write_sort_key(value: Option<&Value>, out: &mut Vec<u8>) {
    let Some(value) = value else {
        out.push(UNDEFINED);
        return;
    };
    match value {
        Value::Null => out.push(NULL),
        Value::Int64(i) => {
            out.push(INT64);
            out.extend_from_slice(&((*i as u64) ^ (1 << 63)).to_be_bytes());
        }
        Value::Float64(f) => {
            out.push(FLOAT64);
            let bits = f.to_bits();
            let ordered = if bits >> 63 == 1 { !bits } else { bits ^ (1 << 63) };
            out.extend_from_slice(&ordered.to_be_bytes());
        }
        Value::Boolean(false) => out.push(FALSE),
        Value::Boolean(true) => out.push(TRUE),
        Value::String(s) => {
            out.push(STRING);
            write_escaped(s.as_bytes(), out);
        }
        Value::Bytes(b) => {
            out.push(BYTES);
            write_escaped(b, out);
        }
        Value::Array(items) => {
            out.push(ARRAY);
            for item in items {
                write_sort_key(Some(item), out);
            }
            out.push(END);
        }
        Value::Object(fields) => {
            out.push(OBJECT);
            for (name, field) in fields {
                out.push(FIELD);
                write_escaped(name.as_bytes(), out);
                write_sort_key(Some(field), out);
            }
            out.push(END);
        }
    }
}

fn write_escaped(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.push(END);
}

/// The encoding of one value.
pub fn sort_key(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_sort_key(Some(value), &mut out);
    out
}

/// The key of an index entry: each indexed field's value (`None` when missing), in order.
pub fn index_key<'a>(values: impl IntoIterator<Item = Option<&'a Value>>) -> Vec<u8> {
    let mut out = Vec::new();
    for value in values {
        write_sort_key(value, &mut out);
    }
    out
}

/// The smallest key greater than every key that starts with `prefix`, or `None` when no
/// such key exists (the prefix is all 0xFF). Used as the exclusive end of a prefix range.
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_sorts_before_null() {
        assert!(index_key([None]) < index_key([Some(&Value::Null)]));
    }

    #[test]
    fn strings_with_nul_bytes_keep_their_order() {
        let a = Value::from("a");
        let a_nul = Value::from("a\0");
        let a_nul_b = Value::from("a\0b");
        let ab = Value::from("ab");
        assert!(sort_key(&a) < sort_key(&a_nul));
        assert!(sort_key(&a_nul) < sort_key(&a_nul_b));
        assert!(sort_key(&a_nul_b) < sort_key(&ab));
    }

    #[test]
    fn compound_keys_compare_field_by_field() {
        let k1 = index_key([Some(&Value::from("a")), Some(&Value::Int64(9))]);
        let k2 = index_key([Some(&Value::from("ab")), Some(&Value::Int64(1))]);
        assert!(k1 < k2);
    }

    #[test]
    fn prefix_successor_bounds_a_prefix() {
        assert_eq!(prefix_successor(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_successor(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_successor(&[0xFF]), None);
    }
}
