//! Engine benchmarks, each beside raw rusqlite doing the equivalent work in the same run.
//! `bench/engine.sh` runs them and prints engine/rusqlite ratios.
//!
//! - insert: one document per transaction (engine: revision + two index entries;
//!   rusqlite: one row in a table with an index on creation time);
//! - get: a point read by id, decoded;
//! - range100: an indexed range read of 100 documents, decoded;
//! - invalidate: which of 10,000 subscriptions one write hits (rusqlite: a range-stabbing
//!   query over a table of 10,000 intervals).

use std::hint::black_box;

use atrium_engine::range::compile;
use atrium_engine::subscriptions::{Subscriptions, WrittenKey};
use atrium_engine::{
    Engine, EngineOptions, IndexId, IndexRangeExpr, KeyRange, Order, ReadSet, Timestamp,
};
use atrium_value::sort_key::sort_key;
use atrium_value::{Object, Value};
use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, params};

fn message(author: &str, n: i64) -> Object {
    let mut fields = Object::new();
    fields.insert("author".into(), Value::from(author));
    fields.insert("n".into(), Value::Int64(n));
    fields.insert(
        "body".into(),
        Value::from("a message body of ordinary length, about sixty bytes long"),
    );
    fields
}

fn raw_connection(path: &std::path::Path) -> Connection {
    let c = Connection::open(path).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.pragma_update(None, "synchronous", "NORMAL").unwrap();
    c.execute_batch(
        "CREATE TABLE docs (id TEXT PRIMARY KEY, creation_time REAL NOT NULL, author TEXT, json TEXT NOT NULL);
         CREATE INDEX docs_by_creation ON docs (creation_time);
         CREATE INDEX docs_by_author ON docs (author, creation_time);",
    )
    .unwrap();
    c
}

