//! A server's state in the loop: the listening socket, its connections, accepting.
//!
//! Mirrors Node's `net.Server` internals (`_handle`, `_connections`, `_emitCloseIfDrained`,
//! `onconnection` with `maxConnections` and `blockList`) and libuv's `uv__server_io` accept loop,
//! with its answer to running out of descriptors (`uv__emfile_trick`).

use std::fs::File;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use mio::net::{TcpListener, UnixListener};
use mio::{Interest, Token};
use socket2::{Domain, Protocol, SockAddr, Socket as RawSocket, Type};

use crate::error::Error;
use crate::handle::HandleId;
use crate::ip::BlockList;
use crate::net::drop_info::DropInfo;
use crate::net::readable::Flowing;
use crate::net::server::ListenOptions;
use crate::net::socket::Socket;
use crate::net::socket_state::SocketState;
use crate::net::stream::{Listener, SocketFile, Stream, Target};
use crate::runtime::core::{with_core, Core};
use crate::runtime::emit;
use crate::runtime::tasks;
use crate::sys::{self, EACCES};
use crate::timers;

/// Connections accepted per readiness event before other handles get a turn.
const ACCEPTS_PER_EVENT: usize = 64;

/// How often a server that could not accept (out of descriptors, say) tries again. A failed
/// accept leaves the connection queued and edge-triggered polling will not report it again, so
/// without a retry the server would stall; retrying at once would spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// Connections closed at once per shedding, so a flood cannot hold the loop.
const SHED_PER_EVENT: usize = 1024;

/// Options for a server and every socket it accepts: Node's `net.createServer(options)`.
///
/// ```
/// use nodenet::ip::{BlockList, Family};
/// use nodenet::net::ServerOptions;
/// let mut block_list = BlockList::new();
/// block_list.add_subnet("10.0.0.0", 8, Family::V4).unwrap();
/// let options = ServerOptions {
///     block_list: Some(block_list),
///     ..ServerOptions::default()
/// };
/// assert!(!options.allow_half_open);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// Keep a socket writable after the peer's FIN instead of ending it: Node's
    /// `allowHalfOpen` (default false).
    pub allow_half_open: bool,
    /// Accepted sockets start paused: Node's `pauseOnConnect` (default false).
    pub pause_on_connect: bool,
    /// Peers to refuse: a connection from an address on the list is closed as soon as it is
    /// accepted, with no `'connection'` and no `'drop'`, as Node 22's `blockList` option does.
    /// Only IP peers are checked (a Unix socket peer has no address).
    pub block_list: Option<BlockList>,
    /// Accepted sockets get Nagle's algorithm off: Node's `noDelay` (default false).
    pub no_delay: bool,
    /// Accepted sockets get keep-alive probes: Node's `keepAlive` (default false).
    pub keep_alive: bool,
    /// Idle time before the first keep-alive probe, in ms: Node's `keepAliveInitialDelay`.
    pub keep_alive_initial_delay: u64,
    /// Where accepted sockets' `write` starts returning false, in bytes: Node's
    /// `highWaterMark` (default 16 KiB).
    pub high_water_mark: Option<usize>,
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
    /// Node's `server.maxConnections`: `None` for no limit; `Some(0)` drops every connection.
    pub(crate) max_connections: Option<usize>,
    /// A descriptor held while listening, to give back when accept runs out of descriptors so
    /// the queued connections can be accepted and closed (libuv's `emfile_fd`).
    reserve: Option<File>,
    /// An accept failed and shedding could not answer it, so the server has said so with an
    /// `'error'`; cleared by the next connection accepted, so one failure spell gives one
    /// `'error'`.
    accept_failing: bool,
    /// The timer that retries accepting after a failure; `None` while none is pending.
    accept_retry: Option<HandleId>,
    /// A TLS server's settings: accepted sockets get a TLS layer in server mode.
    pub(crate) tls: Option<std::rc::Rc<crate::tls::ServerSide>>,
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
            max_connections: None,
            reserve: None,
            accept_failing: false,
            accept_retry: None,
            tls: None,
        }
    }

    /// Stops listening: closes the reserve descriptor and ends a failure spell. Returns the
    /// listener, for the caller to deregister, and the pending accept retry, to remove.
    pub(crate) fn stop_listening(&mut self) -> (Option<Listener>, Option<HandleId>) {
        self.reserve = None;
        self.accept_failing = false;
        (self.listener.take(), self.accept_retry.take())
    }
}

