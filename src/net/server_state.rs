//! A server's state in the loop: the listening socket, its connections, accepting.
//!
//! Mirrors Node's `net.Server` internals (`_handle`, `_connections`, `_emitCloseIfDrained`) and
//! libuv's `uv__server_io` accept loop.

use std::io;
use std::net::SocketAddr;
use std::path::Path;

use mio::net::{TcpListener, UnixListener};
use mio::{Interest, Token};
use socket2::{Domain, Protocol, SockAddr, Socket as RawSocket, Type};

use crate::error::Error;
use crate::handle::HandleId;
use crate::net::socket::Socket;
use crate::net::socket_state::SocketState;
use crate::net::stream::{Listener, Stream, Target};
use crate::runtime::core::{with_core, Core, IoKind};
use crate::runtime::emit;
use crate::runtime::tasks::{self, Task};

/// Connections accepted per readiness event before other handles get a turn.
const ACCEPTS_PER_EVENT: usize = 64;

/// Options that every accepted socket inherits: Node's `net.createServer(options)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// Keep a socket writable after the peer's FIN instead of ending it: Node's
    /// `allowHalfOpen` (default false).
    pub allow_half_open: bool,
    /// Accepted sockets start paused: Node's `pauseOnConnect` (default false).
    pub pause_on_connect: bool,
}

pub(crate) struct ServerState {
    pub(crate) listener: Option<Listener>,
    /// `listen()` was called and the server has not been closed since.
    pub(crate) listen_called: bool,
    pub(crate) connections: usize,
    pub(crate) close_called: bool,
    pub(crate) close_queued: bool,
    pub(crate) options: ServerOptions,
    pub(crate) address: Option<SocketAddr>,
}

impl ServerState {
    pub(crate) fn new(options: ServerOptions) -> ServerState {
        ServerState {
            listener: None,
            listen_called: false,
            connections: 0,
            close_called: false,
            close_queued: false,
            options,
            address: None,
        }
    }
}

pub(crate) enum ServerNotice {
    Listening,
    Error(Error),
    /// `'close'`; the slot is then freed in the close phase, after the current batch.
    Close,
}

pub(crate) fn deliver(id: HandleId, notice: ServerNotice) {
    match notice {
        ServerNotice::Listening => {
            // A close() between listen() and this tick cancels the event, as in Node.
            let listening = with_core(|core| core.server(id).is_some_and(|s| s.listener.is_some()));
            if listening == Some(true) {
                emit::emit_unit(id, "listening");
            }
        }
        ServerNotice::Close => {
            emit::emit_unit(id, "close");
            with_core(|core| core.closing.push(id));
        }
        ServerNotice::Error(error) => {
            if !emit::emit_error(id, &error) {
                crate::runtime::core::unhandled(error);
            }
        }
    }
}

/// Binds and listens as libuv does: `SO_REUSEADDR`, and for `::` a dual-stack socket unless
/// `ipv6_only`.
pub(crate) fn bind(addr: SocketAddr, backlog: i32, ipv6_only: bool) -> io::Result<Listener> {
    let socket = RawSocket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(ipv6_only)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    Ok(Listener::Tcp(TcpListener::from_std(socket.into())))
}

/// EACCES, the same number on Linux and the BSDs.
const EACCES: i32 = 13;

/// Listens on a Unix socket file, with the backlog Node uses (std's would be 128).
pub(crate) fn bind_path(path: &Path, backlog: i32) -> io::Result<Listener> {
    let socket = RawSocket::new(Domain::UNIX, Type::STREAM, None)?;
    socket.set_nonblocking(true)?;
    socket.bind(&SockAddr::unix(path)?).map_err(|err| {
        // libuv's uv_pipe_bind reports a missing directory as EACCES, so Node does too.
        if err.kind() == io::ErrorKind::NotFound {
            io::Error::from_raw_os_error(EACCES)
        } else {
            err
        }
    })?;
    socket.listen(backlog)?;
    let listener = UnixListener::from_std(socket.into());
    Ok(Listener::Unix(listener, path.to_path_buf()))
}

