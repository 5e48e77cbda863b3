//! Property tests for `nodenet::string_decoder`: streaming a byte string in
//! arbitrary chunks must give the same text as decoding it in one go (Node's
//! `StringDecoder` guarantees this for every encoding it supports), and
//! nothing may panic on any input.

use nodenet::string_decoder::{Encoding, StringDecoder};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const ENCODINGS: [Encoding; 7] = [
    Encoding::Utf8,
    Encoding::Utf16Le,
    Encoding::Latin1,
    Encoding::Ascii,
    Encoding::Base64,
    Encoding::Base64Url,
    Encoding::Hex,
];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        // Reproducible in CI and never writes regression files into the tree.
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x6e6f_6465_6e65_7400),
        ..ProptestConfig::default()
    }
}

/// Bytes biased towards the interesting parts of UTF-8 and UTF-16:
/// continuation bytes, every class of lead byte, surrogate halves.
fn tricky_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => any::<u8>(),
        2 => 0x80u8..=0xBF,
        1 => 0xC0u8..=0xC1,
        1 => 0xC2u8..=0xDF,
        1 => prop::sample::select(vec![0xE0u8, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]),
        1 => 0xD8u8..=0xDF,
        1 => 0x20u8..=0x7E,
    ];
    prop::collection::vec(byte, 0..48)
}

/// Splits `bytes` at the given (unsorted, possibly repeated) cut points,
/// which yields empty chunks too.
fn chunks<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut prev = 0;
    for c in cuts.into_iter().chain([bytes.len()]) {
        out.push(&bytes[prev..c]);
        prev = c;
    }
    out
}

fn streamed(enc: Encoding, parts: &[&[u8]]) -> (String, Vec<String>) {
    let mut dec = StringDecoder::new(enc);
    let mut all = String::new();
    let mut each = Vec::new();
    for part in parts {
        let mut s = String::new();
        dec.write(part, &mut s);
        assert!(dec.buffered() <= 3, "{enc} holds {} bytes", dec.buffered());
        all.push_str(&s);
        each.push(s);
    }
    let mut s = String::new();
    dec.end(&mut s);
    assert_eq!(dec.buffered(), 0);
    all.push_str(&s);
    each.push(s);
    (all, each)
}

fn one_shot(enc: Encoding, bytes: &[u8]) -> String {
    let mut s = String::new();
    enc.decode(bytes, &mut s);
    s
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn streaming_equals_one_shot(
        bytes in tricky_bytes(),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
        which in 0..ENCODINGS.len(),
    ) {
        let enc = ENCODINGS[which];
        let (all, _) = streamed(enc, &chunks(&bytes, &cuts));
        prop_assert_eq!(all, one_shot(enc, &bytes));
    }

    #[test]
    fn utf8_one_shot_is_maximal_subpart_replacement(bytes in tricky_bytes()) {
        // V8 and Rust's lossy decoder both follow the Unicode/WHATWG
        // "maximal subpart" rule, so std is an independent oracle here.
        prop_assert_eq!(one_shot(Encoding::Utf8, &bytes), String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn valid_utf8_is_never_broken(
        text in "\\PC{0,24}",
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let (all, each) = streamed(Encoding::Utf8, &chunks(text.as_bytes(), &cuts));
        for piece in &each {
            prop_assert!(!piece.contains(char::REPLACEMENT_CHARACTER) || text.contains(char::REPLACEMENT_CHARACTER));
        }
        prop_assert_eq!(all, text);
    }

    #[test]
    fn valid_utf16_is_never_broken(
        text in "\\PC{0,24}",
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let (all, each) = streamed(Encoding::Utf16Le, &chunks(&bytes, &cuts));
        for piece in &each {
            prop_assert!(!piece.contains(char::REPLACEMENT_CHARACTER) || text.contains(char::REPLACEMENT_CHARACTER));
        }
        prop_assert_eq!(all, text);
    }

    #[test]
    fn base64_streams_in_whole_groups(
        bytes in prop::collection::vec(any::<u8>(), 0..40),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let (_, each) = streamed(Encoding::Base64, &chunks(&bytes, &cuts));
        let (last, writes) = each.split_last().expect("end() output is always there");
        for piece in writes {
            // Only whole 4-character groups before end(): no padding yet.
            prop_assert_eq!(piece.len() % 4, 0);
            prop_assert!(!piece.contains('='));
        }
        prop_assert!(last.is_empty() || last.len() == 4);
    }
}
