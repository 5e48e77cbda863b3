//! `Server`: Node's `net.Server`, as a `Copy` handle into the loop.

use std::fmt;
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::error::{codes, Error};
use crate::event::{ServerEvent, ServerOnceEvent};
use crate::handle::HandleId;
use crate::listeners::ListenerId;
use crate::net::address::AddressInfo;
use crate::net::lookup;
use crate::net::server_state::{self, ServerState};
use crate::net::stream::{Listener, SocketFile, Target};
use crate::runtime::core::with_core;
use crate::runtime::emit;

/// Node's default listen backlog.
const DEFAULT_BACKLOG: i32 = 511;

/// A TCP server: Node's `net.Server`, made by [`create_server`](crate::net::create_server).
///
/// Like [`Socket`](crate::net::Socket), a `Copy` handle; after its `'close'` it is stale and
/// every method is a no-op.
///
/// ```
/// use nodenet::prelude::*;
/// let server = net::create_server(|client| {
///     client.end_with("hello\n");
/// });
/// server.on(Error, move |err| eprintln!("server error: {err}"));
/// server
///     .listen((0, "127.0.0.1"), move || {
///         println!("listening on {}", server.address().unwrap());
///         server.close(());
///     })
///     .unwrap();
/// nodenet::run().unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Server {
    id: HandleId,
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Server({}#{})", self.id.index, self.id.generation)
    }
}

/// Where and how to listen: Node's `server.listen(options)`. Made from a port (`10000`), a port
/// and host (`(10000, "127.0.0.1")`) or a port, host and backlog (`(10000, "::1", 128)`).
///
/// ```
/// use nodenet::net::ListenOptions;
/// let options = ListenOptions::from((8080, "127.0.0.1"));
/// assert_eq!(options.port, 8080);
/// assert_eq!(options.host.as_deref(), Some("127.0.0.1"));
/// assert_eq!(options.backlog, 511);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenOptions {
    /// The port; 0 picks a free one.
    pub port: u16,
    /// The host; `None` listens on `::` (dual-stack, so IPv4 clients are accepted too), or on
    /// `0.0.0.0` where IPv6 is unavailable.
    pub host: Option<String>,
    /// The length of the queue of connections not yet accepted (default 511).
    pub backlog: i32,
    /// With an IPv6 host (or none, which means `::`), refuse IPv4 clients (Node's `ipv6Only`).
    pub ipv6_only: bool,
    /// Node's `exclusive`: in Node it keeps a cluster worker from sharing the primary's handle.
    /// There is no cluster here, so every server already has its own socket; accepted and
    /// ignored.
    pub exclusive: bool,
    /// Set `SO_REUSEPORT`, so other sockets that also set it can listen on the same port and
    /// the kernel spreads connections over them (Node 22.12's `reusePort`).
    pub reuse_port: bool,
    /// Listen on a Unix domain socket file instead of a port (Node's `listen(path)`); the file
    /// is removed when the server closes.
    pub path: Option<PathBuf>,
    /// With `path`: let every user read the socket file (Node's `readableAll`): read permission
    /// for user, group and others is added to the mode the file was made with. Ignored for TCP.
    ///
    /// ```
    /// use std::os::unix::fs::PermissionsExt;
    /// use nodenet::net::{self, ListenOptions};
    /// let dir = std::env::temp_dir().join(format!("nodenet-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("all-doc.sock");
    /// let options = ListenOptions { readable_all: true, writable_all: true, ..path.clone().into() };
    /// let server = net::create_server(|_client| {});
    /// server
    ///     .listen(options, move || {
    ///         let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    ///         assert_eq!(mode & 0o666, 0o666);
    ///         server.close(());
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub readable_all: bool,
    /// With `path`: let every user write to (so connect to) the socket file (Node's
    /// `writableAll`): write permission for user, group and others is added. Ignored for TCP.
    pub writable_all: bool,
}

impl From<u16> for ListenOptions {
    fn from(port: u16) -> ListenOptions {
        ListenOptions {
            port,
            host: None,
            backlog: DEFAULT_BACKLOG,
            ipv6_only: false,
            exclusive: false,
            reuse_port: false,
            path: None,
            readable_all: false,
            writable_all: false,
        }
    }
}

impl From<&Path> for ListenOptions {
    /// A Unix domain socket file: `server.listen(Path::new("/tmp/app.sock"), ...)`.
    fn from(path: &Path) -> ListenOptions {
        ListenOptions {
            path: Some(path.to_path_buf()),
            ..ListenOptions::from(0)
        }
    }
}

