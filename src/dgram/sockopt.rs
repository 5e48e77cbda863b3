//! Socket options of a UDP socket: Node's `setBroadcast`, `setTTL`, the multicast settings and
//! memberships (`addMembership`, `addSourceSpecificMembership`, ...) and the buffer sizes, over
//! libuv's `uv_udp_set_*` and `uv_*_buffer_size`, with their checks and errors.
//!
//! As in Node, an option needs a descriptor, which a socket gets when bound: on an unbound
//! socket these fail with `EBADF` (`setTTL EBADF`), except the memberships, which bind the
//! socket to any address first as libuv does.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};

use socket2::SockRef;

use super::errors;
use super::state::DgramState;
use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::with_core;

/// Runs `f` on an open socket's state; Node's `healthCheck` first.
pub(crate) fn with_open<R>(
    id: HandleId,
    method: &str,
    f: impl FnOnce(&mut DgramState, &mio::Registry) -> Result<R, Error>,
) -> Result<R, Error> {
    let result = with_core(|core| {
        let ctx = core.dgram_ctx(id)?;
        if ctx.state.closed {
            return Some(Err(errors::not_running()));
        }
        Some(f(ctx.state, ctx.registry))
    })
    .flatten();
    result.unwrap_or_else(|| {
        crate::handle::warn_stale(id, "dgram socket", method, "its 'close' has been emitted");
        Err(errors::not_running())
    })
}

