//! Timers: Node's `timers` module (`setTimeout`, `setInterval`, `setImmediate` and their
//! `clear*`, with `ref`/`unref`/`refresh` on the returned handles).
//!
//! Timeouts live in an ordered set keyed by (deadline, insertion number), so timers with equal
//! deadlines fire in the order they were set, as Node guarantees. A loop with no timers pays
//! nothing for them: the set is empty and the poll timeout is not shortened.

use std::collections::{BTreeSet, VecDeque};
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use slab::Slab;

use crate::handle::{next_generation, HandleId};
use crate::runtime::core::{with_core, Core};
use crate::runtime::tasks;

/// Node clamps delays outside 1..=2^31-1 ms to 1 ms.
const TIMEOUT_MAX_MS: u64 = 2_147_483_647;

type Due = (Instant, u64, usize);

struct TimerSlot {
    generation: u32,
    delay: Duration,
    repeat: bool,
    /// The key in the ordered set while armed.
    armed: Option<Due>,
    /// Out of the slot while it runs.
    callback: Option<Box<dyn FnMut()>>,
    referenced: bool,
    cleared: bool,
}

struct ImmediateSlot {
    generation: u32,
    callback: Box<dyn FnOnce()>,
    referenced: bool,
}

/// The loop's timers and immediates.
#[derive(Default)]
pub(crate) struct TimerState {
    timers: Slab<TimerSlot>,
    due: BTreeSet<Due>,
    sequence: u64,
    /// Armed, referenced timers.
    timer_refs: usize,
    immediates: Slab<ImmediateSlot>,
    immediate_queue: VecDeque<HandleId>,
    immediate_refs: usize,
}

impl TimerState {
    pub(crate) fn keeps_alive(&self) -> bool {
        self.timer_refs > 0 || self.immediate_refs > 0
    }

    pub(crate) fn has_immediates(&self) -> bool {
        !self.immediate_queue.is_empty()
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.due.first().map(|due| due.0)
    }

    pub(crate) fn timer_count(&self) -> usize {
        self.timers.len()
    }

    pub(crate) fn immediate_count(&self) -> usize {
        self.immediates.len()
    }

    /// Armed timers that keep the loop alive (Node's ref'd `Timeout`s).
    pub(crate) fn referenced_timers(&self) -> usize {
        self.timer_refs
    }

    /// Queued immediates that keep the loop alive (Node's ref'd `Immediate`s).
    pub(crate) fn referenced_immediates(&self) -> usize {
        self.immediate_refs
    }

    fn timer(&mut self, id: HandleId) -> Option<&mut TimerSlot> {
        self.timers
            .get_mut(id.key())
            .filter(|slot| slot.generation == id.generation && !slot.cleared)
    }

    fn arm(&mut self, key: usize, now: Instant) {
        let deadline = now + self.timers[key].delay;
        self.arm_at(key, deadline);
    }

    fn arm_at(&mut self, key: usize, deadline: Instant) {
        self.disarm(key);
        self.sequence += 1;
        let slot = &mut self.timers[key];
        let due = (deadline, self.sequence, key);
        slot.armed = Some(due);
        if slot.referenced {
            self.timer_refs += 1;
        }
        self.due.insert(due);
    }

    fn disarm(&mut self, key: usize) {
        let slot = &mut self.timers[key];
        if let Some(due) = slot.armed.take() {
            self.due.remove(&due);
            if slot.referenced {
                self.timer_refs -= 1;
            }
        }
    }

    /// Frees a timer slot; the callback (if not out running) is returned for dropping outside.
    fn free(&mut self, key: usize) -> Option<Box<dyn FnMut()>> {
        self.disarm(key);
        self.timers.remove(key).callback
    }
}

/// A timer the loop uses for its own purposes (socket idle timeouts): created disarmed and
/// unreferenced, armed at explicit deadlines, removed with its owner.
pub(crate) fn add_internal(core: &mut Core, callback: Box<dyn FnMut()>) -> HandleId {
    let generation = next_generation();
    let key = core.timers.timers.insert(TimerSlot {
        generation,
        delay: Duration::ZERO,
        repeat: false,
        armed: None,
        callback: Some(callback),
        referenced: false,
        cleared: false,
    });
    HandleId::new(key, generation)
}

pub(crate) fn arm_internal(core: &mut Core, id: HandleId, deadline: Instant) {
    if core.timers.timer(id).is_some() {
        core.timers.arm_at(id.key(), deadline);
    }
}

/// Removes an internal timer. Its callback captures only handle ids, so dropping it here, inside
/// the borrow, runs no user code.
pub(crate) fn remove_internal(core: &mut Core, id: HandleId) {
    Timer {
        id,
        _not_send: PhantomData,
    }
    .close_in(core);
}

