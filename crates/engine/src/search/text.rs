//! Text as Convex's search sees it: the tokenizer, a document version as an index holds
//! it ([`Indexed`]), what one document contributes to an index ([`SearchEntry`]), what one
//! search depended on ([`SearchRead`], the search part of a read set), and BM25 scoring
//! with exact statistics.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};

use super::MAX_TEXT_TERM_LENGTH;
use crate::IndexId;

/// The name the tokenizer is registered under in each tantivy index.
pub(crate) const TOKENIZER: &str = "convex_en";

/// Convex's analyzer: split on non-alphanumeric characters, drop terms of 32 bytes or
/// more, lowercase.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TEXT_TERM_LENGTH))
        .filter(LowerCaser)
        .build()
}

/// The terms of `text`, in order, repeats kept.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
}

/// What one version of a document contributes to a search index: its distinct terms and
/// its filter values (encoded with [`filter_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchEntry {
    pub terms: BTreeSet<String>,
    pub filters: Vec<Vec<u8>>,
}

/// One document version as the index holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Indexed {
    pub(crate) text: String,
    pub(crate) tokens: Vec<String>,
    pub(crate) filters: Vec<Vec<u8>>,
    pub(crate) creation_time: f64,
}

impl Indexed {
    pub(crate) fn entry(&self) -> SearchEntry {
        SearchEntry { terms: self.tokens.iter().cloned().collect(), filters: self.filters.clone() }
    }
}

/// A filter value as the index stores it: `undefined` (a missing field) apart from every
/// value.
pub(crate) fn filter_key(value: Option<&atrium_value::Value>) -> Vec<u8> {
    match value {
        None => vec![0],
        Some(value) => {
            let mut key = vec![1];
            key.extend(atrium_value::sort_key::sort_key(value));
            key
        }
    }
}

/// What a search read: its exact terms, the last term as a prefix, and its filters
/// (filter field position, encoded value). A write hits it when the old or new version of
/// the document has every filter value and some matching term.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchRead {
    pub index: IndexId,
    pub terms: Vec<String>,
    pub prefix: Option<String>,
    pub filters: Vec<(usize, Vec<u8>)>,
    /// The filters as written, for inspectors: field and value (Convex JSON text, or
    /// `undefined`).
    pub shown_filters: Vec<(String, String)>,
}

impl SearchRead {
    pub fn matches(&self, entry: &SearchEntry) -> bool {
        let filters_match =
            self.filters.iter().all(|(i, value)| entry.filters.get(*i) == Some(value));
        filters_match
            && (self.terms.iter().any(|t| entry.terms.contains(t))
                || self.prefix.as_ref().is_some_and(|p| {
                    entry.terms.range(p.clone()..).next().is_some_and(|t| t.starts_with(p.as_str()))
                }))
    }
}

/// Exact BM25 statistics of an index's documents.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) documents: u64,
    pub(crate) tokens: u64,
    /// Documents containing each term.
    pub(crate) frequencies: BTreeMap<String, u64>,
}

impl Stats {
    pub(crate) fn add(&mut self, tokens: &[String], sign: i64) {
        self.documents = self.documents.saturating_add_signed(sign);
        self.tokens = self.tokens.saturating_add_signed(sign * tokens.len() as i64);
        let distinct: BTreeSet<&String> = tokens.iter().collect();
        for term in distinct {
            if sign > 0 {
                *self.frequencies.entry(term.clone()).or_default() += 1;
            } else if let Some(n) = self.frequencies.get_mut(term) {
                *n -= 1;
                if *n == 0 {
                    self.frequencies.remove(term);
                }
            }
        }
    }
}

pub(crate) const K1: f64 = 1.2;
pub(crate) const B: f64 = 0.75;

