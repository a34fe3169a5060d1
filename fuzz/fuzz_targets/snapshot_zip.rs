//! libFuzzer entry for [`atrium_fuzz::snapshot_zip`].
#![no_main]
#![allow(unsafe_code)] // the fuzz_target! macro exports a C symbol

libfuzzer_sys::fuzz_target!(|data: &[u8]| atrium_fuzz::snapshot_zip(data));
