//! What keeps the loop alive: Node's `process.getActiveResourcesInfo()`, with a detailed form,
//! and the loop's cached time (libuv's `uv_now`).
//!
//! When a program does not exit, something still holds its loop: print the list from a timer
//! that does not itself count (unref'd), or after a signal:
//!
//! ```
//! let timer = nodenet::set_interval(5_000, || {
//!     for resource in nodenet::active_resources_info() {
//!         eprintln!("still alive: {resource}");
//!     }
//! });
//! timer.unref();
//! nodenet::run().unwrap();
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::net::stream::{Listener, Stream};
use crate::net::{Server, Socket};
use crate::runtime::core::with_core;

/// One thing the loop holds, as [`active_resources_info`] describes it.
///
/// ```
/// let timer = nodenet::set_timeout(1000, || {});
/// let info = nodenet::active_resources_info();
/// assert_eq!(info[0].kind, "Timeout");
/// assert!(info[0].referenced);
/// nodenet::clear_timeout(timer);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceInfo {
    /// Node's name for it: `TCPSocketWrap`, `TCPServerWrap`, `PipeWrap` (a Unix socket or
    /// server), `UDPWrap` (a bound UDP socket), `Timeout`, `Immediate`, `GetAddrInfoReqWrap` (a name lookup), or `Remote` (a
    /// live [`Remote`](crate::Remote), which has no Node counterpart).
    pub kind: &'static str,
    /// The local address (`host:port`, or a socket file's path), if it has one.
    pub local: Option<String>,
    /// The peer's address, for a connected socket.
    pub remote: Option<String>,
    /// Whether it keeps the loop alive (Node's `hasRef()`).
    pub referenced: bool,
    /// How long since the handle was made, measured in loop time ([`now`]); `None` for
    /// timers, immediates, lookups and remotes.
    pub age: Option<Duration>,
    /// The events it has listeners for, with how many each.
    pub listeners: Vec<(&'static str, usize)>,
}

impl fmt::Display for ResourceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(local) = &self.local {
            write!(f, " {local}")?;
        }
        if let Some(remote) = &self.remote {
            write!(f, " -> {remote}")?;
        }
        if !self.referenced {
            write!(f, " (unref'd)")?;
        }
        if let Some(age) = self.age {
            write!(f, ", age {} ms", age.as_millis())?;
        }
        if !self.listeners.is_empty() {
            let listeners: Vec<String> = self
                .listeners
                .iter()
                .map(|(event, count)| format!("{event}: {count}"))
                .collect();
            write!(f, ", listeners {{{}}}", listeners.join(", "))?;
        }
        Ok(())
    }
}

/// The names of what keeps this thread's loop alive, as Node 20's
/// `process.getActiveResourcesInfo()` lists them: one entry per referenced open handle
/// (`TCPServerWrap`, `TCPSocketWrap`, `PipeWrap`), pending lookup (`GetAddrInfoReqWrap`),
/// referenced timer (`Timeout`) and immediate (`Immediate`), and one `Remote` per live
/// [`Remote`](crate::Remote). Empty when `run()` would return.
///
/// ```
/// let immediate = nodenet::set_immediate(|| {});
/// assert_eq!(nodenet::active_resources(), ["Immediate"]);
/// nodenet::clear_immediate(immediate);
/// assert!(nodenet::active_resources().is_empty());
/// ```
pub fn active_resources() -> Vec<&'static str> {
    collect(false)
        .into_iter()
        .map(|resource| resource.kind)
        .collect()
}

/// The detailed form of [`active_resources`]: the same entries, and after them the open
/// handles that do not keep the loop alive (unref'd), each with its addresses, age and
/// listener counts. Print it (each entry is `Display`) to see why a program does not exit.
///
/// ```
/// use nodenet::prelude::*;
/// let server = net::create_server(|_| {});
/// server.listen((0, "127.0.0.1"), ()).unwrap();
/// let info = nodenet::active_resources_info();
/// assert_eq!(info[0].kind, "TCPServerWrap");
/// assert!(info[0].local.as_deref().unwrap().starts_with("127.0.0.1:"));
/// server.close(());
/// nodenet::run().unwrap();
/// ```
pub fn active_resources_info() -> Vec<ResourceInfo> {
    collect(true)
}

/// The loop's cached time, libuv's `uv_now`: taken at the start of each loop turn and after
/// each poll, so every callback of one batch sees the same value, and timers count from it.
/// Cheaper than `Instant::now()`, and what the loop itself goes by.
///
/// ```
/// let before = nodenet::now();
/// nodenet::set_timeout(10, move || {
///     assert!(nodenet::now() - before >= std::time::Duration::from_millis(10));
/// });
/// nodenet::run().unwrap();
/// ```
pub fn now() -> Instant {
    with_core(|core| core.now).unwrap_or_else(Instant::now)
}

