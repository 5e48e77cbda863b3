//! Node's `dgram` module: UDP sockets with the same handle and event model as [`net`](crate::net).
//!
//! `dgram::create_socket("udp4")` makes a [`Socket`], a `Copy` handle into the thread's loop;
//! `socket.on(Message, |msg, rinfo| ...)` receives datagrams, lent from the loop's read buffer
//! without a copy; `socket.send(msg, (port, address))` sends one. Binding, connecting and
//! closing take effect at once, and `'listening'`, `'connect'`, `'close'`, `'error'` and send
//! callbacks come on a later tick, in Node's order, with Node's error codes and messages.
//!
//! The tutorial's UDP echo server, in Node and in nodenet:
//!
//! ```js
//! const server = dgram.createSocket('udp4');
//! server.on('message', (msg, rinfo) => {
//!     server.send(msg, rinfo.port, rinfo.address);
//! });
//! server.bind(41234);
//! ```
//!
//! ```
//! use nodenet::prelude::*;
//!
//! let server = dgram::create_socket("udp4").unwrap();
//! server.on(Message, move |msg, rinfo| {
//!     server.send(msg, (rinfo.port, rinfo.address)).unwrap();
//! });
//! server.bind(0, move || {
//!     let port = server.address().unwrap().port;
//!     let client = dgram::create_socket("udp4").unwrap();
//!     client.on(Message, move |msg, rinfo| {
//!         assert_eq!(msg.to_string(), "hello");
//!         assert_eq!(rinfo.port, port);
//!         client.close(()).unwrap();
//!         server.close(()).unwrap();
//!     });
//!     client.send("hello", (port, "127.0.0.1")).unwrap();
//! })
//! .unwrap();
//! nodenet::run().unwrap();
//! ```

mod bind;
mod close;
mod connect;
mod datagram;
mod errors;
mod events;
mod kind;
mod options;
mod queue;
mod read;
mod rinfo;
mod send;
mod socket;
mod sockopt;
pub(crate) mod state;

pub use self::datagram::{Datagram, Parts, Slice};
pub use self::events::{DgramEvent, DgramOnceEvent};
pub use self::options::{BindOptions, SocketOptions, SocketType, To};
pub use self::rinfo::RemoteInfo;
pub use self::socket::Socket;

use self::state::DgramState;
use crate::chunk::Chunk;
use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::with_core;

/// Makes a UDP socket of type `"udp4"` or `"udp6"`: Node's `dgram.createSocket(type)`.
/// Any other type is Node's `ERR_SOCKET_BAD_TYPE`.
///
/// ```
/// let socket = nodenet::dgram::create_socket("udp4").unwrap();
/// # socket.close(()).unwrap();
/// let err = nodenet::dgram::create_socket("udp5").unwrap_err();
/// assert_eq!(err.message(), "Bad socket type specified. Valid types are: udp4, udp6");
/// # nodenet::run().unwrap();
/// ```
pub fn create_socket(socket_type: &str) -> Result<Socket, Error> {
    let socket_type: SocketType = socket_type.parse()?;
    Ok(create_socket_with(socket_type))
}

/// Makes a UDP socket with options: Node's `dgram.createSocket(options)`.
///
/// ```
/// use nodenet::dgram::{self, SocketOptions, SocketType};
/// let socket = dgram::create_socket_with(SocketOptions {
///     reuse_addr: true,
///     recv_buffer_size: Some(65536),
///     ..SocketOptions::from(SocketType::Udp4)
/// });
/// socket.bind(0, move || {
///     assert_eq!(socket.get_recv_buffer_size().unwrap(), 2 * 65536);
///     socket.close(()).unwrap();
/// }).unwrap();
/// nodenet::run().unwrap();
/// ```
pub fn create_socket_with(options: impl Into<SocketOptions>) -> Socket {
    let state = Box::new(DgramState::new(options.into()));
    let id = with_core(|core| core.insert_io(crate::kinds::Kind::Dgram(state), false))
        .unwrap_or(HandleId::new(usize::MAX, 0));
    Socket::from_id(id)
}

/// Makes a UDP socket with a `'message'` listener: Node's `dgram.createSocket(type,
/// listener)`.
///
/// ```
/// use nodenet::dgram::{self, SocketType};
/// let socket = dgram::create_socket_with_listener(SocketType::Udp4, |msg, rinfo| {
///     println!("{} from {}:{}", msg, rinfo.address, rinfo.port);
/// });
/// # socket.close(()).unwrap();
/// # nodenet::run().unwrap();
/// ```
pub fn create_socket_with_listener(
    options: impl Into<SocketOptions>,
    listener: impl for<'a> FnMut(Chunk<'a>, &RemoteInfo) + 'static,
) -> Socket {
    create_socket_with(options).on(crate::event::Message, listener)
}
