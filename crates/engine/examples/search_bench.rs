//! The engine side of `bench/search.sh`: N short generated documents (Zipf-distributed
//! words), stored, then a search index added over them (backfill timed: reading the
//! documents back and building the tantivy index), queries of one to three words with the
//! last one a prefix (latency per query for the top 10 documents, read), memory; and the
//! same text in an SQLite FTS5 table (the bundled SQLite) in the same run, built and
//! queried the same way (`w1 OR w2 OR w3*`, ORDER BY rank, LIMIT 10). Prints one JSON
//! object.
//!
//! `search_bench N QUERIES DATA_DIR`

use std::time::Instant;

use atrium_engine::search::{SearchIndexSpec, SearchQuery};
use atrium_engine::{Engine, EngineOptions};
use atrium_value::{Object, Value};

/// The bytes of the files under `dir`.
fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

/// splitmix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A vocabulary of made-up words and a Zipf (s = 1) sampler over it.
struct Words {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Words {
    fn new(n: usize, rng: &mut Rng) -> Self {
        const SYLLABLES: &[&str] = &[
            "ka", "lo", "mi", "ra", "tu", "ve", "no", "si", "pa", "de", "bo", "gu", "fi", "ze",
            "ha", "jo", "wu", "xe", "qi", "ny",
        ];
        let mut words = Vec::with_capacity(n);
        let mut seen = std::collections::HashSet::new();
        while words.len() < n {
            let len = 2 + (rng.next() % 3) as usize;
            let word: String = (0..len)
                .map(|_| SYLLABLES[(rng.next() % SYLLABLES.len() as u64) as usize])
                .collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|r| {
                total += 1.0 / r as f64;
                total
            })
            .collect();
        Self { words, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> &str {
        let x = rng.unit() * self.cumulative.last().unwrap();
        let i = self.cumulative.partition_point(|c| *c < x).min(self.words.len() - 1);
        &self.words[i]
    }
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0) * 4096
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, n, queries, dir] = &args[..] else { panic!("usage: search_bench N QUERIES DATA_DIR") };
    let (n, query_count): (usize, usize) = (n.parse().unwrap(), queries.parse().unwrap());
    let mut rng = Rng(42);
    let words = Words::new(20_000, &mut rng);
    let texts: Vec<String> = (0..n)
        .map(|_| {
            let len = 3 + (rng.next() % 8) as usize;
            (0..len).map(|_| words.pick(&mut rng)).collect::<Vec<_>>().join(" ")
        })
        .collect();
    let queries: Vec<(Vec<String>, String)> = (0..query_count)
        .map(|_| {
            let len = 1 + (rng.next() % 3) as usize;
            let mut terms: Vec<String> =
                (0..len).map(|_| words.pick(&mut rng).to_owned()).collect();
            // The last word typed partly (at least 3 letters), as in a search box.
            let last = terms.pop().unwrap();
            let cut = 3 + (rng.next() % (last.len() as u64 - 2)) as usize;
            (terms, last[..cut.min(last.len())].to_owned())
        })
        .collect();

