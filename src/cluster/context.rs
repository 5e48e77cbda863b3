//! A loop's view of its cluster: Node's `cluster.worker` from inside a worker.

use std::fmt;
use std::sync::Arc;

use super::shared::Shared;
use super::Stopper;

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
    pub(super) index: usize,
    pub(super) loops: usize,
    pub(super) shared: Arc<Shared>,
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
