//! One loop per core: Node's `cluster` module, with threads for processes.
//!
//! Node's `cluster` forks worker processes that each run the same script; the primary shares
//! the listening socket with them. Here [`Cluster::start`] spawns N threads, each with its own
//! loop, and runs the same setup closure on each; servers that listen with
//! [`reuse_port`](crate::net::ListenOptions::reuse_port) on one port get their own socket each,
//! and the kernel spreads the connections over them (`SO_REUSEPORT`, as Node 22.12's
//! `reusePort`, not the primary's round-robin). The handle that `start` returns is the
//! primary's view: [`ClusterHandle::join`] waits for every loop, [`ClusterHandle::stop`] (or a
//! [`Stopper`] from any thread, or a signal) asks them all to end, and a failure of one loop
//! stops the others and is reported with the index of the loop it came from.
//!
//! ```
//! use std::sync::OnceLock;
//! use nodenet::cluster::Cluster;
//! use nodenet::net::{self, ListenOptions};
//! use nodenet::prelude::*;
//!
//! // Loop 0's setup returns before loop 1's starts: it picks the port, the others follow it.
//! let port = OnceLock::new();
//! let cluster = Cluster::new(2)
//!     .start(move |ctx| {
//!         let server = net::create_server(|client| {
//!             client.on(Data, move |data| {
//!                 client.write(data);
//!             });
//!         });
//!         let options = ListenOptions {
//!             host: Some("127.0.0.1".into()),
//!             reuse_port: true,
//!             ..ListenOptions::from(*port.get().unwrap_or(&0))
//!         };
//!         server.listen(options, ())?;
//!         if ctx.loop_index() == 0 {
//!             let _ = port.set(server.address().map_or(0, |address| address.port));
//!         }
//!         Ok(())
//!     })
//!     .unwrap();
//! assert_eq!(cluster.stats().len(), 2);
//! cluster.stop();
//! cluster.join().unwrap();
//! ```

mod stop;

use std::any::Any;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::error::Error;
use crate::process::Signal;
use crate::remote::{unref_remote, UnrefRemote};
use crate::resources::ResourceInfo;
use crate::runtime::LoopStats;

/// The setup every loop runs, shared by all of them.
type Setup = dyn Fn(&LoopContext) -> Result<(), Error> + Send + Sync;

/// How many loops, and what stops them: Node's `cluster.setupPrimary` settings, the few that
/// apply to threads.
///
/// ```
/// use nodenet::cluster::Cluster;
/// use nodenet::process::Signal;
/// let cluster = Cluster::new(0).stop_on(Signal::SIGTERM);
/// assert!(cluster.loops() >= 1); // 0 means one loop per available core
/// ```
#[derive(Clone, Debug)]
pub struct Cluster {
    loops: usize,
    stop_signals: Vec<Signal>,
}

impl Default for Cluster {
    /// One loop per available core, as Node's examples fork `availableParallelism()` workers.
    ///
    /// ```
    /// let cluster = nodenet::cluster::Cluster::default();
    /// assert!(cluster.loops() >= 1);
    /// ```
    fn default() -> Cluster {
        Cluster::new(0)
    }
}

