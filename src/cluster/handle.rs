//! The primary's side of a running cluster: waiting, stopping, figures, posting.

use std::fmt;
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use super::shared::Shared;
use super::ClusterError;
use crate::resources::ResourceInfo;
use crate::runtime::LoopStats;

/// Asks every loop of a cluster to stop, from any thread: Node's `worker.disconnect()` sent
/// to every worker, then `kill()` for what lingers. `Send`, `Sync` and `Clone`.
///
/// Each loop closes its servers, destroys its sockets and clears its referenced timers and
/// immediates, so its `run()` returns once the `'close'` events have been emitted. A live
/// [`Remote`](crate::Remote) still holds its loop, as it always does.
///
/// ```
/// let cluster = nodenet::cluster::Cluster::new(2)
///     .start(|_ctx| {
///         nodenet::set_interval(1000, || {}); // would run for ever
///         Ok(())
///     })
///     .unwrap();
/// let stopper = cluster.stopper();
/// std::thread::spawn(move || stopper.stop()).join().unwrap();
/// cluster.join().unwrap();
/// ```
#[derive(Clone)]
pub struct Stopper {
    pub(super) shared: Arc<Shared>,
}

impl Stopper {
    /// Asks every loop to stop; returns at once. Loops that have ended are skipped; asking
    /// twice is harmless.
    ///
    /// ```
    /// let cluster = nodenet::cluster::Cluster::new(1).start(|_| Ok(())).unwrap();
    /// cluster.stopper().stop();
    /// cluster.stopper().stop();
    /// cluster.join().unwrap();
    /// ```
    pub fn stop(&self) {
        self.shared.stop();
    }
}

impl fmt::Debug for Stopper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stopper").finish_non_exhaustive()
    }
}

/// One loop's figures, as [`ClusterHandle::stats`] collects them on that loop's thread.
///
/// ```
/// let cluster = nodenet::cluster::Cluster::new(1)
///     .start(|_| {
///         nodenet::set_interval(1000, || {});
///         Ok(())
///     })
///     .unwrap();
/// let stats = cluster.stats();
/// assert_eq!(stats[0].index, 0);
/// assert_eq!(stats[0].stats.timers, 1);
/// assert_eq!(stats[0].resources[0].kind, "Timeout");
/// cluster.stop();
/// cluster.join().unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct LoopReport {
    /// Which loop.
    pub index: usize,
    /// The loop's [`loop_stats`](crate::loop_stats).
    pub stats: LoopStats,
    /// The loop's [`active_resources_info`](crate::active_resources_info).
    pub resources: Vec<ResourceInfo>,
}

/// The primary's side of a running cluster: wait for it, stop it, ask for its figures, post
/// work into its loops. Dropping it stops the loops and waits for them.
///
/// ```
/// let cluster = nodenet::cluster::Cluster::new(2)
///     .start(|_| {
///         nodenet::set_interval(1000, || {});
///         Ok(())
///     })
///     .unwrap();
/// assert_eq!(cluster.loops(), 2);
/// cluster.stop();
/// assert!(cluster.join().is_ok());
/// ```
pub struct ClusterHandle {
    pub(super) shared: Arc<Shared>,
    pub(super) threads: Vec<JoinHandle<()>>,
}

impl ClusterHandle {
    /// How many loops the cluster started.
    ///
    /// ```
    /// let cluster = nodenet::cluster::Cluster::new(3).start(|_| Ok(())).unwrap();
    /// assert_eq!(cluster.loops(), 3);
    /// cluster.join().unwrap();
    /// ```
    pub fn loops(&self) -> usize {
        self.shared.links.len()
    }

    /// Asks every loop to stop; see [`Stopper`].
    ///
    /// ```
    /// let cluster = nodenet::cluster::Cluster::new(1)
    ///     .start(|_| {
    ///         nodenet::set_interval(1000, || {});
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// cluster.stop();
    /// cluster.join().unwrap();
    /// ```
    pub fn stop(&self) {
        self.shared.stop();
    }

