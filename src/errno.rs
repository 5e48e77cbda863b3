//! Linux errno numbers and the names and messages Node reports for them.
//!
//! Mirrors libuv's `uv_err_name` / `uv_strerror`: the name is what Node puts
//! in `err.code`, the message is what `uvException` puts after the syscall
//! (`connect ECONNREFUSED 127.0.0.1:1` carries the name; `err.message` of
//! `uvException` uses the text). Keeping libuv's wording, rather than the
//! C library's `strerror` text, means messages match Node byte for byte.
//!
//! Numbers are the generic Linux ones (x86, x86_64, arm, aarch64, riscv,
//! powerpc, s390x...). MIPS and SPARC renumber most errnos above 34, and
//! other kernels use their own numbering, so [`from_io`] only trusts raw OS
//! error codes where this table is valid.

use std::io;

/// `(errno, name, libuv message)`, sorted by errno.
///
/// The set is libuv's `UV_ERRNO_MAP` restricted to codes that are real Linux
/// errnos. libuv's own codes (`EOF`, `UNKNOWN`, `ECHARSET`, `EFTYPE`,
/// `EAI_*`) are not errnos and have no Linux number, so they are left out;
/// errnos libuv does not name (e.g. `EINPROGRESS`) are left out too, because
/// Node never reports them under a name either.
const TABLE: &[(i32, &str, &str)] = &[
    (1, "EPERM", "operation not permitted"),
    (2, "ENOENT", "no such file or directory"),
    (3, "ESRCH", "no such process"),
    (4, "EINTR", "interrupted system call"),
    (5, "EIO", "i/o error"),
    (6, "ENXIO", "no such device or address"),
    (7, "E2BIG", "argument list too long"),
    // Named only by libuv releases newer than 1.46 (Node 20), which reports
    // errno 8 unnamed; included so newer Node is matched.
    (8, "ENOEXEC", "exec format error"),
    (9, "EBADF", "bad file descriptor"),
    (11, "EAGAIN", "resource temporarily unavailable"),
    (12, "ENOMEM", "not enough memory"),
    (13, "EACCES", "permission denied"),
    (14, "EFAULT", "bad address in system call argument"),
    (16, "EBUSY", "resource busy or locked"),
    (17, "EEXIST", "file already exists"),
    (18, "EXDEV", "cross-device link not permitted"),
    (19, "ENODEV", "no such device"),
    (20, "ENOTDIR", "not a directory"),
    (21, "EISDIR", "illegal operation on a directory"),
    (22, "EINVAL", "invalid argument"),
    (23, "ENFILE", "file table overflow"),
    (24, "EMFILE", "too many open files"),
    (25, "ENOTTY", "inappropriate ioctl for device"),
    (26, "ETXTBSY", "text file is busy"),
    (27, "EFBIG", "file too large"),
    (28, "ENOSPC", "no space left on device"),
    (29, "ESPIPE", "invalid seek"),
    (30, "EROFS", "read-only file system"),
    (31, "EMLINK", "too many links"),
    (32, "EPIPE", "broken pipe"),
    (34, "ERANGE", "result too large"),
    (36, "ENAMETOOLONG", "name too long"),
    (38, "ENOSYS", "function not implemented"),
    (39, "ENOTEMPTY", "directory not empty"),
    (40, "ELOOP", "too many symbolic links encountered"),
    (49, "EUNATCH", "protocol driver not attached"),
    (61, "ENODATA", "no data available"),
    (64, "ENONET", "machine is not on the network"),
    (71, "EPROTO", "protocol error"),
    (75, "EOVERFLOW", "value too large for defined data type"),
    (84, "EILSEQ", "illegal byte sequence"),
    (88, "ENOTSOCK", "socket operation on non-socket"),
    (89, "EDESTADDRREQ", "destination address required"),
    (90, "EMSGSIZE", "message too long"),
    (91, "EPROTOTYPE", "protocol wrong type for socket"),
    (92, "ENOPROTOOPT", "protocol not available"),
    (93, "EPROTONOSUPPORT", "protocol not supported"),
    (94, "ESOCKTNOSUPPORT", "socket type not supported"),
    // Linux's EOPNOTSUPP is the same number; libuv only knows it as ENOTSUP.
    (95, "ENOTSUP", "operation not supported on socket"),
    (97, "EAFNOSUPPORT", "address family not supported"),
    (98, "EADDRINUSE", "address already in use"),
    (99, "EADDRNOTAVAIL", "address not available"),
    (100, "ENETDOWN", "network is down"),
    (101, "ENETUNREACH", "network is unreachable"),
    (103, "ECONNABORTED", "software caused connection abort"),
    (104, "ECONNRESET", "connection reset by peer"),
    (105, "ENOBUFS", "no buffer space available"),
    (106, "EISCONN", "socket is already connected"),
    (107, "ENOTCONN", "socket is not connected"),
    (
        108,
        "ESHUTDOWN",
        "cannot send after transport endpoint shutdown",
    ),
    (110, "ETIMEDOUT", "connection timed out"),
    (111, "ECONNREFUSED", "connection refused"),
    (112, "EHOSTDOWN", "host is down"),
    (113, "EHOSTUNREACH", "host is unreachable"),
    (114, "EALREADY", "connection already in progress"),
    (121, "EREMOTEIO", "remote I/O error"),
    (125, "ECANCELED", "operation canceled"),
];

