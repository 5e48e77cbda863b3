//! `dgram::Socket`: Node's `dgram.Socket`, as a `Copy` handle into the loop.

use std::fmt;
use std::marker::PhantomData;

use super::datagram::Datagram;
use super::errors;
use super::events::{DgramEvent, DgramOnceEvent};
use super::options::{BindOptions, SocketType, To};
use super::sockopt::{self, Buffer, Membership};
use super::state::{
    BindState, ConnectCallback, ConnectFn, Destination, Op, PendingConnect, SendCallback,
};
use crate::error::Error;
use crate::event::{Callback as StoredCallback, Listener};
use crate::handle::{self, HandleId};
use crate::listeners::ListenerId;
use crate::net::{AddressInfo, Callback};
use crate::runtime::core::with_core;
use crate::runtime::emit;

/// A UDP socket: Node's `dgram.Socket`, made by [`create_socket`](crate::dgram::create_socket).
///
/// A `Copy` handle, like [`net::Socket`](crate::net::Socket): closures capture it freely.
/// After its `'close'` the handle is stale: its methods fail with Node's
/// `ERR_SOCKET_DGRAM_NOT_RUNNING` (and log why), and it never reaches another socket.
///
/// ```
/// use nodenet::prelude::*;
/// let server = dgram::create_socket("udp4").unwrap();
/// server.on(Message, move |msg, rinfo| {
///     assert_eq!(msg.to_string(), "ping");
///     server.send(msg, rinfo).unwrap(); // echo, straight from the read buffer
/// });
/// server
///     .bind((0, "127.0.0.1"), move || {
///         let port = server.address().unwrap().port;
///         let client = dgram::create_socket("udp4").unwrap();
///         client.on(Message, move |msg, _rinfo| {
///             assert_eq!(msg.to_string(), "ping");
///             client.close(()).unwrap();
///             server.close(()).unwrap();
///         });
///         client.send("ping", (port, "127.0.0.1")).unwrap();
///     })
///     .unwrap();
/// nodenet::run().unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Socket {
    id: HandleId,
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dgram::Socket({}#{})", self.id.index, self.id.generation)
    }
}

/// The answer for a handle whose slot is gone: Node's `healthCheck` error, and a warning.
fn stale<T>(id: HandleId, method: &str) -> Result<T, Error> {
    handle::warn_stale(id, "dgram socket", method, "its 'close' has been emitted");
    Err(errors::not_running())
}

impl Socket {
    #[cfg(test)]
    pub(crate) fn id(self) -> HandleId {
        self.id
    }

    pub(crate) fn from_id(id: HandleId) -> Socket {
        Socket {
            id,
            _not_send: PhantomData,
        }
    }

    /// Adds a listener for `event` and returns the socket, for chaining: Node's
    /// `socket.on(event, listener)`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// socket
    ///     .on(Message, |msg, rinfo| println!("{} bytes from {}", msg.len(), rinfo.address))
    ///     .on(Listening, || println!("listening"))
    ///     .on(Error, |err| eprintln!("{err}"))
    ///     .on(Close, || println!("closed"));
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn on<E: DgramEvent<F, R>, F, R>(self, event: E, listener: F) -> Socket {
        emit::add(self.id, event.name(), E::listener(listener), false, false);
        self
    }

    /// [`on`](Socket::on), returning the listener's id for [`off`](Socket::off).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// let id = socket.on_with_id(Listening, || {});
    /// assert_eq!(socket.off(id).listener_count(Listening), 0);
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn on_with_id<E: DgramEvent<F, R>, F, R>(self, event: E, listener: F) -> ListenerId {
        emit::add(self.id, event.name(), E::listener(listener), false, false)
    }

