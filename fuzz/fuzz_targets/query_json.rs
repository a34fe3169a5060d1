//! libFuzzer entry for [`atrium_fuzz::query_json`].
#![no_main]
#![allow(unsafe_code)] // the fuzz_target! macro exports a C symbol

libfuzzer_sys::fuzz_target!(|data: &[u8]| atrium_fuzz::query_json(data));
