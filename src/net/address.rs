//! Addresses as Node reports them: `{ address, family, port }`.

use std::fmt;
use std::net::SocketAddr;

/// What `server.address()` and `socket.address()` return in Node: the address as text (IPv6
/// without brackets, IPv4 peers of a dual-stack socket as `::ffff:127.0.0.1`), the family
/// (`"IPv4"` or `"IPv6"`) and the port.
///
/// ```
/// use nodenet::net::AddressInfo;
/// let info = AddressInfo::from("[::1]:8080".parse::<std::net::SocketAddr>().unwrap());
/// assert_eq!(info.address, "::1");
/// assert_eq!(info.family, "IPv6");
/// assert_eq!(info.port, 8080);
/// assert_eq!(info.to_string(), "{ address: '::1', family: 'IPv6', port: 8080 }");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AddressInfo {
    /// The IP address as text.
    pub address: String,
    /// `"IPv4"` or `"IPv6"`, as Node spells them.
    pub family: &'static str,
    /// The port.
    pub port: u16,
}

/// Node's family name for an address.
pub(crate) fn family(addr: &SocketAddr) -> &'static str {
    if addr.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

impl From<SocketAddr> for AddressInfo {
    fn from(addr: SocketAddr) -> AddressInfo {
        AddressInfo {
            address: addr.ip().to_string(),
            family: family(&addr),
            port: addr.port(),
        }
    }
}

impl fmt::Display for AddressInfo {
    /// As `console.log` prints the object.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{ address: '{}', family: '{}', port: {} }}",
            self.address, self.family, self.port
        )
    }
}
