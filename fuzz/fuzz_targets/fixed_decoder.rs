//! `FixedCodec`: frame sizes 1 to 64.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nodenet::framing::FixedCodec;
use nodenet_fuzz::{check_codec, Input};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let size = usize::from(input.byte() % 64) + 1;
    let Some(codec) = FixedCodec::new(size) else {
        return;
    };
    check_codec(codec, input);
});
