//! Handles' addresses in log lines: what a user reading `RUST_LOG=nodenet=debug` needs to tell
//! one connection from another. nodenet's counterpart of Node's `NODE_DEBUG=net` lines
//! (`debuglog('net')` in `lib/net.js`), through the `log` crate.
//!
//! Log macros evaluate their arguments only when the level is enabled, so these cost nothing on
//! the read and write paths while `trace` is off (one compare against the level).

use std::fmt;
use std::net::SocketAddr;

use crate::handle::HandleId;
use crate::net::socket_state::SocketState;
use crate::runtime::core::{with_core, Core};

/// `local -> peer`, `-` for an address not known (a Unix socket, or not connected yet).
pub(crate) struct Pair(pub(crate) Option<SocketAddr>, pub(crate) Option<SocketAddr>);

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(local) => write!(f, "{local}")?,
            None => f.write_str("-")?,
        }
        match self.1 {
            Some(peer) => write!(f, " -> {peer}"),
            None => f.write_str(" -> -"),
        }
    }
}

/// A socket's addresses; the local one is asked of the OS, which is fine since this runs only
/// when the line is logged.
pub(crate) fn socket_pair(socket: &SocketState) -> Pair {
    let local = socket
        .stream
        .as_ref()
        .and_then(|stream| stream.local_addr());
    Pair(local, socket.peer)
}

/// A handle described for a log line: `socket 127.0.0.1:8000 -> 127.0.0.1:51234` or
/// `server 127.0.0.1:8000`.
pub(crate) fn describe(core: &mut Core, id: HandleId) -> String {
    match core.slot(id) {
        Some(slot) => slot.kind.handle().describe(),
        None => "a closed handle".to_string(),
    }
}

/// [`describe`], for a caller that does not hold the loop's state.
pub(crate) fn of(id: HandleId) -> String {
    with_core(|core| describe(core, id)).unwrap_or_default()
}
