//! Connecting a UDP socket to one peer: Node's `socket.connect`, `disconnect` and
//! `remoteAddress` (Node 12+), over libuv's `uv_udp_connect`.
//!
//! A connected socket sends to its peer without naming it and receives only from it. As with
//! `bind`, an IP address takes effect at once and `'connect'` follows on a later tick; a name
//! is looked up first.

use std::io;
use std::net::{IpAddr, SocketAddr};

use mio::net::UdpSocket;
use mio::{Interest, Token};
use socket2::{Domain, Protocol, SockRef, Socket as RawSocket, Type};

use super::kind::{ConnectFailure, DgramNotice};
use super::state::{DgramState, PendingConnect, Waiting};
use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::Core;

/// Where a connect goes, once the socket is bound and nothing waits ahead of it: connected at
/// once to an address, or `Some(host)` to look up first.
pub(crate) fn dispatch(core: &mut Core, id: HandleId, pending: PendingConnect) -> Option<String> {
    let state = core.dgram(id)?;
    let host = if pending.host.is_empty() {
        state.socket_type.loopback().to_string()
    } else {
        pending.host.clone()
    };
    match crate::net::lookup::immediate(&host) {
        Some(ips) => {
            connect_now(core, id, pending, ips[0]);
            None
        }
        None => {
            state.waiting = Some(Waiting::Connect(pending));
            Some(host)
        }
    }
}

/// Node's `doConnect` with an address: connected and `'connect'` queued, or the failure
/// queued for the callback or `'error'`.
pub(crate) fn connect_now(core: &mut Core, id: HandleId, pending: PendingConnect, ip: IpAddr) {
    let Some(ctx) = core.dgram_ctx(id) else {
        return;
    };
    let state = ctx.state;
    let peer = SocketAddr::new(ip, pending.port);
    let result = if peer.is_ipv6() != state.socket_type.is_v6() {
        Err(super::errors::einval())
    } else {
        match state.socket.as_ref() {
            Some(socket) => socket.connect(peer),
            None => Err(super::errors::ebadf()),
        }
    };
    match result {
        Ok(()) => {
            state.peer = Some(peer);
            ctx.ticks.push_back(DgramNotice::Connect.task(id));
        }
        Err(err) => {
            state.connecting = false;
            let host = if pending.host.is_empty() {
                state.socket_type.loopback().to_string()
            } else {
                pending.host.clone()
            };
            let failure = ConnectFailure {
                error: Error::from_io_at(&err, "connect", &host, Some(pending.port)),
                callback: pending.callback,
            };
            ctx.ticks
                .push_back(DgramNotice::ConnectFailed(Box::new(failure)).task(id));
        }
    }
}

/// libuv's `uv_udp_connect(handle, NULL)`: connecting to `AF_UNSPEC` dissolves the
/// association. Making such an address needs `unsafe`, which this crate forbids, so the
/// socket is replaced by a fresh one bound to the same address (both with `SO_REUSEADDR`
/// while they overlap, so no other socket can take the port in between), and the options
/// set on the old one are copied over. Memberships and datagrams still unread on the old
/// socket do not carry over.
pub(crate) fn disconnect(
    state: &mut DgramState,
    registry: &mio::Registry,
    id: HandleId,
) -> io::Result<()> {
    let Some(old) = state.socket.as_ref() else {
        return Err(super::errors::ebadf());
    };
    let local = old.local_addr()?;
    let old_ref = SockRef::from(old);
    old_ref.set_reuse_address(true)?;
    let fresh = RawSocket::new(Domain::for_address(local), Type::DGRAM, Some(Protocol::UDP))?;
    fresh.set_reuse_address(true)?;
    if local.is_ipv6() {
        fresh.set_only_v6(old_ref.only_v6().unwrap_or(state.options.ipv6_only))?;
    }
    fresh.set_nonblocking(true)?;
    fresh.bind(&local.into())?;
    copy_options(&old_ref, &fresh, local.is_ipv6());
    fresh.set_reuse_address(state.options.reuse_addr)?;
    let mut fresh = UdpSocket::from_std(fresh.into());
    registry.register(&mut fresh, Token(id.key()), Interest::READABLE)?;
    if let Some(mut old) = state.socket.replace(fresh) {
        let _ = registry.deregister(&mut old);
    }
    state.want_writable = false;
    state.update_interest(registry, id);
    state.peer = None;
    Ok(())
}

/// The options a user may have set on the old socket, read back from the kernel.
fn copy_options(old: &SockRef<'_>, fresh: &RawSocket, v6: bool) {
    if let Ok(on) = old.broadcast() {
        let _ = fresh.set_broadcast(on);
    }
    // The kernel reports twice what was asked for (its bookkeeping included), and doubles
    // what it is given: halve, to end with the same.
    if let Ok(size) = old.recv_buffer_size() {
        let _ = fresh.set_recv_buffer_size(size / 2);
    }
    if let Ok(size) = old.send_buffer_size() {
        let _ = fresh.set_send_buffer_size(size / 2);
    }
    if v6 {
        if let Ok(hops) = old.unicast_hops_v6() {
            let _ = fresh.set_unicast_hops_v6(hops);
        }
        if let Ok(hops) = old.multicast_hops_v6() {
            let _ = fresh.set_multicast_hops_v6(hops);
        }
        if let Ok(on) = old.multicast_loop_v6() {
            let _ = fresh.set_multicast_loop_v6(on);
        }
    } else {
        if let Ok(ttl) = old.ttl_v4() {
            let _ = fresh.set_ttl_v4(ttl);
        }
        if let Ok(ttl) = old.multicast_ttl_v4() {
            let _ = fresh.set_multicast_ttl_v4(ttl);
        }
        if let Ok(on) = old.multicast_loop_v4() {
            let _ = fresh.set_multicast_loop_v4(on);
        }
    }
}