fn clamp(ms: u64) -> Duration {
    Duration::from_millis(if (1..=TIMEOUT_MAX_MS).contains(&ms) {
        ms
    } else {
        1
    })
}

fn add_timer(ms: u64, repeat: bool, callback: Box<dyn FnMut()>) -> Timer {
    let id = with_core(|core| {
        let generation = next_generation();
        let key = core.timers.timers.insert(TimerSlot {
            generation,
            delay: clamp(ms),
            repeat,
            armed: None,
            callback: Some(callback),
            referenced: true,
            cleared: false,
        });
        let now = core.now;
        core.timers.arm(key, now);
        HandleId::new(key, generation)
    });
    Timer {
        id: id.unwrap_or(HandleId::new(usize::MAX, 0)),
        _not_send: PhantomData,
    }
}

/// Calls `callback` once after `ms` milliseconds: Node's `setTimeout`.
///
/// Delays of 0 or above 2^31-1 ms become 1 ms, as in Node. Timers set for the same moment fire
/// in the order they were set.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// let order = Rc::new(RefCell::new(Vec::new()));
/// for n in 0..3 {
///     let order = order.clone();
///     nodenet::set_timeout(5, move || order.borrow_mut().push(n));
/// }
/// nodenet::run().unwrap();
/// assert_eq!(*order.borrow(), [0, 1, 2]);
/// ```
pub fn set_timeout(ms: u64, callback: impl FnOnce() + 'static) -> Timer {
    let mut callback = Some(callback);
    add_timer(
        ms,
        false,
        Box::new(move || {
            if let Some(callback) = callback.take() {
                callback();
            }
        }),
    )
}

/// Calls `callback` every `ms` milliseconds until cleared: Node's `setInterval`.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// let count = Rc::new(Cell::new(0));
/// let c = count.clone();
/// let interval = Rc::new(Cell::new(None));
/// let i = interval.clone();
/// interval.set(Some(nodenet::set_interval(1, move || {
///     c.set(c.get() + 1);
///     if c.get() == 3 {
///         nodenet::clear_interval(i.get().unwrap());
///     }
/// })));
/// nodenet::run().unwrap();
/// assert_eq!(count.get(), 3);
/// ```
pub fn set_interval(ms: u64, callback: impl FnMut() + 'static) -> Timer {
    add_timer(ms, true, Box::new(callback))
}

/// Cancels a timeout; a fired or already cleared timer is left alone: Node's `clearTimeout`.
///
/// ```
/// let timer = nodenet::set_timeout(10, || unreachable!());
/// nodenet::clear_timeout(timer);
/// nodenet::run().unwrap();
/// ```
pub fn clear_timeout(timer: Timer) {
    timer.close();
}

/// Cancels an interval: Node's `clearInterval` (the same as [`clear_timeout`]).
///
/// ```
/// let timer = nodenet::set_interval(10, || unreachable!());
/// nodenet::clear_interval(timer);
/// nodenet::run().unwrap();
/// ```
pub fn clear_interval(timer: Timer) {
    timer.close();
}

/// A timeout or interval: Node's `Timeout` object. `Copy`; stale once the timer is done.
///
/// ```
/// let timer = nodenet::set_timeout(60_000, || {});
/// timer.unref(); // does not keep the loop alive
/// nodenet::run().unwrap(); // returns at once
/// timer.close();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Timer {
    id: HandleId,
    _not_send: PhantomData<*const ()>,
}

impl Timer {
    /// Lets the loop exit while this timer is pending: Node's `timeout.unref()`.
    ///
    /// ```
    /// let timer = nodenet::set_timeout(60_000, || {}).unref();
    /// assert!(!timer.has_ref());
    /// nodenet::clear_timeout(timer);
    /// ```
    pub fn unref(self) -> Timer {
        self.set_ref(false);
        self
    }

    /// Makes a pending timer keep the loop alive again: Node's `timeout.ref()`.
    ///
    /// ```
    /// let timer = nodenet::set_timeout(1, || {}).unref().ref_();
    /// assert!(timer.has_ref());
    /// nodenet::run().unwrap();
    /// ```
    pub fn ref_(self) -> Timer {
        self.set_ref(true);
        self
    }

    fn set_ref(self, referenced: bool) {
        with_core(|core| {
            let timers = &mut core.timers;
            let Some(slot) = timers.timer(self.id) else {
                return;
            };
            if slot.referenced != referenced {
                slot.referenced = referenced;
                if slot.armed.is_some() {
                    if referenced {
                        timers.timer_refs += 1;
                    } else {
                        timers.timer_refs -= 1;
                    }
                }
            }
        });
    }

