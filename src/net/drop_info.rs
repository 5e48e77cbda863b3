//! What a server's `'drop'` event carries: Node's `{ localAddress, localPort, localFamily,
//! remoteAddress, remotePort, remoteFamily }` for a connection refused by `maxConnections`.

use std::fmt;
use std::net::SocketAddr;

use crate::net::address::AddressInfo;

/// The connection a server dropped because it had [`max_connections`] open: both ends, as
/// Node's `'drop'` event reports them (`local_address` is Node's `localAddress`, and so on).
/// Each end is `None` for a Unix domain socket, where Node emits `'drop'` with no argument.
///
/// [`max_connections`]: crate::net::Server::set_max_connections
///
/// ```
/// use nodenet::net::DropInfo;
/// let info = DropInfo::new(
///     Some("127.0.0.1:8000".parse().unwrap()),
///     Some("127.0.0.1:51000".parse().unwrap()),
/// );
/// assert_eq!(info.local_address(), Some("127.0.0.1"));
/// assert_eq!(info.remote_port(), Some(51000));
/// assert_eq!(info.remote_family(), Some("IPv4"));
/// assert_eq!(
///     info.to_string(),
///     "{ localAddress: '127.0.0.1', localPort: 8000, localFamily: 'IPv4', \
///      remoteAddress: '127.0.0.1', remotePort: 51000, remoteFamily: 'IPv4' }"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DropInfo {
    /// The server's end of the connection (Node's `localAddress`, `localPort`, `localFamily`).
    pub local: Option<AddressInfo>,
    /// The peer's end (Node's `remoteAddress`, `remotePort`, `remoteFamily`).
    pub remote: Option<AddressInfo>,
}

impl DropInfo {
    /// Both ends of a dropped connection.
    ///
    /// ```
    /// let info = nodenet::net::DropInfo::new(None, None);
    /// assert!(info.local.is_none() && info.remote.is_none());
    /// ```
    pub fn new(local: Option<SocketAddr>, remote: Option<SocketAddr>) -> DropInfo {
        DropInfo {
            local: local.map(AddressInfo::from),
            remote: remote.map(AddressInfo::from),
        }
    }

    /// Node's `localAddress`: the address the peer connected to.
    ///
    /// ```
    /// let info = nodenet::net::DropInfo::new(Some("[::1]:80".parse().unwrap()), None);
    /// assert_eq!(info.local_address(), Some("::1"));
    /// ```
    pub fn local_address(&self) -> Option<&str> {
        self.local.as_ref().map(|end| end.address.as_str())
    }

    /// Node's `localPort`: the server's port.
    ///
    /// ```
    /// let info = nodenet::net::DropInfo::new(Some("[::1]:80".parse().unwrap()), None);
    /// assert_eq!(info.local_port(), Some(80));
    /// ```
    pub fn local_port(&self) -> Option<u16> {
        self.local.as_ref().map(|end| end.port)
    }

    /// Node's `localFamily`: `"IPv4"` or `"IPv6"`.
    ///
    /// ```
    /// let info = nodenet::net::DropInfo::new(Some("[::1]:80".parse().unwrap()), None);
    /// assert_eq!(info.local_family(), Some("IPv6"));
    /// ```
    pub fn local_family(&self) -> Option<&'static str> {
        self.local.as_ref().map(|end| end.family)
    }

    /// Node's `remoteAddress`: the peer's address.
    ///
    /// ```
    /// let info = nodenet::net::DropInfo::new(None, Some("10.0.0.7:4000".parse().unwrap()));
    /// assert_eq!(info.remote_address(), Some("10.0.0.7"));
    /// ```
    pub fn remote_address(&self) -> Option<&str> {
        self.remote.as_ref().map(|end| end.address.as_str())
    }

    /// Node's `remotePort`: the peer's port.
    ///
    /// ```
    /// let info = nodenet::net::DropInfo::new(None, Some("10.0.0.7:4000".parse().unwrap()));
    /// assert_eq!(info.remote_port(), Some(4000));
    /// ```
    pub fn remote_port(&self) -> Option<u16> {
        self.remote.as_ref().map(|end| end.port)
    }

    /// Node's `remoteFamily`: `"IPv4"` or `"IPv6"`.
    ///
    /// ```
    /// let info = nodenet::net::DropInfo::new(None, Some("10.0.0.7:4000".parse().unwrap()));
    /// assert_eq!(info.remote_family(), Some("IPv4"));
    /// ```
    pub fn remote_family(&self) -> Option<&'static str> {
        self.remote.as_ref().map(|end| end.family)
    }
}

impl fmt::Display for DropInfo {
    /// As `console.log` prints the object Node passes (`undefined` for a Unix socket).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut fields = Vec::new();
        if let Some(local) = &self.local {
            fields.push(format!(
                "localAddress: '{}', localPort: {}, localFamily: '{}'",
                local.address, local.port, local.family
            ));
        }
        if let Some(remote) = &self.remote {
            fields.push(format!(
                "remoteAddress: '{}', remotePort: {}, remoteFamily: '{}'",
                remote.address, remote.port, remote.family
            ));
        }
        if fields.is_empty() {
            f.write_str("undefined")
        } else {
            write!(f, "{{ {} }}", fields.join(", "))
        }
    }
}

// `'drop'` takes a `DropInfo`, so its listener shape is stated here.
use crate::event::{listens_value, ConnectionDropped, ServerEvent, ServerOnceEvent};
listens_value!(ServerEvent / ServerOnceEvent for ConnectionDropped: &DropInfo, DropInfo, |info| info);