impl Cluster {
    /// A cluster of `loops` loops; 0 means one per available core
    /// (`std::thread::available_parallelism`, 1 if unknown).
    ///
    /// ```
    /// assert_eq!(nodenet::cluster::Cluster::new(3).loops(), 3);
    /// ```
    pub fn new(loops: usize) -> Cluster {
        let loops = if loops == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            loops
        };
        Cluster {
            loops,
            stop_signals: Vec::new(),
        }
    }

    /// How many loops [`start`](Cluster::start) will run.
    ///
    /// ```
    /// assert_eq!(nodenet::cluster::Cluster::new(2).loops(), 2);
    /// ```
    pub fn loops(&self) -> usize {
        self.loops
    }

    /// Stops every loop when `signal` arrives. The listener is added on loop 0 and, like
    /// every signal listener, does not keep it alive.
    ///
    /// ```
    /// use nodenet::cluster::Cluster;
    /// use nodenet::process::Signal;
    /// let cluster = Cluster::new(1).stop_on(Signal::SIGINT).stop_on(Signal::SIGTERM);
    /// # let _ = cluster;
    /// ```
    pub fn stop_on(mut self, signal: Signal) -> Cluster {
        if !self.stop_signals.contains(&signal) {
            self.stop_signals.push(signal);
        }
        self
    }

    /// Starts the loops, one thread each, and runs `setup` on each loop's thread before its
    /// loop runs. Setups run one after another, in loop order: loop 0's has returned before
    /// loop 1's begins, so loop 0 may bind port 0 and the others the port it got.
    ///
    /// Returns once every setup has returned. If a setup fails (an error or a panic), the
    /// loops already started are stopped and joined, and that failure is returned.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let ran = Arc::new(AtomicUsize::new(0));
    /// let counter = ran.clone();
    /// let cluster = nodenet::cluster::Cluster::new(2)
    ///     .start(move |_ctx| {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// cluster.join().unwrap(); // the loops had nothing to do: they ended by themselves
    /// assert_eq!(ran.load(Ordering::SeqCst), 2);
    /// ```
    pub fn start<F>(self, setup: F) -> Result<ClusterHandle, ClusterError>
    where
        F: Fn(&LoopContext) -> Result<(), Error> + Send + Sync + 'static,
    {
        let shared = Arc::new(Shared {
            links: (0..self.loops).map(|_| Mutex::new(None)).collect(),
            first_error: Mutex::new(None),
        });
        let setup: Arc<Setup> = Arc::new(setup);
        let mut handle = ClusterHandle {
            shared: Arc::clone(&shared),
            threads: Vec::with_capacity(self.loops),
        };
        for index in 0..self.loops {
            let ctx = LoopContext {
                index,
                loops: self.loops,
                shared: Arc::clone(&shared),
            };
            let setup = Arc::clone(&setup);
            let signals = if index == 0 {
                self.stop_signals.clone()
            } else {
                Vec::new()
            };
            let (ready_tx, ready_rx) = mpsc::channel();
            let spawned = std::thread::Builder::new()
                .name(format!("nodenet-loop-{index}"))
                .spawn(move || loop_thread(ctx, &*setup, &signals, ready_tx));
            let thread = match spawned {
                Ok(thread) => thread,
                Err(error) => {
                    handle.abort();
                    return Err(ClusterError::Spawn { index, error });
                }
            };
            handle.threads.push(thread);
            // The thread drops the sender without a word only if it died past catch_unwind.
            let ready = ready_rx.recv().unwrap_or_else(|_| {
                Err(ClusterError::Panicked {
                    index,
                    message: "the loop thread ended during setup".into(),
                })
            });
            if let Err(error) = ready {
                handle.abort();
                return Err(error);
            }
        }
        Ok(handle)
    }

    /// [`start`](Cluster::start), then [`join`](ClusterHandle::join): runs the loops until
    /// they end, are stopped by a signal from [`stop_on`](Cluster::stop_on) or a
    /// [`Stopper`], or one fails.
    ///
    /// ```
    /// let result = nodenet::cluster::Cluster::new(2).run(|ctx| {
    ///     if ctx.loop_index() == 1 {
    ///         return Err(nodenet::Error::new("no config for this loop"));
    ///     }
    ///     Ok(())
    /// });
    /// assert_eq!(result.unwrap_err().loop_index(), 1);
    /// ```
    pub fn run<F>(self, setup: F) -> Result<(), ClusterError>
    where
        F: Fn(&LoopContext) -> Result<(), Error> + Send + Sync + 'static,
    {
        self.start(setup)?.join()
    }
}

