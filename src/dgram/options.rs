//! What `dgram.createSocket(options)` and `socket.bind(options)` take.
//!
//! Mirrors Node's `SocketOptions` (`type`, `reuseAddr`, `ipv6Only`, `recvBufferSize`,
//! `sendBufferSize`) and `BindOptions` (`port`, `address`, `exclusive`).

use crate::error::Error;

/// Which IP family a UDP socket speaks: Node's `'udp4'` and `'udp6'`.
///
/// ```
/// use nodenet::dgram::SocketType;
/// assert_eq!("udp6".parse::<SocketType>().unwrap(), SocketType::Udp6);
/// assert_eq!(
///     "udp5".parse::<SocketType>().unwrap_err().code(),
///     Some("ERR_SOCKET_BAD_TYPE")
/// );
/// assert_eq!(SocketType::Udp4.to_string(), "udp4");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SocketType {
    /// IPv4 (`'udp4'`): binds to `0.0.0.0` by default and sends to `127.0.0.1` by default.
    #[default]
    Udp4,
    /// IPv6 (`'udp6'`): binds to `::` by default and sends to `::1` by default.
    Udp6,
}

impl SocketType {
    pub(crate) fn is_v6(self) -> bool {
        self == SocketType::Udp6
    }

    /// The address `bind` takes when none is given.
    pub(crate) fn any(self) -> &'static str {
        match self {
            SocketType::Udp4 => "0.0.0.0",
            SocketType::Udp6 => "::",
        }
    }

    /// The address `send` and `connect` take when none is given.
    pub(crate) fn loopback(self) -> &'static str {
        match self {
            SocketType::Udp4 => "127.0.0.1",
            SocketType::Udp6 => "::1",
        }
    }
}

impl std::str::FromStr for SocketType {
    type Err = Error;

    /// `"udp4"` or `"udp6"`; anything else is Node's `ERR_SOCKET_BAD_TYPE`.
    fn from_str(name: &str) -> Result<SocketType, Error> {
        match name {
            "udp4" => Ok(SocketType::Udp4),
            "udp6" => Ok(SocketType::Udp6),
            _ => Err(super::errors::bad_type()),
        }
    }
}

impl std::fmt::Display for SocketType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SocketType::Udp4 => "udp4",
            SocketType::Udp6 => "udp6",
        })
    }
}

/// Options for [`create_socket_with`](crate::dgram::create_socket_with): Node's
/// `dgram.createSocket(options)`.
///
/// ```
/// use nodenet::dgram::{SocketOptions, SocketType};
/// let options = SocketOptions {
///     reuse_addr: true,
///     ..SocketOptions::from(SocketType::Udp6)
/// };
/// assert_eq!(options.socket_type, SocketType::Udp6);
/// assert!(!options.ipv6_only);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SocketOptions {
    /// Node's `type`: `udp4` or `udp6`.
    pub socket_type: SocketType,
    /// Set `SO_REUSEADDR` before binding, so other sockets that set it may bind the same port
    /// (Node's `reuseAddr`).
    pub reuse_addr: bool,
    /// For `udp6`: refuse IPv4 traffic, so `::` does not take `0.0.0.0` too (Node's
    /// `ipv6Only`).
    pub ipv6_only: bool,
    /// `SO_RCVBUF`, set once bound (Node's `recvBufferSize`).
    pub recv_buffer_size: Option<usize>,
    /// `SO_SNDBUF`, set once bound (Node's `sendBufferSize`).
    pub send_buffer_size: Option<usize>,
}

impl From<SocketType> for SocketOptions {
    fn from(socket_type: SocketType) -> SocketOptions {
        SocketOptions {
            socket_type,
            ..SocketOptions::default()
        }
    }
}

/// Where to bind: Node's `socket.bind(port, address)` and `socket.bind(options)`. Made from a
/// port (`0`), a port and address (`(0, "127.0.0.1")`), or `()` for Node's `bind()` (any port,
/// any address).
///
/// ```
/// use nodenet::dgram::BindOptions;
/// let options = BindOptions::from((41234, "127.0.0.1"));
/// assert_eq!(options.port, 41234);
/// assert_eq!(options.address.as_deref(), Some("127.0.0.1"));
/// assert_eq!(BindOptions::from(()).port, 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BindOptions {
    /// The port; 0 picks a free one.
    pub port: u16,
    /// The address, or a name to look up; `None` (or `""`) binds to `0.0.0.0` for `udp4` and
    /// `::` for `udp6`.
    pub address: Option<String>,
    /// Node's `exclusive`, which only matters to cluster workers; there is no cluster here, so
    /// it is accepted and ignored.
    pub exclusive: bool,
}

impl From<()> for BindOptions {
    fn from((): ()) -> BindOptions {
        BindOptions::default()
    }
}

impl From<u16> for BindOptions {
    fn from(port: u16) -> BindOptions {
        BindOptions {
            port,
            ..BindOptions::default()
        }
    }
}

impl From<(u16, &str)> for BindOptions {
    fn from((port, address): (u16, &str)) -> BindOptions {
        BindOptions {
            port,
            address: Some(address.to_string()),
            exclusive: false,
        }
    }
}

/// Where a datagram goes: a port and address (`(41234, "127.0.0.1")`), a port alone (to
/// `127.0.0.1` or `::1`, as Node's `send(msg, port)`), or `()` for a connected socket's peer
/// (Node's `send(msg)` after `connect`).
///
/// ```
/// use nodenet::dgram::To;
/// assert_eq!(To::from((53, "::1")), To::Address(53, "::1".to_string()));
/// assert_eq!(To::from(53), To::Address(53, String::new()));
/// assert_eq!(To::from(()), To::Connected);
/// let ip: std::net::SocketAddr = "127.0.0.1:53".parse().unwrap();
/// assert_eq!(To::from(ip), To::Ip(ip));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum To {
    /// A port and an address (or name); an empty address means the loopback address of the
    /// socket's family, as in Node.
    Address(u16, String),
    /// An IP address and port, already known: nothing to parse or look up.
    Ip(std::net::SocketAddr),
    /// The peer of a connected socket.
    Connected,
}

impl From<()> for To {
    fn from((): ()) -> To {
        To::Connected
    }
}

impl From<u16> for To {
    fn from(port: u16) -> To {
        To::Address(port, String::new())
    }
}

impl From<(u16, &str)> for To {
    fn from((port, address): (u16, &str)) -> To {
        To::Address(port, address.to_string())
    }
}

impl From<(u16, &String)> for To {
    fn from((port, address): (u16, &String)) -> To {
        To::Address(port, address.clone())
    }
}

impl From<(u16, std::net::IpAddr)> for To {
    fn from((port, address): (u16, std::net::IpAddr)) -> To {
        To::Ip(std::net::SocketAddr::new(address, port))
    }
}

impl From<std::net::SocketAddr> for To {
    fn from(address: std::net::SocketAddr) -> To {
        To::Ip(address)
    }
}

impl From<&super::RemoteInfo> for To {
    /// Back to where a datagram came from: `socket.send(msg, rinfo)`.
    fn from(rinfo: &super::RemoteInfo) -> To {
        To::Ip(rinfo.socket_addr())
    }
}
