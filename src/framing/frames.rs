//! The lending iterator [`Decoder::feed`](super::Decoder::feed) returns.

use std::ops::Range;

use super::{Codec, Decoder, FrameError, FrameSpan};

/// The frames completed by one chunk of input; see
/// [`Decoder::feed`](super::Decoder::feed).
///
/// Each frame borrows either the input chunk (zero-copy) or the decoder's
/// buffer, so it lives only until the next call to
/// [`next_frame`](Frames::next_frame). Dropping a `Frames` keeps the unread
/// rest of the input in the decoder; leaking one (`mem::forget`) loses it.
///
/// ```
/// use nodenet::framing::{Decoder, FixedCodec};
///
/// let mut decoder = Decoder::new(FixedCodec::new(2).expect("non-zero size"));
/// let mut frames = decoder.feed(b"abcde");
/// let mut seen = Vec::new();
/// while let Some(frame) = frames.next_frame() {
///     seen.push(frame?.to_vec());
/// }
/// drop(frames);
/// assert_eq!(seen, [b"ab".to_vec(), b"cd".to_vec()]);
/// assert_eq!(decoder.buffered(), 1);
/// # Ok::<(), nodenet::framing::FrameError>(())
/// ```
#[derive(Debug)]
pub struct Frames<'a, C: Codec> {
    decoder: &'a mut Decoder<C>,
    input: &'a [u8],
    /// Bytes of `input` consumed so far.
    pos: usize,
    /// An errored decoder reports its error once per feed so that
    /// `while let Some(..)` loops end.
    error_reported: bool,
}

/// Where a frame was found, as a range rather than a slice so that the
/// borrow is taken only once the decoder's state is settled.
enum Found {
    Buffered(Range<usize>),
    Input(Range<usize>),
}

impl<'a, C: Codec> Frames<'a, C> {
    pub(super) fn new(decoder: &'a mut Decoder<C>, input: &'a [u8]) -> Self {
        Frames {
            decoder,
            input,
            pos: 0,
            error_reported: false,
        }
    }

    /// The next whole frame, `None` when the input is used up (an incomplete
    /// frame is kept for the next feed), or the error that ends the stream.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LengthPrefixedCodec};
    ///
    /// let mut decoder = Decoder::new(LengthPrefixedCodec::new().with_max_frame_len(4));
    /// let mut frames = decoder.feed(&[0, 0, 0, 1, b'a', 0, 0, 0, 200]);
    /// assert_eq!(frames.next_frame(), Some(Ok(&b"a"[..])));
    /// let err = frames.next_frame().unwrap().unwrap_err();
    /// assert_eq!(err.code(), "ERR_FRAME_TOO_LARGE");
    /// assert_eq!(frames.next_frame(), None);
    /// ```
    pub fn next_frame(&mut self) -> Option<Result<&[u8], FrameError>> {
        if let Some(err) = &self.decoder.error {
            if self.error_reported {
                return None;
            }
            self.error_reported = true;
            return Some(Err(err.clone()));
        }
        match self.step() {
            Ok(Some(Found::Buffered(range))) => self.decoder.buf.get(range).map(Ok),
            Ok(Some(Found::Input(range))) => self.input.get(range).map(Ok),
            Ok(None) => None,
            Err(err) => {
                self.decoder.fail(err.clone());
                self.error_reported = true;
                Some(Err(err))
            }
        }
    }