    /// Whether the timer keeps the loop alive: Node's `timeout.hasRef()`.
    ///
    /// ```
    /// let timer = nodenet::set_timeout(1, || {});
    /// assert!(timer.has_ref());
    /// nodenet::run().unwrap();
    /// ```
    pub fn has_ref(self) -> bool {
        with_core(|core| core.timers.timer(self.id).map(|slot| slot.referenced))
            .flatten()
            .unwrap_or(false)
    }

    /// Restarts the countdown from now with the same delay; also re-arms a timeout from inside
    /// its own callback: Node's `timeout.refresh()`.
    ///
    /// ```
    /// let timer = nodenet::set_timeout(5, || {});
    /// timer.refresh();
    /// nodenet::run().unwrap();
    /// ```
    pub fn refresh(self) -> Timer {
        with_core(|core| {
            let now = core.now;
            if core.timers.timer(self.id).is_some() {
                core.timers.arm(self.id.key(), now);
            }
        });
        self
    }

    /// Cancels the timer: the same as [`clear_timeout`].
    ///
    /// ```
    /// nodenet::set_timeout(5, || unreachable!()).close();
    /// nodenet::run().unwrap();
    /// ```
    pub fn close(self) {
        let dropped = with_core(|core| self.close_in(core)).flatten();
        drop(dropped);
    }

    fn close_in(self, core: &mut Core) -> Option<Box<dyn FnMut()>> {
        let timers = &mut core.timers;
        let slot = timers.timer(self.id)?;
        if slot.callback.is_none() {
            // Running right now: the firing code frees it when the callback returns.
            slot.cleared = true;
            timers.disarm(self.id.key());
            None
        } else {
            timers.free(self.id.key())
        }
    }
}

/// Fires every timer whose deadline has passed, earliest first.
pub(crate) fn run_due() {
    loop {
        let due = with_core(|core| {
            let now = core.now;
            let timers = &mut core.timers;
            let &(deadline, _, key) = timers.due.first()?;
            if deadline > now {
                return None;
            }
            timers.disarm(key);
            let slot = &mut timers.timers[key];
            let callback = slot.callback.take()?;
            Some((HandleId::new(key, slot.generation), callback))
        })
        .flatten();
        let Some((id, mut callback)) = due else {
            return;
        };
        // A panic in the callback still goes out of `run()`, but only after the timer is put
        // back or freed below, as Node's `finally` in `listOnTimeout` does: a one-shot timer
        // would otherwise stay in the loop forever, and an interval would lose its callback.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&mut callback));
        let dropped = with_core(|core| {
            let now = core.now;
            let timers = &mut core.timers;
            let slot = timers
                .timers
                .get_mut(id.key())
                .filter(|slot| slot.generation == id.generation)?;
            if slot.cleared || (!slot.repeat && slot.armed.is_none()) {
                timers.timers.remove(id.key());
                return Some(callback);
            }
            slot.callback = Some(callback);
            if slot.armed.is_none() {
                timers.arm(id.key(), now);
            }
            None
        })
        .flatten();
        drop(dropped);
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
        tasks::drain();
    }
}

/// Queues `callback` for the loop's check phase, after the current poll: Node's `setImmediate`.
///
/// Immediates queued while immediates run wait for the next turn of the loop.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// let order = Rc::new(RefCell::new(Vec::new()));
/// let o = order.clone();
/// nodenet::set_immediate(move || {
///     o.borrow_mut().push(1);
///     let o = o.clone();
///     nodenet::set_immediate(move || o.borrow_mut().push(3));
/// });
/// let o = order.clone();
/// nodenet::set_immediate(move || o.borrow_mut().push(2));
/// nodenet::run().unwrap();
/// assert_eq!(*order.borrow(), [1, 2, 3]);
/// ```
pub fn set_immediate(callback: impl FnOnce() + 'static) -> Immediate {
    let mut callback: Option<Box<dyn FnOnce()>> = Some(Box::new(callback));
    let id = with_core(|core| {
        let generation = next_generation();
        let key = core.timers.immediates.insert(ImmediateSlot {
            generation,
            callback: callback.take()?,
            referenced: true,
        });
        core.timers.immediate_refs += 1;
        let id = HandleId::new(key, generation);
        core.timers.immediate_queue.push_back(id);
        Some(id)
    })
    .flatten();
    drop(callback);
    Immediate {
        id: id.unwrap_or(HandleId::new(usize::MAX, 0)),
        _not_send: PhantomData,
    }
}

