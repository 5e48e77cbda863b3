//! The descriptor behind a socket: TCP, or a Unix domain socket (Node's `Pipe` handle).
//!
//! Node gives both the same `net.Socket`; so do we, by putting the difference here. TCP has
//! addresses and Nagle's algorithm; a Unix socket has neither (Node reports its addresses as
//! `{}` / `undefined`), and everything else is the same descriptor work.

use std::io::{self, IoSlice, Read};
use std::net::{Shutdown, SocketAddr};
use std::path::PathBuf;

use mio::event::Source;
use mio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use mio::{Interest, Registry, Token};
use socket2::SockRef;

use crate::sys::{EINPROGRESS, SEND_FLAGS};

pub(crate) enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// Where a connect goes: an IP address and port, or a socket file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Ip(SocketAddr),
    Path(PathBuf),
}

impl Target {
    /// The address as Node's connect errors print it (`127.0.0.1`, or the path).
    pub(crate) fn address(&self) -> String {
        match self {
            Target::Ip(addr) => addr.ip().to_string(),
            Target::Path(path) => path.display().to_string(),
        }
    }

    /// Node's family number: 4, 6, or 0 for a socket file.
    pub(crate) fn family(&self) -> u8 {
        match self {
            Target::Ip(addr) if addr.is_ipv4() => 4,
            Target::Ip(_) => 6,
            Target::Path(_) => 0,
        }
    }

    pub(crate) fn port(&self) -> Option<u16> {
        match self {
            Target::Ip(addr) => Some(addr.port()),
            Target::Path(_) => None,
        }
    }
}

impl Stream {
    /// Starts a non-blocking connect, from `local` if given (Node's `localAddress`/`localPort`).
    pub(crate) fn connect(target: &Target, local: Option<SocketAddr>) -> io::Result<Stream> {
        match (target, local) {
            (Target::Ip(addr), None) => TcpStream::connect(*addr).map(Stream::Tcp),
            (Target::Ip(addr), Some(local)) => connect_from(*addr, local).map(Stream::Tcp),
            (Target::Path(path), _) => UnixStream::connect(path).map(Stream::Unix),
        }
    }

    fn sock(&self) -> SockRef<'_> {
        match self {
            Stream::Tcp(stream) => SockRef::from(stream),
            Stream::Unix(stream) => SockRef::from(stream),
        }
    }

    // Inlined into the read path, where a call costs about as much as the rest of the
    // pass-through test (measured with callgrind).
    #[inline(always)]
    pub(crate) fn read(&self, buffer: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(stream) => (&*stream).read(buffer),
            Stream::Unix(stream) => (&*stream).read(buffer),
        }
    }

    pub(crate) fn send(&self, bytes: &[u8]) -> io::Result<usize> {
        self.sock().send_with_flags(bytes, SEND_FLAGS)
    }

    pub(crate) fn send_vectored(&self, slices: &[IoSlice<'_>]) -> io::Result<usize> {
        self.sock().send_vectored_with_flags(slices, SEND_FLAGS)
    }

    pub(crate) fn shutdown_write(&self) -> io::Result<()> {
        match self {
            Stream::Tcp(stream) => stream.shutdown(Shutdown::Write),
            Stream::Unix(stream) => stream.shutdown(Shutdown::Write),
        }
    }

    pub(crate) fn take_error(&self) -> io::Result<Option<io::Error>> {
        match self {
            Stream::Tcp(stream) => stream.take_error(),
            Stream::Unix(stream) => stream.take_error(),
        }
    }

    /// Whether a connect has completed; `Err(NotConnected)` while it is still in progress.
    pub(crate) fn check_connected(&self) -> io::Result<Option<SocketAddr>> {
        match self {
            Stream::Tcp(stream) => stream.peer_addr().map(Some),
            Stream::Unix(stream) => stream.peer_addr().map(|_| None),
        }
    }

    pub(crate) fn peer_addr(&self) -> Option<SocketAddr> {
        match self {
            Stream::Tcp(stream) => stream.peer_addr().ok(),
            Stream::Unix(_) => None,
        }
    }

    pub(crate) fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            Stream::Tcp(stream) => stream.local_addr().ok(),
            Stream::Unix(_) => None,
        }
    }

    #[cfg(unix)]
    pub(crate) fn as_raw_fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        match self {
            Stream::Tcp(stream) => stream.as_raw_fd(),
            Stream::Unix(stream) => stream.as_raw_fd(),
        }
    }

    /// Nagle's algorithm exists only for TCP; Node ignores `setNoDelay` on pipes too.
    pub(crate) fn set_nodelay(&self, no_delay: bool) {
        if let Stream::Tcp(stream) = self {
            let _ = stream.set_nodelay(no_delay);
        }
    }

    /// Node's `setKeepAlive(enable, initialDelay)`: the delay (ms, rounded down to whole
    /// seconds as libuv does) sets the idle time before the first probe; 0 leaves the system
    /// default. TCP only.
    pub(crate) fn set_keep_alive(&self, enable: bool, delay_ms: u64) {
        let Stream::Tcp(stream) = self else { return };
        let socket = SockRef::from(stream);
        let result = if enable && delay_ms >= 1000 {
            let idle = std::time::Duration::from_secs(delay_ms / 1000);
            socket.set_tcp_keepalive(&socket2::TcpKeepalive::new().with_time(idle))
        } else {
            socket.set_keepalive(enable)
        };
        if let Err(err) = result {
            log::debug!("setKeepAlive failed: {err}");
        }
    }

    /// Linger 0 makes close() send RST: what libuv's `uv_tcp_close_reset` does.
    pub(crate) fn reset_on_close(&self) {
        if let Stream::Tcp(stream) = self {
            let _ = SockRef::from(stream).set_linger(Some(std::time::Duration::ZERO));
        }
    }
}

