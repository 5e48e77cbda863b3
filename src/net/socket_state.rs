//! A socket's state in the loop and the operations on it that run no user code.
//!
//! Mirrors what Node keeps across `net.Socket`, its `Readable`/`Writable` states and the libuv
//! `uv_tcp_t`: the phase of the connection, which side has ended, the write queue, the byte
//! counters. Everything here runs with the core borrowed; what users must hear about is queued
//! as a tick ([`SocketNotice`]) and emitted by [`deliver`] once the borrow is gone.

use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use crate::error::{codes, Error};
use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::net::connect::ConnectState;
use crate::net::connect_events::{AttemptInfo, LookupInfo};
use crate::net::idle_timeout::IdleTimeout;
use crate::net::readable::{self, Flowing, Readable, READABLE_HIGH_WATER_MARK};
use crate::net::server_state;
use crate::net::stream::Stream;
pub(crate) use crate::net::write_queue::WriteCallback;
use crate::net::write_queue::WriteQueue;
use crate::runtime::core::{with_core, Core};
use crate::runtime::emit;
use crate::runtime::tasks::Task;
use crate::string_decoder::StringDecoder;
use crate::timers;

/// Node's default `writableHighWaterMark` for sockets: `write` returns false at 16 KiB queued.
pub(crate) const HIGH_WATER_MARK: usize = 16 * 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Phase {
    /// Made by `Socket::new` and never connected: Node's socket before `connect()`, with no
    /// handle yet.
    Idle,
    /// Waiting for a name lookup.
    Resolving,
    /// `connect()` issued, not yet established.
    Connecting,
    Open,
    /// Destroyed: the descriptor is closed, `'close'` is queued or emitted.
    Closed,
}

pub(crate) struct SocketState {
    pub(crate) stream: Option<Stream>,
    pub(crate) phase: Phase,
    pub(crate) readable: Readable,
    pub(crate) allow_half_open: bool,
    /// The peer's FIN was read.
    pub(crate) read_ended: bool,
    pub(crate) end_emitted: bool,
    /// `end()` was called: Node's `writableEnded`.
    pub(crate) end_called: bool,
    /// Our FIN was sent.
    pub(crate) write_shut: bool,
    pub(crate) finished: bool,
    /// Our `end()` came from the peer's FIN (no half-open), so late writes get Node's EPIPE.
    pub(crate) ended_by_peer: bool,
    pub(crate) queue: WriteQueue,
    pub(crate) need_drain: bool,
    pub(crate) bytes_read: u64,
    pub(crate) bytes_sent: u64,
    pub(crate) server: Option<HandleId>,
    pub(crate) had_error: bool,
    /// Boxed: only outgoing sockets need it, and only until they connect.
    pub(crate) connect: Option<Box<ConnectState>>,
    pub(crate) peer: Option<SocketAddr>,
    /// Node's `kSetNoDelay`: what `set_no_delay` last asked for.
    pub(crate) no_delay: bool,
    /// Node's `kSetKeepAlive` and `kSetKeepAliveInitialDelay`: enabled, and the delay in whole
    /// seconds.
    pub(crate) keep_alive: (bool, u32),
    /// What `set_timeout` last set, in ms: Node's `socket.timeout`, kept (0 included) after the
    /// timer is gone.
    pub(crate) timeout_ms: Option<u32>,
    /// Set by `set_encoding`: reads are decoded to text before `'data'`.
    pub(crate) decoder: Option<Box<StringDecoder>>,
    /// Set by `set_timeout`.
    pub(crate) idle: Option<Box<IdleTimeout>>,
    /// `set_max_write_buffer`: the most bytes the queue may hold (0: no cap). A write that
    /// would go past it destroys the socket rather than let a peer that never reads grow it.
    pub(crate) max_write_buffer: usize,
    /// Node's `writableHighWaterMark`: `write` returns false once this many bytes are queued.
    pub(crate) high_water_mark: u32,
    /// `cork()` depth: while above 0, writes are queued, not sent.
    pub(crate) corked: u16,
    /// Made by `Socket::new`: the slot outlives `'close'` so the socket can connect again,
    /// until `release()`.
    pub(crate) retained: bool,
    /// `'close'` has been emitted for this connection.
    pub(crate) close_emitted: bool,
    /// `end(cb)` callbacks: called before `'finish'`, or with the error if the socket is
    /// destroyed first (Node's `kOnFinished`).
    pub(crate) end_callbacks: Option<Box<EndCallbacks>>,
    /// The TLS layer of a socket made by `tls::connect` or accepted by a TLS server: bytes
    /// are read and written through it, and the descriptor carries only TLS records.
    pub(crate) tls: Option<Box<crate::tls::TlsLayer>>,
}

