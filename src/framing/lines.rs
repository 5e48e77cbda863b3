//! Delimiter-terminated frames: text protocols, JSON lines, NUL-separated
//! records.

use super::{Codec, FrameError, FrameSpan, DEFAULT_MAX_FRAME_LEN};

/// Frames that end with a delimiter (`\n` by default), returned without it.
///
/// The maximum frame length counts the bytes before the delimiter (after
/// stripping the `\r` in [`crlf`](LineCodec::crlf) mode). A peer that sends
/// more than that without a delimiter is reported as soon as the buffered
/// bytes prove it, not when the delimiter finally comes.
///
/// ```
/// use nodenet::framing::{Codec, Decoder, LineCodec};
///
/// let codec = LineCodec::new();
/// let mut wire = Vec::new();
/// codec.encode(b"hello", &mut wire)?;
/// assert_eq!(wire, b"hello\n");
///
/// let mut decoder = Decoder::new(codec);
/// let mut frames = decoder.feed(&wire);
/// assert_eq!(frames.next_frame(), Some(Ok(&b"hello"[..])));
/// # Ok::<(), nodenet::framing::FrameError>(())
/// ```
#[derive(Debug, Clone)]
pub struct LineCodec {
    delimiter: Vec<u8>,
    strip_cr: bool,
    max_frame_len: usize,
    /// No delimiter starts before this offset of the frame being decoded;
    /// remembering it keeps a long line fed in small chunks linear.
    scanned: usize,
}

impl Default for LineCodec {
    /// Same as [`LineCodec::new`].
    ///
    /// ```
    /// use nodenet::framing::LineCodec;
    ///
    /// assert_eq!(LineCodec::default().delimiter(), b"\n");
    /// ```
    fn default() -> Self {
        LineCodec::new()
    }
}

impl LineCodec {
    /// Splits on `\n`, keeping any `\r`; frames of at most 8 MiB.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LineCodec};
    ///
    /// let mut decoder = Decoder::new(LineCodec::new());
    /// let mut lines = Vec::new();
    /// decoder.feed_all(b"a\r\nb\n", |l| lines.push(l.to_vec()))?;
    /// assert_eq!(lines, [b"a\r".to_vec(), b"b".to_vec()]);
    /// # Ok::<(), nodenet::framing::FrameError>(())
    /// ```
    pub fn new() -> Self {
        LineCodec {
            delimiter: b"\n".to_vec(),
            strip_cr: false,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            scanned: 0,
        }
    }

    /// Splits on `\n` and strips one `\r` before it, so both `\r\n` and bare
    /// `\n` endings work (HTTP/1, SMTP, Redis); the encoder writes `\r\n`.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LineCodec};
    ///
    /// let mut decoder = Decoder::new(LineCodec::crlf());
    /// let mut lines = Vec::new();
    /// decoder.feed_all(b"a\r\nb\n\r\r\n", |l| lines.push(l.to_vec()))?;
    /// assert_eq!(lines, [b"a".to_vec(), b"b".to_vec(), b"\r".to_vec()]);
    /// # Ok::<(), nodenet::framing::FrameError>(())
    /// ```
    pub fn crlf() -> Self {
        LineCodec {
            strip_cr: true,
            ..LineCodec::new()
        }
    }

    /// Splits on `delimiter`, which may be several bytes long; `None` if it
    /// is empty, since an empty delimiter would end a frame everywhere.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LineCodec};
    ///
    /// let codec = LineCodec::with_delimiter(b"\r\n\r\n").expect("non-empty");
    /// let mut decoder = Decoder::new(codec);
    /// let mut heads = Vec::new();
    /// decoder.feed_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", |h| heads.push(h.to_vec()))?;
    /// assert_eq!(heads, [b"GET / HTTP/1.1\r\nHost: x".to_vec()]);
    /// assert!(LineCodec::with_delimiter(b"").is_none());
    /// # Ok::<(), nodenet::framing::FrameError>(())
    /// ```
    pub fn with_delimiter(delimiter: &[u8]) -> Option<Self> {
        (!delimiter.is_empty()).then(|| LineCodec {
            delimiter: delimiter.to_vec(),
            ..LineCodec::new()
        })
    }