/// The terms a query scores with and their weights: each exact term at 1, the last term's
/// completions (the term itself at 1, longer ones at 0.5), at most
/// [`super::MAX_PREFIX_MATCHES_PER_QUERY_TERM`] of them, as Convex expands prefixes.
pub(crate) fn scoring_terms(read: &SearchRead, stats: &Stats) -> BTreeMap<String, f64> {
    let mut terms: BTreeMap<String, f64> = BTreeMap::new();
    for term in &read.terms {
        terms.insert(term.clone(), 1.0);
    }
    if let Some(prefix) = &read.prefix {
        terms.insert(prefix.clone(), 1.0);
        let completions = stats
            .frequencies
            .range(prefix.clone()..)
            .map(|(t, _)| t)
            .take_while(|t| t.starts_with(prefix.as_str()))
            .filter(|t| *t != prefix)
            .take(super::MAX_PREFIX_MATCHES_PER_QUERY_TERM);
        for term in completions {
            terms.entry(term.clone()).or_insert(0.5);
        }
    }
    terms
}

/// The statistics one search scores with (copied so documents are scored after the
/// index's lock is released).
#[derive(Debug, Clone)]
pub(crate) struct Scorer {
    average_length: f64,
    /// term → (weight, idf)
    terms: BTreeMap<String, (f64, f64)>,
}

impl Scorer {
    pub(crate) fn new(weights: &BTreeMap<String, f64>, stats: &Stats) -> Self {
        let documents = stats.documents.max(1) as f64;
        let average_length = (stats.tokens as f64 / documents).max(1e-9);
        let terms = weights
            .iter()
            .map(|(term, weight)| {
                let n = stats.frequencies.get(term).copied().unwrap_or(0) as f64;
                let idf = (1.0 + (documents - n + 0.5) / (n + 0.5)).ln();
                (term.clone(), (*weight, idf))
            })
            .collect();
        Self { average_length, terms }
    }

    /// The BM25 score of a document's tokens (0: no query term occurs).
    pub(crate) fn score(&self, tokens: &[String]) -> f64 {
        let length = tokens.len() as f64;
        let norm = K1 * (1.0 - B + B * length / self.average_length);
        let mut counts: BTreeMap<&str, f64> = BTreeMap::new();
        for token in tokens {
            if self.terms.contains_key(token) {
                *counts.entry(token.as_str()).or_default() += 1.0;
            }
        }
        counts
            .into_iter()
            .map(|(term, tf)| {
                let (weight, idf) = self.terms[term];
                weight * idf * (K1 + 1.0) * tf / (tf + norm)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_as_convex_does() {
        assert_eq!(tokenize("Hello, World! it's 2024"), vec!["hello", "world", "it", "s", "2024"]);
        let long = "a".repeat(32);
        assert_eq!(tokenize(&format!("short {long} end")), vec!["short", "end"]);
        assert_eq!(tokenize(&"b".repeat(31)).len(), 1);
        assert_eq!(tokenize("Ünïcode ÇAFÉ"), vec!["ünïcode", "çafé"]);
    }

    #[test]
    fn a_read_matches_terms_prefixes_and_filters() {
        let entry = SearchEntry {
            terms: ["apple", "banana"].into_iter().map(String::from).collect(),
            filters: vec![vec![1, 5]],
        };
        let read =
            |terms: &[&str], prefix: Option<&str>, filters: Vec<(usize, Vec<u8>)>| SearchRead {
                index: IndexId(1),
                terms: terms.iter().map(|t| t.to_string()).collect(),
                prefix: prefix.map(String::from),
                filters,
                shown_filters: Vec::new(),
            };
        assert!(read(&["apple"], None, vec![]).matches(&entry));
        assert!(read(&["cherry"], Some("ban"), vec![]).matches(&entry));
        assert!(!read(&["cherry"], Some("bx"), vec![]).matches(&entry));
        assert!(!read(&["apple"], None, vec![(0, vec![1, 6])]).matches(&entry));
        assert!(read(&[], Some("apple"), vec![(0, vec![1, 5])]).matches(&entry));
    }
}
