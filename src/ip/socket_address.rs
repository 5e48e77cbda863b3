//! Node's `net.SocketAddress`, with the WHATWG URL parsing its `parse` relies on.

use super::*;

/// Options for [`SocketAddress::new`], mirroring the object Node's
/// `new net.SocketAddress(options)` takes.
///
/// Port and flow label are wide signed integers so that out-of-range
/// values can be reported with Node's errors instead of being truncated.
///
/// ```
/// use nodenet::ip::{Family, SocketAddressOptions};
///
/// let opts = SocketAddressOptions { family: Family::V6, port: 443, ..Default::default() };
/// assert_eq!(opts.address, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocketAddressOptions {
    /// The address text; `None` means `127.0.0.1` for IPv4 and `::` for
    /// IPv6, as in Node.
    pub address: Option<String>,
    /// The port, 0 to 65535.
    pub port: i64,
    /// The address family; IPv4 by default.
    pub family: Family,
    /// The IPv6 flow label (ignored, and reported as 0, for IPv4).
    pub flowlabel: i64,
}

/// Node's `net.SocketAddress`: an IP address with a port, a family and an
/// IPv6 flow label.
///
/// ```
/// use nodenet::ip::{Family, SocketAddress, SocketAddressOptions};
///
/// let sa = SocketAddress::new(SocketAddressOptions {
///     address: Some("0:0:0:0:0:FFFF:7F00:1".into()),
///     port: 8080,
///     family: Family::V6,
///     flowlabel: 0,
/// })
/// .unwrap();
/// assert_eq!(sa.address(), "::ffff:127.0.0.1");
/// assert_eq!((sa.port(), sa.family(), sa.flowlabel()), (8080, Family::V6, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketAddress {
    pub(super) ip: IpAddr,
    pub(super) port: u16,
    pub(super) flowlabel: u32,
}

impl SocketAddress {
    /// Validates `options` like `new net.SocketAddress(options)`.
    ///
    /// Checks run in Node's order: port (`ERR_SOCKET_BAD_PORT`), flow label
    /// (`ERR_OUT_OF_RANGE`), then the address (`ERR_INVALID_ADDRESS`).
    ///
    /// ```
    /// use nodenet::ip::{SocketAddress, SocketAddressOptions};
    ///
    /// let sa = SocketAddress::new(SocketAddressOptions::default()).unwrap();
    /// assert_eq!((sa.address().as_str(), sa.port()), ("127.0.0.1", 0));
    ///
    /// let err = SocketAddress::new(SocketAddressOptions { port: 65536, ..Default::default() })
    ///     .unwrap_err();
    /// assert_eq!(err.code(), "ERR_SOCKET_BAD_PORT");
    /// assert_eq!(
    ///     err.to_string(),
    ///     "options.port should be >= 0 and < 65536. Received type number (65536)."
    /// );
    /// ```
    pub fn new(options: SocketAddressOptions) -> Result<Self, IpError> {
        let port = u16::try_from(options.port).map_err(|_| IpError {
            code: "ERR_SOCKET_BAD_PORT",
            message: format!(
                "options.port should be >= 0 and < 65536. Received type number ({}).",
                options.port
            ),
        })?;
        let flowlabel = u32::try_from(options.flowlabel).map_err(|_| {
            IpError::out_of_range(
                "options.flowlabel",
                ">= 0 && <= 4294967295",
                options.flowlabel,
            )
        })?;
        let family = options.family;
        let ip = match &options.address {
            Some(text) => parse_uv(family, text).ok_or_else(IpError::invalid_address)?,
            None => match family {
                Family::V4 => IpAddr::V4(Ipv4Addr::LOCALHOST),
                Family::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            },
        };
        let flowlabel = match family {
            Family::V4 => 0,
            // Node v20 aborts the process (a failed CHECK) on a flow label
            // that does not fit the 20-bit field; an error is kinder.
            Family::V6 if flowlabel > 0xF_FFFF => {
                return Err(IpError::out_of_range(
                    "options.flowlabel",
                    ">= 0 && <= 1048575",
                    options.flowlabel,
                ));
            }
            Family::V6 => flowlabel,
        };
        Ok(SocketAddress {
            ip,
            port,
            flowlabel,
        })
    }

