//! The storage rules `SqlitePersistence` must keep: atomic commits, reads at a snapshot,
//! tombstones, scan order and cursors, history, pruning, counting.

use atrium_engine::persistence::{CommitBatch, DocumentWrite, IndexWrite, SqlitePersistence};
use atrium_engine::{Document, IndexId, KeyRange, Order, TableInfo, Timestamp};
use atrium_value::{DocumentId, Object, TableNumber, Value};

const INDEX: IndexId = IndexId(7);

fn doc(n: u8, v: i64) -> Document {
    let mut fields = Object::new();
    fields.insert("v".into(), Value::Int64(v));
    Document {
        id: DocumentId { table: TableNumber(10001), internal: [n; 16] },
        creation_time: f64::from(n),
        fields,
    }
}

/// A document's change: the document, its old key (if it had one) and its new key (`None`
/// deletes it).
type Change<'a> = (&'a Document, Option<&'a [u8]>, Option<&'a [u8]>);

fn put(ts: u64, docs: &[Change<'_>]) -> CommitBatch {
    let mut batch = CommitBatch { ts: Timestamp(ts), ..CommitBatch::default() };
    for (d, old_key, new_key) in docs {
        batch.documents.push(DocumentWrite {
            id: d.id,
            document: new_key.map(|_| (*d).clone()),
            prev_ts: None,
        });
        if let Some(k) = old_key {
            batch.index_writes.push(IndexWrite {
                index: INDEX,
                key: k.to_vec(),
                id: d.id,
                deleted: true,
            });
        }
        if let Some(k) = new_key {
            batch.index_writes.push(IndexWrite {
                index: INDEX,
                key: k.to_vec(),
                id: d.id,
                deleted: false,
            });
        }
    }
    batch
}

fn keys(
    p: &SqlitePersistence,
    ts: u64,
    order: Order,
    after: Option<&[u8]>,
    limit: usize,
) -> (Vec<Vec<u8>>, bool) {
    let page = p.index_scan(INDEX, &KeyRange::all(), Timestamp(ts), order, after, limit).unwrap();
    (page.entries.into_iter().map(|(k, _)| k).collect(), page.exhausted)
}

fn conformance(p: &SqlitePersistence) {
    let (a, b, c) = (doc(1, 1), doc(2, 2), doc(3, 3));
    let mut first = put(10, &[(&a, None, Some(b"a")), (&b, None, Some(b"b"))]);
    first.new_tables.push(TableInfo { name: "t".into(), number: TableNumber(10001) });
    p.commit(&first).unwrap();
    p.commit(&put(20, &[(&c, None, Some(b"c")), (&a, Some(b"a"), Some(b"z"))])).unwrap();
    p.commit(&put(30, &[(&b, Some(b"b"), None)])).unwrap();

    // Loading sees the catalog and the newest commit.
    let loaded = p.load().unwrap();
    assert_eq!(loaded.max_ts, Timestamp(30));
    assert_eq!(loaded.catalog.table("t").map(|t| t.number), Some(TableNumber(10001)));

    // Snapshots.
    assert_eq!(keys(p, 5, Order::Asc, None, 10).0, Vec::<Vec<u8>>::new());
    assert_eq!(keys(p, 10, Order::Asc, None, 10).0, vec![b"a".to_vec(), b"b".to_vec()]);
    assert_eq!(
        keys(p, 20, Order::Asc, None, 10).0,
        vec![b"b".to_vec(), b"c".to_vec(), b"z".to_vec()]
    );
    assert_eq!(keys(p, 30, Order::Asc, None, 10).0, vec![b"c".to_vec(), b"z".to_vec()]);
    assert_eq!(keys(p, 30, Order::Desc, None, 10).0, vec![b"z".to_vec(), b"c".to_vec()]);

    // Cursors and limits.
    assert_eq!(keys(p, 20, Order::Asc, None, 2), (vec![b"b".to_vec(), b"c".to_vec()], false));
    assert_eq!(keys(p, 20, Order::Asc, Some(b"c"), 2), (vec![b"z".to_vec()], true));
    assert_eq!(keys(p, 20, Order::Desc, Some(b"z"), 5), (vec![b"c".to_vec(), b"b".to_vec()], true));
    let bounded = p
        .index_scan(
            INDEX,
            &KeyRange { start: b"b".to_vec(), end: Some(b"d".to_vec()) },
            Timestamp(20),
            Order::Asc,
            None,
            10,
        )
        .unwrap();
    assert_eq!(
        bounded.entries.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        vec![b"b".to_vec(), b"c".to_vec()]
    );

    // Revisions.
    assert_eq!(p.revision_at(&a.id, Timestamp(9)).unwrap(), None);
    assert_eq!(p.revision_at(&a.id, Timestamp(15)).unwrap().unwrap().ts, Timestamp(10));
    let gone = p.revision_at(&b.id, Timestamp(30)).unwrap().unwrap();
    assert_eq!((gone.ts, gone.document), (Timestamp(30), None));
    let history = p.history(&b.id, 10).unwrap();
    assert_eq!(
        history.iter().map(|r| r.ts).collect::<Vec<_>>(),
        vec![Timestamp(30), Timestamp(10)]
    );
    assert_eq!(p.count(INDEX, Timestamp(20)).unwrap(), 3);
    assert_eq!(p.count(INDEX, Timestamp(30)).unwrap(), 2);

    // Offsets count live entries at the snapshot, in either order.
    let at =
        |ts, order, n| p.key_at_offset(INDEX, &KeyRange::all(), Timestamp(ts), order, n).unwrap();
    assert_eq!(at(20, Order::Asc, 0), Some(b"b".to_vec()));
    assert_eq!(at(20, Order::Asc, 2), Some(b"z".to_vec()));
    assert_eq!(at(20, Order::Desc, 1), Some(b"c".to_vec()));
    assert_eq!(at(30, Order::Asc, 1), Some(b"z".to_vec()));
    assert_eq!(at(30, Order::Asc, 2), None);

    // Pruning keeps what reads at or after the cutoff see.
    let removed = p.prune(Timestamp(30)).unwrap();
    assert!(removed > 0);
    assert_eq!(keys(p, 30, Order::Asc, None, 10).0, vec![b"c".to_vec(), b"z".to_vec()]);
    assert_eq!(p.revision_at(&a.id, Timestamp(30)).unwrap().unwrap().ts, Timestamp(20));
    assert_eq!(p.revision_at(&b.id, Timestamp(30)).unwrap().and_then(|r| r.document), None);
    assert_eq!(p.history(&a.id, 10).unwrap().len(), 1);

    // A failed commit (duplicate timestamp) writes nothing.
    assert!(p.commit(&put(30, &[(&doc(9, 9), None, Some(b"q"))])).is_err());
    assert_eq!(p.revision_at(&doc(9, 9).id, Timestamp(40)).unwrap(), None);
    assert_eq!(keys(p, 40, Order::Asc, None, 10).0, vec![b"c".to_vec(), b"z".to_vec()]);
}

#[test]
fn sqlite_passes() {
    let dir = tempfile::tempdir().unwrap();
    conformance(
        &SqlitePersistence::open(&dir.path().join("a.sqlite3"), false, Default::default()).unwrap(),
    );
}

#[test]
fn sqlite_durable_passes() {
    let dir = tempfile::tempdir().unwrap();
    conformance(
        &SqlitePersistence::open(&dir.path().join("b.sqlite3"), true, Default::default()).unwrap(),
    );
}
