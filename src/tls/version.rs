//! Node's `minVersion` / `maxVersion`: which TLS protocol versions a context offers.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A TLS protocol version, named as Node names it (`'TLSv1.2'`, `'TLSv1.3'`). TLS 1.0 and 1.1,
/// which Node can still be told to allow, are not offered: rustls does not implement them.
///
/// ```
/// use nodenet::tls::TlsVersion;
/// assert_eq!("TLSv1.3".parse::<TlsVersion>().unwrap(), TlsVersion::Tls13);
/// assert_eq!(TlsVersion::Tls12.to_string(), "TLSv1.2");
/// let err = "TLSv9".parse::<TlsVersion>().unwrap_err();
/// assert_eq!(err.code(), Some("ERR_TLS_INVALID_PROTOCOL_VERSION"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    /// `'TLSv1.2'`: Node's default `minVersion`.
    Tls12,
    /// `'TLSv1.3'`: Node's default `maxVersion`.
    Tls13,
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        })
    }
}

impl FromStr for TlsVersion {
    type Err = Error;

    fn from_str(name: &str) -> Result<TlsVersion, Error> {
        match name {
            "TLSv1.2" => Ok(TlsVersion::Tls12),
            "TLSv1.3" => Ok(TlsVersion::Tls13),
            _ => Err(Error::with_code(
                "ERR_TLS_INVALID_PROTOCOL_VERSION",
                format!("\"{name}\" is not a valid TLS protocol version"),
            )),
        }
    }
}

/// The versions a context offers, from Node's defaults (TLS 1.2 to 1.3) narrowed by the
/// options; empty when `min` is above `max`, which fails every handshake, as in Node.
pub(crate) fn offered(
    min: Option<TlsVersion>,
    max: Option<TlsVersion>,
) -> Vec<&'static rustls::SupportedProtocolVersion> {
    let min = min.unwrap_or(TlsVersion::Tls12);
    let max = max.unwrap_or(TlsVersion::Tls13);
    [
        (TlsVersion::Tls12, &rustls::version::TLS12),
        (TlsVersion::Tls13, &rustls::version::TLS13),
    ]
    .into_iter()
    .filter(|(version, _)| (min..=max).contains(version))
    .map(|(_, supported)| supported)
    .collect()
}
