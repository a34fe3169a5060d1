//! Deep jumps: the key at offset n of a 1,000,000-document table (`DOCS=…` for another
//! size), read the way the Data grid reads a window (`by_creation_time`, newest first, 260
//! rows), to row 1,000 and to row 900,000, through the order statistics and through SQLite
//! alone (the same file opened with `EngineOptions::order_stats` off: the path every jump
//! took before), all in one run; plus the first window (count and first rows) and the
//! one-off cost of building the statistics. The same within an index range over the middle
//! 80% of the table (count of the range, then row 1,000 or row 720,000 of it).
//! `bench/jumps.sh` runs it and prints the ratios.

use std::hint::black_box;
use std::time::Instant;

use atrium_engine::range::compile;
use atrium_engine::{Engine, EngineOptions, IndexRangeExpr, KeyRange, Order};
use atrium_value::{Object, Value};
use criterion::{Criterion, criterion_group, criterion_main};

const WINDOW: usize = 260;

fn row(n: i64) -> Object {
    let mut fields = Object::new();
    fields.insert("n".into(), Value::Int64(n));
    fields.insert("label".into(), Value::from(format!("row {n}")));
    fields.insert("group".into(), Value::from(format!("g{}", n % 10)));
    fields
}

/// A window as the grid reads it: the count (of the table, or of the index range when one
/// is given), then `WINDOW` rows from `offset`.
fn window(engine: &Engine, offset: u64) -> usize {
    window_in(engine, &[], offset)
}

fn window_in(engine: &Engine, range: &[IndexRangeExpr], offset: u64) -> usize {
    let mut tx = engine.begin();
    let index = tx.index("rows", "by_creation_time").unwrap();
    let (total, range) = if range.is_empty() {
        (tx.count("rows").unwrap(), KeyRange::all())
    } else {
        let range = compile(&index, "rows.by_creation_time", range).unwrap();
        (tx.count_range(&index, &range).unwrap(), range)
    };
    let page = tx.scan_from_offset(&index, &range, Order::Desc, offset, WINDOW).unwrap();
    assert!(total > offset && !page.documents.is_empty());
    page.documents.len()
}

/// The creation time of the document at `offset` (oldest first).
fn creation_time(engine: &Engine, offset: u64) -> f64 {
    let mut tx = engine.begin();
    let index = tx.index("rows", "by_creation_time").unwrap();
    let page = tx.scan_from_offset(&index, &KeyRange::all(), Order::Asc, offset, 1).unwrap();
    page.documents[0].1.creation_time
}

fn benches(c: &mut Criterion) {
    let docs: i64 = std::env::var("DOCS").ok().and_then(|d| d.parse().ok()).unwrap_or(1_000_000);
    let deep = (docs * 9 / 10) as u64;
    let shallow = 1_000.min(docs as u64 / 10);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("engine.sqlite3");
    let started = Instant::now();
    {
        let engine = Engine::open(&path, EngineOptions::default()).unwrap();
        for start in (0..docs).step_by(10_000) {
            engine
                .run(1, |tx| {
                    (start..(start + 10_000).min(docs))
                        .try_for_each(|n| tx.insert("rows", row(n)).map(|_| ()))
                })
                .unwrap();
        }
    }
    eprintln!("filled {docs} documents in {:.1} s", started.elapsed().as_secs_f64());
    let sql = Engine::open(&path, EngineOptions { order_stats: false, ..EngineOptions::default() })
        .unwrap();
    let stats = Engine::open(&path, EngineOptions::default()).unwrap();
    // The first read of each counts the table once (both remember the count after).
    window(&sql, 0);
    window(&stats, 0);
    let started = Instant::now();
    window(&stats, deep);
    let first_jump = started.elapsed().as_secs_f64() * 1e3;
    stats.wait_for_order_stats();
    let ready = started.elapsed().as_secs_f64() * 1e3;
    let index = stats.begin().index("rows", "by_creation_time").unwrap().id;
    let (_, blocks, entries) = stats.order_stats_of(index).expect("the deep jump built them");
    eprintln!(
        "first deep jump (counts in SQLite, starts the build): {first_jump:.1} ms; \
         statistics ({blocks} blocks over {entries} entries) ready {ready:.1} ms after it started"
    );

    // An index range over the middle 80% of the table (its edges fall inside blocks).
    let field = || "_creationTime".to_string();
    let middle = [
        IndexRangeExpr::Gte(field(), Some(Value::Float64(creation_time(&stats, docs as u64 / 10)))),
        IndexRangeExpr::Lt(field(), Some(Value::Float64(creation_time(&stats, deep)))),
    ];
    let range_deep = (deep - docs as u64 / 10) * 9 / 10;

    let mut group = c.benchmark_group("jump");
    group.bench_function("first_rows", |b| b.iter(|| black_box(window(&stats, 0))));
    for (name, engine) in [("stats", &stats), ("sql", &sql)] {
        group.bench_function(format!("{name}_shallow"), |b| {
            b.iter(|| black_box(window(engine, shallow)))
        });
        group
            .bench_function(format!("{name}_deep"), |b| b.iter(|| black_box(window(engine, deep))));
        group.bench_function(format!("{name}_range_shallow"), |b| {
            b.iter(|| black_box(window_in(engine, &middle, shallow)))
        });
        group.bench_function(format!("{name}_range_deep"), |b| {
            b.iter(|| black_box(window_in(engine, &middle, range_deep)))
        });
    }
    group.finish();
}

criterion_group! {
    name = jump_benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_millis(500));
    targets = benches
}
criterion_main!(jump_benches);
