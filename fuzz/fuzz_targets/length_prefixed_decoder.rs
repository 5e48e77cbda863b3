//! `LengthPrefixedCodec`: every header width, both byte orders, length adjustments of either
//! sign, small and default maximum frame sizes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nodenet::framing::{Endian, HeaderWidth, LengthPrefixedCodec};
use nodenet_fuzz::{check_codec, Input};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mode = input.byte();
    let adjustment = i64::from(input.byte() as i8);
    let max = usize::from(u16::from_le_bytes([input.byte(), input.byte()]));
    let width = match mode & 3 {
        0 => HeaderWidth::U8,
        1 => HeaderWidth::U16,
        2 => HeaderWidth::U32,
        _ => HeaderWidth::U64,
    };
    let endian = if mode & 4 == 0 {
        Endian::Big
    } else {
        Endian::Little
    };
    let mut codec = LengthPrefixedCodec::new()
        .with_header_width(width)
        .with_endian(endian);
    if mode & 8 != 0 {
        codec = codec.with_length_adjustment(adjustment);
    }
    if mode & 16 == 0 {
        codec = codec.with_max_frame_len(max);
    }
    check_codec(codec, input);
});
