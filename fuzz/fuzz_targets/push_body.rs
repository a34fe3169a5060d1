//! libFuzzer entry for [`atrium_fuzz::push_body`].
#![no_main]
#![allow(unsafe_code)] // the fuzz_target! macro exports a C symbol

libfuzzer_sys::fuzz_target!(|data: &[u8]| atrium_fuzz::push_body(data));
