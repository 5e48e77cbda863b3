//! The TLS socket kind as the loop drives it: readiness, the handshake and its end
//! (`'secureConnect'`, `'secureConnection'`, `'tlsClientError'`), the handshake timeout, and
//! the flush of queued writes through the layer. Node's `TLSSocket` and `TLSWrap` event flow.
//!
//! Readiness events of TLS sockets come here (`Kind::Tls`), so the plain socket's path pays
//! nothing for TLS. Once the handshake is done, reads go through the socket read loop of
//! `net/readiness.rs` with the TLS reader, so `'data'`, pause, `set_encoding`, `'end'` and the
//! read cap behave as for TCP.

use rustls::pki_types::CertificateDer;

use crate::error::Error;
use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::net::connect;
use crate::net::readiness;
use crate::net::socket::Socket;
use crate::net::socket_state::{self, Phase, SocketNotice};
use crate::runtime::core::{with_core, Core};
use crate::runtime::emit;
use crate::runtime::handle_kind::{ReadBuffers, Readiness};
use crate::runtime::tasks::{self, Task};
use crate::timers;
use crate::tls::errors;
use crate::tls::layer::{Decrypted, HandshakeFailure, Role};
use crate::tls::verify::{self, Verification};

/// The TLS socket kind's `ReadyFn`.
pub(crate) fn ready(key: usize, readiness: Readiness, buffers: &mut ReadBuffers) {
    let found = with_core(|core| {
        let slot = core.io.get_mut(key)?;
        let id = HandleId::new(key, slot.generation);
        let Kind::Tls(socket) = &mut slot.kind else {
            return None;
        };
        if let Some(tls) = socket.tls.as_mut() {
            tls.armed();
        }
        Some((id, socket.phase))
    })
    .flatten();
    let Some((id, phase)) = found else {
        return;
    };
    match phase {
        Phase::Connecting => {
            // 'connect' and 'ready', then the flush that sends the ClientHello.
            if connect::connected(id) {
                progress(id, buffers);
            }
        }
        Phase::Open => {
            if readiness.writable {
                with_core(|core| socket_state::flush(core, id));
                tasks::drain();
            }
            progress(id, buffers);
        }
        Phase::Idle | Phase::Resolving | Phase::Closed => {}
    }
}

/// A read owed without an edge (resumed, or capped): the TLS socket kind's `PendingFn`.
pub(crate) fn read_pending(id: HandleId, buffers: &mut ReadBuffers) {
    readiness::read_pending::<Decrypted>(id, buffers);
}

enum Step {
    Waiting,
    Done,
    Open,
    Failed(Error),
}

/// Moves the handshake on; once it is done, reads application data.
fn progress(id: HandleId, buffers: &mut ReadBuffers) {
    let step = with_core(|core| {
        let socket = core.socket(id)?;
        if socket.phase != Phase::Open {
            return None;
        }
        let stream = socket.stream.as_ref()?;
        let tls = socket.tls.as_mut()?;
        if tls.secured {
            return Some(Step::Open);
        }
        Some(match tls.handshake(stream) {
            Ok(true) => Step::Done,
            Ok(false) => Step::Waiting,
            Err(failure) => Step::Failed(failure_error(failure, tls)),
        })
    })
    .flatten();
    match step {
        None | Some(Step::Waiting) => return,
        Some(Step::Failed(error)) => return fail(id, error),
        Some(Step::Done) => {
            if !secure(id) {
                return;
            }
            readiness::read_pending::<Decrypted>(id, buffers);
            // What the handshake left (and what was written meanwhile) goes out now.
            with_core(|core| socket_state::flush(core, id));
            tasks::drain();
            return;
        }
        Some(Step::Open) => {}
    }
    readiness::read_pending::<Decrypted>(id, buffers);
}

