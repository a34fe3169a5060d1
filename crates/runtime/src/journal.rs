//! Query journals: what one run of a query decided that its next runs must decide the same
//! way, carried by the sync protocol as an opaque string (the client stores the journal of
//! each result and sends it back when it re-subscribes, after a reconnect too).
//!
//! As in Convex, the only decision is where a paginated query's page ended: a re-run
//! without an explicit `endCursor` ends there, so pages stay contiguous while rows are
//! inserted and deleted. The text is `{"endCursor":"<cursor>"}`; anything else pins
//! nothing.

use serde_json::{Value as Json, json};

/// The end cursor a journal pins, if any.
pub(crate) fn end_cursor(journal: Option<&str>) -> Option<String> {
    let journal: Json = serde_json::from_str(journal?).ok()?;
    journal.get("endCursor")?.as_str().map(str::to_owned)
}

/// The journal of a run whose paginated query's page ended at `cursor`.
pub(crate) fn with_end_cursor(cursor: &str) -> String {
    json!({ "endCursor": cursor }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_round_trips_its_end_cursor() {
        let journal = with_end_cursor("00ab:end");
        assert_eq!(end_cursor(Some(&journal)).as_deref(), Some("00ab:end"));
        assert_eq!(end_cursor(Some("not json")), None);
        assert_eq!(end_cursor(Some("null")), None);
        assert_eq!(end_cursor(None), None);
    }
}
