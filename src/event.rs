//! Typed event names: `socket.on(Data, |data| ...)` instead of `socket.on('data', ...)`.
//!
//! Mirrors the event names of Node's `net.Server` and `net.Socket`. Each name is a unit struct,
//! and each emitter accepts only its own events, each with the closure shape Node passes: a
//! misspelt name is an unknown identifier, and a wrong event or closure shape is a compile error
//! that says which closure the event takes.
//!
//! ```compile_fail
//! use nodenet::event::*;
//! let server = nodenet::net::create_server(|_client| {});
//! server.on(Data, |data| {}); // a Server has no 'data' event
//! ```
//!
//! ```compile_fail
//! use nodenet::event::*;
//! let server = nodenet::net::create_server(|client| {
//!     client.on(Close, || {}); // a Socket's 'close' passes `had_error`
//! });
//! ```
//!
//! ```compile_fail
//! use nodenet::event::*;
//! let server = nodenet::net::create_server(|client| {
//!     client.on(Connection, |socket| {}); // 'connection' is a Server event
//! });
//! ```
//!
//! ```compile_fail
//! use nodenet::event::*;
//! let server = nodenet::net::create_server(|client| {
//!     client.on(Date, |data| {}); // misspelt: there is no `Date` event
//! });
//! ```

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use crate::chunk::Chunk;
use crate::error::Error as NodeError;

/// An event name, as Node spells it.
///
/// ```
/// use nodenet::event::{Data, Event};
/// assert_eq!(Data.name(), "data");
/// ```
pub trait Event: Copy {
    /// Node's name of the event.
    const NAME: &'static str;

    /// Node's name of the event.
    ///
    /// ```
    /// use nodenet::event::{Close, Event};
    /// assert_eq!(Close.name(), "close");
    /// ```
    fn name(self) -> &'static str {
        Self::NAME
    }
}

/// A stored listener: shared so an emit's snapshot can hold it, in a `RefCell` because it is
/// an `FnMut`.
pub(crate) type Shared<F> = Rc<RefCell<F>>;

/// A listener whose argument is of a type the handle kind defines.
pub(crate) type AnyListener = dyn FnMut(&dyn Any);

/// A closure stored for an event, erased to the shapes the loop knows how to call.
#[derive(Clone)]
pub(crate) enum Callback {
    Unit(Shared<dyn FnMut()>),
    Flag(Shared<dyn FnMut(bool)>),
    Data(Shared<dyn for<'a> FnMut(Chunk<'a>)>),
    Error(Shared<dyn FnMut(&NodeError)>),
    /// An argument of a type the handle kind defines (a `Socket`, a `LookupInfo`), taken back
    /// from `&dyn Any` by the closure [`listens_value!`] wraps the listener in.
    Value(Shared<AnyListener>),
    /// `'newListener'` and `'removeListener'`: the name of the event concerned.
    Name(Shared<dyn FnMut(&'static str)>),
    /// Bytes lent from the loop's read buffer with a value of a type the handle kind defines
    /// (a UDP socket's `'message'` with its sender), taken back from `&dyn Any` as for `Value`.
    DataValue(Shared<DataValueListener>),
}

/// A listener of bytes and a value of a type the handle kind defines.
pub(crate) type DataValueListener = dyn for<'a> FnMut(Chunk<'a>, &dyn Any);

/// A listener ready to register; made by the event names, opaque to users.
#[doc(hidden)]
pub struct Listener(pub(crate) Callback);

/// The events of a [`Socket`](super::net::Socket), each with the closure it takes.
#[diagnostic::on_unimplemented(
    message = "a Socket has no `{Self}` event taking this closure",
    label = "not a Socket listener of the right shape",
    note = "Socket events: Data |data|, End ||, Error |err|, ErrorMonitor |err|, Close |had_error|, Connect ||, Ready ||, Drain ||, Finish ||, Timeout ||, Pause ||, Resume ||, Readable ||, Lookup |info|, ConnectionAttempt |attempt|, ConnectionAttemptFailed |attempt|, ConnectionAttemptTimeout |attempt|, SecureConnect ||, Secure ||, NewListener |name|, RemoveListener |name|"
)]
pub trait SocketEvent<F, R>: Event {
    #[doc(hidden)]
    fn listener(listener: F) -> Listener;
}

