//! Text decoding for byte streams: Node's [`string_decoder`] module
//! (`StringDecoder`) and `Buffer#toString(encoding)`.
//!
//! This is what backs `socket.set_encoding(...)`: once a socket has an
//! encoding, every chunk read from it goes through a [`StringDecoder`] so
//! that `data` handlers receive text in which no multi-byte character is
//! ever cut in half at a chunk boundary.
//!
//! Behaviour follows Node v20 byte for byte:
//!
//! * [`Encoding`] accepts the names Node's `normalizeEncoding` accepts
//!   (`utf8`, `utf-8`, `latin1`, `binary`, `ascii`, `hex`, `base64`,
//!   `base64url`, `ucs2`, `ucs-2`, `utf16le`, `utf-16le`; any letter case;
//!   the empty string means `utf8`), and rejects the rest with
//!   `ERR_UNKNOWN_ENCODING`.
//! * Invalid UTF-8 becomes U+FFFD exactly where V8 (and the WHATWG
//!   decoder) puts it: one replacement per *maximal subpart* of an
//!   ill-formed sequence.
//! * `ascii` clears the high bit of every byte (`0xE9` decodes as `i`),
//!   `latin1` maps every byte to the code point of the same value, `hex` is
//!   lower case, `base64` is padded and `base64url` is not.
//!
//! One unavoidable difference: JavaScript strings may hold unpaired UTF-16
//! surrogates, Rust strings may not. For `utf16le` this decoder holds a
//! high surrogate back until the next chunk shows whether a low surrogate
//! follows (Node sometimes emits the two halves in separate strings), and an
//! unpaired surrogate becomes U+FFFD, which is what converting Node's
//! output to UTF-8 gives. The concatenation of all outputs is therefore
//! always exactly Node's concatenated output converted to UTF-8.
//!
//! [`string_decoder`]: https://nodejs.org/docs/latest-v20.x/api/string_decoder.html

use std::error::Error;
use std::fmt;
use std::str::FromStr;

const REPLACEMENT: char = '\u{FFFD}';

/// A character encoding understood by Node's `Buffer#toString` and
/// `StringDecoder` (and so by `socket.setEncoding`).
///
/// ```
/// use nodenet::string_decoder::Encoding;
///
/// let enc: Encoding = "UTF-8".parse().unwrap();
/// assert_eq!(enc, Encoding::Utf8);
/// assert_eq!(enc.name(), "utf8");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// `utf8` (alias `utf-8`). The default, as in Node.
    #[default]
    Utf8,
    /// `utf16le` (aliases `utf-16le`, `ucs2`, `ucs-2`).
    Utf16Le,
    /// `latin1` (alias `binary`): every byte is the code point of that value.
    Latin1,
    /// `ascii`: the high bit of every byte is dropped, as Node does.
    Ascii,
    /// `base64`, padded with `=`.
    Base64,
    /// `base64url` (RFC 4648 §5 alphabet), without padding.
    Base64Url,
    /// `hex`, two lower-case digits per byte.
    Hex,
}

