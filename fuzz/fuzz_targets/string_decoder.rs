//! `StringDecoder`: for every encoding, streaming the input in arbitrary reads gives exactly
//! the one-shot decoding, never holds more than a partial character, and for UTF-8 puts U+FFFD
//! where the WHATWG decoder (and `String::from_utf8_lossy`) does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nodenet::string_decoder::{Encoding, StringDecoder};
use nodenet_fuzz::{cut, Input};

const ENCODINGS: [Encoding; 7] = [
    Encoding::Utf8,
    Encoding::Utf16Le,
    Encoding::Latin1,
    Encoding::Ascii,
    Encoding::Base64,
    Encoding::Base64Url,
    Encoding::Hex,
];

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    // Most cases go to UTF-8, the encoding sockets use.
    let pick = input.byte();
    let encoding = if pick < 128 {
        Encoding::Utf8
    } else {
        ENCODINGS[usize::from(pick) % ENCODINGS.len()]
    };
    let sizes = input.take(4).to_vec();
    let stream = input.rest();

    let mut decoder = StringDecoder::new(encoding);
    let mut streamed = String::new();
    for chunk in cut(stream, &sizes) {
        decoder.write(chunk, &mut streamed);
        assert!(
            decoder.buffered() <= 3,
            "{encoding} holds {}",
            decoder.buffered()
        );
    }
    decoder.end(&mut streamed);
    assert_eq!(decoder.buffered(), 0);

    let mut whole = String::new();
    encoding.decode(stream, &mut whole);
    assert_eq!(streamed, whole, "{encoding}: streaming changed the text");
    if encoding == Encoding::Utf8 {
        assert_eq!(whole, String::from_utf8_lossy(stream), "U+FFFD placement");
    }

    // The decoder is reusable after end().
    let mut again = String::new();
    decoder.write(stream, &mut again);
    decoder.end(&mut again);
    assert_eq!(again, whole);
});
