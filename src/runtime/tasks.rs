//! The next-tick queue: Node's `process.nextTick`, and the loop's own deferred notifications.
//!
//! Node emits `'error'`, `'listening'`, `'end'`, `'drain'` and write callbacks on a later tick,
//! never from inside the call that caused them; nodenet queues them here. The queue is drained
//! after every callback the loop makes, so a tick runs before any further I/O, as in Node.

use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::with_core;

use std::any::Any;
use std::cell::Cell;
use std::collections::VecDeque;

thread_local! {
    // Mirrors `!ticks.is_empty()` of this thread's loop, outside its `RefCell`: `drain` runs
    // after every callback, and reading a plain thread-local is far cheaper than borrowing the
    // loop state to find the queue empty.
    static TICKS_QUEUED: Cell<bool> = const { Cell::new(false) };
}

/// The next-tick queue; every change goes through here so `TICKS_QUEUED` stays exact.
#[derive(Default)]
pub(crate) struct TickQueue {
    tasks: VecDeque<Task>,
}

impl TickQueue {
    pub(crate) fn push_back(&mut self, task: Task) {
        self.tasks.push_back(task);
        TICKS_QUEUED.set(true);
    }

    /// Puts `task` at `index`, ahead of what was queued after that point.
    pub(crate) fn insert(&mut self, index: usize, task: Task) {
        self.tasks.insert(index, task);
        TICKS_QUEUED.set(true);
    }

    pub(crate) fn pop_front(&mut self) -> Option<Task> {
        let task = self.tasks.pop_front();
        if self.tasks.is_empty() {
            TICKS_QUEUED.set(false);
        }
        task
    }

    pub(crate) fn len(&self) -> usize {
        self.tasks.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

/// A completion callback (a write's, say), called with the error the operation ended with.
pub(crate) type DoneCallback = Box<dyn FnOnce(Option<&Error>)>;

/// A handle kind's deferred notification, in a shape the loop can carry without knowing the
/// kind: a code the kind defines, and the error or value some codes carry. The common notices
/// (`'end'`, `'drain'`, ...) are bare codes, so queueing them allocates nothing.
pub(crate) enum Notice {
    Code(u8),
    Error(u8, Error),
    Value(u8, Box<dyn Any>),
}

/// Delivers a [`Notice`] to its handle; user code runs, so it is called with the core not
/// borrowed.
pub(crate) type DeliverFn = fn(HandleId, Notice);

pub(crate) enum Task {
    User(Box<dyn FnOnce()>),
    Handle(HandleId, DeliverFn, Notice),
    Done(DoneCallback, Option<Error>),
}

impl Task {
    fn run(self) {
        match self {
            Task::User(callback) => callback(),
            Task::Handle(id, deliver, notice) => deliver(id, notice),
            Task::Done(callback, error) => callback(error.as_ref()),
        }
    }
}

/// Runs `callback` after the current callback returns, before the loop does any more I/O: Node's
/// `process.nextTick`.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// let order = Rc::new(RefCell::new(Vec::new()));
/// let o = order.clone();
/// nodenet::set_immediate(move || o.borrow_mut().push("immediate"));
/// let o = order.clone();
/// nodenet::next_tick(move || o.borrow_mut().push("tick"));
/// order.borrow_mut().push("main");
/// nodenet::run().unwrap();
/// assert_eq!(*order.borrow(), ["main", "tick", "immediate"]);
/// ```
pub fn next_tick(callback: impl FnOnce() + 'static) {
    push(Task::User(Box::new(callback)));
}

pub(crate) fn push(task: Task) {
    // If the loop is gone (thread teardown) the task is dropped with the closure, unborrowed.
    with_core(|core| core.ticks.push_back(task));
}

/// Runs queued ticks until none are left, including ticks queued by ticks. A nested call (a tick
/// that makes the loop call back into here) returns at once: the outer drain carries on.
// Inlined: it runs after every callback, and most callbacks queue nothing, so one look at the
// queue is all it should cost.
#[inline]
pub(crate) fn drain() {
    if TICKS_QUEUED.get() {
        run_queued();
    }
}

#[inline(never)]
fn run_queued() {
    let start = with_core(|core| {
        !core.ticks.is_empty() && !std::mem::replace(&mut core.draining_ticks, true)
    });
    if start != Some(true) {
        return;
    }
    let _reset = DrainGuard;
    while let Some(task) = with_core(|core| core.ticks.pop_front()).flatten() {
        task.run();
    }
}

/// Clears the draining flag even when a tick panics, so a loop that is run again drains again.
struct DrainGuard;

impl Drop for DrainGuard {
    fn drop(&mut self) {
        with_core(|core| core.draining_ticks = false);
    }
}