fn failure_error(failure: HandshakeFailure, tls: &crate::tls::TlsLayer) -> Error {
    let reset = || {
        if tls.is_client() {
            errors::client_disconnected()
        } else {
            errors::hang_up()
        }
    };
    match failure {
        HandshakeFailure::Closed => reset(),
        HandshakeFailure::Io(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            ) =>
        {
            reset()
        }
        HandshakeFailure::Io(err) => Error::from_io(&err, "read"),
        HandshakeFailure::Tls(err) => errors::from_rustls(&err),
    }
}

/// The handshake failed: a client's socket is destroyed with the error; a server reports it
/// with `'tlsClientError'` and closes only that socket, as Node's `onSocketTLSError`.
pub(crate) fn fail(id: HandleId, error: Error) {
    let server = with_core(|core| {
        let socket = core.socket(id)?;
        if socket.is_closed() {
            return None;
        }
        let server = match socket.tls.as_ref().map(|tls| tls.is_client()) {
            Some(false) => socket.server,
            _ => None,
        };
        match server {
            Some(server) => {
                socket_state::destroy(core, id, None);
                Some(Some(server))
            }
            None => {
                socket_state::destroy(core, id, Some(error.clone()));
                Some(None)
            }
        }
    })
    .flatten();
    if let Some(Some(server)) = server {
        log::debug!("tlsClientError: {error}");
        let pair = ClientError {
            error,
            socket: Socket::from_id(id),
        };
        emit::emit_value(server, "tlsClientError", &pair);
    }
    tasks::drain();
}

/// What `'tlsClientError'` passes: the error and the socket.
pub(crate) struct ClientError {
    pub(crate) error: Error,
    pub(crate) socket: Socket,
}

/// The handshake is done: verification as Node judges it, then `'secureConnect'` (client) or
/// `'secureConnection'` (server). False when the socket was destroyed instead.
fn secure(id: HandleId) -> bool {
    // Taken out of the loop state first: the verification may run the user's
    // `check_server_identity`, which must not find the state borrowed.
    let taken = with_core(|core| {
        let socket = core.socket(id)?;
        let server = socket.server;
        let tls = socket.tls.as_mut()?;
        tls.secured = true;
        let timer = tls.timer.take();
        let chain: Option<Vec<CertificateDer<'static>>> =
            tls.conn.peer_certificates().map(<[_]>::to_vec);
        let role = match &tls.role {
            Role::Client(side) => Role::Client(side.clone()),
            Role::Server(side) => Role::Server(side.clone()),
        };
        if let Some(timer) = timer {
            timers::remove_internal(core, timer);
        }
        Some((chain, role, server))
    })
    .flatten();
    let Some((chain, role, server)) = taken else {
        return false;
    };
    let (verification, reject, client) = match &role {
        Role::Client(side) => (
            verify::verify_server(
                chain.as_deref(),
                &side.roots,
                &side.server_name,
                &side.hostname,
                side.check_server_identity.as_ref(),
            ),
            side.reject_unauthorized,
            true,
        ),
        Role::Server(side) => match &side.client_roots {
            Some(roots) if side.request_cert => (
                verify::verify_client(chain.as_deref(), roots),
                side.reject_unauthorized,
                false,
            ),
            _ => (Verification::default(), false, false),
        },
    };
    let rejected = reject && verification.error.is_some();
    let outcome = with_core(|core| {
        let socket = core.socket(id)?;
        if socket.is_closed() {
            return None;
        }
        let error = verification.error.clone();
        if let Some(tls) = socket.tls.as_mut() {
            tls.verification = verification;
        }
        if rejected && client {
            socket_state::destroy(core, id, error);
        } else if rejected {
            if let Some(stream) = core.socket(id).and_then(|socket| socket.stream.as_ref()) {
                crate::tls::TlsLayer::discard_input(stream);
            }
        }
        Some((rejected, client, server))
    })
    .flatten();
    let Some((rejected, client, server)) = outcome else {
        return false;
    };
    if rejected {
        if !client {
            // Node's server destroys the socket before releasing it to the user, which its
            // close handler reports as a client that hung up.
            fail(id, errors::hang_up());
        }
        tasks::drain();
        return false;
    }
    if client {
        log::debug!("secureConnect: {}", crate::net::log_addr::of(id));
        emit::emit_unit(id, "secureConnect");
    } else if let Some(server) = server {
        emit::emit_unit(id, "secure");
        emit::emit_value(server, "secureConnection", &Socket::from_id(id));
    }
    tasks::drain();
    with_core(|core| core.socket(id).is_some_and(|socket| !socket.is_closed())).unwrap_or(false)
}

