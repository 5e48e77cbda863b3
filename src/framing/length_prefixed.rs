//! Frames preceded by a binary length header: most binary protocols.

use super::{Codec, FrameError, FrameSpan, DEFAULT_MAX_FRAME_LEN};

/// How many bytes the length header takes.
///
/// ```
/// use nodenet::framing::HeaderWidth;
///
/// assert_eq!(HeaderWidth::U16.bytes(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderWidth {
    /// One byte: bodies up to 255 bytes (before adjustment).
    U8,
    /// Two bytes.
    U16,
    /// Four bytes, the default.
    U32,
    /// Eight bytes.
    U64,
}

impl HeaderWidth {
    /// The header size in bytes: 1, 2, 4 or 8.
    ///
    /// ```
    /// use nodenet::framing::HeaderWidth;
    ///
    /// assert_eq!(HeaderWidth::U64.bytes(), 8);
    /// ```
    pub fn bytes(self) -> usize {
        match self {
            HeaderWidth::U8 => 1,
            HeaderWidth::U16 => 2,
            HeaderWidth::U32 => 4,
            HeaderWidth::U64 => 8,
        }
    }

    /// The largest value the header can hold.
    ///
    /// ```
    /// use nodenet::framing::HeaderWidth;
    ///
    /// assert_eq!(HeaderWidth::U16.max_value(), 65_535);
    /// ```
    pub fn max_value(self) -> u64 {
        match self {
            HeaderWidth::U8 => u8::MAX.into(),
            HeaderWidth::U16 => u16::MAX.into(),
            HeaderWidth::U32 => u32::MAX.into(),
            HeaderWidth::U64 => u64::MAX,
        }
    }
}

/// Byte order of the length header.
///
/// ```
/// use nodenet::framing::{Codec, Endian, HeaderWidth, LengthPrefixedCodec};
///
/// let codec = LengthPrefixedCodec::new()
///     .with_header_width(HeaderWidth::U16)
///     .with_endian(Endian::Little);
/// let mut out = Vec::new();
/// codec.encode(b"abc", &mut out)?;
/// assert_eq!(out, [3, 0, b'a', b'b', b'c']);
/// # Ok::<(), nodenet::framing::FrameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endian {
    /// Most significant byte first ("network order"), the default.
    Big,
    /// Least significant byte first.
    Little,
}

/// Frames preceded by a length header, returned without the header.
///
/// Body length = header value + `length_adjustment`. The default is a
/// 4-byte big-endian header counting only the body, with an 8 MiB limit.
/// An oversized or invalid length is reported from the header alone,
/// before any of the body is buffered.
///
/// ```
/// use nodenet::framing::{Codec, Decoder, LengthPrefixedCodec};
///
/// let codec = LengthPrefixedCodec::new();
/// let mut wire = Vec::new();
/// codec.encode(b"ping", &mut wire)?;
/// assert_eq!(wire, [0, 0, 0, 4, b'p', b'i', b'n', b'g']);
///
/// let mut decoder = Decoder::new(codec);
/// let mut frames = decoder.feed(&wire);
/// assert_eq!(frames.next_frame(), Some(Ok(&b"ping"[..])));
/// # Ok::<(), nodenet::framing::FrameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LengthPrefixedCodec {
    width: HeaderWidth,
    endian: Endian,
    adjustment: i64,
    max_frame_len: usize,
}

impl Default for LengthPrefixedCodec {
    /// Same as [`LengthPrefixedCodec::new`].
    ///
    /// ```
    /// use nodenet::framing::{HeaderWidth, LengthPrefixedCodec};
    ///
    /// assert_eq!(LengthPrefixedCodec::default().header_width(), HeaderWidth::U32);
    /// ```
    fn default() -> Self {
        LengthPrefixedCodec::new()
    }
}

impl LengthPrefixedCodec {
    /// A 4-byte big-endian header holding the body length; frames up to
    /// 8 MiB.
    ///
    /// ```
    /// use nodenet::framing::{Endian, LengthPrefixedCodec};
    ///
    /// let codec = LengthPrefixedCodec::new();
    /// assert_eq!(codec.endian(), Endian::Big);
    /// assert_eq!(codec.length_adjustment(), 0);
    /// ```
    pub fn new() -> Self {
        LengthPrefixedCodec {
            width: HeaderWidth::U32,
            endian: Endian::Big,
            adjustment: 0,
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
        }
    }

