//! `nodenet::run()`: one turn of libuv's loop after another, until nothing keeps it alive.

use std::io;
use std::time::{Duration, Instant};

use mio::Events;

use crate::error::{codes, Error};
use crate::handle::HandleId;
use crate::runtime::core::{with_core, Core, IoSlot, EVENTS_PER_POLL, WAKER_TOKEN};
use crate::runtime::handle_kind::{ReadBuffers, Readiness, StatsClass};
use crate::runtime::tasks;
use crate::{remote, timers};

/// Runs this thread's loop until no referenced handle, timer, immediate or queued work remains,
/// as a Node process exits when its loop is empty.
///
/// Returns an error if the loop is already running on this thread (`run` inside a listener), if
/// polling fails, or, where Node would crash the process, when an `'error'` event had no
/// listener: `run()` then returns that error at once, with every handle left as it was (calling
/// `run()` again carries on). A panic in a listener unwinds out of `run`, leaving the loop usable.
///
/// ```
/// use nodenet::prelude::*;
/// let server = net::create_server(|client| {
///     client.on(Data, move |data| {
///         client.write(data);
///     });
/// });
/// server.listen((0, "127.0.0.1"), move || {
///     let port = server.address().unwrap().port;
///     let client = net::connect(port, "127.0.0.1", |client| {
///         client.write("ping");
///     });
///     client.on(Data, move |data| {
///         assert_eq!(data.to_string(), "ping");
///         client.end();
///         server.close(());
///     });
/// })
/// .unwrap();
/// nodenet::run().unwrap();
/// ```
pub fn run() -> Result<(), Error> {
    match with_core(|core| !std::mem::replace(&mut core.running, true)) {
        None => return Err(Error::new("this thread's nodenet loop is unavailable")),
        Some(false) => return Err(codes::loop_running()),
        Some(true) => {}
    }
    let _running = RunningGuard;
    with_core(|core| {
        core.draining_ticks = false;
        core.now = Instant::now();
    });
    // Like the end of a Node main module: ticks queued before the loop starts run first.
    tasks::drain();
    loop {
        let state = with_core(|core| {
            core.now = Instant::now();
            match core.unhandled_error.take() {
                Some(error) => Err(error),
                None => Ok(core.is_alive()),
            }
        });
        match state {
            Some(Ok(true)) => {}
            Some(Err(error)) => return Err(error),
            Some(Ok(false)) | None => return Ok(()),
        }
        timers::run_due();
        run_pending_reads();
        poll_and_dispatch()?;
        timers::run_immediates();
        run_closing();
    }
}

/// Clears the running flag on return and on unwind.
struct RunningGuard;

impl Drop for RunningGuard {
    fn drop(&mut self) {
        with_core(|core| core.running = false);
    }
}

fn poll_timeout(core: &Core) -> Option<Duration> {
    if !core.ticks.is_empty()
        || !core.closing.is_empty()
        || !core.pending_reads.is_empty()
        || core.timers.has_immediates()
    {
        return Some(Duration::ZERO);
    }
    if !core.is_alive() {
        return Some(Duration::ZERO);
    }
    core.timers
        .next_deadline()
        .map(|deadline| deadline.saturating_duration_since(core.now))
}