/// Whether `raw_os_error()` values use this table's numbering.
///
/// Elsewhere the same number means a different error (61 is ECONNREFUSED on
/// macOS), so a wrong-but-plausible code would be worse than a coarse one.
const RAW_OS_ERRORS_ARE_LINUX: bool = cfg!(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
));

fn entry(errno: i32) -> Option<&'static (i32, &'static str, &'static str)> {
    TABLE
        .binary_search_by_key(&errno, |&(n, _, _)| n)
        .ok()
        .and_then(|i| TABLE.get(i))
}

/// Node's `err.code` for a positive Linux errno, e.g. 111 -> `ECONNREFUSED`.
///
/// Negative (libuv-style) numbers are not accepted, so a sign mix-up shows
/// up as `None` instead of silently working in some places only.
pub(crate) fn name(errno: i32) -> Option<&'static str> {
    entry(errno).map(|&(_, name, _)| name)
}

/// libuv's `uv_strerror` text for a positive Linux errno, or libuv's
/// `UNKNOWN` text when the errno is not one libuv names.
pub(crate) fn message(errno: i32) -> &'static str {
    entry(errno).map_or("unknown error", |&(_, _, message)| message)
}

/// The positive Linux errno for a Node error code, e.g. `EADDRINUSE` -> 98.
///
/// Only the canonical libuv spelling is recognised (`EWOULDBLOCK` and
/// `EOPNOTSUPP` are not), because Node never produces the aliases.
#[cfg(test)] // only the table's round-trip test looks names up
pub(crate) fn number(name: &str) -> Option<i32> {
    TABLE
        .iter()
        .find(|&&(_, n, _)| n == name)
        .map(|&(errno, _, _)| errno)
}

/// The Node error code and positive errno for an I/O error.
///
/// An OS error with a number this table knows maps exactly. An OS error with
/// an unnamed number keeps its errno under `UNKNOWN`, as Node keeps `errno`
/// when libuv has no name for it; guessing a name from the `ErrorKind` there
/// would pair a name with a number that disagrees with it. Errors built in
/// Rust (no OS number, or a platform whose numbers differ) get a name from
/// their `ErrorKind` and no errno, since inventing one would be a lie to
/// callers that compare `err.errno`.
pub(crate) fn from_io(err: &io::Error) -> (&'static str, Option<i32>) {
    if RAW_OS_ERRORS_ARE_LINUX {
        if let Some(raw) = err.raw_os_error() {
            return (name(raw).unwrap_or("UNKNOWN"), Some(raw));
        }
    }
    (kind_name(err.kind()).unwrap_or("UNKNOWN"), None)
}

