//! What differs between the operating systems nodenet runs on, kept in one place: the errno
//! numbers the loop tests for and the flags it passes to system calls.
//!
//! nodenet is built and tested on Linux. It needs Unix (Unix domain sockets, a signal pipe), so
//! it does not build on Windows; other Unix systems (macOS, the BSDs) get the numbers below
//! from their own headers, and differ where this module says so. What is Linux-only is gated
//! here with `cfg` and documented as such; nothing else in the crate names a bare OS number.

/// `EACCES`: the same number on Linux and the BSDs.
pub(crate) const EACCES: i32 = 13;

/// `ENFILE`, the system's descriptor limit: the same number on Linux and the BSDs.
pub(crate) const ENFILE: i32 = 23;

/// `EMFILE`, the process's descriptor limit: the same number on Linux and the BSDs.
pub(crate) const EMFILE: i32 = 24;

/// `EINPROGRESS`, a non-blocking connect still under way.
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
pub(crate) const EINPROGRESS: i32 = 115;
/// `EINPROGRESS`, a non-blocking connect still under way (Linux on MIPS renumbers it).
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    any(target_arch = "mips", target_arch = "mips64")
))]
pub(crate) const EINPROGRESS: i32 = 150;
/// `EINPROGRESS`, a non-blocking connect still under way (BSD numbering, as on macOS, the
/// BSDs and Linux on SPARC).
#[cfg(not(all(
    any(target_os = "linux", target_os = "android"),
    not(any(target_arch = "sparc", target_arch = "sparc64"))
)))]
pub(crate) const EINPROGRESS: i32 = 36;

/// `EAFNOSUPPORT`: binding `::` on a machine without IPv6.
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
pub(crate) const EAFNOSUPPORT: i32 = 97;
/// `EAFNOSUPPORT`: binding `::` on a machine without IPv6 (Linux on MIPS renumbers it).
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    any(target_arch = "mips", target_arch = "mips64")
))]
pub(crate) const EAFNOSUPPORT: i32 = 124;
/// `EAFNOSUPPORT`: binding `::` on a machine without IPv6 (BSD numbering).
#[cfg(not(all(
    any(target_os = "linux", target_os = "android"),
    not(any(target_arch = "sparc", target_arch = "sparc64"))
)))]
pub(crate) const EAFNOSUPPORT: i32 = 47;

/// Flags for every `send`: on Linux `MSG_NOSIGNAL`, so a peer that has gone makes the write
/// fail with `EPIPE` instead of raising SIGPIPE and killing a process that left SIGPIPE at its
/// default. Linux-only; elsewhere no flag, and SIGPIPE is the process's to handle.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) const SEND_FLAGS: i32 = 0x4000;
/// Flags for every `send`: none off Linux, which has no `MSG_NOSIGNAL` of the same number.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) const SEND_FLAGS: i32 = 0;
