//! IP address helpers from Node's `net` module: [`net.isIP`],
//! [`net.isIPv4`], [`net.isIPv6`], [`net.SocketAddress`] and
//! [`net.BlockList`].
//!
//! The rules are Node v20's, checked against `node -e`:
//!
//! * [`is_ipv4`] / [`is_ipv6`] / [`is_ip`] reproduce the regular expressions
//!   in Node's `lib/internal/net.js`: dotted quads only (no leading zeros,
//!   no shorthand, no hex), IPv6 with `::` compression, an embedded dotted
//!   quad in the last 32 bits, and an optional zone id (`%` followed by
//!   letters, digits, `-`, `.` or `:`).
//! * [`SocketAddress`] and [`BlockList`] parse addresses the way Node's C++
//!   side does (libuv's `uv_inet_pton`), which differs slightly from the
//!   regexes: any zone id is accepted and dropped, and the text stops at
//!   the first NUL. Addresses are printed the way libuv prints them
//!   (`::ffff:1.2.3.4`, `::1.2.3.4`, longest run of zero groups
//!   compressed, the first one on a tie).
//! * A [`BlockList`] treats IPv4 addresses and IPv4-mapped IPv6 addresses
//!   (`::ffff:a.b.c.d`) as the same host, for addresses, ranges and
//!   subnets alike.
//!
//! Errors carry Node's error codes ([`IpError::code`]) and messages.
//!
//! [`net.isIP`]: https://nodejs.org/docs/latest-v20.x/api/net.html#netisipinput
//! [`net.isIPv4`]: https://nodejs.org/docs/latest-v20.x/api/net.html#netisipv4input
//! [`net.isIPv6`]: https://nodejs.org/docs/latest-v20.x/api/net.html#netisipv6input
//! [`net.SocketAddress`]: https://nodejs.org/docs/latest-v20.x/api/net.html#class-netsocketaddress
//! [`net.BlockList`]: https://nodejs.org/docs/latest-v20.x/api/net.html#class-netblocklist

use std::cmp::Ordering;
use std::error::Error;
use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
use std::str::FromStr;

/// Node's `net.isIPv4(input)`: `true` for a dotted quad such as `1.2.3.4`.
///
/// Each of the four parts is 0-255 written without leading zeros; nothing
/// else (no surrounding space, no trailing newline) is allowed.
///
/// ```
/// use nodenet::ip::is_ipv4;
///
/// assert!(is_ipv4("127.0.0.1"));
/// assert!(!is_ipv4("127.000.0.1"));
/// assert!(!is_ipv4("127.1"));
/// assert!(!is_ipv4("256.0.0.1"));
/// ```
pub fn is_ipv4(input: &str) -> bool {
    parse_dotted_quad(input.as_bytes()).is_some()
}

/// Node's `net.isIPv6(input)`: `true` for an IPv6 address in any of the
/// textual forms Node's regex accepts, optionally followed by a zone id.
///
/// ```
/// use nodenet::ip::is_ipv6;
///
/// assert!(is_ipv6("::1"));
/// assert!(is_ipv6("::ffff:1.2.3.4"));
/// assert!(is_ipv6("fe80::1%eth0"));
/// assert!(!is_ipv6("fe80::1%"));
/// assert!(!is_ipv6("1:2:3:4:5:6:7:8:9"));
/// ```
pub fn is_ipv6(input: &str) -> bool {
    let (addr, zone) = match input.find('%') {
        Some(i) => (&input[..i], Some(&input[i + 1..])),
        None => (input, None),
    };
    if let Some(zone) = zone {
        let zone_ok = !zone.is_empty()
            && zone
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'));
        if !zone_ok {
            return false;
        }
    }
    ipv6_regex_body(addr)
}

/// Node's `net.isIP(input)`: `4` for an IPv4 address, `6` for an IPv6
/// address, `0` otherwise.
///
/// ```
/// use nodenet::ip::is_ip;
///
/// assert_eq!(is_ip("10.0.0.1"), 4);
/// assert_eq!(is_ip("2001:db8::1"), 6);
/// assert_eq!(is_ip("localhost"), 0);
/// ```
pub fn is_ip(input: &str) -> u8 {
    if is_ipv4(input) {
        4
    } else if is_ipv6(input) {
        6
    } else {
        0
    }
}