impl Encoding {
    /// Node's canonical name for the encoding, as `decoder.encoding`
    /// reports it (`"utf8"`, `"utf16le"`, `"latin1"`, `"ascii"`, `"base64"`,
    /// `"base64url"`, `"hex"`).
    ///
    /// ```
    /// use nodenet::string_decoder::Encoding;
    ///
    /// let enc: Encoding = "binary".parse().unwrap();
    /// assert_eq!(enc.name(), "latin1");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf8",
            Encoding::Utf16Le => "utf16le",
            Encoding::Latin1 => "latin1",
            Encoding::Ascii => "ascii",
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64url",
            Encoding::Hex => "hex",
        }
    }

    /// Decodes `bytes` in one go and appends the text to `out`, like
    /// `buf.toString(encoding)` in Node.
    ///
    /// Nothing is carried over: an incomplete trailing UTF-8 sequence becomes
    /// U+FFFD, an odd trailing byte in `utf16le` is dropped. Use a
    /// [`StringDecoder`] for data that arrives in chunks. Does not allocate
    /// when `out` already has room for the text.
    ///
    /// ```
    /// use nodenet::string_decoder::Encoding;
    ///
    /// let mut out = String::new();
    /// Encoding::Utf8.decode(b"caf\xC3\xA9 \xE2\x82", &mut out);
    /// assert_eq!(out, "caf\u{e9} \u{FFFD}");
    ///
    /// out.clear();
    /// Encoding::Base64.decode(&[0xfb, 0xff, 0xbf, 0x01], &mut out);
    /// assert_eq!(out, "+/+/AQ==");
    /// ```
    pub fn decode(self, bytes: &[u8], out: &mut String) {
        match self {
            Encoding::Utf8 => push_utf8_lossy(bytes, out),
            Encoding::Utf16Le => {
                let mut state = Utf16State::default();
                state.write(bytes, out);
                state.end(out);
            }
            Encoding::Latin1 => out.extend(bytes.iter().map(|&b| char::from(b))),
            Encoding::Ascii => out.extend(bytes.iter().map(|&b| char::from(b & 0x7f))),
            Encoding::Base64 => push_base64(bytes, BASE64_STD, true, out),
            Encoding::Base64Url => push_base64(bytes, BASE64_URL, false, out),
            Encoding::Hex => {
                for &b in bytes {
                    out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
                    out.push(char::from(HEX_DIGITS[usize::from(b & 0x0f)]));
                }
            }
        }
    }
}

impl fmt::Display for Encoding {
    /// Writes [`Encoding::name`].
    ///
    /// ```
    /// use nodenet::string_decoder::Encoding;
    ///
    /// assert_eq!(Encoding::Utf16Le.to_string(), "utf16le");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Encoding {
    type Err = UnknownEncodingError;

    /// Parses an encoding name the way Node's `normalizeEncoding` does:
    /// letter case is ignored and the empty string means `utf8`.
    ///
    /// ```
    /// use nodenet::string_decoder::Encoding;
    ///
    /// assert_eq!("ucs-2".parse::<Encoding>().unwrap(), Encoding::Utf16Le);
    /// assert_eq!("".parse::<Encoding>().unwrap(), Encoding::Utf8);
    /// let err = "utf-16".parse::<Encoding>().unwrap_err();
    /// assert_eq!(err.code(), "ERR_UNKNOWN_ENCODING");
    /// assert_eq!(err.to_string(), "Unknown encoding: utf-16");
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Node lower-cases with String#toLowerCase; ASCII folding is
        // equivalent because no non-ASCII character lower-cases to a
        // string equal to any accepted name.
        const NAMES: [(&str, Encoding); 13] = [
            ("", Encoding::Utf8),
            ("utf8", Encoding::Utf8),
            ("utf-8", Encoding::Utf8),
            ("ucs2", Encoding::Utf16Le),
            ("ucs-2", Encoding::Utf16Le),
            ("utf16le", Encoding::Utf16Le),
            ("utf-16le", Encoding::Utf16Le),
            ("latin1", Encoding::Latin1),
            ("binary", Encoding::Latin1),
            ("ascii", Encoding::Ascii),
            ("base64", Encoding::Base64),
            ("base64url", Encoding::Base64Url),
            ("hex", Encoding::Hex),
        ];
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
            .map(|&(_, enc)| enc)
            .ok_or_else(|| UnknownEncodingError { name: s.to_owned() })
    }
}

/// The error for an encoding name Node does not know
/// (`ERR_UNKNOWN_ENCODING`, a `TypeError` in Node).
///
/// ```
/// use nodenet::string_decoder::Encoding;
///
/// let err = "foo".parse::<Encoding>().unwrap_err();
/// assert_eq!(err.code(), "ERR_UNKNOWN_ENCODING");
/// assert_eq!(err.to_string(), "Unknown encoding: foo");
/// assert_eq!(err.name(), "foo");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEncodingError {
    name: String,
}

