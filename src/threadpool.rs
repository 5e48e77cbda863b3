//! A small, bounded pool of threads for blocking work: libuv's `threadpool.c`, which Node uses
//! for `dns.lookup` (`getaddrinfo`) among others.
//!
//! As libuv's, the pool is shared by every loop of the process, its threads are all started on
//! the first submission and live as long as the process, and work beyond them waits in a FIFO
//! queue. Its size is read once, from `NODENET_THREADPOOL_SIZE`, else `UV_THREADPOOL_SIZE`,
//! else 4 (libuv's default), and clamped to 1..=1024 as libuv clamps it. Queued work can be
//! cancelled (libuv's `uv_cancel`), which drops it unrun; running work cannot.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

/// The environment variable that sets the pool's size; `UV_THREADPOOL_SIZE` is read if it is
/// not set.
pub(crate) const SIZE_VARIABLE: &str = "NODENET_THREADPOOL_SIZE";

const DEFAULT_SIZE: usize = 4;
const MAX_SIZE: usize = 1024;

pub(crate) type Work = Box<dyn FnOnce() + Send>;

/// Names a piece of submitted work, for [`cancel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WorkId(u64);

struct Pool {
    state: Mutex<State>,
    work_ready: Condvar,
    size: usize,
}

#[derive(Default)]
struct State {
    /// Keyed by submission order, so the first entry is the oldest and a cancel is a removal.
    queue: BTreeMap<u64, Work>,
    next: u64,
    started: bool,
}

static POOL: OnceLock<Pool> = OnceLock::new();

fn pool() -> &'static Pool {
    POOL.get_or_init(|| Pool {
        state: Mutex::new(State::default()),
        work_ready: Condvar::new(),
        size: size_from(
            std::env::var(SIZE_VARIABLE)
                .ok()
                .or_else(|| std::env::var("UV_THREADPOOL_SIZE").ok()),
        ),
    })
}

/// The pool's size for the value of its environment variable, as libuv reads
/// `UV_THREADPOOL_SIZE`: unset or unreadable gives the default, 0 gives 1.
fn size_from(value: Option<String>) -> usize {
    value
        .and_then(|value| value.trim().parse::<usize>().ok())
        .map_or(DEFAULT_SIZE, |size| size.clamp(1, MAX_SIZE))
}

/// How many threads the process's thread pool runs (or will run, once work is first
/// submitted): name lookups for `connect` and `listen` run there, at most this many at once,
/// the rest queued. Set by the environment variable `NODENET_THREADPOOL_SIZE` (else
/// `UV_THREADPOOL_SIZE`, as libuv reads it) before the first lookup; 4 by default, at most
/// 1024.
///
/// ```
/// let threads = nodenet::threadpool_size();
/// assert!((1..=1024).contains(&threads));
/// ```
pub fn threadpool_size() -> usize {
    pool().size
}

fn lock(pool: &Pool) -> MutexGuard<'_, State> {
    // Work runs outside the lock, so a poisoned lock only means a panic between two plain
    // collection operations; the queue is still whole.
    pool.state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Queues `work` to run on one of the pool's threads. Gives `work` back if no thread could be
/// started.
pub(crate) fn submit(work: Work) -> Result<WorkId, Work> {
    let pool = pool();
    let mut state = lock(pool);
    if !state.started {
        state.started = true;
        let mut running = 0;
        for index in 0..pool.size {
            match std::thread::Builder::new()
                .name(format!("nodenet-pool-{index}"))
                .spawn(worker)
            {
                Ok(_) => running += 1,
                Err(err) => log::error!("cannot start thread pool thread {index}: {err}"),
            }
        }
        if running == 0 {
            state.started = false;
            return Err(work);
        }
        log::debug!("thread pool started with {running} thread(s)");
    }
    let id = state.next;
    state.next += 1;
    state.queue.insert(id, work);
    drop(state);
    pool.work_ready.notify_one();
    Ok(WorkId(id))
}

/// Takes queued work out of the queue, unrun, for the caller to drop; None if it has started
/// (or finished) already.
pub(crate) fn cancel(id: WorkId) -> Option<Work> {
    lock(pool()).queue.remove(&id.0)
}

fn worker() {
    let pool = pool();
    loop {
        let work = {
            let mut state = lock(pool);
            loop {
                if let Some((_, work)) = state.queue.pop_first() {
                    break work;
                }
                state = pool
                    .work_ready
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        // A panic would end this thread and shrink the pool for good.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).is_err() {
            log::error!("thread pool work panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_read_as_libuv_reads_it() {
        assert_eq!(size_from(None), 4);
        assert_eq!(size_from(Some("8".into())), 8);
        assert_eq!(size_from(Some("0".into())), 1);
        assert_eq!(size_from(Some("100000".into())), 1024);
        assert_eq!(size_from(Some("many".into())), 4);
    }
}