impl SocketState {
    pub(crate) fn connecting() -> SocketState {
        let mut state = SocketState::new(Phase::Resolving);
        state.connect = Some(Box::default());
        state
    }

    pub(crate) fn accepted(
        stream: Stream,
        peer: Option<SocketAddr>,
        server: HandleId,
        allow_half_open: bool,
        flowing: Flowing,
    ) -> SocketState {
        let mut state = SocketState::new(Phase::Open);
        state.stream = Some(stream);
        state.peer = peer;
        state.server = Some(server);
        state.allow_half_open = allow_half_open;
        state.readable.flowing = flowing;
        // pause_on_connect: Node stops the handle reading until resume().
        state.readable.held = flowing == Flowing::No;
        state
    }

    /// `Socket::new`: not connected, kept across reconnects.
    pub(crate) fn idle() -> SocketState {
        let mut state = SocketState::new(Phase::Idle);
        state.retained = true;
        state
    }

    /// The state for connecting again after a close: what belongs to the socket (its options,
    /// its flowing mode, whether it is retained) stays; what belonged to the old connection goes,
    /// as Node's `_undestroy` and `initSocketHandle` reset it.
    pub(crate) fn reconnecting(&self) -> SocketState {
        let mut state = SocketState::connecting();
        state.readable = self.readable.restarted();
        state.allow_half_open = self.allow_half_open;
        state.high_water_mark = self.high_water_mark;
        state.max_write_buffer = self.max_write_buffer;
        state.no_delay = self.no_delay;
        state.keep_alive = self.keep_alive;
        state.timeout_ms = self.timeout_ms;
        state.retained = self.retained;
        state.decoder = self
            .decoder
            .as_ref()
            .map(|decoder| Box::new(StringDecoder::new(decoder.encoding())));
        state
    }

    fn new(phase: Phase) -> SocketState {
        SocketState {
            stream: None,
            phase,
            readable: Readable::new(Flowing::Unset, READABLE_HIGH_WATER_MARK),
            allow_half_open: false,
            read_ended: false,
            end_emitted: false,
            end_called: false,
            write_shut: false,
            finished: false,
            ended_by_peer: false,
            queue: WriteQueue::default(),
            need_drain: false,
            bytes_read: 0,
            bytes_sent: 0,
            server: None,
            had_error: false,
            connect: None,
            peer: None,
            no_delay: false,
            keep_alive: (false, 0),
            timeout_ms: None,
            decoder: None,
            idle: None,
            max_write_buffer: 0,
            high_water_mark: HIGH_WATER_MARK as u32,
            corked: 0,
            retained: false,
            close_emitted: false,
            end_callbacks: None,
            tls: None,
        }
    }

    /// Node's `highWaterMark` option: the readable and the writable mark at once.
    pub(crate) fn set_high_water_marks(&mut self, mark: usize) {
        let mark = mark.min(u32::MAX as usize) as u32;
        self.high_water_mark = mark;
        self.readable.high_water_mark = mark;
    }

