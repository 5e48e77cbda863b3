//! Node's `net.BlockList`: rules for addresses, ranges and subnets, with IPv4 and IPv4-mapped
//! IPv6 treated as the same host.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Address(IpAddr),
    Range(IpAddr, IpAddr),
    Subnet(IpAddr, u8),
}

/// The IPv4 address inside an IPv4-mapped IPv6 address.
pub(super) fn unmap(v6: Ipv6Addr) -> Option<[u8; 4]> {
    let o = v6.octets();
    (o[..10] == [0; 10] && o[10..12] == [0xff, 0xff]).then(|| [o[12], o[13], o[14], o[15]])
}

/// Node's `SocketAddress::compare`: mixed families compare only when the
/// IPv6 side is IPv4-mapped.
pub(super) fn compare(a: IpAddr, b: IpAddr) -> Option<Ordering> {
    match (a, b) {
        (IpAddr::V4(x), IpAddr::V4(y)) => Some(x.cmp(&y)),
        (IpAddr::V6(x), IpAddr::V6(y)) => Some(x.cmp(&y)),
        (IpAddr::V4(x), IpAddr::V6(y)) => unmap(y).map(|y| x.octets().cmp(&y)),
        (IpAddr::V6(x), IpAddr::V4(y)) => unmap(x).map(|x| x.cmp(&y.octets())),
    }
}

pub(super) fn prefix_eq(a: &[u8], b: &[u8], bits: u32) -> bool {
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
pub(super) fn in_subnet(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
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
    use crate::ip::Family;

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
}
