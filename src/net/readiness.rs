//! What the loop does when the OS says a socket or server is ready: libuv's `uv__stream_io`
//! and `uv__server_io`.
//!
//! Reads go into the loop's one buffer and are lent to `'data'` listeners as a [`Chunk`]; a read
//! shorter than the buffer means the socket is drained (edge-triggered polling reports the next
//! arrival), so the usual cost of an echo is one read and one write.

use crate::chunk::Chunk;
use crate::error::Error;
use crate::handle::HandleId;
use crate::net::server_state;
use crate::net::socket_state::{self, ConnectProgress, Phase, SocketNotice};
use crate::runtime::core::{with_core, IoKind, READ_BUFFER_SIZE};
use crate::runtime::emit;
use crate::runtime::tasks::{self, Task};

/// Reads per readiness event before other handles get a turn; the socket is read again on the
/// next turn of the loop.
const READS_PER_EVENT: usize = 16;

/// The parts of a `mio::Event` the handlers need, copied so the event buffer is not borrowed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Readiness {
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    /// The peer's FIN or an error is pending: read until EOF rather than stop at a short read.
    pub(crate) read_closed: bool,
}

impl From<&mio::event::Event> for Readiness {
    fn from(event: &mio::event::Event) -> Readiness {
        Readiness {
            readable: event.is_readable() || event.is_error(),
            writable: event.is_writable() || event.is_error(),
            read_closed: event.is_read_closed() || event.is_error(),
        }
    }
}

enum Target {
    Server,
    Connecting,
    /// `flush`: the event is writable and the socket has something to write or finish.
    Open {
        flush: bool,
    },
}

/// Handles one readiness event for the handle in slot `key`.
pub(crate) fn dispatch(key: usize, readiness: Readiness) {
    // One borrow finds the slot's current handle and what the event means for it.
    let target = with_core(|core| {
        let slot = core.io.get(key)?;
        let id = HandleId::new(key, slot.generation);
        let target = match &slot.kind {
            IoKind::Server(_) => Target::Server,
            IoKind::Socket(socket) => match socket.phase {
                Phase::Connecting => Target::Connecting,
                Phase::Open => Target::Open {
                    flush: readiness.writable && socket.wants_flush(),
                },
                Phase::Resolving | Phase::Closed => return None,
            },
        };
        Some((id, target))
    })
    .flatten();
    let Some((id, target)) = target else {
        return;
    };
    match target {
        Target::Server => server_state::accept_ready(id),
        Target::Connecting if connected(id) && readiness.readable => {
            read(id, readiness.read_closed);
        }
        Target::Connecting => {}
        Target::Open { flush } => {
            // A writable edge with nothing pending (the usual case: ACKs freed send space)
            // costs nothing, as libuv stops watching for writable when its queue is empty.
            if flush {
                with_core(|core| socket_state::flush(core, id));
                tasks::drain();
            }
            if readiness.readable {
                read(id, readiness.read_closed);
            }
        }
    }
}

/// Finishes a connect; on success emits `'connect'` and `'ready'` before any `'data'`, and
/// sends what was written while connecting.
fn connected(id: HandleId) -> bool {
    let progress = with_core(|core| socket_state::finish_connect(core, id));
    if !matches!(progress, Some(ConnectProgress::Connected)) {
        tasks::drain();
        return false;
    }
    emit::emit_unit(id, "connect");
    emit::emit_unit(id, "ready");
    tasks::drain();
    with_core(|core| socket_state::flush(core, id));
    tasks::drain();
    true
}

/// Reads until the socket is drained, paused, capped or closed, emitting `'data'` per read.
fn read(id: HandleId, until_would_block: bool) {
    let Some((mut buffer, mut text)) = with_core(|core| {
        (
            std::mem::take(&mut core.read_buffer),
            std::mem::take(&mut core.text_buffer),
        )
    }) else {
        return;
    };
    // A panic in a listener unwinds past the put-back below; start again with a fresh buffer.
    if buffer.len() < READ_BUFFER_SIZE {
        buffer.resize(READ_BUFFER_SIZE, 0);
    }
    let mut reads = 0;
    loop {
        let result = with_core(|core| {
            let now = core.now;
            let socket = core.socket(id)?;
            let result = socket.read(&mut buffer, now)?;
            let decoded = match (&result, socket.decoder.as_mut()) {
                (Ok(0), Some(decoder)) => {
                    text.clear();
                    decoder.end(&mut text);
                    true
                }
                (Ok(n), Some(decoder)) => {
                    text.clear();
                    decoder.write(&buffer[..*n], &mut text);
                    true
                }
                _ => false,
            };
            Some((result, decoded))
        })
        .flatten();
        let Some((result, decoded)) = result else {
            break;
        };
        // A character split across reads, or bytes held for base64, leave nothing to emit yet.
        if decoded && !text.is_empty() {
            emit::emit_data(id, Chunk::new(text.as_bytes()));
            tasks::drain();
        }
        match result {
            Ok(0) => {
                with_core(|core| {
                    if let Some(socket) = core.socket(id) {
                        socket.read_ended = true;
                        core.ticks.push_back(Task::Socket(id, SocketNotice::End));
                    }
                });
                tasks::drain();
                break;
            }
            Ok(n) => {
                if !decoded {
                    emit::emit_data(id, Chunk::new(&buffer[..n]));
                    tasks::drain();
                }
                reads += 1;
                if n < buffer.len() && !until_would_block {
                    break;
                }
                if reads == READS_PER_EVENT {
                    with_core(|core| core.pending_reads.push(id));
                    break;
                }
            }
            Err(err) => match err.kind() {
                std::io::ErrorKind::WouldBlock => break,
                std::io::ErrorKind::Interrupted => {}
                _ => {
                    let error = Error::from_io(&err, "read");
                    with_core(|core| socket_state::destroy(core, id, Some(error)));
                    tasks::drain();
                    break;
                }
            },
        }
    }
    with_core(|core| {
        core.read_buffer = buffer;
        core.text_buffer = text;
    });
}

/// Reads that could not wait for a readiness edge: sockets resumed after a pause, and sockets
/// and servers that hit their per-event cap.
pub(crate) fn run_pending_reads() {
    let pending = with_core(|core| std::mem::take(&mut core.pending_reads)).unwrap_or_default();
    for id in pending {
        let is_server = with_core(|core| core.server(id).is_some());
        match is_server {
            Some(true) => server_state::accept_ready(id),
            Some(false) => read(id, true),
            None => {}
        }
    }
}

/// The close phase's `'close'` for sockets, with `had_error`. A server's `'close'` has already
/// been emitted on a tick; it is here only to have its slot freed.
pub(crate) fn emit_close(id: HandleId) {
    let had_error = with_core(|core| match &core.slot(id)?.kind {
        IoKind::Socket(socket) => Some(socket.had_error),
        IoKind::Server(_) => None,
    })
    .flatten();
    if let Some(had_error) = had_error {
        emit::emit_flag(id, "close", had_error);
    }
}