    /// Sets the header size.
    ///
    /// ```
    /// use nodenet::framing::{Codec, HeaderWidth, LengthPrefixedCodec};
    ///
    /// let codec = LengthPrefixedCodec::new().with_header_width(HeaderWidth::U8);
    /// let mut out = Vec::new();
    /// codec.encode(b"hi", &mut out)?;
    /// assert_eq!(out, [2, b'h', b'i']);
    /// # Ok::<(), nodenet::framing::FrameError>(())
    /// ```
    pub fn with_header_width(mut self, width: HeaderWidth) -> Self {
        self.width = width;
        self
    }

    /// Sets the header byte order.
    ///
    /// ```
    /// use nodenet::framing::{Endian, LengthPrefixedCodec};
    ///
    /// let codec = LengthPrefixedCodec::new().with_endian(Endian::Little);
    /// assert_eq!(codec.endian(), Endian::Little);
    /// ```
    pub fn with_endian(mut self, endian: Endian) -> Self {
        self.endian = endian;
        self
    }

    /// Sets what is added to the header value to get the body length: `-4`
    /// for a 4-byte header that counts itself, `-2` for a header that also
    /// counts a 2-byte trailer-less checksum, and so on.
    ///
    /// ```
    /// use nodenet::framing::{Codec, LengthPrefixedCodec};
    ///
    /// // The header counts itself.
    /// let codec = LengthPrefixedCodec::new().with_length_adjustment(-4);
    /// let mut out = Vec::new();
    /// codec.encode(b"ab", &mut out)?;
    /// assert_eq!(out, [0, 0, 0, 6, b'a', b'b']);
    /// # Ok::<(), nodenet::framing::FrameError>(())
    /// ```
    pub fn with_length_adjustment(mut self, adjustment: i64) -> Self {
        self.adjustment = adjustment;
        self
    }

    /// Sets the largest body accepted, in bytes, header excluded.
    ///
    /// ```
    /// use nodenet::framing::{Decoder, LengthPrefixedCodec};
    ///
    /// let mut decoder = Decoder::new(LengthPrefixedCodec::new().with_max_frame_len(1024));
    /// // Rejected from the header alone.
    /// let err = decoder.feed_all(&[0, 0, 4, 1], |_| {}).unwrap_err();
    /// assert_eq!(err.to_string(), "Frame of 1025 bytes exceeds the maximum of 1024");
    /// ```
    pub fn with_max_frame_len(mut self, max: usize) -> Self {
        self.max_frame_len = max;
        self
    }

    /// The header size.
    ///
    /// ```
    /// use nodenet::framing::{HeaderWidth, LengthPrefixedCodec};
    ///
    /// assert_eq!(LengthPrefixedCodec::new().header_width(), HeaderWidth::U32);
    /// ```
    pub fn header_width(&self) -> HeaderWidth {
        self.width
    }

    /// The header byte order.
    ///
    /// ```
    /// use nodenet::framing::{Endian, LengthPrefixedCodec};
    ///
    /// assert_eq!(LengthPrefixedCodec::new().endian(), Endian::Big);
    /// ```
    pub fn endian(&self) -> Endian {
        self.endian
    }

    /// What is added to the header value to get the body length.
    ///
    /// ```
    /// use nodenet::framing::LengthPrefixedCodec;
    ///
    /// assert_eq!(LengthPrefixedCodec::new().with_length_adjustment(-4).length_adjustment(), -4);
    /// ```
    pub fn length_adjustment(&self) -> i64 {
        self.adjustment
    }

    /// The largest body accepted, in bytes, header excluded.
    ///
    /// ```
    /// use nodenet::framing::LengthPrefixedCodec;
    ///
    /// assert_eq!(LengthPrefixedCodec::new().max_frame_len(), 8 * 1024 * 1024);
    /// ```
    pub fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// The body length a header announces, checked against the limits.
    fn body_len(&self, header: &[u8]) -> Result<usize, FrameError> {
        let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
        let value = match self.endian {
            Endian::Big => header.iter().fold(0, fold),
            Endian::Little => header.iter().rev().fold(0, fold),
        };
        let len = i128::from(value) + i128::from(self.adjustment);
        let invalid = || FrameError::InvalidLength {
            header: value.into(),
            adjustment: self.adjustment,
        };
        let len = u64::try_from(len).map_err(|_| invalid())?;
        if len > self.max_frame_len as u64 {
            return Err(FrameError::TooLarge {
                size: len,
                max: self.max_frame_len as u64,
            });
        }
        usize::try_from(len).map_err(|_| invalid())
    }
}