    fn step(&mut self) -> Result<Option<Found>, FrameError> {
        let dec = &mut *self.decoder;
        if dec.start >= dec.buf.len() {
            // The frame handed out last time is no longer borrowed.
            dec.buf.clear();
            dec.start = 0;
        } else {
            // Buffered bytes come first: frames left by a pause, then an
            // incomplete frame completed with just the bytes it lacks.
            loop {
                let pending = dec.buf.get(dec.start..).unwrap_or_default();
                if let Some((head, total)) = whole(dec.codec.decode(pending)?, pending.len()) {
                    let from = dec.start + head.header;
                    dec.start += total;
                    return Ok(Some(Found::Buffered(from..from + head.body)));
                }
                let rest = self.input.get(self.pos..).unwrap_or_default();
                if rest.is_empty() {
                    return Ok(None);
                }
                let room = dec.codec.max_encoded_len().saturating_sub(pending.len());
                let take = dec
                    .codec
                    .missing(pending, rest)
                    .max(1)
                    .min(rest.len())
                    .min(room);
                if take == 0 {
                    return Err(contract_broken(pending.len(), &dec.codec));
                }
                dec.compact();
                dec.buf.extend_from_slice(&rest[..take]);
                self.pos += take;
            }
        }
        let rest = self.input.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(None);
        }
        match whole(dec.codec.decode(rest)?, rest.len()) {
            Some((span, total)) => {
                let from = self.pos + span.header;
                self.pos += total;
                Ok(Some(Found::Input(from..from + span.body)))
            }
            // Drop will copy `rest`; a codec breaking its contract must not
            // make that exceed the bound.
            None if rest.len() >= dec.codec.max_encoded_len() => {
                Err(contract_broken(rest.len(), &dec.codec))
            }
            None => Ok(None),
        }
    }
}

/// A span the codec reported, with its total length, if it really is a whole
/// frame inside `available` bytes; anything else means "need more bytes",
/// which can neither loop forever nor read out of bounds.
fn whole(span: Option<FrameSpan>, available: usize) -> Option<(FrameSpan, usize)> {
    let span = span?;
    let total = span.len()?;
    (total > 0 && total <= available).then_some((span, total))
}

/// Only a codec that answers "need more" for a maximal frame gets here;
/// refusing keeps the memory bound instead of buffering forever.
fn contract_broken(size: usize, codec: &impl Codec) -> FrameError {
    FrameError::TooLarge {
        size: size as u64,
        max: codec.max_encoded_len() as u64,
    }
}

