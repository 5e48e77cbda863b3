//! What the loop does when the OS says a socket or server is ready: libuv's `uv__stream_io`
//! and `uv__server_io`.
//!
//! Reads go into the loop's one buffer and are lent to `'data'` listeners as a [`Chunk`]; a read
//! shorter than the buffer means the socket is drained (edge-triggered polling reports the next
//! arrival), so the usual cost of an echo is one read and one write.

use std::time::Instant;

use crate::chunk::Chunk;
use crate::error::Error;
use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::net::connect;
use crate::net::readable::{self, Flowing};
use crate::net::socket_state::{self, Phase, SocketState};
use crate::runtime::core::{with_core, Core, IoSlot};
use crate::runtime::emit::{self, HandleListeners, Snapshot};
use crate::runtime::handle_kind::{ReadBuffers, Readiness, ReadyFn};
use crate::runtime::tasks;

/// Reads per readiness event before other handles get a turn; the socket is read again on the
/// next turn of the loop.
const READS_PER_EVENT: usize = 16;

/// How a socket's bytes are read: straight from the descriptor ([`Plain`]), or through a TLS
/// layer (`tls::Decrypted`). A type parameter rather than a test in the loop, so the plain
/// read path is compiled as it was and pays nothing for TLS.
pub(crate) trait Reader {
    /// Reads into `buffer`, as [`SocketState::read`] does.
    fn read(
        socket: &mut SocketState,
        buffer: &mut [u8],
        now: Instant,
        through: bool,
    ) -> Option<std::io::Result<usize>>;
    /// A read failed with `err`: for a descriptor, the socket is destroyed with it.
    fn failed(core: &mut Core, id: HandleId, err: &std::io::Error);
}

/// Reads from the descriptor.
pub(crate) struct Plain;

impl Reader for Plain {
    #[inline(always)]
    fn read(
        socket: &mut SocketState,
        buffer: &mut [u8],
        now: Instant,
        through: bool,
    ) -> Option<std::io::Result<usize>> {
        socket.read(buffer, now, through)
    }

    fn failed(core: &mut Core, id: HandleId, err: &std::io::Error) {
        socket_state::destroy(core, id, Some(Error::from_io(err, "read")));
    }
}

/// What one borrow of the loop state found, for an event or for one read. Kept small (it is
/// returned through the borrow on every event); what the emit after a read needs goes into a
/// [`ReadOut`] instead.
enum Found {
    Nothing,
    /// Not a socket: the event goes to this kind's own `ReadyFn`.
    Other(ReadyFn),
    Connecting,
    /// An open socket whose queue was flushed (the event was writable and it had bytes queued,
    /// a `'drain'` owed or a FIN waiting); it may be readable too.
    Flushed,
    /// A read returned this many bytes; 0 is the peer's FIN.
    Read(usize),
    ReadFailed(std::io::Error),
}

/// What a read leaves for the `'data'` emit after it.
struct ReadOut {
    /// The listeners as they were at the read. Taken and dropped outside the borrow: the last
    /// reference to a list changed since may own closures, whose drop may run user code.
    listeners: Option<Snapshot>,
    /// The socket's decoder turned the bytes into `ReadBuffers::text`.
    decoded: bool,
    /// The bytes went into the socket's own buffer (nobody consumes yet, or bytes wait ahead
    /// of them), not to `'data'` from the loop's buffer.
    buffered: bool,
}

impl ReadOut {
    fn new() -> ReadOut {
        ReadOut {
            listeners: None,
            decoded: false,
            buffered: false,
        }
    }
}

