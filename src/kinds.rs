//! The registry of handle kinds: the one place that lists every kind the loop can hold.
//!
//! `runtime/` talks to a slot's kind only through [`HandleKind`]; it reaches the kind through
//! this enum rather than a `Box<dyn HandleKind>` so that the hot calls dispatch with a `match`
//! the compiler sees through, and each kind's module gets its own state back with a pattern
//! instead of an `Any` downcast (two indirect calls on every `Core::socket`). Adding a kind adds
//! a variant here and an arm to each `match` below; nothing under `runtime/` changes.

use crate::dgram::state::DgramState;
use crate::net::server_state::ServerState;
use crate::net::socket_state::SocketState;
use crate::runtime::handle_kind::{HandleKind, ReadBuffers, Readiness, ReadyFn};
use crate::signals::SignalState;

/// What a slot holds: one of the kinds, boxed so the slot stays small.
pub(crate) enum Kind {
    Socket(Box<SocketState>),
    /// A socket with a TLS layer (`tls/`): the same state, read and written through rustls.
    /// A variant of its own so the plain socket's readiness path pays no test for it.
    Tls(Box<SocketState>),
    Server(Box<ServerState>),
    Signals(Box<SignalState>),
    Dgram(Box<DgramState>),
}

impl Kind {
    /// The kind behind the loop's interface.
    #[inline]
    pub(crate) fn handle(&self) -> &dyn HandleKind {
        match self {
            Kind::Socket(socket) | Kind::Tls(socket) => &**socket,
            Kind::Server(server) => &**server,
            Kind::Signals(signals) => &**signals,
            Kind::Dgram(dgram) => &**dgram,
        }
    }

    /// The kind behind the loop's interface, to change it.
    #[inline]
    pub(crate) fn handle_mut(&mut self) -> &mut dyn HandleKind {
        match self {
            Kind::Socket(socket) | Kind::Tls(socket) => &mut **socket,
            Kind::Server(server) => &mut **server,
            Kind::Signals(signals) => &mut **signals,
            Kind::Dgram(dgram) => &mut **dgram,
        }
    }

    /// [`HandleKind::on_ready`], without an indirect call.
    #[inline]
    pub(crate) fn on_ready(&self) -> Option<ReadyFn> {
        match self {
            Kind::Socket(socket) => socket.on_ready(),
            Kind::Tls(_) => Some(crate::tls::ready),
            Kind::Server(server) => server.on_ready(),
            Kind::Signals(signals) => signals.on_ready(),
            Kind::Dgram(dgram) => dgram.on_ready(),
        }
    }
}

/// A readiness event for slot `key`, as the loop hands it over. The busiest kind's `ReadyFn`
/// is called directly, so the per-event path stays one inlined call and one borrow as it was
/// before the loop knew no kinds; it hands any other kind's event on to that kind's own
/// `ReadyFn`, found in the same borrow (`readiness::dispatch`, `Found::Other`).
#[inline]
pub(crate) fn ready(key: usize, readiness: Readiness, buffers: &mut ReadBuffers) {
    crate::net::readiness::dispatch(key, readiness, buffers);
}
