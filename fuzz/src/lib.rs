//! What every fuzz target shares: turning fuzzer bytes into a codec configuration, a way of
//! cutting the stream into reads, and a consumer that pauses; and the checks every decoder must
//! pass whatever the input.
#![forbid(unsafe_code)]

use nodenet::framing::{Codec, Decoder};

/// Reads configuration bytes off the front of the fuzzer's input; missing bytes read as 0 so
/// every input, even an empty one, is a valid case.
pub struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Input { bytes }
    }

    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    /// Up to `n` bytes (fewer if the input is shorter).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.bytes.split_at(n.min(self.bytes.len()));
        self.bytes = rest;
        head
    }

    pub fn rest(self) -> &'a [u8] {
        self.bytes
    }
}

/// Cuts `stream` into reads whose sizes cycle through `sizes` (0 means an empty read, which a
/// resumed socket does produce). Sizes come from the fuzzer so that cuts land inside headers,
/// delimiters and multi-byte characters.
pub fn cut<'a>(stream: &'a [u8], sizes: &[u8]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = stream;
    let mut sizes = sizes.iter().map(|&s| usize::from(s)).cycle();
    let mut empties = 0;
    while !rest.is_empty() {
        let size = sizes.next().unwrap_or(usize::MAX).min(rest.len());
        if size == 0 {
            // Keep the case finite when every size is 0.
            empties += 1;
            if empties > 4 {
                chunks.push(rest);
                break;
            }
        }
        let (head, tail) = rest.split_at(size);
        chunks.push(head);
        rest = tail;
    }
    chunks
}

/// What a decoder produced: the frames, then the error code that stopped it, if any.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub frames: Vec<Vec<u8>>,
    pub error: Option<&'static str>,
}

/// Decodes `chunks` as a socket consumer does: pull up to `budget` frames per feed, then
/// "pause" (drop the iterator) and "resume" with an empty feed. Checks the memory bound on the
/// way.
pub fn drive<C: Codec>(codec: C, chunks: &[&[u8]], budgets: &[u8]) -> Outcome {
    let mut decoder = Decoder::new(codec);
    let bound = decoder.codec().max_encoded_len();
    let mut budgets = budgets
        .iter()
        .map(|&b| if b == 0 { usize::MAX } else { usize::from(b) })
        .cycle();
    let mut out = Outcome {
        frames: Vec::new(),
        error: None,
    };
    for &chunk in chunks {
        let mut input = chunk;
        loop {
            let budget = budgets.next().unwrap_or(usize::MAX);
            let mut frames = decoder.feed(input);
            let mut exhausted = false;
            for _ in 0..budget {
                match frames.next_frame() {
                    Some(Ok(frame)) => out.frames.push(frame.to_vec()),
                    Some(Err(err)) => {
                        drop(frames);
                        assert_eq!(decoder.buffered(), 0, "an errored decoder frees its buffer");
                        out.error = Some(err.code());
                        return out;
                    }
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
            "an incomplete frame holds {} bytes, bound {bound}",
            decoder.buffered()
        );
    }
    out
}

/// The checks shared by every decoder target: splitting and pausing change nothing, and every
/// decoded frame encodes and decodes back to itself.
pub fn check_codec<C: Codec + Clone>(codec: C, mut input: Input<'_>) {
    let sizes = input.take(4).to_vec();
    let budgets = input.take(2).to_vec();
    let stream = input.rest();

    let whole = drive(codec.clone(), &[stream], &[0]);
    let split = drive(codec.clone(), &cut(stream, &sizes), &budgets);
    assert_eq!(
        whole, split,
        "cutting the stream into reads changed the frames"
    );
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    let one_by_one = drive(codec.clone(), &bytes, &[0]);
    assert_eq!(whole, one_by_one, "byte-at-a-time reads changed the frames");

    let mut wire = Vec::new();
    for frame in &whole.frames {
        let before = wire.len();
        if let Err(err) = codec.encode(frame, &mut wire) {
            panic!("a decoded frame {frame:?} does not encode: {err}");
        }
        assert!(wire.len() - before <= codec.max_encoded_len());
    }
    let again = drive(codec, &cut(&wire, &sizes), &budgets);
    assert_eq!(
        again.frames, whole.frames,
        "re-encoded frames decode differently"
    );
    assert_eq!(again.error, None);
}