/// Reads once into `buffers`, with the loop state borrowed; `Nothing` when the socket is not
/// reading (paused, ended, closed, or not a socket).
#[inline(always)]
fn read_into<R: Reader>(
    socket: &mut SocketState,
    listeners: &HandleListeners,
    now: Instant,
    buffers: &mut ReadBuffers,
    out: &mut ReadOut,
) -> Found {
    // The one test the fast path pays: bytes that cannot be handed on now are kept, never
    // dropped, and are decoded when they are delivered.
    let through = socket.readable.passes_through();
    let n = match R::read(socket, &mut buffers.bytes, now, through) {
        Some(Ok(n)) => {
            log::trace!(
                "read {n} bytes: {}",
                crate::net::log_addr::socket_pair(socket)
            );
            n
        }
        Some(Err(err)) => return Found::ReadFailed(err),
        None => return Found::Nothing,
    };
    out.buffered = !through;
    if out.buffered {
        if n > 0 {
            socket.readable.push(&buffers.bytes[..n]);
        }
        return Found::Read(n);
    }
    out.decoded = match socket.decoder.as_mut() {
        Some(decoder) => {
            buffers.text.clear();
            if n == 0 {
                decoder.end(&mut buffers.text);
            } else {
                decoder.write(&buffers.bytes[..n], &mut buffers.text);
            }
            true
        }
        None => false,
    };
    if out.listeners.is_none() {
        out.listeners = Some(listeners.snapshot());
    }
    Found::Read(n)
}

/// Handles one readiness event for the socket in slot `key`: the socket kind's
/// [`ReadyFn`](crate::runtime::handle_kind::ReadyFn).
pub(crate) fn dispatch(key: usize, readiness: Readiness, buffers: &mut ReadBuffers) {
    let mut out = ReadOut::new();
    let mut generation = 0;
    // One borrow finds the slot's current handle, what the event means for it, and for the
    // usual event (an open socket with data) makes the first read and snapshots its listeners.
    let found = with_core(|core| {
        let now = core.now;
        let Some(IoSlot {
            generation: current,
            listeners,
            kind,
            ..
        }) = core.io.get_mut(key)
        else {
            return Found::Nothing;
        };
        generation = *current;
        // One lookup per event: the read below reuses the socket found here.
        let Kind::Socket(socket) = kind else {
            return kind.on_ready().map_or(Found::Nothing, Found::Other);
        };
        match socket.phase {
            Phase::Connecting => Found::Connecting,
            // A writable edge with nothing pending (the usual case: ACKs freed send space)
            // costs nothing, as libuv stops watching for writable when its queue is empty.
            Phase::Open if readiness.writable && socket.wants_flush() => {
                socket_state::flush(core, HandleId::new(key, generation));
                Found::Flushed
            }
            Phase::Open if readiness.readable => {
                read_into::<Plain>(socket, listeners, now, buffers, &mut out)
            }
            Phase::Open | Phase::Idle | Phase::Resolving | Phase::Closed => Found::Nothing,
        }
    })
    .unwrap_or(Found::Nothing);
    let id = HandleId::new(key, generation);
    let until_would_block = readiness.read_closed;
    match found {
        Found::Nothing => {}
        Found::Other(ready) => ready(key, readiness, buffers),
        Found::Connecting => {
            if connect::connected(id) && readiness.readable {
                read::<Plain>(id, until_would_block, buffers, &mut out, None);
            }
        }
        Found::Flushed => {
            tasks::drain();
            if readiness.readable {
                read::<Plain>(id, until_would_block, buffers, &mut out, None);
            }
        }
        // The usual event, inline: one short read, so the socket is drained.
        Found::Read(n)
            if n > 0
                && n < buffers.bytes.len()
                && !until_would_block
                && !out.decoded
                && !out.buffered =>
        {
            if let Some(listeners) = out.listeners.take() {
                emit::emit_data_to(id, &listeners, Chunk::new(&buffers.bytes[..n]));
                tasks::drain();
            }
        }
        found => read::<Plain>(id, until_would_block, buffers, &mut out, Some(found)),
    }
}

