//! Message framing for byte streams ("sticky packets"). Node.js ships
//! nothing for this.
//!
//! TCP carries bytes, not messages: one `write` may arrive as two `'data'`
//! events, and two writes may arrive as one. A protocol therefore needs a
//! rule for where each message ends, and the reader must buffer partial
//! messages until the rest arrives. This module provides the common rules
//! as [`Codec`]s and one [`Decoder`] that does the buffering, handing out
//! frames without copying whenever a frame arrived in one piece.
//!
//! Which codec to pick:
//! - [`LineCodec`]: text protocols and JSON lines (`\n`, or
//!   [`LineCodec::crlf`] for HTTP/SMTP/Redis-style `\r\n`), or any
//!   delimiter that never occurs inside a message.
//! - [`LengthPrefixedCodec`]: binary messages that may contain any byte; a
//!   1/2/4/8-byte length header, either byte order.
//! - [`FixedCodec`]: every message has the same size.
//!
//! On a socket, wrap it in a [`Framed`]: a `'message'` event per frame and
//! a `send` that adds the header or delimiter (see `docs/framing.md`).
//!
//! Every codec has a maximum frame size (8 MiB by default for the first
//! two). A peer that exceeds it is reported as early as the bytes prove it,
//! with code `ERR_FRAME_TOO_LARGE`, and the decoder never buffers more than
//! one maximal frame of an incomplete message.
//!
//! ```
//! use nodenet::framing::{Codec, Decoder, LengthPrefixedCodec};
//!
//! let codec = LengthPrefixedCodec::new();
//! let mut wire = Vec::new();
//! codec.encode(b"first", &mut wire)?;
//! codec.encode(b"second", &mut wire)?;
//!
//! // The two writes arrive glued together and cut in the wrong place.
//! let (a, b) = wire.split_at(7);
//! let mut decoder = Decoder::new(codec);
//! let mut messages = Vec::new();
//! decoder.feed_all(a, |m| messages.push(m.to_vec()))?;
//! decoder.feed_all(b, |m| messages.push(m.to_vec()))?;
//! assert_eq!(messages, [b"first".to_vec(), b"second".to_vec()]);
//! # Ok::<(), nodenet::framing::FrameError>(())
//! ```

mod codec;
mod decoder;
mod error;
mod fixed;
mod framed;
mod frames;
mod length_prefixed;
mod lines;

pub use codec::{Codec, FrameSpan};
pub use decoder::Decoder;
pub use error::FrameError;
pub use fixed::FixedCodec;
pub use framed::{Framed, Message};
pub use frames::Frames;
pub use length_prefixed::{Endian, HeaderWidth, LengthPrefixedCodec};
pub use lines::LineCodec;

/// The default maximum frame size of [`LineCodec`] and
/// [`LengthPrefixedCodec`]: 8 MiB, large enough for real messages and small
/// enough that a hostile peer cannot make a connection hold much memory.
///
/// ```
/// use nodenet::framing::{LineCodec, DEFAULT_MAX_FRAME_LEN};
///
/// assert_eq!(LineCodec::new().max_frame_len(), DEFAULT_MAX_FRAME_LEN);
/// ```
pub const DEFAULT_MAX_FRAME_LEN: usize = 8 * 1024 * 1024;
