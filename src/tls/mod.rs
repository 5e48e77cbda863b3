//! Node's `tls` module on rustls: `tls::create_server` and `tls::connect` give the same
//! [`Server`](crate::net::Server) and [`Socket`](crate::net::Socket) handles as `net`, with the
//! same events, plus `'secureConnect'`, `'secureConnection'` and `'tlsClientError'`.
//!
//! A TLS socket is a net socket with a TLS layer inside its state (`layer.rs`, Node's
//! `TLSWrap`): `write` returns a bool, `'drain'`, `end` and half-close, `set_timeout`, `pipe`,
//! `set_encoding` all work through the layer. Writes made before the handshake is done are
//! queued and sent after it. Failures carry Node's codes and messages
//! (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, `CERT_HAS_EXPIRED`, ...).
//!
//! ```
//! use nodenet::prelude::*;
//! use nodenet::tls;
//!
//! let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
//! let (key, cert) = (cert.key_pair.serialize_pem(), cert.cert.pem());
//! let server = tls::create_server(tls::ServerOptions::new(&key, &cert), |socket| {
//!     socket.on(Data, move |data| {
//!         socket.write(data);
//!     });
//! })
//! .unwrap();
//! server
//!     .listen((0, "127.0.0.1"), move || {
//!         let mut options = tls::ConnectOptions::new(server.address().unwrap().port, "localhost");
//!         options.ca = Some(cert.clone().into_bytes());
//!         let client = tls::connect(options, |socket| {
//!             socket.write("echo me");
//!         })
//!         .unwrap();
//!         client.on(Data, move |data| {
//!             assert_eq!(data.to_string(), "echo me");
//!             client.end();
//!             server.close(());
//!         });
//!     })
//!     .unwrap();
//! nodenet::run().unwrap();
//! ```
//!
//! The TLS events are typed like the others: a server's event on a socket, or a closure of the
//! wrong shape, does not compile.
//!
//! ```compile_fail
//! use nodenet::prelude::*;
//! let server = nodenet::net::create_server(|client| {
//!     client.on(SecureConnection, |socket| {}); // 'secureConnection' is a Server event
//! });
//! ```
//!
//! ```compile_fail
//! use nodenet::prelude::*;
//! let server = nodenet::net::create_server(|_| {});
//! server.on(TlsClientError, |err| {}); // 'tlsClientError' passes the error and the socket
//! ```
//!
//! ```compile_fail
//! use nodenet::prelude::*;
//! let server = nodenet::net::create_server(|client| {
//!     client.on(SecureConnect, |socket| {}); // 'secureConnect' passes nothing
//! });
//! ```

mod certificate;
mod client;
mod context;
pub(crate) mod errors;
mod events;
pub(crate) mod handshake;
pub(crate) mod layer;
mod server;
mod socket;
pub(crate) mod verify;
mod version;

pub use self::certificate::PeerCertificate;
pub use self::client::{connect, ConnectOptions};
pub use self::context::{create_secure_context, SecureContext, SecureContextOptions};
pub use self::server::{create_server, ServerOptions, SniCallback};
pub use self::socket::Cipher;
pub use self::verify::{check_server_identity, CheckServerIdentity};
pub use self::version::TlsVersion;

pub(crate) use self::handshake::{flush, read_pending, ready};
pub(crate) use self::layer::TlsLayer;
pub(crate) use self::server::{accepted, ServerSide};