fn poll_and_dispatch() -> Result<(), Error> {
    // One borrow polls and takes out what the batch needs: the events, and the read buffers
    // that every readable socket in the batch reads into in turn.
    let polled = with_core(|core| {
        let timeout = poll_timeout(core);
        // Missing only if a listener panicked during the last batch and unwound past the
        // put-back below.
        let mut events = core
            .events
            .take()
            .unwrap_or_else(|| Events::with_capacity(EVENTS_PER_POLL));
        // The rest of a batch that a panic interrupted goes before any new poll.
        let (polled, first) = match core.resume_batch.take() {
            Some(next) => (Ok(()), next),
            None => {
                let polled = loop {
                    match core.poll.poll(&mut events, timeout) {
                        Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                core.now = Instant::now();
                (polled, 0)
            }
        };
        (polled, events, first, ReadBuffers::take(core))
    });
    let Some((polled, events, first, mut buffers)) = polled else {
        return Err(Error::new("this thread's nodenet loop is unavailable"));
    };
    // Owns the events while they are dispatched; its drop puts them back into the loop, also
    // when a listener's panic unwinds through here.
    let mut batch = Batch {
        events: Some(events),
        next: first,
    };
    let result = match polled {
        Ok(()) => {
            // The events are borrowed from the batch while its `next` counts them off, so a
            // panic leaves `next` exact; a plain slice walk, as this loop runs per event.
            if let Some(events) = &batch.events {
                for event in events.iter().skip(first) {
                    batch.next += 1;
                    if event.token() == WAKER_TOKEN {
                        remote::run_posted();
                        continue;
                    }
                    // Slots are freed only in the close phase, after the batch, so this key
                    // still names the handle the event was registered for (or its closed, inert
                    // slot).
                    crate::kinds::ready(event.token().0, Readiness::from(event), &mut buffers);
                }
            }
            Ok(())
        }
        Err(err) => Err(Error::from_io(&err, "epoll_wait")),
    };
    drop(batch);
    with_core(|core| buffers.put_back(core));
    result
}

/// A polled batch being dispatched. Dropped normally, it hands the (cleared) events back to the
/// loop. Dropped by a listener's panic unwinding out of `run()`, it keeps the events not yet
/// dispatched for the next turn, and queues the interrupted handle for a read: edge-triggered
/// polling would report neither again.
struct Batch {
    events: Option<Events>,
    /// The index of the first event not yet dispatched.
    next: usize,
}

impl Drop for Batch {
    fn drop(&mut self) {
        let Some(mut events) = self.events.take() else {
            return;
        };
        let unwinding = std::thread::panicking();
        let interrupted = if unwinding {
            self.next
                .checked_sub(1)
                .and_then(|index| events.iter().nth(index))
                .map(|event| event.token())
                .filter(|token| *token != WAKER_TOKEN)
        } else {
            events.clear();
            None
        };
        with_core(|core| {
            if unwinding {
                core.resume_batch = Some(self.next);
            }
            if let Some(token) = interrupted {
                if let Some(slot) = core.io.get(token.0) {
                    let id = HandleId::new(token.0, slot.generation);
                    core.pending_reads.push(id);
                }
            }
            core.events = Some(events);
        });
    }
}

/// libuv's close phase: `'close'` for every handle closed since the last one, then the slot is
/// freed. Handles closed by these listeners wait for the next turn, as in libuv.
fn run_closing() {
    let closing = with_core(|core| std::mem::take(&mut core.closing)).unwrap_or_default();
    let mut closing = Closing {
        ids: closing,
        next: 0,
    };
    while let Some(&id) = closing.ids.get(closing.next) {
        closing.next += 1;
        let close =
            with_core(|core| core.slot(id).map(|slot| slot.kind.handle().on_close())).flatten();
        if let Some(close) = close {
            close(id);
        }
        let freed = with_core(|core| free_closed(core, id)).flatten();
        // The slot's listeners are dropped here, outside the borrow.
        drop(freed);
        tasks::drain();
    }
    closing.ids.clear();
}

/// Frees the slot of a handle whose `'close'` has been emitted, and cancels its lookup if one
/// is still queued; both are handed back to be dropped outside the borrow.
fn free_closed(core: &mut Core, id: HandleId) -> Option<(IoSlot, Option<crate::threadpool::Work>)> {
    // A handle reopened since its 'close' (or its 'error'), or kept until released, keeps its
    // slot.
    let keeps = core.slot(id).map(|slot| slot.kind.handle().keeps_slot());
    let mut freed = (keeps == Some(false)).then(|| core.io.remove(id.key()))?;
    if !core.descriptor_waiters.is_empty() {
        descriptor_freed(core);
    }
    let work = freed.kind.handle_mut().freed(id);
    Some((freed, work))
}

/// A handle of this loop closed its descriptor: handles that failed for want of one try again
/// on this turn, instead of waiting for their retry timer or a new readiness edge.
fn descriptor_freed(core: &mut Core) {
    for id in std::mem::take(&mut core.descriptor_waiters) {
        if core.slot(id).is_some() {
            core.pending_reads.push(id);
        }
    }
}

/// Reads that could not wait for a readiness edge: handles resumed after a pause, and handles
/// that hit their per-event cap.
fn run_pending_reads() {
    let taken = with_core(|core| {
        if core.pending_reads.is_empty() {
            return None;
        }
        Some((
            std::mem::take(&mut core.pending_reads),
            ReadBuffers::take(core),
        ))
    });
    let Some((pending, mut buffers)) = taken.flatten() else {
        return;
    };
    let mut pending = Requeue {
        ids: pending,
        next: 0,
    };
    while let Some(&id) = pending.ids.get(pending.next) {
        pending.next += 1;
        let read =
            with_core(|core| core.slot(id).map(|slot| slot.kind.handle().on_pending())).flatten();
        if let Some(read) = read {
            read(id, &mut buffers);
        }
    }
    pending.ids.clear();
    with_core(|core| buffers.put_back(core));
}

/// The pending reads being served. Should a listener's panic unwind out of one, the handle it
/// interrupted and the ones not yet served go back on the list for the next turn: no readiness
/// edge would bring them back.
struct Requeue {
    ids: Vec<HandleId>,
    next: usize,
}

impl Drop for Requeue {
    fn drop(&mut self) {
        if self.ids.is_empty() {
            return;
        }
        let owed = &self.ids[self.next.saturating_sub(1)..];
        with_core(|core| core.pending_reads.extend_from_slice(owed));
    }
}

/// The handles of one close phase. Should a `'close'` listener's panic unwind out of `run()`,
/// the handle whose `'close'` it interrupted is freed all the same, and the handles after it
/// get their `'close'` in the next close phase.
struct Closing {
    ids: Vec<HandleId>,
    next: usize,
}

impl Drop for Closing {
    fn drop(&mut self) {
        if self.ids.is_empty() {
            return;
        }
        let interrupted = self.ids[self.next.saturating_sub(1)];
        let owed = &self.ids[self.next..];
        let freed = with_core(|core| {
            core.closing.splice(0..0, owed.iter().copied());
            free_closed(core, interrupted)
        });
        drop(freed);
    }
}

/// What the loop holds right now: for tests that end by checking the loop is empty, and for
/// debugging leaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoopStats {
    /// Sockets with a slot (open, or closed but not yet past their `'close'`).
    pub sockets: usize,
    /// Servers with a slot.
    pub servers: usize,
    /// Timers not yet fired or cleared.
    pub timers: usize,
    /// Immediates not yet run or cleared.
    pub immediates: usize,
    /// Queued next-tick callbacks and notifications.
    pub ticks: usize,
}

impl LoopStats {
    /// True when the loop holds nothing at all.
    ///
    /// ```
    /// nodenet::run().unwrap();
    /// assert!(nodenet::loop_stats().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        *self == LoopStats::default()
    }
}

/// Counts what this thread's loop holds; see [`LoopStats`].
///
/// ```
/// let timer = nodenet::set_timeout(1000, || {});
/// assert_eq!(nodenet::loop_stats().timers, 1);
/// nodenet::clear_timeout(timer);
/// assert!(nodenet::loop_stats().is_empty());
/// ```
pub fn loop_stats() -> LoopStats {
    with_core(|core| {
        let mut stats = LoopStats {
            timers: core.timers.timer_count(),
            immediates: core.timers.immediate_count(),
            ticks: core.ticks.len(),
            ..LoopStats::default()
        };
        for (_, slot) in core.io.iter() {
            match slot.kind.handle().stats_class() {
                StatsClass::Socket => stats.sockets += 1,
                StatsClass::Server => stats.servers += 1,
                StatsClass::Uncounted => {}
            }
        }
        stats
    })
    .unwrap_or_default()
}
