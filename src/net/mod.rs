//! Node's `net` module: TCP servers and sockets.
//!
//! `net::create_server(|client| ...)` and `net::connect(port, host, |socket| ...)` make
//! [`Server`] and [`Socket`] handles; events are registered with `on(EventName, closure)` using
//! the names in [`crate::event`].
//!
//! ```
//! use nodenet::prelude::*;
//!
//! let server = net::create_server(|client| {
//!     client.on(Data, move |data| {
//!         client.write(data);
//!     });
//! });
//! server
//!     .listen((0, "127.0.0.1"), move || {
//!         let port = server.address().unwrap().port;
//!         net::connect(port, "127.0.0.1", move |client| {
//!             client.write("echo me");
//!             client.on(Data, move |data| {
//!                 assert_eq!(data.to_string(), "echo me");
//!                 client.end();
//!                 server.close(());
//!             });
//!         });
//!     })
//!     .unwrap();
//! nodenet::run().unwrap();
//! ```

mod address;
pub(crate) mod connect;
mod connect_events;
mod connect_options;
mod drop_info;
pub(crate) mod idle_timeout;
mod kinds;
pub(crate) mod log_addr;
pub(crate) mod lookup;
mod pipe;
pub(crate) mod readable;
pub(crate) mod readiness;
pub(crate) mod server;
pub(crate) mod server_state;
pub(crate) mod socket;
mod socket_options;
pub(crate) mod socket_state;
pub(crate) mod stream;
mod write_queue;

pub use self::address::AddressInfo;
pub use self::connect_events::{AttemptInfo, LookupInfo};
pub use self::connect_options::{
    get_default_auto_select_family, get_default_auto_select_family_attempt_timeout,
    set_default_auto_select_family, set_default_auto_select_family_attempt_timeout, ConnectOptions,
    Lookup,
};
pub use self::drop_info::DropInfo;
pub use self::pipe::PipeOptions;
pub use self::server::{Callback, ListenOptions, Server};
pub use self::server_state::ServerOptions;
pub use self::socket::{ReadyState, Socket};
pub use self::socket_options::SocketOptions;

use self::socket_state::SocketState;
use crate::event::{Callback as StoredCallback, Listener};
use crate::runtime::core::with_core;
use crate::runtime::emit;

/// Makes a TCP server; `connection_listener` is called with every accepted socket:
/// Node's `net.createServer(connectionListener)`. For `net.createServer()` with no listener,
/// use [`Server::new`] (a `()` cannot stand for the listener here: see [`connect_to`] for why).
///
/// ```
/// let server = nodenet::net::create_server(|client| {
///     client.end_with("hello\n");
/// });
/// # server.close(());
/// # nodenet::run().unwrap();
/// ```
pub fn create_server(connection_listener: impl FnMut(Socket) + 'static) -> Server {
    create_server_with(ServerOptions::default(), connection_listener)
}

/// Makes a TCP server with options: Node's `net.createServer(options, connectionListener)`.
///
/// ```
/// use nodenet::net::{self, ServerOptions};
/// let options = ServerOptions { allow_half_open: true, ..ServerOptions::default() };
/// let server = net::create_server_with(options, |client| {
///     client.write("the peer may have ended; we can still write\n");
/// });
/// # server.close(());
/// # nodenet::run().unwrap();
/// ```
pub fn create_server_with(
    options: ServerOptions,
    connection_listener: impl FnMut(Socket) + 'static,
) -> Server {
    let server = Server::create(options);
    server.on(crate::event::Connection, connection_listener);
    server
}

/// Connects to `host:port`; `connect_listener` runs with the socket once connected: Node's
/// `net.connect(port, host, connectListener)`.
///
/// The listener gets the socket as its argument, where Node's gets it as `this`. `host` may be an
/// IP address or a name such as `localhost`, which is looked up on a helper thread so the loop
/// never blocks; every address the lookup returns is tried in turn, as Node 20 does. Failure arrives as an `'error'`
/// event (`connect ECONNREFUSED 127.0.0.1:10000`) followed by `'close'(true)`.
///
/// ```
/// use nodenet::prelude::*;
/// let client = net::connect(1, "127.0.0.1", |_client| unreachable!("nothing listens on port 1"));
/// client.on(Error, move |err| {
///     assert_eq!(err.code(), Some("ECONNREFUSED"));
///     assert_eq!(err.message(), "connect ECONNREFUSED 127.0.0.1:1");
/// });
/// nodenet::run().unwrap();
/// ```
pub fn connect(port: u16, host: &str, connect_listener: impl FnOnce(Socket) + 'static) -> Socket {
    connect_with(ConnectOptions::new(port, host), connect_listener)
}

