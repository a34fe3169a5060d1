//! GROUP BY over generated documents through Atrium's SQL path — Convex documents into a
//! polars frame, then polars SQL — for `bench/sql.sh`, which runs DuckDB on the same
//! NDJSON file in the same run. Prints one JSON line of timings and the result's checksum.
//!
//! Usage: `sql_bench <documents> <out.ndjson>`

use std::io::Write as _;
use std::time::Instant;

use polars::prelude::SerReader as _;

use atrium_studio::sql::{frame::documents_to_frame, run_sql};
use serde_json::json;

const CITIES: [&str; 20] = [
    "Tokyo", "Oslo", "Lima", "Rome", "Cairo", "Delhi", "Paris", "Quito", "Seoul", "Sofia", "Accra",
    "Perth", "Dakar", "Hanoi", "Kyiv", "Lagos", "Miami", "Nice", "Porto", "Riga",
];
const TIERS: [&str; 3] = ["free", "pro", "team"];
const QUERY: &str = "SELECT city, profile.tier AS tier, count(*) AS n, sum(amount) AS total, \
                         avg(amount) AS mean FROM orders GROUP BY city, profile.tier \
                         ORDER BY city, tier";

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|n| n.parse().ok()).expect("a document count");
    let out = args.next().expect("an NDJSON output path");

    // Deterministic documents (a linear congruential generator).
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state =
            state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let started = Instant::now();
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out).unwrap());
    let mut documents = Vec::with_capacity(count);
    for i in 0..count {
        let doc = json!({
            "_id": format!("k{i:031}"),
            "_creationTime": 1.7e12 + i as f64,
            "city": CITIES[(next() % 20) as usize],
            "amount": (next() % 100_000) as f64 / 100.0,
            "profile": {"tier": TIERS[(next() % 3) as usize], "age": (next() % 80) as f64},
            "tags": ["a", "b"],
        });
        serde_json::to_writer(&mut file, &doc).unwrap();
        file.write_all(b"\n").unwrap();
        documents.push(atrium_value::json::from_json(&doc).unwrap());
    }
    file.flush().unwrap();
    let generate_ms = started.elapsed().as_secs_f64() * 1000.0;

    let started = Instant::now();
    let (frame, notes) = documents_to_frame("orders", &documents).unwrap();
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert!(notes.is_empty(), "{notes:?}");
    drop(documents);
    let tables = vec![("orders".to_owned(), frame)];
    // polars reading the same NDJSON by itself: how much of the load is its JSON reader.
    let started = Instant::now();
    let direct = polars::prelude::JsonReader::new(std::fs::File::open(&out).unwrap())
        .with_json_format(polars::prelude::JsonFormat::JsonLines)
        .infer_schema_len(None)
        .finish()
        .unwrap();
    let polars_ndjson_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(direct.height(), count);
    drop(direct);

    let mut runs = Vec::new();
    let mut result = None;
    for _ in 0..5 {
        let started = Instant::now();
        result = Some(run_sql(QUERY, &tables).unwrap());
        runs.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    runs.sort_by(f64::total_cmp);
    let result = result.unwrap();
    let n: u64 = result
        .column("n")
        .unwrap()
        .cast(&polars::prelude::DataType::UInt64)
        .unwrap()
        .u64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or(0))
        .sum();
    let groups = result.height();
    println!(
        "{}",
        json!({
            "documents": count, "generate_ms": generate_ms, "load_ms": load_ms,
            "polars_ndjson_ms": polars_ndjson_ms,
            "query_ms_median": runs[2], "query_ms_min": runs[0], "groups": groups, "rows_counted": n,
        })
    );
}
