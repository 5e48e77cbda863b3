//! Posting work into a loop from another thread: libuv's `uv_async_send`.
//!
//! Loop handles are `!Send`; a [`Remote`] is the one handle that crosses threads. It queues
//! `Send` closures and wakes the loop through a `mio::Waker`; the loop runs them on its own
//! thread, where they may use any handle.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mio::{Registry, Token, Waker};

use crate::runtime::core::with_core;
use crate::runtime::tasks;

type Posted = Box<dyn FnOnce() + Send>;

pub(crate) struct RemoteShared {
    /// None for a remote made where no loop exists (thread teardown): its posts go nowhere.
    waker: Option<Waker>,
    queue: Mutex<Vec<Posted>>,
    /// Live `Remote` values: like a referenced `uv_async_t`, each keeps the loop alive.
    live: AtomicUsize,
}

impl RemoteShared {
    pub(crate) fn new(registry: &Registry, token: Token) -> std::io::Result<RemoteShared> {
        Ok(RemoteShared {
            waker: Some(Waker::new(registry, token)?),
            queue: Mutex::new(Vec::new()),
            live: AtomicUsize::new(0),
        })
    }

    fn detached() -> RemoteShared {
        RemoteShared {
            waker: None,
            queue: Mutex::new(Vec::new()),
            live: AtomicUsize::new(0),
        }
    }

    fn wake(&self) -> bool {
        self.waker
            .as_ref()
            .is_some_and(|waker| waker.wake().is_ok())
    }

    pub(crate) fn keeps_alive(&self) -> bool {
        self.live.load(Ordering::Acquire) > 0
            || self
                .queue
                .lock()
                .map(|queue| !queue.is_empty())
                .unwrap_or(false)
    }

    /// Live `Remote` values, for `active_resources`.
    pub(crate) fn live_count(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    fn post(&self, work: Posted) -> bool {
        match self.queue.lock() {
            Ok(mut queue) => queue.push(work),
            Err(_) => return false,
        }
        self.wake()
    }
}

/// A `Send` handle to one thread's loop, for posting closures into it from other threads.
///
/// Each `Remote` (and each clone) keeps the loop alive until it is dropped, as a referenced
/// `uv_async_t` does: `run()` returns only after every `Remote` is gone and its work has run.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// let got = Rc::new(Cell::new(0));
/// let g = got.clone();
/// let remote = nodenet::remote();
/// let worker = std::thread::spawn(move || {
///     let answer = 6 * 7; // work done off the loop
///     remote.post(move || {
///         // back on the loop's thread: handles and `Rc`s are usable here
///         nodenet::next_tick(move || println!("the answer is {answer}"));
///     });
/// });
/// nodenet::next_tick(move || g.set(1));
/// nodenet::run().unwrap();
/// worker.join().unwrap();
/// assert_eq!(got.get(), 1);
/// ```
pub struct Remote {
    shared: Arc<RemoteShared>,
}

impl Remote {
    /// Queues `work` to run on the loop's thread and wakes the loop. Returns false if the loop
    /// can no longer take work.
    ///
    /// ```
    /// let remote = nodenet::remote();
    /// assert!(remote.post(|| {}));
    /// drop(remote);
    /// nodenet::run().unwrap();
    /// ```
    pub fn post(&self, work: impl FnOnce() + Send + 'static) -> bool {
        self.shared.post(Box::new(work))
    }
}

impl Clone for Remote {
    fn clone(&self) -> Remote {
        self.shared.live.fetch_add(1, Ordering::AcqRel);
        Remote {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.shared.live.fetch_sub(1, Ordering::AcqRel);
        // The loop may be waiting only for us: wake it to notice it can exit.
        self.shared.wake();
    }
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").finish_non_exhaustive()
    }
}

/// A [`Remote`] for this thread's loop (created on first use).
///
/// ```
/// let remote = nodenet::remote();
/// std::thread::spawn(move || remote.post(|| println!("hello from the loop"))).join().unwrap();
/// nodenet::run().unwrap();
/// ```
pub fn remote() -> Remote {
    let shared = with_core(|core| Arc::clone(&core.remote))
        .unwrap_or_else(|| Arc::new(RemoteShared::detached()));
    shared.live.fetch_add(1, Ordering::AcqRel);
    Remote { shared }
}

/// Runs the work posted since the last wake-up, each followed by its ticks.
pub(crate) fn run_posted() {
    let Some(shared) = with_core(|core| Arc::clone(&core.remote)) else {
        return;
    };
    let posted = match shared.queue.lock() {
        Ok(mut queue) => std::mem::take(&mut *queue),
        Err(_) => return,
    };
    for work in posted {
        work();
        tasks::drain();
    }
}

/// A poster into a loop that does not keep it alive, as an unref'd `uv_async_t`: the cluster
/// holds one per loop to stop it or ask for its figures, and a loop must still end on its own
/// when its work is done.
#[derive(Clone)]
pub(crate) struct UnrefRemote {
    shared: Arc<RemoteShared>,
}

impl UnrefRemote {
    /// As [`Remote::post`]; work queued here keeps the loop alive only until it has run.
    pub(crate) fn post(&self, work: impl FnOnce() + Send + 'static) -> bool {
        self.shared.post(Box::new(work))
    }
}

/// An [`UnrefRemote`] for this thread's loop.
pub(crate) fn unref_remote() -> UnrefRemote {
    UnrefRemote {
        shared: with_core(|core| Arc::clone(&core.remote))
            .unwrap_or_else(|| Arc::new(RemoteShared::detached())),
    }
}
