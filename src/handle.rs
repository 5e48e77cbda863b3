//! Handle identity: a slab index plus the generation the slot had when the handle was made.
//!
//! Mirrors what libuv gets from pointers to `uv_handle_t`, without their danger: a handle whose
//! slot has been freed (and maybe reused) carries an old generation, so every lookup through it
//! misses and the call becomes a no-op instead of touching another socket.

use std::cell::Cell;

/// Where a handle lives in the loop and which life of that slot it belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct HandleId {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

thread_local! {
    // One counter for every kind of slot on this thread: a generation is never handed out twice
    // (until it wraps after 2^32 handles), whichever slab the slot is in.
    static NEXT_GENERATION: Cell<u32> = const { Cell::new(1) };
}

/// A generation for a slot being filled now.
pub(crate) fn next_generation() -> u32 {
    NEXT_GENERATION.with(|next| {
        let generation = next.get();
        next.set(generation.wrapping_add(1).max(1));
        generation
    })
}

impl HandleId {
    pub(crate) fn new(index: usize, generation: u32) -> HandleId {
        HandleId {
            index: index as u32,
            generation,
        }
    }

    pub(crate) fn key(self) -> usize {
        self.index as usize
    }
}

thread_local! {
    // The stale handles already warned about, so a loop that keeps calling one does not flood
    // the log. Cleared when large: a repeat warning is better than unbounded memory.
    static WARNED: std::cell::RefCell<std::collections::HashSet<HandleId>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
}

/// Most stale handles remembered as warned about before the set starts afresh.
const WARNED_LIMIT: usize = 4096;

/// Logs, once per handle, that `method` was called on a handle whose slot is gone, and why.
pub(crate) fn warn_stale(id: HandleId, kind: &str, method: &str, reason: &str) {
    let first = WARNED.with(|warned| {
        let mut warned = warned.borrow_mut();
        if warned.len() >= WARNED_LIMIT {
            warned.clear();
        }
        warned.insert(id)
    });
    if !first {
        return;
    }
    if id.generation == 0 {
        log::warn!(
            "{kind}.{method}() ignored: this {kind} was never made (the thread's loop was unavailable)"
        );
    } else {
        log::warn!("{kind}.{method}() ignored on a stale {kind} handle: {reason}");
    }
}