impl From<PathBuf> for ListenOptions {
    fn from(path: PathBuf) -> ListenOptions {
        ListenOptions {
            path: Some(path),
            ..ListenOptions::from(0)
        }
    }
}

impl From<(u16, &str)> for ListenOptions {
    fn from((port, host): (u16, &str)) -> ListenOptions {
        ListenOptions {
            host: Some(host.to_string()),
            ..ListenOptions::from(port)
        }
    }
}

impl From<(u16, &str, i32)> for ListenOptions {
    fn from((port, host, backlog): (u16, &str, i32)) -> ListenOptions {
        ListenOptions {
            backlog,
            ..ListenOptions::from((port, host))
        }
    }
}

/// An optional callback: a closure, or `()` for none. Lets `listen(port, || ...)` and
/// `listen(port, ())` both read like Node's optional last argument.
///
/// ```
/// use nodenet::net::Callback;
/// fn takes(callback: impl Callback) -> bool {
///     callback.into_callback().is_some()
/// }
/// assert!(takes(|| {}));
/// assert!(!takes(()));
/// ```
pub trait Callback {
    /// The closure, if there is one.
    fn into_callback(self) -> Option<Box<dyn FnOnce()>>;
}

impl Callback for () {
    fn into_callback(self) -> Option<Box<dyn FnOnce()>> {
        None
    }
}

impl<F: FnOnce() + 'static> Callback for F {
    fn into_callback(self) -> Option<Box<dyn FnOnce()>> {
        Some(Box::new(self))
    }
}

/// A `close` callback, with Node's `(err)`.
type CloseCallback = Box<dyn FnOnce(Option<&Error>)>;

/// Registers a `FnOnce` as a once listener of a zero-argument event.
pub(crate) fn once_unit(id: HandleId, event: &'static str, callback: Box<dyn FnOnce()>) {
    let mut callback = Some(callback);
    let listener = crate::event::Listener(crate::event::Callback::Unit(std::rc::Rc::new(
        std::cell::RefCell::new(move || {
            if let Some(callback) = callback.take() {
                callback();
            }
        }),
    )));
    emit::add(id, event, listener, true, false);
}

impl Server {
    pub(crate) fn from_id(id: HandleId) -> Server {
        Server {
            id,
            _not_send: PhantomData,
        }
    }

    /// The handle's slot and generation.
    pub(crate) fn id(self) -> HandleId {
        self.id
    }

    pub(crate) fn create(options: server_state::ServerOptions) -> Server {
        let state = Box::new(ServerState::new(options));
        let id = with_core(|core| core.insert_io(crate::kinds::Kind::Server(state), false))
            .unwrap_or(HandleId::new(usize::MAX, 0));
        Server {
            id,
            _not_send: PhantomData,
        }
    }

    /// A server with no `'connection'` listener yet: Node's `new net.Server(options)` and
    /// `net.createServer()`. Add the listener with `on(Connection, ..)`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// use nodenet::net::ServerOptions;
    /// let server = Server::new(ServerOptions::default());
    /// assert_eq!(server.listener_count(Connection), 0);
    /// server.on(Connection, |client| {
    ///     client.end();
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn new(options: server_state::ServerOptions) -> Server {
        Server::create(options)
    }