    /// Parses `"host:port"` like `net.SocketAddress.parse(input)` (added
    /// in Node v22.13 / v23.4; Node v20 does not have it): the text is read
    /// as the authority of an `http://` URL, so `[::1]:80`, `1.2.3.4`,
    /// `user@1.2.3.4:8080/path` and WHATWG IPv4 shorthands such as
    /// `127.1` or `0x7f.0.0.1` are accepted. Returns `None` where Node
    /// returns `undefined` (host names, bad ports, zone ids).
    ///
    /// As in Node, port 80 (the `http` default, which the URL drops) and a
    /// missing port both give port 0.
    ///
    /// ```
    /// use nodenet::ip::{Family, SocketAddress};
    ///
    /// let sa = SocketAddress::parse("[::1]:8080").unwrap();
    /// assert_eq!((sa.address().as_str(), sa.port(), sa.family()), ("::1", 8080, Family::V6));
    /// assert_eq!(SocketAddress::parse("127.1:443").unwrap().address(), "127.0.0.1");
    /// assert_eq!(SocketAddress::parse("1.2.3.4:80").unwrap().port(), 0);
    /// assert!(SocketAddress::parse("localhost:80").is_none());
    /// ```
    pub fn parse(input: &str) -> Option<SocketAddress> {
        let (ip, port) = parse_url_authority(input)?;
        Some(SocketAddress {
            ip,
            port,
            flowlabel: 0,
        })
    }

    /// The address as Node prints it (libuv's `inet_ntop` form).
    ///
    /// ```
    /// use nodenet::ip::SocketAddress;
    /// use std::net::SocketAddr;
    ///
    /// let sa = SocketAddress::from("[2001:db8:0:0:1:0:0:1]:1".parse::<SocketAddr>().unwrap());
    /// assert_eq!(sa.address(), "2001:db8::1:0:0:1");
    /// ```
    pub fn address(&self) -> String {
        format_ip(self.ip)
    }

    /// The port.
    ///
    /// ```
    /// use nodenet::ip::SocketAddress;
    ///
    /// assert_eq!(SocketAddress::parse("10.0.0.1:53").unwrap().port(), 53);
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The family: [`Family::V4`] or [`Family::V6`].
    ///
    /// ```
    /// use nodenet::ip::{Family, SocketAddress};
    ///
    /// assert_eq!(SocketAddress::parse("[::]:1").unwrap().family(), Family::V6);
    /// ```
    pub fn family(&self) -> Family {
        Family::of(self.ip)
    }

    /// The IPv6 flow label; always 0 for IPv4.
    ///
    /// ```
    /// use nodenet::ip::{Family, SocketAddress, SocketAddressOptions};
    ///
    /// let sa = SocketAddress::new(SocketAddressOptions {
    ///     family: Family::V6,
    ///     flowlabel: 7,
    ///     ..Default::default()
    /// })
    /// .unwrap();
    /// assert_eq!(sa.flowlabel(), 7);
    /// ```
    pub fn flowlabel(&self) -> u32 {
        self.flowlabel
    }

    /// The address as a `std` value.
    ///
    /// ```
    /// use nodenet::ip::SocketAddress;
    /// use std::net::{IpAddr, Ipv4Addr};
    ///
    /// let sa = SocketAddress::parse("10.1.2.3:9").unwrap();
    /// assert_eq!(sa.ip(), IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3)));
    /// ```
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// Node's `util.inspect` form, used in error messages.
    pub(super) fn inspect(&self) -> String {
        format!(
            "SocketAddress {{ address: '{}', port: {}, family: '{}', flowlabel: {} }}",
            self.address(),
            self.port,
            self.family(),
            self.flowlabel
        )
    }
}

