//! net's two handle kinds as the loop sees them: a socket and a server, each a
//! [`HandleKind`], and their deferred notices in the loop's [`Notice`] shape.

use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::net::connect_events::{AttemptInfo, LookupInfo};
use crate::net::log_addr;
use crate::net::readiness;
use crate::net::server_state::{self, ServerNotice, ServerState};
use crate::net::socket_state::{self, SocketNotice, SocketState};
use crate::runtime::core::Core;
use crate::runtime::emit;
use crate::runtime::handle_kind::{
    CloseFn, HandleKind, PendingFn, ReadBuffers, Readiness, ReadyFn, StatsClass,
};
use crate::runtime::tasks::{Notice, Task};

impl Core {
    /// The socket behind a handle; `None` for a stale handle or a server.
    #[inline]
    pub(crate) fn socket(&mut self, id: HandleId) -> Option<&mut SocketState> {
        match &mut self.slot(id)?.kind {
            Kind::Socket(socket) | Kind::Tls(socket) => Some(socket),
            _ => None,
        }
    }

    /// The server behind a handle; `None` for a stale handle or a socket.
    #[inline]
    pub(crate) fn server(&mut self, id: HandleId) -> Option<&mut ServerState> {
        match &mut self.slot(id)?.kind {
            Kind::Server(server) => Some(server),
            _ => None,
        }
    }
}

impl HandleKind for SocketState {
    fn on_ready(&self) -> Option<ReadyFn> {
        None
    }

    fn on_pending(&self) -> PendingFn {
        match self.tls {
            None => readiness::read_pending::<readiness::Plain>,
            Some(_) => crate::tls::read_pending,
        }
    }

    fn on_close(&self) -> CloseFn {
        readiness::emit_close
    }

    fn keeps_slot(&self) -> bool {
        // Connecting again since its 'close' (or its 'error'), or made by Socket::new and so
        // kept until released, so it can connect again.
        !self.is_closed() || self.retained
    }

    fn freed(&mut self, id: HandleId) -> Option<crate::threadpool::Work> {
        crate::net::lookup::cancel(id)
    }

    fn stats_class(&self) -> StatsClass {
        StatsClass::Socket
    }

    fn describe(&self) -> String {
        format!("socket {}", log_addr::socket_pair(self))
    }
}

impl HandleKind for ServerState {
    fn on_ready(&self) -> Option<ReadyFn> {
        Some(server_ready)
    }

    fn on_pending(&self) -> PendingFn {
        |id, _| server_state::accept_ready(id)
    }

    fn on_close(&self) -> CloseFn {
        // Its 'close' was emitted on a tick; the close phase only frees the slot.
        |id| log::debug!("closed: {}", emit::describe(id))
    }

    fn keeps_slot(&self) -> bool {
        // Listening again since its 'close'.
        self.listen_called
    }

    fn freed(&mut self, _id: HandleId) -> Option<crate::threadpool::Work> {
        None
    }

    fn stats_class(&self) -> StatsClass {
        StatsClass::Server
    }

    fn describe(&self) -> String {
        match self.address {
            Some(address) => format!("server {address}"),
            None => "server (unix)".to_string(),
        }
    }
}

fn server_ready(key: usize, _: Readiness, _: &mut ReadBuffers) {
    let generation = crate::runtime::core::with_core(|core| core.io.get(key).map(|s| s.generation));
    if let Some(Some(generation)) = generation {
        server_state::accept_ready(HandleId::new(key, generation));
    }
}

impl SocketNotice {
    /// The notice as a tick for the loop's queue; only the rare ones carry a box, and that box
    /// is the one they already had.
    pub(crate) fn task(self, id: HandleId) -> Task {
        let notice = match self {
            SocketNotice::End => Notice::Code(0),
            SocketNotice::EndAfterPeer => Notice::Code(1),
            SocketNotice::Drain => Notice::Code(2),
            SocketNotice::Finish => Notice::Code(3),
            SocketNotice::Resume => Notice::Code(4),
            SocketNotice::Readable => Notice::Code(5),
            SocketNotice::Flow => Notice::Code(6),
            SocketNotice::Fail(error) => Notice::Error(7, error),
            SocketNotice::Error(error) => Notice::Error(8, error),
            SocketNotice::Lookup(info) => Notice::Value(9, info),
            SocketNotice::Attempt(info) => Notice::Value(10, info),
            SocketNotice::AttemptFailed(info) => Notice::Value(11, info),
            SocketNotice::AttemptTimeout(info) => Notice::Value(12, info),
        };
        Task::Handle(id, deliver_socket, notice)
    }
}

fn deliver_socket(id: HandleId, notice: Notice) {
    let notice = match notice {
        Notice::Code(0) => SocketNotice::End,
        Notice::Code(1) => SocketNotice::EndAfterPeer,
        Notice::Code(2) => SocketNotice::Drain,
        Notice::Code(3) => SocketNotice::Finish,
        Notice::Code(4) => SocketNotice::Resume,
        Notice::Code(5) => SocketNotice::Readable,
        Notice::Code(6) => SocketNotice::Flow,
        Notice::Error(7, error) => SocketNotice::Fail(error),
        Notice::Error(_, error) => SocketNotice::Error(error),
        Notice::Value(code, value) => {
            if code == 9 {
                match value.downcast::<LookupInfo>() {
                    Ok(info) => SocketNotice::Lookup(info),
                    Err(_) => return,
                }
            } else {
                let Ok(info) = value.downcast::<AttemptInfo>() else {
                    return;
                };
                match code {
                    10 => SocketNotice::Attempt(info),
                    11 => SocketNotice::AttemptFailed(info),
                    _ => SocketNotice::AttemptTimeout(info),
                }
            }
        }
        Notice::Code(_) => return,
    };
    socket_state::deliver(id, notice);
}

impl ServerNotice {
    /// The notice as a tick for the loop's queue.
    pub(crate) fn task(self, id: HandleId) -> Task {
        let notice = match self {
            ServerNotice::Listening => Notice::Code(0),
            ServerNotice::Close => Notice::Code(1),
            ServerNotice::Error(error) => Notice::Error(2, error),
        };
        Task::Handle(id, deliver_server, notice)
    }
}

fn deliver_server(id: HandleId, notice: Notice) {
    let notice = match notice {
        Notice::Code(0) => ServerNotice::Listening,
        Notice::Code(_) => ServerNotice::Close,
        Notice::Error(_, error) => ServerNotice::Error(error),
        Notice::Value(..) => return,
    };
    server_state::deliver(id, notice);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Idle memory per connection is a target (issue 5: at most 1 KiB, with the slot, the boxed
    /// state, the listeners and the registration). State only some sockets need (connecting,
    /// `set_encoding`, `set_timeout`) is boxed behind an `Option`; this catches a field that
    /// grows every socket instead.
    #[test]
    fn socket_state_stays_small() {
        let socket = std::mem::size_of::<SocketState>();
        assert!(
            socket <= 256,
            "SocketState is {socket} bytes; box what few sockets use"
        );
    }
}
