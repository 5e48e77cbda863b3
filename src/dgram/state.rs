//! A UDP socket's state in the loop: Node's `dgram.Socket` `kStateSymbol` (`bindState`,
//! `connectState`, `queue`, `handle`) with libuv's send queue (`uv_udp_t`'s `write_queue`).

use std::collections::VecDeque;
use std::net::SocketAddr;

use mio::net::UdpSocket;
use mio::{Interest, Token};

use super::options::{SocketOptions, SocketType};
use crate::error::Error;
use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::listeners::ListenerId;
use crate::runtime::core::Core;
use crate::runtime::tasks::TickQueue;

/// Node's `bindState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BindState {
    Unbound,
    /// A name is being looked up, or a bind failed and its `'error'` is still to come: either
    /// way, sends and connects wait in the queue, as in Node.
    Binding,
    Bound,
}

/// A send callback: Node's `(err, bytes)`.
pub(crate) type SendCallback = Box<dyn FnOnce(Option<&Error>, usize)>;

/// A connect callback: called with no error on `'connect'`, or with the error instead of an
/// `'error'` event.
pub(crate) type ConnectCallback = std::rc::Rc<std::cell::RefCell<Option<ConnectFn>>>;

/// The closure a connect callback holds.
pub(crate) type ConnectFn = Box<dyn FnOnce(Option<&Error>)>;

/// Where a queued datagram goes, as the caller named it: for the error message.
#[derive(Clone, Debug)]
pub(crate) enum Destination {
    /// A port and an address or name still to resolve (an empty name is the loopback).
    Named(u16, String),
    Ip(SocketAddr),
    Connected,
}

/// A datagram that cannot leave yet.
pub(crate) struct Outgoing {
    pub(crate) data: Vec<u8>,
    /// `None` for a connected socket's peer.
    pub(crate) to: Option<SocketAddr>,
    /// The address and port as the caller gave them, for Node's `send EMSGSIZE 127.0.0.1:41234`.
    pub(crate) named: Option<(String, u16)>,
    pub(crate) callback: Option<SendCallback>,
}

/// A `connect` waiting for the bind or a lookup.
pub(crate) struct PendingConnect {
    pub(crate) port: u16,
    pub(crate) host: String,
    pub(crate) callback: Option<(ListenerId, ConnectCallback)>,
}

/// What waits behind a pending bind or lookup, in call order: Node's `state.queue`.
pub(crate) enum Op {
    Send {
        data: Vec<u8>,
        to: Destination,
        callback: Option<SendCallback>,
    },
    Connect(PendingConnect),
    Close,
}

/// What an answered lookup continues.
pub(crate) enum Waiting {
    Bind {
        port: u16,
        host: String,
    },
    Send {
        data: Vec<u8>,
        port: u16,
        host: String,
        callback: Option<SendCallback>,
    },
    Connect(PendingConnect),
}

pub(crate) struct DgramState {
    pub(crate) socket_type: SocketType,
    pub(crate) options: SocketOptions,
    /// The descriptor: made by the bind (or by libuv's implicit bind for a membership).
    pub(crate) socket: Option<UdpSocket>,
    pub(crate) bind: BindState,
    /// The peer once connected (Node's `CONNECT_STATE_CONNECTED`).
    pub(crate) peer: Option<SocketAddr>,
    /// `connect` was called and its `'connect'` (or failure) is not yet delivered: Node's
    /// `CONNECT_STATE_CONNECTING`, which lasts until its lookup answers. The kernel socket may
    /// be connected already (an IP address connects at once), but as in Node the socket does
    /// not count as connected before then.
    pub(crate) connecting: bool,
    /// `close()` was called: Node's `handle = null`.
    pub(crate) closed: bool,
    pub(crate) queue: VecDeque<Op>,
    /// A lookup is out, and this is what its answer continues.
    pub(crate) waiting: Option<Waiting>,
    /// Datagrams the kernel could not take at once: sent in order when it is writable.
    pub(crate) writes: VecDeque<Outgoing>,
    pub(crate) writes_bytes: usize,
    /// Registered for writable readiness too, while `writes` is not empty.
    pub(crate) want_writable: bool,
}

impl DgramState {
    pub(crate) fn new(options: SocketOptions) -> DgramState {
        DgramState {
            socket_type: options.socket_type,
            options,
            socket: None,
            bind: BindState::Unbound,
            peer: None,
            connecting: false,
            closed: false,
            queue: VecDeque::new(),
            waiting: None,
            writes: VecDeque::new(),
            writes_bytes: 0,
            want_writable: false,
        }
    }

    /// Node's `connectState === CONNECT_STATE_CONNECTED`.
    pub(crate) fn connected(&self) -> bool {
        self.peer.is_some() && !self.connecting
    }

    /// Operations have to wait: a bind or lookup is pending, or others wait already.
    pub(crate) fn busy(&self) -> bool {
        self.bind != BindState::Bound || self.waiting.is_some() || !self.queue.is_empty()
    }

    /// Registers for writable readiness while datagrams wait, and stops once they are gone.
    pub(crate) fn update_interest(&mut self, registry: &mio::Registry, id: HandleId) {
        let want = !self.writes.is_empty();
        if want == self.want_writable {
            return;
        }
        let Some(socket) = self.socket.as_mut() else {
            return;
        };
        let interest = if want {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        };
        if registry
            .reregister(socket, Token(id.key()), interest)
            .is_ok()
        {
            self.want_writable = want;
        }
    }
}

/// The parts of the loop a dgram operation uses at once: the socket's state, the poll
/// registry and the tick queue.
pub(crate) struct Ctx<'a> {
    pub(crate) state: &'a mut DgramState,
    pub(crate) registry: &'a mio::Registry,
    pub(crate) ticks: &'a mut TickQueue,
}

impl Core {
    /// The UDP socket behind a handle; `None` for a stale handle or another kind.
    pub(crate) fn dgram(&mut self, id: HandleId) -> Option<&mut DgramState> {
        match &mut self.slot(id)?.kind {
            Kind::Dgram(state) => Some(state),
            _ => None,
        }
    }

    /// [`Core::dgram`] with the registry and tick queue beside it.
    pub(crate) fn dgram_ctx(&mut self, id: HandleId) -> Option<Ctx<'_>> {
        let Core {
            io, poll, ticks, ..
        } = self;
        let slot = io
            .get_mut(id.key())
            .filter(|slot| slot.generation == id.generation)?;
        match &mut slot.kind {
            Kind::Dgram(state) => Some(Ctx {
                state,
                registry: poll.registry(),
                ticks,
            }),
            _ => None,
        }
    }
}
