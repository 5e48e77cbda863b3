//! Property and robustness tests for `nodenet::framing`.
//!
//! The property tests use a fixed seed and no failure persistence, so every
//! run checks the same cases. The garbage-input test runs `FRAMING_CASES`
//! cases (default 20 000, quick in debug builds); for a long run use
//! `FRAMING_CASES=1000000 cargo test --release --test framing_props`.

use nodenet::framing::{
    Codec, Decoder, Endian, FixedCodec, FrameError, HeaderWidth, LengthPrefixedCodec, LineCodec,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::RngSeed;

const WIDTHS: [HeaderWidth; 4] = [
    HeaderWidth::U8,
    HeaderWidth::U16,
    HeaderWidth::U32,
    HeaderWidth::U64,
];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x006e_6f64_656e_6574),
        ..ProptestConfig::default()
    }
}

/// How many frames the consumer pulls before pausing, cycled; `None` never
/// pauses. A 0 drops the iterator without reading (paused right away).
fn budgets() -> impl Strategy<Value = Option<Vec<usize>>> {
    prop::option::of(
        prop::collection::vec(0usize..4, 1..6)
            .prop_filter("must progress", |b| b.iter().any(|&n| n > 0)),
    )
}

/// Bytes biased towards delimiter characters so that partial delimiters
/// and rejected frames are common.
fn frame_bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => any::<u8>(),
        1 => Just(b'\n'),
        1 => Just(b'\r'),
        1 => Just(b'a'),
        1 => Just(b'<'),
    ];
    prop::collection::vec(byte, 0..max_len)
}

/// Decodes `chunks` the way a socket does: pull frames until paused, drop
/// the iterator, and on resume feed an empty slice before reading more.
fn drive<C: Codec>(
    codec: C,
    chunks: &[&[u8]],
    budget: Option<&[usize]>,
) -> Result<Vec<Vec<u8>>, FrameError> {
    let mut decoder = Decoder::new(codec);
    let bound = decoder.codec().max_encoded_len();
    let mut limits = budget.unwrap_or(&[usize::MAX]).iter().copied().cycle();
    let mut out = Vec::new();
    for &chunk in chunks {
        let mut input = chunk;
        loop {
            let limit = limits.next().unwrap_or(usize::MAX);
            let mut frames = decoder.feed(input);
            let mut exhausted = false;
            for _ in 0..limit {
                match frames.next_frame() {
                    Some(frame) => out.push(frame?.to_vec()),
                    None => {
                        exhausted = true;
                        break;
                    }
                }
            }
            drop(frames);
            input = &[];
            if exhausted {
                break;
            }
        }
        assert!(
            decoder.buffered() < bound,
            "an incomplete frame uses at most max_encoded_len - 1 bytes"
        );
    }
    Ok(out)
}

/// Splits `wire` at the given offsets (sorted, deduplicated, clamped).
fn split_at<'a>(wire: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(wire.len())).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut chunks = Vec::new();
    let mut from = 0;
    for cut in cuts {
        chunks.push(&wire[from..cut]);
        from = cut;
    }
    chunks.push(&wire[from..]);
    chunks
}

/// Encodes `frames` (skipping, after checking the error, those the codec
/// must reject) and checks that every way of cutting the stream decodes to
/// the encoded frames. `special_cuts` maps the frame start offsets to extra
/// cut points worth testing (inside headers, inside UTF-8 sequences).
fn check_round_trip<C: Codec + Clone>(
    codec: &C,
    frames: &[Vec<u8>],
    cuts: &[Index],
    budget: Option<&[usize]>,
    special_cuts: impl Fn(&[u8], &[usize]) -> Vec<usize>,
) -> Result<(), TestCaseError> {
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    let mut starts = Vec::new();
    for frame in frames {
        let start = wire.len();
        match codec.encode(frame, &mut wire) {
            Ok(()) => {
                starts.push(start);
                expected.push(frame.clone());
            }
            Err(err) => prop_assert_eq!(wire.len(), start, "{} left bytes behind", err),
        }
    }
    let decode = |chunks: &[&[u8]]| drive(codec.clone(), chunks, budget);

    prop_assert_eq!(&decode(&[&wire])?, &expected);
    let random: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
    prop_assert_eq!(&decode(&split_at(&wire, &random))?, &expected);
    let bytes: Vec<&[u8]> = wire.chunks(1).collect();
    prop_assert_eq!(&decode(&bytes)?, &expected);
    let special = special_cuts(&wire, &starts);
    prop_assert_eq!(&decode(&split_at(&wire, &special))?, &expected);
    if wire.len() <= 300 {
        for cut in 0..=wire.len() {
            prop_assert_eq!(&decode(&split_at(&wire, &[cut]))?, &expected, "cut {}", cut);
        }
    }
    Ok(())
}