    /// Sets the largest frame accepted, in bytes, delimiter excluded.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LineCodec};
    ///
    /// let mut decoder = Decoder::new(LineCodec::new().with_max_frame_len(4));
    /// // Reported before any newline arrives.
    /// let err = decoder.feed_all(b"too long", |_| {}).unwrap_err();
    /// assert_eq!(err.code(), "ERR_FRAME_TOO_LARGE");
    /// ```
    pub fn with_max_frame_len(mut self, max: usize) -> Self {
        self.max_frame_len = max;
        self
    }

    /// The delimiter frames are split on (`\n` in CRLF mode).
    ///
    /// ```
    /// use nodenet::framing::LineCodec;
    ///
    /// assert_eq!(LineCodec::crlf().delimiter(), b"\n");
    /// ```
    pub fn delimiter(&self) -> &[u8] {
        &self.delimiter
    }

    /// Whether one `\r` before the delimiter is stripped (CRLF mode).
    ///
    /// ```
    /// use nodenet::framing::LineCodec;
    ///
    /// assert!(LineCodec::crlf().strips_cr());
    /// assert!(!LineCodec::new().strips_cr());
    /// ```
    pub fn strips_cr(&self) -> bool {
        self.strip_cr
    }

    /// The largest frame accepted, in bytes, delimiter excluded.
    ///
    /// ```
    /// use nodenet::framing::LineCodec;
    ///
    /// assert_eq!(LineCodec::new().max_frame_len(), 8 * 1024 * 1024);
    /// ```
    pub fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// The frame body if a delimiter starts at `at`.
    fn body_len(&self, buf: &[u8], at: usize) -> usize {
        let cr_before = at
            .checked_sub(1)
            .and_then(|i| buf.get(i))
            .is_some_and(|&b| b == b'\r');
        if self.strip_cr && cr_before {
            at - 1
        } else {
            at
        }
    }

    /// With no whole delimiter in `buf`, whether every place one could still
    /// start would make the frame too large.
    fn hopeless(&self, buf: &[u8]) -> bool {
        let len = buf.len();
        let first_unseen = (len + 1).saturating_sub(self.delimiter.len());
        (first_unseen..=len).all(|at| {
            let tail = buf.get(at..).unwrap_or_default();
            !self.delimiter.starts_with(tail) || self.body_len(buf, at) > self.max_frame_len
        })
    }
}

impl Codec for LineCodec {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<FrameSpan>, FrameError> {
        // A legal frame's delimiter ends inside this window: never scan past it.
        let window = buf.get(..self.max_encoded_len()).unwrap_or(buf);
        let from = self.scanned.min(window.len());
        let tail = window.get(from..).unwrap_or_default();
        if let Some(at) = find(tail, &self.delimiter).map(|i| from + i) {
            self.scanned = 0;
            let body = self.body_len(window, at);
            if body > self.max_frame_len {
                return Err(too_large(body, self.max_frame_len));
            }
            let trailer = at - body + self.delimiter.len();
            return Ok(Some(FrameSpan {
                header: 0,
                body,
                trailer,
            }));
        }
        self.scanned = (window.len() + 1).saturating_sub(self.delimiter.len());
        if self.hopeless(window) {
            return Err(too_large(window.len(), self.max_frame_len));
        }
        Ok(None)
    }

    fn missing(&self, partial: &[u8], more: &[u8]) -> usize {
        let d = self.delimiter.len();
        // Longest prefix first: the earliest delimiter is the one that counts.
        for k in (1..d).rev() {
            let (head, rest) = self.delimiter.split_at(k);
            if partial.ends_with(head) && more.starts_with(rest) {
                return d - k;
            }
        }
        let look = more.get(..self.max_encoded_len()).unwrap_or(more);
        find(look, &self.delimiter).map_or(more.len(), |at| at + d)
    }

    fn max_encoded_len(&self) -> usize {
        self.max_frame_len
            .saturating_add(self.delimiter.len())
            .saturating_add(usize::from(self.strip_cr))
    }

