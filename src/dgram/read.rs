//! Receiving: libuv's `uv__udp_io` and `uv__udp_recvmsg` with Node's `onMessage`.
//!
//! A readiness event reads datagrams until the kernel has none left, at most
//! [`DATAGRAMS_PER_EVENT`] of them; the rest are read from the loop's pending reads on its next
//! turn, as TCP reads are. Each datagram is read into the loop's one read buffer and lent to the
//! `'message'` listeners from there: no allocation and no copy per datagram.

use std::io;
use std::net::SocketAddr;

use super::kind::emit_error;
use super::rinfo::RemoteInfo;
use super::state::BindState;
use crate::chunk::Chunk;
use crate::error::Error;
use crate::event::{Callback, Event, Message};
use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::runtime::core::{with_core, IoSlot};
use crate::runtime::emit::{self, Snapshot};
use crate::runtime::handle_kind::{ReadBuffers, Readiness};
use crate::runtime::tasks;

/// Datagrams read per readiness event before other handles get a turn (libuv reads 32).
const DATAGRAMS_PER_EVENT: usize = 32;

/// What one borrow of the loop state found.
enum Got {
    Message(usize, SocketAddr, Snapshot),
    Failed(io::Error),
}

/// The dgram kind's [`ReadyFn`](crate::runtime::handle_kind::ReadyFn): queued datagrams go
/// out first, then what arrived is read.
pub(crate) fn ready(key: usize, readiness: Readiness, buffers: &mut ReadBuffers) {
    let generation = with_core(|core| core.io.get(key).map(|slot| slot.generation)).flatten();
    let Some(generation) = generation else {
        return;
    };
    let id = HandleId::new(key, generation);
    if readiness.writable {
        super::send::flush(id);
    }
    if readiness.readable {
        read_batch(id, buffers);
    }
}

/// A read owed without an edge: the socket hit its per-event cap.
pub(crate) fn read_pending(id: HandleId, buffers: &mut ReadBuffers) {
    read_batch(id, buffers);
}

fn receive(id: HandleId, buffers: &mut ReadBuffers) -> Option<Got> {
    with_core(|core| {
        let IoSlot {
            listeners, kind, ..
        } = core.slot(id)?;
        let Kind::Dgram(state) = kind else {
            return None;
        };
        // Node starts receiving when the bind completes (a membership's implicit bind does not).
        if state.closed || state.bind != BindState::Bound {
            return None;
        }
        let socket = state.socket.as_ref()?;
        loop {
            match socket.recv_from(&mut buffers.bytes) {
                Ok((n, from)) => return Some(Got::Message(n, from, listeners.snapshot())),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return None,
                Err(err) => return Some(Got::Failed(err)),
            }
        }
    })
    .flatten()
}

fn read_batch(id: HandleId, buffers: &mut ReadBuffers) {
    for _ in 0..DATAGRAMS_PER_EVENT {
        match receive(id, buffers) {
            None => return,
            Some(Got::Message(n, from, listeners)) => {
                let rinfo = RemoteInfo::new(from, n);
                let msg = Chunk::new(&buffers.bytes[..n]);
                emit::emit_to(id, &listeners, Message::NAME, |callback| {
                    if let Callback::DataValue(listener) = callback {
                        emit::invoke(listener, |listener| listener(msg, &rinfo));
                    }
                });
                // The snapshot goes outside any borrow: it may hold the last reference to
                // closures removed meanwhile.
                drop(listeners);
                tasks::drain();
            }
            Some(Got::Failed(err)) => {
                // Node's onMessage with nread < 0; a connected socket's ICMP refusal, say.
                emit_error(id, Error::from_io(&err, "recvmsg"));
                tasks::drain();
                break;
            }
        }
    }
    // More may be waiting; edge-triggered polling will not say so again.
    with_core(|core| core.pending_reads.push(id));
}
