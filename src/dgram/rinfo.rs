//! What a `'message'` listener learns about the sender: Node's `rinfo`.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// The sender of a datagram, as Node's `'message'` event passes it: `{ address, family, port,
/// size }`.
///
/// `address` is an [`IpAddr`] rather than Node's string, so a datagram costs no allocation;
/// it prints as Node's string does (`127.0.0.1`, `::1`), and `Display` prints the whole
/// object as `console.log(rinfo)` does.
///
/// ```
/// use nodenet::dgram::RemoteInfo;
/// let rinfo = RemoteInfo::new("127.0.0.1:41234".parse().unwrap(), 5);
/// assert_eq!(rinfo.address.to_string(), "127.0.0.1");
/// assert_eq!(rinfo.family, "IPv4");
/// assert_eq!(rinfo.port, 41234);
/// assert_eq!(rinfo.size, 5);
/// assert_eq!(
///     rinfo.to_string(),
///     "{ address: '127.0.0.1', family: 'IPv4', port: 41234, size: 5 }"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RemoteInfo {
    /// The sender's address.
    pub address: IpAddr,
    /// `"IPv4"` or `"IPv6"`, as Node spells them.
    pub family: &'static str,
    /// The sender's port.
    pub port: u16,
    /// The datagram's size in bytes.
    pub size: usize,
}

impl RemoteInfo {
    /// The sender `from` of a datagram of `size` bytes.
    ///
    /// ```
    /// let rinfo = nodenet::dgram::RemoteInfo::new("[::1]:53".parse().unwrap(), 0);
    /// assert_eq!(rinfo.family, "IPv6");
    /// ```
    pub fn new(from: SocketAddr, size: usize) -> RemoteInfo {
        RemoteInfo {
            address: from.ip(),
            family: if from.is_ipv4() { "IPv4" } else { "IPv6" },
            port: from.port(),
            size,
        }
    }

    /// The sender as one socket address, to send a reply to.
    ///
    /// ```
    /// let rinfo = nodenet::dgram::RemoteInfo::new("127.0.0.1:7".parse().unwrap(), 1);
    /// assert_eq!(rinfo.socket_addr().to_string(), "127.0.0.1:7");
    /// ```
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.address, self.port)
    }
}

impl fmt::Display for RemoteInfo {
    /// As `console.log(rinfo)` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{ address: '{}', family: '{}', port: {}, size: {} }}",
            self.address, self.family, self.port, self.size
        )
    }
}
