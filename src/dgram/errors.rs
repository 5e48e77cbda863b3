//! Node's `dgram` errors, with Node's codes and messages (`lib/internal/errors.js`).

use std::io;

use crate::error::Error;

/// `ERR_SOCKET_BAD_TYPE`, from `createSocket` with a type other than `udp4`/`udp6`.
pub(crate) fn bad_type() -> Error {
    Error::with_code(
        "ERR_SOCKET_BAD_TYPE",
        "Bad socket type specified. Valid types are: udp4, udp6",
    )
}

/// `ERR_SOCKET_DGRAM_NOT_RUNNING`: the socket was closed.
pub(crate) fn not_running() -> Error {
    Error::with_code("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running")
}

/// `ERR_SOCKET_ALREADY_BOUND`: `bind` on a socket that is bound or binding.
pub(crate) fn already_bound() -> Error {
    Error::with_code("ERR_SOCKET_ALREADY_BOUND", "Socket is already bound")
}

/// `ERR_SOCKET_DGRAM_IS_CONNECTED`: `connect` twice, or `send` to an address when connected.
pub(crate) fn is_connected() -> Error {
    Error::with_code("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected")
}

/// `ERR_SOCKET_DGRAM_NOT_CONNECTED`: `disconnect`, `remoteAddress` or an address-less `send`
/// on a socket that is not connected.
pub(crate) fn not_connected() -> Error {
    Error::with_code("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected")
}

/// `ERR_SOCKET_BAD_PORT` for a destination port: `send` and `connect` refuse port 0.
pub(crate) fn bad_port(port: u16) -> Error {
    Error::with_code(
        "ERR_SOCKET_BAD_PORT",
        format!("Port should be > 0 and < 65536. Received type number ({port})."),
    )
}

/// `ERR_BUFFER_OUT_OF_BOUNDS` for `send(buffer, offset, length, ...)`.
pub(crate) fn out_of_bounds(name: &str) -> Error {
    Error::with_code(
        "ERR_BUFFER_OUT_OF_BOUNDS",
        format!("\"{name}\" is outside of buffer bounds"),
    )
}

/// `ERR_MISSING_ARGS` for a membership call without a group address.
pub(crate) fn missing_args(name: &str) -> Error {
    Error::with_code(
        "ERR_MISSING_ARGS",
        format!("The \"{name}\" argument must be specified"),
    )
}

/// The errno Node reports for an option set on a socket with no descriptor yet (unbound).
pub(crate) fn ebadf() -> io::Error {
    io::Error::from_raw_os_error(9)
}

/// libuv's `UV_EINVAL`, for a value it refuses before asking the kernel.
pub(crate) fn einval() -> io::Error {
    io::Error::from_raw_os_error(22)
}

/// A system error as Node's `errnoException(err, syscall)`: `setTTL EINVAL`.
pub(crate) fn system(err: &io::Error, syscall: &'static str) -> Error {
    Error::from_io(err, syscall)
}

/// `ERR_SOCKET_BUFFER_SIZE`, Node's `SystemError` for a buffer size libuv could not get or set.
pub(crate) fn buffer_size(err: &io::Error, syscall: &'static str) -> Error {
    Error::system_error(
        "ERR_SOCKET_BUFFER_SIZE",
        "Could not get or set buffer size",
        err,
        syscall,
    )
}
