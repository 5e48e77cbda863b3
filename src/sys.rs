//! What differs between the operating systems nodenet runs on, kept in one place: the errno
//! numbers the loop tests for and the flags it passes to system calls.
//!
//! nodenet is built and tested on Linux. It needs Unix (Unix domain sockets, a signal pipe), so
//! it does not build on Windows; other Unix systems (macOS, the BSDs) get the numbers below
//! from their own headers through `libc`, and differ where this module says so. What is
//! Linux-only is gated here with `cfg` and documented as such; nothing else in the crate names
//! a bare OS number.

/// The errno values the loop tests for, each the platform's own (MIPS and SPARC Linux, and the
/// BSDs, number some of them differently): `EACCES` and `EMFILE`/`ENFILE` for accept's retry
/// policy, `EINPROGRESS` for a connect under way, `EAFNOSUPPORT` for binding `::` without IPv6.
pub(crate) use libc::{EACCES, EAFNOSUPPORT, EINPROGRESS, EMFILE, ENFILE};

/// Flags for every `send`: on Linux `MSG_NOSIGNAL`, so a peer that has gone makes the write
/// fail with `EPIPE` instead of raising SIGPIPE and killing a process that left SIGPIPE at its
/// default. Linux-only; elsewhere no flag, and SIGPIPE is the process's to handle.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) const SEND_FLAGS: i32 = libc::MSG_NOSIGNAL;
/// Flags for every `send`: none off Linux, which has no `MSG_NOSIGNAL` flag for `send`.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) const SEND_FLAGS: i32 = 0;
