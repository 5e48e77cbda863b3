//! The loop's state, kept in a thread-local and reached only through [`with_core`].
//!
//! The one rule that keeps user closures safe: no user code runs while `Core` is borrowed. Every
//! function that calls a listener first takes what it needs out of the core (a snapshot of the
//! listener list, the read buffer, a callback), releases the borrow, then calls. Closures that
//! are removed from the core are handed back to the caller and dropped after the borrow ends,
//! because a closure's captured values may run code of their own when dropped.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Instant;

use mio::{Events, Poll, Token};
use slab::Slab;

use crate::handle::{next_generation, HandleId};
use crate::kinds::Kind;
use crate::remote::RemoteShared;
use crate::runtime::emit::HandleListeners;
use crate::runtime::tasks::TickQueue;
use crate::timers::TimerState;

/// The token of the loop's waker, for work posted from other threads.
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX);

/// Readiness events taken from the OS per poll.
pub(crate) const EVENTS_PER_POLL: usize = 1024;

/// Size of the one read buffer every socket reads into, as libuv's 64 KiB `onread` buffer.
pub(crate) const READ_BUFFER_SIZE: usize = 64 * 1024;

/// One I/O handle and the listeners of its events; what kind of handle it is, the loop knows
/// only through [`HandleKind`](crate::runtime::handle_kind::HandleKind) (via [`Kind`]).
pub(crate) struct IoSlot {
    pub(crate) generation: u32,
    pub(crate) listeners: HandleListeners,
    /// Counts toward keeping the loop alive (Node's `ref()`), while `active`.
    pub(crate) referenced: bool,
    /// Open or opening: what a libuv handle is between init and close.
    pub(crate) active: bool,
    pub(crate) kind: Kind,
}

pub(crate) struct Core {
    pub(crate) poll: Poll,
    /// Taken out while a batch is dispatched, so the batch can be walked without a borrow.
    pub(crate) events: Option<Events>,
    pub(crate) io: Slab<IoSlot>,
    pub(crate) timers: TimerState,
    pub(crate) ticks: TickQueue,
    /// Handles whose `'close'` is emitted in the close phase, then their slots freed.
    pub(crate) closing: Vec<HandleId>,
    /// Sockets to read again without waiting for a readiness edge: resumed, or stopped early by
    /// the per-event read cap.
    pub(crate) pending_reads: Vec<HandleId>,
    /// Handles that failed for want of a descriptor (a server that could not accept): queued
    /// for a read as soon as a handle of this loop frees one.
    pub(crate) descriptor_waiters: Vec<HandleId>,
    /// When each I/O slot's handle was made, by slot key: the age `active_resources_info`
    /// reports, kept beside the slab so the per-connection slot stays small.
    pub(crate) created: Vec<Instant>,
    /// Taken out while listeners borrow a chunk of it.
    pub(crate) read_buffer: Vec<u8>,
    /// Where reads are decoded for sockets with `set_encoding`; taken out like `read_buffer`.
    pub(crate) text_buffer: String,
    /// Referenced, active I/O handles: the loop runs while this, timers, immediates, ticks or
    /// remote work remain.
    pub(crate) io_refs: usize,
    pub(crate) remote: Arc<RemoteShared>,
    pub(crate) now: Instant,
    pub(crate) running: bool,
    pub(crate) draining_ticks: bool,
    /// An `'error'` emitted with no listener: Node would crash; `run()` returns it (under the
    /// default [`UnhandledErrors`](crate::UnhandledErrors) policy).
    pub(crate) unhandled_error: Option<crate::error::Error>,
    /// Where the batch in `events` resumes: set when a listener's panic unwound out of its
    /// dispatch, so the events after it are dispatched on the next turn rather than lost.
    pub(crate) resume_batch: Option<usize>,
}

thread_local! {
    static CORE: RefCell<Option<Core>> = const { RefCell::new(None) };
}

