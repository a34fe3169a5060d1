//! A finding of the `jsonl_import` fuzz target (session 9): after a JSONL import into `t`, a
//! second import with `replace` whose line carries the `_id` of a document already in `t`
//! left 2 documents in the table where 1 line was written. The import deletes the old
//! documents and writes the line back under its own ID in one transaction, and
//! `insert_with_id` dropped the deleted version from the write, so commit never retired its
//! index entries. The engine's model test now generates such write-backs too.

#[test]
fn a_replace_import_reusing_an_id_leaves_only_its_lines() {
    let id = "j57ewa58746b8rfmvc7mt9a9w18kbxnt";
    let first =
        format!("{{\"_id\": \"{id}\", \"_creationTime\": 1700000000001, \"x\": 1}}\n{{\"y\":2}}\n");
    let again = format!("{{\"_id\": \"{id}\", \"_creationTime\": 1700000000001.5, \"x\": 1}}\n");
    atrium_fuzz::jsonl_import(first.as_bytes());
    // The target asserts that the table then holds exactly the imported lines.
    atrium_fuzz::jsonl_import(again.as_bytes());
}
