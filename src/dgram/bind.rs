//! Binding: Node's `socket.bind` and `startListening`, over libuv's `uv_udp_bind`.
//!
//! An IP address is bound at once (so `address()` answers straight after `bind`), and
//! `'listening'` follows on a later tick, as in Node. A name is looked up first; sends and
//! connects made meanwhile wait in the socket's queue. A failed bind is reported as `'error'`
//! on a later tick, and what waited for it is dropped, as Node's `onListenError` does.

use std::io;
use std::net::SocketAddr;

use mio::net::UdpSocket;
use mio::{Interest, Token};
use socket2::{Domain, Protocol, SockRef, Socket as RawSocket, Type};

use super::kind::DgramNotice;
use super::state::{BindState, DgramState, Waiting};
use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::Core;

/// Starts binding to `port` on `address` (`None` or `""` for any address); `Some(host)` when
/// the address is a name to look up first.
pub(crate) fn start(
    core: &mut Core,
    id: HandleId,
    port: u16,
    address: Option<String>,
) -> Option<String> {
    let state = core.dgram(id)?;
    let host = address
        .filter(|address| !address.is_empty())
        .unwrap_or_else(|| state.socket_type.any().to_string());
    match crate::net::lookup::immediate(&host) {
        Some(ips) => {
            finish(core, id, SocketAddr::new(ips[0], port));
            None
        }
        None => {
            state.bind = BindState::Binding;
            state.waiting = Some(Waiting::Bind {
                port,
                host: host.clone(),
            });
            Some(host)
        }
    }
}

/// Binds to an address: the socket is bound and receiving, with `'listening'` queued, or the
/// failure is queued as `'error'`.
pub(crate) fn finish(core: &mut Core, id: HandleId, address: SocketAddr) {
    let referenced = core.slot(id).is_some_and(|slot| slot.referenced);
    let Some(ctx) = core.dgram_ctx(id) else {
        return;
    };
    let state = ctx.state;
    let result = open(state, address).and_then(|mut socket| {
        ctx.registry
            .register(&mut socket, Token(id.key()), Interest::READABLE)?;
        Ok(socket)
    });
    match result {
        Ok(socket) => {
            if let Some(mut old) = state.socket.replace(socket) {
                let _ = ctx.registry.deregister(&mut old);
            }
            state.bind = BindState::Bound;
            state.want_writable = false;
            apply_buffer_sizes(state);
            log::debug!("udp socket bound to {address}");
            ctx.ticks.push_back(DgramNotice::Listening.task(id));
            core.set_liveness(id, true, referenced);
        }
        Err(err) => {
            log::debug!("udp bind to {address} failed: {err}");
            // Binding until the 'error' is delivered, so what is sent meanwhile waits and is
            // dropped with it, as in Node.
            state.bind = BindState::Binding;
            let error = Error::from_io_at(
                &err,
                "bind",
                &address.ip().to_string(),
                // Node's ExceptionWithHostPort leaves out a port of 0.
                Some(address.port()).filter(|port| *port != 0),
            );
            ctx.ticks.push_back(DgramNotice::BindFailed(error).task(id));
        }
    }
}

/// A bound descriptor for the socket, as libuv's `uv__udp_bind` makes it.
fn open(state: &DgramState, address: SocketAddr) -> io::Result<UdpSocket> {
    // libuv parses the address for the handle's family: an IPv6 address for a udp4 socket
    // (or the other way round) is EINVAL.
    if address.is_ipv6() != state.socket_type.is_v6() {
        return Err(super::errors::einval());
    }
    if let Some(socket) = state.socket.as_ref() {
        // Bound already by a membership (libuv's implicit bind): binding again fails as
        // libuv's does.
        let again = SockRef::from(socket).bind(&address.into());
        return Err(again.err().unwrap_or_else(super::errors::einval));
    }
    let socket = RawSocket::new(
        Domain::for_address(address),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    if state.options.reuse_addr {
        socket.set_reuse_address(true)?;
    }
    if address.is_ipv6() {
        socket.set_only_v6(state.options.ipv6_only)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&address.into())?;
    Ok(UdpSocket::from_std(socket.into()))
}

/// libuv's implicit bind for a membership on an unbound socket: any address, port 0,
/// `SO_REUSEADDR`; Node's own bind state stays unbound.
pub(crate) fn implicit_descriptor(
    state: &mut DgramState,
    registry: &mio::Registry,
    id: HandleId,
) -> io::Result<()> {
    if state.socket.is_some() {
        return Ok(());
    }
    let any: SocketAddr = if state.socket_type.is_v6() {
        "[::]:0".parse().map_err(|_| super::errors::einval())?
    } else {
        "0.0.0.0:0".parse().map_err(|_| super::errors::einval())?
    };
    let socket = RawSocket::new(Domain::for_address(any), Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&any.into())?;
    let mut socket = UdpSocket::from_std(socket.into());
    registry.register(&mut socket, Token(id.key()), Interest::READABLE)?;
    state.socket = Some(socket);
    Ok(())
}

/// Node's `startListening`: the buffer sizes asked for at `createSocket`.
fn apply_buffer_sizes(state: &DgramState) {
    let Some(socket) = state.socket.as_ref() else {
        return;
    };
    let socket = SockRef::from(socket);
    if let Some(size) = state.options.recv_buffer_size {
        if let Err(err) = socket.set_recv_buffer_size(size) {
            log::warn!("recvBufferSize {size} not set: {err}");
        }
    }
    if let Some(size) = state.options.send_buffer_size {
        if let Err(err) = socket.set_send_buffer_size(size) {
            log::warn!("sendBufferSize {size} not set: {err}");
        }
    }
}
