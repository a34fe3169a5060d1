//! [`KeyRange`]: an interval of index keys, `[start, end)`, over sort-key bytes.

/// The keys `k` with `start <= k < end` (`end: None` is unbounded).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyRange {
    pub start: Vec<u8>,
    pub end: Option<Vec<u8>>,
}

impl KeyRange {
    /// Every key.
    pub fn all() -> Self {
        Self { start: Vec::new(), end: None }
    }

    /// Exactly one key.
    pub fn point(key: &[u8]) -> Self {
        Self { start: key.to_vec(), end: Some(key_successor(key)) }
    }

    /// Every key starting with `prefix`.
    pub fn prefix(prefix: &[u8]) -> Self {
        Self { start: prefix.to_vec(), end: atrium_value::sort_key::prefix_successor(prefix) }
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        key >= self.start.as_slice() && self.end.as_ref().is_none_or(|end| key < end.as_slice())
    }

    pub fn is_empty(&self) -> bool {
        self.end.as_ref().is_some_and(|end| end.as_slice() <= self.start.as_slice())
    }

    /// Whether this range is exactly one key.
    pub fn as_point(&self) -> Option<&[u8]> {
        let end = self.end.as_ref()?;
        (end.len() == self.start.len() + 1
            && end.starts_with(&self.start)
            && end.last() == Some(&0))
        .then_some(self.start.as_slice())
    }
}

/// The smallest key greater than `key`.
pub fn key_successor(key: &[u8]) -> Vec<u8> {
    let mut next = key.to_vec();
    next.push(0);
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_contain_what_they_should() {
        let r = KeyRange { start: vec![2], end: Some(vec![4]) };
        assert!(!r.contains(&[1, 9]));
        assert!(r.contains(&[2]));
        assert!(r.contains(&[3, 255]));
        assert!(!r.contains(&[4]));
        assert!(KeyRange::all().contains(&[]));
        let p = KeyRange::point(&[5, 6]);
        assert!(p.contains(&[5, 6]) && !p.contains(&[5, 6, 0]) && !p.contains(&[5]));
        assert_eq!(p.as_point(), Some(&[5u8, 6][..]));
        assert_eq!(r.as_point(), None);
        let prefix = KeyRange::prefix(&[7]);
        assert!(prefix.contains(&[7, 0, 1]) && !prefix.contains(&[8]));
        assert!(KeyRange { start: vec![3], end: Some(vec![3]) }.is_empty());
    }
}
