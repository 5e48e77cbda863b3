//! Frames of one constant size: fixed-layout records, sensor samples.

use super::{Codec, FrameError, FrameSpan};

/// Every frame is exactly `frame_len` bytes; nothing is added on the wire.
///
/// ```
/// use nodenet::framing::{Decoder, FixedCodec};
///
/// let mut decoder = Decoder::new(FixedCodec::new(3).expect("non-zero size"));
/// let mut records = Vec::new();
/// decoder.feed_all(b"abcd", |r| records.push(r.to_vec()))?;
/// decoder.feed_all(b"ef", |r| records.push(r.to_vec()))?;
/// assert_eq!(records, [b"abc".to_vec(), b"def".to_vec()]);
/// # Ok::<(), nodenet::framing::FrameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedCodec {
    frame_len: usize,
}

impl FixedCodec {
    /// Frames of `frame_len` bytes; `None` for 0, which would yield endless
    /// empty frames without consuming input.
    ///
    /// ```
    /// use nodenet::framing::FixedCodec;
    ///
    /// assert!(FixedCodec::new(8).is_some());
    /// assert!(FixedCodec::new(0).is_none());
    /// ```
    pub fn new(frame_len: usize) -> Option<Self> {
        (frame_len > 0).then_some(FixedCodec { frame_len })
    }

    /// The size of every frame.
    ///
    /// ```
    /// use nodenet::framing::FixedCodec;
    ///
    /// assert_eq!(FixedCodec::new(8).map(|c| c.frame_len()), Some(8));
    /// ```
    pub fn frame_len(&self) -> usize {
        self.frame_len
    }
}

impl Codec for FixedCodec {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<FrameSpan>, FrameError> {
        Ok((buf.len() >= self.frame_len).then_some(FrameSpan {
            header: 0,
            body: self.frame_len,
            trailer: 0,
        }))
    }

    fn missing(&self, partial: &[u8], _more: &[u8]) -> usize {
        self.frame_len.saturating_sub(partial.len())
    }

    fn max_encoded_len(&self) -> usize {
        self.frame_len
    }

    fn encode(&self, frame: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
        if frame.len() != self.frame_len {
            return Err(FrameError::WrongSize {
                size: frame.len(),
                expected: self.frame_len,
            });
        }
        out.extend_from_slice(frame);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::Decoder;

    #[test]
    fn splits_at_every_boundary() {
        let wire: Vec<u8> = (0..12).collect();
        for cut in 0..=wire.len() {
            let mut decoder = Decoder::new(FixedCodec::new(4).unwrap());
            let mut got = Vec::new();
            for chunk in [&wire[..cut], &wire[cut..]] {
                decoder.feed_all(chunk, |f| got.push(f.to_vec())).unwrap();
            }
            let expected: Vec<Vec<u8>> = wire.chunks(4).map(<[u8]>::to_vec).collect();
            assert_eq!(got, expected, "cut {cut}");
            assert_eq!(decoder.buffered(), 0);
        }
    }

    #[test]
    fn never_buffers_a_whole_frame() {
        let mut decoder = Decoder::new(FixedCodec::new(3).unwrap());
        decoder.feed_all(b"ab", |_| {}).unwrap();
        assert_eq!(decoder.buffered(), 2);
        decoder.feed_all(b"cde", |_| {}).unwrap();
        assert_eq!(decoder.buffered(), 2);
    }

    #[test]
    fn encode_checks_the_size() {
        let codec = FixedCodec::new(2).unwrap();
        let mut out = Vec::new();
        codec.encode(b"ab", &mut out).unwrap();
        let err = codec.encode(b"abc", &mut out).unwrap_err();
        assert_eq!(
            err,
            FrameError::WrongSize {
                size: 3,
                expected: 2
            }
        );
        assert_eq!(err.code(), "ERR_FRAME_INVALID_LENGTH");
        assert_eq!(out, b"ab");
    }
}