impl Core {
    fn new() -> std::io::Result<Core> {
        let poll = Poll::new()?;
        let remote = RemoteShared::new(poll.registry(), WAKER_TOKEN)?;
        Ok(Core {
            poll,
            events: Some(Events::with_capacity(EVENTS_PER_POLL)),
            io: Slab::new(),
            timers: TimerState::default(),
            ticks: TickQueue::default(),
            closing: Vec::new(),
            pending_reads: Vec::new(),
            descriptor_waiters: Vec::new(),
            created: Vec::new(),
            read_buffer: vec![0; READ_BUFFER_SIZE],
            text_buffer: String::new(),
            io_refs: 0,
            remote: Arc::new(remote),
            now: Instant::now(),
            running: false,
            draining_ticks: false,
            unhandled_error: None,
            resume_batch: None,
        })
    }

    /// The slot behind a handle, if the handle is still the slot's current one.
    pub(crate) fn slot(&mut self, id: HandleId) -> Option<&mut IoSlot> {
        self.io
            .get_mut(id.key())
            .filter(|slot| slot.generation == id.generation)
    }

    pub(crate) fn insert_io(&mut self, kind: Kind, active: bool) -> HandleId {
        let generation = next_generation();
        let key = self.io.insert(IoSlot {
            generation,
            listeners: HandleListeners::default(),
            referenced: true,
            active,
            kind,
        });
        if self.created.len() <= key {
            self.created.resize(key + 1, self.now);
        }
        self.created[key] = self.now;
        if active {
            self.io_refs += 1;
        }
        HandleId::new(key, generation)
    }

    /// Changes whether a handle keeps the loop alive, keeping `io_refs` in step.
    pub(crate) fn set_liveness(&mut self, id: HandleId, active: bool, referenced: bool) {
        let Some(slot) = self.slot(id) else { return };
        let before = slot.active && slot.referenced;
        slot.active = active;
        slot.referenced = referenced;
        let after = active && referenced;
        match (before, after) {
            (false, true) => self.io_refs += 1,
            (true, false) => self.io_refs -= 1,
            _ => {}
        }
    }

    /// Node's `ref()`/`unref()` on an I/O handle: whether it may keep the loop alive.
    pub(crate) fn set_referenced(&mut self, id: HandleId, referenced: bool) {
        let active = self.slot(id).map(|slot| slot.active);
        if let Some(active) = active {
            self.set_liveness(id, active, referenced);
        }
    }

    pub(crate) fn is_alive(&self) -> bool {
        self.io_refs > 0
            || self.timers.keeps_alive()
            || !self.ticks.is_empty()
            || !self.closing.is_empty()
            || !self.pending_reads.is_empty()
            || self.remote.keeps_alive()
    }
}

/// Runs `f` on this thread's loop state, creating the loop on first use.
///
/// Returns `None` when the loop cannot be reached: during thread teardown, or if it is already
/// borrowed (which would be a bug in nodenet: user code must never run inside `f`). Callers treat
/// `None` as "the handle is gone", a no-op, rather than panicking.
pub(crate) fn with_core<R>(f: impl FnOnce(&mut Core) -> R) -> Option<R> {
    CORE.try_with(|cell| {
        let Ok(mut guard) = cell.try_borrow_mut() else {
            log::error!("nodenet loop state re-entered; the call is ignored");
            return None;
        };
        if guard.is_none() {
            match Core::new() {
                Ok(core) => *guard = Some(core),
                Err(err) => {
                    log::error!("cannot create the nodenet loop: {err}");
                    return None;
                }
            }
        }
        guard.as_mut().map(f)
    })
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Idle memory per connection is a target (issue 5: at most 1 KiB, with the slot, the boxed
    /// state, the listeners and the registration). State only some sockets need (connecting,
    /// `set_encoding`, `set_timeout`) is boxed behind an `Option`; this catches a field that
    /// grows every socket instead.
    #[test]
    fn per_connection_state_stays_small() {
        assert!(std::mem::size_of::<IoSlot>() <= 32);
    }
}