/// Opens the reserve descriptor; any cheap descriptor will do, and `/` always exists.
fn open_reserve() -> Option<File> {
    match File::open("/") {
        Ok(file) => Some(file),
        Err(err) => {
            log::debug!("no reserve descriptor for running out of descriptors: {err}");
            None
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
                crate::runtime::unhandled::warn_if_unguarded(id, "a listening server");
                emit::emit_unit(id, "listening");
            }
        }
        ServerNotice::Close => {
            emit::emit_unit(id, "close");
            with_core(|core| core.closing.push(id));
        }
        ServerNotice::Error(error) => {
            if !emit::emit_error(id, &error) {
                crate::runtime::unhandled::unhandled(error);
            }
        }
    }
}

/// Binds and listens as libuv does: `SO_REUSEADDR`, for `::` a dual-stack socket unless
/// `ipv6_only`, and `SO_REUSEPORT` if asked (Node 22's `reusePort`: several sockets, in this
/// process or others, share the port and the kernel spreads connections over them).
pub(crate) fn bind(addr: SocketAddr, options: &ListenOptions) -> io::Result<Listener> {
    let socket = RawSocket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if options.reuse_port {
        socket.set_reuse_port(true)?;
    }
    if addr.is_ipv6() {
        socket.set_only_v6(options.ipv6_only)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(options.backlog)?;
    Ok(Listener::Tcp(TcpListener::from_std(socket.into())))
}

/// Listens on a Unix socket file, with the backlog Node uses (std's would be 128), and opens
/// the file to everyone if asked (`readableAll`/`writableAll`).
pub(crate) fn bind_path(path: &Path, options: &ListenOptions) -> io::Result<Listener> {
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
    socket.listen(options.backlog)?;
    let listener = UnixListener::from_std(socket.into());
    let listener = Listener::Unix(
        listener,
        SocketFile {
            path: Some(path.to_path_buf()),
            remove_on_close: true,
        },
    );
    // After `listener` exists, so a failure here still removes the file, as Node closes the
    // handle when `uv_pipe_chmod` fails.
    open_to_all(path, options.readable_all, options.writable_all)?;
    Ok(listener)
}

/// libuv's `uv_pipe_chmod`: adds read and/or write permission for user, group and others to
/// the mode the file has (so the umask still shapes the rest: under umask 077 `readableAll`
/// gives `0744`).
fn open_to_all(path: &Path, readable: bool, writable: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if !readable && !writable {
        return Ok(());
    }
    let mut mode = std::fs::metadata(path)?.permissions().mode() & 0o7777;
    if readable {
        mode |= 0o444;
    }
    if writable {
        mode |= 0o222;
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
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
            log::debug!("server {} listening", display_addr(server.address));
            server.listener = Some(listener);
            server.reserve = open_reserve();
            core.ticks.push_back(ServerNotice::Listening.task(id));
        }
        Err(err) => {
            let Some(server) = core.server(id) else {
                return;
            };
            log::debug!("listen on {} failed: {err}", wanted.address());
            server.listen_called = false;
            let error = Error::from_uv_at(&err, "listen", &wanted.address(), wanted.port());
            core.set_liveness(id, false, referenced);
            core.ticks.push_back(ServerNotice::Error(error).task(id));
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
        core.ticks.push_back(ServerNotice::Close.task(id));
    }
}

/// What one accept gave.
enum Accepted {
    Connection(HandleId),
    /// Closed at once: the server was at `max_connections`.
    Dropped(DropInfo),
    /// Closed at once, with nothing to tell: a blocked peer, or a socket that could not be
    /// registered.
    Closed,
    Failed(io::Error),
}

/// Accepts what is waiting, emitting `'connection'` for each socket (or `'drop'`).
pub(crate) fn accept_ready(id: HandleId) {
    for _ in 0..ACCEPTS_PER_EVENT {
        match with_core(|core| accept_one(core, id)).flatten() {
            None => return,
            Some(Accepted::Connection(socket)) => {
                emit::emit_value(id, "connection", &Socket::from_id(socket));
                tasks::drain();
            }
            Some(Accepted::Dropped(info)) => {
                emit_drop(id, &info);
                tasks::drain();
            }
            Some(Accepted::Closed) => {}
            Some(Accepted::Failed(err)) => match err.kind() {
                io::ErrorKind::WouldBlock => return,
                io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted => {}
                _ => {
                    with_core(|core| accept_failed(core, id, &err));
                    return;
                }
            },
        }
    }
    // More may be waiting; edge-triggered polling will not say so again.
    with_core(|core| core.pending_reads.push(id));
}

/// One accept, and Node's `onconnection` checks: `maxConnections` first, then `blockList`. Both
/// cost one branch when unset.
fn accept_one(core: &mut Core, id: HandleId) -> Option<Accepted> {
    let server = core.server(id)?;
    let (stream, peer) = match server.listener.as_ref()?.accept() {
        Ok(accepted) => accepted,
        Err(err) => return Some(Accepted::Failed(err)),
    };
    if server.accept_failing {
        server.accept_failing = false;
        log::info!("accepting connections again");
    }
    if let Some(max) = server.max_connections {
        if server.connections >= max {
            // Dropping the stream closes it, as Node's `clientHandle.close()`.
            return Some(Accepted::Dropped(DropInfo::new(stream.local_addr(), peer)));
        }
    }
    if let Some(block_list) = &server.options.block_list {
        if peer.is_some_and(|peer| block_list.check_ip(peer.ip())) {
            return Some(Accepted::Closed);
        }
    }
    Some(adopt(core, id, stream, peer).map_or(Accepted::Closed, Accepted::Connection))
}

/// An accept failed for a reason that will not clear by itself (most often `EMFILE`/`ENFILE`:
/// out of descriptors), as libuv's `uv__server_io` answers it.
///
/// Out of descriptors with a reserve, the queue is shed (`uv__emfile_trick`): the reserve is
/// closed, the queued connections accepted and closed, the reserve reopened. When that empties
/// the queue, libuv reports nothing, and neither do we: the server carries on, whether or not
/// it has an `'error'` listener, and the next connection brings a new readiness edge. Only when
/// shedding could not run (no reserve) or stopped on another error is the failure emitted as an
/// `'error'` on the server, as Node's `onconnection` emits `accept EMFILE`, once per spell.
///
/// Connections may then stay queued, so accepting is retried when a handle of this loop gives
/// its descriptor back (see [`descriptor_freed`]) and, for descriptors freed elsewhere in the
/// process, after [`ACCEPT_RETRY`]: neither spins, and neither waits for a new connection.
fn accept_failed(core: &mut Core, id: HandleId, err: &io::Error) {
    let Some(server) = core.server(id) else {
        return;
    };
    let address = server.address;
    if is_out_of_descriptors(err) {
        if let Some(shed) = shed_queue(server) {
            log::debug!(
                "server {} accept: {err}; shed {shed} queued connection(s), serving on",
                display_addr(address)
            );
            if shed == SHED_PER_EVENT {
                core.pending_reads.push(id);
            }
            return;
        }
    }
    if !server.accept_failing {
        server.accept_failing = true;
        log::warn!(
            "server {} accept failed: {err}; retrying when a descriptor is freed or every {} ms",
            display_addr(address),
            ACCEPT_RETRY.as_millis()
        );
        core.ticks
            .push_back(ServerNotice::Error(Error::from_io(err, "accept")).task(id));
    }
    if !core.descriptor_waiters.contains(&id) {
        core.descriptor_waiters.push(id);
    }
    let Some(server) = core.server(id) else {
        return;
    };
    if server.accept_retry.is_none() {
        let timer = timers::add_internal(core, Box::new(move || retry_accept(id)));
        timers::arm_internal(core, timer, core.now + ACCEPT_RETRY);
        if let Some(server) = core.server(id) {
            server.accept_retry = Some(timer);
        }
    }
}

/// An address for a log line; `-` when there is none.
pub(crate) fn display_addr(address: Option<SocketAddr>) -> String {
    address.map_or_else(|| "-".to_string(), |address| address.to_string())
}

fn is_out_of_descriptors(err: &io::Error) -> bool {
    // EMFILE (the process's limit) and ENFILE (the system's).
    matches!(err.raw_os_error(), Some(sys::EMFILE | sys::ENFILE))
}

/// libuv's `uv__emfile_trick`: frees the reserve descriptor so the queued connections can be
/// accepted, closes them, and takes the reserve again. Their peers see the connection closed
/// at once rather than waiting in a queue that is not moving. Returns how many were closed if
/// the queue was emptied (accept said `EAGAIN`); `None` if there was no reserve or the accepts
/// stopped on another error, which is then the server's to report.
fn shed_queue(server: &mut ServerState) -> Option<usize> {
    let listener = server.listener.as_ref()?;
    server.reserve.take()?;
    let mut shed = 0;
    let emptied = loop {
        if shed == SHED_PER_EVENT {
            // A flood must not hold the loop; the rest waits for the next turn.
            break true;
        }
        match listener.accept() {
            Ok(_closed_on_drop) => shed += 1,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => break err.kind() == io::ErrorKind::WouldBlock,
        }
    };
    server.reserve = open_reserve();
    emptied.then_some(shed)
}

/// The retry timer fired: it is freed after this call unless a new failure re-arms one.
fn retry_accept(id: HandleId) {
    with_core(|core| {
        if let Some(server) = core.server(id) {
            server.accept_retry = None;
        }
    });
    accept_ready(id);
}

/// `'drop'`, with the dropped connection's addresses.
fn emit_drop(id: HandleId, info: &DropInfo) {
    emit::emit_value(id, "drop", info);
}

/// Registers an accepted stream and gives it a slot; None if registration failed (the stream is
/// closed, as if the peer had hung up at once).
fn adopt(
    core: &mut Core,
    server: HandleId,
    mut stream: Stream,
    peer: Option<SocketAddr>,
) -> Option<HandleId> {
    let options = &core.server(server)?.options;
    let allow_half_open = options.allow_half_open;
    let flowing = if options.pause_on_connect {
        Flowing::No
    } else {
        Flowing::Unset
    };
    let high_water_mark = options.high_water_mark;
    let tls = core.server(server)?.tls.clone();
    let options = &core.server(server)?.options;
    let (no_delay, keep_alive) = (options.no_delay, options.keep_alive);
    let keep_alive_delay = crate::net::socket::secs(options.keep_alive_initial_delay);
    // Node applies these to each accepted socket; the defaults cost nothing.
    if options.no_delay {
        stream.set_nodelay(true);
    }
    if options.keep_alive {
        stream.set_keep_alive(true, options.keep_alive_initial_delay);
    }
    let key = core.io.vacant_key();
    if let Err(err) = core.poll.registry().register(
        &mut stream,
        Token(key),
        Interest::READABLE | Interest::WRITABLE,
    ) {
        log::warn!("cannot register an accepted socket: {err}");
        return None;
    }
    let mut state = SocketState::accepted(stream, peer, server, allow_half_open, flowing);
    // Remembered as set, so set_no_delay and set_keep_alive see what the socket already has.
    state.no_delay = no_delay;
    state.keep_alive = (keep_alive, if keep_alive { keep_alive_delay } else { 0 });
    if let Some(mark) = high_water_mark {
        state.set_high_water_marks(mark);
    }
    let id = match tls {
        None => core.insert_io(crate::kinds::Kind::Socket(Box::new(state)), true),
        Some(tls) => crate::tls::accepted(core, state, tls)?,
    };
    if let Some(server) = core.server(server) {
        server.connections += 1;
        log::debug!(
            "server {} accepted {}",
            display_addr(server.address),
            display_addr(peer)
        );
    }
    Some(id)
}