    /// Rejects a frame the peer would not decode back as exactly one frame:
    /// one containing the delimiter, or (for delimiters like `"aa"`) ending
    /// in bytes that would join the delimiter early. Escaping is the
    /// protocol's business, not the framing's.
    fn encode(&self, frame: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
        if frame.len() > self.max_frame_len {
            return Err(too_large(frame.len(), self.max_frame_len));
        }
        let start = out.len();
        out.extend_from_slice(frame);
        if self.strip_cr {
            out.push(b'\r');
        }
        out.extend_from_slice(&self.delimiter);
        let written = out.get(start..).unwrap_or_default();
        let expected = written.len() - self.delimiter.len();
        match find(written, &self.delimiter) {
            Some(at) if at == expected => Ok(()),
            found => {
                out.truncate(start);
                Err(FrameError::ContainsDelimiter {
                    offset: found.unwrap_or(expected),
                })
            }
        }
    }

    fn reset(&mut self) {
        self.scanned = 0;
    }
}

fn too_large(size: usize, max: usize) -> FrameError {
    FrameError::TooLarge {
        size: size as u64,
        max: max as u64,
    }
}

/// The first offset at which `needle` occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = hay.get(from..)?.iter().position(|&b| b == first) {
        let at = from + i;
        if hay.get(at + 1..)?.starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::Decoder;

    fn decode_all(codec: LineCodec, chunks: &[&[u8]]) -> Result<Vec<Vec<u8>>, FrameError> {
        let mut decoder = Decoder::new(codec);
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.feed_all(chunk, |f| out.push(f.to_vec()))?;
        }
        Ok(out)
    }

    fn vecs(frames: &[&[u8]]) -> Vec<Vec<u8>> {
        frames.iter().map(|f| f.to_vec()).collect()
    }

    #[test]
    fn exact_and_empty_frames() {
        let got = decode_all(LineCodec::new(), &[b"a\nbb\n\n\nccc"]).unwrap();
        assert_eq!(got, vecs(&[b"a", b"bb", b"", b""]));
    }

    #[test]
    fn crlf_strips_exactly_one_cr() {
        let got = decode_all(LineCodec::crlf(), &[b"a\r\nb\n\r\n\r\r\n"]).unwrap();
        assert_eq!(got, vecs(&[b"a", b"b", b"", b"\r"]));
    }

    #[test]
    fn crlf_split_between_cr_and_lf() {
        let got = decode_all(LineCodec::crlf(), &[b"ab\r", b"\ncd\r", b"\n"]).unwrap();
        assert_eq!(got, vecs(&[b"ab", b"cd"]));
    }

    #[test]
    fn multi_byte_delimiter_split_everywhere() {
        let wire = b"one<>two<><>three<>";
        let codec = || LineCodec::with_delimiter(b"<>").unwrap();
        let whole = decode_all(codec(), &[wire]).unwrap();
        assert_eq!(whole, vecs(&[b"one", b"two", b"", b"three"]));
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        assert_eq!(decode_all(codec(), &bytes).unwrap(), whole);
        for cut in 0..=wire.len() {
            let (a, b) = wire.split_at(cut);
            assert_eq!(decode_all(codec(), &[a, b]).unwrap(), whole, "cut {cut}");
        }
    }

    #[test]
    fn self_overlapping_delimiter_takes_the_first_match() {
        let codec = || LineCodec::with_delimiter(b"aa").unwrap();
        assert_eq!(decode_all(codec(), &[b"xaaa"]).unwrap(), vecs(&[b"x"]));
        assert_eq!(decode_all(codec(), &[b"xa", b"aa"]).unwrap(), vecs(&[b"x"]));
    }

    #[test]
    fn line_of_exactly_max_is_accepted() {
        let got = decode_all(LineCodec::new().with_max_frame_len(3), &[b"abc\n"]).unwrap();
        assert_eq!(got, vecs(&[b"abc"]));
        let crlf = LineCodec::crlf().with_max_frame_len(3);
        assert_eq!(
            decode_all(crlf, &[b"abc\r", b"\n"]).unwrap(),
            vecs(&[b"abc"])
        );
    }

    #[test]
    fn oversize_detected_before_the_delimiter_arrives() {
        let mut decoder = Decoder::new(LineCodec::new().with_max_frame_len(3));
        decoder.feed_all(b"ab", |_| {}).unwrap();
        decoder.feed_all(b"c", |_| {}).unwrap();
        let err = decoder.feed_all(b"d", |_| {}).unwrap_err();
        assert_eq!(err, FrameError::TooLarge { size: 4, max: 3 });
        assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn crlf_oversize_waits_only_for_a_possible_cr() {
        let mut decoder = Decoder::new(LineCodec::crlf().with_max_frame_len(3));
        // "abc\r" may still be a 3-byte line...
        decoder.feed_all(b"abc\r", |_| {}).unwrap();
        // ...but a 4th content byte cannot.
        let err = decoder.feed_all(b"x", |_| {}).unwrap_err();
        assert_eq!(err.code(), "ERR_FRAME_TOO_LARGE");

        let mut decoder = Decoder::new(LineCodec::crlf().with_max_frame_len(3));
        assert!(decoder.feed_all(b"abcd", |_| {}).is_err());
        let mut decoder = Decoder::new(LineCodec::crlf().with_max_frame_len(3));
        assert!(decoder.feed_all(b"abcd\n", |_| {}).is_err());
    }

    #[test]
    fn multi_byte_delimiter_oversize_waits_for_a_possible_delimiter() {
        let codec = || {
            LineCodec::with_delimiter(b"\r\n")
                .unwrap()
                .with_max_frame_len(2)
        };
        let mut decoder = Decoder::new(codec());
        decoder.feed_all(b"ab\r", |_| {}).unwrap();
        assert!(decoder.feed_all(b"x", |_| {}).is_err());
        let mut decoder = Decoder::new(codec());
        assert!(decoder.feed_all(b"abc", |_| {}).is_err());
    }

    #[test]
    fn long_line_in_tiny_chunks_stays_linear() {
        // Quadratic rescanning would make this take minutes in debug builds.
        let mut decoder = Decoder::new(LineCodec::new());
        let line = vec![b'x'; 256 * 1024];
        for byte in line.chunks(1) {
            decoder
                .feed_all(byte, |_| panic!("no delimiter yet"))
                .unwrap();
        }
        let mut got = 0;
        decoder.feed_all(b"\n", |f| got = f.len()).unwrap();
        assert_eq!(got, line.len());
    }

    #[test]
    fn encode_appends_the_delimiter() {
        let mut out = Vec::new();
        LineCodec::new().encode(b"a", &mut out).unwrap();
        LineCodec::crlf().encode(b"", &mut out).unwrap();
        LineCodec::with_delimiter(b"\0")
            .unwrap()
            .encode(b"z", &mut out)
            .unwrap();
        assert_eq!(out, b"a\n\r\nz\0");
    }

    #[test]
    fn encode_rejects_frames_that_would_not_round_trip() {
        let mut out = b"kept".to_vec();
        let err = LineCodec::new().encode(b"a\nb", &mut out).unwrap_err();
        assert_eq!(err, FrameError::ContainsDelimiter { offset: 1 });
        let aa = LineCodec::with_delimiter(b"aa").unwrap();
        assert!(aa.encode(b"xa", &mut out).is_err());
        let err = LineCodec::new()
            .with_max_frame_len(1)
            .encode(b"ab", &mut out);
        assert_eq!(err, Err(FrameError::TooLarge { size: 2, max: 1 }));
        assert_eq!(out, b"kept");
        // A trailing CR survives CRLF mode: only one is stripped.
        LineCodec::crlf().encode(b"x\r", &mut out).unwrap();
        assert_eq!(
            decode_all(LineCodec::crlf(), &[&out[4..]]).unwrap(),
            vecs(&[b"x\r"])
        );
    }

    #[test]
    fn find_handles_partial_matches() {
        assert_eq!(find(b"ababc", b"abc"), Some(2));
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"", b"a"), None);
        assert_eq!(find(b"abc", b""), None);
    }
}
