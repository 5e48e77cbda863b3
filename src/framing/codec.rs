//! The contract between a framing rule and the generic [`Decoder`](super::Decoder).

use super::FrameError;

/// Where one whole frame lies at the start of a byte slice: `header` bytes to
/// skip, then `body` bytes handed to the caller, then `trailer` bytes to skip
/// (a delimiter, for instance).
///
/// ```
/// use nodenet::framing::FrameSpan;
///
/// // "hi\r\n" with the CRLF stripped
/// let span = FrameSpan { header: 0, body: 2, trailer: 2 };
/// assert_eq!(span.len(), Some(4));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameSpan {
    /// Bytes before the body that are not part of the frame (a length header).
    pub header: usize,
    /// Bytes of the frame itself.
    pub body: usize,
    /// Bytes after the body that are not part of the frame (a delimiter).
    pub trailer: usize,
}

impl FrameSpan {
    /// How many bytes of the stream the frame occupies; `None` if that
    /// overflows `usize` (only a broken codec could report such a span).
    ///
    /// ```
    /// use nodenet::framing::FrameSpan;
    ///
    /// assert_eq!(FrameSpan { header: 4, body: 10, trailer: 0 }.len(), Some(14));
    /// assert_eq!(FrameSpan { header: 1, body: usize::MAX, trailer: 0 }.len(), None);
    /// ```
    #[allow(clippy::len_without_is_empty)] // an "empty" span is not a meaningful question
    pub fn len(&self) -> Option<usize> {
        self.header
            .checked_add(self.body)?
            .checked_add(self.trailer)
    }
}

/// A framing rule: where frames start and end in a byte stream, and how to
/// write one.
///
/// The [`Decoder`](super::Decoder) owns the buffering; a codec only looks at
/// bytes it is shown. Implement it to add a framing scheme of your own.
///
/// ```
/// use nodenet::framing::{Codec, Decoder, FrameError, FrameSpan};
///
/// /// Frames end with a NUL byte (like a C string).
/// struct Nul;
///
/// impl Codec for Nul {
///     fn decode(&mut self, buf: &[u8]) -> Result<Option<FrameSpan>, FrameError> {
///         match buf.iter().position(|&b| b == 0) {
///             Some(end) if end > 1024 => Err(FrameError::TooLarge { size: end as u64, max: 1024 }),
///             Some(end) => Ok(Some(FrameSpan { header: 0, body: end, trailer: 1 })),
///             None if buf.len() > 1024 => {
///                 Err(FrameError::TooLarge { size: buf.len() as u64, max: 1024 })
///             }
///             None => Ok(None),
///         }
///     }
///     fn missing(&self, _partial: &[u8], more: &[u8]) -> usize {
///         more.iter().position(|&b| b == 0).map_or(more.len(), |i| i + 1)
///     }
///     fn max_encoded_len(&self) -> usize {
///         1025
///     }
///     fn encode(&self, frame: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
///         if let Some(offset) = frame.iter().position(|&b| b == 0) {
///             return Err(FrameError::ContainsDelimiter { offset });
///         }
///         out.extend_from_slice(frame);
///         out.push(0);
///         Ok(())
///     }
/// }
///
/// let mut decoder = Decoder::new(Nul);
/// let mut seen = Vec::new();
/// decoder.feed_all(b"ab\0c", |f| seen.push(f.to_vec())).unwrap();
/// decoder.feed_all(b"d\0", |f| seen.push(f.to_vec())).unwrap();
/// assert_eq!(seen, [b"ab".to_vec(), b"cd".to_vec()]);
/// ```
pub trait Codec {
    /// Looks for one whole frame at the start of `buf`.
    ///
    /// Returns `Ok(Some(span))` when a whole frame is there, `Ok(None)` when
    /// more bytes are needed, and `Err` as soon as the bytes prove the frame
    /// can never be valid (too large, bad header). It must never answer
    /// `Ok(None)` for `buf.len() >= self.max_encoded_len()`.
    ///
    /// The decoder keeps one promise a codec may rely on to avoid rescanning:
    /// after a call answers `Ok(None)`, the next call's `buf` starts with the
    /// same bytes (more may follow). After `Ok(Some(_))` the next call starts
    /// a new frame. Call [`reset`](Codec::reset) before using a codec on an
    /// unrelated buffer. A span longer than `buf`, or of length 0, is taken
    /// as `Ok(None)` by the decoder.
    ///
    /// ```
    /// use nodenet::framing::{Codec, FrameSpan, LineCodec};
    ///
    /// let mut codec = LineCodec::new();
    /// assert_eq!(codec.decode(b"ab"), Ok(None));
    /// assert_eq!(codec.decode(b"ab\ncd"), Ok(Some(FrameSpan { header: 0, body: 2, trailer: 1 })));
    /// ```
    fn decode(&mut self, buf: &[u8]) -> Result<Option<FrameSpan>, FrameError>;

    /// How many leading bytes of `more` to append to `partial` (an incomplete
    /// frame, for which `decode` just answered `Ok(None)`) so that `decode`
    /// can make progress, without taking bytes of the following frame.
    ///
    /// This is what lets the decoder complete a buffered frame by copying
    /// only the bytes it lacks, then hand out the rest of `more` zero-copy.
    /// Answering too little is safe but slower; answering more than the
    /// frame needs costs the zero-copy path for the frames after it.
    ///
    /// ```
    /// use nodenet::framing::{Codec, LengthPrefixedCodec};
    ///
    /// let codec = LengthPrefixedCodec::new(); // 4-byte big-endian header
    /// assert_eq!(codec.missing(&[0, 0], b"......"), 2); // rest of the header first
    /// assert_eq!(codec.missing(&[0, 0, 0, 3, b'a'], b"bcdef"), 2); // then the body
    /// ```
    fn missing(&self, partial: &[u8], more: &[u8]) -> usize;

    /// The most bytes one encoded frame can occupy: header, largest allowed
    /// body and trailer. The decoder never buffers this many bytes of an
    /// incomplete frame.
    ///
    /// ```
    /// use nodenet::framing::{Codec, LineCodec};
    ///
    /// assert_eq!(LineCodec::new().with_max_frame_len(100).max_encoded_len(), 101);
    /// ```
    fn max_encoded_len(&self) -> usize;

    /// Appends `frame`, framed, to `out`; on error `out` is left as it was.
    ///
    /// ```
    /// use nodenet::framing::{Codec, LengthPrefixedCodec};
    ///
    /// let mut out = Vec::new();
    /// LengthPrefixedCodec::new().encode(b"hi", &mut out).unwrap();
    /// assert_eq!(out, [0, 0, 0, 2, b'h', b'i']);
    /// ```
    fn encode(&self, frame: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError>;

    /// Forgets whatever `decode` remembered about the frame in progress.
    /// The decoder calls it when it is created.
    ///
    /// ```
    /// use nodenet::framing::{Codec, LineCodec};
    ///
    /// let mut codec = LineCodec::new();
    /// assert_eq!(codec.decode(b"partial"), Ok(None));
    /// codec.reset(); // about to look at an unrelated buffer
    /// assert!(codec.decode(b"x\n").unwrap().is_some());
    /// ```
    fn reset(&mut self) {}
}
