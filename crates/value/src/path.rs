//! Where inside a value something is: `.messages[3].author`, shown in error messages.

use std::fmt;

/// A path from the root of a value to a part of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
}

impl Path {
    pub fn root() -> Self {
        Self::default()
    }

    pub fn field(&self, name: &str) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Field(name.to_owned()));
        next
    }

    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn depth(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(the value itself)");
        }
        for segment in &self.0 {
            match segment {
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_javascript_access() {
        let path = Path::root().field("messages").index(3).field("author");
        assert_eq!(path.to_string(), ".messages[3].author");
        assert_eq!(path.depth(), 3);
        assert_eq!(Path::root().to_string(), "(the value itself)");
    }
}