fn no_special_cuts(_wire: &[u8], _starts: &[usize]) -> Vec<usize> {
    Vec::new()
}

fn line_codec(delimiter: usize, crlf: bool) -> LineCodec {
    let delimiters: [&[u8]; 5] = [b"\n", b"\r\n", b"\0", b"<END>", b"aa"];
    match (crlf, delimiters.get(delimiter)) {
        (false, Some(d)) => LineCodec::with_delimiter(d).unwrap_or_default(),
        _ => LineCodec::crlf(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn lines_round_trip(
        delimiter in 0usize..5,
        crlf in any::<bool>(),
        frames in prop::collection::vec(frame_bytes(24), 0..12),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
        budget in budgets(),
    ) {
        let codec = line_codec(delimiter, crlf);
        check_round_trip(&codec, &frames, &cuts, budget.as_deref(), no_special_cuts)?;
    }

    #[test]
    fn lines_split_inside_utf8(
        crlf in any::<bool>(),
        frames in prop::collection::vec("[a-zé€😀\r ]{0,12}", 0..10),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
        budget in budgets(),
    ) {
        let codec = if crlf { LineCodec::crlf() } else { LineCodec::new() };
        let frames: Vec<Vec<u8>> = frames.into_iter().map(String::into_bytes).collect();
        // Cut inside every multi-byte character at once.
        let inside_chars = |wire: &[u8], _: &[usize]| -> Vec<usize> {
            let text = std::str::from_utf8(wire).unwrap_or_default();
            (0..wire.len()).filter(|&i| !text.is_char_boundary(i)).collect()
        };
        check_round_trip(&codec, &frames, &cuts, budget.as_deref(), inside_chars)?;
    }

    #[test]
    fn length_prefixed_round_trip(
        width in 0usize..4,
        little in any::<bool>(),
        adjustment in prop_oneof![Just(0i64), Just(-1), Just(3), Just(i64::MIN)],
        counts_itself in any::<bool>(),
        frames in prop::collection::vec(frame_bytes(40), 0..12),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
        budget in budgets(),
    ) {
        let width = WIDTHS[width];
        let adjustment = if counts_itself { -(width.bytes() as i64) } else { adjustment };
        let codec = LengthPrefixedCodec::new()
            .with_header_width(width)
            .with_endian(if little { Endian::Little } else { Endian::Big })
            .with_length_adjustment(adjustment);
        // Cut inside every header, each at a different depth.
        let inside_headers = |_: &[u8], starts: &[usize]| -> Vec<usize> {
            starts.iter().enumerate().map(|(i, s)| s + 1 + i % width.bytes()).collect()
        };
        check_round_trip(&codec, &frames, &cuts, budget.as_deref(), inside_headers)?;
    }

    #[test]
    fn fixed_round_trip(
        frame_len in 1usize..20,
        count in 0usize..12,
        seed in any::<u8>(),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
        budget in budgets(),
    ) {
        let codec = FixedCodec::new(frame_len).ok_or_else(|| TestCaseError::fail("size"))?;
        let frames: Vec<Vec<u8>> = (0..count)
            .map(|i| (0..frame_len).map(|j| seed ^ (i * 31 + j) as u8).collect())
            .collect();
        check_round_trip(&codec, &frames, &cuts, budget.as_deref(), no_special_cuts)?;
    }

    #[test]
    fn max_frame_len_is_exact(
        max in 0usize..64,
        extra in 0usize..3,
        width in 0usize..4,
        crlf in any::<bool>(),
        split in any::<Index>(),
    ) {
        let len = max + extra; // extra 0 fits, anything more must not
        let frame = vec![b'x'; len];
        let lines = if crlf { LineCodec::crlf() } else { LineCodec::new() }.with_max_frame_len(max);
        let prefixed = LengthPrefixedCodec::new()
            .with_header_width(WIDTHS[width])
            .with_max_frame_len(max);

        let mut wire = Vec::new();
        prop_assert_eq!(lines.encode(&frame, &mut wire).is_ok(), extra == 0);
        prop_assert_eq!(prefixed.encode(&frame, &mut wire).is_ok(), extra == 0);

        // A peer that ignores the limit.
        let mut raw_line = frame.clone();
        raw_line.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        let mut raw_prefixed = (len as u64).to_be_bytes()[8 - WIDTHS[width].bytes()..].to_vec();
        raw_prefixed.extend_from_slice(&frame);
        for (codec_result, raw) in [
            (drive_split(lines, &raw_line, split), &raw_line),
            (drive_split(prefixed, &raw_prefixed, split), &raw_prefixed),
        ] {
            match codec_result {
                Ok(frames) => {
                    prop_assert_eq!(extra, 0, "accepted an oversized frame from {:?}", raw);
                    prop_assert_eq!(frames, vec![frame.clone()]);
                }
                Err(err) => {
                    prop_assert!(extra > 0, "rejected a legal frame: {}", err);
                    prop_assert_eq!(err.code(), "ERR_FRAME_TOO_LARGE");
                }
            }
        }
    }
}

fn drive_split<C: Codec>(codec: C, wire: &[u8], split: Index) -> Result<Vec<Vec<u8>>, FrameError> {
    let (a, b) = wire.split_at(split.index(wire.len() + 1));
    drive(codec, &[a, b], None)
}

/// xorshift64*: tiny, seedable, and good enough to generate garbage.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn garbage(&mut self, len: usize) -> Vec<u8> {
        // Half the time, bytes that make small lengths and delimiters likely.
        const ALPHABET: &[u8] = b"\0\x01\x02\x03\n\r<>Ea\xff";
        let biased = self.chance(2);
        (0..len)
            .map(|_| {
                if biased {
                    ALPHABET[self.below(ALPHABET.len())]
                } else {
                    self.next() as u8
                }
            })
            .collect()
    }

    fn max_frame_len(&mut self) -> usize {
        if self.chance(8) {
            nodenet::framing::DEFAULT_MAX_FRAME_LEN
        } else {
            self.below(64)
        }
    }
}