fn is_hex_group(s: &str) -> bool {
    (1..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The part of Node's `IPv6Reg` before the zone. Its alternatives amount
/// to: eight groups; six groups and a dotted quad; or `k` groups, `::`,
/// and `m` groups with `k + m <= 7`, or `k + m <= 5` when a dotted quad
/// follows.
fn ipv6_regex_body(s: &str) -> bool {
    let Some(gap) = s.find("::") else {
        let mut parts = s.split(':');
        let mut groups = 0;
        let mut last = "";
        for part in &mut parts {
            if groups == 8 {
                return false;
            }
            last = part;
            groups += 1;
        }
        return match groups {
            8 => s.split(':').all(is_hex_group),
            7 => s.split(':').take(6).all(is_hex_group) && is_ipv4(last),
            _ => false,
        };
    };
    let (head, tail) = (&s[..gap], &s[gap + 2..]);
    let mut k = 0;
    if !head.is_empty() {
        for part in head.split(':') {
            if !is_hex_group(part) {
                return false;
            }
            k += 1;
        }
    }
    let mut m = 0;
    let mut quad = false;
    if !tail.is_empty() {
        let mut parts = tail.split(':').peekable();
        while let Some(part) = parts.next() {
            if is_hex_group(part) {
                m += 1;
            } else if parts.peek().is_none() && is_ipv4(part) {
                quad = true;
            } else {
                return false;
            }
        }
    }
    if quad {
        k + m <= 5
    } else {
        k + m <= 7
    }
}

/// libuv's `inet_pton4`, which is also what Node's `IPv4Reg` accepts.
fn parse_dotted_quad(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = 0;
    for part in s.split(|&b| b == b'.') {
        if parts == 4 || part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let mut v: u16 = 0;
        for &b in part {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u16::from(b - b'0');
        }
        out[parts] = u8::try_from(v).ok()?;
        parts += 1;
    }
    (parts == 4).then_some(out)
}

/// libuv's `inet_pton6` (no zone handling here).
fn parse_ipv6_text(src: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut gap: Option<usize> = None;
    let mut i = 0;
    if src.first() == Some(&b':') {
        if src.get(1) != Some(&b':') {
            return None;
        }
        i = 1;
    }
    let mut token_start = i;
    let mut digits = 0;
    let mut val: u16 = 0;
    while let Some(&ch) = src.get(i) {
        i += 1;
        if let Some(d) = char::from(ch).to_digit(16) {
            digits += 1;
            if digits > 4 {
                return None;
            }
            // Four hex digits at most, so this stays within u16.
            val = (val << 4) | d as u16;
            continue;
        }
        if ch == b':' {
            token_start = i;
            if digits == 0 {
                if gap.is_some() {
                    return None;
                }
                gap = Some(tp);
                continue;
            } else if i == src.len() {
                return None;
            }
            if tp + 2 > 16 {
                return None;
            }
            tmp[tp..tp + 2].copy_from_slice(&val.to_be_bytes());
            tp += 2;
            digits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            if let Some(quad) = parse_dotted_quad(&src[token_start..]) {
                tmp[tp..tp + 4].copy_from_slice(&quad);
                tp += 4;
                digits = 0;
                break;
            }
        }
        return None;
    }
    if digits > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp..tp + 2].copy_from_slice(&val.to_be_bytes());
        tp += 2;
    }
    if let Some(g) = gap {
        if tp == 16 {
            return None;
        }
        let n = tp - g;
        tmp.copy_within(g..tp, 16 - n);
        tmp[g..16 - n].fill(0);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

/// How Node's C++ `SocketAddress` reads an address (`uv_ip4_addr` /
/// `uv_ip6_addr`): the text ends at the first NUL (it is a C string), and
/// for IPv6 anything from the first `%` on is a zone id that is dropped,
/// the part before it being cut to 39 bytes as libuv does.
fn parse_uv(family: Family, text: &str) -> Option<IpAddr> {
    let bytes = text.as_bytes();
    let bytes = bytes.split(|&b| b == 0).next().unwrap_or(bytes);
    match family {
        Family::V4 => parse_dotted_quad(bytes).map(|o| IpAddr::V4(Ipv4Addr::from(o))),
        Family::V6 => {
            let addr = match bytes.iter().position(|&b| b == b'%') {
                Some(p) => &bytes[..p.min(39)],
                None => bytes,
            };
            parse_ipv6_text(addr).map(|o| IpAddr::V6(Ipv6Addr::from(o)))
        }
    }
}

/// Formats an address the way libuv's `uv_inet_ntop` does (which is what
/// Node shows in `socketAddress.address` and `blockList.rules`).
fn format_ip(ip: IpAddr) -> String {
    let v6 = match ip {
        IpAddr::V4(v4) => return v4.to_string(),
        IpAddr::V6(v6) => v6,
    };
    let words = v6.segments();
    // Longest run of zero words, first one on a tie, only if 2 or longer.
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut out = String::with_capacity(39);
    for (i, w) in words.iter().enumerate() {
        if best != usize::MAX && (best..best + best_len).contains(&i) {
            if i == best {
                out.push(':');
            }
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d)
        // addresses end in a dotted quad.
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            let o = v6.octets();
            let _ = write!(out, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            return out;
        }
        let _ = write!(out, "{w:x}");
    }
    if best != usize::MAX && best + best_len == 8 {
        out.push(':');
    }
    out
}

/// An address family, as Node spells it in `options.family`: `"ipv4"` or
/// `"ipv6"` (any letter case).
///
/// ```
/// use nodenet::ip::Family;
///
/// assert_eq!("IPv6".parse::<Family>().unwrap(), Family::V6);
/// assert_eq!(Family::V4.to_string(), "ipv4");
/// let err = "ipv5".parse::<Family>().unwrap_err();
/// assert_eq!(err.code(), "ERR_INVALID_ARG_VALUE");
/// assert_eq!(err.to_string(), "The property 'options.family' is invalid. Received 'ipv5'");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Family {
    /// IPv4 (`"ipv4"`). The default, as in Node.
    #[default]
    V4,
    /// IPv6 (`"ipv6"`).
    V6,
}

impl Family {
    /// Node's spelling: `"ipv4"` or `"ipv6"`.
    ///
    /// ```
    /// use nodenet::ip::Family;
    ///
    /// assert_eq!(Family::V6.name(), "ipv6");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
        }
    }

    /// The family of a `std` address.
    ///
    /// ```
    /// use nodenet::ip::Family;
    /// use std::net::{IpAddr, Ipv6Addr};
    ///
    /// assert_eq!(Family::of(IpAddr::V6(Ipv6Addr::LOCALHOST)), Family::V6);
    /// ```
    pub fn of(ip: IpAddr) -> Family {
        match ip {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Family {
    type Err = IpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("ipv4") {
            Ok(Family::V4)
        } else if s.eq_ignore_ascii_case("ipv6") {
            Ok(Family::V6)
        } else {
            Err(IpError::invalid_arg_value(
                "options.family",
                &inspect_str(s),
                "is invalid",
            ))
        }
    }
}

/// An error from this module, with Node's error code and message.
///
/// Codes: `ERR_INVALID_ADDRESS` (text that is not an address of the given
/// family), `ERR_INVALID_ARG_VALUE` (bad family, range start after its
/// end), `ERR_SOCKET_BAD_PORT`, `ERR_OUT_OF_RANGE` (flow label, prefix).
///
/// ```
/// use nodenet::ip::{SocketAddress, SocketAddressOptions};
///
/// let err = SocketAddress::new(SocketAddressOptions {
///     address: Some("1.2.3.400".into()),
///     ..Default::default()
/// })
/// .unwrap_err();
/// assert_eq!(err.code(), "ERR_INVALID_ADDRESS");
/// assert_eq!(err.to_string(), "Invalid socket address");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpError {
    code: &'static str,
    message: String,
}

