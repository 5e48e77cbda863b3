//! Signals as events: Node's `process.on('SIGTERM', listener)` and its kin.
//!
//! A listener runs on the loop's thread, in the poll phase, like any other event; it may use
//! every handle. As in Node, listening for a signal replaces its default action (SIGTERM and
//! SIGINT no longer end the process), and a signal that arrives once every listener has been
//! removed gets its default action back. Also as in Node, a signal listener does not keep the
//! loop alive: `run()` returns when nothing else is left, listeners or not.
//!
//! Signals reach the loop through `signal-hook`'s self-pipe, registered with the loop's poll,
//! as libuv's `uv_signal_t` does. Each thread's loop catches the signals its own listeners
//! name; with loops on several threads, a signal goes to every loop that catches it, and one
//! whose listeners have all gone gives it its default action.
//!
//! ```no_run
//! use nodenet::prelude::*;
//! use nodenet::process::{self, Signal};
//!
//! let server = net::create_server(|client| {
//!     client.on(Data, move |data| {
//!         client.write(data);
//!     });
//! });
//! server.listen(8000, ()).unwrap();
//! process::on(Signal::SIGTERM, move |signal| {
//!     eprintln!("{signal}: closing");
//!     server.close(());
//! });
//! nodenet::run().unwrap();
//! ```

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::listeners::ListenerId;
use crate::signals;

/// The signals a listener may be added for, by their POSIX names, as Node spells the events.
/// (SIGKILL and SIGSTOP cannot be caught; SIGPIPE is ignored by Rust programs, as by Node.)
///
/// ```
/// use nodenet::process::Signal;
/// assert_eq!(Signal::SIGTERM.name(), "SIGTERM");
/// assert_eq!(Signal::SIGTERM.to_string(), "SIGTERM");
/// assert_eq!(Signal::SIGINT.number(), 2);
/// ```
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signal {
    /// The terminal hung up, or (by convention) "reload your configuration".
    SIGHUP,
    /// Ctrl-C.
    SIGINT,
    /// Ctrl-\.
    SIGQUIT,
    /// For the program's own use.
    SIGUSR1,
    /// For the program's own use.
    SIGUSR2,
    /// "Please stop": what `kill`, systemd and container runtimes send first.
    SIGTERM,
    /// The terminal was resized.
    SIGWINCH,
}

const ALL: [Signal; 7] = [
    Signal::SIGHUP,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGTERM,
    Signal::SIGWINCH,
];

impl Signal {
    /// The name Node uses for the event: `"SIGTERM"`.
    ///
    /// ```
    /// assert_eq!(nodenet::process::Signal::SIGHUP.name(), "SIGHUP");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Signal::SIGHUP => "SIGHUP",
            Signal::SIGINT => "SIGINT",
            Signal::SIGQUIT => "SIGQUIT",
            Signal::SIGUSR1 => "SIGUSR1",
            Signal::SIGUSR2 => "SIGUSR2",
            Signal::SIGTERM => "SIGTERM",
            Signal::SIGWINCH => "SIGWINCH",
        }
    }

    /// The signal's number on this system.
    ///
    /// ```
    /// assert_eq!(nodenet::process::Signal::SIGTERM.number(), 15);
    /// ```
    pub fn number(self) -> i32 {
        use signal_hook::consts::signal;
        match self {
            Signal::SIGHUP => signal::SIGHUP,
            Signal::SIGINT => signal::SIGINT,
            Signal::SIGQUIT => signal::SIGQUIT,
            Signal::SIGUSR1 => signal::SIGUSR1,
            Signal::SIGUSR2 => signal::SIGUSR2,
            Signal::SIGTERM => signal::SIGTERM,
            Signal::SIGWINCH => signal::SIGWINCH,
        }
    }

    pub(crate) fn from_number(number: i32) -> Option<Signal> {
        ALL.into_iter().find(|signal| signal.number() == number)
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Runs `listener` on the loop each time `signal` arrives: Node's `process.on(signal, fn)`.
/// The listener gets the signal, so one closure can serve several. Returns an id for [`off`].
/// The listener does not keep the loop alive.
///
/// ```
/// use nodenet::process::{self, Signal};
/// let id = process::on(Signal::SIGUSR2, |signal| println!("got {signal}"));
/// assert_eq!(process::listener_count(Signal::SIGUSR2), 1);
/// process::off(id);
/// nodenet::run().unwrap(); // returns at once: a signal listener is unref'd
/// ```
pub fn on(signal: Signal, listener: impl FnMut(Signal) + 'static) -> ListenerId {
    signals::add(signal, Rc::new(RefCell::new(listener)), false)
}

/// Runs `listener` the next time `signal` arrives, then removes it: Node's
/// `process.once(signal, fn)`.
///
/// ```
/// use nodenet::process::{self, Signal};
/// process::once(Signal::SIGHUP, |_| println!("reloading"));
/// assert_eq!(process::listener_count(Signal::SIGHUP), 1);
/// ```
pub fn once(signal: Signal, listener: impl FnOnce(Signal) + 'static) -> ListenerId {
    let mut listener = Some(listener);
    let listener = move |signal| {
        if let Some(listener) = listener.take() {
            listener(signal);
        }
    };
    signals::add(signal, Rc::new(RefCell::new(listener)), true)
}

/// Removes a listener that [`on`] or [`once`] returned: Node's `process.off`. False if it was
/// not there (removed already, or made on another thread).
///
/// ```
/// use nodenet::process::{self, Signal};
/// let id = process::on(Signal::SIGINT, |_| {});
/// assert!(process::off(id));
/// assert!(!process::off(id));
/// ```
pub fn off(id: ListenerId) -> bool {
    signals::remove(id)
}

/// How many listeners `signal` has on this thread's loop: Node's
/// `process.listenerCount(signal)`.
///
/// ```
/// use nodenet::process::{self, Signal};
/// assert_eq!(process::listener_count(Signal::SIGQUIT), 0);
/// ```
pub fn listener_count(signal: Signal) -> usize {
    signals::count(signal)
}