/// Feeds one random stream in random chunks with random pauses and checks
/// the invariants that must hold whatever the peer sends.
/// Returns how many frames were decoded and whether the stream failed.
fn hammer<C: Codec>(codec: C, rng: &mut Rng) -> (u64, bool) {
    let bound = codec.max_encoded_len();
    let mut decoder = Decoder::new(codec);
    let len = rng.below(600);
    let data = rng.garbage(len);
    let mut rest = &data[..];
    let mut failed = false;
    let mut paused = false;
    let mut last_chunk = 0;
    let mut decoded = 0;
    loop {
        // Like a socket: no reading while paused, only draining on resume.
        let chunk = if paused {
            &[][..]
        } else if rest.is_empty() && !rng.chance(4) {
            break;
        } else {
            let (chunk, tail) = rest.split_at(rng.below(rest.len() + 1));
            rest = tail;
            last_chunk = chunk.len();
            chunk
        };
        let limit = if rng.chance(3) {
            rng.below(3)
        } else {
            usize::MAX
        };
        let mut frames = decoder.feed(chunk);
        paused = true;
        for _ in 0..limit {
            match frames.next_frame() {
                Some(Ok(frame)) => {
                    assert!(!failed && frame.len() <= bound);
                    decoded += 1;
                }
                Some(Err(_)) => failed = true,
                None => {
                    paused = false;
                    break;
                }
            }
        }
        drop(frames);
        let buffered = decoder.buffered();
        if failed {
            assert_eq!(buffered, 0, "an errored decoder holds nothing");
            break;
        } else if paused {
            assert!(
                buffered < bound + last_chunk,
                "a pause keeps at most one chunk"
            );
        } else {
            assert!(buffered < bound, "{buffered} buffered, bound {bound}");
        }
    }
    if failed {
        let mut frames = decoder.feed(b"\n\0\0\0\0");
        assert!(matches!(frames.next_frame(), Some(Err(_))));
        assert!(frames.next_frame().is_none());
    }
    (decoded, failed)
}

#[test]
fn garbage_never_panics_or_overbuffers() {
    let cases: u64 = std::env::var("FRAMING_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut frames, mut failures) = (0, 0);
    for _ in 0..cases {
        let (decoded, failed) = match rng.below(3) {
            0 => {
                let codec = if rng.chance(3) {
                    LineCodec::crlf()
                } else {
                    let len = 1 + rng.below(3);
                    let delimiter = rng.garbage(len);
                    LineCodec::with_delimiter(&delimiter).unwrap_or_default()
                };
                let max = rng.max_frame_len();
                hammer(codec.with_max_frame_len(max), &mut rng)
            }
            1 => {
                let codec = LengthPrefixedCodec::new()
                    .with_header_width(WIDTHS[rng.below(4)])
                    .with_endian(if rng.chance(2) {
                        Endian::Little
                    } else {
                        Endian::Big
                    })
                    .with_length_adjustment(rng.below(21) as i64 - 10)
                    .with_max_frame_len(rng.max_frame_len());
                hammer(codec, &mut rng)
            }
            _ => {
                let codec = FixedCodec::new(1 + rng.below(40)).expect("non-zero size");
                hammer(codec, &mut rng)
            }
        };
        frames += decoded;
        failures += u64::from(failed);
    }
    eprintln!("{cases} garbage streams: {frames} frames decoded, {failures} streams rejected");
    // Guards against a generator drifting into all-garbage or no-garbage.
    assert!(cases < 100 || (frames > cases && failures > cases / 10));
}