impl<C: Codec> Drop for Frames<'_, C> {
    fn drop(&mut self) {
        let dec = &mut *self.decoder;
        if dec.error.is_some() {
            return;
        }
        let rest = self.input.get(self.pos..).unwrap_or_default();
        if dec.start >= dec.buf.len() {
            dec.buf.clear();
            dec.start = 0;
        }
        if !rest.is_empty() {
            dec.compact();
            dec.buf.extend_from_slice(rest);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::framing::{Codec, Decoder, FixedCodec, FrameError, LengthPrefixedCodec, LineCodec};

    fn inside(frame: &[u8], region: &[u8]) -> bool {
        let range = region.as_ptr_range();
        let end = frame.as_ptr().wrapping_add(frame.len());
        range.start <= frame.as_ptr() && end <= range.end
    }

    fn framed(frames: &[&[u8]]) -> Vec<u8> {
        let codec = LengthPrefixedCodec::new();
        let mut wire = Vec::new();
        for frame in frames {
            codec.encode(frame, &mut wire).unwrap();
        }
        wire
    }

    #[test]
    fn whole_frames_borrow_the_input() {
        let wire = framed(&[b"abc", b"", b"defg"]);
        let mut decoder = Decoder::new(LengthPrefixedCodec::new());
        let mut frames = decoder.feed(&wire);
        let mut count = 0;
        while let Some(frame) = frames.next_frame() {
            assert!(inside(frame.unwrap(), &wire));
            count += 1;
        }
        drop(frames);
        assert_eq!(count, 3);
        assert_eq!(decoder.buffered(), 0);
        assert_eq!(decoder.buf.capacity(), 0, "nothing was copied");
    }

    #[test]
    fn completing_a_partial_frame_copies_only_the_missing_bytes() {
        let wire = framed(&[b"hello", b"world", b"!"]);
        let (first, second) = wire.split_at(6); // header + "he"
        let mut decoder = Decoder::new(LengthPrefixedCodec::new());
        decoder.feed_all(first, |_| panic!("incomplete")).unwrap();
        assert_eq!(decoder.buffered(), 6);

        let mut frames = decoder.feed(second);
        let hello = frames.next_frame().unwrap().unwrap();
        assert_eq!(hello, b"hello");
        assert!(!inside(hello, second), "completed in the decoder buffer");
        let world = frames.next_frame().unwrap().unwrap();
        assert_eq!(world, b"world");
        assert!(inside(world, second), "the rest is zero-copy again");
        assert!(inside(frames.next_frame().unwrap().unwrap(), second));
        assert_eq!(frames.next_frame(), None);
        drop(frames);
        assert!(
            decoder.buf.len() <= 9,
            "only header + body of one frame copied"
        );
    }

    #[test]
    fn line_completion_copies_through_the_delimiter_only() {
        let mut decoder = Decoder::new(LineCodec::new());
        decoder.feed_all(b"par", |_| panic!("incomplete")).unwrap();
        let second = b"tial\nnext\n";
        let mut frames = decoder.feed(second);
        let partial = frames.next_frame().unwrap().unwrap();
        assert_eq!(partial, b"partial");
        assert!(!inside(partial, second));
        let next = frames.next_frame().unwrap().unwrap();
        assert_eq!(next, b"next");
        assert!(inside(next, second));
    }

    #[test]
    fn pause_mid_chunk_keeps_the_rest() {
        let wire = framed(&[b"one", b"two", b"three"]);
        let (chunk, tail) = wire.split_at(wire.len() - 2);
        let mut decoder = Decoder::new(LengthPrefixedCodec::new());
        let mut frames = decoder.feed(chunk);
        assert_eq!(frames.next_frame(), Some(Ok(&b"one"[..])));
        drop(frames); // paused

        assert_eq!(decoder.buffered(), chunk.len() - 7);
        let mut frames = decoder.feed(&[]);
        let two = frames.next_frame().unwrap().unwrap();
        assert_eq!(two, b"two");
        assert!(!inside(two, chunk), "now served from the decoder buffer");
        drop(frames); // paused again, with nothing new

        let mut frames = decoder.feed(tail);
        assert_eq!(frames.next_frame(), Some(Ok(&b"three"[..])));
        assert_eq!(frames.next_frame(), None);
        drop(frames);
        assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn dropping_without_reading_keeps_everything() {
        let mut decoder = Decoder::new(FixedCodec::new(2).unwrap());
        drop(decoder.feed(b"abc"));
        drop(decoder.feed(b"d"));
        let mut got = Vec::new();
        decoder.feed_all(&[], |f| got.push(f.to_vec())).unwrap();
        assert_eq!(got, [b"ab".to_vec(), b"cd".to_vec()]);
    }

    #[test]
    fn errors_are_final_and_reported_once_per_feed() {
        let mut decoder = Decoder::new(LineCodec::new().with_max_frame_len(2));
        let mut frames = decoder.feed(b"ok\ntoo long\nfine\n");
        assert_eq!(frames.next_frame(), Some(Ok(&b"ok"[..])));
        let err = frames.next_frame().unwrap().unwrap_err();
        assert_eq!(err.code(), "ERR_FRAME_TOO_LARGE");
        assert_eq!(frames.next_frame(), None);
        drop(frames);
        assert_eq!(decoder.buffered(), 0);

        let mut frames = decoder.feed(b"more\n");
        assert_eq!(frames.next_frame(), Some(Err(err.clone())));
        assert_eq!(frames.next_frame(), None);
        drop(frames);
        assert_eq!(decoder.feed_all(b"x\n", |_| {}), Err(err));
        assert_eq!(decoder.buffered(), 0);
    }

    /// A codec that breaks its contract must not hang or panic the decoder.
    struct Liar;

    impl Codec for Liar {
        fn decode(&mut self, buf: &[u8]) -> Result<Option<crate::framing::FrameSpan>, FrameError> {
            Ok(Some(crate::framing::FrameSpan {
                header: 0,
                body: if buf.len().is_multiple_of(2) {
                    0
                } else {
                    usize::MAX
                },
                trailer: 0,
            }))
        }
        fn missing(&self, _partial: &[u8], _more: &[u8]) -> usize {
            0
        }
        fn max_encoded_len(&self) -> usize {
            4
        }
        fn encode(&self, _frame: &[u8], _out: &mut Vec<u8>) -> Result<(), FrameError> {
            Ok(())
        }
    }

    #[test]
    fn a_lying_codec_cannot_hang_or_overflow() {
        let mut decoder = Decoder::new(Liar);
        let result = decoder.feed_all(&[0; 64], |_| panic!("no frame is valid"));
        assert!(result.is_err());
        assert_eq!(decoder.buffered(), 0);
    }
}
