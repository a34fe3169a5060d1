//! Search indexes through the engine's public API on a real SQLite file, on a generated
//! corpus: relevance order against a BM25 computed here from the documents, prefix
//! matching of the last term, filters, Convex's limits and messages, writes visible to the
//! next transaction (and to the writing one), snapshots, and which writes hit a live
//! search's read set.

use std::collections::{BTreeMap, BTreeSet};

use atrium_engine::search::{SearchIndexSpec, SearchQuery, tokenize};
use atrium_engine::{Engine, EngineError, EngineOptions};
use atrium_value::{DocumentId, Object, Value};

pub(crate) fn open(dir: &tempfile::TempDir) -> Engine {
    Engine::open(&dir.path().join("deployment.sqlite3"), EngineOptions::default()).unwrap()
}

pub(crate) fn spec() -> SearchIndexSpec {
    SearchIndexSpec { search_field: "body".into(), filter_fields: vec!["channel".into()] }
}

pub(crate) fn message(body: &str, channel: &str) -> Object {
    [("body".to_string(), Value::from(body)), ("channel".to_string(), Value::from(channel))]
        .into_iter()
        .collect()
}

pub(crate) fn query(text: &str, channel: Option<&str>) -> SearchQuery {
    SearchQuery {
        table: "messages".into(),
        index: "search_body".into(),
        search: vec![("body".into(), text.into())],
        filters: channel
            .map(|c| ("channel".to_string(), Some(Value::from(c))))
            .into_iter()
            .collect(),
    }
}

/// splitmix64, so the corpus is the same on every run.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub(crate) const WORDS: &[&str] = &[
    "apple",
    "application",
    "apply",
    "banana",
    "band",
    "bandana",
    "cherry",
    "delta",
    "echo",
    "fox",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
];

/// Skewed word choice (earlier words more often), 2 to 12 words, some punctuation and case.
pub(crate) fn corpus(n: usize) -> Vec<(String, String)> {
    let mut rng = Rng(7);
    (0..n)
        .map(|i| {
            let len = 2 + rng.below(11);
            let words: Vec<String> = (0..len)
                .map(|_| {
                    let a = rng.below(WORDS.len());
                    let word = WORDS[rng.below(a + 1)];
                    if rng.below(5) == 0 { word.to_uppercase() } else { word.to_owned() }
                })
                .collect();
            (words.join(if i % 3 == 0 { ", " } else { " " }), format!("c{}", i % 4))
        })
        .collect()
}

/// BM25 (k1 = 1.2, b = 0.75) of every document for `terms` (term → weight), computed from
/// the documents themselves.
fn reference(
    docs: &BTreeMap<DocumentId, Vec<String>>,
    terms: &[(&str, f64)],
) -> BTreeMap<DocumentId, f64> {
    let n = docs.len() as f64;
    let average = docs.values().map(Vec::len).sum::<usize>() as f64 / n;
    let mut scores = BTreeMap::new();
    for (id, tokens) in docs {
        let mut score = 0.0;
        for (term, weight) in terms {
            let df = docs.values().filter(|t| t.iter().any(|x| x == term)).count() as f64;
            let tf = tokens.iter().filter(|x| x == term).count() as f64;
            if tf > 0.0 {
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                let norm = 1.2 * (1.0 - 0.75 + 0.75 * tokens.len() as f64 / average);
                score += weight * idf * 2.2 * tf / (tf + norm);
            }
        }
        if score > 0.0 {
            scores.insert(*id, score);
        }
    }
    scores
}

