//! The closure shapes of the TLS server's events whose arguments are the kind's own types:
//! `'secureConnection'` passes the socket, `'tlsClientError'` the error and the socket.

use std::cell::RefCell;
use std::rc::Rc;

use crate::error::Error;
use crate::event::{
    listens_value, Callback, Listener, SecureConnection, ServerEvent, ServerOnceEvent,
    TlsClientError,
};
use crate::net::Socket;
use crate::tls::handshake::ClientError;

listens_value!(ServerEvent / ServerOnceEvent for SecureConnection: Socket, Socket, |socket| *socket);

impl<F, R> ServerEvent<F, R> for TlsClientError
where
    F: FnMut(&Error, Socket) -> R + 'static,
{
    fn listener(mut listener: F) -> Listener {
        Listener(Callback::Value(Rc::new(RefCell::new(
            move |value: &dyn std::any::Any| {
                if let Some(pair) = value.downcast_ref::<ClientError>() {
                    listener(&pair.error, pair.socket);
                }
            },
        ))))
    }
}

impl<F, R> ServerOnceEvent<F, R> for TlsClientError
where
    F: FnOnce(&Error, Socket) -> R + 'static,
{
    fn once_listener(listener: F) -> Listener {
        let mut listener = Some(listener);
        Listener(Callback::Value(Rc::new(RefCell::new(
            move |value: &dyn std::any::Any| {
                if let Some(pair) = value.downcast_ref::<ClientError>() {
                    if let Some(listener) = listener.take() {
                        listener(&pair.error, pair.socket);
                    }
                }
            },
        ))))
    }
}
