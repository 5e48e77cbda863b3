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

mod context;
mod error;
mod handle;
mod shared;
mod stop;

pub use self::context::LoopContext;
pub use self::error::ClusterError;
pub use self::handle::{ClusterHandle, LoopReport, Stopper};
use self::shared::{loop_thread, Shared};

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use crate::error::Error;
use crate::process::Signal;

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