fn raw_insert(c: &mut Connection, i: i64) {
    let tx = c.transaction().unwrap();
    let json = atrium_value::json::to_json(&Value::Object(message("a", i))).to_string();
    tx.prepare_cached("INSERT INTO docs (id, creation_time, author, json) VALUES (?1, ?2, ?3, ?4)")
        .unwrap()
        .execute(params![format!("doc{i}"), i as f64, "a", json])
        .unwrap();
    tx.commit().unwrap();
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&dir.path().join("engine.sqlite3"), EngineOptions::default()).unwrap();
    let mut raw = raw_connection(&dir.path().join("raw.sqlite3"));

    let mut group = c.benchmark_group("insert");
    let mut n = 0i64;
    group.bench_function("engine", |b| {
        b.iter(|| {
            n += 1;
            engine
                .run(1, |tx| tx.insert("messages", message(if n % 2 == 0 { "a" } else { "b" }, n)))
                .unwrap()
        })
    });
    let mut m = 0i64;
    group.bench_function("rusqlite", |b| {
        b.iter(|| {
            m += 1;
            raw_insert(&mut raw, m)
        })
    });
    group.finish();

    // Fixed data sets for the reads: 2,000 documents in each store.
    let dir2 = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&dir2.path().join("engine.sqlite3"), EngineOptions::default()).unwrap();
    let ids: Vec<_> = engine
        .run(1, |tx| {
            (0..2000)
                .map(|i| tx.insert("messages", message(if i % 2 == 0 { "a" } else { "b" }, i)))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
        .0;
    engine.add_index("messages", "by_author", &["author".into()], |_, _| {}).unwrap();
    let mut raw = raw_connection(&dir2.path().join("raw.sqlite3"));
    {
        let tx = raw.transaction().unwrap();
        for i in 0..2000i64 {
            let author = if i % 2 == 0 { "a" } else { "b" };
            let json = atrium_value::json::to_json(&Value::Object(message(author, i))).to_string();
            tx.execute(
                "INSERT INTO docs (id, creation_time, author, json) VALUES (?1, ?2, ?3, ?4)",
                params![format!("doc{i}"), i as f64, author, json],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }

    let mut group = c.benchmark_group("get");
    let mut k = 0usize;
    group.bench_function("engine", |b| {
        b.iter(|| {
            k = (k + 7) % ids.len();
            black_box(engine.begin().get(&ids[k]).unwrap().unwrap())
        })
    });
    let mut k = 0usize;
    group.bench_function("rusqlite", |b| {
        b.iter(|| {
            k = (k + 7) % 2000;
            let json: String = raw
                .prepare_cached("SELECT json FROM docs WHERE id = ?1")
                .unwrap()
                .query_row([format!("doc{k}")], |r| r.get(0))
                .unwrap();
            black_box(atrium_value::json::from_json_str(&json).unwrap())
        })
    });
    group.finish();

    let mut group = c.benchmark_group("range100");
    group.bench_function("engine", |b| {
        b.iter(|| {
            let mut tx = engine.begin();
            let index = tx.index("messages", "by_author").unwrap();
            let range = compile(
                &index,
                "messages.by_author",
                &[IndexRangeExpr::Eq("author".into(), Some("b".into()))],
            )
            .unwrap();
            let page = tx.scan(&index, &range, Order::Asc, None, 100).unwrap();
            assert_eq!(page.documents.len(), 100);
            black_box(page)
        })
    });
    group.bench_function("rusqlite", |b| {
        b.iter(|| {
            let mut statement = raw
                .prepare_cached(
                    "SELECT json FROM docs WHERE author = ?1 ORDER BY creation_time LIMIT 100",
                )
                .unwrap();
            let docs: Vec<Value> = statement
                .query_map(["b"], |r| r.get::<_, String>(0))
                .unwrap()
                .map(|j| atrium_value::json::from_json_str(&j.unwrap()).unwrap())
                .collect();
            assert_eq!(docs.len(), 100);
            black_box(docs)
        })
    });
    group.finish();

    // 10,000 subscriptions: each reads one author's range (a mix of 5,000 authors) or one
    // document by id; one write's keys are checked against all of them.
    let index = IndexId(3);
    let by_id = IndexId(1);
    let mut subscriptions = Subscriptions::default();
    let raw_subs = Connection::open_in_memory().unwrap();
    raw_subs.execute_batch("CREATE TABLE subs (id INTEGER PRIMARY KEY, idx INTEGER, lo BLOB, hi BLOB); CREATE INDEX subs_lo ON subs (idx, lo);").unwrap();
    for i in 0..10_000u32 {
        let (idx, range) = if i % 2 == 0 {
            (index, KeyRange::prefix(&sort_key(&Value::from(format!("author{}", i / 2)))))
        } else {
            (by_id, KeyRange::point(&sort_key(&Value::from(format!("doc{i}")))))
        };
        raw_subs
            .execute(
                "INSERT INTO subs (idx, lo, hi) VALUES (?1, ?2, ?3)",
                params![idx.0, range.start, range.end],
            )
            .unwrap();
        let mut read_set = ReadSet::default();
        read_set.add(idx, range);
        subscriptions.register(read_set);
    }
    let written = [
        WrittenKey {
            index,
            key: Some(sort_key(&Value::from("author123x"))),
            table: "messages".into(),
            document: None,
            search: None,
        },
        WrittenKey {
            index: by_id,
            key: Some(sort_key(&Value::from("doc78"))),
            table: "messages".into(),
            document: None,
            search: None,
        },
    ];
    let mut group = c.benchmark_group("invalidate");
    group.bench_function("engine", |b| {
        // `invalidate` removes what it hits; hits here are none or re-registered by design:
        // the written keys fall between subscribed ranges, measuring the full search.
        b.iter(|| black_box(subscriptions.invalidate(&written, Timestamp(1))))
    });
    group.bench_function("rusqlite", |b| {
        b.iter(|| {
            let mut hits = Vec::new();
            for w in &written {
                let key = w.key.as_ref().unwrap();
                let mut statement = raw_subs
                    .prepare_cached("SELECT id FROM subs WHERE idx = ?1 AND lo <= ?2 AND (hi IS NULL OR hi > ?2)")
                    .unwrap();
                hits.extend(statement.query_map(params![w.index.0, key], |r| r.get::<_, i64>(0)).unwrap().map(Result::unwrap));
            }
            black_box(hits)
        })
    });
    group.finish();
}

criterion_group! {
    name = engine_benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = benches
}
criterion_main!(engine_benches);
