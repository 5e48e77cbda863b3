//! What the connect-time events carry: Node's `'lookup'` and `'connectionAttempt*'` arguments.

use crate::error::Error;

/// The arguments of `'lookup'`: Node's `(err, address, family, host)`, emitted after a host
/// name was resolved (not for IP literals), before connecting.
///
/// ```
/// use nodenet::net::LookupInfo;
/// let info = LookupInfo { error: None, address: Some("127.0.0.1".into()), family: Some(4), host: "localhost".into() };
/// assert_eq!(info.family, Some(4));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupInfo {
    /// The lookup failure, if it failed (`getaddrinfo ENOTFOUND host`).
    pub error: Option<Error>,
    /// The first address found.
    pub address: Option<String>,
    /// 4 or 6.
    pub family: Option<u8>,
    /// The host that was looked up.
    pub host: String,
}

/// The arguments of `'connectionAttempt'`, `'connectionAttemptFailed'` and
/// `'connectionAttemptTimeout'`: Node's `(ip, port, family[, error])`.
///
/// ```
/// use nodenet::net::AttemptInfo;
/// let info = AttemptInfo { address: "::1".into(), port: 80, family: 6, error: None };
/// assert_eq!(info.family, 6);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptInfo {
    /// The IP address (or socket path) being tried.
    pub address: String,
    /// The port (0 for a socket path).
    pub port: u16,
    /// 4, 6, or 0 for a socket path.
    pub family: u8,
    /// Why the attempt failed, for `'connectionAttemptFailed'`.
    pub error: Option<Error>,
}

// The connect-time events take these types, so their listener shapes are stated here.
use crate::event::{
    listens_value, ConnectionAttempt, ConnectionAttemptFailed, ConnectionAttemptTimeout, Lookup,
    SocketEvent, SocketOnceEvent,
};
listens_value!(SocketEvent / SocketOnceEvent for Lookup: &LookupInfo, LookupInfo, |info| info);
listens_value!(SocketEvent / SocketOnceEvent for ConnectionAttempt: &AttemptInfo, AttemptInfo, |attempt| attempt);
listens_value!(SocketEvent / SocketOnceEvent for ConnectionAttemptFailed: &AttemptInfo, AttemptInfo, |attempt| attempt);
listens_value!(SocketEvent / SocketOnceEvent for ConnectionAttemptTimeout: &AttemptInfo, AttemptInfo, |attempt| attempt);