/// Cancels an immediate that has not run yet: Node's `clearImmediate`.
///
/// ```
/// let immediate = nodenet::set_immediate(|| unreachable!());
/// nodenet::clear_immediate(immediate);
/// nodenet::run().unwrap();
/// ```
pub fn clear_immediate(immediate: Immediate) {
    let dropped = with_core(|core| take_immediate(core, immediate.id)).flatten();
    drop(dropped);
}

fn take_immediate(
    core: &mut crate::runtime::core::Core,
    id: HandleId,
) -> Option<Box<dyn FnOnce()>> {
    let timers = &mut core.timers;
    let slot = timers.immediates.get(id.key())?;
    if slot.generation != id.generation {
        return None;
    }
    let slot = timers.immediates.remove(id.key());
    if slot.referenced {
        timers.immediate_refs -= 1;
    }
    Some(slot.callback)
}

/// A queued `set_immediate` callback: Node's `Immediate` object.
///
/// ```
/// let immediate = nodenet::set_immediate(|| {}).unref();
/// assert!(!immediate.has_ref());
/// nodenet::clear_immediate(immediate);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Immediate {
    id: HandleId,
    _not_send: PhantomData<*const ()>,
}

impl Immediate {
    /// Lets the loop exit while this immediate is pending: Node's `immediate.unref()`.
    ///
    /// ```
    /// let immediate = nodenet::set_immediate(|| {}).unref();
    /// nodenet::clear_immediate(immediate);
    /// ```
    pub fn unref(self) -> Immediate {
        self.set_ref(false);
        self
    }

    /// Makes the immediate keep the loop alive again: Node's `immediate.ref()`.
    ///
    /// ```
    /// let immediate = nodenet::set_immediate(|| {}).unref().ref_();
    /// assert!(immediate.has_ref());
    /// nodenet::run().unwrap();
    /// ```
    pub fn ref_(self) -> Immediate {
        self.set_ref(true);
        self
    }

    /// Whether the immediate keeps the loop alive: Node's `immediate.hasRef()`.
    ///
    /// ```
    /// assert!(nodenet::set_immediate(|| {}).has_ref());
    /// nodenet::run().unwrap();
    /// ```
    pub fn has_ref(self) -> bool {
        with_core(|core| {
            let slot = core.timers.immediates.get(self.id.key())?;
            (slot.generation == self.id.generation).then_some(slot.referenced)
        })
        .flatten()
        .unwrap_or(false)
    }

    fn set_ref(self, referenced: bool) {
        with_core(|core| {
            let timers = &mut core.timers;
            let Some(slot) = timers.immediates.get_mut(self.id.key()) else {
                return;
            };
            if slot.generation != self.id.generation || slot.referenced == referenced {
                return;
            }
            slot.referenced = referenced;
            if referenced {
                timers.immediate_refs += 1;
            } else {
                timers.immediate_refs -= 1;
            }
        });
    }
}

/// libuv's check phase: runs the immediates queued before it started.
pub(crate) fn run_immediates() {
    let queued = with_core(|core| core.timers.immediate_queue.len()).unwrap_or(0);
    for _ in 0..queued {
        let next = with_core(|core| {
            let id = core.timers.immediate_queue.pop_front()?;
            Some(take_immediate(core, id))
        })
        .flatten();
        let Some(callback) = next else { return };
        // A cleared immediate leaves its id in the queue with no slot behind it.
        if let Some(callback) = callback {
            callback();
            tasks::drain();
        }
    }
}

/// Clears every timer and immediate that keeps the loop alive, so a loop asked to stop can
/// return; internal and unref'd timers are left alone (they never hold the loop). The
/// callbacks are dropped outside the borrow, since their captures may run code on drop.
pub(crate) fn clear_referenced() {
    let dropped = with_core(|core| {
        let timers: Vec<Timer> = core
            .timers
            .timers
            .iter()
            .filter(|(_, slot)| slot.referenced && !slot.cleared)
            .map(|(key, slot)| Timer {
                id: HandleId::new(key, slot.generation),
                _not_send: PhantomData,
            })
            .collect();
        let immediates: Vec<HandleId> = core
            .timers
            .immediates
            .iter()
            .filter(|(_, slot)| slot.referenced)
            .map(|(key, slot)| HandleId::new(key, slot.generation))
            .collect();
        let timers: Vec<_> = timers
            .into_iter()
            .filter_map(|timer| timer.close_in(core))
            .collect();
        let immediates: Vec<_> = immediates
            .into_iter()
            .filter_map(|id| take_immediate(core, id))
            .collect();
        (timers, immediates)
    });
    drop(dropped);
}
