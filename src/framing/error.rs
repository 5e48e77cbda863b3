//! The one error type every codec and the decoder report.

use std::fmt;

/// Why a frame could not be decoded or encoded.
///
/// Like a Node.js system error, every variant carries a stable
/// [`code`](FrameError::code) that callers can match on instead of parsing the
/// message.
///
/// ```
/// use nodenet::framing::FrameError;
///
/// let err = FrameError::TooLarge { size: 9_000_000, max: 8_388_608 };
/// assert_eq!(err.code(), "ERR_FRAME_TOO_LARGE");
/// assert_eq!(err.to_string(), "Frame of 9000000 bytes exceeds the maximum of 8388608");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// A frame is, or would become, larger than the codec allows.
    ///
    /// Code `ERR_FRAME_TOO_LARGE`.
    TooLarge {
        /// The size declared by a length header, or for delimited codecs the
        /// number of bytes seen without a delimiter when the decoder gave up
        /// (a lower bound: the peer may have sent more).
        size: u64,
        /// The largest frame body the codec accepts.
        max: u64,
    },
    /// A length header, once the length adjustment is applied, does not give
    /// a usable body length (negative, or beyond `u64`).
    ///
    /// Code `ERR_FRAME_INVALID_LENGTH`.
    InvalidLength {
        /// The header value: read from the wire when decoding, the value that
        /// would have to be written when encoding.
        header: i128,
        /// The codec's length adjustment.
        adjustment: i64,
    },
    /// A frame given to a fixed-size codec's encoder has the wrong size.
    ///
    /// Code `ERR_FRAME_INVALID_LENGTH`.
    WrongSize {
        /// The size of the frame that was given.
        size: usize,
        /// The codec's frame size.
        expected: usize,
    },
    /// A frame given to a line codec's encoder contains the delimiter, so the
    /// peer would see it as more than one frame.
    ///
    /// Code `ERR_FRAME_CONTAINS_DELIMITER`.
    ContainsDelimiter {
        /// Where, in the frame, the first delimiter starts.
        offset: usize,
    },
}

impl FrameError {
    /// The Node.js-style error code, stable across releases.
    ///
    /// ```
    /// use nodenet::framing::FrameError;
    ///
    /// let err = FrameError::InvalidLength { header: 2, adjustment: -4 };
    /// assert_eq!(err.code(), "ERR_FRAME_INVALID_LENGTH");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            FrameError::TooLarge { .. } => "ERR_FRAME_TOO_LARGE",
            FrameError::InvalidLength { .. } | FrameError::WrongSize { .. } => {
                "ERR_FRAME_INVALID_LENGTH"
            }
            FrameError::ContainsDelimiter { .. } => "ERR_FRAME_CONTAINS_DELIMITER",
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge { size, max } => {
                write!(f, "Frame of {size} bytes exceeds the maximum of {max}")
            }
            FrameError::InvalidLength { header, adjustment } => write!(
                f,
                "Frame length header {header} with length adjustment {adjustment} \
                 does not give a valid body length"
            ),
            FrameError::WrongSize { size, expected } => write!(
                f,
                "Frame of {size} bytes does not match the fixed frame size of {expected}"
            ),
            FrameError::ContainsDelimiter { offset } => {
                write!(f, "Frame contains the delimiter at offset {offset}")
            }
        }
    }
}

impl std::error::Error for FrameError {}

/// Lets a socket layer hand framing failures to code that speaks `io::Error`;
/// the kind is `InvalidData` because the peer sent (or the caller built) a
/// malformed stream, not because I/O failed.
///
/// ```
/// use nodenet::framing::FrameError;
///
/// let io: std::io::Error = FrameError::TooLarge { size: 10, max: 4 }.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
/// ```
impl From<FrameError> for std::io::Error {
    fn from(err: FrameError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        let cases = [
            (
                FrameError::TooLarge {
                    size: 9_000_000,
                    max: 8_388_608,
                },
                "ERR_FRAME_TOO_LARGE",
                "Frame of 9000000 bytes exceeds the maximum of 8388608",
            ),
            (
                FrameError::InvalidLength {
                    header: 1,
                    adjustment: -4,
                },
                "ERR_FRAME_INVALID_LENGTH",
                "Frame length header 1 with length adjustment -4 does not give a valid body length",
            ),
            (
                FrameError::WrongSize {
                    size: 3,
                    expected: 4,
                },
                "ERR_FRAME_INVALID_LENGTH",
                "Frame of 3 bytes does not match the fixed frame size of 4",
            ),
            (
                FrameError::ContainsDelimiter { offset: 2 },
                "ERR_FRAME_CONTAINS_DELIMITER",
                "Frame contains the delimiter at offset 2",
            ),
        ];
        for (err, code, msg) in cases {
            assert_eq!(err.code(), code);
            assert_eq!(err.to_string(), msg);
        }
    }

    #[test]
    fn io_error_keeps_the_source() {
        let io: std::io::Error = FrameError::ContainsDelimiter { offset: 0 }.into();
        let inner = io
            .get_ref()
            .and_then(|e| e.downcast_ref::<FrameError>())
            .cloned();
        assert_eq!(inner, Some(FrameError::ContainsDelimiter { offset: 0 }));
    }
}