    /// Adds a listener for `event` and returns the server, for chaining: Node's
    /// `server.on(event, listener)`. To remove this one listener later, add it with
    /// [`on_with_id`](Server::on_with_id) instead.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let h = net::create_server(|_client| {});
    /// h.on(Error, |err| eprintln!("server error: {err}"))
    ///     .on(Close, || println!("closed"))
    ///     .listen((0, "127.0.0.1"), move || {
    ///         h.close(()).on(Close, || println!("closing"));
    ///     })
    ///     .unwrap();
    /// # h.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn on<E: ServerEvent<F, R>, F, R>(self, event: E, listener: F) -> Server {
        emit::add(self.id, event.name(), E::listener(listener), false, false);
        self
    }

    /// The same as [`on`](Server::on): Node's `server.addListener(event, listener)`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let h = net::create_server(|_client| {});
    /// h.add_listener(Connection, |_| {});
    /// assert_eq!(h.listener_count(Connection), 1 + 1);
    /// # h.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn add_listener<E: ServerEvent<F, R>, F, R>(self, event: E, listener: F) -> Server {
        self.on(event, listener)
    }

    /// Adds a listener like [`on`](Server::on) and returns its id, for [`off`](Server::off): Rust
    /// closures cannot be compared, so the id names the listener where Node names the function.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let h = net::create_server(|_client| {});
    /// let id = h.on_with_id(Connection, |_| {});
    /// assert!(h.listeners(Connection).contains(&id));
    /// h.off(id);
    /// assert!(!h.listeners(Connection).contains(&id));
    /// # h.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn on_with_id<E: ServerEvent<F, R>, F, R>(self, event: E, listener: F) -> ListenerId {
        emit::add(self.id, event.name(), E::listener(listener), false, false)
    }

    /// Adds a listener that runs at most once, and returns the server: Node's `server.once`. The
    /// listener may be an `FnOnce`: it can move what it captured.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let h = net::create_server(|_client| {});
    /// let greeting = String::from("first");
    /// h.once(Connection, move |_socket| println!("{greeting} client"));
    /// assert_eq!(h.raw_listeners(Connection).last().map(|raw| raw.once), Some(true));
    /// # h.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn once<E: ServerOnceEvent<F, R>, F, R>(self, event: E, listener: F) -> Server {
        emit::add(
            self.id,
            event.name(),
            E::once_listener(listener),
            true,
            false,
        );
        self
    }

    /// [`once`](Server::once), returning the listener's id for [`off`](Server::off).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let h = net::create_server(|_client| {});
    /// let id = h.once_with_id(Connection, |_| {});
    /// h.off(id);
    /// assert!(!h.listeners(Connection).contains(&id));
    /// # h.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn once_with_id<E: ServerOnceEvent<F, R>, F, R>(self, event: E, listener: F) -> ListenerId {
        emit::add(
            self.id,
            event.name(),
            E::once_listener(listener),
            true,
            false,
        )
    }

    /// Adds a listener before the others, and returns the server: Node's
    /// `server.prependListener`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let h = net::create_server(|_client| {});
    /// let id = h.on_with_id(Connection, |_| {});
    /// let first = h.prepend_listener(Connection, |_| {}).listeners(Connection)[0];
    /// assert_ne!(first, id);
    /// # h.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn prepend_listener<E: ServerEvent<F, R>, F, R>(self, event: E, listener: F) -> Server {
        emit::add(self.id, event.name(), E::listener(listener), false, true);
        self
    }

    /// A `once` listener added before the others, returning the server: Node's
    /// `server.prependOnceListener`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let h = net::create_server(|_client| {});
    /// h.prepend_once_listener(Connection, |_| {});
    /// assert!(h.raw_listeners(Connection)[0].once);
    /// # h.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn prepend_once_listener<E: ServerOnceEvent<F, R>, F, R>(
        self,
        event: E,
        listener: F,
    ) -> Server {
        emit::add(
            self.id,
            event.name(),
            E::once_listener(listener),
            true,
            true,
        );
        self
    }

    emitter_methods!(
        Server,
        node = "server",
        setup = "let h = net::create_server(|_client| {});",
        teardown = "# h.close(());\n# nodenet::run().unwrap();",
        event = "Connection",
        listener = "|_| {}",
    );

    /// Starts listening: Node's `server.listen(port[, host[, backlog]][, callback])`.
    ///
    /// `callback` (or `()` for none) becomes a once `'listening'` listener. Binding happens now;
    /// `'listening'`, or an `'error'` such as `listen EADDRINUSE: address already in use
    /// :::10000`, follows on a later tick, as in Node. Listening twice is an API misuse and
    /// returns `ERR_SERVER_ALREADY_LISTEN` at once.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|_client| {});
    /// server
    ///     .listen(0, move || {
    ///         let address = server.address().unwrap();
    ///         assert_eq!(address.address, "::");
    ///         server.close(());
    ///     })
    ///     .unwrap();
    /// assert_eq!(
    ///     server.listen(0, ()).unwrap_err().code(),
    ///     Some("ERR_SERVER_ALREADY_LISTEN")
    /// );
    /// nodenet::run().unwrap();
    /// ```
    pub fn listen(
        self,
        options: impl Into<ListenOptions>,
        callback: impl Callback,
    ) -> Result<Server, Error> {
        let options = options.into();
        if !self.begin_listen(callback)? {
            return Ok(self);
        }
        if let Some(path) = options.path.clone() {
            let result = server_state::bind_path(&path, &options);
            with_core(|core| {
                server_state::listen_result(core, self.id, result, &Target::Path(path))
            });
            return Ok(self);
        }
        match options.host.as_deref() {
            None => self.bind_any(&options),
            Some(host) => match lookup::immediate(host) {
                Some(ips) => self.bind(SocketAddr::new(ips[0], options.port), &options),
                None => {
                    let id = self.id;
                    lookup::resolve(id, host.to_string(), options.port, move |result| {
                        let server = Server {
                            id,
                            _not_send: PhantomData,
                        };
                        match result {
                            Ok(addresses) => server.bind(addresses[0], &options),
                            Err(error) => server.fail_listen(error),
                        }
                    });
                }
            },
        }
        Ok(self)
    }

    /// Listens on a TCP listener that is already bound and listening: Node's
    /// `server.listen(handle)` / `server.listen({ fd })`, for a socket handed over by a parent
    /// process, a supervisor (systemd socket activation) or code of your own. The listener is
    /// made non-blocking; `'listening'` follows on a later tick as for
    /// [`listen`](Server::listen), and closing the server closes the listener.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let port = listener.local_addr().unwrap().port();
    /// let server = net::create_server(|client| {
    ///     client.end_with("adopted\n");
    /// });
    /// server
    ///     .listen_std(listener, move || {
    ///         assert_eq!(server.address().unwrap().port, port);
    ///         let client = net::connect(port, "127.0.0.1", |_| {});
    ///         client.on(Data, move |data| assert_eq!(data.to_string(), "adopted\n"));
    ///         client.on(Close, move |_| {
    ///             server.close(());
    ///         });
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn listen_std(
        self,
        listener: std::net::TcpListener,
        callback: impl Callback,
    ) -> Result<Server, Error> {
        if !self.begin_listen(callback)? {
            return Ok(self);
        }
        let wanted = listener.local_addr().map_or_else(
            |_| Target::Ip(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0)),
            Target::Ip,
        );
        let result = listener
            .set_nonblocking(true)
            .map(|()| Listener::Tcp(mio::net::TcpListener::from_std(listener)));
        with_core(|core| server_state::listen_result(core, self.id, result, &wanted));
        Ok(self)
    }

    /// Listens on a Unix domain socket listener that is already bound and listening: Node's
    /// `server.listen(handle)` for a pipe. As libuv does for a handed-over descriptor, the
    /// socket file is left in place when the server closes (only files the server bound itself
    /// are removed).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let dir = std::env::temp_dir().join(format!("nodenet-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("listen-std-doc.sock");
    /// let _ = std::fs::remove_file(&path);
    /// let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    /// let server = net::create_server(|client| {
    ///     client.end();
    /// });
    /// let p = path.clone();
    /// server
    ///     .listen_std_unix(listener, move || {
    ///         assert_eq!(server.path().as_deref(), Some(p.as_path()));
    ///         let client = net::connect_path(&p, |_| {});
    ///         client.on(Close, move |_| {
    ///             server.close(());
    ///         });
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// assert!(path.exists(), "a handed-over socket file is not removed");
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn listen_std_unix(
        self,
        listener: std::os::unix::net::UnixListener,
        callback: impl Callback,
    ) -> Result<Server, Error> {
        if !self.begin_listen(callback)? {
            return Ok(self);
        }
        let path = listener
            .local_addr()
            .ok()
            .and_then(|addr| addr.as_pathname().map(Path::to_path_buf));
        let wanted = Target::Path(path.clone().unwrap_or_default());
        let result = listener.set_nonblocking(true).map(|()| {
            let file = SocketFile {
                path,
                remove_on_close: false,
            };
            Listener::Unix(mio::net::UnixListener::from_std(listener), file)
        });
        with_core(|core| server_state::listen_result(core, self.id, result, &wanted));
        Ok(self)
    }

    /// The start every `listen` shares: refuses a second listen, marks the server live and
    /// registers `callback` for `'listening'`. `Ok(false)` for a stale handle.
    fn begin_listen(self, callback: impl Callback) -> Result<bool, Error> {
        let started = with_core(|core| {
            let server = core.server(self.id)?;
            if server.listen_called {
                return Some(false);
            }
            server.listen_called = true;
            server.close_called = false;
            server.close_queued = false;
            let referenced = core.slot(self.id).is_some_and(|slot| slot.referenced);
            core.set_liveness(self.id, true, referenced);
            Some(true)
        })
        .flatten();
        match started {
            None => Ok(false),
            Some(false) => Err(codes::server_already_listen()),
            Some(true) => {
                if let Some(callback) = callback.into_callback() {
                    once_unit(self.id, "listening", callback);
                }
                Ok(true)
            }
        }
    }

    /// No host: `::` dual-stack, or `0.0.0.0` on a machine without IPv6, as Node does.
    fn bind_any(self, options: &ListenOptions) {
        let any6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), options.port);
        let result = match server_state::bind(any6, options) {
            Err(err)
                if err.raw_os_error() == Some(crate::sys::EAFNOSUPPORT)
                    || err.kind() == std::io::ErrorKind::Unsupported =>
            {
                let any4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), options.port);
                return self.bind_at(any4, server_state::bind(any4, options));
            }
            other => other,
        };
        self.bind_at(any6, result);
    }

    fn bind(self, addr: SocketAddr, options: &ListenOptions) {
        self.bind_at(addr, server_state::bind(addr, options));
    }

    fn bind_at(self, addr: SocketAddr, result: std::io::Result<Listener>) {
        with_core(|core| server_state::listen_result(core, self.id, result, &Target::Ip(addr)));
    }

    fn fail_listen(self, error: Error) {
        with_core(|core| {
            let referenced = core.slot(self.id).is_some_and(|slot| slot.referenced);
            if let Some(server) = core.server(self.id) {
                server.listen_called = false;
            }
            core.set_liveness(self.id, false, referenced);
            core.ticks
                .push_back(server_state::ServerNotice::Error(error).task(self.id));
        });
    }

    /// The bound address: Node's `server.address()`; `None` until bound and after close.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|_client| {});
    /// assert!(server.address().is_none());
    /// server
    ///     .listen((0, "127.0.0.1"), move || {
    ///         assert_eq!(server.address().unwrap().family, "IPv4");
    ///         server.close(());
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn address(self) -> Option<AddressInfo> {
        with_core(|core| {
            let server = core.server(self.id)?;
            server.listener.as_ref()?;
            server.address.map(AddressInfo::from)
        })
        .flatten()
    }

    /// The socket file a Unix-socket server listens on: what Node's `server.address()` returns
    /// for such a server (nodenet's [`address`](Server::address) is `None` there).
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("nodenet-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("path-doc.sock");
    /// let server = nodenet::net::create_server(|_client| {});
    /// let p = path.clone();
    /// server
    ///     .listen(path.as_path(), move || {
    ///         assert_eq!(server.path().as_deref(), Some(p.as_path()));
    ///         assert!(server.address().is_none());
    ///         server.close(());
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// assert!(!path.exists(), "the socket file is removed on close");
    /// ```
    pub fn path(self) -> Option<PathBuf> {
        with_core(|core| core.server(self.id)?.listener.as_ref()?.path().cloned()).flatten()
    }

    /// Whether the server is accepting connections: Node's `server.listening`.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|_client| {});
    /// assert!(!server.listening());
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn listening(self) -> bool {
        with_core(|core| core.server(self.id).is_some_and(|s| s.listener.is_some()))
            .unwrap_or(false)
    }

    /// The number of open connections, answered at once: what Node's `server.getConnections`
    /// passes its callback (see [`get_connections`](Server::get_connections)).
    ///
    /// ```
    /// let server = nodenet::net::create_server(|_client| {});
    /// assert_eq!(server.connections(), 0);
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn connections(self) -> usize {
        with_core(|core| core.server(self.id).map(|s| s.connections))
            .flatten()
            .unwrap_or(0)
    }

    /// Node's `server.getConnections(callback)`: `callback(err, count)` on the next tick, with
    /// the count as it is now. `err` is always `None` (Node's can only come from cluster
    /// workers); use [`connections`](Server::connections) for the count at once.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|_client| {});
    /// server.get_connections(move |err: Option<&nodenet::Error>, count| {
    ///     assert!(err.is_none());
    ///     assert_eq!(count, 0);
    ///     server.close(());
    /// });
    /// nodenet::run().unwrap();
    /// ```
    pub fn get_connections(self, callback: impl FnOnce(Option<&Error>, usize) + 'static) -> Server {
        let count = self.connections();
        crate::next_tick(move || callback(None, count));
        self
    }

    /// Limits the open connections: Node's `server.maxConnections = max` (`None`, the default,
    /// for no limit). A connection accepted while `max` are open is closed at once and the
    /// server emits [`'drop'`](crate::event::ConnectionDropped) with its addresses. `Some(0)`
    /// drops every connection, as in Node 21 and later (Node 20 took 0 as no limit).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|_client| panic!("every connection is dropped"));
    /// server.set_max_connections(Some(0));
    /// assert_eq!(server.max_connections(), Some(0));
    /// server.on(ConnectionDropped, move |info| {
    ///     assert_eq!(info.remote_address(), Some("127.0.0.1"));
    ///     server.close(());
    /// });
    /// server
    ///     .listen((0, "127.0.0.1"), move || {
    ///         net::connect(server.address().unwrap().port, "127.0.0.1", |_c| {});
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn set_max_connections(self, max: Option<usize>) -> Server {
        with_core(|core| {
            if let Some(server) = core.server(self.id) {
                server.max_connections = max;
            }
        });
        self
    }

    /// The limit [`set_max_connections`](Server::set_max_connections) set: Node's
    /// `server.maxConnections` (`None` is Node's `undefined`).
    ///
    /// ```
    /// let server = nodenet::net::create_server(|_client| {});
    /// assert_eq!(server.max_connections(), None);
    /// server.set_max_connections(Some(10));
    /// assert_eq!(server.max_connections(), Some(10));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn max_connections(self) -> Option<usize> {
        with_core(|core| core.server(self.id)?.max_connections).flatten()
    }

    /// Stops accepting now; `'close'` follows once the last connection has closed: Node's
    /// `server.close([callback])`.
    ///
    /// `callback` (`|| ...`, or `()` for none) becomes a once `'close'` listener. To see Node's
    /// `ERR_SERVER_NOT_RUNNING`, use [`close_with_callback`](Server::close_with_callback).
    ///
    /// ```
    /// let server = nodenet::net::create_server(|_client| {});
    /// server.listen((0, "127.0.0.1"), move || {
    ///     server.close(|| println!("closed"));
    /// })
    /// .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn close(self, callback: impl Callback) -> Server {
        match callback.into_callback() {
            Some(callback) => self.close_with_callback(move |_err| callback()),
            None => self.stop(None),
        }
    }

    /// [`close`](Server::close) with Node's `(err)` argument: `Some(ERR_SERVER_NOT_RUNNING)`
    /// if the server was not listening, as in Node.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|_client| {});
    /// server.close_with_callback(|err| {
    ///     assert_eq!(err.unwrap().code(), Some("ERR_SERVER_NOT_RUNNING"));
    /// });
    /// nodenet::run().unwrap();
    /// ```
    pub fn close_with_callback(self, callback: impl FnOnce(Option<&Error>) + 'static) -> Server {
        self.stop(Some(Box::new(callback)))
    }

    fn stop(self, callback: Option<CloseCallback>) -> Server {
        let was_running = with_core(|core| {
            let referenced = core.slot(self.id)?.referenced;
            let server = core.server(self.id)?;
            let was_running = server.listen_called;
            let (listener, retry) = server.stop_listening();
            server.listen_called = false;
            server.close_called = true;
            if let Some(mut listener) = listener {
                let _ = core.poll.registry().deregister(&mut listener);
            }
            if let Some(retry) = retry {
                crate::timers::remove_internal(core, retry);
            }
            core.set_liveness(self.id, false, referenced);
            Some(was_running)
        })
        .flatten();
        let Some(was_running) = was_running else {
            return self;
        };
        if let Some(callback) = callback {
            let error = (!was_running).then(codes::server_not_running);
            once_unit(self.id, "close", Box::new(move || callback(error.as_ref())));
        }
        with_core(|core| server_state::close_if_drained(core, self.id));
        self
    }

    /// Lets the loop exit while the server listens: Node's `server.unref()`.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|_client| {});
    /// server.listen((0, "127.0.0.1"), ()).unwrap().unref();
    /// nodenet::run().unwrap(); // returns: the server does not hold the loop
    /// server.close(());
    /// nodenet::run().unwrap();
    /// ```
    pub fn unref(self) -> Server {
        self.set_ref(false);
        self
    }

    /// Makes the server keep the loop alive again: Node's `server.ref()`.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|_client| {}).unref().ref_();
    /// server.close(());
    /// nodenet::run().unwrap();
    /// ```
    pub fn ref_(self) -> Server {
        self.set_ref(true);
        self
    }

    fn set_ref(self, referenced: bool) {
        with_core(|core| core.set_referenced(self.id, referenced));
    }
}