/// Connects with options: Node's `net.connect(options, connectListener)`: a local address or
/// port to bind, `family`, `timeout`, `noDelay`, `keepAlive`, `allowHalfOpen`, and the
/// `autoSelectFamily` attempt timeout; `path` for a Unix socket file.
///
/// ```
/// use nodenet::prelude::*;
/// use nodenet::net::ConnectOptions;
/// let server = net::create_server(|client| {
///     assert_eq!(client.remote_address().as_deref(), Some("127.0.0.1"));
///     client.end();
/// });
/// server
///     .listen((0, "127.0.0.1"), move || {
///         let options = ConnectOptions {
///             local_address: Some("127.0.0.1".into()),
///             no_delay: true,
///             ..ConnectOptions::new(server.address().unwrap().port, "127.0.0.1")
///         };
///         let client = net::connect_with(options, |_client| {});
///         client.on(Close, move |_| {
///             server.close(());
///         });
///     })
///     .unwrap();
/// nodenet::run().unwrap();
/// ```
pub fn connect_with(
    options: impl Into<ConnectOptions>,
    connect_listener: impl FnOnce(Socket) + 'static,
) -> Socket {
    let socket = new_connecting(Some(connect_listener));
    connect::begin(socket, options.into());
    socket
}

/// Connects without a connect listener: Node's `net.connect(port)`, `net.connect(port, host)`
/// and `net.connect(options)`. A bare port connects to Node's default host, `localhost`. What
/// Node's optional `connectListener` did is a `Connect` listener chained on the socket.
///
/// Rust has no optional arguments, and a `()`-or-closure parameter (as `listen` takes) cannot
/// work for a listener that takes the socket: the compiler could no longer infer the closure's
/// argument type, and `net::connect(port, host, |socket| ..)` would need `|socket: Socket|`.
/// So [`connect`] keeps its three arguments, and this is the form with fewer.
///
/// ```
/// use nodenet::prelude::*;
/// let server = net::create_server(|client| {
///     client.end_with("hi");
/// });
/// server.listen(0, move || {
///     let port = server.address().unwrap().port;
///     net::connect_to(port) // localhost, as Node's net.connect(port)
///         .on(Connect, || println!("connected"))
///         .on(Data, |data| assert_eq!(data.to_string(), "hi"))
///         .on(Close, move |_| {
///             server.close(());
///         });
/// })
/// .unwrap();
/// nodenet::run().unwrap();
/// ```
pub fn connect_to(to: impl Into<ConnectOptions>) -> Socket {
    let socket = new_connecting(None::<fn(Socket)>);
    connect::begin(socket, to.into());
    socket
}

/// Node's `net.createConnection`: the same as [`connect`].
///
/// ```
/// let socket = nodenet::net::create_connection(1, "127.0.0.1", |_socket| {});
/// socket.on(nodenet::event::Error, move |_err| {});
/// nodenet::run().unwrap();
/// ```
pub fn create_connection(
    port: u16,
    host: &str,
    connect_listener: impl FnOnce(Socket) + 'static,
) -> Socket {
    connect(port, host, connect_listener)
}

/// A socket slot in the connecting state, with `connect_listener` (if any) as a once
/// `'connect'` listener that receives the socket.
fn new_connecting(connect_listener: Option<impl FnOnce(Socket) + 'static>) -> Socket {
    let id = with_core(|core| {
        let state = Box::new(SocketState::connecting());
        core.insert_io(crate::kinds::Kind::Socket(state), true)
    })
    .unwrap_or(crate::handle::HandleId::new(usize::MAX, 0));
    let socket = Socket::from_id(id);
    let Some(connect_listener) = connect_listener else {
        return socket;
    };
    let mut connect_listener = Some(connect_listener);
    let listener = Listener(StoredCallback::Unit(std::rc::Rc::new(
        std::cell::RefCell::new(move || {
            if let Some(listener) = connect_listener.take() {
                listener(socket);
            }
        }),
    )));
    emit::add(id, "connect", listener, true, false);
    socket
}

/// Connects to a Unix domain socket file: Node's `net.connect(path, connectListener)`.
/// Failures read as Node's do: `connect ENOENT /tmp/app.sock`.
///
/// ```
/// use nodenet::prelude::*;
/// let dir = std::env::temp_dir().join(format!("nodenet-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("connect-doc.sock");
/// let server = net::create_server(|client| {
///     client.end_with("hello over a socket file");
/// });
/// let p = path.clone();
/// server
///     .listen(path.as_path(), move || {
///         let client = net::connect_path(&p, |_client| {});
///         client.on(Data, move |data| assert_eq!(data.to_string(), "hello over a socket file"));
///         client.on(Close, move |_| {
///             server.close(());
///         });
///     })
///     .unwrap();
/// nodenet::run().unwrap();
/// ```
pub fn connect_path(
    path: impl AsRef<std::path::Path>,
    connect_listener: impl FnOnce(Socket) + 'static,
) -> Socket {
    connect_with(
        ConnectOptions::path(path.as_ref().to_path_buf()),
        connect_listener,
    )
}