impl IpError {
    /// Node's error code, e.g. `"ERR_INVALID_ADDRESS"`.
    ///
    /// ```
    /// use nodenet::ip::{BlockList, Family};
    ///
    /// let mut list = BlockList::new();
    /// let err = list.add_subnet("10.0.0.0", 33, Family::V4).unwrap_err();
    /// assert_eq!(err.code(), "ERR_OUT_OF_RANGE");
    /// ```
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Node's error message (also what `Display` prints).
    ///
    /// ```
    /// use nodenet::ip::{BlockList, Family};
    ///
    /// let mut list = BlockList::new();
    /// let err = list.add_subnet("10.0.0.0", 33, Family::V4).unwrap_err();
    /// assert_eq!(
    ///     err.message(),
    ///     "The value of \"prefix\" is out of range. It must be >= 0 && <= 32. Received 33"
    /// );
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    fn invalid_address() -> Self {
        IpError {
            code: "ERR_INVALID_ADDRESS",
            message: "Invalid socket address".to_owned(),
        }
    }

    fn invalid_arg_value(name: &str, inspected: &str, reason: &str) -> Self {
        // Node cuts the inspected value at 128 UTF-16 units; counting
        // chars is the same for everything outside the astral planes.
        let mut shown: String = inspected.chars().take(128).collect();
        if shown.len() < inspected.len() {
            shown.push_str("...");
        }
        let kind = if name.contains('.') {
            "property"
        } else {
            "argument"
        };
        IpError {
            code: "ERR_INVALID_ARG_VALUE",
            message: format!("The {kind} '{name}' {reason}. Received {shown}"),
        }
    }

