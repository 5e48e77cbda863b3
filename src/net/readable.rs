//! A socket's readable side: Node's `stream.Readable` state, as `net.Socket` uses it.
//!
//! Bytes nobody consumes yet are kept here, never dropped: a socket with no `'data'` listener,
//! a paused one, or one read with `'readable'` and `read()`. Reading from the kernel stops once
//! the buffer reaches the readable high-water mark, so a peer that floods a socket nobody reads
//! meets TCP backpressure rather than growing our memory. A flowing socket with nothing buffered
//! never comes here: its reads are lent to `'data'` listeners straight from the loop's buffer.
//!
//! The state machine follows Node's `lib/internal/streams/readable.js`: `readableFlowing` is
//! `null` until something consumes (a `'data'` listener, `resume()`, `pipe()`), `'end'` waits
//! for every buffered byte, and `'readable'` fires when data (or EOF) arrives for a reader that
//! asked for it.

use crate::chunk::Chunk;
use crate::handle::HandleId;
use crate::net::socket_state::SocketNotice;
use crate::runtime::core::{with_core, Core};
use crate::runtime::emit;
use crate::runtime::tasks;

/// Node's default `readableHighWaterMark` for sockets (v20): 16 KiB.
pub(crate) const READABLE_HIGH_WATER_MARK: usize = 16 * 1024;

/// Node's `readableFlowing`: three states, not two.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flowing {
    /// `null`: nothing consumes yet; bytes are buffered up to the high-water mark.
    Unset,
    /// `true`: `'data'` is emitted as bytes arrive.
    Yes,
    /// `false`: paused (or read through `'readable'`); bytes are buffered.
    No,
}

/// The bytes waiting for a consumer, with the front already consumed by `read(n)` skipped.
#[derive(Default)]
pub(crate) struct Buffered {
    bytes: Vec<u8>,
    start: usize,
}

impl Buffered {
    fn len(&self) -> usize {
        self.bytes.len() - self.start
    }

    fn push(&mut self, bytes: &[u8]) {
        // Reclaim the consumed front before growing, so a reader that takes a little at a time
        // does not make the vector creep.
        if self.start > 0 && self.start >= self.bytes.len() / 2 {
            self.bytes.drain(..self.start);
            self.start = 0;
        }
        self.bytes.extend_from_slice(bytes);
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let end = self.start + n.min(self.len());
        let taken = self.bytes[self.start..end].to_vec();
        self.start = end;
        taken
    }
}

/// The readable half of a socket's state.
pub(crate) struct Readable {
    pub(crate) flowing: Flowing,
    /// Node's `readableHighWaterMark`: the kernel is not read while this much is buffered.
    pub(crate) high_water_mark: u32,
    /// Boxed and made on first need: most sockets are flowing and never buffer.
    buffered: Option<Box<Buffered>>,
    /// Paused before reading ever started (a client paused before it connected, or
    /// `pause_on_connect`): the kernel is not read at all until `resume()`, as Node's
    /// afterConnect reads only `if (!self.isPaused())`.
    pub(crate) held: bool,
    /// A kernel read was skipped because the buffer was full: no readiness edge will come for
    /// those bytes, so draining below the mark must schedule a read.
    pub(crate) stopped: bool,
    /// A `'readable'` listener was added: Node's `readableListening`.
    pub(crate) listening: bool,
    /// The reader wants a `'readable'` when data next arrives: Node's `needReadable`.
    pub(crate) need_readable: bool,
    /// A `'readable'` is queued and not yet emitted: Node's `emittedReadable`.
    pub(crate) readable_queued: bool,
    /// `'end'` is queued (or emitted): it comes once.
    pub(crate) end_queued: bool,
    /// `'resume'` is queued: Node's `resumeScheduled`, so resuming twice emits it once.
    pub(crate) resume_queued: bool,
}

