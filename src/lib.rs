//! # nodenet
//!
//! Node.js's `net` module for Rust: `net::create_server(|client| ...)`, `server.listen(...)`,
//! `net::connect(...)`, and [`Server`](net::Server) / [`Socket`](net::Socket) handles that take
//! `on(...)` closures for `data`, `end`, `error`, `close`, `drain` and the rest, all driven by one
//! single-threaded `mio` event loop per thread. [`run`] runs it until nothing is left to do, as a
//! Node process exits.
//!
//! The tutorial's echo server, in Node and in nodenet:
//!
//! ```js
//! const server = net.createServer(function (client) {
//!     client.on('data', function (data) {
//!         client.write(data);
//!     });
//! });
//! server.listen(10000);
//! ```
//!
//! ```no_run
//! use nodenet::prelude::*;
//!
//! let server = net::create_server(|client| {
//!     client.on(Data, move |data| {
//!         client.write(data);
//!     });
//! });
//! server.listen(10000, ()).unwrap();
//! nodenet::run().unwrap();
//! ```
//!
//! Handles are `Copy` values (a slot index and a generation) into the thread's loop, so closures
//! capture them freely. A socket's slot is freed right after its `'close'`, unless it was made
//! with [`Socket::new`](net::Socket::new), which keeps it (to connect again) until `release()`;
//! a handle whose slot was freed is never another socket, and using it logs a warning. Listeners may call
//! any method of any handle: no user code ever runs while the loop's state is borrowed.
//! Notifications (`'error'`, `'close'`, `'drain'`, `'listening'`, write callbacks) arrive on a
//! later tick, as in Node. See `docs/porting.md` for a JS → Rust guide.
//!
//! Node's `dgram` (UDP) follows the same model: [`dgram::create_socket`] makes a `Copy`
//! [`dgram::Socket`] whose `'message'` listener gets each datagram lent from the loop's read
//! buffer, with the sender's [`dgram::RemoteInfo`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod emitter_methods;
mod chunk;
pub mod cluster;
pub mod dgram;
mod errno;
mod error;
pub mod event;
pub mod events;
pub mod framing;
mod handle;
pub mod ip;
mod kinds;
mod listeners;
pub mod net;
pub mod process;
mod remote;
mod resources;
mod runtime;
mod signals;
pub mod string_decoder;
mod sys;
mod threadpool;
pub mod timers;
pub mod tls;

pub use chunk::Chunk;
pub use error::Error;
pub use listeners::{ListenerId, RawListener};
pub use remote::{remote, Remote};
pub use resources::{active_resources, active_resources_info, now, ResourceInfo};
pub use runtime::{
    loop_stats, next_tick, run, set_unhandled_error_policy, unhandled_error_policy, LoopStats,
    UnhandledErrors,
};
pub use threadpool::threadpool_size;
pub use timers::{
    clear_immediate, clear_interval, clear_timeout, set_immediate, set_interval, set_timeout,
    Immediate, Timer,
};

/// Everything a Node-style program needs in one import: `net`, the event names, `Chunk`, and
/// the [`crate::Error`] type.
///
/// `Error` is both the event name (a value: `on(Error, ..)`) and the error type (a type:
/// `Result<(), Error>`); they live in Rust's two namespaces, so one import brings both.
///
/// ```
/// use nodenet::prelude::*;
///
/// fn main() -> Result<(), Error> {
///     let server = net::create_server(|client| {
///         client.on(Error, |err: &Error| eprintln!("{err}")).end();
///     });
///     server.on(Error, |err| eprintln!("{err}")).close(());
///     nodenet::run()
/// }
/// ```
///
/// ```
/// use nodenet::prelude::*;
/// let server = net::create_server(|client| {
///     client.on(Data, move |data| {
///         client.write(data);
///     });
/// });
/// # server.close(());
/// # nodenet::run().unwrap();
/// ```
pub mod prelude {
    pub use crate::dgram;
    pub use crate::event::{
        Close, Connect, Connection, ConnectionDropped, Data, Drain, End, Error, ErrorMonitor,
        Event, Finish, Listening, Message, Pause, Readable, Ready, Resume, SecureConnect,
        SecureConnection, Timeout, TlsClientError,
    };
    pub use crate::net::{self, ReadyState, Server, Socket, SocketOptions};
    pub use crate::tls;
    pub use crate::Chunk;
    pub use crate::Error;
}