impl UnknownEncodingError {
    /// Node's error code: always `"ERR_UNKNOWN_ENCODING"`.
    ///
    /// ```
    /// # use nodenet::string_decoder::Encoding;
    /// assert_eq!("x".parse::<Encoding>().unwrap_err().code(), "ERR_UNKNOWN_ENCODING");
    /// ```
    pub fn code(&self) -> &'static str {
        "ERR_UNKNOWN_ENCODING"
    }

    /// The name that was not recognised, as given.
    ///
    /// ```
    /// # use nodenet::string_decoder::Encoding;
    /// assert_eq!("UTF7".parse::<Encoding>().unwrap_err().name(), "UTF7");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for UnknownEncodingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Unknown encoding: {}", self.name)
    }
}

impl Error for UnknownEncodingError {}

/// A streaming decoder: Node's `StringDecoder`.
///
/// Bytes that cannot be decoded yet (the start of a multi-byte UTF-8
/// character, an odd byte or a high surrogate in `utf16le`, the last one or
/// two bytes of a base64 group) are kept until the next
/// [`write`](StringDecoder::write) or [`end`](StringDecoder::end).
///
/// ```
/// use nodenet::string_decoder::{Encoding, StringDecoder};
///
/// let euro = "\u{20ac}".as_bytes(); // E2 82 AC
/// let mut dec = StringDecoder::new(Encoding::Utf8);
/// let mut out = String::new();
/// dec.write(&euro[..1], &mut out);
/// assert_eq!(out, "");
/// assert_eq!(dec.buffered(), 1);
/// dec.write(&euro[1..], &mut out);
/// assert_eq!(out, "\u{20ac}");
/// dec.end(&mut out);
/// assert_eq!(out, "\u{20ac}");
/// ```
#[derive(Debug, Clone)]
pub struct StringDecoder {
    encoding: Encoding,
    state: State,
}

#[derive(Debug, Clone)]
enum State {
    /// Node's native decoder state for UTF-8 and base64: the bytes of the
    /// incomplete character (or base64 group) and how many more it wants.
    Partial {
        buf: [u8; 4],
        buffered: u8,
        missing: u8,
    },
    Utf16(Utf16State),
    /// `latin1`, `ascii` and `hex` map each byte on its own.
    Stateless,
}

impl StringDecoder {
    /// Creates a decoder for `encoding`, like `new StringDecoder(encoding)`.
    ///
    /// ```
    /// use nodenet::string_decoder::{Encoding, StringDecoder};
    ///
    /// let dec = StringDecoder::new("latin1".parse().unwrap());
    /// assert_eq!(dec.encoding(), Encoding::Latin1);
    /// ```
    pub fn new(encoding: Encoding) -> Self {
        let state = match encoding {
            Encoding::Utf8 | Encoding::Base64 | Encoding::Base64Url => State::Partial {
                buf: [0; 4],
                buffered: 0,
                missing: 0,
            },
            Encoding::Utf16Le => State::Utf16(Utf16State::default()),
            Encoding::Latin1 | Encoding::Ascii | Encoding::Hex => State::Stateless,
        };
        StringDecoder { encoding, state }
    }

    /// The decoder's encoding (`decoder.encoding` in Node).
    ///
    /// ```
    /// use nodenet::string_decoder::{Encoding, StringDecoder};
    ///
    /// assert_eq!(StringDecoder::new(Encoding::Hex).encoding(), Encoding::Hex);
    /// ```
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// How many bytes are held back waiting for the rest of a character
    /// (Node's internal `kBufferedBytes`).
    ///
    /// ```
    /// use nodenet::string_decoder::{Encoding, StringDecoder};
    ///
    /// let mut dec = StringDecoder::new(Encoding::Base64);
    /// let mut out = String::new();
    /// dec.write(b"abcd", &mut out);
    /// assert_eq!((out.as_str(), dec.buffered()), ("YWJj", 1));
    /// ```
    pub fn buffered(&self) -> usize {
        match &self.state {
            State::Partial { buffered, .. } => usize::from(*buffered),
            State::Utf16(s) => s.buffered(),
            State::Stateless => 0,
        }
    }