/// What the cluster's threads share: how to reach each loop, and the first failure.
struct Shared {
    /// A poster per loop, `None` before the loop exists and after its `run()` returned.
    links: Vec<Mutex<Option<UnrefRemote>>>,
    first_error: Mutex<Option<ClusterError>>,
}

impl Shared {
    fn post(&self, index: usize, work: impl FnOnce() + Send + 'static) -> bool {
        let Some(link) = self.links.get(index) else {
            return false;
        };
        match link.lock() {
            Ok(link) => link.as_ref().is_some_and(|remote| remote.post(work)),
            Err(_) => false,
        }
    }

    fn stop(&self) {
        for index in 0..self.links.len() {
            self.post(index, stop::stop_this_loop);
        }
    }

    /// Keeps the first failure and stops every loop.
    fn fail(&self, error: ClusterError) {
        if let Ok(mut first) = self.first_error.lock() {
            first.get_or_insert(error);
        }
        self.stop();
    }

    fn set_link(&self, index: usize, remote: Option<UnrefRemote>) {
        if let Some(Ok(mut link)) = self.links.get(index).map(|link| link.lock()) {
            *link = remote;
        }
    }
}

fn loop_thread(
    ctx: LoopContext,
    setup: &Setup,
    signals: &[Signal],
    ready: mpsc::Sender<Result<(), ClusterError>>,
) {
    let index = ctx.index;
    let shared = Arc::clone(&ctx.shared);
    shared.set_link(index, Some(unref_remote()));
    // Before the setup, so a signal that comes once `start` has returned finds its listener.
    for &signal in signals {
        let stopper = ctx.stopper();
        crate::process::on(signal, move |_| stopper.stop());
    }
    let setup_result = catch_unwind(AssertUnwindSafe(|| setup(&ctx)));
    let setup_result = match setup_result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(ClusterError::Failed { index, error }),
        Err(payload) => Err(ClusterError::Panicked {
            index,
            message: panic_message(payload.as_ref()),
        }),
    };
    let failed = setup_result.is_err();
    let _ = ready.send(setup_result);
    if !failed {
        match catch_unwind(AssertUnwindSafe(crate::run)) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => shared.fail(ClusterError::Failed { index, error }),
            Err(payload) => shared.fail(ClusterError::Panicked {
                index,
                message: panic_message(payload.as_ref()),
            }),
        }
    }
    // Work posted from now on is never run; it is dropped with the loop when the thread ends,
    // which is what tells `stats()` this loop will not answer.
    shared.set_link(index, None);
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic with a payload that is not a string".to_string()
    }
}

/// What a loop's setup knows about its place in the cluster: Node's `cluster.worker` as seen
/// from inside a worker.
///
/// ```
/// nodenet::cluster::Cluster::new(2)
///     .run(|ctx| {
///         assert!(ctx.loop_index() < ctx.loops());
///         assert_eq!(ctx.is_first(), ctx.loop_index() == 0);
///         Ok(())
///     })
///     .unwrap();
/// ```
pub struct LoopContext {
    index: usize,
    loops: usize,
    shared: Arc<Shared>,
}

impl LoopContext {
    /// This loop's index, from 0: Node's `cluster.worker.id`, which counts from 1.
    ///
    /// ```
    /// nodenet::cluster::Cluster::new(1)
    ///     .run(|ctx| {
    ///         assert_eq!(ctx.loop_index(), 0);
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn loop_index(&self) -> usize {
        self.index
    }

    /// How many loops the cluster has.
    ///
    /// ```
    /// nodenet::cluster::Cluster::new(2)
    ///     .run(|ctx| {
    ///         assert_eq!(ctx.loops(), 2);
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn loops(&self) -> usize {
        self.loops
    }

    /// Whether this is loop 0, whose setup runs before the others'.
    ///
    /// ```
    /// nodenet::cluster::Cluster::new(1)
    ///     .run(|ctx| {
    ///         assert!(ctx.is_first());
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn is_first(&self) -> bool {
        self.index == 0
    }