    /// Whether a writable event has work here: queued bytes, a `'drain'` owed, or a FIN that
    /// waits for the queue (what [`flush`] would act on).
    pub(crate) fn wants_flush(&self) -> bool {
        !self.queue.is_empty() || self.need_drain || (self.end_called && !self.write_shut)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// The kernel is not being read: EOF was read, the socket was paused before reading began,
    /// or it is paused with a full buffer. libuv counts such a handle active only while it
    /// writes, so it keeps the loop alive only then (`update_activity`).
    pub(crate) fn reads_stopped(&self) -> bool {
        self.read_ended || self.readable.held || self.readable.is_full()
    }

    /// Reads into `buffer`, counting what arrived; `now` marks the socket active for its idle
    /// timeout. `None` when the socket is not reading: not open, at EOF, or its buffer full.
    /// `through` is [`Readable::passes_through`], computed once by the caller, which needs it
    /// too: a socket that passes reads through always wants them.
    #[inline(always)]
    pub(crate) fn read(
        &mut self,
        buffer: &mut [u8],
        now: Instant,
        through: bool,
    ) -> Option<io::Result<usize>> {
        if self.phase != Phase::Open || self.read_ended || !(through || self.readable.wants_read())
        {
            return None;
        }
        let result = self.stream.as_ref()?.read(buffer);
        if let Ok(n) = result {
            self.bytes_read += n as u64;
            if let Some(idle) = self.idle.as_mut() {
                idle.touch(now);
            }
        }
        Some(result)
    }

    /// Node's `_getsockname`: nothing until the connection is established. Asked of the OS
    /// each time rather than kept: 32 bytes in every socket for a call few programs make.
    pub(crate) fn local_addr(&mut self) -> Option<SocketAddr> {
        if self.phase != Phase::Open {
            return None;
        }
        self.stream.as_ref()?.local_addr()
    }

    /// Node's `_getpeername`: nothing while connecting, even if the kernel already knows.
    pub(crate) fn peer_addr(&mut self) -> Option<SocketAddr> {
        if self.peer.is_none() && self.phase == Phase::Open {
            self.peer = self.stream.as_ref()?.peer_addr();
        }
        self.peer
    }
}

/// The `end(cb)` callbacks of a socket; boxed behind an `Option` in the state, since few
/// sockets have any and every byte of `SocketState` is paid per connection.
#[derive(Default)]
pub(crate) struct EndCallbacks(pub(crate) Vec<WriteCallback>);

/// What a socket tells its listeners on a later tick.
pub(crate) enum SocketNotice {
    End,
    /// Our own `end()`, scheduled after `'end'` when half-open is not allowed.
    EndAfterPeer,
    Drain,
    Finish,
    /// `'resume'`, which Node emits on the tick after `resume()`, then what was buffered.
    Resume,
    /// `'readable'`: data or EOF for a reader using `read()`.
    Readable,
    /// Bytes were put back (`unshift`) on a flowing socket: deliver them.
    Flow,
    /// Destroy with this error now: a failure Node reports a tick after the call.
    Fail(Error),
    Lookup(Box<LookupInfo>),
    Attempt(Box<AttemptInfo>),
    AttemptFailed(Box<AttemptInfo>),
    AttemptTimeout(Box<AttemptInfo>),
    Error(Error),
}

pub(crate) fn tick(core: &mut Core, id: HandleId, notice: SocketNotice) {
    core.ticks.push_back(notice.task(id));
}

/// Emits a queued notice; runs user code, so the core is not borrowed here.
pub(crate) fn deliver(id: HandleId, notice: SocketNotice) {
    // A stream destroyed after a notice was queued says nothing more but its error and 'close',
    // as Node's destroyed streams do.
    let open = with_core(|core| core.socket(id).is_some_and(|socket| !socket.is_closed()));
    // The connect-time notices tell how the socket came to fail, so they precede its error.
    let about_failure = matches!(
        notice,
        SocketNotice::Error(_)
            | SocketNotice::Lookup(_)
            | SocketNotice::Attempt(_)
            | SocketNotice::AttemptFailed(_)
            | SocketNotice::AttemptTimeout(_)
    );
    if open != Some(true) && !about_failure {
        return;
    }
    match notice {
        SocketNotice::End => {
            let allow_half_open = with_core(|core| {
                let socket = core.socket(id)?;
                socket.end_emitted = true;
                // Node swaps in writeAfterFIN here: once our side has ended too, a write gets
                // EPIPE "ended by the other party" rather than "write after end".
                socket.ended_by_peer = !socket.allow_half_open;
                Some(socket.allow_half_open)
            })
            .flatten();
            let Some(allow_half_open) = allow_half_open else {
                return;
            };
            log::debug!("end (peer's FIN): {}", crate::net::log_addr::of(id));
            emit::emit_unit(id, "end");
            with_core(|core| {
                if !allow_half_open {
                    tick(core, id, SocketNotice::EndAfterPeer);
                }
                destroy_if_done(core, id);
            });
        }
        SocketNotice::EndAfterPeer => {
            with_core(|core| end(core, id));
        }
        SocketNotice::Drain => {
            emit::emit_unit(id, "drain");
        }
        SocketNotice::Resume => {
            with_core(|core| {
                if let Some(socket) = core.socket(id) {
                    socket.readable.resume_queued = false;
                }
            });
            emit::emit_unit(id, "resume");
            readable::flow(id);
        }
        SocketNotice::Flow => readable::flow(id),
        SocketNotice::Fail(error) => {
            with_core(|core| destroy(core, id, Some(error)));
        }
        SocketNotice::Readable => {
            with_core(|core| {
                if let Some(socket) = core.socket(id) {
                    socket.readable.readable_queued = false;
                }
            });
            emit::emit_unit(id, "readable");
            // Node's emitReadable_: another 'readable' is wanted while the buffer is not
            // over the mark, then the stream flows if it has been switched to flowing.
            with_core(|core| {
                if let Some(socket) = core.socket(id) {
                    let eof = socket.read_ended;
                    let readable = &mut socket.readable;
                    readable.need_readable = readable.flowing != readable::Flowing::Yes
                        && !eof
                        && readable.len() <= readable.high_water_mark as usize;
                }
            });
            readable::flow(id);
        }
        SocketNotice::Lookup(info) => {
            emit::emit_value(id, "lookup", &*info);
        }
        SocketNotice::Attempt(info) => emit_attempt(id, "connectionAttempt", &info),
        SocketNotice::AttemptFailed(info) => emit_attempt(id, "connectionAttemptFailed", &info),
        SocketNotice::AttemptTimeout(info) => emit_attempt(id, "connectionAttemptTimeout", &info),
        SocketNotice::Finish => {
            let live = with_core(|core| {
                core.socket(id).map(|socket| {
                    socket.finished = true;
                    socket.end_callbacks.take()
                })
            })
            .flatten();
            if let Some(end_callbacks) = live {
                // Node's finish(): the end(cb) callbacks run before the 'finish' listeners.
                for callback in end_callbacks.into_iter().flat_map(|callbacks| callbacks.0) {
                    callback(None);
                    crate::runtime::tasks::drain();
                }
                emit::emit_unit(id, "finish");
                with_core(|core| destroy_if_done(core, id));
            }
        }
        SocketNotice::Error(error) => {
            if !emit::emit_error(id, &error) {
                crate::runtime::unhandled::unhandled(error);
            }
        }
    }
}

fn emit_attempt(id: HandleId, event: &'static str, info: &AttemptInfo) {
    emit::emit_value(id, event, info);
}

/// libuv's rule for what keeps the loop alive: a stream handle is active while it reads or has
/// writes pending. After the peer's FIN nothing more will be read, so a socket with nothing
/// left to send (its `'end'` perhaps waiting for a consumer that never comes) no longer holds
/// the loop, as `uv__stream_eof` stops the handle; nor does a client paused before it
/// connected, which Node never starts reading.
pub(crate) fn update_activity(core: &mut Core, id: HandleId) {
    let Some(slot) = core.slot(id) else {
        return;
    };
    let referenced = slot.referenced;
    let (Kind::Socket(socket) | Kind::Tls(socket)) = &slot.kind else {
        return;
    };
    let active = match socket.phase {
        Phase::Resolving | Phase::Connecting => true,
        // A TLS layer may hold records the kernel has not taken yet: they keep it active too.
        Phase::Open => {
            !socket.reads_stopped()
                || socket.wants_flush()
                || socket
                    .tls
                    .as_ref()
                    .is_some_and(|tls| tls.conn.wants_write())
        }
        Phase::Idle | Phase::Closed => return,
    };
    if slot.active != active {
        core.set_liveness(id, active, referenced);
    }
}

/// Node's `autoDestroy`: once `'end'` has been emitted and `'finish'` too, the socket closes.
fn destroy_if_done(core: &mut Core, id: HandleId) {
    if let Some(socket) = core.socket(id) {
        if socket.end_emitted && socket.finished {
            destroy(core, id, None);
        }
    }
}

/// `socket.write`: sends at once when nothing is queued, queues what the kernel refuses.
/// Returns Node's answer: whether the caller may keep writing before `'drain'`.
pub(crate) fn write(
    core: &mut Core,
    id: HandleId,
    bytes: &[u8],
    callback: Option<WriteCallback>,
) -> bool {
    let core_now = core.now;
    let Some(socket) = core.socket(id) else {
        crate::net::socket::stale_socket(id, "write");
        if let Some(callback) = callback {
            core.ticks
                .push_back(Task::Done(callback, Some(codes::destroyed("write"))));
        }
        return false;
    };
    if socket.end_called || socket.is_closed() {
        // Node's Writable checks "ending" before "destroyed", so a socket that was ended and
        // then closed still answers "write after end" (or, ended by the peer, EPIPE).
        let error = match (socket.end_called, socket.ended_by_peer) {
            (true, true) => codes::ended_by_peer(),
            (true, false) => codes::write_after_end(),
            (false, _) => codes::destroyed("write"),
        };
        let closed = socket.is_closed();
        if let Some(callback) = callback {
            core.ticks
                .push_back(Task::Done(callback, Some(error.clone())));
        }
        if !closed {
            destroy(core, id, Some(error));
        }
        return false;
    }
    if let Some(idle) = socket.idle.as_mut() {
        idle.touch(core_now);
    }
    let mut rest = bytes;
    if socket.phase == Phase::Open && socket.queue.is_empty() && socket.corked == 0 {
        if let Some(stream) = socket.stream.as_ref() {
            let sent = match socket.tls.as_mut() {
                None => stream.send(bytes),
                Some(tls) => tls.send(stream, bytes),
            };
            match sent {
                Ok(sent) => {
                    log::trace!(
                        "wrote {sent} of {} bytes: {}",
                        bytes.len(),
                        crate::net::log_addr::socket_pair(socket)
                    );
                    socket.bytes_sent += sent as u64;
                    rest = &bytes[sent..];
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    let error = Error::from_io(&err, "write");
                    if let Some(callback) = callback {
                        core.ticks
                            .push_back(Task::Done(callback, Some(error.clone())));
                    }
                    destroy(core, id, Some(error));
                    return false;
                }
            }
            if rest.is_empty() {
                if let Some(callback) = callback {
                    core.ticks.push_back(Task::Done(callback, None));
                }
                return true;
            }
        }
    }
    if socket.phase == Phase::Idle {
        // Node's _writeGeneric: no connect() yet, so no handle to write to. The stream is
        // destroyed on the next tick (Node's onwriteError), after the callback has heard why.
        let error = codes::socket_closed();
        if let Some(callback) = callback {
            core.ticks
                .push_back(Task::Done(callback, Some(error.clone())));
        }
        tick(core, id, SocketNotice::Fail(error));
        return false;
    }
    if socket.max_write_buffer != 0 && socket.queue.len() + rest.len() > socket.max_write_buffer {
        let error = codes::write_buffer_full(socket.max_write_buffer);
        if let Some(callback) = callback {
            core.ticks
                .push_back(Task::Done(callback, Some(error.clone())));
        }
        destroy(core, id, Some(error));
        return false;
    }
    socket.queue.push(rest, callback);
    let may_continue = socket.queue.len() < socket.high_water_mark as usize;
    if !may_continue {
        socket.need_drain = true;
    }
    if socket.reads_stopped() {
        update_activity(core, id);
    }
    may_continue
}

/// Sends queued bytes; when the queue empties, `'drain'` if it was wanted and the FIN if `end()`
/// is waiting.
pub(crate) fn flush(core: &mut Core, id: HandleId) {
    let Core { io, ticks, .. } = core;
    let Some(socket) = io.get_mut(id.key()).and_then(|slot| {
        if slot.generation != id.generation {
            return None;
        }
        match &mut slot.kind {
            Kind::Socket(socket) | Kind::Tls(socket) => Some(socket),
            _ => None,
        }
    }) else {
        return;
    };
    if socket.phase != Phase::Open || socket.corked > 0 {
        return;
    }
    if socket.tls.is_some() {
        return crate::tls::flush(core, id);
    }
    let Some(stream) = socket.stream.as_ref() else {
        return;
    };
    // Node's afterWrite emits 'drain' before the callbacks of the writes that emptied the
    // buffer, so 'drain' goes in front of the callbacks this flush completes.
    let first_callback = ticks.len();
    if !socket.queue.is_empty() {
        let flushed = socket.queue.flush(
            |slices| stream.send_vectored(slices),
            |callback| ticks.push_back(Task::Done(callback, None)),
        );
        match flushed {
            Ok(sent) => socket.bytes_sent += sent as u64,
            Err(err) => {
                destroy(core, id, Some(Error::from_io(&err, "write")));
                return;
            }
        }
        if !socket.queue.is_empty() {
            return;
        }
    }
    // Node skips 'drain' once end() has been called.
    if std::mem::take(&mut socket.need_drain) && !socket.end_called {
        ticks.insert(first_callback, SocketNotice::Drain.task(id));
    }
    let not_reading = socket.reads_stopped();
    if socket.end_called && !socket.write_shut {
        shutdown(core, id);
    }
    if not_reading {
        update_activity(core, id);
    }
}

/// Sends our FIN; `'finish'` follows on a later tick. A TLS socket sends its `close_notify`
/// first, and its FIN once that has left.
pub(crate) fn shutdown(core: &mut Core, id: HandleId) {
    let Some(socket) = core.socket(id) else {
        return;
    };
    if socket.tls.is_some() {
        return crate::tls::flush(core, id);
    }
    shutdown_stream(core, id);
}

/// Sends the FIN on the descriptor.
pub(crate) fn shutdown_stream(core: &mut Core, id: HandleId) {
    let Some(socket) = core.socket(id) else {
        return;
    };
    let Some(stream) = socket.stream.as_ref() else {
        return;
    };
    socket.write_shut = true;
    match stream.shutdown_write() {
        Ok(()) => tick(core, id, SocketNotice::Finish),
        // The peer is already gone; the read side will report how.
        Err(err) if err.kind() == io::ErrorKind::NotConnected => {
            tick(core, id, SocketNotice::Finish)
        }
        Err(err) => destroy(core, id, Some(Error::from_io(&err, "shutdown"))),
    }
}

/// `socket.end()`: no more writes; the FIN goes out once the queue is flushed.
pub(crate) fn end(core: &mut Core, id: HandleId) {
    let Some(socket) = core.socket(id) else {
        return;
    };
    if socket.is_closed() || socket.end_called {
        return;
    }
    socket.end_called = true;
    // Node's end() uncorks: what was held back goes out, then the FIN.
    if std::mem::take(&mut socket.corked) > 0 {
        flush(core, id);
        return;
    }
    if socket.phase == Phase::Open && socket.queue.is_empty() {
        shutdown(core, id);
    }
}

/// `socket.end(cb)`, as Node's `Writable.end`: `cb` hears of `'finish'` (before its
/// listeners), or of the error that stopped the stream first.
pub(crate) fn end_with_callback(core: &mut Core, id: HandleId, callback: Option<WriteCallback>) {
    let Some(socket) = core.socket(id) else {
        return;
    };
    let Some(callback) = callback else {
        return end(core, id);
    };
    let error = if !socket.end_called && !socket.is_closed() {
        None
    } else if socket.finished {
        Some(codes::already_finished("end"))
    } else if socket.is_closed() {
        Some(codes::destroyed("end"))
    } else {
        None
    };
    match error {
        Some(error) => core.ticks.push_back(Task::Done(callback, Some(error))),
        None => {
            socket
                .end_callbacks
                .get_or_insert_with(Box::default)
                .0
                .push(callback);
            end(core, id);
        }
    }
}

/// What `socket.connect()` found.
pub(crate) enum Restart {
    /// The socket is connecting now.
    Started,
    /// Already connecting or open.
    Busy,
    /// A TLS socket: its layer belongs to the connection it was made for.
    Tls,
    /// The handle names no socket.
    Gone,
}

/// Readies a socket for `connect()`: one that never connected keeps everything set on it
/// (queued ends, timeouts, listeners); a destroyed one starts a fresh connection with its
/// settings, as Node's `_undestroy` does.
pub(crate) fn restart(core: &mut Core, id: HandleId) -> Restart {
    let Some(slot) = core.slot(id) else {
        return Restart::Gone;
    };
    let referenced = slot.referenced;
    let socket = match &mut slot.kind {
        Kind::Socket(socket) => socket,
        Kind::Tls(_) => return Restart::Tls,
        _ => return Restart::Gone,
    };
    match socket.phase {
        Phase::Idle => {
            socket.phase = Phase::Resolving;
            socket.connect = Some(Box::default());
        }
        Phase::Closed => **socket = socket.reconnecting(),
        Phase::Resolving | Phase::Connecting | Phase::Open => return Restart::Busy,
    }
    core.set_liveness(id, true, referenced);
    Restart::Started
}

/// `socket.release()`: the slot goes in the close phase once the socket has closed.
pub(crate) fn release(core: &mut Core, id: HandleId) {
    let Some(socket) = core.socket(id) else {
        return;
    };
    socket.retained = false;
    match socket.phase {
        // Its 'close' is behind it: free the slot in the next close phase, with no second
        // 'close'. Not now: an event of this batch may still name the slot.
        Phase::Closed if socket.close_emitted => core.closing.push(id),
        Phase::Closed => {}
        Phase::Idle => destroy(core, id, None),
        Phase::Resolving | Phase::Connecting | Phase::Open => {}
    }
}

/// `socket.uncork()`: one level less; at the last, what was held back goes out.
pub(crate) fn uncork(core: &mut Core, id: HandleId) {
    let Some(socket) = core.socket(id) else {
        return;
    };
    if socket.corked == 0 {
        return;
    }
    socket.corked -= 1;
    if socket.corked == 0 {
        flush(core, id);
    }
}

/// `socket.destroy([err])`: closes the descriptor now; `'error'` (if any) on the next tick and
/// `'close'` in the close phase. Pending write callbacks learn that their bytes never left.
pub(crate) fn destroy(core: &mut Core, id: HandleId, error: Option<Error>) {
    let Some(slot) = core.slot(id) else { return };
    let referenced = slot.referenced;
    let (Kind::Socket(socket) | Kind::Tls(socket)) = &mut slot.kind else {
        return;
    };
    if socket.is_closed() {
        return;
    }
    let was_connecting = matches!(socket.phase, Phase::Resolving | Phase::Connecting);
    // Node emits a handle-less socket's 'close' with no argument: had_error reads false.
    socket.had_error = error.is_some() && socket.phase != Phase::Idle;
    socket.phase = Phase::Closed;
    socket.readable.discard();
    let end_callbacks = socket.end_callbacks.take();
    let stream = socket.stream.take();
    let idle = socket.idle.take();
    let attempt_timer = socket
        .connect
        .as_mut()
        .and_then(|connect| connect.timer.take());
    let handshake_timer = socket.tls.as_mut().and_then(|tls| tls.timer.take());
    let callbacks = socket.queue.drain_callbacks();
    let server = socket.server;
    if let Some(mut stream) = stream {
        // Deregistering drops any readiness the kernel still holds for this descriptor, so no
        // later batch can carry it.
        let _ = core.poll.registry().deregister(&mut stream);
    }
    let cancelled = match (&error, was_connecting) {
        (Some(error), _) => error.clone(),
        (None, true) => codes::closed_before_connection(),
        (None, false) => codes::destroyed("write"),
    };
    for callback in callbacks {
        core.ticks
            .push_back(Task::Done(callback, Some(cancelled.clone())));
    }
    // Node's errorBuffer: end(cb) callbacks hear the error, or that the stream was destroyed.
    for callback in end_callbacks.into_iter().flat_map(|callbacks| callbacks.0) {
        let error = error.clone().unwrap_or_else(|| codes::destroyed("end"));
        core.ticks.push_back(Task::Done(callback, Some(error)));
    }
    if let Some(error) = error {
        tick(core, id, SocketNotice::Error(error));
    }
    if let Some(idle) = idle {
        idle.cancel(core);
    }
    for timer in attempt_timer.into_iter().chain(handshake_timer) {
        timers::remove_internal(core, timer);
    }
    core.set_liveness(id, false, referenced);
    if let Some(server) = server {
        server_state::connection_closed(core, server);
    }
    core.closing.push(id);
}
