//! Turning a host into addresses without blocking the loop: Node's `dns.lookup` as `net` uses it.
//!
//! IP literals are answered at once. Any other name is resolved by the system
//! resolver (`getaddrinfo`, which may block for seconds) on a short-lived thread, and the answer
//! is posted back into the loop through a [`Remote`](crate::Remote), which keeps the loop alive
//! meanwhile.

use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use crate::error::Error;

/// Addresses known without asking a resolver: an IP literal (IPv6 with or without brackets).
/// Every name, `localhost` included, goes to the system resolver as Node's `dns.lookup` does, so
/// a host file that lists `::1` and `127.0.0.1` gives both, in its order, to try one by one.
pub(crate) fn immediate(host: &str) -> Option<Vec<IpAddr>> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(vec![ip]);
    }
    None
}

/// Resolves `host` on a helper thread; `done` runs on the loop's thread with the result.
pub(crate) fn resolve(
    host: String,
    port: u16,
    done: impl FnOnce(Result<Vec<SocketAddr>, Error>) + Send + 'static,
) {
    let remote = crate::remote::remote();
    let spawned = std::thread::Builder::new()
        .name("nodenet-lookup".into())
        .spawn(move || {
            let result = lookup(&host, port);
            remote.post(move || done(result));
        });
    if let Err(err) = spawned {
        log::error!("cannot start a lookup thread: {err}");
    }
}

fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
    let not_found = |_: io::Error| not_found(host);
    let addresses: Vec<SocketAddr> = (host, port).to_socket_addrs().map_err(not_found)?.collect();
    if addresses.is_empty() {
        return Err(not_found(io::ErrorKind::NotFound.into()));
    }
    Ok(addresses)
}

/// Node's lookup failure: `getaddrinfo ENOTFOUND host`.
fn not_found(host: &str) -> Error {
    Error::lookup_failure("ENOTFOUND", host)
}
