//! The events of a UDP socket, each with the closure Node passes: `'message'` `(msg, rinfo)`,
//! `'listening'`, `'connect'`, `'close'`, `'error'` (Node's `dgram.Socket` events).
//!
//! ```compile_fail
//! use nodenet::event::*;
//! let socket = nodenet::dgram::create_socket("udp4").unwrap();
//! socket.on(Data, |data| {}); // a UDP socket has 'message', not 'data'
//! ```
//!
//! ```compile_fail
//! use nodenet::event::*;
//! let socket = nodenet::dgram::create_socket("udp4").unwrap();
//! socket.on(Close, |had_error| {}); // a UDP socket's 'close' passes nothing
//! ```
//!
//! ```compile_fail
//! use nodenet::event::*;
//! let socket = nodenet::dgram::create_socket("udp4").unwrap();
//! socket.on(Message, |msg| {}); // 'message' passes (msg, rinfo)
//! ```

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use super::rinfo::RemoteInfo;
use crate::chunk::Chunk;
use crate::error::Error as NodeError;
use crate::event::{
    listens, Callback, Close, Connect, ErrorEvent, ErrorMonitor, Event, Listener, Listening,
    Message, NewListener, RemoveListener,
};

/// The events of a [`dgram::Socket`](crate::dgram::Socket), each with the closure it takes.
#[diagnostic::on_unimplemented(
    message = "a dgram Socket has no `{Self}` event taking this closure",
    label = "not a dgram Socket listener of the right shape",
    note = "dgram Socket events: Message |msg, rinfo|, Listening ||, Connect ||, Close ||, Error |err|, ErrorMonitor |err|, NewListener |name|, RemoveListener |name|"
)]
pub trait DgramEvent<F, R>: Event {
    #[doc(hidden)]
    fn listener(listener: F) -> Listener;
}

/// The events of a [`dgram::Socket`](crate::dgram::Socket) with the one-shot closure
/// (`FnOnce`) that `once` takes.
#[diagnostic::on_unimplemented(
    message = "a dgram Socket has no `{Self}` event taking this closure",
    label = "not a dgram Socket listener of the right shape",
    note = "dgram Socket events: Message |msg, rinfo|, Listening ||, Connect ||, Close ||, Error |err|, ErrorMonitor |err|, NewListener |name|, RemoveListener |name|"
)]
pub trait DgramOnceEvent<F, R>: Event {
    #[doc(hidden)]
    fn once_listener(listener: F) -> Listener;
}

listens!(DgramEvent / DgramOnceEvent for Listening: Unit());
listens!(DgramEvent / DgramOnceEvent for Connect: Unit());
listens!(DgramEvent / DgramOnceEvent for Close: Unit());
listens!(DgramEvent / DgramOnceEvent for ErrorEvent: Error(error: &NodeError));
listens!(DgramEvent / DgramOnceEvent for ErrorMonitor: Error(error: &NodeError));
listens!(DgramEvent / DgramOnceEvent for NewListener: Name(name: &'static str));
listens!(DgramEvent / DgramOnceEvent for RemoveListener: Name(name: &'static str));

// 'message' lends the datagram from the loop's read buffer, with the sender beside it.
impl<F, R> DgramEvent<F, R> for Message
where
    F: for<'a> FnMut(Chunk<'a>, &RemoteInfo) -> R + 'static,
{
    fn listener(mut listener: F) -> Listener {
        Listener(Callback::DataValue(Rc::new(RefCell::new(
            move |msg: Chunk<'_>, value: &dyn Any| {
                if let Some(rinfo) = value.downcast_ref::<RemoteInfo>() {
                    listener(msg, rinfo);
                }
            },
        ))))
    }
}

impl<F, R> DgramOnceEvent<F, R> for Message
where
    F: for<'a> FnOnce(Chunk<'a>, &RemoteInfo) -> R + 'static,
{
    fn once_listener(listener: F) -> Listener {
        let mut listener = Some(listener);
        Listener(Callback::DataValue(Rc::new(RefCell::new(
            move |msg: Chunk<'_>, value: &dyn Any| {
                if let Some(rinfo) = value.downcast_ref::<RemoteInfo>() {
                    if let Some(listener) = listener.take() {
                        listener(msg, rinfo);
                    }
                }
            },
        ))))
    }
}