impl Codec for LengthPrefixedCodec {
    fn decode(&mut self, buf: &[u8]) -> Result<Option<FrameSpan>, FrameError> {
        let header = self.width.bytes();
        let Some(head) = buf.get(..header) else {
            return Ok(None);
        };
        let body = self.body_len(head)?;
        let span = FrameSpan {
            header,
            body,
            trailer: 0,
        };
        Ok(span
            .len()
            .is_some_and(|len| len <= buf.len())
            .then_some(span))
    }

    fn missing(&self, partial: &[u8], _more: &[u8]) -> usize {
        let header = self.width.bytes();
        match partial.get(..header) {
            // Just the header first: its value says how much body to take.
            None => header - partial.len(),
            Some(head) => self.body_len(head).map_or(1, |body| {
                header.saturating_add(body).saturating_sub(partial.len())
            }),
        }
    }

    fn max_encoded_len(&self) -> usize {
        self.width.bytes().saturating_add(self.max_frame_len)
    }

    fn encode(&self, frame: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
        let len = frame.len() as i128;
        let value = len - i128::from(self.adjustment);
        let Ok(value) = u64::try_from(value) else {
            return Err(FrameError::InvalidLength {
                header: value,
                adjustment: self.adjustment,
            });
        };
        // The header width may be a tighter limit than max_frame_len.
        if frame.len() > self.max_frame_len || value > self.width.max_value() {
            let by_header = i128::from(self.width.max_value()) + i128::from(self.adjustment);
            let max = by_header.clamp(0, self.max_frame_len as i128);
            return Err(FrameError::TooLarge {
                size: frame.len() as u64,
                max: max as u64,
            });
        }
        let bytes = value.to_be_bytes();
        let header = bytes.get(8 - self.width.bytes()..).unwrap_or_default();
        match self.endian {
            Endian::Big => out.extend_from_slice(header),
            Endian::Little => out.extend(header.iter().rev()),
        }
        out.extend_from_slice(frame);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::Decoder;

    const WIDTHS: [HeaderWidth; 4] = [
        HeaderWidth::U8,
        HeaderWidth::U16,
        HeaderWidth::U32,
        HeaderWidth::U64,
    ];

    fn decode_all(
        codec: LengthPrefixedCodec,
        chunks: &[&[u8]],
    ) -> Result<Vec<Vec<u8>>, FrameError> {
        let mut decoder = Decoder::new(codec);
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.feed_all(chunk, |f| out.push(f.to_vec()))?;
        }
        Ok(out)
    }

    #[test]
    fn header_bytes_for_every_width_and_order() {
        let cases: [(HeaderWidth, Endian, &[u8]); 8] = [
            (HeaderWidth::U8, Endian::Big, &[3]),
            (HeaderWidth::U8, Endian::Little, &[3]),
            (HeaderWidth::U16, Endian::Big, &[0, 3]),
            (HeaderWidth::U16, Endian::Little, &[3, 0]),
            (HeaderWidth::U32, Endian::Big, &[0, 0, 0, 3]),
            (HeaderWidth::U32, Endian::Little, &[3, 0, 0, 0]),
            (HeaderWidth::U64, Endian::Big, &[0, 0, 0, 0, 0, 0, 0, 3]),
            (HeaderWidth::U64, Endian::Little, &[3, 0, 0, 0, 0, 0, 0, 0]),
        ];
        for (width, endian, header) in cases {
            let codec = LengthPrefixedCodec::new()
                .with_header_width(width)
                .with_endian(endian);
            let mut out = Vec::new();
            codec.encode(b"abc", &mut out).unwrap();
            let mut expected = header.to_vec();
            expected.extend_from_slice(b"abc");
            assert_eq!(out, expected, "{width:?} {endian:?}");
            let got = decode_all(codec, &[&out, &out]).unwrap();
            assert_eq!(got, [b"abc".to_vec(), b"abc".to_vec()]);
        }
    }