/// [`with_open`] for an option set on the descriptor, failing as Node's
/// `errnoException(err, syscall)`.
fn on_descriptor<R>(
    id: HandleId,
    syscall: &'static str,
    f: impl FnOnce(SockRef<'_>, &DgramState) -> io::Result<R>,
) -> Result<R, Error> {
    with_open(id, syscall, |state, _| {
        let socket = state
            .socket
            .as_ref()
            .ok_or_else(|| errors::system(&errors::ebadf(), syscall))?;
        f(SockRef::from(socket), state).map_err(|err| errors::system(&err, syscall))
    })
}

pub(crate) fn set_broadcast(id: HandleId, on: bool) -> Result<(), Error> {
    on_descriptor(id, "setBroadcast", |socket, _| socket.set_broadcast(on))
}

pub(crate) fn set_ttl(id: HandleId, ttl: u32) -> Result<u32, Error> {
    // libuv checks the range before it looks at the descriptor.
    if !(1..=255).contains(&ttl) {
        return with_open(id, "setTTL", |_, _| {
            Err(errors::system(&errors::einval(), "setTTL"))
        });
    }
    on_descriptor(id, "setTTL", |socket, state| {
        if state.socket_type.is_v6() {
            socket.set_unicast_hops_v6(ttl)
        } else {
            socket.set_ttl_v4(ttl)
        }
    })?;
    Ok(ttl)
}

pub(crate) fn set_multicast_ttl(id: HandleId, ttl: u32) -> Result<u32, Error> {
    if ttl > 255 {
        return with_open(id, "setMulticastTTL", |_, _| {
            Err(errors::system(&errors::einval(), "setMulticastTTL"))
        });
    }
    on_descriptor(id, "setMulticastTTL", |socket, state| {
        if state.socket_type.is_v6() {
            socket.set_multicast_hops_v6(ttl)
        } else {
            socket.set_multicast_ttl_v4(ttl)
        }
    })?;
    Ok(ttl)
}

pub(crate) fn set_multicast_loopback(id: HandleId, on: bool) -> Result<bool, Error> {
    on_descriptor(id, "setMulticastLoopback", |socket, state| {
        if state.socket_type.is_v6() {
            socket.set_multicast_loop_v6(on)
        } else {
            socket.set_multicast_loop_v4(on)
        }
    })?;
    Ok(on)
}

/// An interface as libuv's `uv_ip6_addr` reads it: an IPv6 address with an optional
/// `%scope`, a number or an interface name.
fn parse_v6_scoped(text: &str) -> Option<(Ipv6Addr, u32)> {
    let (address, scope) = match text.split_once('%') {
        Some((address, scope)) => (address, Some(scope)),
        None => (text, None),
    };
    let address: Ipv6Addr = address.parse().ok()?;
    let scope = match scope {
        None => 0,
        Some(scope) => match scope.parse::<u32>() {
            Ok(index) => index,
            Err(_) => interface_index(scope)?,
        },
    };
    Some((address, scope))
}

/// An interface's index by name, as `if_nametoindex` gives it, read from sysfs (the crate
/// makes no `unsafe` calls).
fn interface_index(name: &str) -> Option<u32> {
    if name.is_empty() || name.contains('/') {
        return None;
    }
    std::fs::read_to_string(format!("/sys/class/net/{name}/ifindex"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

pub(crate) fn set_multicast_interface(id: HandleId, interface: &str) -> Result<(), Error> {
    let syscall = "setMulticastInterface";
    let v4 = interface.parse::<Ipv4Addr>().ok();
    let v6 = parse_v6_scoped(interface);
    on_descriptor(id, syscall, |socket, _| match (v4, v6) {
        (Some(v4), _) => socket.set_multicast_if_v4(&v4),
        (None, Some((_, scope))) => socket.set_multicast_if_v6(scope),
        (None, None) => Err(errors::einval()),
    })
}

/// Join or leave.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Membership {
    Add,
    Drop,
}

pub(crate) fn membership(
    id: HandleId,
    which: Membership,
    group: &str,
    interface: Option<&str>,
) -> Result<(), Error> {
    let syscall = match which {
        Membership::Add => "addMembership",
        Membership::Drop => "dropMembership",
    };
    with_open(id, syscall, |state, registry| {
        if group.is_empty() {
            return Err(errors::missing_args("multicastAddress"));
        }
        let fail = |err: io::Error| errors::system(&err, syscall);
        let interface = interface.filter(|interface| !interface.is_empty());
        if let Ok(group) = group.parse::<Ipv4Addr>() {
            super::bind::implicit_descriptor(state, registry, id).map_err(fail)?;
            let interface = match interface {
                None => Ipv4Addr::UNSPECIFIED,
                Some(interface) => interface.parse().map_err(|_| fail(errors::einval()))?,
            };
            let socket = SockRef::from(state.socket.as_ref().ok_or_else(|| fail(errors::ebadf()))?);
            match which {
                Membership::Add => socket.join_multicast_v4(&group, &interface),
                Membership::Drop => socket.leave_multicast_v4(&group, &interface),
            }
            .map_err(fail)
        } else if let Some((group, _)) = parse_v6_scoped(group) {
            super::bind::implicit_descriptor(state, registry, id).map_err(fail)?;
            let interface = match interface {
                None => 0,
                Some(interface) => {
                    parse_v6_scoped(interface)
                        .ok_or_else(|| fail(errors::einval()))?
                        .1
                }
            };
            let socket = SockRef::from(state.socket.as_ref().ok_or_else(|| fail(errors::ebadf()))?);
            match which {
                Membership::Add => socket.join_multicast_v6(&group, interface),
                Membership::Drop => socket.leave_multicast_v6(&group, interface),
            }
            .map_err(fail)
        } else {
            Err(fail(errors::einval()))
        }
    })
}

pub(crate) fn source_membership(
    id: HandleId,
    which: Membership,
    source: &str,
    group: &str,
    interface: Option<&str>,
) -> Result<(), Error> {
    let syscall = match which {
        Membership::Add => "addSourceSpecificMembership",
        Membership::Drop => "dropSourceSpecificMembership",
    };
    with_open(id, syscall, |state, registry| {
        let fail = |err: io::Error| errors::system(&err, syscall);
        let interface = interface.filter(|interface| !interface.is_empty());
        if let Ok(group) = group.parse::<Ipv4Addr>() {
            super::bind::implicit_descriptor(state, registry, id).map_err(fail)?;
            let source: Ipv4Addr = source.parse().map_err(|_| fail(errors::einval()))?;
            let interface = match interface {
                None => Ipv4Addr::UNSPECIFIED,
                Some(interface) => interface.parse().map_err(|_| fail(errors::einval()))?,
            };
            let socket = SockRef::from(state.socket.as_ref().ok_or_else(|| fail(errors::ebadf()))?);
            match which {
                Membership::Add => socket.join_ssm_v4(&source, &group, &interface),
                Membership::Drop => socket.leave_ssm_v4(&source, &group, &interface),
            }
            .map_err(fail)
        } else if parse_v6_scoped(group).is_some() {
            // socket2 has no MCAST_JOIN_SOURCE_GROUP, and the crate makes no raw calls.
            Err(fail(io::Error::from_raw_os_error(38)))
        } else {
            Err(fail(errors::einval()))
        }
    })
}

/// Which kernel buffer.
#[derive(Clone, Copy)]
pub(crate) enum Buffer {
    Recv,
    Send,
}

impl Buffer {
    fn syscall(self) -> &'static str {
        match self {
            Buffer::Recv => "uv_recv_buffer_size",
            Buffer::Send => "uv_send_buffer_size",
        }
    }
}

/// Node's `bufferSize`: the size (`None`) or a new one; errors are `ERR_SOCKET_BUFFER_SIZE`.
pub(crate) fn buffer_size(
    id: HandleId,
    which: Buffer,
    size: Option<usize>,
) -> Result<usize, Error> {
    if size.is_some_and(|size| size > u32::MAX as usize) {
        return Err(Error::with_code(
            "ERR_SOCKET_BAD_BUFFER_SIZE",
            "Buffer size must be a positive integer",
        ));
    }
    let syscall = which.syscall();
    with_open(id, syscall, |state, _| {
        let fail = |err: io::Error| errors::buffer_size(&err, syscall);
        let socket = SockRef::from(state.socket.as_ref().ok_or_else(|| fail(errors::ebadf()))?);
        match (which, size) {
            // libuv takes 0 as "get".
            (_, None | Some(0)) => match which {
                Buffer::Recv => socket.recv_buffer_size(),
                Buffer::Send => socket.send_buffer_size(),
            },
            (Buffer::Recv, Some(size)) => socket.set_recv_buffer_size(size).map(|()| size),
            (Buffer::Send, Some(size)) => socket.set_send_buffer_size(size).map(|()| size),
        }
        .map_err(fail)
    })
}
