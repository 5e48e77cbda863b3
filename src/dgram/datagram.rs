//! What `send` takes as a message: Node's `msg` argument in all its forms (a buffer, a
//! string, a list of either sent as one datagram, or a buffer with an offset and a length).

use std::borrow::Cow;

use crate::chunk::Chunk;
use crate::error::Error;

/// A message [`send`](crate::dgram::Socket::send) can send as one datagram: bytes (`&[u8]`,
/// `Vec<u8>`, a [`Chunk`]), text (`&str`, `String`), a list of either (Node's array of
/// buffers, gathered by the kernel without a copy), or [`Slice`] (Node's `offset, length`).
///
/// ```
/// use nodenet::dgram::{Datagram, Slice};
/// assert_eq!("hi".bytes_total().unwrap(), 2);
/// assert_eq!((&[&b"ab"[..], &b"c"[..]][..]).bytes_total().unwrap(), 3);
/// assert_eq!(Slice(b"hello", 1, 3).bytes_total().unwrap(), 3);
/// assert_eq!(
///     Slice(b"abc", 4, 1).bytes_total().unwrap_err().code(),
///     Some("ERR_BUFFER_OUT_OF_BOUNDS")
/// );
/// ```
pub trait Datagram {
    /// The datagram's pieces, in order; an error for a [`Slice`] out of bounds.
    #[doc(hidden)]
    fn parts(&self) -> Result<Parts<'_>, Error>;

    /// The datagram's size in bytes.
    ///
    /// ```
    /// use nodenet::dgram::Datagram;
    /// assert_eq!(b"abc".bytes_total().unwrap(), 3);
    /// ```
    fn bytes_total(&self) -> Result<usize, Error> {
        Ok(match self.parts()? {
            Parts::One(bytes) => bytes.len(),
            Parts::Many(parts) => parts.iter().map(|part| part.len()).sum(),
        })
    }
}

/// A datagram's pieces: one slice (the usual case, which costs no allocation) or several.
#[doc(hidden)]
pub enum Parts<'a> {
    One(&'a [u8]),
    Many(Cow<'a, [&'a [u8]]>),
}

impl Parts<'_> {
    /// The pieces copied into one buffer, for a datagram that has to wait.
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        match self {
            Parts::One(bytes) => bytes.to_vec(),
            Parts::Many(parts) => parts.concat(),
        }
    }
}

/// Node's `send(buffer, offset, length, ...)`: `length` bytes of `buffer` from `offset`, with
/// Node's bounds checks (`ERR_BUFFER_OUT_OF_BOUNDS`).
///
/// ```
/// use nodenet::dgram::{Datagram, Slice};
/// assert_eq!(Slice(b"hello", 0, 5).bytes_total().unwrap(), 5);
/// let err = Slice(b"abc", 1, 3).bytes_total().unwrap_err();
/// assert_eq!(err.message(), "\"length\" is outside of buffer bounds");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Slice<'a>(pub &'a [u8], pub usize, pub usize);

impl Datagram for Slice<'_> {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        let Slice(buffer, offset, length) = *self;
        if offset > buffer.len() {
            return Err(super::errors::out_of_bounds("offset"));
        }
        if length > buffer.len() - offset {
            return Err(super::errors::out_of_bounds("length"));
        }
        Ok(Parts::One(&buffer[offset..offset + length]))
    }
}

macro_rules! one_part {
    ($($ty:ty),*) => {$(
        impl Datagram for $ty {
            fn parts(&self) -> Result<Parts<'_>, Error> {
                let bytes: &[u8] = self.as_ref();
                Ok(Parts::One(bytes))
            }
        }
    )*};
}

one_part!(str, String, Vec<u8>, [u8]);

impl<T: Datagram + ?Sized> Datagram for &T {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        (**self).parts()
    }
}

impl<const N: usize> Datagram for [u8; N] {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        Ok(Parts::One(&self[..]))
    }
}

impl Datagram for Chunk<'_> {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        Ok(Parts::One(self.as_bytes()))
    }
}

impl Datagram for [&[u8]] {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        Ok(Parts::Many(Cow::Borrowed(self)))
    }
}

impl<const N: usize> Datagram for [&[u8]; N] {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        Ok(Parts::Many(Cow::Borrowed(&self[..])))
    }
}

impl Datagram for Vec<&[u8]> {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        Ok(Parts::Many(Cow::Borrowed(&self[..])))
    }
}

impl Datagram for [&str] {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        Ok(Parts::Many(Cow::Owned(
            self.iter().map(|part| part.as_bytes()).collect(),
        )))
    }
}

impl<const N: usize> Datagram for [&str; N] {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        self[..].parts()
    }
}

impl Datagram for Vec<&str> {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        self[..].parts()
    }
}

impl Datagram for [Vec<u8>] {
    fn parts(&self) -> Result<Parts<'_>, Error> {
        Ok(Parts::Many(Cow::Owned(
            self.iter().map(|part| &part[..]).collect(),
        )))
    }
}