    // Atrium.
    let path = std::path::Path::new(dir).join("bench.sqlite3");
    let engine = Engine::open(&path, EngineOptions::default()).unwrap();
    engine.create_table("docs").unwrap();
    let started = Instant::now();
    for (c, chunk) in texts.chunks(5000).enumerate() {
        engine
            .run(1, |tx| {
                for text in chunk {
                    let fields: Object = [
                        ("body".to_string(), Value::from(text.as_str())),
                        ("channel".to_string(), Value::from(format!("c{}", c % 10))),
                    ]
                    .into_iter()
                    .collect();
                    tx.insert("docs", fields)?;
                }
                Ok(())
            })
            .unwrap();
    }
    let insert_s = started.elapsed().as_secs_f64();
    let rss_before = rss_bytes();
    let spec =
        SearchIndexSpec { search_field: "body".into(), filter_fields: vec!["channel".into()] };
    // Commits to another table go on while the index is built (it holds no lock).
    engine.create_table("other").unwrap();
    let building = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let (engine, building) = (engine.clone(), building.clone());
        std::thread::spawn(move || {
            let mut commits = 0u64;
            while building.load(std::sync::atomic::Ordering::Relaxed) {
                let fields: Object = [("n".to_string(), Value::from(commits as f64))].into();
                engine.run(1, |tx| tx.insert("other", fields.clone())).unwrap();
                commits += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            commits
        })
    };
    let started = Instant::now();
    engine.add_search_index("docs", "search_body", &spec, |_, _| {}).unwrap();
    let build_s = started.elapsed().as_secs_f64();
    building.store(false, std::sync::atomic::Ordering::Relaxed);
    let commits_during_build = writer.join().unwrap();
    let rss_index = rss_bytes().saturating_sub(rss_before);
    let status = engine.search_index_statuses().remove(0);
    let mut latencies = Vec::with_capacity(queries.len());
    let mut found = 0usize;
    for (terms, last) in &queries {
        let text = terms.iter().chain([last]).cloned().collect::<Vec<_>>().join(" ");
        let query = SearchQuery {
            table: "docs".into(),
            index: "search_body".into(),
            search: vec![("body".into(), text)],
            filters: Vec::new(),
        };
        let started = Instant::now();
        let mut tx = engine.begin();
        let hits = tx.search(&query).unwrap();
        for hit in hits.iter().take(10) {
            tx.get(&hit.id).unwrap();
        }
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        found += hits.len().min(10);
    }
    let p50 = percentile(&mut latencies, 0.5);
    let p99 = percentile(&mut latencies, 0.99);
    drop(engine);
    // A restart opens the stored index instead of building it.
    let engine = Engine::open(&path, EngineOptions::default()).unwrap();
    let started = Instant::now();
    let mut rebuilt = false;
    engine.add_search_index("docs", "search_body", &spec, |_, _| rebuilt = true).unwrap();
    let restart_s = started.elapsed().as_secs_f64();
    let index_dir_bytes = dir_bytes(&path.with_extension("search"));
    drop(engine);

    // SQLite FTS5 on the same text.
    let fts_path = std::path::Path::new(dir).join("fts.sqlite3");
    let db = rusqlite::Connection::open(&fts_path).unwrap();
    db.execute_batch(
        "PRAGMA journal_mode=WAL; CREATE VIRTUAL TABLE docs USING fts5(body, channel UNINDEXED);",
    )
    .unwrap();
    let rss_before = rss_bytes();
    let started = Instant::now();
    {
        let tx = db.unchecked_transaction().unwrap();
        {
            let mut insert =
                tx.prepare("INSERT INTO docs (body, channel) VALUES (?1, ?2)").unwrap();
            for (i, text) in texts.iter().enumerate() {
                insert.execute((text, format!("c{}", (i / 5000) % 10))).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let fts_build_s = started.elapsed().as_secs_f64();
    let fts_rss = rss_bytes().saturating_sub(rss_before);
    let fts_bytes = std::fs::metadata(&fts_path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(fts_path.with_extension("sqlite3-wal")).map(|m| m.len()).unwrap_or(0);
    let mut select = db
        .prepare("SELECT rowid, body FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10")
        .unwrap();
    let mut fts_latencies = Vec::with_capacity(queries.len());
    let mut fts_found = 0usize;
    for (terms, last) in &queries {
        let mut parts: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
        parts.push(format!("\"{last}\"*"));
        let started = Instant::now();
        let rows: Vec<i64> = select
            .query_map([parts.join(" OR ")], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        fts_latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        fts_found += rows.len();
    }
    let fts_p50 = percentile(&mut fts_latencies, 0.5);
    let fts_p99 = percentile(&mut fts_latencies, 0.99);
    println!(
        "{}",
        serde_json::json!({
            "n": n,
            "queries": query_count,
            "insert_s": insert_s,
            "build_s": build_s,
            "commits_during_build": commits_during_build,
            "restart_s": restart_s,
            "restart_rebuilt": rebuilt,
            "index_dir_bytes": index_dir_bytes,
            "p50_ms": p50,
            "p99_ms": p99,
            "rss_index_bytes": rss_index,
            "index_memory_bytes": status.memory_bytes,
            "terms": status.terms,
            "found": found,
            "fts_build_s": fts_build_s,
            "fts_p50_ms": fts_p50,
            "fts_p99_ms": fts_p99,
            "fts_rss_bytes": fts_rss,
            "fts_file_bytes": fts_bytes,
            "fts_found": fts_found,
        })
    );
}
