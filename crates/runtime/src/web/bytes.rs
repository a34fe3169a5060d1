//! Copying bytes out of JavaScript buffers: the one leaf every host half of the web
//! globals shares (it imports nothing of theirs).

/// A copy of an ArrayBuffer's bytes (empty when detached).
pub(crate) fn buffer_bytes(buffer: &rquickjs::ArrayBuffer<'_>) -> Vec<u8> {
    // SAFETY: the bytes are copied at once; no JavaScript runs (so nothing can detach or
    // resize the buffer) while the slice lives.
    #[allow(unsafe_code, reason = "copying an ArrayBuffer's bytes before any JS runs")]
    let bytes = unsafe { buffer.as_bytes() }.map(<[u8]>::to_vec).unwrap_or_default();
    bytes
}