    #[test]
    fn multi_byte_value_order() {
        let le = LengthPrefixedCodec::new().with_endian(Endian::Little);
        let mut wire = vec![0x02, 0x01, 0, 0];
        wire.extend(std::iter::repeat_n(7u8, 0x0102));
        let got = decode_all(le, &[&wire]).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].len(), 0x0102);
    }

    #[test]
    fn empty_frames() {
        for width in WIDTHS {
            let codec = LengthPrefixedCodec::new().with_header_width(width);
            let mut wire = Vec::new();
            codec.encode(b"", &mut wire).unwrap();
            codec.encode(b"", &mut wire).unwrap();
            assert_eq!(wire.len(), 2 * width.bytes());
            let got = decode_all(codec, &[&wire]).unwrap();
            assert_eq!(got, [Vec::<u8>::new(), Vec::new()]);
        }
    }

    #[test]
    fn adjustment_for_a_header_that_counts_itself() {
        let codec = LengthPrefixedCodec::new()
            .with_header_width(HeaderWidth::U16)
            .with_length_adjustment(-2);
        let got = decode_all(codec.clone(), &[&[0, 5, b'a', b'b', b'c', 0, 2]]).unwrap();
        assert_eq!(got, [b"abc".to_vec(), Vec::new()]);
        let err = decode_all(codec, &[&[0, 1]]).unwrap_err();
        assert_eq!(
            err,
            FrameError::InvalidLength {
                header: 1,
                adjustment: -2
            }
        );
        assert_eq!(err.code(), "ERR_FRAME_INVALID_LENGTH");
    }

    #[test]
    fn positive_adjustment_and_overflow() {
        let codec = LengthPrefixedCodec::new()
            .with_header_width(HeaderWidth::U64)
            .with_length_adjustment(1)
            .with_max_frame_len(usize::MAX);
        let err = decode_all(codec.clone(), &[&[0xff; 8]]).unwrap_err();
        assert_eq!(err.code(), "ERR_FRAME_INVALID_LENGTH");
        let mut out = Vec::new();
        let err = codec.encode(b"", &mut out).unwrap_err();
        assert_eq!(
            err,
            FrameError::InvalidLength {
                header: -1,
                adjustment: 1
            }
        );
        assert!(out.is_empty());
    }

    #[test]
    fn oversize_detected_from_the_header_alone() {
        let codec = LengthPrefixedCodec::new().with_max_frame_len(8_388_608);
        let mut decoder = Decoder::new(codec);
        let header = 9_000_000u32.to_be_bytes();
        decoder.feed_all(&header[..3], |_| {}).unwrap();
        let err = decoder.feed_all(&header[3..], |_| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Frame of 9000000 bytes exceeds the maximum of 8388608"
        );
        assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn max_frame_len_is_inclusive() {
        let codec = LengthPrefixedCodec::new()
            .with_header_width(HeaderWidth::U8)
            .with_max_frame_len(2);
        assert_eq!(
            decode_all(codec.clone(), &[&[2, 1, 2]]).unwrap(),
            [vec![1, 2]]
        );
        assert!(decode_all(codec.clone(), &[&[3]]).is_err());
        let mut out = Vec::new();
        assert_eq!(
            codec.encode(b"abc", &mut out),
            Err(FrameError::TooLarge { size: 3, max: 2 })
        );
    }

    #[test]
    fn encode_respects_the_header_capacity() {
        let codec = LengthPrefixedCodec::new().with_header_width(HeaderWidth::U8);
        let mut out = Vec::new();
        codec.encode(&[0; 255], &mut out).unwrap();
        assert_eq!(
            codec.encode(&[0; 256], &mut out),
            Err(FrameError::TooLarge {
                size: 256,
                max: 255
            })
        );
        let counts_itself = codec.with_length_adjustment(-1);
        assert_eq!(
            counts_itself.encode(&[0; 255], &mut out),
            Err(FrameError::TooLarge {
                size: 255,
                max: 254
            })
        );
        assert_eq!(out.len(), 256);
    }

    #[test]
    fn missing_asks_for_header_then_body() {
        let codec = LengthPrefixedCodec::new().with_header_width(HeaderWidth::U16);
        assert_eq!(codec.missing(&[], b"xxxxxx"), 2);
        assert_eq!(codec.missing(&[0], b"xxxxxx"), 1);
        assert_eq!(codec.missing(&[0, 3, 9], b"xxxxxx"), 2);
    }
}