    /// Adds a listener that runs at most once: Node's `socket.once`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// socket.once(Listening, move || {
    ///     socket.close(()).unwrap();
    /// });
    /// socket.bind(0, ()).unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn once<E: DgramOnceEvent<F, R>, F, R>(self, event: E, listener: F) -> Socket {
        emit::add(
            self.id,
            event.name(),
            E::once_listener(listener),
            true,
            false,
        );
        self
    }

    /// Adds a listener before the others: Node's `socket.prependListener`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// socket.on(Close, || println!("second"));
    /// socket.prepend_listener(Close, || println!("first"));
    /// socket.close(()).unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn prepend_listener<E: DgramEvent<F, R>, F, R>(self, event: E, listener: F) -> Socket {
        emit::add(self.id, event.name(), E::listener(listener), false, true);
        self
    }

    emitter_methods!(
        Socket,
        node = "socket",
        setup = "let h = dgram::create_socket(\"udp4\").unwrap();",
        teardown = "# h.close(()).unwrap();\n# nodenet::run().unwrap();",
        event = "Message",
        listener = "|_msg, _rinfo| {}",
    );

    /// `udp4` or `udp6`: Node's `socket.type`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp6").unwrap();
    /// assert_eq!(socket.socket_type(), Some(nodenet::dgram::SocketType::Udp6));
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn socket_type(self) -> Option<SocketType> {
        with_core(|core| core.dgram(self.id).map(|state| state.socket_type)).flatten()
    }

    /// Binds the socket and starts receiving: Node's `socket.bind(port, address, callback)`
    /// and `socket.bind(options, callback)`. `callback` (`|| ...`, or `()` for none) becomes a
    /// once `'listening'` listener.
    ///
    /// An IP address is bound at once; `'listening'` (or `'error'`, such as
    /// `bind EADDRINUSE 127.0.0.1:41234`) follows on a later tick. A name is looked up first.
    /// Binding twice is Node's `ERR_SOCKET_ALREADY_BOUND`, a closed socket
    /// `ERR_SOCKET_DGRAM_NOT_RUNNING`, both returned at once as Node throws them.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// socket
    ///     .bind((0, "127.0.0.1"), move || {
    ///         let address = socket.address().unwrap();
    ///         assert_eq!(address.address, "127.0.0.1");
    ///         assert_ne!(address.port, 0);
    ///         let again = socket.bind(0, ()).unwrap_err();
    ///         assert_eq!(again.code(), Some("ERR_SOCKET_ALREADY_BOUND"));
    ///         socket.close(()).unwrap();
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn bind(
        self,
        options: impl Into<BindOptions>,
        callback: impl Callback,
    ) -> Result<Socket, Error> {
        let options = options.into();
        let checked = with_core(|core| {
            let state = core.dgram(self.id)?;
            Some(if state.closed {
                Err(errors::not_running())
            } else if state.bind != BindState::Unbound {
                Err(errors::already_bound())
            } else {
                Ok(())
            })
        })
        .flatten();
        match checked {
            None => return stale(self.id, "bind"),
            Some(Err(error)) => return Err(error),
            Some(Ok(())) => {}
        }
        if let Some(callback) = callback.into_callback() {
            crate::net::server::once_unit(self.id, "listening", callback);
        }
        let lookup =
            with_core(|core| super::bind::start(core, self.id, options.port, options.address))
                .flatten();
        if let Some(host) = lookup {
            super::queue::lookup(self.id, host);
        }
        Ok(self)
    }

    /// Sends one datagram: Node's `socket.send(msg, port, address)`. `msg` is bytes, text, a
    /// list of either (sent as one datagram) or a [`Slice`](crate::dgram::Slice) (Node's
    /// `offset, length`); `to` is `(port, address)`, a port alone (to the loopback address),
    /// a [`RemoteInfo`](crate::dgram::RemoteInfo) to reply to, or `()` on a connected socket.
    ///
    /// An unbound socket is bound first to any address and a free port, as in Node (with a
    /// `'listening'`). A datagram to an IP address leaves at once, from `msg` itself; one that
    /// must wait (for a bind, a lookup, or room in the kernel's buffer) is copied. Node's
    /// argument errors come back at once: `ERR_SOCKET_BAD_PORT` for port 0,
    /// `ERR_SOCKET_DGRAM_IS_CONNECTED` for an address on a connected socket,
    /// `ERR_SOCKET_DGRAM_NOT_RUNNING` once closed. A failed send with no callback is dropped
    /// silently, as Node drops it: use [`send_with_callback`](Socket::send_with_callback) to
    /// hear of it.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// let err = socket.send("x", (0, "127.0.0.1")).unwrap_err();
    /// assert_eq!(err.code(), Some("ERR_SOCKET_BAD_PORT"));
    /// assert_eq!(err.message(), "Port should be > 0 and < 65536. Received type number (0).");
    /// socket.close(()).unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn send(self, msg: impl Datagram, to: impl Into<To>) -> Result<(), Error> {
        self.send_inner(&msg, to.into(), None)
    }

    /// [`send`](Socket::send) with Node's callback: `callback(err, bytes)` runs on a later
    /// tick, after the datagram has left (`err` is `None` and `bytes` its size), or with the
    /// error the send met (`send EMSGSIZE 127.0.0.1:41234`, and `bytes` 0).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// socket
    ///     .send_with_callback(vec![0u8; 70_000], (9, "127.0.0.1"), move |err, _bytes| {
    ///         let err = err.unwrap();
    ///         assert_eq!(err.code(), Some("EMSGSIZE"));
    ///         assert_eq!(err.message(), "send EMSGSIZE 127.0.0.1:9");
    ///         socket.close(()).unwrap();
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn send_with_callback(
        self,
        msg: impl Datagram,
        to: impl Into<To>,
        callback: impl FnOnce(Option<&Error>, usize) + 'static,
    ) -> Result<(), Error> {
        self.send_inner(&msg, to.into(), Some(Box::new(callback)))
    }

    fn send_inner(
        self,
        msg: &dyn Datagram,
        to: To,
        callback: Option<SendCallback>,
    ) -> Result<(), Error> {
        let parts = msg.parts()?;
        let id = self.id;
        // Taken inside the borrow only where it is kept: a callback dropped on an error is
        // dropped here, outside it.
        let mut callback = callback;
        let outcome = with_core(|core| {
            let state = core.dgram(id)?;
            let connected = state.connected();
            let destination = match to {
                To::Connected if !connected => {
                    return Some(Err(Error::with_code(
                        "ERR_SOCKET_BAD_PORT",
                        "Port should be > 0 and < 65536. Received undefined.",
                    )))
                }
                To::Connected => Destination::Connected,
                _ if connected => return Some(Err(errors::is_connected())),
                To::Address(0, _) => return Some(Err(errors::bad_port(0))),
                To::Ip(address) if address.port() == 0 => return Some(Err(errors::bad_port(0))),
                To::Address(port, host) => Destination::Named(port, host),
                To::Ip(address) => Destination::Ip(address),
            };
            if state.closed {
                return Some(Err(errors::not_running()));
            }
            if state.bind == BindState::Unbound {
                super::bind::start(core, id, 0, None);
            }
            let mut ctx = core.dgram_ctx(id)?;
            if ctx.state.busy() {
                ctx.state.queue.push_back(Op::Send {
                    data: parts.to_vec(),
                    to: destination,
                    callback: callback.take(),
                });
                return Some(Ok(None));
            }
            Some(Ok(super::send::dispatch(
                &mut ctx,
                id,
                &parts,
                destination,
                callback.take(),
            )))
        })
        .flatten();
        drop(callback);
        match outcome {
            None => stale(id, "send"),
            Some(Err(error)) => Err(error),
            Some(Ok(lookup)) => {
                if let Some(host) = lookup {
                    super::queue::lookup(id, host);
                }
                Ok(())
            }
        }
    }

    /// Connects the socket to one peer: Node's `socket.connect(port, address, callback)`.
    /// Afterwards [`send`](Socket::send) takes `()` for the destination, and only the peer's
    /// datagrams arrive. `callback(None)` runs on `'connect'`; on failure it gets the error
    /// instead of an `'error'` event. An unbound socket is bound first, as in Node.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// socket
    ///     .connect(41234, "127.0.0.1", move |err| {
    ///         assert!(err.is_none());
    ///         assert_eq!(socket.remote_address().unwrap().port, 41234);
    ///         let again = socket.connect_to(41234, "127.0.0.1").unwrap_err();
    ///         assert_eq!(again.code(), Some("ERR_SOCKET_DGRAM_IS_CONNECTED"));
    ///         socket.close(()).unwrap();
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn connect(
        self,
        port: u16,
        address: &str,
        callback: impl FnOnce(Option<&Error>) + 'static,
    ) -> Result<(), Error> {
        self.connect_inner(port, address, Some(Box::new(callback)))
    }

    /// [`connect`](Socket::connect) without a callback: failures are `'error'` events.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp6").unwrap();
    /// socket.on(Connect, move || {
    ///     assert_eq!(socket.remote_address().unwrap().address, "::1");
    ///     socket.close(()).unwrap();
    /// });
    /// socket.connect_to(41234, "").unwrap(); // "" is the loopback address, as in Node
    /// nodenet::run().unwrap();
    /// ```
    pub fn connect_to(self, port: u16, address: &str) -> Result<(), Error> {
        self.connect_inner(port, address, None)
    }

    fn connect_inner(
        self,
        port: u16,
        address: &str,
        callback: Option<ConnectFn>,
    ) -> Result<(), Error> {
        let id = self.id;
        if port == 0 {
            return Err(errors::bad_port(0));
        }
        let checked = with_core(|core| {
            let state = core.dgram(id)?;
            if state.closed {
                return Some(Err(errors::not_running()));
            }
            if state.connecting || state.peer.is_some() {
                return Some(Err(errors::is_connected()));
            }
            state.connecting = true;
            if state.bind == BindState::Unbound {
                super::bind::start(core, id, 0, None);
            }
            Some(Ok(()))
        })
        .flatten();
        match checked {
            None => return stale(id, "connect"),
            Some(Err(error)) => return Err(error),
            Some(Ok(())) => {}
        }
        let callback = callback.map(|callback| {
            let shared: ConnectCallback = std::rc::Rc::new(std::cell::RefCell::new(Some(callback)));
            let on_connect = shared.clone();
            let listener = Listener(StoredCallback::Unit(std::rc::Rc::new(
                std::cell::RefCell::new(move || {
                    let callback = on_connect.borrow_mut().take();
                    if let Some(callback) = callback {
                        callback(None);
                    }
                }),
            )));
            (emit::add(id, "connect", listener, true, false), shared)
        });
        let mut pending = Some(PendingConnect {
            port,
            host: address.to_string(),
            callback,
        });
        let lookup = with_core(|core| {
            let state = core.dgram(id)?;
            if state.busy() {
                state.queue.push_back(Op::Connect(pending.take()?));
                return None;
            }
            super::connect::dispatch(core, id, pending.take()?)
        })
        .flatten();
        drop(pending);
        if let Some(host) = lookup {
            super::queue::lookup(id, host);
        }
        Ok(())
    }

    /// Dissolves the association [`connect`](Socket::connect) made: Node's
    /// `socket.disconnect()`. `ERR_SOCKET_DGRAM_NOT_CONNECTED` if not connected.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// assert_eq!(socket.disconnect().unwrap_err().code(), Some("ERR_SOCKET_DGRAM_NOT_CONNECTED"));
    /// socket.connect(41234, "127.0.0.1", move |_err| {
    ///     socket.disconnect().unwrap();
    ///     assert!(socket.remote_address().is_err());
    ///     socket.close(()).unwrap();
    /// }).unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn disconnect(self) -> Result<(), Error> {
        sockopt::with_open(self.id, "disconnect", |state, registry| {
            if !state.connected() {
                return Err(errors::not_connected());
            }
            super::connect::disconnect(state, registry, self.id)
                .map_err(|err| errors::system(&err, "connect"))
        })
    }

    /// The connected peer: Node's `socket.remoteAddress()`; `ERR_SOCKET_DGRAM_NOT_CONNECTED`
    /// if not connected.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// let err = socket.remote_address().unwrap_err();
    /// assert_eq!(err.message(), "Not connected");
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn remote_address(self) -> Result<AddressInfo, Error> {
        sockopt::with_open(self.id, "remoteAddress", |state, _| {
            state
                .peer
                .map(AddressInfo::from)
                .ok_or_else(errors::not_connected)
        })
    }

    /// The bound address: Node's `socket.address()`. On an unbound socket this is Node's
    /// `getsockname EBADF`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// assert_eq!(socket.address().unwrap_err().message(), "getsockname EBADF");
    /// socket.bind((0, "127.0.0.1"), ()).unwrap();
    /// assert_eq!(socket.address().unwrap().family, "IPv4");
    /// socket.close(()).unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn address(self) -> Result<AddressInfo, Error> {
        sockopt::with_open(self.id, "address", |state, _| {
            let socket = state
                .socket
                .as_ref()
                .ok_or_else(|| errors::system(&errors::ebadf(), "getsockname"))?;
            socket
                .local_addr()
                .map(AddressInfo::from)
                .map_err(|err| errors::system(&err, "getsockname"))
        })
    }

    /// Closes the socket: Node's `socket.close(callback)`. `callback` (`|| ...`, or `()`)
    /// becomes a `'close'` listener; `'close'` follows on a later tick. A socket closed already
    /// gives Node's `ERR_SOCKET_DGRAM_NOT_RUNNING`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = dgram::create_socket("udp4").unwrap();
    /// socket.close(|| println!("closed")).unwrap();
    /// assert_eq!(socket.close(()).unwrap_err().code(), Some("ERR_SOCKET_DGRAM_NOT_RUNNING"));
    /// nodenet::run().unwrap();
    /// ```
    pub fn close(self, callback: impl Callback) -> Result<Socket, Error> {
        let id = self.id;
        if let Some(callback) = callback.into_callback() {
            let mut callback = Some(callback);
            let listener = Listener(StoredCallback::Unit(std::rc::Rc::new(
                std::cell::RefCell::new(move || {
                    if let Some(callback) = callback.take() {
                        callback();
                    }
                }),
            )));
            emit::add(id, "close", listener, false, false);
        }
        let result = with_core(|core| {
            let state = core.dgram(id)?;
            if state.closed {
                return Some(Err(errors::not_running()));
            }
            if !state.queue.is_empty() {
                state.queue.push_back(Op::Close);
            } else {
                super::close::close_now(core, id);
            }
            Some(Ok(self))
        })
        .flatten();
        result.unwrap_or_else(|| stale(id, "close"))
    }

    /// Sets `SO_BROADCAST`: Node's `socket.setBroadcast(flag)`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// assert_eq!(socket.set_broadcast(true).unwrap_err().message(), "setBroadcast EBADF");
    /// socket.bind(0, ()).unwrap();
    /// socket.set_broadcast(true).unwrap();
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_broadcast(self, flag: bool) -> Result<(), Error> {
        sockopt::set_broadcast(self.id, flag)
    }

    /// Sets the unicast TTL (IPv6: hop limit), 1 to 255: Node's `socket.setTTL(ttl)`, which
    /// returns it. Out of range is Node's `setTTL EINVAL`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.bind(0, ()).unwrap();
    /// assert_eq!(socket.set_ttl(16).unwrap(), 16);
    /// assert_eq!(socket.set_ttl(1000).unwrap_err().message(), "setTTL EINVAL");
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_ttl(self, ttl: u32) -> Result<u32, Error> {
        sockopt::set_ttl(self.id, ttl)
    }

    /// Sets the multicast TTL (IPv6: hop limit), 0 to 255: Node's
    /// `socket.setMulticastTTL(ttl)`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.bind(0, ()).unwrap();
    /// assert_eq!(socket.set_multicast_ttl(16).unwrap(), 16);
    /// assert_eq!(socket.set_multicast_ttl(256).unwrap_err().code(), Some("EINVAL"));
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_multicast_ttl(self, ttl: u32) -> Result<u32, Error> {
        sockopt::set_multicast_ttl(self.id, ttl)
    }

    /// Whether multicast datagrams come back to this host: Node's
    /// `socket.setMulticastLoopback(flag)`, which returns the flag.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.bind(0, ()).unwrap();
    /// assert!(socket.set_multicast_loopback(true).unwrap());
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_multicast_loopback(self, flag: bool) -> Result<bool, Error> {
        sockopt::set_multicast_loopback(self.id, flag)
    }

    /// The interface outgoing multicast leaves by: Node's
    /// `socket.setMulticastInterface(interface)`: an IPv4 address, or for IPv6 `::%scope`
    /// (an interface name or index).
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.bind(0, ()).unwrap();
    /// socket.set_multicast_interface("127.0.0.1").unwrap();
    /// assert_eq!(socket.set_multicast_interface("bad").unwrap_err().message(), "setMulticastInterface EINVAL");
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_multicast_interface(self, interface: &str) -> Result<(), Error> {
        sockopt::set_multicast_interface(self.id, interface)
    }

    /// Joins a multicast group, on `interface` or the one the kernel picks: Node's
    /// `socket.addMembership(multicastAddress[, multicastInterface])`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// let err = socket.add_membership("256.256.256.256", None).unwrap_err();
    /// assert_eq!(err.message(), "addMembership EINVAL");
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn add_membership(
        self,
        multicast_address: &str,
        interface: Option<&str>,
    ) -> Result<(), Error> {
        sockopt::membership(self.id, Membership::Add, multicast_address, interface)
    }

    /// Leaves a multicast group: Node's `socket.dropMembership`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// let err = socket.drop_membership("224.0.0.114", None).unwrap_err();
    /// assert_eq!(err.code(), Some("EADDRNOTAVAIL")); // never joined
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn drop_membership(
        self,
        multicast_address: &str,
        interface: Option<&str>,
    ) -> Result<(), Error> {
        sockopt::membership(self.id, Membership::Drop, multicast_address, interface)
    }

    /// Joins a source-specific multicast group (IPv4): Node's
    /// `socket.addSourceSpecificMembership(sourceAddress, groupAddress[, interface])`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// let err = socket.add_source_specific_membership("x", "232.1.1.1", None).unwrap_err();
    /// assert_eq!(err.message(), "addSourceSpecificMembership EINVAL");
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn add_source_specific_membership(
        self,
        source_address: &str,
        group_address: &str,
        interface: Option<&str>,
    ) -> Result<(), Error> {
        sockopt::source_membership(
            self.id,
            Membership::Add,
            source_address,
            group_address,
            interface,
        )
    }

    /// Leaves a source-specific multicast group: Node's
    /// `socket.dropSourceSpecificMembership`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// let err = socket.drop_source_specific_membership("10.0.0.1", "x", None).unwrap_err();
    /// assert_eq!(err.code(), Some("EINVAL"));
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn drop_source_specific_membership(
        self,
        source_address: &str,
        group_address: &str,
        interface: Option<&str>,
    ) -> Result<(), Error> {
        sockopt::source_membership(
            self.id,
            Membership::Drop,
            source_address,
            group_address,
            interface,
        )
    }

    /// `SO_RCVBUF` as the kernel reports it (Linux doubles what was set): Node's
    /// `socket.getRecvBufferSize()`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// let err = socket.get_recv_buffer_size().unwrap_err();
    /// assert_eq!(err.code(), Some("ERR_SOCKET_BUFFER_SIZE"));
    /// socket.bind(0, ()).unwrap();
    /// socket.set_recv_buffer_size(10_000).unwrap();
    /// assert_eq!(socket.get_recv_buffer_size().unwrap(), 20_000);
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn get_recv_buffer_size(self) -> Result<usize, Error> {
        sockopt::buffer_size(self.id, Buffer::Recv, None)
    }

    /// Sets `SO_RCVBUF`: Node's `socket.setRecvBufferSize(size)`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.bind(0, ()).unwrap();
    /// socket.set_recv_buffer_size(8192).unwrap();
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_recv_buffer_size(self, size: usize) -> Result<(), Error> {
        sockopt::buffer_size(self.id, Buffer::Recv, Some(size)).map(|_| ())
    }

    /// `SO_SNDBUF` as the kernel reports it: Node's `socket.getSendBufferSize()`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.bind(0, ()).unwrap();
    /// assert!(socket.get_send_buffer_size().unwrap() > 0);
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn get_send_buffer_size(self) -> Result<usize, Error> {
        sockopt::buffer_size(self.id, Buffer::Send, None)
    }

    /// Sets `SO_SNDBUF`: Node's `socket.setSendBufferSize(size)`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.bind(0, ()).unwrap();
    /// socket.set_send_buffer_size(8192).unwrap();
    /// assert_eq!(socket.get_send_buffer_size().unwrap(), 16384);
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_send_buffer_size(self, size: usize) -> Result<(), Error> {
        sockopt::buffer_size(self.id, Buffer::Send, Some(size)).map(|_| ())
    }

    /// Bytes waiting for room in the kernel's send buffer: Node's
    /// `socket.getSendQueueSize()`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// assert_eq!(socket.get_send_queue_size(), 0);
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn get_send_queue_size(self) -> usize {
        with_core(|core| core.dgram(self.id).map(|state| state.writes_bytes))
            .flatten()
            .unwrap_or(0)
    }

    /// Datagrams waiting for room in the kernel's send buffer: Node's
    /// `socket.getSendQueueCount()`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// assert_eq!(socket.get_send_queue_count(), 0);
    /// # socket.close(()).unwrap();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn get_send_queue_count(self) -> usize {
        with_core(|core| core.dgram(self.id).map(|state| state.writes.len()))
            .flatten()
            .unwrap_or(0)
    }

    /// Lets the loop exit while the socket is open: Node's `socket.unref()`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.bind(0, ()).unwrap();
    /// socket.unref();
    /// nodenet::run().unwrap(); // returns: the socket does not hold the loop
    /// socket.close(()).unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn unref(self) -> Socket {
        with_core(|core| core.set_referenced(self.id, false));
        self
    }

    /// Makes the socket keep the loop alive again: Node's `socket.ref()`.
    ///
    /// ```
    /// let socket = nodenet::dgram::create_socket("udp4").unwrap();
    /// socket.unref().ref_();
    /// socket.close(()).unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn ref_(self) -> Socket {
        with_core(|core| core.set_referenced(self.id, true));
        self
    }
}
