//! `Chunk`: the bytes of one `'data'` event, Node's `Buffer` without the copy.

use std::fmt;
use std::ops::Deref;

/// The bytes of one `'data'` event, borrowed from the loop's read buffer.
///
/// Node hands `'data'` listeners a fresh `Buffer`; nodenet lends a view into the one buffer the
/// loop reads into, so a read costs no allocation. The view lives for the listener call: keep
/// the bytes with `to_vec()` if you need them later. `Display` decodes UTF-8 the way
/// `buffer.toString()` does (invalid sequences become U+FFFD), and `Debug` prints like Node's
/// `<Buffer 68 69>`.
///
/// ```
/// use nodenet::Chunk;
/// let chunk = Chunk::new(b"hi");
/// assert_eq!(chunk.to_string(), "hi");
/// assert_eq!(format!("{chunk:?}"), "<Buffer 68 69>");
/// assert_eq!(chunk.len(), 2);
/// assert_eq!(chunk.as_ref(), b"hi");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Chunk<'a> {
    bytes: &'a [u8],
}

impl<'a> Chunk<'a> {
    /// A chunk over some bytes; the loop makes these, but tests and codecs may too.
    ///
    /// ```
    /// assert_eq!(nodenet::Chunk::new(b"abc").len(), 3);
    /// ```
    pub fn new(bytes: &'a [u8]) -> Chunk<'a> {
        Chunk { bytes }
    }

    /// The bytes, for as long as the chunk's borrow lasts.
    ///
    /// ```
    /// assert_eq!(nodenet::Chunk::new(b"abc").as_bytes(), b"abc");
    /// ```
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes as text if they are valid UTF-8, without copying.
    ///
    /// ```
    /// assert_eq!(nodenet::Chunk::new(b"abc").as_str(), Some("abc"));
    /// assert_eq!(nodenet::Chunk::new(&[0xff]).as_str(), None);
    /// ```
    pub fn as_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes).ok()
    }
}

impl Deref for Chunk<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes
    }
}

impl AsRef<[u8]> for Chunk<'_> {
    fn as_ref(&self) -> &[u8] {
        self.bytes
    }
}

impl fmt::Display for Chunk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Lossy decoding borrows when the bytes are valid UTF-8, so printing a text chunk
        // allocates nothing.
        f.write_str(&String::from_utf8_lossy(self.bytes))
    }
}

impl fmt::Debug for Chunk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Node shows at most 50 bytes of a Buffer and counts the rest.
        const SHOWN: usize = 50;
        f.write_str("<Buffer")?;
        for byte in self.bytes.iter().take(SHOWN) {
            write!(f, " {byte:02x}")?;
        }
        if self.bytes.len() > SHOWN {
            write!(f, " ... {} more bytes", self.bytes.len() - SHOWN)?;
        }
        f.write_str(">")
    }
}
