//! Function-call throughput, in process: an empty query and an insert mutation through the
//! runtime, beside the engine's raw get (a read-only transaction reading one document) and
//! raw insert (the same document, no JavaScript) in the same run; the empty query's call
//! without the `convex` library's `invokeQuery` (the runtime's own share); and a query
//! returning 100 documents beside the engine's raw scan of the same 100 documents.
//! Function calls are timed without writing their log entries (see [`calls`]).
//! `bench/runtime.sh` prints calls/s and ratios.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use atrium_engine::{Engine, EngineOptions, KeyRange, Order};
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};
use criterion::{Bencher, Criterion, criterion_group, criterion_main};

fn benches(c: &mut Criterion) {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("bench.sqlite3"), EngineOptions::default()).unwrap();
    let runner = Runner::new(Project::open(&fixture).unwrap(), engine.clone());
    let empty_args = Value::Object(Object::new());
    // One call of the query at `path` with no arguments.
    let query = |path: &'static str| {
        let (runner, args) = (&runner, &empty_args);
        move || runner.run(path, FunctionKind::Query, args.clone()).unwrap().result.unwrap()
    };

    let mut group = c.benchmark_group("calls");
    group.bench_function("empty_query", |b| calls(b, &engine, query("bench:empty")));
    // The same call with the library's part taken out (see `bench:hostOnly`).
    group.bench_function("host_query", |b| calls(b, &engine, query("bench:hostOnly")));
    let mut n = 0.0;
    group.bench_function("insert_mutation", |b| {
        calls(b, &engine, || {
            n += 1.0;
            let mut args = Object::new();
            args.insert("n".into(), Value::Float64(n));
            runner
                .run("bench:insert", FunctionKind::Mutation, Value::Object(args))
                .unwrap()
                .result
                .unwrap()
        })
    });
    let mut m = 0.0;
    group.bench_function("engine_insert", |b| {
        b.iter(|| {
            m += 1.0;
            let mut fields = Object::new();
            fields.insert("n".into(), Value::Float64(m));
            fields.insert("body".into(), Value::from("a message body of ordinary length"));
            engine.run(1, |tx| tx.insert("raw", fields.clone())).unwrap()
        })
    });
    let mut fields = Object::new();
    fields.insert("n".into(), Value::Float64(0.0));
    let (id, _) = engine.run(1, |tx| tx.insert("raw", fields.clone())).unwrap();
    group.bench_function("engine_get", |b| {
        b.iter(|| engine.begin().get(&id).unwrap().expect("the document is there"))
    });

    // 100 small documents, read by a query and by the engine's raw scan of the same index.
    engine
        .run(1, |tx| {
            for i in 0..100 {
                let mut fields = Object::new();
                fields.insert("author".into(), Value::from("bench"));
                fields.insert("body".into(), Value::from(format!("message number {i}")));
                fields.insert("n".into(), Value::Float64(i as f64));
                tx.insert("benchList", fields)?;
            }
            Ok(())
        })
        .unwrap();
    group.bench_function("list_query", |b| calls(b, &engine, query("bench:list")));
    group.bench_function("engine_scan", |b| {
        b.iter(|| {
            let mut tx = engine.begin();
            let index = tx.index("benchList", "by_creation_time").unwrap();
            let page = tx.scan(&index, &KeyRange::all(), Order::Desc, None, 100).unwrap();
            assert_eq!(page.documents.len(), 100);
            page
        })
    });
    group.finish();
}

/// Runs of one call between two writes of the log backlog.
const CHUNK: u64 = 4096;

/// Times `iters` runs of `call`, in chunks with the log entries they queued written between
/// chunks, untimed. The log writer's thread stores entries while calls run, but in-process
/// loops outpace it and its queue is bounded (`atrium_logs`): without this a fast call would
/// be timed at the writer's rate, and one benchmark's backlog would slow the next one's
/// commits.
fn calls<T>(b: &mut Bencher<'_>, engine: &Engine, mut call: impl FnMut() -> T) {
    b.iter_custom(|iters| {
        let (mut timed, mut left) = (Duration::ZERO, iters);
        while left > 0 {
            let chunk = left.min(CHUNK);
            let started = Instant::now();
            for _ in 0..chunk {
                black_box(call());
            }
            timed += started.elapsed();
            engine.logs().latest_cursor().unwrap();
            left -= chunk;
        }
        timed
    })
}

criterion_group! {
    name = runtime_benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4)).warm_up_time(std::time::Duration::from_secs(1));
    targets = benches
}
criterion_main!(runtime_benches);
