//! `nodenet::Error`: Node's system and internal errors in one type.
//!
//! Mirrors the error objects Node hands to `'error'` listeners and callbacks: a `code`
//! (`ECONNREFUSED`, `ERR_STREAM_WRITE_AFTER_END`, ...), for system errors a negative `errno` and
//! the `syscall` that failed, for network errors the `address` and `port`, and Node's `message`
//! text built the same way (`connect ECONNREFUSED 127.0.0.1:10000`).

use std::borrow::Cow;
use std::fmt;
use std::io;

use crate::errno;

/// An error as Node reports it: code, errno, syscall, address, port and message.
///
/// `Display` prints the message, as `err.message` in Node. `Debug` prints the message and the
/// error's properties in braces, as Node shows an error, without the stack and without the
/// leading `Error: `: Rust adds that itself when `main` returns `Err`, so that a program whose
/// `main` returns [`run`](crate::run)'s error prints what Node prints for an uncaught error
/// (less the stack) and, like Node, exits with status 1. `{:#?}` adds the `Error: `, for
/// printing an error yourself as `console.log(err)` does.
///
/// ```text
/// Error: connect ECONNREFUSED 127.0.0.1:1 {
///   errno: -111,
///   code: 'ECONNREFUSED',
///   syscall: 'connect',
///   address: '127.0.0.1',
///   port: 1
/// }
/// ```
///
/// ```
/// let err = nodenet::Error::new("boom");
/// assert_eq!(err.to_string(), "boom");
/// assert_eq!(err.code(), None);
/// let err = nodenet::Error::with_code("ERR_MY_PROTOCOL", "bad frame");
/// assert_eq!(err.code(), Some("ERR_MY_PROTOCOL"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    code: Option<Cow<'static, str>>,
    errno: Option<i32>,
    syscall: Option<&'static str>,
    address: Option<String>,
    port: Option<u16>,
    hostname: Option<String>,
    message: String,
    /// The failures an aggregate error stands for (Node's `AggregateError#errors`).
    errors: Vec<Error>,
    /// Made by Node's `uvException` family, whose objects list `code` before `errno`; the
    /// `errnoException` family lists `errno` first. `Debug` keeps Node's order.
    code_first: bool,
}

impl Error {
    /// A plain error with a message and no code, as `new Error(message)`.
    ///
    /// ```
    /// let err = nodenet::Error::new("boom");
    /// assert_eq!(err.message(), "boom");
    /// ```
    pub fn new(message: impl Into<String>) -> Error {
        Error::build(None, message.into())
    }