    /// A [`Stopper`] to hand to another thread.
    ///
    /// ```
    /// let cluster = nodenet::cluster::Cluster::new(1).start(|_| Ok(())).unwrap();
    /// let stopper = cluster.stopper();
    /// stopper.stop();
    /// cluster.join().unwrap();
    /// ```
    pub fn stopper(&self) -> Stopper {
        Stopper {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Posts `work` to run on loop `index`'s thread: Node's `worker.send(message)` with the
    /// `'message'` handler carried along. False if there is no such loop or it has ended.
    /// Does not keep the loop alive.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// let cluster = nodenet::cluster::Cluster::new(2)
    ///     .start(|_| {
    ///         nodenet::set_interval(1000, || {});
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// assert!(cluster.post(1, move || tx.send(nodenet::loop_stats().timers).unwrap()));
    /// assert_eq!(rx.recv().unwrap(), 1);
    /// assert!(!cluster.post(2, || {}));
    /// cluster.stop();
    /// cluster.join().unwrap();
    /// ```
    pub fn post(&self, index: usize, work: impl FnOnce() + Send + 'static) -> bool {
        self.shared.post(index, work)
    }

    /// Each running loop's [`loop_stats`](crate::loop_stats) and
    /// [`active_resources_info`](crate::active_resources_info), taken on the loop's own
    /// thread, in loop order. Loops that have ended are left out. Waits for each loop to
    /// reach its next poll.
    ///
    /// ```
    /// let cluster = nodenet::cluster::Cluster::new(2)
    ///     .start(|ctx| {
    ///         for _ in 0..=ctx.loop_index() {
    ///             nodenet::set_interval(1000, || {});
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// let timers: Vec<usize> = cluster.stats().iter().map(|report| report.stats.timers).collect();
    /// assert_eq!(timers, [1, 2]);
    /// cluster.stop();
    /// cluster.join().unwrap();
    /// ```
    pub fn stats(&self) -> Vec<LoopReport> {
        let answers: Vec<mpsc::Receiver<LoopReport>> = (0..self.loops())
            .map(|index| {
                let (tx, rx) = mpsc::channel();
                self.post(index, move || {
                    let _ = tx.send(LoopReport {
                        index,
                        stats: crate::loop_stats(),
                        resources: crate::active_resources_info(),
                    });
                });
                rx
            })
            .collect();
        // A loop that ends first drops the posted work with its sender: `recv` then fails.
        answers.iter().filter_map(|rx| rx.recv().ok()).collect()
    }

    /// Waits for every loop to end, and returns the first failure of any: a setup or `run()`
    /// error, or a panic, with the index of its loop. A failure stops the other loops as soon
    /// as it happens, whether or not anyone is joining yet.
    ///
    /// ```
    /// let result = nodenet::cluster::Cluster::new(2).run(|ctx| {
    ///     if ctx.loop_index() == 1 {
    ///         nodenet::set_timeout(1, || panic!("loop 1 gave up"));
    ///     } else {
    ///         nodenet::set_interval(1000, || {}); // stopped by loop 1's failure
    ///     }
    ///     Ok(())
    /// });
    /// let error = result.unwrap_err();
    /// assert_eq!(error.loop_index(), 1);
    /// assert!(error.to_string().contains("loop 1 gave up"));
    /// ```
    pub fn join(mut self) -> Result<(), ClusterError> {
        self.join_threads();
        match self.shared.first_error.lock() {
            Ok(mut first) => first.take().map_or(Ok(()), Err),
            Err(_) => Ok(()),
        }
    }

    fn join_threads(&mut self) {
        let me = std::thread::current().id();
        for (index, thread) in self.threads.drain(..).enumerate() {
            // A handle dropped inside one of its own loops must not wait for itself (joining
            // one's own thread panics); that loop ends on its own once stopped.
            if thread.thread().id() == me {
                continue;
            }
            if thread.join().is_err() {
                // Only a panic outside catch_unwind (a panicking drop of a panic payload).
                self.shared.fail(ClusterError::Panicked {
                    index,
                    message: "the loop thread panicked outside its loop".into(),
                });
            }
        }
    }

    /// Stops and joins what was started, for a `start` that fails part way.
    pub(super) fn abort(&mut self) {
        self.shared.stop();
        self.join_threads();
    }
}

impl Drop for ClusterHandle {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.abort();
        }
    }
}

impl fmt::Debug for ClusterHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterHandle")
            .field("loops", &self.loops())
            .finish_non_exhaustive()
    }
}