fn kind_name(kind: io::ErrorKind) -> Option<&'static str> {
    use io::ErrorKind as K;
    // Inverse of std's errno -> ErrorKind decoding where that is one-to-one;
    // kinds std never derives from an errno (InvalidData, WriteZero,
    // UnexpectedEof, Other...) have no honest Node code. The finer kinds
    // stabilised in Rust 1.83 (HostUnreachable, NetworkDown, ...) are left
    // to the `UNKNOWN` fallback because the crate's MSRV is 1.80; errors of
    // those kinds normally carry an OS number and are resolved before this.
    let name = match kind {
        K::NotFound => "ENOENT",
        K::PermissionDenied => "EACCES",
        K::ConnectionRefused => "ECONNREFUSED",
        K::ConnectionReset => "ECONNRESET",
        K::ConnectionAborted => "ECONNABORTED",
        K::NotConnected => "ENOTCONN",
        K::AddrInUse => "EADDRINUSE",
        K::AddrNotAvailable => "EADDRNOTAVAIL",
        K::BrokenPipe => "EPIPE",
        K::AlreadyExists => "EEXIST",
        K::WouldBlock => "EAGAIN",
        K::InvalidInput => "EINVAL",
        K::TimedOut => "ETIMEDOUT",
        K::Interrupted => "EINTR",
        K::Unsupported => "ENOSYS",
        K::OutOfMemory => "ENOMEM",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Node 20.20.2 (libuv 1.46.0) `util.getSystemErrorMap()` on Linux
    /// x86_64, entries with a real errno, negated to positive. Captured once
    /// so the tests need no Node install.
    const NODE_SYSTEM_ERROR_MAP: &[(i32, &str, &str)] = &[
        (1, "EPERM", "operation not permitted"),
        (2, "ENOENT", "no such file or directory"),
        (3, "ESRCH", "no such process"),
        (4, "EINTR", "interrupted system call"),
        (5, "EIO", "i/o error"),
        (6, "ENXIO", "no such device or address"),
        (7, "E2BIG", "argument list too long"),
        (9, "EBADF", "bad file descriptor"),
        (11, "EAGAIN", "resource temporarily unavailable"),
        (12, "ENOMEM", "not enough memory"),
        (13, "EACCES", "permission denied"),
        (14, "EFAULT", "bad address in system call argument"),
        (16, "EBUSY", "resource busy or locked"),
        (17, "EEXIST", "file already exists"),
        (18, "EXDEV", "cross-device link not permitted"),
        (19, "ENODEV", "no such device"),
        (20, "ENOTDIR", "not a directory"),
        (21, "EISDIR", "illegal operation on a directory"),
        (22, "EINVAL", "invalid argument"),
        (23, "ENFILE", "file table overflow"),
        (24, "EMFILE", "too many open files"),
        (25, "ENOTTY", "inappropriate ioctl for device"),
        (26, "ETXTBSY", "text file is busy"),
        (27, "EFBIG", "file too large"),
        (28, "ENOSPC", "no space left on device"),
        (29, "ESPIPE", "invalid seek"),
        (30, "EROFS", "read-only file system"),
        (31, "EMLINK", "too many links"),
        (32, "EPIPE", "broken pipe"),
        (34, "ERANGE", "result too large"),
        (36, "ENAMETOOLONG", "name too long"),
        (38, "ENOSYS", "function not implemented"),
        (39, "ENOTEMPTY", "directory not empty"),
        (40, "ELOOP", "too many symbolic links encountered"),
        (49, "EUNATCH", "protocol driver not attached"),
        (61, "ENODATA", "no data available"),
        (64, "ENONET", "machine is not on the network"),
        (71, "EPROTO", "protocol error"),
        (75, "EOVERFLOW", "value too large for defined data type"),
        (84, "EILSEQ", "illegal byte sequence"),
        (88, "ENOTSOCK", "socket operation on non-socket"),
        (89, "EDESTADDRREQ", "destination address required"),
        (90, "EMSGSIZE", "message too long"),
        (91, "EPROTOTYPE", "protocol wrong type for socket"),
        (92, "ENOPROTOOPT", "protocol not available"),
        (93, "EPROTONOSUPPORT", "protocol not supported"),
        (94, "ESOCKTNOSUPPORT", "socket type not supported"),
        (95, "ENOTSUP", "operation not supported on socket"),
        (97, "EAFNOSUPPORT", "address family not supported"),
        (98, "EADDRINUSE", "address already in use"),
        (99, "EADDRNOTAVAIL", "address not available"),
        (100, "ENETDOWN", "network is down"),
        (101, "ENETUNREACH", "network is unreachable"),
        (103, "ECONNABORTED", "software caused connection abort"),
        (104, "ECONNRESET", "connection reset by peer"),
        (105, "ENOBUFS", "no buffer space available"),
        (106, "EISCONN", "socket is already connected"),
        (107, "ENOTCONN", "socket is not connected"),
        (
            108,
            "ESHUTDOWN",
            "cannot send after transport endpoint shutdown",
        ),
        (110, "ETIMEDOUT", "connection timed out"),
        (111, "ECONNREFUSED", "connection refused"),
        (112, "EHOSTDOWN", "host is down"),
        (113, "EHOSTUNREACH", "host is unreachable"),
        (114, "EALREADY", "connection already in progress"),
        (121, "EREMOTEIO", "remote I/O error"),
        (125, "ECANCELED", "operation canceled"),
    ];

    #[test]
    fn known_entries() {
        assert_eq!(name(111), Some("ECONNREFUSED"));
        assert_eq!(message(111), "connection refused");
        assert_eq!(number("EADDRINUSE"), Some(98));
        assert_eq!(message(98), "address already in use");
        assert_eq!(name(104), Some("ECONNRESET"));
        assert_eq!(name(32), Some("EPIPE"));
        assert_eq!(name(11), Some("EAGAIN"));
        assert_eq!(message(5), "i/o error");
        assert_eq!(message(121), "remote I/O error");
    }

    #[test]
    fn unknown_entries() {
        assert_eq!(name(0), None);
        assert_eq!(name(-111), None);
        assert_eq!(name(115), None); // EINPROGRESS: libuv has no name for it
        assert_eq!(name(i32::MAX), None);
        assert_eq!(name(i32::MIN), None);
        assert_eq!(message(0), "unknown error");
        assert_eq!(message(-1), "unknown error");
        assert_eq!(number("EWOULDBLOCK"), None);
        assert_eq!(number("econnrefused"), None);
        assert_eq!(number("EOF"), None);
        assert_eq!(number(""), None);
    }

    #[test]
    fn table_is_sorted_and_unique() {
        // binary_search in `entry` depends on this.
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        for (i, &(_, n, _)) in TABLE.iter().enumerate() {
            assert!(TABLE[i + 1..].iter().all(|&(_, m, _)| m != n), "{n}");
        }
    }

    #[test]
    fn name_and_number_round_trip() {
        for &(errno, n, msg) in TABLE {
            assert!(errno > 0);
            assert_eq!(name(errno), Some(n));
            assert_eq!(number(n), Some(errno));
            assert_eq!(message(errno), msg);
        }
    }

    #[test]
    fn agrees_with_node() {
        for &(errno, n, msg) in NODE_SYSTEM_ERROR_MAP {
            assert_eq!(name(errno), Some(n), "errno {errno}");
            assert_eq!(message(errno), msg, "errno {errno}");
        }
        // Everything Node names is here; the only extra is ENOEXEC, which
        // postdates the libuv the snapshot came from.
        for &(errno, n, _) in TABLE {
            let in_node = NODE_SYSTEM_ERROR_MAP.iter().any(|&(e, _, _)| e == errno);
            assert!(in_node || n == "ENOEXEC", "{n} not in Node's map");
        }
    }

    #[test]
    fn libuv_linux_names_are_covered() {
        let required = [
            "E2BIG",
            "EACCES",
            "EADDRINUSE",
            "EADDRNOTAVAIL",
            "EAFNOSUPPORT",
            "EAGAIN",
            "EALREADY",
            "EBADF",
            "EBUSY",
            "ECANCELED",
            "ECONNABORTED",
            "ECONNREFUSED",
            "ECONNRESET",
            "EDESTADDRREQ",
            "EEXIST",
            "EFAULT",
            "EFBIG",
            "EHOSTUNREACH",
            "EINTR",
            "EINVAL",
            "EIO",
            "EISCONN",
            "EISDIR",
            "ELOOP",
            "EMFILE",
            "EMSGSIZE",
            "ENAMETOOLONG",
            "ENETDOWN",
            "ENETUNREACH",
            "ENFILE",
            "ENOBUFS",
            "ENODEV",
            "ENOENT",
            "ENOMEM",
            "ENOSPC",
            "ENOSYS",
            "ENOTCONN",
            "ENOTDIR",
            "ENOTEMPTY",
            "ENOTSOCK",
            "ENOTSUP",
            "EOVERFLOW",
            "EPERM",
            "EPIPE",
            "EPROTO",
            "EPROTONOSUPPORT",
            "EPROTOTYPE",
            "ERANGE",
            "EROFS",
            "ESHUTDOWN",
            "ESPIPE",
            "ESRCH",
            "ETIMEDOUT",
            "ETXTBSY",
            "EXDEV",
            "EMLINK",
            "EHOSTDOWN",
            "EREMOTEIO",
            "ENOTTY",
            "EILSEQ",
            "ESOCKTNOSUPPORT",
            "ENODATA",
            "ENXIO",
            "EUNATCH",
            "ENONET",
            "ENOPROTOOPT",
            "ENOEXEC",
        ];
        for n in required {
            assert!(number(n).is_some(), "{n} missing");
        }
    }

    #[test]
    fn from_io_uses_raw_os_error() {
        if !RAW_OS_ERRORS_ARE_LINUX {
            return;
        }
        let err = io::Error::from_raw_os_error(111);
        assert_eq!(from_io(&err), ("ECONNREFUSED", Some(111)));
        let err = io::Error::from_raw_os_error(98);
        assert_eq!(from_io(&err), ("EADDRINUSE", Some(98)));
        // EINPROGRESS: a real errno libuv leaves unnamed keeps its number.
        let err = io::Error::from_raw_os_error(115);
        assert_eq!(from_io(&err), ("UNKNOWN", Some(115)));
    }

    #[test]
    fn from_io_maps_kinds_without_errno() {
        let cases = [
            (io::ErrorKind::ConnectionRefused, "ECONNREFUSED"),
            (io::ErrorKind::AddrInUse, "EADDRINUSE"),
            (io::ErrorKind::ConnectionReset, "ECONNRESET"),
            (io::ErrorKind::BrokenPipe, "EPIPE"),
            (io::ErrorKind::TimedOut, "ETIMEDOUT"),
            (io::ErrorKind::AddrNotAvailable, "EADDRNOTAVAIL"),
            (io::ErrorKind::PermissionDenied, "EACCES"),
            (io::ErrorKind::NotFound, "ENOENT"),
            (io::ErrorKind::ConnectionAborted, "ECONNABORTED"),
            (io::ErrorKind::InvalidInput, "EINVAL"),
            (io::ErrorKind::WouldBlock, "EAGAIN"),
            (io::ErrorKind::NotConnected, "ENOTCONN"),
            (io::ErrorKind::OutOfMemory, "ENOMEM"),
            (io::ErrorKind::Other, "UNKNOWN"),
            (io::ErrorKind::UnexpectedEof, "UNKNOWN"),
            (io::ErrorKind::InvalidData, "UNKNOWN"),
        ];
        for (kind, expected) in cases {
            let err = io::Error::new(kind, "synthetic");
            assert_eq!(from_io(&err), (expected, None), "{kind:?}");
            let err = io::Error::from(kind);
            assert_eq!(from_io(&err), (expected, None), "{kind:?}");
        }
    }

    #[test]
    fn kind_names_are_in_the_table() {
        // A kind-derived name must still be one `number` can resolve.
        for &(errno, n, _) in TABLE {
            let kind = io::Error::from_raw_os_error(errno).kind();
            if let Some(k) = kind_name(kind) {
                assert!(number(k).is_some(), "{n} -> {kind:?} -> {k}");
            }
        }
    }
}
