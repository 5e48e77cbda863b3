//! The UDP socket as the loop sees it: a [`HandleKind`], and its deferred notices in the
//! loop's [`Notice`] shape (Node emits `'listening'`, `'connect'`, `'close'` and bind errors on
//! a later tick).

use super::read;
use super::state::{BindState, ConnectCallback, DgramState};
use crate::error::Error;
use crate::handle::HandleId;
use crate::listeners::ListenerId;
use crate::runtime::core::with_core;
use crate::runtime::emit;
use crate::runtime::handle_kind::{CloseFn, HandleKind, PendingFn, ReadyFn, StatsClass};
use crate::runtime::tasks::{Notice, Task};

impl HandleKind for DgramState {
    fn on_ready(&self) -> Option<ReadyFn> {
        Some(read::ready)
    }

    fn on_pending(&self) -> PendingFn {
        read::read_pending
    }

    fn on_close(&self) -> CloseFn {
        // Its 'close' was emitted on a tick, as Node's socketCloseNT; the close phase only
        // frees the slot.
        |id| log::debug!("closed: {}", emit::describe(id))
    }

    fn keeps_slot(&self) -> bool {
        false
    }

    fn freed(&mut self, id: HandleId) -> Option<crate::threadpool::Work> {
        crate::net::lookup::cancel(id)
    }

    fn stats_class(&self) -> StatsClass {
        StatsClass::Socket
    }

    fn describe(&self) -> String {
        let local = self
            .socket
            .as_ref()
            .and_then(|socket| socket.local_addr().ok());
        match (local, self.peer) {
            (Some(local), Some(peer)) => format!("{} socket {local} -> {peer}", self.socket_type),
            (Some(local), None) => format!("{} socket {local}", self.socket_type),
            _ => format!("{} socket (unbound)", self.socket_type),
        }
    }
}

/// A UDP socket's deferred notifications.
pub(crate) enum DgramNotice {
    Listening,
    Close,
    Connect,
    Error(Error),
    /// A bind failed: Node's `onListenError` drops what waited for it, then `'error'`.
    BindFailed(Error),
    /// A connect failed: to its callback if it had one, else as `'error'`.
    ConnectFailed(Box<ConnectFailure>),
}

pub(crate) struct ConnectFailure {
    pub(crate) error: Error,
    pub(crate) callback: Option<(ListenerId, ConnectCallback)>,
}

impl DgramNotice {
    /// The notice as a tick for the loop's queue.
    pub(crate) fn task(self, id: HandleId) -> Task {
        let notice = match self {
            DgramNotice::Listening => Notice::Code(0),
            DgramNotice::Close => Notice::Code(1),
            DgramNotice::Connect => Notice::Code(2),
            DgramNotice::Error(error) => Notice::Error(3, error),
            DgramNotice::BindFailed(error) => Notice::Error(4, error),
            DgramNotice::ConnectFailed(failure) => Notice::Value(5, failure),
        };
        Task::Handle(id, deliver, notice)
    }
}

/// Whether the socket is still open (not closed, not stale).
fn open(id: HandleId) -> bool {
    with_core(|core| core.dgram(id).is_some_and(|state| !state.closed)).unwrap_or(false)
}

fn deliver(id: HandleId, notice: Notice) {
    match notice {
        Notice::Code(0) => {
            // A close() between bind() and this tick cancels it, as Node's close during bind.
            if open(id) {
                emit::emit_unit(id, "listening");
            }
        }
        Notice::Code(1) => {
            emit::emit_unit(id, "close");
            with_core(|core| core.closing.push(id));
        }
        Notice::Code(2) => {
            let open = with_core(|core| {
                let state = core.dgram(id)?;
                state.connecting = false;
                Some(!state.closed)
            });
            if open == Some(Some(true)) {
                emit::emit_unit(id, "connect");
            }
        }
        Notice::Code(_) => {}
        Notice::Error(4, error) => {
            let dropped = with_core(|core| {
                let state = core.dgram(id)?;
                state.bind = BindState::Unbound;
                state.connecting = false;
                Some(std::mem::take(&mut state.queue))
            });
            // Queued callbacks are dropped outside the borrow, and never called, as Node's.
            drop(dropped);
            emit_error(id, error);
        }
        Notice::Error(_, error) => emit_error(id, error),
        Notice::Value(_, value) => {
            let Ok(failure) = value.downcast::<ConnectFailure>() else {
                return;
            };
            let ConnectFailure { error, callback } = *failure;
            match callback {
                Some((listener, callback)) => {
                    emit::remove(id, listener);
                    let callback = callback.borrow_mut().take();
                    if let Some(callback) = callback {
                        callback(Some(&error));
                    }
                }
                None => emit_error(id, error),
            }
        }
    }
}

/// `'error'`, or the unhandled-error policy when nobody listens.
pub(crate) fn emit_error(id: HandleId, error: Error) {
    if !emit::emit_error(id, &error) {
        crate::runtime::unhandled::unhandled(error);
    }
}