    /// Decodes the next chunk and appends the text to `out`
    /// (`decoder.write(buf)`). Does not allocate when `out` has room.
    ///
    /// ```
    /// use nodenet::string_decoder::{Encoding, StringDecoder};
    ///
    /// let mut dec = StringDecoder::new(Encoding::Utf8);
    /// let mut out = String::new();
    /// dec.write(b"a\xF0\x9F", &mut out);
    /// dec.write(b"\x98\x80b", &mut out);
    /// assert_eq!(out, "a\u{1F600}b");
    /// ```
    pub fn write(&mut self, bytes: &[u8], out: &mut String) {
        match &mut self.state {
            State::Partial {
                buf,
                buffered,
                missing,
            } => {
                let mut p = Partial {
                    buf,
                    buffered,
                    missing,
                };
                if self.encoding == Encoding::Utf8 {
                    p.write_utf8(bytes, out);
                } else {
                    p.write_base64(self.encoding, bytes, out);
                }
            }
            State::Utf16(s) => s.write(bytes, out),
            State::Stateless => self.encoding.decode(bytes, out),
        }
    }

    /// Flushes whatever is held back and resets the decoder so it can be
    /// reused (`decoder.end()`).
    ///
    /// An incomplete UTF-8 sequence becomes U+FFFD, leftover base64 bytes
    /// are encoded (with padding for `base64`), and a lone odd `utf16le`
    /// byte is dropped, as in Node. To mirror `decoder.end(buf)`, call
    /// [`write`](StringDecoder::write) with `buf` first.
    ///
    /// ```
    /// use nodenet::string_decoder::{Encoding, StringDecoder};
    ///
    /// let mut dec = StringDecoder::new(Encoding::Utf8);
    /// let mut out = String::new();
    /// dec.write(b"ok\xE2\x82", &mut out);
    /// dec.end(&mut out);
    /// assert_eq!(out, "ok\u{FFFD}");
    /// assert_eq!(dec.buffered(), 0);
    /// ```
    pub fn end(&mut self, out: &mut String) {
        match &mut self.state {
            State::Partial {
                buf,
                buffered,
                missing,
            } => {
                let held = &buf[..usize::from(*buffered)];
                self.encoding.decode(held, out);
                *buffered = 0;
                *missing = 0;
            }
            State::Utf16(s) => s.end(out),
            State::Stateless => {}
        }
    }
}

/// Borrowed view of [`State::Partial`], so the algorithms below can be
/// written once with plain field access.
struct Partial<'a> {
    buf: &'a mut [u8; 4],
    buffered: &'a mut u8,
    missing: &'a mut u8,
}

impl Partial<'_> {
    /// Moves `bytes` (at most 4 minus what is held, guaranteed by callers)
    /// into the held buffer.
    fn hold(&mut self, bytes: &[u8]) {
        let start = usize::from(*self.buffered);
        let end = (start + bytes.len()).min(self.buf.len());
        self.buf[start..end].copy_from_slice(&bytes[..end - start]);
        // `end` is at most 4, so the narrowing is lossless.
        *self.buffered = end as u8;
    }

    /// Node's `StringDecoder::DecodeData` for UTF-8 (src/string_decoder.cc),
    /// step for step, so that each call returns exactly what Node's
    /// `write` returns.
    fn write_utf8(&mut self, mut data: &[u8], out: &mut String) {
        if *self.missing > 0 {
            let want = usize::from(*self.missing);
            // A byte that is not a continuation byte ends the incomplete
            // character early; it is flushed as it is (V8 then emits the
            // replacement) and the new byte starts afresh, exactly as a
            // one-shot decode would treat it.
            if let Some(i) = data.iter().take(want).position(|&b| b & 0xC0 != 0x80) {
                *self.missing = 0;
                self.hold(&data[..i]);
                data = &data[i..];
            }
            let found = data.len().min(usize::from(*self.missing));
            self.hold(&data[..found]);
            data = &data[found..];
            // `found` is at most `missing`, a u8.
            *self.missing -= found as u8;
            if *self.missing == 0 {
                push_utf8_lossy(&self.buf[..usize::from(*self.buffered)], out);
                *self.buffered = 0;
            }
        }
        if data.is_empty() {
            return;
        }
        let (keep, missing) = utf8_incomplete_tail(data);
        let (body, tail) = data.split_at(data.len() - keep);
        push_utf8_lossy(body, out);
        if keep > 0 {
            self.hold(tail);
            *self.missing = missing;
        }
    }

    /// Node's `DecodeData` for base64 and base64url: whole 3-byte groups
    /// are encoded at once, the remaining 1-2 bytes wait for the next write.
    fn write_base64(&mut self, enc: Encoding, mut data: &[u8], out: &mut String) {
        if *self.missing > 0 {
            let found = data.len().min(usize::from(*self.missing));
            self.hold(&data[..found]);
            data = &data[found..];
            *self.missing -= found as u8;
            if *self.missing == 0 {
                enc.decode(&self.buf[..usize::from(*self.buffered)], out);
                *self.buffered = 0;
            }
        }
        if data.is_empty() {
            return;
        }
        let keep = data.len() % 3;
        let (body, tail) = data.split_at(data.len() - keep);
        enc.decode(body, out);
        if keep > 0 {
            self.hold(tail);
            // keep is 1 or 2.
            *self.missing = 3 - keep as u8;
        }
    }
}

