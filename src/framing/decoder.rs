//! The buffering half of framing: one per connection, codec-agnostic.

use super::{Codec, FrameError, Frames};

/// Turns the chunks a socket reads into whole frames, using a [`Codec`].
///
/// Frames that lie wholly inside a chunk are handed out as subslices of it,
/// never copied. Only an incomplete frame at the end of a chunk (or the rest
/// of a chunk the caller stopped reading, see [`feed`](Decoder::feed)) is
/// copied into the decoder's own buffer.
///
/// Memory: an incomplete frame never takes more than
/// [`Codec::max_encoded_len`] - 1 bytes, so a hostile peer cannot make the
/// decoder grow past one maximal frame. A paused feed additionally keeps
/// the unread rest of its chunk, which the caller chose to read.
///
/// Errors are final: once a frame error is reported, the stream cannot be
/// resynchronised, so the decoder drops its buffer and every later `feed`
/// yields the same error once and then nothing. Build a new decoder to
/// start over.
///
/// ```
/// use nodenet::framing::{Decoder, LineCodec};
///
/// let mut decoder = Decoder::new(LineCodec::crlf());
/// let mut lines = Vec::new();
/// for chunk in [&b"HELO a\r\nMAIL"[..], b" FROM b\r\n"] {
///     decoder.feed_all(chunk, |line| lines.push(String::from_utf8_lossy(line).into_owned()))?;
/// }
/// assert_eq!(lines, ["HELO a", "MAIL FROM b"]);
/// # Ok::<(), nodenet::framing::FrameError>(())
/// ```
#[derive(Debug)]
pub struct Decoder<C: Codec> {
    pub(super) codec: C,
    /// Bytes not yet handed out live in `buf[start..]`; frames are consumed
    /// by moving `start` so that a frame handed out stays valid until the
    /// next call, and so that a long run of buffered frames costs no memmove.
    pub(super) buf: Vec<u8>,
    pub(super) start: usize,
    pub(super) error: Option<FrameError>,
}

impl<C: Codec> Decoder<C> {
    /// Creates a decoder with an empty buffer; no memory is allocated until
    /// a frame has to be buffered.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, FixedCodec};
    ///
    /// let decoder = Decoder::new(FixedCodec::new(16).expect("non-zero size"));
    /// assert_eq!(decoder.buffered(), 0);
    /// ```
    pub fn new(mut codec: C) -> Self {
        codec.reset();
        Decoder {
            codec,
            buf: Vec::new(),
            start: 0,
            error: None,
        }
    }

    /// Offers the bytes just read and returns a lending iterator over the
    /// frames they complete.
    ///
    /// Pull frames with [`Frames::next_frame`]. Stopping early is fine (the
    /// socket was paused, say): when the [`Frames`] is dropped, every byte of
    /// `input` that was not consumed is copied into the decoder, and the next
    /// `feed` (possibly with an empty slice) carries on from there.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LineCodec};
    ///
    /// let mut decoder = Decoder::new(LineCodec::new());
    /// let mut frames = decoder.feed(b"one\ntwo\nthr");
    /// assert_eq!(frames.next_frame(), Some(Ok(&b"one"[..])));
    /// drop(frames); // paused: "two\nthr" is kept
    /// assert_eq!(decoder.buffered(), 7);
    ///
    /// let mut frames = decoder.feed(b"ee\n");
    /// assert_eq!(frames.next_frame(), Some(Ok(&b"two"[..])));
    /// assert_eq!(frames.next_frame(), Some(Ok(&b"three"[..])));
    /// assert_eq!(frames.next_frame(), None);
    /// ```
    pub fn feed<'a>(&'a mut self, input: &'a [u8]) -> Frames<'a, C> {
        Frames::new(self, input)
    }

    /// Feeds `input` and calls `f` with every frame it completes, stopping
    /// at the first error.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LengthPrefixedCodec};
    ///
    /// let mut decoder = Decoder::new(LengthPrefixedCodec::new());
    /// let mut count = 0;
    /// decoder.feed_all(&[0, 0, 0, 1, b'x', 0, 0], |_| count += 1)?;
    /// decoder.feed_all(&[0, 0], |_| count += 1)?; // an empty frame
    /// assert_eq!(count, 2);
    /// # Ok::<(), nodenet::framing::FrameError>(())
    /// ```
    pub fn feed_all(&mut self, input: &[u8], mut f: impl FnMut(&[u8])) -> Result<(), FrameError> {
        let mut frames = self.feed(input);
        while let Some(frame) = frames.next_frame() {
            f(frame?);
        }
        Ok(())
    }

    /// How many bytes the decoder holds: an incomplete frame, plus whatever
    /// a paused [`Frames`] left unread.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LineCodec};
    ///
    /// let mut decoder = Decoder::new(LineCodec::new());
    /// decoder.feed_all(b"a\nbc", |_| {})?;
    /// assert_eq!(decoder.buffered(), 2);
    /// # Ok::<(), nodenet::framing::FrameError>(())
    /// ```
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Takes the bytes not yet handed out as frames and starts over, as a fresh decoder: for
    /// giving them back to the socket (`unshift`) when a listener pauses. They begin at a frame
    /// boundary, so decoding them again gives the same frames.
    pub(crate) fn take_unread(&mut self) -> Vec<u8> {
        let unread = self.buf.split_off(self.start);
        self.buf.clear();
        self.start = 0;
        self.codec.reset();
        unread
    }

    /// The codec this decoder frames with.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LineCodec};
    ///
    /// let decoder = Decoder::new(LineCodec::new().with_max_frame_len(80));
    /// assert_eq!(decoder.codec().max_frame_len(), 80);
    /// ```
    pub fn codec(&self) -> &C {
        &self.codec
    }

    /// The error that stopped this decoder, if any.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LineCodec};
    ///
    /// let mut decoder = Decoder::new(LineCodec::new().with_max_frame_len(2));
    /// assert!(decoder.feed_all(b"long line\n", |_| {}).is_err());
    /// assert_eq!(decoder.error().map(|e| e.code()), Some("ERR_FRAME_TOO_LARGE"));
    /// assert_eq!(decoder.buffered(), 0);
    /// ```
    pub fn error(&self) -> Option<&FrameError> {
        self.error.as_ref()
    }

    /// Enters the errored state; the buffer can never be decoded, so its
    /// memory is released at once.
    pub(super) fn fail(&mut self, err: FrameError) {
        self.error = Some(err);
        self.buf = Vec::new();
        self.start = 0;
    }

    /// Moves the unread bytes to the front so that appending keeps the
    /// buffer no larger than what is still needed.
    pub(super) fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }
}