    fn out_of_range(name: &str, range: &str, value: i64) -> Self {
        let received = if value.unsigned_abs() > 1 << 32 {
            numeric_separators(&value.to_string())
        } else {
            value.to_string()
        };
        IpError {
            code: "ERR_OUT_OF_RANGE",
            message: format!(
                "The value of \"{name}\" is out of range. It must be {range}. Received {received}"
            ),
        }
    }
}

impl fmt::Display for IpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for IpError {}

/// Node's `addNumericalSeparator`: `4294967297` -> `4_294_967_297`.
fn numeric_separators(digits: &str) -> String {
    let start = usize::from(digits.starts_with('-'));
    let mut i = digits.len();
    let mut rest = String::new();
    while i >= start + 4 {
        rest = format!("_{}{rest}", &digits[i - 3..i]);
        i -= 3;
    }
    format!("{}{rest}", &digits[..i])
}

/// `util.inspect` of a string: single quotes unless the text contains
/// one, control characters escaped.
fn inspect_str(s: &str) -> String {
    let quote = if !s.contains('\'') {
        '\''
    } else if !s.contains('"') {
        '"'
    } else if !s.contains('`') && !s.contains("${") {
        '`'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c < ' ' || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

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
    ip: IpAddr,
    port: u16,
    flowlabel: u32,
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
    fn inspect(&self) -> String {
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
fn parse_url_authority(input: &str) -> Option<(IpAddr, u16)> {
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
fn whatwg_ipv4_host(host: &str) -> Option<Ipv4Addr> {
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
fn whatwg_ipv4_number(part: &str) -> Option<u64> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Address(IpAddr),
    Range(IpAddr, IpAddr),
    Subnet(IpAddr, u8),
}

/// The IPv4 address inside an IPv4-mapped IPv6 address.
fn unmap(v6: Ipv6Addr) -> Option<[u8; 4]> {
    let o = v6.octets();
    (o[..10] == [0; 10] && o[10..12] == [0xff, 0xff]).then(|| [o[12], o[13], o[14], o[15]])
}

/// Node's `SocketAddress::compare`: mixed families compare only when the
/// IPv6 side is IPv4-mapped.
fn compare(a: IpAddr, b: IpAddr) -> Option<Ordering> {
    match (a, b) {
        (IpAddr::V4(x), IpAddr::V4(y)) => Some(x.cmp(&y)),
        (IpAddr::V6(x), IpAddr::V6(y)) => Some(x.cmp(&y)),
        (IpAddr::V4(x), IpAddr::V6(y)) => unmap(y).map(|y| x.octets().cmp(&y)),
        (IpAddr::V6(x), IpAddr::V4(y)) => unmap(x).map(|x| x.cmp(&y.octets())),
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u32) -> bool {
    let full = (bits / 8) as usize;
    let rem = bits % 8;
    if a[..full] != b[..full] {
        return false;
    }
    if rem == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rem);
    (a[full] & mask) == (b[full] & mask)
}

/// Node's `SocketAddress::is_in_network`.
fn in_subnet(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    let bits = u32::from(prefix);
    match (ip, net) {
        (IpAddr::V4(x), IpAddr::V4(n)) => prefix_eq(&x.octets(), &n.octets(), bits),
        (IpAddr::V6(x), IpAddr::V6(n)) => prefix_eq(&x.octets(), &n.octets(), bits),
        (IpAddr::V4(x), IpAddr::V6(n)) => {
            prefix_eq(&x.to_ipv6_mapped().octets(), &n.octets(), bits)
        }
        (IpAddr::V6(x), IpAddr::V4(n)) => {
            unmap(x).is_some_and(|x| prefix_eq(&x, &n.octets(), bits))
        }
    }
}

impl Rule {
    fn applies(&self, ip: IpAddr) -> bool {
        match *self {
            Rule::Address(a) => compare(a, ip) == Some(Ordering::Equal),
            Rule::Range(start, end) => {
                matches!(
                    compare(ip, start),
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(compare(ip, end), Some(Ordering::Less | Ordering::Equal))
            }
            Rule::Subnet(net, prefix) => in_subnet(ip, net, prefix),
        }
    }

    fn describe(&self) -> String {
        match *self {
            Rule::Address(a) => format!("Address: {} {}", Family::of(a).label(), format_ip(a)),
            Rule::Range(s, e) => format!(
                "Range: {} {}-{}",
                Family::of(s).label(),
                format_ip(s),
                format_ip(e)
            ),
            Rule::Subnet(n, p) => {
                format!("Subnet: {} {}/{p}", Family::of(n).label(), format_ip(n))
            }
        }
    }
}

/// Node's `net.BlockList`: a list of addresses, ranges and subnets to
/// check peers against.
///
/// IPv4 rules also match IPv4-mapped IPv6 addresses and the other way
/// round, as in Node.
///
/// ```
/// use nodenet::ip::{BlockList, Family};
///
/// let mut list = BlockList::new();
/// list.add_address("123.123.123.123", Family::V4).unwrap();
/// list.add_range("10.0.0.1", "10.0.0.10", Family::V4).unwrap();
/// list.add_subnet("8592:757c:efae:4e45::", 64, Family::V6).unwrap();
///
/// assert!(list.check("123.123.123.123", Family::V4));
/// assert!(list.check("10.0.0.3", Family::V4));
/// assert!(!list.check("222.111.111.222", Family::V4));
/// assert!(list.check("8592:757c:efae:4e45::f", Family::V6));
/// assert!(list.check("::ffff:7b7b:7b7b", Family::V6));
/// assert!(list.check("::ffff:123.123.123.123", Family::V6));
/// assert_eq!(
///     list.rules(),
///     [
///         "Subnet: IPv6 8592:757c:efae:4e45::/64",
///         "Range: IPv4 10.0.0.1-10.0.0.10",
///         "Address: IPv4 123.123.123.123",
///     ]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockList {
    /// Oldest first; Node lists and checks newest first.
    rules: Vec<Rule>,
}

impl BlockList {
    /// An empty list (`new net.BlockList()`).
    ///
    /// ```
    /// use nodenet::ip::BlockList;
    ///
    /// assert!(BlockList::new().rules().is_empty());
    /// ```
    pub fn new() -> Self {
        BlockList::default()
    }

    /// Blocks one address (`blockList.addAddress(address, family)`).
    /// Fails with `ERR_INVALID_ADDRESS` if `address` is not an address of
    /// `family`.
    ///
    /// ```
    /// use nodenet::ip::{BlockList, Family};
    ///
    /// let mut list = BlockList::new();
    /// list.add_address("::ffff:5.6.7.8", Family::V6).unwrap();
    /// assert!(list.check("5.6.7.8", Family::V4));
    /// assert_eq!(list.add_address("::1", Family::V4).unwrap_err().code(), "ERR_INVALID_ADDRESS");
    /// ```
    pub fn add_address(&mut self, address: &str, family: Family) -> Result<(), IpError> {
        let ip = parse_uv(family, address).ok_or_else(IpError::invalid_address)?;
        self.rules.push(Rule::Address(ip));
        Ok(())
    }

    /// Blocks every address from `start` to `end` inclusive
    /// (`blockList.addRange(start, end, family)`). Fails with
    /// `ERR_INVALID_ARG_VALUE` if `start` comes after `end`.
    ///
    /// ```
    /// use nodenet::ip::{BlockList, Family};
    ///
    /// let mut list = BlockList::new();
    /// list.add_range("10.0.0.1", "10.0.0.10", Family::V4).unwrap();
    /// assert!(list.check("10.0.0.10", Family::V4));
    /// let err = list.add_range("10.0.0.2", "10.0.0.1", Family::V4).unwrap_err();
    /// assert_eq!(err.code(), "ERR_INVALID_ARG_VALUE");
    /// assert_eq!(
    ///     err.to_string(),
    ///     "The argument 'start' must come before end. Received SocketAddress \
    ///      { address: '10.0.0.2', port: 0, family: 'ipv4', flowlabel: 0 }"
    /// );
    /// ```
    pub fn add_range(&mut self, start: &str, end: &str, family: Family) -> Result<(), IpError> {
        let s = parse_uv(family, start).ok_or_else(IpError::invalid_address)?;
        let e = parse_uv(family, end).ok_or_else(IpError::invalid_address)?;
        if compare(s, e) == Some(Ordering::Greater) {
            let shown = SocketAddress {
                ip: s,
                port: 0,
                flowlabel: 0,
            }
            .inspect();
            return Err(IpError::invalid_arg_value(
                "start",
                &shown,
                "must come before end",
            ));
        }
        self.rules.push(Rule::Range(s, e));
        Ok(())
    }

    /// Blocks a network given as an address and a prefix length
    /// (`blockList.addSubnet(net, prefix, family)`). The prefix must be
    /// 0-32 for IPv4 and 0-128 for IPv6 (`ERR_OUT_OF_RANGE`).
    ///
    /// ```
    /// use nodenet::ip::{BlockList, Family};
    ///
    /// let mut list = BlockList::new();
    /// list.add_subnet("::ffff:0:0", 96, Family::V6).unwrap();
    /// // Every IPv4 address is inside ::ffff:0:0/96.
    /// assert!(list.check("1.2.3.4", Family::V4));
    /// assert!(!list.check("::1", Family::V6));
    /// assert_eq!(list.rules(), ["Subnet: IPv6 ::ffff:0.0.0.0/96"]);
    /// ```
    pub fn add_subnet(&mut self, net: &str, prefix: i64, family: Family) -> Result<(), IpError> {
        let ip = parse_uv(family, net).ok_or_else(IpError::invalid_address)?;
        let (max, range) = match family {
            Family::V4 => (32, ">= 0 && <= 32"),
            Family::V6 => (128, ">= 0 && <= 128"),
        };
        let prefix = u8::try_from(prefix)
            .ok()
            .filter(|&p| p <= max)
            .ok_or_else(|| IpError::out_of_range("prefix", range, prefix))?;
        self.rules.push(Rule::Subnet(ip, prefix));
        Ok(())
    }

    /// Whether `address` matches any rule (`blockList.check(address,
    /// family)`). Text that is not an address of `family` is simply not
    /// blocked, as in Node.
    ///
    /// ```
    /// use nodenet::ip::{BlockList, Family};
    ///
    /// let mut list = BlockList::new();
    /// list.add_subnet("192.168.0.0", 16, Family::V4).unwrap();
    /// assert!(list.check("192.168.4.4", Family::V4));
    /// assert!(list.check("::ffff:192.168.4.4", Family::V6));
    /// assert!(!list.check("192.168.4.4", Family::V6)); // not IPv6 text
    /// assert!(!list.check("bogus", Family::V4));
    /// ```
    pub fn check(&self, address: &str, family: Family) -> bool {
        parse_uv(family, address).is_some_and(|ip| self.check_ip(ip))
    }

    /// Whether an already parsed address matches any rule; handy for a
    /// peer address taken from an accepted connection.
    ///
    /// ```
    /// use nodenet::ip::{BlockList, Family};
    /// use std::net::{IpAddr, Ipv4Addr};
    ///
    /// let mut list = BlockList::new();
    /// list.add_address("10.0.0.1", Family::V4).unwrap();
    /// assert!(list.check_ip(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))));
    /// ```
    pub fn check_ip(&self, ip: IpAddr) -> bool {
        self.rules.iter().rev().any(|rule| rule.applies(ip))
    }

    /// The rules in Node's `blockList.rules` format, newest first:
    /// `Address: IPv4 1.2.3.4`, `Range: IPv4 1.0.0.0-2.0.0.0`,
    /// `Subnet: IPv6 2001:db8::/64`.
    ///
    /// ```
    /// use nodenet::ip::{BlockList, Family};
    ///
    /// let mut list = BlockList::new();
    /// list.add_address("1.1.1.1", Family::V4).unwrap();
    /// list.add_address("FE80::1%eth0", Family::V6).unwrap();
    /// assert_eq!(list.rules(), ["Address: IPv6 fe80::1", "Address: IPv4 1.1.1.1"]);
    /// ```
    pub fn rules(&self) -> Vec<String> {
        self.rules.iter().rev().map(Rule::describe).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(address: &str, family: Family) -> Result<String, &'static str> {
        SocketAddress::new(SocketAddressOptions {
            address: Some(address.to_owned()),
            family,
            ..Default::default()
        })
        .map(|a| a.address())
        .map_err(|e| e.code())
    }

    /// `[input, net.isIP(input), SocketAddress ipv4 .address, ipv6 .address]`
    /// from Node v20.20 (`None` = threw ERR_INVALID_ADDRESS).
    #[rustfmt::skip]
    const NODE_ADDRESSES: &[(&str, u8, Option<&str>, Option<&str>)] = &[
        ("1.2.3.4", 4, Some("1.2.3.4"), None),
        ("01.2.3.4", 0, None, None),
        ("1.2.3.04", 0, None, None),
        ("000.0.0.0", 0, None, None),
        ("256.1.1.1", 0, None, None),
        ("1.2.3", 0, None, None),
        ("1.2.3.4.5", 0, None, None),
        (" 1.2.3.4", 0, None, None),
        ("1.2.3.4\n", 0, None, None),
        ("1.2.3.4%x", 0, None, None),
        ("0x1.2.3.4", 0, None, None),
        ("1.2.3.4\0x", 0, Some("1.2.3.4"), None),
        ("::1\0abc", 0, None, Some("::1")),
        ("fe80::1%", 0, None, Some("fe80::1")),
        ("fe80::1%eth0%x", 0, None, Some("fe80::1")),
        ("fe80::1% x", 0, None, Some("fe80::1")),
        ("fe80::1%eth0", 6, None, Some("fe80::1")),
        ("::%1", 6, None, Some("::")),
        ("::1.2.3.4", 6, None, Some("::1.2.3.4")),
        ("::ffff:01.2.3.4", 0, None, None),
        ("::ffff:1.2.3", 0, None, None),
        ("1::2:3:4:5:6:7", 6, None, Some("1:0:2:3:4:5:6:7")),
        ("1:2:3:4:5:6:7::", 6, None, Some("1:2:3:4:5:6:7:0")),
        ("::1:2:3:4:5:6:7", 6, None, Some("0:1:2:3:4:5:6:7")),
        ("1:2:3:4:5:6:7:8:9", 0, None, None),
        ("00000::1", 0, None, None),
        ("0000::1", 6, None, Some("::1")),
        ("1:2:3:4:5:6:1.2.3.4", 6, None, Some("1:2:3:4:5:6:102:304")),
        ("1:2:3:4:5:6:7:1.2.3.4", 0, None, None),
        ("1:2:3:4:5:6::1.2.3.4", 0, None, None),
        (":1::2", 0, None, None),
        ("1::2:", 0, None, None),
        ("1:::2", 0, None, None),
        ("[::1]", 0, None, None),
        ("FE80::ABCD", 6, None, Some("fe80::abcd")),
        ("::0.0.0.1", 6, None, Some("::1")),
        ("::0.1.0.0", 6, None, Some("::0.1.0.0")),
        ("::1:2", 6, None, Some("::0.1.0.2")),
        ("::ffff:0:0", 6, None, Some("::ffff:0.0.0.0")),
        ("0:0:0:0:0:1:102:304", 6, None, Some("::1:102:304")),
        ("::1:0:0:0:0", 6, None, Some("0:0:0:1::")),
        ("1:0:0:2:0:0:0:3", 6, None, Some("1:0:0:2::3")),
        ("1:0:0:2:0:0:3:4", 6, None, Some("1::2:0:0:3:4")),
        ("1:0:2:0:3:0:4:0", 6, None, Some("1:0:2:0:3:0:4:0")),
        ("0::0", 6, None, Some("::")),
    ];

    #[test]
    fn addresses_match_node() {
        for &(input, ip, v4, v6) in NODE_ADDRESSES {
            assert_eq!(is_ip(input), ip, "isIP({input:?})");
            assert_eq!(sa(input, Family::V4).ok().as_deref(), v4, "ipv4 {input:?}");
            assert_eq!(sa(input, Family::V6).ok().as_deref(), v6, "ipv6 {input:?}");
        }
        assert!(is_ipv6("fe80::1%a-b.c:d"));
        assert!(!is_ipv6("fe80::1%a_b"));
    }

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
    fn family_errors_match_node() {
        let e = "x".repeat(140).parse::<Family>().unwrap_err();
        assert_eq!(
            e.message(),
            format!(
                "The property 'options.family' is invalid. Received '{}...",
                "x".repeat(127)
            )
        );
        let e = "a'b\n".parse::<Family>().unwrap_err();
        assert_eq!(
            e.message(),
            "The property 'options.family' is invalid. Received \"a'b\\n\""
        );
        assert_eq!(inspect_str("a\"b'c"), "`a\"b'c`");
        assert_eq!(inspect_str("a\u{0}\u{7f}\u{b}"), "'a\\x00\\x7F\\x0B'");
        assert_eq!("IPV4".parse::<Family>(), Ok(Family::V4));
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

    #[test]
    fn block_list_matches_node() {
        let mut b = BlockList::new();
        b.add_range("1.0.0.0", "2.0.0.0", Family::V4).unwrap();
        // Node v20 compares IPv4 numerically (1.0.1.0 is outside 1.0.0.0-1.0.0.255).
        let mut c = BlockList::new();
        c.add_range("1.0.0.0", "1.0.0.255", Family::V4).unwrap();
        assert!(!c.check("1.0.1.0", Family::V4));
        assert!(c.check("::ffff:1.0.0.7", Family::V6));
        assert!(!c.check("::1.0.0.7", Family::V6));
        for (a, f, want) in [
            ("1.5.0.0", Family::V4, true),
            ("1.2.3.4", Family::V4, true),
            ("0.0.0.1", Family::V4, false),
            ("3.0.0.0", Family::V4, false),
            ("::ffff:1.5.0.0", Family::V6, true),
        ] {
            assert_eq!(b.check(a, f), want, "{a}");
        }
        let subnet = |net: &str, p: i64, f: Family, probes: &[(&str, Family, bool)]| {
            let mut b = BlockList::new();
            b.add_subnet(net, p, f).unwrap();
            for &(a, fa, want) in probes {
                assert_eq!(b.check(a, fa), want, "{net}/{p} {a}");
            }
        };
        use Family::{V4, V6};
        subnet(
            "1.2.3.4",
            32,
            V4,
            &[("1.2.3.4", V4, true), ("5.6.7.8", V4, false)],
        );
        subnet(
            "1.2.3.4",
            0,
            V4,
            &[
                ("5.6.7.8", V4, true),
                ("::1", V6, false),
                ("::ffff:9.9.9.9", V6, true),
            ],
        );
        subnet(
            "1.2.3.4",
            31,
            V4,
            &[("1.2.3.5", V4, true), ("1.2.3.6", V4, false)],
        );
        subnet(
            "::ffff:1.2.3.0",
            120,
            V6,
            &[("1.2.3.4", V4, true), ("1.2.4.4", V4, false)],
        );
        subnet(
            "::ffff:1.2.3.4",
            128,
            V6,
            &[("1.2.3.4", V4, true), ("1.2.3.5", V4, false)],
        );
        subnet(
            "2001:db8::",
            64,
            V6,
            &[
                ("2001:db8::1", V6, true),
                ("2001:db8:0:1::1", V6, false),
                ("1.2.3.4", V4, false),
            ],
        );
        subnet(
            "2001:db8::",
            0,
            V6,
            &[("::", V6, true), ("1.2.3.4", V4, true)],
        );
        subnet(
            "2001:db8:8000::",
            33,
            V6,
            &[
                ("2001:db8:7000::1", V6, false),
                ("2001:db8:ffff::1", V6, true),
            ],
        );

        let mut o = BlockList::new();
        o.add_address("1.1.1.1", V4).unwrap();
        o.add_range("1.1.1.1", "1.1.1.2", V4).unwrap();
        o.add_subnet("1.1.1.0", 24, V4).unwrap();
        o.add_address("1.1.1.1", V4).unwrap();
        assert_eq!(
            o.rules(),
            [
                "Address: IPv4 1.1.1.1",
                "Subnet: IPv4 1.1.1.0/24",
                "Range: IPv4 1.1.1.1-1.1.1.2",
                "Address: IPv4 1.1.1.1"
            ]
        );
        let mut n = BlockList::new();
        for a in [
            "::1",
            "0:0:0:0:0:ffff:102:304",
            "2001:db8:0:0:1:0:0:1",
            "::1.2.3.4",
        ] {
            n.add_address(a, V6).unwrap();
        }
        assert_eq!(
            n.rules(),
            [
                "Address: IPv6 ::1.2.3.4",
                "Address: IPv6 2001:db8::1:0:0:1",
                "Address: IPv6 ::ffff:1.2.3.4",
                "Address: IPv6 ::1"
            ]
        );
        let e = n.add_subnet("::", -1, V6).unwrap_err();
        assert_eq!(
            e.message(),
            "The value of \"prefix\" is out of range. It must be >= 0 && <= 128. Received -1"
        );
        assert_eq!(
            n.add_subnet("::", 129, V6).unwrap_err().code(),
            "ERR_OUT_OF_RANGE"
        );
        assert_eq!(
            n.add_range("1.0.0.5", "::1", V4).unwrap_err().code(),
            "ERR_INVALID_ADDRESS"
        );
        assert!(n.add_range("1.2.3.4", "1.2.3.4", V4).is_ok());
    }

    #[test]
    fn numeric_separators_like_node() {
        assert_eq!(numeric_separators("4294967297"), "4_294_967_297");
        assert_eq!(numeric_separators("-4294967297"), "-4_294_967_297");
        assert_eq!(numeric_separators("123"), "123");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 512,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(7),
            ..Default::default()
        })]

        /// Nothing panics on any text, and whatever Node's parser accepts
        /// prints back as text it accepts again.
        #[test]
        fn never_panics(input in "[0-9a-fA-F:.%\\[\\]@/x ]{0,48}|\\PC{0,16}") {
            let _ = is_ip(&input);
            let _ = SocketAddress::parse(&input);
            let mut list = BlockList::new();
            for fam in [Family::V4, Family::V6] {
                if let Ok(a) = sa(&input, fam) {
                    proptest::prop_assert_eq!(sa(&a, fam), Ok(a.clone()));
                    proptest::prop_assert_eq!(is_ip(&a), if fam == Family::V4 { 4 } else { 6 });
                }
                let _ = list.add_address(&input, fam);
                let _ = list.add_range(&input, "::ffff", fam);
                let _ = list.add_subnet(&input, 7, fam);
                let _ = list.check(&input, fam);
            }
            let _ = list.rules();
        }
    }
}
