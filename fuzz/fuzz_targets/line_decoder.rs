//! `LineCodec`: `\n`, CRLF-tolerant and arbitrary delimiters, with small maximum frame sizes so
//! that the too-large paths are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nodenet::framing::LineCodec;
use nodenet_fuzz::{check_codec, Input};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let max = usize::from(input.byte());
    let mut codec = match mode % 3 {
        0 => LineCodec::new(),
        1 => LineCodec::crlf(),
        _ => {
            let len = usize::from(input.byte() % 4) + 1;
            match LineCodec::with_delimiter(input.take(len)) {
                Some(codec) => codec,
                None => return,
            }
        }
    };
    if mode & 0x80 == 0 {
        codec = codec.with_max_frame_len(max);
    }
    check_codec(codec, input);
});