    /// A `Send` handle that stops the whole cluster, for listeners of this loop.
    ///
    /// ```
    /// nodenet::cluster::Cluster::new(2)
    ///     .run(|ctx| {
    ///         let stopper = ctx.stopper();
    ///         nodenet::set_interval(1, move || stopper.stop()); // cleared by the stop
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn stopper(&self) -> Stopper {
        Stopper {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Posts `work` to loop `index` (this one included), to run on that loop's thread: a
    /// message between loops, as `worker.send` with the handler carried along. False if that
    /// loop does not exist, has not been set up yet (loops are set up in index order), or has
    /// ended. Does not keep either loop alive.
    ///
    /// ```
    /// use std::sync::{mpsc, Mutex};
    /// let (tx, rx) = mpsc::channel();
    /// let tx = Mutex::new(tx);
    /// nodenet::cluster::Cluster::new(2)
    ///     .run(move |ctx| {
    ///         if ctx.loop_index() == 0 {
    ///             nodenet::set_interval(1000, || {}); // keeps loop 0 running
    ///         } else {
    ///             let tx = tx.lock().unwrap().clone();
    ///             let stopper = ctx.stopper();
    ///             assert!(ctx.post(0, move || {
    ///                 tx.send(nodenet::loop_stats().timers).unwrap(); // run by loop 0
    ///                 stopper.stop();
    ///             }));
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(rx.recv().unwrap(), 1);
    /// ```
    pub fn post(&self, index: usize, work: impl FnOnce() + Send + 'static) -> bool {
        self.shared.post(index, work)
    }
}

impl fmt::Debug for LoopContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopContext")
            .field("index", &self.index)
            .field("loops", &self.loops)
            .finish_non_exhaustive()
    }
}

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
    shared: Arc<Shared>,
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
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
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
    fn abort(&mut self) {
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

/// Why a cluster ended early: what failed, and in which loop. Node's `'exit'` event with a
/// non-zero code, for the first worker that had one.
///
/// ```
/// let error = nodenet::cluster::Cluster::new(2)
///     .run(|ctx| match ctx.loop_index() {
///         0 => Ok(()),
///         _ => panic!("bad config"),
///     })
///     .unwrap_err();
/// assert_eq!(error.loop_index(), 1);
/// assert_eq!(error.to_string(), "loop 1 panicked: bad config");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ClusterError {
    /// The loop's setup returned an error, or its `run()` did (an unhandled `'error'`).
    Failed {
        /// Which loop.
        index: usize,
        /// The error.
        error: Error,
    },
    /// The loop's setup or one of its listeners panicked; the loop's thread caught it.
    Panicked {
        /// Which loop.
        index: usize,
        /// The panic's message.
        message: String,
    },
    /// The loop's thread could not be spawned.
    Spawn {
        /// Which loop.
        index: usize,
        /// What the OS said.
        error: std::io::Error,
    },
}

impl ClusterError {
    /// The index of the loop the failure came from.
    ///
    /// ```
    /// let error = nodenet::cluster::Cluster::new(1)
    ///     .run(|_| Err(nodenet::Error::new("no")))
    ///     .unwrap_err();
    /// assert_eq!(error.loop_index(), 0);
    /// ```
    pub fn loop_index(&self) -> usize {
        match self {
            ClusterError::Failed { index, .. }
            | ClusterError::Panicked { index, .. }
            | ClusterError::Spawn { index, .. } => *index,
        }
    }
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterError::Failed { index, error } => write!(f, "loop {index} failed: {error}"),
            ClusterError::Panicked { index, message } => {
                write!(f, "loop {index} panicked: {message}")
            }
            ClusterError::Spawn { index, error } => {
                write!(f, "loop {index} could not start its thread: {error}")
            }
        }
    }
}

impl std::error::Error for ClusterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClusterError::Failed { error, .. } => Some(error),
            ClusterError::Panicked { .. } => None,
            ClusterError::Spawn { error, .. } => Some(error),
        }
    }
}