/// The events of a [`Socket`](super::net::Socket) with the one-shot closure (`FnOnce`) that `once` takes.
#[diagnostic::on_unimplemented(
    message = "a Socket has no `{Self}` event taking this closure",
    label = "not a Socket listener of the right shape",
    note = "Socket events: Data |data|, End ||, Error |err|, ErrorMonitor |err|, Close |had_error|, Connect ||, Ready ||, Drain ||, Finish ||, Timeout ||, Pause ||, Resume ||, Lookup |info|, ConnectionAttempt |attempt|, ConnectionAttemptFailed |attempt|, ConnectionAttemptTimeout |attempt|, SecureConnect ||, Secure ||, NewListener |name|, RemoveListener |name|"
)]
pub trait SocketOnceEvent<F, R>: Event {
    #[doc(hidden)]
    fn once_listener(listener: F) -> Listener;
}

/// The events of a [`Server`](super::net::Server) with the one-shot closure (`FnOnce`) that
/// `once` takes.
#[diagnostic::on_unimplemented(
    message = "a Server has no `{Self}` event taking this closure",
    label = "not a Server listener of the right shape",
    note = "Server events: Connection |socket|, Listening ||, Error |err|, ErrorMonitor |err|, Close ||, ConnectionDropped |info|, SecureConnection |socket|, TlsClientError |err, socket|, NewListener |name|, RemoveListener |name|"
)]
pub trait ServerOnceEvent<F, R>: Event {
    #[doc(hidden)]
    fn once_listener(listener: F) -> Listener;
}

/// The events of a [`Server`](super::net::Server), each with the closure it takes.
#[diagnostic::on_unimplemented(
    message = "a Server has no `{Self}` event taking this closure",
    label = "not a Server listener of the right shape",
    note = "Server events: Connection |socket|, Listening ||, Error |err|, ErrorMonitor |err|, Close ||, ConnectionDropped |info|, SecureConnection |socket|, TlsClientError |err, socket|, NewListener |name|, RemoveListener |name|"
)]
pub trait ServerEvent<F, R>: Event {
    #[doc(hidden)]
    fn listener(listener: F) -> Listener;
}