/// Node's backward scan for a character cut off at the end of a chunk:
/// returns how many trailing bytes to hold back and how many more bytes the
/// character still needs. Only a plausible prefix (a lead byte of a 2, 3 or
/// 4-byte form followed by fewer continuation bytes than it announces) is
/// held; anything else is left for the lossy decoder.
fn utf8_incomplete_tail(data: &[u8]) -> (usize, u8) {
    let Some(&last) = data.last() else {
        return (0, 0);
    };
    if last & 0x80 == 0 {
        return (0, 0);
    }
    let mut seen: u8 = 0;
    for (i, &b) in data.iter().enumerate().rev() {
        seen += 1;
        if b & 0xC0 == 0x80 {
            if seen >= 4 || i == 0 {
                return (0, 0);
            }
            continue;
        }
        let total = if b & 0xE0 == 0xC0 {
            2
        } else if b & 0xF0 == 0xE0 {
            3
        } else if b & 0xF8 == 0xF0 {
            4
        } else {
            return (0, 0);
        };
        if seen >= total {
            return (0, 0);
        }
        return (usize::from(seen), total - seen);
    }
    (0, 0)
}

/// Appends `bytes` decoded as UTF-8, one U+FFFD per maximal ill-formed
/// subpart; this is the substitution V8's `String::NewFromUtf8` performs.
fn push_utf8_lossy(bytes: &[u8], out: &mut String) {
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push(REPLACEMENT);
        }
    }
}

/// UTF-16LE decoding that never splits a surrogate pair across outputs:
/// an odd byte and a trailing high surrogate wait for the next chunk.
#[derive(Debug, Clone, Copy, Default)]
struct Utf16State {
    odd: Option<u8>,
    high: Option<u16>,
}

impl Utf16State {
    fn buffered(&self) -> usize {
        usize::from(self.odd.is_some()) + 2 * usize::from(self.high.is_some())
    }

