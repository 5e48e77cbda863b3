//! Why a cluster ended early: Node's worker `'exit'` with a code, with the loop it came from.

use std::fmt;

use crate::error::Error;

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