    /// An error with a code of your own, as Node's internal `ERR_*` errors carry.
    ///
    /// ```
    /// let err = nodenet::Error::with_code("ERR_FRAME_TOO_LARGE", "too big");
    /// assert_eq!(err.code(), Some("ERR_FRAME_TOO_LARGE"));
    /// ```
    pub fn with_code(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Error {
        Error::build(Some(code.into()), message.into())
    }

    fn build(code: Option<Cow<'static, str>>, message: String) -> Error {
        Error {
            inner: Box::new(Inner {
                code,
                errno: None,
                syscall: None,
                address: None,
                port: None,
                hostname: None,
                message,
                errors: Vec::new(),
                code_first: true,
            }),
        }
    }

    /// A system error as Node's `errnoException`: message `read ECONNRESET`.
    pub(crate) fn from_io(err: &io::Error, syscall: &'static str) -> Error {
        let (code, number) = errno::from_io(err);
        let mut error = Error::build(Some(Cow::Borrowed(code)), format!("{syscall} {code}"));
        error.inner.errno = number.map(|n| -n);
        error.inner.syscall = Some(syscall);
        error.inner.code_first = false;
        error
    }

    /// A system error as Node's `exceptionWithHostPort`: message `connect ECONNREFUSED
    /// 127.0.0.1:80`, or without a port for a socket file (`connect ENOENT /tmp/app.sock`).
    pub(crate) fn from_io_at(
        err: &io::Error,
        syscall: &'static str,
        address: &str,
        port: Option<u16>,
    ) -> Error {
        let mut error = Error::from_io(err, syscall);
        let message = format!("{} {}", error.inner.message, host_port(address, port));
        error.about(message, address, port);
        error
    }

    /// Sets the message and the address and port it names, as Node's `*WithHostPort` do.
    fn about(&mut self, message: String, address: &str, port: Option<u16>) {
        self.inner.message = message;
        self.inner.address = Some(address.to_string());
        self.inner.port = port;
    }

    /// A system error as Node's `uvExceptionWithHostPort`, which adds libuv's description:
    /// `listen EADDRINUSE: address already in use :::10000`.
    pub(crate) fn from_uv_at(
        err: &io::Error,
        syscall: &'static str,
        address: &str,
        port: Option<u16>,
    ) -> Error {
        let mut error = Error::from_io(err, syscall);
        let description = error
            .inner
            .errno
            .map(|n| errno::message(-n))
            .unwrap_or("unknown error");
        let message = format!(
            "{syscall} {}: {description} {}",
            error.code().unwrap_or("UNKNOWN"),
            host_port(address, port)
        );
        error.about(message, address, port);
        error.inner.code_first = true;
        error
    }

    /// Node's `SystemError` (`lib/internal/errors.js`): its own code, with the errno and
    /// syscall behind it in the message: `Could not get or set buffer size:
    /// uv_recv_buffer_size returned EBADF (bad file descriptor)`.
    pub(crate) fn system_error(
        code: &'static str,
        prefix: &str,
        err: &io::Error,
        syscall: &'static str,
    ) -> Error {
        let (name, number) = errno::from_io(err);
        let description = number.map(errno::message).unwrap_or("unknown error");
        let mut error = Error::build(
            Some(Cow::Borrowed(code)),
            format!("{prefix}: {syscall} returned {name} ({description})"),
        );
        error.inner.errno = number.map(|n| -n);
        error.inner.syscall = Some(syscall);
        error
    }

    /// A failed name lookup as Node's `dns.lookup` reports it: `getaddrinfo ENOTFOUND host`.
    pub(crate) fn lookup_failure(code: &'static str, host: &str) -> Error {
        let mut error = Error::build(
            Some(Cow::Borrowed(code)),
            format!("getaddrinfo {code} {host}"),
        );
        error.inner.syscall = Some("getaddrinfo");
        error.inner.hostname = Some(host.to_string());
        error
    }

    /// Node's `AggregateError` from a connect that tried several addresses: no message, the
    /// code of the first failure, and every failure in [`errors`](Error::errors).
    pub(crate) fn aggregate(errors: Vec<Error>) -> Error {
        let code = errors.first().and_then(|error| error.inner.code.clone());
        let mut error = Error::build(code, String::new());
        error.inner.errors = errors;
        error
    }

    /// The failures this error aggregates: one per address tried when a connect to a name with
    /// several addresses failed on all of them (Node's `AggregateError#errors`); empty otherwise.
    ///
    /// ```
    /// assert!(nodenet::Error::new("x").errors().is_empty());
    /// ```
    pub fn errors(&self) -> &[Error] {
        &self.inner.errors
    }

    /// The host name a failed lookup was for (Node's `hostname`).
    ///
    /// ```
    /// assert_eq!(nodenet::Error::new("x").hostname(), None);
    /// ```
    pub fn hostname(&self) -> Option<&str> {
        self.inner.hostname.as_deref()
    }

    /// Node's `code` (`ECONNREFUSED`, `ERR_STREAM_DESTROYED`, ...), if the error has one.
    ///
    /// ```
    /// assert_eq!(nodenet::Error::new("x").code(), None);
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// Node's `errno`: the negated OS error number, as Node reports it (`-111`).
    ///
    /// ```
    /// assert_eq!(nodenet::Error::new("x").errno(), None);
    /// ```
    pub fn errno(&self) -> Option<i32> {
        self.inner.errno
    }

    /// The system call that failed (`connect`, `listen`, `read`, `write`).
    ///
    /// ```
    /// assert_eq!(nodenet::Error::new("x").syscall(), None);
    /// ```
    pub fn syscall(&self) -> Option<&str> {
        self.inner.syscall
    }

    /// The address the failed call was about, for connect and listen errors.
    ///
    /// ```
    /// assert_eq!(nodenet::Error::new("x").address(), None);
    /// ```
    pub fn address(&self) -> Option<&str> {
        self.inner.address.as_deref()
    }

    /// The port the failed call was about, for connect and listen errors.
    ///
    /// ```
    /// assert_eq!(nodenet::Error::new("x").port(), None);
    /// ```
    pub fn port(&self) -> Option<u16> {
        self.inner.port
    }

    /// Node's `message`, also what `Display` prints.
    ///
    /// ```
    /// assert_eq!(nodenet::Error::new("boom").message(), "boom");
    /// ```
    pub fn message(&self) -> &str {
        &self.inner.message
    }
}

/// `address:port`, or the bare address (a socket file) when there is no port.
fn host_port(address: &str, port: Option<u16>) -> String {
    match port {
        Some(port) => format!("{address}:{port}"),
        None => address.to_string(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    // The shape of Node's uncaught-error report, minus the stack and the `Error: ` that
    // Rust's `main` prints before a returned error's Debug: the message, then the own
    // properties in braces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.inner.errors.is_empty() {
            // Node: `AggregateError [ECONNREFUSED]:` then the errors.
            write!(f, "AggregateError [{}]:", self.code().unwrap_or(""))?;
            return f.debug_list().entries(&self.inner.errors).finish();
        }
        if f.alternate() {
            // `{:#?}`: the whole of `console.log(err)`, for printing an error yourself.
            f.write_str("Error: ")?;
        }
        f.write_str(&self.inner.message)?;
        let mut fields: Vec<String> = Vec::new();
        let code = self
            .inner
            .code
            .as_ref()
            .map(|code| format!("code: '{code}'"));
        let errno = self.inner.errno.map(|errno| format!("errno: {errno}"));
        let (first, second) = if self.inner.code_first {
            (code, errno)
        } else {
            (errno, code)
        };
        fields.extend(first);
        fields.extend(second);
        if let Some(syscall) = self.inner.syscall {
            fields.push(format!("syscall: '{syscall}'"));
        }
        if let Some(address) = &self.inner.address {
            fields.push(format!("address: '{address}'"));
        }
        if let Some(port) = self.inner.port {
            fields.push(format!("port: {port}"));
        }
        if let Some(hostname) = &self.inner.hostname {
            fields.push(format!("hostname: '{hostname}'"));
        }
        if !fields.is_empty() {
            write!(f, " {{\n  {}\n}}", fields.join(",\n  "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        let (code, number) = errno::from_io(&err);
        let mut error = Error::build(Some(Cow::Borrowed(code)), err.to_string());
        error.inner.errno = number.map(|n| -n);
        error
    }
}

/// Node's internal error codes that nodenet raises, with Node's messages.
pub(crate) mod codes {
    use super::Error;

    pub(crate) fn write_after_end() -> Error {
        Error::with_code("ERR_STREAM_WRITE_AFTER_END", "write after end")
    }

    pub(crate) fn destroyed(method: &str) -> Error {
        Error::with_code(
            "ERR_STREAM_DESTROYED",
            format!("Cannot call {method} after a stream was destroyed"),
        )
    }

    pub(crate) fn already_finished(method: &str) -> Error {
        Error::with_code(
            "ERR_STREAM_ALREADY_FINISHED",
            format!("Cannot call {method} after a stream was finished"),
        )
    }

    /// Node's `writeAfterFIN` error: a plain error with code `EPIPE`, no errno or syscall.
    pub(crate) fn ended_by_peer() -> Error {
        Error::with_code("EPIPE", "This socket has been ended by the other party")
    }

    /// nodenet's own code (Node has no cap): a write would have queued more than the socket's
    /// `max_write_buffer`.
    pub(crate) fn write_buffer_full(max: usize) -> Error {
        Error::with_code(
            "ERR_SOCKET_WRITE_BUFFER_FULL",
            format!("write would queue more than max_write_buffer ({max} bytes); socket destroyed"),
        )
    }

    /// Node 22's client-side `blockList` refusal.
    pub(crate) fn ip_blocked(ip: &str) -> Error {
        Error::with_code(
            "ERR_IP_BLOCKED",
            format!("IP({ip}) is blocked by net.BlockList"),
        )
    }

    /// Node's `ERR_SOCKET_CLOSED`: a write on a socket with no connection to write to.
    pub(crate) fn socket_closed() -> Error {
        Error::with_code("ERR_SOCKET_CLOSED", "Socket is closed")
    }

    /// nodenet's own: a method reached a socket whose slot the loop has reclaimed.
    pub(crate) fn stale_handle(method: &str) -> Error {
        Error::with_code(
            "ERR_STALE_HANDLE",
            format!(
                "socket.{method}() on a socket the loop reclaimed after its 'close': sockets from \
                 net::connect and accepted sockets are freed once closed; make the socket with \
                 Socket::new(..) to connect it again"
            ),
        )
    }

    pub(crate) fn closed_before_connection() -> Error {
        Error::with_code(
            "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
            "Socket closed before the connection was established",
        )
    }

    pub(crate) fn server_already_listen() -> Error {
        Error::with_code(
            "ERR_SERVER_ALREADY_LISTEN",
            "Listen method has been called more than once without closing.",
        )
    }

    pub(crate) fn server_not_running() -> Error {
        Error::with_code("ERR_SERVER_NOT_RUNNING", "Server is not running.")
    }

    pub(crate) fn loop_running() -> Error {
        Error::with_code(
            "ERR_LOOP_RUNNING",
            "nodenet::run() was called while this thread's loop is already running",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_lists_fields_in_nodes_order_for_each_kind_of_error() {
        let refused = io::Error::from_raw_os_error(111);
        let connect = Error::from_io_at(&refused, "connect", "127.0.0.1", Some(9));
        assert_eq!(
            format!("{connect:?}"),
            "connect ECONNREFUSED 127.0.0.1:9 {\n  errno: -111,\n  code: 'ECONNREFUSED',\n  \
             syscall: 'connect',\n  address: '127.0.0.1',\n  port: 9\n}"
        );
        let in_use = io::Error::from_raw_os_error(98);
        let listen = Error::from_uv_at(&in_use, "listen", "::", Some(10000));
        assert_eq!(
            format!("{listen:?}"),
            "listen EADDRINUSE: address already in use :::10000 {\n  code: 'EADDRINUSE',\n  \
             errno: -98,\n  syscall: 'listen',\n  address: '::',\n  port: 10000\n}"
        );
        assert_eq!(format!("{:?}", Error::new("boom")), "boom");
        assert_eq!(format!("{:#?}", Error::new("boom")), "Error: boom");
    }
}
