//! The one interface between the loop and the kinds of handle it drives.
//!
//! The loop owns slots, liveness, listeners, ticks and the phases; what a handle *is* (a TCP
//! socket, a server, later a UDP socket or a TLS stream) lives with its module, which puts a
//! [`HandleKind`] in the slot. The loop never names a kind: it asks the kind for the functions
//! to call when the OS reports readiness, when a read is owed without an edge, and in the close
//! phase, and calls them with the loop state not borrowed, as every user-visible step must be.

use crate::handle::HandleId;
use crate::runtime::core::{Core, READ_BUFFER_SIZE};

/// Called when the OS reports the handle in slot `key` ready; the core is not borrowed.
pub(crate) type ReadyFn = fn(key: usize, readiness: Readiness, buffers: &mut ReadBuffers);

/// Called for a handle queued on `Core::pending_reads`: read (or accept) again without an edge.
pub(crate) type PendingFn = fn(id: HandleId, buffers: &mut ReadBuffers);

/// Called in the close phase, before the slot is freed: the kind's `'close'`, if it has one.
pub(crate) type CloseFn = fn(id: HandleId);

/// Which count of [`LoopStats`](crate::LoopStats) a handle falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatsClass {
    Socket,
    Server,
    /// Not a resource `LoopStats` reports (the loop's signal pipe).
    Uncounted,
}

/// What a kind of handle tells the loop. Each slot holds one, boxed, in a
/// [`Kind`](crate::kinds::Kind) variant; the kind's own module gets its state back by matching
/// that variant.
///
/// The functions are handed out as plain `fn` pointers, looked up while the core is borrowed
/// and called after the borrow ends: a trait method on `&mut self` could not run listeners.
pub(crate) trait HandleKind {
    /// What to call on a readiness event. `None` for the socket kind, the busiest, which
    /// `kinds::ready` calls by name: handing out its function would take that function's
    /// address, and the event walk would lose its inlining (about 20 instructions per echo,
    /// measured). Every other kind is reached through this.
    fn on_ready(&self) -> Option<ReadyFn>;
    /// What to call for a read owed without a readiness edge.
    fn on_pending(&self) -> PendingFn;
    /// What to call in the close phase.
    fn on_close(&self) -> CloseFn;
    /// Whether the slot outlives the close phase (the handle was reopened, or is kept until
    /// released).
    fn keeps_slot(&self) -> bool;
    /// The slot is being freed: work queued elsewhere for the handle, handed back to be dropped
    /// outside the borrow.
    fn freed(&mut self, id: HandleId) -> Option<crate::threadpool::Work>;
    /// The [`LoopStats`](crate::LoopStats) count the handle is in.
    fn stats_class(&self) -> StatsClass;
    /// The handle as a log line names it.
    fn describe(&self) -> String;
}

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

/// The loop's read buffers, taken out of the loop state once per batch of events rather than
/// once per read: `'data'` listeners borrow a chunk of them while the state is not borrowed.
pub(crate) struct ReadBuffers {
    pub(crate) bytes: Vec<u8>,
    /// Where reads are decoded for sockets with `set_encoding`.
    pub(crate) text: String,
}

impl ReadBuffers {
    pub(crate) fn take(core: &mut Core) -> ReadBuffers {
        let mut bytes = std::mem::take(&mut core.read_buffer);
        // A panic in a listener unwinds past the put-back; start again with a fresh buffer.
        if bytes.len() < READ_BUFFER_SIZE {
            bytes.resize(READ_BUFFER_SIZE, 0);
        }
        ReadBuffers {
            bytes,
            text: std::mem::take(&mut core.text_buffer),
        }
    }

    pub(crate) fn put_back(self, core: &mut Core) {
        core.read_buffer = self.bytes;
        core.text_buffer = self.text;
    }
}