/// Stores a bound listener and queues `'listening'`, or queues the bind error.
pub(crate) fn listen_result(
    core: &mut Core,
    id: HandleId,
    result: io::Result<Listener>,
    wanted: &Target,
) {
    let referenced = core.slot(id).is_some_and(|slot| slot.referenced);
    match result.and_then(|mut listener| {
        core.poll
            .registry()
            .register(&mut listener, Token(id.key()), Interest::READABLE)?;
        Ok(listener)
    }) {
        Ok(listener) => {
            let Some(server) = core.server(id) else {
                return;
            };
            if server.close_called {
                return;
            }
            server.address = listener.local_addr();
            server.listener = Some(listener);
            core.ticks
                .push_back(Task::Server(id, ServerNotice::Listening));
        }
        Err(err) => {
            let Some(server) = core.server(id) else {
                return;
            };
            server.listen_called = false;
            let error = Error::from_uv_at(&err, "listen", &wanted.address(), wanted.port());
            core.set_liveness(id, false, referenced);
            core.ticks
                .push_back(Task::Server(id, ServerNotice::Error(error)));
        }
    }
}

/// A connection of this server closed: Node's `_connections--` and `_emitCloseIfDrained`.
pub(crate) fn connection_closed(core: &mut Core, id: HandleId) {
    if let Some(server) = core.server(id) {
        server.connections = server.connections.saturating_sub(1);
    }
    close_if_drained(core, id);
}

pub(crate) fn close_if_drained(core: &mut Core, id: HandleId) {
    let Some(server) = core.server(id) else {
        return;
    };
    if server.close_called && server.connections == 0 && !server.close_queued {
        server.close_queued = true;
        // Node emits a server's 'close' on the next tick, so before the 'close' of its last
        // connection (which waits for the close phase).
        core.ticks.push_back(Task::Server(id, ServerNotice::Close));
    }
}

/// Accepts what is waiting, emitting `'connection'` for each socket.
pub(crate) fn accept_ready(id: HandleId) {
    for _ in 0..ACCEPTS_PER_EVENT {
        let accepted = with_core(|core| {
            let server = core.server(id)?;
            let listener = server.listener.as_ref()?;
            Some(match listener.accept() {
                Ok((stream, peer)) => Ok(adopt(core, id, stream, peer)),
                Err(err) => Err(err),
            })
        })
        .flatten();
        match accepted {
            None => return,
            Some(Ok(Some(socket))) => {
                emit::emit_socket(id, "connection", Socket::from_id(socket));
                tasks::drain();
            }
            Some(Ok(None)) => {}
            Some(Err(err)) => match err.kind() {
                io::ErrorKind::WouldBlock => return,
                io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted => {}
                _ => {
                    log::warn!("accept failed: {err}");
                    let error = Error::from_io(&err, "accept");
                    with_core(|core| {
                        core.ticks
                            .push_back(Task::Server(id, ServerNotice::Error(error)))
                    });
                    return;
                }
            },
        }
    }
    // More may be waiting; edge-triggered polling will not say so again.
    with_core(|core| core.pending_reads.push(id));
}

/// Registers an accepted stream and gives it a slot; None if registration failed (the stream is
/// closed, as if the peer had hung up at once).
fn adopt(
    core: &mut Core,
    server: HandleId,
    mut stream: Stream,
    peer: Option<SocketAddr>,
) -> Option<HandleId> {
    let options = core.server(server)?.options;
    let key = core.io.vacant_key();
    if let Err(err) = core.poll.registry().register(
        &mut stream,
        Token(key),
        Interest::READABLE | Interest::WRITABLE,
    ) {
        log::warn!("cannot register an accepted socket: {err}");
        return None;
    }
    let state = SocketState::accepted(
        stream,
        peer,
        server,
        options.allow_half_open,
        !options.pause_on_connect,
    );
    let id = core.insert_io(IoKind::Socket(Box::new(state)), true);
    if let Some(server) = core.server(server) {
        server.connections += 1;
    }
    Some(id)
}