fn setup(
    dir: &tempfile::TempDir,
    n: usize,
) -> (Engine, BTreeMap<DocumentId, (Vec<String>, String)>) {
    let engine = open(dir);
    engine.create_table("messages").unwrap();
    let docs = corpus(n);
    let mut stored = BTreeMap::new();
    // Half before the index exists (backfilled), half after (kept in commits).
    let (before, after) = docs.split_at(n / 2);
    let mut insert = |chunk: &[(String, String)]| {
        let (ids, _) = engine
            .run(1, |tx| {
                chunk
                    .iter()
                    .map(|(b, c)| tx.insert("messages", message(b, c)))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for (id, (body, channel)) in ids.into_iter().zip(chunk) {
            stored.insert(id, (tokenize(body), channel.clone()));
        }
    };
    insert(before);
    let mut seen = Vec::new();
    engine
        .add_search_index("messages", "search_body", &spec(), |done, total| {
            seen.push((done, total))
        })
        .unwrap();
    assert_eq!(seen.last(), Some(&((n / 2) as u64, (n / 2) as u64)), "backfill progress");
    for chunk in after.chunks(50) {
        insert(chunk);
    }
    (engine, stored)
}

pub(crate) fn check_against_reference(
    engine: &Engine,
    stored: &BTreeMap<DocumentId, (Vec<String>, String)>,
    text: &str,
    terms: &[(&str, f64)],
    channel: Option<&str>,
) {
    let mut tx = engine.begin();
    let hits = tx.search(&query(text, channel)).unwrap();
    let all: BTreeMap<DocumentId, Vec<String>> =
        stored.iter().map(|(id, (tokens, _))| (*id, tokens.clone())).collect();
    let mut expected = reference(&all, terms);
    if let Some(channel) = channel {
        expected.retain(|id, _| stored[id].1 == channel);
    }
    assert!(!expected.is_empty(), "the query `{text}` matches something");
    let got: BTreeSet<DocumentId> = hits.iter().map(|h| h.id).collect();
    assert_eq!(got, expected.keys().copied().collect::<BTreeSet<_>>(), "documents of `{text}`");
    for pair in hits.windows(2) {
        assert!(pair[0].score >= pair[1].score, "relevance order");
        if pair[0].score == pair[1].score {
            assert!(pair[0].creation_time >= pair[1].creation_time, "ties: newest first");
        }
    }
    for hit in &hits {
        let want = expected[&hit.id];
        assert!(
            (hit.score - want).abs() < 1e-9 * want.max(1.0),
            "score of {}: {} vs {want}",
            hit.id,
            hit.score
        );
    }
}

#[test]
fn relevance_order_matches_a_reference_bm25() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, stored) = setup(&dir, 600);
    // The last term is a prefix too: `kilo` completes only to itself.
    check_against_reference(
        &engine,
        &stored,
        "Tango, kilo",
        &[("tango", 1.0), ("kilo", 1.0)],
        None,
    );
    check_against_reference(
        &engine,
        &stored,
        "sierra tango",
        &[("sierra", 1.0), ("tango", 1.0)],
        Some("c2"),
    );
    // Prefix of the last term: completions weigh half, the term itself (none here) full.
    check_against_reference(
        &engine,
        &stored,
        "echo appl",
        &[("echo", 1.0), ("apple", 0.5), ("application", 0.5), ("apply", 0.5)],
        None,
    );
    check_against_reference(
        &engine,
        &stored,
        "band",
        &[("band", 1.0), ("bandana", 0.5)],
        Some("c1"),
    );
}

#[test]
fn updates_and_deletes_keep_the_statistics_exact() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, mut stored) = setup(&dir, 300);
    let ids: Vec<DocumentId> = stored.keys().copied().collect();
    let deleted: Vec<DocumentId> = ids.iter().step_by(7).copied().collect();
    let replaced: Vec<DocumentId> =
        ids.iter().skip(3).step_by(11).filter(|id| !deleted.contains(id)).copied().collect();
    engine
        .run(1, |tx| {
            deleted.iter().try_for_each(|id| tx.delete(id))?;
            replaced.iter().try_for_each(|id| tx.replace(id, message("quebec quebec romeo", "c3")))
        })
        .unwrap();
    for id in &deleted {
        stored.remove(id);
    }
    for id in &replaced {
        stored.insert(*id, (tokenize("quebec quebec romeo"), "c3".into()));
    }
    check_against_reference(
        &engine,
        &stored,
        "quebec romeo",
        &[("quebec", 1.0), ("romeo", 1.0)],
        None,
    );
}

#[test]
fn writes_are_searchable_in_the_next_transaction_and_the_writing_one() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = setup(&dir, 40);
    let before = engine.begin();
    let mut tx = engine.begin();
    let id = tx.insert("messages", message("zebra crossing", "c0")).unwrap();
    let own = tx.search(&query("zebra", None)).unwrap();
    assert_eq!(own.iter().map(|h| h.id).collect::<Vec<_>>(), vec![id], "own write");
    engine.commit(tx).unwrap();

    let mut next = engine.begin();
    assert_eq!(next.search(&query("zebr", None)).unwrap().len(), 1, "next transaction, prefix");
    let mut before = before;
    assert!(before.search(&query("zebra", None)).unwrap().is_empty(), "older snapshot");

    // Deleted after a snapshot: still found there, gone after.
    let snapshot = engine.begin();
    engine.run(1, |tx| tx.delete(&id)).unwrap();
    let mut snapshot = snapshot;
    assert_eq!(snapshot.search(&query("zebra", None)).unwrap().len(), 1);
    assert!(engine.begin().search(&query("zebra", None)).unwrap().is_empty());
    // Deleted by the transaction itself.
    let mut tx = engine.begin();
    let other = tx.insert("messages", message("zebra again", "c0")).unwrap();
    tx.delete(&other).unwrap();
    assert!(tx.search(&query("zebra", None)).unwrap().is_empty());
}

