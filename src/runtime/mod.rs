//! The event loop: one per thread, on `mio::Poll`, in libuv's phases.
//!
//! Mirrors libuv's `uv_run` as Node drives it (timers, pending callbacks, poll, check
//! (`setImmediate`), close callbacks) with Node's `process.nextTick` queue drained after every
//! callback. See `docs/architecture.md` for the reentrancy rules that every file here follows.

pub(crate) mod core;
pub(crate) mod emit;
pub(crate) mod handle_kind;
pub(crate) mod run;
pub(crate) mod tasks;
pub(crate) mod unhandled;

pub use self::run::{loop_stats, run, LoopStats};
pub use self::tasks::next_tick;
pub use self::unhandled::{set_unhandled_error_policy, unhandled_error_policy, UnhandledErrors};