macro_rules! event_name {
    ($(#[$doc:meta])* $name:ident = $node:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name;

        impl Event for $name {
            const NAME: &'static str = $node;
        }
    };
}

// A listener may return anything, as a JS arrow function may (`|data| client.write(data)`); the
// value is ignored, as Node ignores what listeners return.
// `once` takes an `FnOnce`: it is kept in an `Option` inside the stored `FnMut` and taken on
// the one call the once rules allow.
macro_rules! listens {
    ($trait:ident / $once:ident for $name:ident: $variant:ident ($($arg:ident: $ty:ty),*)) => {
        impl<F, R> $trait<F, R> for $name
        where
            F: FnMut($($ty),*) -> R + 'static,
        {
            fn listener(mut listener: F) -> Listener {
                Listener(Callback::$variant(Rc::new(RefCell::new(
                    move |$($arg: $ty),*| {
                        listener($($arg),*);
                    },
                ))))
            }
        }

        impl<F, R> $once<F, R> for $name
        where
            F: FnOnce($($ty),*) -> R + 'static,
        {
            fn once_listener(listener: F) -> Listener {
                let mut listener = Some(listener);
                Listener(Callback::$variant(Rc::new(RefCell::new(
                    move |$($arg: $ty),*| {
                        if let Some(listener) = listener.take() {
                            listener($($arg),*);
                        }
                    },
                ))))
            }
        }
    };
}

/// [`listens!`] for an argument of a type the handle kind defines, passed through
/// [`Callback::Value`]: the kind's module states which of its events take which type, so this
/// module names none of them.
macro_rules! listens_value {
    ($trait:ident / $once:ident for $name:ident: $ty:ty, $stored:ty, |$value:ident| $arg:expr) => {
        impl<F, R> $trait<F, R> for $name
        where
            F: FnMut($ty) -> R + 'static,
        {
            fn listener(mut listener: F) -> $crate::event::Listener {
                $crate::event::Listener($crate::event::Callback::Value(std::rc::Rc::new(
                    std::cell::RefCell::new(move |value: &dyn std::any::Any| {
                        if let Some($value) = value.downcast_ref::<$stored>() {
                            listener($arg);
                        }
                    }),
                )))
            }
        }

        impl<F, R> $once<F, R> for $name
        where
            F: FnOnce($ty) -> R + 'static,
        {
            fn once_listener(listener: F) -> $crate::event::Listener {
                let mut listener = Some(listener);
                $crate::event::Listener($crate::event::Callback::Value(std::rc::Rc::new(
                    std::cell::RefCell::new(move |value: &dyn std::any::Any| {
                        if let Some($value) = value.downcast_ref::<$stored>() {
                            if let Some(listener) = listener.take() {
                                listener($arg);
                            }
                        }
                    }),
                )))
            }
        }
    };
}
pub(crate) use listens;
pub(crate) use listens_value;

event_name! {
    /// `'connection'`: a server accepted a socket. Listener: `|socket| ...`.
    Connection = "connection"
}
event_name! {
    /// `'listening'`: a server is bound and accepting. Listener: `|| ...`.
    Listening = "listening"
}
event_name! {
    /// `'close'`: a socket (`|had_error| ...`) or a server (`|| ...`) is fully closed.
    Close = "close"
}
event_name! {
    /// The type of the [`Error`] event name. The name is a constant of this type rather than a
    /// unit struct so that it lives only in the value namespace: `use nodenet::prelude::*`
    /// brings both the event `Error` (a value, for `on(Error, ..)`) and the type
    /// [`crate::Error`] (a type, for `Result<(), Error>`), without a clash.
    ///
    /// ```
    /// use nodenet::event::{ErrorEvent, Event};
    /// assert_eq!(ErrorEvent.name(), "error");
    /// ```
    ErrorEvent = "error"
}

/// `'error'`: a socket or server failed. Listener: `|err| ...`, with a [`crate::Error`].
///
/// A constant, so the name `Error` is free in the type namespace for the error type:
///
/// ```
/// use nodenet::prelude::*;
///
/// fn main() -> Result<(), Error> {
///     let socket = net::connect(1, "127.0.0.1", |_| unreachable!("nothing listens on port 1"));
///     socket.on(Error, |err: &Error| assert_eq!(err.code(), Some("ECONNREFUSED")));
///     nodenet::run()
/// }
/// ```
#[allow(non_upper_case_globals)]
pub const Error: ErrorEvent = ErrorEvent;
event_name! {
    /// Node's `events.errorMonitor`: its listeners (`|err| ...`) see every `'error'` of a socket
    /// or server before the `'error'` listeners do, to log or count it, and do not handle it:
    /// with only a monitor, the error is still unhandled (see
    /// [`set_unhandled_error_policy`](crate::set_unhandled_error_policy)).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// use nodenet::event::ErrorMonitor;
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let socket = net::connect(1, "127.0.0.1", |_| unreachable!("nothing listens on port 1"));
    /// let s = seen.clone();
    /// socket.on(Error, move |err| s.borrow_mut().push(format!("error {}", err.code().unwrap())));
    /// let s = seen.clone();
    /// socket.on(ErrorMonitor, move |err| s.borrow_mut().push(format!("monitor {}", err.code().unwrap())));
    /// nodenet::run().unwrap();
    /// assert_eq!(*seen.borrow(), ["monitor ECONNREFUSED", "error ECONNREFUSED"]);
    /// ```
    ErrorMonitor = "errorMonitor"
}
event_name! {
    /// `'message'`: a UDP socket received a datagram (listener `|msg, rinfo| ...`, with a
    /// [`Chunk`] lent from the loop's read buffer and the sender's
    /// [`RemoteInfo`](super::dgram::RemoteInfo)), or a [`Framed`](super::framing::Framed)
    /// socket a whole frame (listener `|frame| ...`).
    Message = "message"
}
event_name! {
    /// `'data'`: bytes arrived. Listener: `|data| ...`, with a [`Chunk`].
    Data = "data"
}
event_name! {
    /// `'end'`: the peer ended its side (sent FIN). Listener: `|| ...`.
    End = "end"
}
event_name! {
    /// `'connect'`: an outgoing connection was established. Listener: `|| ...`.
    Connect = "connect"
}
event_name! {
    /// `'ready'`: the socket can be used; right after `'connect'`. Listener: `|| ...`.
    Ready = "ready"
}
event_name! {
    /// `'drain'`: the write buffer emptied after a `write` returned `false`. Listener: `|| ...`.
    Drain = "drain"
}
event_name! {
    /// `'finish'`: `end()` was called and every byte was handed to the OS. Listener: `|| ...`.
    Finish = "finish"
}
event_name! {
    /// `'timeout'`: the socket was idle for its `set_timeout`. Listener: `|| ...`.
    Timeout = "timeout"
}

event_name! {
    /// `'pause'`: `pause()` stopped the flow of `'data'` (emitted at once). Listener: `|| ...`.
    Pause = "pause"
}
event_name! {
    /// `'resume'`: `resume()` restarted the flow (on the next tick). Listener: `|| ...`.
    Resume = "resume"
}

event_name! {
    /// `'readable'`: data (or the end) is waiting to be taken with
    /// [`read`](super::net::Socket::read). Adding a listener switches the socket to Node's
    /// paused mode. Listener: `|| ...`.
    Readable = "readable"
}

event_name! {
    /// `'lookup'`: a host name was resolved, before connecting. Listener: `|info| ...` with a
    /// [`LookupInfo`](super::net::LookupInfo) (Node's `(err, address, family, host)`).
    Lookup = "lookup"
}
event_name! {
    /// `'connectionAttempt'`: connecting to one address starts. Listener: `|attempt| ...` with
    /// an [`AttemptInfo`](super::net::AttemptInfo).
    ConnectionAttempt = "connectionAttempt"
}
event_name! {
    /// `'connectionAttemptFailed'`: one address refused; `attempt.error` says why.
    ConnectionAttemptFailed = "connectionAttemptFailed"
}
event_name! {
    /// `'connectionAttemptTimeout'`: one address took longer than the attempt timeout, and the
    /// next is tried.
    ConnectionAttemptTimeout = "connectionAttemptTimeout"
}

event_name! {
    /// `'drop'`: a server closed a connection at once because it already had
    /// [`max_connections`](super::net::Server::set_max_connections) open. Listener:
    /// `|info| ...`, with a [`DropInfo`](super::net::DropInfo). Not named `Drop`, which would shadow
    /// `std::ops::Drop` wherever the event names are glob-imported.
    ConnectionDropped = "drop"
}

event_name! {
    /// `'newListener'`: a listener is about to be added (it does not see its own addition).
    /// Listener: `|name| ...`, with the name of the event the listener is for.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// use nodenet::event::NewListener;
    /// let server = net::create_server(|_| {});
    /// server.on(NewListener, |name| assert_eq!(name, "listening"))
    ///     .on(Listening, || {});
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    NewListener = "newListener"
}
event_name! {
    /// `'removeListener'`: a listener was removed (by `off`, `remove_all_listeners`, or as a
    /// `once` listener about to run). Listener: `|name| ...`, with the event's name.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// use nodenet::event::RemoveListener;
    /// let server = net::create_server(|_| {});
    /// let id = server.on_with_id(Listening, || {});
    /// server.on(RemoveListener, |name| assert_eq!(name, "listening")).off(id);
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    RemoveListener = "removeListener"
}

event_name! {
    /// `'secureConnect'`: a TLS client's handshake is done (and its verification passed, or
    /// `reject_unauthorized` is off). Listener: `|| ...`.
    SecureConnect = "secureConnect"
}
event_name! {
    /// `'secure'`: a TLS server's socket finished its handshake, just before the server's
    /// `'secureConnection'`. Listener: `|| ...`.
    Secure = "secure"
}
event_name! {
    /// `'secureConnection'`: a TLS server's client finished its handshake. Listener:
    /// `|socket| ...`.
    SecureConnection = "secureConnection"
}
event_name! {
    /// `'tlsClientError'`: a client's handshake with a TLS server failed; the socket is
    /// closed, the server goes on. Listener: `|err, socket| ...`.
    TlsClientError = "tlsClientError"
}

listens!(SocketEvent / SocketOnceEvent for Data: Data(data: Chunk<'_>));
listens!(SocketEvent / SocketOnceEvent for Pause: Unit());
listens!(SocketEvent / SocketOnceEvent for Resume: Unit());
listens!(SocketEvent / SocketOnceEvent for Readable: Unit());
listens!(SocketEvent / SocketOnceEvent for End: Unit());
listens!(SocketEvent / SocketOnceEvent for ErrorEvent: Error(error: &NodeError));
listens!(SocketEvent / SocketOnceEvent for ErrorMonitor: Error(error: &NodeError));
listens!(SocketEvent / SocketOnceEvent for Close: Flag(had_error: bool));
listens!(SocketEvent / SocketOnceEvent for Connect: Unit());
listens!(SocketEvent / SocketOnceEvent for Ready: Unit());
listens!(SocketEvent / SocketOnceEvent for Drain: Unit());
listens!(SocketEvent / SocketOnceEvent for Finish: Unit());
listens!(SocketEvent / SocketOnceEvent for Timeout: Unit());

listens!(SocketEvent / SocketOnceEvent for SecureConnect: Unit());
listens!(SocketEvent / SocketOnceEvent for Secure: Unit());

listens!(ServerEvent / ServerOnceEvent for Listening: Unit());
listens!(ServerEvent / ServerOnceEvent for ErrorEvent: Error(error: &NodeError));
listens!(ServerEvent / ServerOnceEvent for ErrorMonitor: Error(error: &NodeError));
listens!(ServerEvent / ServerOnceEvent for Close: Unit());
listens!(SocketEvent / SocketOnceEvent for NewListener: Name(name: &'static str));
listens!(SocketEvent / SocketOnceEvent for RemoveListener: Name(name: &'static str));
listens!(ServerEvent / ServerOnceEvent for NewListener: Name(name: &'static str));
listens!(ServerEvent / ServerOnceEvent for RemoveListener: Name(name: &'static str));
