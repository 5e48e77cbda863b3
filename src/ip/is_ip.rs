//! Node's `net.isIP`, `net.isIPv4` and `net.isIPv6`: the regular expressions of Node's
//! `lib/internal/net.js`, written out by hand.

use super::*;

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

pub(super) fn is_hex_group(s: &str) -> bool {
    (1..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The part of Node's `IPv6Reg` before the zone. Its alternatives amount
/// to: eight groups; six groups and a dotted quad; or `k` groups, `::`,
/// and `m` groups with `k + m <= 7`, or `k + m <= 5` when a dotted quad
/// follows.
pub(super) fn ipv6_regex_body(s: &str) -> bool {
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