/// Binds before connecting, which mio's `TcpStream::connect` cannot do.
fn connect_from(addr: SocketAddr, local: SocketAddr) -> io::Result<TcpStream> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.set_nonblocking(true)?;
    socket.bind(&local.into())?;
    match socket.connect(&addr.into()) {
        Ok(()) => {}
        // The usual answer of a non-blocking connect: the outcome comes as readiness.
        Err(err) if err.raw_os_error() == Some(EINPROGRESS) => {}
        Err(err) => return Err(err),
    }
    Ok(TcpStream::from_std(socket.into()))
}

/// Forwards mio's `Source` to whichever descriptor the enum holds.
macro_rules! delegate_source {
    ($type:ident { $($variant:ident($inner:ident $(, $rest:tt)?)),* }) => {
        impl Source for $type {
            fn register(
                &mut self,
                registry: &Registry,
                token: Token,
                interest: Interest,
            ) -> io::Result<()> {
                match self {
                    $($type::$variant($inner $(, $rest)?) => $inner.register(registry, token, interest),)*
                }
            }

            fn reregister(
                &mut self,
                registry: &Registry,
                token: Token,
                interest: Interest,
            ) -> io::Result<()> {
                match self {
                    $($type::$variant($inner $(, $rest)?) => $inner.reregister(registry, token, interest),)*
                }
            }

            fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
                match self {
                    $($type::$variant($inner $(, $rest)?) => $inner.deregister(registry),)*
                }
            }
        }
    };
}

delegate_source!(Stream { Tcp(stream), Unix(stream) });

/// A listening socket: TCP, or a Unix socket file that is removed when the server closes.
pub(crate) enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, SocketFile),
}

/// The file a Unix listener is bound to.
pub(crate) struct SocketFile {
    /// `None` for an adopted listener with no name in the filesystem (an abstract or unnamed
    /// socket).
    pub(crate) path: Option<PathBuf>,
    /// Set when we bound the file ourselves: libuv removes only the files it bound
    /// (`uv_pipe_bind`), never one it was handed (`uv_pipe_open`, Node's `listen({ fd })`).
    pub(crate) remove_on_close: bool,
}

impl Listener {
    pub(crate) fn accept(&self) -> io::Result<(Stream, Option<SocketAddr>)> {
        match self {
            Listener::Tcp(listener) => listener
                .accept()
                .map(|(stream, peer)| (Stream::Tcp(stream), Some(peer))),
            Listener::Unix(listener, _) => listener
                .accept()
                .map(|(stream, _)| (Stream::Unix(stream), None)),
        }
    }

    pub(crate) fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            Listener::Tcp(listener) => listener.local_addr().ok(),
            Listener::Unix(..) => None,
        }
    }

    pub(crate) fn path(&self) -> Option<&PathBuf> {
        match self {
            Listener::Tcp(_) => None,
            Listener::Unix(_, file) => file.path.as_ref(),
        }
    }
}

impl Drop for Listener {
    /// libuv unlinks a listening pipe's file when the handle closes; Node servers rely on it to
    /// listen on the same path again.
    fn drop(&mut self) {
        if let Listener::Unix(_, file) = self {
            if let (Some(path), true) = (&file.path, file.remove_on_close) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

delegate_source!(Listener { Tcp(listener), Unix(listener, _) });
