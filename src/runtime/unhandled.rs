//! What happens to an `'error'` event that no listener takes: Node's uncaught exception, given
//! a Rust form and a switch.
//!
//! Node throws such an error from `emit`, prints it and exits with status 1. A library cannot
//! end the process for its user, so nodenet's default is to end [`run`](crate::run) with the
//! error instead; [`set_unhandled_error_policy`] chooses between that, logging and carrying on,
//! or panicking with Node's text. A `main` that returns `run()`'s result gets Node's ending:
//! Rust prints `Error: ` and the error's `Debug` (Node's report without the stack, such as
//! `Error: connect ECONNREFUSED 127.0.0.1:1 { errno: -111, code: 'ECONNREFUSED', .. }`) and
//! exits with status 1.
//!
//! ```no_run
//! use nodenet::prelude::*;
//!
//! fn main() -> Result<(), Error> {
//!     net::connect(1, "127.0.0.1", |_| {}); // refused, and nobody listens for 'error'
//!     nodenet::run() // Err: printed as Node prints it; exit status 1
//! }
//! ```

use std::cell::Cell;

use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::with_core;
use crate::runtime::emit;

/// What to do with an `'error'` event that has no listener, set with
/// [`set_unhandled_error_policy`].
///
/// ```
/// use nodenet::UnhandledErrors;
/// assert_eq!(UnhandledErrors::default(), UnhandledErrors::ReturnFromRun);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UnhandledErrors {
    /// `run()` returns `Err(error)` at once, every handle left as it was (calling `run()` again
    /// carries on); also logged at `error` level. The closest to Node's crash, and the default.
    #[default]
    ReturnFromRun,
    /// Log the error at `error` level and carry on, as if a listener had ignored it.
    Log,
    /// Panic with Node's text, `Unhandled 'error' event` and then the error as Node prints it
    /// (`Error: connect ECONNREFUSED ..`); the panic unwinds out of `run()` as a panic in a
    /// listener does, and an unwinding `main` exits with status 101, not Node's 1.
    Panic,
}

thread_local! {
    // One policy per thread, as there is one loop per thread.
    static POLICY: Cell<UnhandledErrors> = const { Cell::new(UnhandledErrors::ReturnFromRun) };
}

/// Chooses what this thread's loop does with an `'error'` event that has no listener (see
/// [`UnhandledErrors`]); returns the policy it replaces.
///
/// ```
/// use nodenet::prelude::*;
/// use nodenet::UnhandledErrors;
///
/// nodenet::set_unhandled_error_policy(UnhandledErrors::Log);
/// let socket = net::connect(1, "127.0.0.1", |_socket| {}); // refused, and no 'error' listener
/// socket.on(Close, |had_error| assert!(had_error));
/// nodenet::run().unwrap(); // logged, not returned
/// let previous = nodenet::set_unhandled_error_policy(UnhandledErrors::ReturnFromRun);
/// assert_eq!(previous, UnhandledErrors::Log);
/// ```
pub fn set_unhandled_error_policy(policy: UnhandledErrors) -> UnhandledErrors {
    POLICY.with(|current| current.replace(policy))
}

/// This thread's policy for `'error'` events without a listener.
///
/// ```
/// assert_eq!(
///     nodenet::unhandled_error_policy(),
///     nodenet::UnhandledErrors::ReturnFromRun
/// );
/// ```
pub fn unhandled_error_policy() -> UnhandledErrors {
    POLICY.with(Cell::get)
}

/// Applies the policy to an error no listener took. Must be called with the loop state not
/// borrowed: a panic here unwinds through the caller.
pub(crate) fn unhandled(error: Error) {
    match unhandled_error_policy() {
        UnhandledErrors::ReturnFromRun => {
            log::error!("unhandled 'error' event: {error}");
            // Kept for `run()` to return; the first one wins.
            with_core(|core| {
                core.unhandled_error.get_or_insert(error);
            });
        }
        UnhandledErrors::Log => log::error!("unhandled 'error' event (ignored): {error}"),
        UnhandledErrors::Panic => panic!("Unhandled 'error' event\n\nError: {error:?}"),
    }
}

/// Warns, when a handle starts work that can fail (a server begins listening), that nothing
/// listens for its `'error'` yet: the failure would then end `run()` (or panic), as Node would
/// crash. Checked once the call that started the work has returned, so a listener added right
/// after `listen(...)` counts.
pub(crate) fn warn_if_unguarded(id: HandleId, what: &str) {
    if unhandled_error_policy() != UnhandledErrors::Log && emit::count(id, "error") == 0 {
        log::warn!(
            "{what} has no 'error' listener: an error will be unhandled \
             (policy {:?}, see nodenet::set_unhandled_error_policy)",
            unhandled_error_policy()
        );
    }
}
