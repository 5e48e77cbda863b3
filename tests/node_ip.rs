//! Node's `test/parallel/test-net-isip*.js` and `test-net-blocklist.js`/`test-socketaddress.js`
//! tables, ported; values checked against node v20. See `docs/conformance.md`.

use nodenet::ip::{self, BlockList, Family};

/// test-net-isip.js (and -isipv4.js, -isipv6.js): Node's acceptance rules.
#[test]
fn test_net_isip() {
    let table: &[(&str, u8)] = &[
        ("127.0.0.1", 4),
        ("x127.0.0.1", 0),
        ("example.com", 0),
        ("0000:0000:0000:0000:0000:0000:0000:0000", 6),
        ("::1", 6),
        ("1050:0:0:0:5:600:300c:326b", 6),
        ("2001:252:0:1::2008:6", 6),
        ("::ffff:127.0.0.1", 6),
        ("::ffff:1.2.3", 0),
        ("1.2.3", 0),
        ("0x7f.0.0.1", 0),
        ("fe80::1%eth0", 6),
        ("::1:2:3:4:5:6:7:8", 0),
        ("", 0),
        ("127.000.000.001", 0),
        ("255.255.255.256", 0),
        ("1:2:3:4:5:6:7:8", 6),
        ("1::2::3", 0),
        ("::", 6),
        ("ffff::255.255.255.255", 6),
    ];
    for &(input, expected) in table {
        assert_eq!(ip::is_ip(input), expected, "is_ip({input:?})");
        assert_eq!(ip::is_ipv4(input), expected == 4, "is_ipv4({input:?})");
        assert_eq!(ip::is_ipv6(input), expected == 6, "is_ipv6({input:?})");
    }
}

/// test-blocklist.js (core cases): addAddress, addRange, addSubnet, check, per family.
#[test]
fn test_blocklist() {
    let mut list = BlockList::new();
    list.add_address("1.1.1.1", Family::V4).unwrap();
    list.add_range("10.0.0.1", "10.0.0.10", Family::V4).unwrap();
    list.add_subnet("8592:757c:efae:4e45::", 64, Family::V6)
        .unwrap();
    assert!(list.check("1.1.1.1", Family::V4));
    assert!(!list.check("1.1.1.2", Family::V4));
    assert!(list.check("10.0.0.5", Family::V4));
    assert!(!list.check("10.0.0.11", Family::V4));
    assert!(list.check("8592:757c:efae:4e45:f::", Family::V6));
    assert!(!list.check("8592:757c:efae:4e46::", Family::V6));
    assert!(list.add_range("10.0.0.10", "10.0.0.1", Family::V4).is_err());
}