impl Readable {
    pub(crate) fn new(flowing: Flowing, high_water_mark: usize) -> Readable {
        Readable {
            flowing,
            high_water_mark: high_water_mark.min(u32::MAX as usize) as u32,
            buffered: None,
            held: false,
            stopped: false,
            listening: false,
            need_readable: false,
            readable_queued: false,
            end_queued: false,
            resume_queued: false,
        }
    }

    /// The same settings, for a socket connecting again: what was buffered and every flag of
    /// the old connection's stream go, as Node's `_undestroy` resets them.
    pub(crate) fn restarted(&self) -> Readable {
        let mut readable = Readable::new(self.flowing, self.high_water_mark as usize);
        readable.listening = self.listening;
        readable.need_readable = self.listening;
        readable
    }

    /// Bytes buffered: Node's `readableLength`.
    pub(crate) fn len(&self) -> usize {
        self.buffered.as_ref().map_or(0, |buffered| buffered.len())
    }

    /// The fast path's test: flowing with nothing waiting, so a read can be lent as it is.
    #[inline(always)]
    pub(crate) fn passes_through(&self) -> bool {
        self.flowing == Flowing::Yes && self.buffered.is_none()
    }

    /// Whether the kernel should be read now; notes a skipped read so it is made up later.
    pub(crate) fn wants_read(&mut self) -> bool {
        // An empty buffer is always refilled, even with a high-water mark of 0: Node's read(0)
        // reads whenever nothing is buffered, so EOF is still seen.
        if !self.held
            && (self.flowing == Flowing::Yes || self.len() < (self.high_water_mark as usize).max(1))
        {
            return true;
        }
        self.stopped = true;
        false
    }

    /// Paused with a full buffer, so the kernel is not read: libuv's `readStop`, which Node
    /// calls when `push()` returns false. The socket then holds the loop only while it writes.
    pub(crate) fn is_full(&self) -> bool {
        self.flowing != Flowing::Yes && self.len() >= (self.high_water_mark as usize).max(1)
    }

    /// Keeps bytes nobody has consumed yet.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.buffered.get_or_insert_with(Box::default).push(bytes);
    }

    /// Puts bytes back in front of what is buffered: Node's `readable.unshift(chunk)`.
    pub(crate) fn unshift(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let buffered = self.buffered.get_or_insert_with(Box::default);
        if buffered.start >= bytes.len() {
            buffered.start -= bytes.len();
            let start = buffered.start;
            buffered.bytes[start..start + bytes.len()].copy_from_slice(bytes);
        } else {
            let rest = buffered.bytes.split_off(buffered.start);
            buffered.bytes.clear();
            buffered.bytes.extend_from_slice(bytes);
            buffered.bytes.extend_from_slice(&rest);
            buffered.start = 0;
        }
    }

    /// Takes everything buffered, for a flowing socket's `'data'`.
    pub(crate) fn take_all(&mut self) -> Option<Vec<u8>> {
        let mut buffered = self.buffered.take()?;
        if buffered.start == 0 {
            return Some(std::mem::take(&mut buffered.bytes));
        }
        Some(buffered.bytes.split_off(buffered.start))
    }

    /// Node's `read(n)`: `n` bytes if that many are buffered, everything with `None`; at EOF
    /// whatever is left. `None` when there is not enough yet (and then `'readable'` is wanted).
    pub(crate) fn read(&mut self, n: Option<usize>, eof: bool) -> Option<Vec<u8>> {
        let len = self.len();
        let wanted = match n {
            Some(0) => return None,
            Some(n) if n > len && !eof => {
                self.need_readable = true;
                return None;
            }
            Some(n) => n.min(len),
            None => len,
        };
        if wanted == 0 {
            if !eof {
                self.need_readable = true;
            }
            return None;
        }
        let buffered = self.buffered.as_mut()?;
        let taken = buffered.take(wanted);
        if buffered.len() == 0 {
            self.buffered = None;
            if !eof {
                self.need_readable = true;
            }
        }
        Some(taken)
    }

    /// Drops what was buffered: a destroyed stream emits no more `'data'`.
    pub(crate) fn discard(&mut self) {
        self.buffered = None;
    }
}