#[test]
fn filters_and_convex_limits() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, stored) = setup(&dir, 200);
    let mut tx = engine.begin();
    for hit in tx.search(&query("apple", Some("c3"))).unwrap() {
        assert_eq!(stored[&hit.id].1, "c3");
    }
    let mut undefined = query("apple", None);
    undefined.filters.push(("channel".into(), None));
    assert!(tx.search(&undefined).unwrap().is_empty(), "every document has a channel");

    let message_of = |q: SearchQuery| match engine.begin().search(&q) {
        Err(EngineError::InvalidSearchQuery(m)) => m,
        other => panic!("expected an invalid search, got {other:?}"),
    };
    let mut many = query("apple", None);
    many.filters =
        (0..9).map(|i| ("channel".to_string(), Some(Value::from(format!("c{i}"))))).collect();
    assert_eq!(
        message_of(many),
        "Search query against messages.search_body has too many filter conditions. Max: 8 Actual: 9"
    );
    let mut wrong = query("apple", None);
    wrong.search = vec![("title".into(), "apple".into())];
    assert!(message_of(wrong).contains("doesn't match the indexed `searchField` \"body\""));
    let mut twice = query("apple", None);
    twice.search.push(("body".into(), "pear".into()));
    assert!(message_of(twice).contains("Only one is allowed."));
    let mut unfiltered = query("apple", None);
    unfiltered.filters = vec![("author".into(), Some(Value::from("x")))];
    assert!(message_of(unfiltered).contains("isn't indexed for filtering in `filterFields`"));
    let mut none = query("apple", None);
    none.search.clear();
    assert!(message_of(none).contains("does not contain any search filters"));
    let mut missing = query("apple", None);
    missing.index = "nope".into();
    assert!(matches!(engine.begin().search(&missing), Err(EngineError::IndexNotFound(_))));

    // Only the first 16 query terms count.
    let seventeen = format!("{} tango", vec!["zzz"; 16].join(" "));
    assert!(engine.begin().search(&query(&seventeen, None)).unwrap().is_empty());
    // At most 1024 results.
    engine
        .run(1, |tx| {
            (0..1100).try_for_each(|_| tx.insert("messages", message("common", "c0")).map(drop))
        })
        .unwrap();
    assert_eq!(engine.begin().search(&query("common", None)).unwrap().len(), 1024);
}

#[test]
fn a_live_search_is_hit_by_matching_writes_only() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, stored) = setup(&dir, 100);
    let subscribe = |text: &str, channel: Option<&str>| {
        let mut tx = engine.begin();
        tx.search(&query(text, channel)).unwrap();
        engine.subscribe(tx.read_set().clone(), tx.snapshot()).unwrap()
    };
    let hit_by = |object: Object| {
        let (_, outcome) = engine.run(1, |tx| tx.insert("messages", object.clone())).unwrap();
        outcome.invalidated.into_iter().map(|i| i.subscription).collect::<Vec<_>>()
    };
    let apples = subscribe("apple", Some("c1"));
    let prefix = subscribe("golf xyl", None);
    assert!(hit_by(message("nothing relevant here", "c1")).is_empty(), "unrelated words");
    assert!(hit_by(message("apple pie", "c2")).is_empty(), "another channel");
    assert_eq!(hit_by(message("Apple pie", "c1")), vec![apples], "matching term and filter");
    assert_eq!(hit_by(message("xylophone", "c0")), vec![prefix], "prefix of the last term");

    // Changing a matching document to no longer match hits too (its old version matched).
    let golf = subscribe("golf", None);
    let id = *stored.keys().find(|id| stored[id].0.contains(&"golf".to_string())).unwrap();
    let (_, outcome) = engine.run(1, |tx| tx.replace(&id, message("nothing", "c0"))).unwrap();
    assert_eq!(outcome.invalidated.iter().map(|i| i.subscription).collect::<Vec<_>>(), vec![golf]);

    // A transaction that searched conflicts with a concurrent matching write.
    let mut reader = engine.begin();
    reader.search(&query("tango", None)).unwrap();
    reader.insert("messages", message("unrelated", "c0")).unwrap();
    engine.run(1, |tx| tx.insert("messages", message("tango", "c0"))).unwrap();
    assert!(matches!(engine.commit(reader), Err(EngineError::Conflict { .. })));
}

#[test]
fn dropping_the_table_drops_its_search_index() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = setup(&dir, 20);
    assert_eq!(engine.search_index_statuses().len(), 1);
    assert_eq!(engine.search_index_statuses()[0].documents, 20);
    engine.drop_table("messages").unwrap();
    assert!(engine.search_index_statuses().is_empty());
}