impl From<std::net::SocketAddr> for SocketAddress {
    /// Wraps a `std` socket address; an IPv6 flow label is kept.
    ///
    /// ```
    /// use nodenet::ip::SocketAddress;
    /// use std::net::SocketAddr;
    ///
    /// let sa = SocketAddress::from("127.0.0.1:80".parse::<SocketAddr>().unwrap());
    /// assert_eq!((sa.address().as_str(), sa.port()), ("127.0.0.1", 80));
    /// ```
    fn from(addr: std::net::SocketAddr) -> Self {
        let flowlabel = match addr {
            std::net::SocketAddr::V4(_) => 0,
            std::net::SocketAddr::V6(v6) => v6.flowinfo(),
        };
        SocketAddress {
            ip: addr.ip(),
            port: addr.port(),
            flowlabel,
        }
    }
}

impl From<SocketAddress> for std::net::SocketAddr {
    /// Converts back to a `std` socket address (scope id 0).
    ///
    /// ```
    /// use nodenet::ip::SocketAddress;
    /// use std::net::SocketAddr;
    ///
    /// let sa = SocketAddress::parse("[::1]:8080").unwrap();
    /// assert_eq!(SocketAddr::from(sa), "[::1]:8080".parse::<SocketAddr>().unwrap());
    /// ```
    fn from(sa: SocketAddress) -> Self {
        match sa.ip {
            IpAddr::V4(v4) => SocketAddrV4::new(v4, sa.port).into(),
            IpAddr::V6(v6) => SocketAddrV6::new(v6, sa.port, sa.flowlabel, 0).into(),
        }
    }
}

/// The part of WHATWG URL parsing that `SocketAddress.parse` relies on:
/// `http://{input}` and then its host and port.
pub(super) fn parse_url_authority(input: &str) -> Option<(IpAddr, u16)> {
    // The URL parser trims trailing C0 controls and spaces, then drops tabs
    // and newlines anywhere.
    let trimmed = input.trim_end_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    // Special schemes skip any further slashes before the authority.
    let rest = cleaned.trim_start_matches(['/', '\\']);
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let mut authority = &rest[..end];
    if let Some(at) = authority.rfind('@') {
        authority = &authority[at + 1..];
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let close = inner.find(']')?;
        let after = &inner[close + 1..];
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        let ip = Ipv6Addr::from(parse_ipv6_text(&inner.as_bytes()[..close])?);
        (IpAddr::V6(ip), port)
    } else {
        let (host, port) = match authority.find(':') {
            Some(i) => (&authority[..i], Some(&authority[i + 1..])),
            None => (authority, None),
        };
        (IpAddr::V4(whatwg_ipv4_host(host)?), port)
    };
    let port = match port {
        None | Some("") => 0,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
            let digits = p.trim_start_matches('0');
            if digits.len() > 5 {
                return None;
            }
            let n: u32 = if digits.is_empty() {
                0
            } else {
                digits.parse().ok()?
            };
            let n = u16::try_from(n).ok()?;
            // 80 is http's default port, which the URL leaves out.
            if n == 80 {
                0
            } else {
                n
            }
        }
        Some(_) => return None,
    };
    Some((host, port))
}

/// The WHATWG host parser for a host that must come out as an IPv4
/// address (anything else makes `SocketAddress.parse` fail). Only ASCII
/// hosts without percent-escapes are handled.
pub(super) fn whatwg_ipv4_host(host: &str) -> Option<Ipv4Addr> {
    if host.is_empty() || !host.is_ascii() || host.contains('%') {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let forbidden = |b: u8| {
        b <= b' '
            || b == 0x7f
            || matches!(
                b,
                b'#' | b'/' | b':' | b'<' | b'>' | b'?' | b'@' | b'[' | b'\\' | b']' | b'^' | b'|'
            )
    };
    if host.bytes().any(forbidden) {
        return None;
    }
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.last() == Some(&"") && parts.len() > 1 {
        parts.pop();
    }
    if parts.len() > 4 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut numbers = Vec::with_capacity(4);
    for part in &parts {
        numbers.push(whatwg_ipv4_number(part)?);
    }
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|&n| n > 255) {
        return None;
    }
    let limit = 1u64 << (8 * (5 - numbers.len()));
    if *last >= limit {
        return None;
    }
    let mut value = *last;
    for (i, n) in init.iter().enumerate() {
        value += n << (8 * (3 - i));
    }
    Some(Ipv4Addr::from(u32::try_from(value).ok()?))
}