/// After bytes were pushed or EOF was read on a socket not flowing: queue `'readable'` if a
/// reader asked for it.
pub(crate) fn notify_reader(core: &mut Core, id: HandleId) {
    let Some(readable) = core.socket(id).map(|socket| &mut socket.readable) else {
        return;
    };
    if readable.listening && readable.need_readable && !readable.readable_queued {
        readable.readable_queued = true;
        readable.need_readable = false;
        core.ticks.push_back(SocketNotice::Readable.task(id));
    }
}

/// A `'readable'` listener was added: the socket switches to paused mode, and is told at once
/// (on a tick) if data is already waiting. Node's `Readable.prototype.on('readable')`.
pub(crate) fn readable_listener_added(core: &mut Core, id: HandleId) {
    let Some(socket) = core.socket(id) else {
        return;
    };
    let eof = socket.read_ended;
    let readable = &mut socket.readable;
    if readable.end_queued || readable.listening {
        return;
    }
    readable.listening = true;
    readable.need_readable = true;
    readable.flowing = Flowing::No;
    readable.readable_queued = false;
    if readable.len() > 0 || eof {
        notify_reader(core, id);
    }
}

/// After the buffer shrank: read the kernel again if a full buffer had stopped it, and queue
/// `'end'` once EOF was read and every byte delivered.
pub(crate) fn consumed(core: &mut Core, id: HandleId) {
    let Some(socket) = core.socket(id) else {
        return;
    };
    let open = !socket.is_closed();
    let eof = socket.read_ended;
    let readable = &mut socket.readable;
    let len = readable.len();
    let resume_reading = readable.stopped && len < (readable.high_water_mark as usize).max(1);
    if resume_reading {
        readable.stopped = false;
    }
    let end = eof && len == 0 && !readable.end_queued;
    if end {
        readable.end_queued = true;
    }
    if resume_reading && open {
        core.pending_reads.push(id);
    }
    if end && open {
        core.ticks.push_back(SocketNotice::End.task(id));
    }
    if resume_reading {
        // Reading again: the socket holds the loop again.
        crate::net::socket_state::update_activity(core, id);
    }
}

/// Node's `flow()`: while the socket is flowing, hands what is buffered to `'data'`, in order,
/// then (at EOF, once empty) lets `'end'` follow. Runs user code: call with the loop unborrowed.
pub(crate) fn flow(id: HandleId) {
    loop {
        let next = with_core(|core| {
            let slot = core.slot(id)?;
            let (crate::kinds::Kind::Socket(socket) | crate::kinds::Kind::Tls(socket)) =
                &mut slot.kind
            else {
                return None;
            };
            if socket.is_closed() || socket.readable.flowing != Flowing::Yes {
                return None;
            }
            let bytes = socket.readable.take_all();
            let eof = socket.read_ended;
            if bytes.is_none() && !eof {
                // Nothing waits here, but a read may be owed (the kernel was left unread).
                consumed(core, id);
                return None;
            }
            // Decoded at delivery, so set_encoding applies to bytes buffered before it.
            let text = socket.decoder.as_mut().map(|decoder| {
                let mut text = String::new();
                if let Some(bytes) = &bytes {
                    decoder.write(bytes, &mut text);
                }
                if eof {
                    decoder.end(&mut text);
                }
                text.into_bytes()
            });
            let listeners = emit::snapshot(slot);
            // Only a pass that took bytes can be followed by another: more may have been
            // pushed while its listeners ran.
            let more = bytes.is_some();
            Some((text.or(bytes).unwrap_or_default(), listeners, more))
        })
        .flatten();
        let Some((bytes, listeners, more)) = next else {
            return;
        };
        if !bytes.is_empty() {
            emit::emit_data_to(id, &listeners, Chunk::new(&bytes));
        }
        drop(listeners);
        // After the listeners: one may have paused and put bytes back, which 'end' must wait
        // for.
        with_core(|core| consumed(core, id));
        tasks::drain();
        if !more {
            return;
        }
    }
}
