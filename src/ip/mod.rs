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

mod block_list;
mod inet;
mod is_ip;
mod socket_address;

pub use self::block_list::BlockList;
use self::inet::*;
pub use self::is_ip::{is_ip, is_ipv4, is_ipv6};
pub use self::socket_address::{SocketAddress, SocketAddressOptions};

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
pub(super) fn numeric_separators(digits: &str) -> String {
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
pub(super) fn inspect_str(s: &str) -> String {
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
