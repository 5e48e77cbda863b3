//! `nodenet::run()`: one turn of libuv's loop after another, until nothing keeps it alive.

use std::io;
use std::time::{Duration, Instant};

use crate::error::{codes, Error};
use crate::net::readiness::{self, Readiness};
use crate::runtime::core::{with_core, IoKind, WAKER_TOKEN};
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
        readiness::run_pending_reads();
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

fn poll_timeout() -> Option<Duration> {
    with_core(|core| {
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
    })
    .flatten()
}

fn poll_and_dispatch() -> Result<(), Error> {
    let timeout = poll_timeout();
    let Some(mut events) = with_core(|core| core.events.take()).flatten() else {
        return Err(Error::new("nodenet loop events buffer is missing"));
    };
    let polled = with_core(|core| loop {
        match core.poll.poll(&mut events, timeout) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    });
    let result = match polled {
        Some(Ok(())) => {
            with_core(|core| core.now = Instant::now());
            for event in events.iter() {
                if event.token() == WAKER_TOKEN {
                    remote::run_posted();
                    continue;
                }
                // Slots are freed only in the close phase, after the batch, so this key still
                // names the handle the event was registered for (or its closed, inert slot).
                readiness::dispatch(event.token().0, Readiness::from(event));
            }
            Ok(())
        }
        Some(Err(err)) => Err(Error::from_io(&err, "epoll_wait")),
        None => Err(Error::new("this thread's nodenet loop is unavailable")),
    };
    events.clear();
    with_core(|core| core.events = Some(events));
    result
}

/// libuv's close phase: `'close'` for every handle closed since the last one, then the slot is
/// freed. Handles closed by these listeners wait for the next turn, as in libuv.
fn run_closing() {
    let closing = with_core(|core| std::mem::take(&mut core.closing)).unwrap_or_default();
    for id in closing {
        readiness::emit_close(id);
        let freed = with_core(|core| {
            // A server listening again since its 'close' keeps its slot.
            let reopened = core.server(id).is_some_and(|server| server.listen_called);
            let live = core.slot(id).is_some();
            (live && !reopened).then(|| core.io.remove(id.key()))
        })
        .flatten();
        // The slot's listeners are dropped here, outside the borrow.
        drop(freed);
        tasks::drain();
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
            match slot.kind {
                IoKind::Socket(_) => stats.sockets += 1,
                IoKind::Server(_) => stats.servers += 1,
            }
        }
        stats
    })
    .unwrap_or_default()
}