    fn unit(&mut self, u: u16, out: &mut String) {
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                out.push(char::from_u32(c).unwrap_or(REPLACEMENT));
                return;
            }
            out.push(REPLACEMENT);
        }
        if (0xD800..0xDC00).contains(&u) {
            self.high = Some(u);
        } else {
            // Only a lone low surrogate fails here.
            out.push(char::from_u32(u32::from(u)).unwrap_or(REPLACEMENT));
        }
    }

    fn write(&mut self, mut data: &[u8], out: &mut String) {
        if let Some(lo) = self.odd {
            let Some((&hi, rest)) = data.split_first() else {
                return;
            };
            self.odd = None;
            self.unit(u16::from_le_bytes([lo, hi]), out);
            data = rest;
        }
        let mut pairs = data.chunks_exact(2);
        for pair in &mut pairs {
            self.unit(u16::from_le_bytes([pair[0], pair[1]]), out);
        }
        self.odd = pairs.remainder().first().copied();
    }

    fn end(&mut self, out: &mut String) {
        if self.high.take().is_some() {
            out.push(REPLACEMENT);
        }
        // Node drops a final odd byte rather than decoding it.
        self.odd = None;
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
const BASE64_STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn push_base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool, out: &mut String) {
    let sym = |v: u32| char::from(alphabet[(v & 0x3f) as usize]);
    let mut groups = bytes.chunks_exact(3);
    for g in &mut groups {
        let n = u32::from(g[0]) << 16 | u32::from(g[1]) << 8 | u32::from(g[2]);
        out.extend([sym(n >> 18), sym(n >> 12), sym(n >> 6), sym(n)]);
    }
    match *groups.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend([sym(n >> 18), sym(n >> 12)]);
            if pad {
                out.push_str("==");
            }
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend([sym(n >> 18), sym(n >> 12), sym(n >> 6)]);
            if pad {
                out.push('=');
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_shot(enc: Encoding, bytes: &[u8]) -> String {
        let mut s = String::new();
        enc.decode(bytes, &mut s);
        s
    }

    /// Each write's output and the end() output, separately.
    fn stream(enc: Encoding, chunks: &[&[u8]]) -> Vec<String> {
        let mut dec = StringDecoder::new(enc);
        let mut outs = Vec::new();
        for c in chunks {
            let mut s = String::new();
            dec.write(c, &mut s);
            outs.push(s);
        }
        let mut s = String::new();
        dec.end(&mut s);
        outs.push(s);
        outs
    }

    type Case = (
        Encoding,
        &'static [&'static [u8]],
        &'static [&'static str],
        &'static str,
    );

    /// Generated with Node v20.20 (`new StringDecoder(enc)`, one `write`
    /// per chunk, then `end()`; and `Buffer.concat(chunks).toString(enc)`).
    /// For utf16le, Node's per-write strings can hold unpaired surrogates,
    /// so the expectation is Node's concatenated output as UTF-8 (Node's
    /// per-write strings are in the trailing comments).
    #[rustfmt::skip]
    const NODE_CASES: &[Case] = &[
        (Encoding::Utf8, &[&[0xe2], &[0x82], &[0xac]], &["", "", "\u{20ac}", ""], "\u{20ac}"),
        (Encoding::Utf8, &[&[0xe2, 0x82], &[0xac, 0x41]], &["", "\u{20ac}A", ""], "\u{20ac}A"),
        (Encoding::Utf8, &[&[0xf0, 0x9f, 0x98], &[0x80]], &["", "\u{1f600}", ""], "\u{1f600}"),
        (Encoding::Utf8, &[&[0xe2, 0x82]], &["", "\u{fffd}"], "\u{fffd}"),
        (Encoding::Utf8, &[&[0xf0, 0x9f]], &["", "\u{fffd}"], "\u{fffd}"),
        (Encoding::Utf8, &[&[0xe2, 0x82], &[0x41]], &["", "\u{fffd}A", ""], "\u{fffd}A"),
        (Encoding::Utf8, &[&[0xe2], &[0x41, 0x42]], &["", "\u{fffd}AB", ""], "\u{fffd}AB"),
        (Encoding::Utf8, &[&[0xf0, 0x9f], &[0x98, 0x41]], &["", "\u{fffd}A", ""], "\u{fffd}A"),
        (Encoding::Utf8, &[&[0xc0, 0x80]], &["\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xc0], &[0x80]], &["", "\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xc1, 0xbf]], &["\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xe0, 0x80, 0x80]], &["\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xe0], &[0x80, 0x80]], &["", "\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xf0, 0x80, 0x80, 0x80]], &["\u{fffd}\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xed, 0xa0, 0x80]], &["\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xed], &[0xa0], &[0x80]], &["", "", "\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xed, 0x9f, 0xbf]], &["\u{d7ff}", ""], "\u{d7ff}"),
        (Encoding::Utf8, &[&[0xf4, 0x90, 0x80, 0x80]], &["\u{fffd}\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xf5, 0x80, 0x80, 0x80]], &["\u{fffd}\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xf5], &[0x80]], &["", "", "\u{fffd}\u{fffd}"], "\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xf8, 0x88, 0x80, 0x80, 0x80]], &["\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xff, 0xfe]], &["\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0x80, 0x80, 0x80]], &["\u{fffd}\u{fffd}\u{fffd}", ""], "\u{fffd}\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0x61, 0x80]], &["a\u{fffd}", ""], "a\u{fffd}"),
        (Encoding::Utf8, &[&[0xc3], &[], &[0xa9]], &["", "", "\u{e9}", ""], "\u{e9}"),
        (Encoding::Utf8, &[&[0xe2, 0x82, 0xac, 0x80]], &["\u{20ac}\u{fffd}", ""], "\u{20ac}\u{fffd}"),
        (Encoding::Utf8, &[&[0xe2], &[0x82, 0xe2, 0x82]], &["", "\u{fffd}", "\u{fffd}"], "\u{fffd}\u{fffd}"),
        (Encoding::Utf8, &[&[0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f]], &["\u{1f600}", "\u{fffd}"], "\u{1f600}\u{fffd}"),
        (Encoding::Utf8, &[&[0xe1, 0x80], &[0x80, 0x80]], &["", "\u{1000}\u{fffd}", ""], "\u{1000}\u{fffd}"),
        (Encoding::Utf16Le, &[&[0x61, 0x00, 0x62]], &["a"], "a"), // node per-write: ["a",""]
        (Encoding::Utf16Le, &[&[0x61], &[0x00]], &["a"], "a"), // node per-write: ["","a",""]
        (Encoding::Utf16Le, &[&[0x3d, 0xd8], &[0x00, 0xde]], &["\u{1f600}"], "\u{1f600}"), // node per-write: ["","😀",""]
        (Encoding::Utf16Le, &[&[0x3d], &[0xd8], &[0x00, 0xde]], &["\u{1f600}"], "\u{1f600}"), // node per-write: ["","\ud83d","\ude00",""]
        (Encoding::Utf16Le, &[&[0x3d, 0xd8, 0x00], &[0xde]], &["\u{1f600}"], "\u{1f600}"), // node per-write: ["\ud83d","\ude00",""]
        (Encoding::Utf16Le, &[&[0x3d, 0xd8]], &["\u{fffd}"], "\u{fffd}"), // node per-write: ["","\ud83d"]
        (Encoding::Utf16Le, &[&[0x3d, 0xd8, 0x00]], &["\u{fffd}"], "\u{fffd}"), // node per-write: ["\ud83d",""]
        (Encoding::Utf16Le, &[&[0x00, 0xde, 0x61, 0x00]], &["\u{fffd}a"], "\u{fffd}a"), // node per-write: ["\ude00a",""]
        (Encoding::Utf16Le, &[&[0x3d, 0xd8, 0x61, 0x00]], &["\u{fffd}a"], "\u{fffd}a"), // node per-write: ["\ud83da",""]
        (Encoding::Base64, &[&[0x61], &[0x62], &[0x63, 0x64]], &["", "", "YWJj", "ZA=="], "YWJjZA=="),
        (Encoding::Base64, &[&[0x61, 0x62, 0x63, 0x64, 0x65]], &["YWJj", "ZGU="], "YWJjZGU="),
        (Encoding::Base64, &[&[0x61]], &["", "YQ=="], "YQ=="),
        (Encoding::Base64Url, &[&[0xfb, 0xff], &[0xbf, 0xfe]], &["", "-_-_", "_g"], "-_-__g"),
        (Encoding::Hex, &[&[0x00, 0xff], &[0x10]], &["00ff", "10", ""], "00ff10"),
        (Encoding::Latin1, &[&[0x41, 0xe9, 0xff]], &["A\u{e9}\u{ff}", ""], "A\u{e9}\u{ff}"),
        (Encoding::Ascii, &[&[0x41, 0xe9, 0xff, 0x80]], &["Ai\u{7f}\u{0}", ""], "Ai\u{7f}\u{0}"),
    ];

    #[test]
    fn matches_node_table() {
        for &(enc, chunks, want, want_one_shot) in NODE_CASES {
            let got = stream(enc, chunks);
            if enc == Encoding::Utf16Le {
                assert_eq!(got.concat(), want[0], "{enc} {chunks:x?}");
            } else {
                assert_eq!(got, want, "{enc} {chunks:x?}");
            }
            let all: Vec<u8> = chunks.concat();
            assert_eq!(one_shot(enc, &all), want_one_shot, "{enc} {chunks:x?}");
        }
    }

    #[test]
    fn utf16_never_splits_a_pair() {
        // Node returns "\ud83d" then "\ude00" here; a Rust string cannot
        // hold half a pair, so the high surrogate waits.
        let got = stream(Encoding::Utf16Le, &[&[0x3d], &[0xd8], &[0x00, 0xde]]);
        assert_eq!(got, ["", "", "\u{1F600}", ""]);
        let mut dec = StringDecoder::new(Encoding::Utf16Le);
        let mut out = String::new();
        dec.write(&[0x3d, 0xd8, 0x00], &mut out);
        assert_eq!((out.as_str(), dec.buffered()), ("", 3));
        dec.end(&mut out);
        assert_eq!((out.as_str(), dec.buffered()), ("\u{FFFD}", 0));
    }

    #[test]
    fn buffered_counts_like_node() {
        let mut dec = StringDecoder::new(Encoding::Utf8);
        let mut out = String::new();
        for (chunk, want) in [(&b"\xF0"[..], 1), (b"\x9F", 2), (b"\x98", 3), (b"\x80", 0)] {
            dec.write(chunk, &mut out);
            assert_eq!(dec.buffered(), want);
        }
        assert_eq!(out, "\u{1F600}");
        let mut b64 = StringDecoder::new(Encoding::Base64Url);
        b64.write(b"ab", &mut out);
        assert_eq!(b64.buffered(), 2);
        let hex = StringDecoder::new(Encoding::Hex);
        assert_eq!(hex.buffered(), 0);
    }

    #[test]
    fn decoder_is_reusable_after_end() {
        let mut dec = StringDecoder::new(Encoding::Utf8);
        let mut out = String::new();
        dec.write(b"\xE2\x82", &mut out);
        dec.end(&mut out);
        dec.write(b"\xAC", &mut out);
        dec.end(&mut out);
        assert_eq!(out, "\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn no_allocation_when_capacity_suffices() {
        let input: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        for enc in [
            Encoding::Utf8,
            Encoding::Utf16Le,
            Encoding::Latin1,
            Encoding::Ascii,
            Encoding::Base64,
            Encoding::Base64Url,
            Encoding::Hex,
        ] {
            let mut out = String::with_capacity(16 * 1024);
            let ptr = out.as_ptr();
            let mut dec = StringDecoder::new(enc);
            for chunk in input.chunks(7) {
                dec.write(chunk, &mut out);
            }
            dec.end(&mut out);
            enc.decode(&input, &mut out);
            assert_eq!(out.as_ptr(), ptr, "{enc} reallocated");
            assert_eq!(out.capacity(), 16 * 1024);
        }
    }

    #[test]
    fn encoding_names() {
        // Every spelling Node's normalizeEncoding accepts (checked against
        // `new StringDecoder(name).encoding` in Node v20).
        let ok = [
            ("", Encoding::Utf8),
            ("utf8", Encoding::Utf8),
            ("UTF8", Encoding::Utf8),
            ("Utf-8", Encoding::Utf8),
            ("uTf16Le", Encoding::Utf16Le),
            ("utf-16le", Encoding::Utf16Le),
            ("UCS-2", Encoding::Utf16Le),
            ("ucs2", Encoding::Utf16Le),
            ("Binary", Encoding::Latin1),
            ("LATIN1", Encoding::Latin1),
            ("ASCII", Encoding::Ascii),
            ("base64", Encoding::Base64),
            ("base64URL", Encoding::Base64Url),
            ("HEX", Encoding::Hex),
        ];
        for (name, enc) in ok {
            assert_eq!(name.parse::<Encoding>(), Ok(enc), "{name}");
            assert_eq!(enc.name().parse::<Encoding>(), Ok(enc));
        }
        for bad in [
            "utf-16", "utf16", "buffer", "latin-1", "utf 8", " utf8", "foo",
        ] {
            let err = bad.parse::<Encoding>().unwrap_err();
            assert_eq!(err.code(), "ERR_UNKNOWN_ENCODING");
            assert_eq!(err.to_string(), format!("Unknown encoding: {bad}"));
        }
    }
}