enum Handle {
    Dgram(HandleId),
    Socket(HandleId, &'static str),
    Server(HandleId, &'static str),
}

/// An open handle as gathered: which, referenced, age, listener counts.
type GatheredHandle = (Handle, bool, Option<Duration>, Vec<(&'static str, usize)>);

/// What the loop's state says, gathered in one borrow; the addresses are asked of the
/// handles afterwards.
struct Gathered {
    handles: Vec<GatheredHandle>,
    timers: usize,
    immediates: usize,
    remotes: usize,
}

fn collect(all: bool) -> Vec<ResourceInfo> {
    let lookups = crate::net::lookup::pending_count();
    let Some(gathered) = with_core(|core| {
        let now = core.now;
        let mut handles = Vec::new();
        for (key, slot) in core.io.iter() {
            if !slot.active || !(all || slot.referenced) {
                continue;
            }
            let id = HandleId::new(key, slot.generation);
            let handle = match &slot.kind {
                Kind::Tls(_) => Handle::Socket(id, "TLSWrap"),
                Kind::Socket(socket) => match socket.stream {
                    Some(Stream::Unix(_)) => Handle::Socket(id, "PipeWrap"),
                    _ => Handle::Socket(id, "TCPSocketWrap"),
                },
                Kind::Server(server) => match server.listener {
                    Some(Listener::Unix(..)) => Handle::Server(id, "PipeWrap"),
                    _ => Handle::Server(id, "TCPServerWrap"),
                },
                Kind::Dgram(_) => Handle::Dgram(id),
                Kind::Signals(_) => continue,
            };
            let age = core
                .created
                .get(key)
                .map(|created| now.saturating_duration_since(*created));
            let listeners = slot
                .listeners
                .event_names()
                .into_iter()
                .map(|event| (event, slot.listeners.count(&event)))
                .collect();
            handles.push((handle, slot.referenced, age, listeners));
        }
        Gathered {
            handles,
            timers: core.timers.referenced_timers(),
            immediates: core.timers.referenced_immediates(),
            remotes: core.remote.live_count(),
        }
    }) else {
        return Vec::new();
    };
    let plain = |kind: &'static str| ResourceInfo {
        kind,
        local: None,
        remote: None,
        referenced: true,
        age: None,
        listeners: Vec::new(),
    };
    let mut out: Vec<ResourceInfo> = Vec::new();
    out.extend(std::iter::repeat_n(plain("GetAddrInfoReqWrap"), lookups));
    let (referenced, unreferenced): (Vec<_>, Vec<_>) =
        gathered.handles.into_iter().partition(|handle| handle.1);
    for (handle, referenced, age, listeners) in referenced.into_iter().chain(unreferenced) {
        let (kind, local, remote) = match handle {
            Handle::Socket(id, kind) => {
                let socket = Socket::from_id(id);
                let join = |address: Option<String>, port: Option<u16>| {
                    address.map(|address| match port {
                        Some(port) => format!("{address}:{port}"),
                        None => address,
                    })
                };
                (
                    kind,
                    join(socket.local_address(), socket.local_port()),
                    join(socket.remote_address(), socket.remote_port()),
                )
            }
            Handle::Dgram(id) => {
                let socket = crate::dgram::Socket::from_id(id);
                let show = |address: crate::net::AddressInfo| match address.family {
                    "IPv6" => format!("[{}]:{}", address.address, address.port),
                    _ => format!("{}:{}", address.address, address.port),
                };
                (
                    "UDPWrap",
                    socket.address().ok().map(show),
                    socket.remote_address().ok().map(show),
                )
            }
            Handle::Server(id, kind) => {
                let server = Server::from_id(id);
                let local = server
                    .address()
                    .map(|address| format!("{}:{}", address.address, address.port))
                    .or_else(|| server.path().map(|path| path.display().to_string()));
                (kind, local, None)
            }
        };
        out.push(ResourceInfo {
            kind,
            local,
            remote,
            referenced,
            age,
            listeners,
        });
    }
    out.extend(std::iter::repeat_n(plain("Timeout"), gathered.timers));
    out.extend(std::iter::repeat_n(plain("Immediate"), gathered.immediates));
    // Each pending lookup holds a Remote of its own, already listed as the lookup.
    let remotes = gathered.remotes.saturating_sub(lookups);
    out.extend(std::iter::repeat_n(plain("Remote"), remotes));
    out
}