fn gone(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
    )
}

/// Arms a server socket's handshake timeout.
pub(crate) fn start_timer(core: &mut Core, id: HandleId, ms: u64) {
    let timer = timers::add_internal(core, Box::new(move || timed_out(id)));
    let deadline = core.now + std::time::Duration::from_millis(ms);
    timers::arm_internal(core, timer, deadline);
    match core.socket(id).and_then(|socket| socket.tls.as_mut()) {
        Some(tls) => tls.timer = Some(timer),
        None => timers::remove_internal(core, timer),
    }
}

fn timed_out(id: HandleId) {
    let pending = with_core(|core| {
        let socket = core.socket(id)?;
        let tls = socket.tls.as_mut()?;
        let timer = tls.timer.take()?;
        timers::remove_internal(core, timer);
        Some(())
    })
    .flatten();
    if pending.is_some() {
        fail(id, errors::handshake_timeout());
    }
}

/// Sends what waits: records rustls holds, then queued plaintext through the layer; when all
/// has gone, `'drain'` if owed, and on `end()` our `close_notify` and then the FIN.
pub(crate) fn flush(core: &mut Core, id: HandleId) {
    let Core { io, ticks, .. } = core;
    let Some(slot) = io.get_mut(id.key()) else {
        return;
    };
    if slot.generation != id.generation {
        return;
    }
    let Kind::Tls(socket) = &mut slot.kind else {
        return;
    };
    if socket.phase != Phase::Open || socket.corked > 0 {
        return;
    }
    let (Some(stream), Some(tls)) = (socket.stream.as_ref(), socket.tls.as_mut()) else {
        return;
    };
    let first_callback = ticks.len();
    loop {
        match tls.send_pending(stream) {
            Ok(true) => {}
            Ok(false) => return,
            Err(err) => {
                socket_state::destroy(core, id, Some(Error::from_io(&err, "write")));
                return;
            }
        }
        if !tls.secured {
            return;
        }
        if socket.queue.is_empty() {
            break;
        }
        let encrypted = socket.queue.flush(
            |slices| tls.encrypt(slices),
            |callback| ticks.push_back(Task::Done(callback, None)),
        );
        match encrypted {
            Ok(sent) => socket.bytes_sent += sent as u64,
            Err(err) => {
                socket_state::destroy(core, id, Some(Error::from_io(&err, "write")));
                return;
            }
        }
    }
    if std::mem::take(&mut socket.need_drain) && !socket.end_called {
        ticks.insert(first_callback, SocketNotice::Drain.task(id));
    }
    let not_reading = socket.read_ended || socket.readable.held;
    if socket.end_called && !socket.write_shut {
        if !tls.close_notify_sent {
            tls.close_notify_sent = true;
            tls.conn.send_close_notify();
            match tls.send_pending(stream) {
                Ok(true) => {}
                Ok(false) => return,
                // The peer has ended and gone: its FIN said all there was to say.
                Err(err) if socket.read_ended && gone(&err) => {}
                Err(err) => {
                    socket_state::destroy(core, id, Some(Error::from_io(&err, "write")));
                    return;
                }
            }
        }
        socket_state::shutdown_stream(core, id);
    }
    if not_reading {
        socket_state::update_activity(core, id);
    }
}