/// Reads until the socket is drained, paused, capped or closed, emitting `'data'` per read;
/// `first` is what a read the caller already made found.
#[inline(never)]
fn read<R: Reader>(
    id: HandleId,
    until_would_block: bool,
    buffers: &mut ReadBuffers,
    out: &mut ReadOut,
    first: Option<Found>,
) {
    let mut reads = 0;
    let mut found = match first {
        Some(found) => found,
        None => read_again::<R>(id, buffers, out),
    };
    loop {
        let n = match found {
            Found::Read(n) => n,
            Found::ReadFailed(err) => match err.kind() {
                std::io::ErrorKind::WouldBlock => break,
                std::io::ErrorKind::Interrupted => {
                    found = read_again::<R>(id, buffers, out);
                    continue;
                }
                _ => {
                    with_core(|core| R::failed(core, id, &err));
                    tasks::drain();
                    break;
                }
            },
            _ => break,
        };
        if out.buffered {
            if n > 0 {
                kept(id);
            }
        } else if let Some(listeners) = out.listeners.take() {
            if out.decoded {
                // A character split across reads, or bytes held for base64, leave nothing
                // to emit yet.
                if !buffers.text.is_empty() {
                    emit::emit_data_to(id, &listeners, Chunk::new(buffers.text.as_bytes()));
                    tasks::drain();
                }
            } else if n > 0 {
                emit::emit_data_to(id, &listeners, Chunk::new(&buffers.bytes[..n]));
                tasks::drain();
            }
        }
        if n == 0 {
            with_core(|core| {
                if let Some(socket) = core.socket(id) {
                    socket.read_ended = true;
                    // 'readable' first: Node queues it from push(null), then 'end' from
                    // read(0), which comes only once every buffered byte is delivered.
                    readable::notify_reader(core, id);
                    readable::consumed(core, id);
                    socket_state::update_activity(core, id);
                }
            });
            tasks::drain();
            break;
        }
        reads += 1;
        if n < buffers.bytes.len() && !until_would_block {
            break;
        }
        if reads == READS_PER_EVENT {
            with_core(|core| core.pending_reads.push(id));
            break;
        }
        found = read_again::<R>(id, buffers, out);
    }
}

/// Bytes went into the socket's buffer: a flowing socket delivers them after those that
/// waited ahead of them; otherwise a reader that asked is told.
fn kept(id: HandleId) {
    let flowing = with_core(|core| {
        let readable = &core.socket(id)?.readable;
        let flowing = readable.flowing == Flowing::Yes;
        let full = readable.is_full();
        if !flowing {
            readable::notify_reader(core, id);
        }
        if full {
            // Node's readStop once push() says the buffer is full: nobody reads, nothing is
            // written, so this socket alone no longer keeps the loop (or the process) alive.
            socket_state::update_activity(core, id);
        }
        Some(flowing)
    })
    .flatten();
    if flowing == Some(true) {
        readable::flow(id);
    }
    tasks::drain();
}

fn read_again<R: Reader>(id: HandleId, buffers: &mut ReadBuffers, out: &mut ReadOut) -> Found {
    with_core(|core| {
        let now = core.now;
        let Some(IoSlot {
            listeners, kind, ..
        }) = core.slot(id)
        else {
            return Found::Nothing;
        };
        match kind {
            Kind::Socket(socket) | Kind::Tls(socket) => {
                read_into::<R>(socket, listeners, now, buffers, out)
            }
            _ => Found::Nothing,
        }
    })
    .unwrap_or(Found::Nothing)
}

/// A read owed without a readiness edge (resumed, or stopped by the per-event cap), through
/// `R`: the socket kind's [`PendingFn`](crate::runtime::handle_kind::PendingFn) is
/// `read_pending::<Plain>`; a layer's reader (TLS) uses the same loop.
pub(crate) fn read_pending<R: Reader>(id: HandleId, buffers: &mut ReadBuffers) {
    read::<R>(id, true, buffers, &mut ReadOut::new(), None);
}

/// The close phase's `'close'` for sockets, with `had_error`: the socket kind's
/// [`CloseFn`](crate::runtime::handle_kind::CloseFn).
pub(crate) fn emit_close(id: HandleId) {
    let had_error = with_core(|core| {
        // A released socket whose 'close' was emitted before is here only to be freed.
        let socket = core.socket(id)?;
        let first = !std::mem::replace(&mut socket.close_emitted, true);
        first.then_some(socket.had_error)
    })
    .flatten();
    log::debug!(
        "closed: {}{}",
        crate::net::log_addr::of(id),
        if had_error == Some(true) {
            " (had an error)"
        } else {
            ""
        }
    );
    if let Some(had_error) = had_error {
        emit::emit_flag(id, "close", had_error);
    }
}