/// WHATWG "IPv4 number parser": decimal, `0x` hex or leading-zero octal.
/// Values too large for any address saturate so the caller rejects them.
pub(super) fn whatwg_ipv4_number(part: &str) -> Option<u64> {
    let (digits, radix) = if let Some(hex) = part.strip_prefix("0x") {
        (hex, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    let mut value: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        value = value
            .saturating_mul(u64::from(radix))
            .saturating_add(u64::from(d));
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip::Family;

    #[test]
    fn socket_address_errors_match_node() {
        let new = |port, flowlabel, family| {
            SocketAddress::new(SocketAddressOptions {
                address: None,
                port,
                family,
                flowlabel,
            })
        };
        let e = new(-1, 0, Family::V6).unwrap_err();
        assert_eq!(
            (e.code(), e.message()),
            (
                "ERR_SOCKET_BAD_PORT",
                "options.port should be >= 0 and < 65536. Received type number (-1)."
            )
        );
        let e = new(0, 1 << 32, Family::V6).unwrap_err();
        assert_eq!(e.code(), "ERR_OUT_OF_RANGE");
        assert_eq!(
            e.message(),
            "The value of \"options.flowlabel\" is out of range. It must be >= 0 && <= 4294967295. Received 4294967296"
        );
        let e = new(0, (1 << 32) + 1, Family::V6).unwrap_err();
        assert!(e.message().ends_with("Received 4_294_967_297"), "{e}");
        let e = new(0, -1, Family::V4).unwrap_err();
        assert!(e.message().ends_with("Received -1"), "{e}");
        // IPv4 has no flow label: Node reports 0.
        assert_eq!(new(0, 5, Family::V4).unwrap().flowlabel(), 0);
        assert_eq!(new(0, 0xF_FFFF, Family::V6).unwrap().flowlabel(), 0xF_FFFF);
        assert_eq!(
            new(0, 0x10_0000, Family::V6).unwrap_err().code(),
            "ERR_OUT_OF_RANGE"
        );
        assert_eq!(new(0, 0, Family::V6).unwrap().address(), "::");
        assert_eq!(new(65535, 0, Family::V4).unwrap().address(), "127.0.0.1");
    }

    #[test]
    fn parse_matches_node_url_semantics() {
        // Expected values from `new URL('http://' + input)` + SocketAddress
        // in Node v20, which is how Node >= 22.13 implements parse().
        type Expected = Option<(&'static str, u16, Family)>;
        let cases: &[(&str, Expected)] = &[
            ("1.2.3.4:8080", Some(("1.2.3.4", 8080, Family::V4))),
            ("1.2.3.4:80", Some(("1.2.3.4", 0, Family::V4))),
            ("1.2.3.4:0080", Some(("1.2.3.4", 0, Family::V4))),
            ("1.2.3.4:", Some(("1.2.3.4", 0, Family::V4))),
            ("01", Some(("0.0.0.1", 0, Family::V4))),
            ("255.01.0.", Some(("255.1.0.0", 0, Family::V4))),
            ("/01/::#%eth012345:_", Some(("0.0.0.1", 0, Family::V4))),
            (
                "user@10.0.0.1:99/path?q#f",
                Some(("10.0.0.1", 99, Family::V4)),
            ),
            (
                "[::ffff:7f00:1]:443",
                Some(("::ffff:127.0.0.1", 443, Family::V6)),
            ),
            ("[fe80::1%25eth0]:1", None),
            ("1.2.3.4:65536", None),
            ("1.2.3.4:x", None),
            ("256.0.0.1", None),
            ("example.com:80", None),
            ("", None),
        ];
        for &(input, want) in cases {
            let got = SocketAddress::parse(input).map(|a| (a.address(), a.port(), a.family()));
            let want = want.map(|(a, p, f)| (a.to_owned(), p, f));
            assert_eq!(got, want, "{input:?}");
        }
    }
}
