//! Node's `tls.connect(options, secureConnectListener)`: a net connect whose socket carries a
//! TLS layer in client mode.

use std::rc::Rc;
use std::sync::Arc;

use rustls::pki_types::ServerName;

use crate::error::Error;
use crate::event::{Callback as StoredCallback, Listener};
use crate::net::{self, Socket};
use crate::runtime::core::with_core;
use crate::runtime::emit;
use crate::tls::context::{self, certificates, certified_key, provider};
use crate::tls::errors::{bad_option, no_protocols};
use crate::tls::layer::{Role, TlsLayer};
use crate::tls::verify::{CheckServerIdentity, Deferred};
use crate::tls::version::{self, TlsVersion};

/// Node's `tls.connect` options: the net options (`port`, `host`, `allow_half_open`, ...) and
/// the TLS ones.
///
/// ```
/// use nodenet::tls::ConnectOptions;
/// let options = ConnectOptions::new(8443, "localhost");
/// assert!(options.reject_unauthorized);
/// assert_eq!(options.net.host, "localhost");
/// ```
#[derive(Clone)]
pub struct ConnectOptions {
    /// Where to connect and how: Node's `net.connect` options.
    pub net: net::ConnectOptions,
    /// The SNI name and the name the certificate must match; defaults to `host` (no SNI is
    /// sent for an IP address, as in Node).
    pub servername: Option<String>,
    /// Trusted CA certificates, PEM; `None` trusts the Mozilla roots.
    pub ca: Option<Vec<u8>>,
    /// A client certificate's private key, PEM (with `cert`).
    pub key: Option<Vec<u8>>,
    /// A client certificate chain, PEM (with `key`).
    pub cert: Option<Vec<u8>>,
    /// Destroy the socket with the verification error (default), rather than connect with
    /// `authorized() == false`.
    pub reject_unauthorized: bool,
    /// ALPN protocols to offer, in order of preference (Node's `ALPNProtocols`).
    pub alpn_protocols: Vec<String>,
    /// Node's `checkServerIdentity`; `None` is [`check_server_identity`](super::check_server_identity).
    pub check_server_identity: Option<CheckServerIdentity>,
    /// The lowest version offered (Node's `minVersion`); `None` is TLS 1.2, Node's default.
    pub min_version: Option<TlsVersion>,
    /// The highest version offered (Node's `maxVersion`); `None` is TLS 1.3, Node's default.
    pub max_version: Option<TlsVersion>,
}

impl ConnectOptions {
    /// Node's defaults for `host:port`.
    ///
    /// ```
    /// let options = nodenet::tls::ConnectOptions::new(443, "example.test");
    /// assert!(options.servername.is_none() && options.alpn_protocols.is_empty());
    /// ```
    pub fn new(port: u16, host: &str) -> ConnectOptions {
        ConnectOptions {
            net: net::ConnectOptions::new(port, host),
            servername: None,
            ca: None,
            key: None,
            cert: None,
            reject_unauthorized: true,
            alpn_protocols: Vec::new(),
            check_server_identity: None,
            min_version: None,
            max_version: None,
        }
    }
}

/// What a client socket needs once its handshake is done: how to judge the server.
pub(crate) struct ClientSide {
    pub(crate) roots: Arc<rustls::client::WebPkiServerVerifier>,
    pub(crate) server_name: ServerName<'static>,
    /// The name `checkServerIdentity` is given: `servername`, else `host`.
    pub(crate) hostname: String,
    pub(crate) reject_unauthorized: bool,
    pub(crate) check_server_identity: Option<CheckServerIdentity>,
}

/// Connects with TLS: Node's `tls.connect(options, secureConnectListener)`. The listener runs
/// on `'secureConnect'`, with the socket. Errors in the options (unreadable PEM) are returned
/// here, as Node throws them; connection and handshake failures arrive as `'error'`.
///
/// The socket is a [`Socket`]: everything a net socket does, plus `'secureConnect'` and the
/// TLS getters. `'connect'` and `'ready'` come when TCP is up; writes made before
/// `'secureConnect'` are queued and sent once the handshake is done.
///
/// ```
/// use nodenet::prelude::*;
/// use nodenet::tls;
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
/// let (key, cert) = (cert.key_pair.serialize_pem(), cert.cert.pem());
/// let server = tls::create_server(tls::ServerOptions::new(&key, &cert), |socket| {
///     socket.end_with("hello over TLS");
/// })
/// .unwrap();
/// server
///     .listen((0, "127.0.0.1"), move || {
///         let mut options = tls::ConnectOptions::new(server.address().unwrap().port, "127.0.0.1");
///         options.servername = Some("localhost".into());
///         options.ca = Some(cert.clone().into_bytes());
///         let client = tls::connect(options, |socket| {
///             assert!(socket.authorized());
///             assert_eq!(socket.get_protocol().as_deref(), Some("TLSv1.3"));
///         })
///         .unwrap();
///         client.on(Data, |data| assert_eq!(data.to_string(), "hello over TLS"));
///         client.on(Close, move |_| {
///             server.close(());
///         });
///     })
///     .unwrap();
/// nodenet::run().unwrap();
/// ```
pub fn connect(
    mut options: ConnectOptions,
    secure_connect_listener: impl FnOnce(Socket) + 'static,
) -> Result<Socket, Error> {
    if options.net.host.is_empty() && options.net.path.is_none() {
        // Node's default host.
        options.net.host = "localhost".to_string();
    }
    let host = options.net.host.clone();
    let hostname = options
        .servername
        .clone()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| {
            if host.is_empty() {
                "localhost".to_string()
            } else {
                host.clone()
            }
        });
    let server_name = match hostname.parse::<std::net::IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => ServerName::try_from(hostname.clone()).map_err(|_| {
            bad_option(
                "ERR_INVALID_ARG_VALUE",
                format!("The argument 'servername' is invalid. Received '{hostname}'"),
            )
        })?,
    };
    let ca = options.ca.as_deref().map(certificates).transpose()?;
    let roots = context::roots(ca.as_deref());
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider())
        .build()
        .map_err(|err| bad_option("ERR_TLS_INVALID_CA", err.to_string()))?;
    let versions = version::offered(options.min_version, options.max_version);
    if versions.is_empty() {
        return Err(no_protocols());
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&versions)
        .map_err(|err| bad_option("ERR_TLS_INVALID_PROTOCOL_VERSION", err.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Deferred {
            provider: provider(),
            mandatory: false,
        }));
    let mut config = match (&options.key, &options.cert) {
        (Some(key), Some(cert)) => {
            let certified = certified_key(key, cert)?;
            builder
                .with_client_auth_cert(certified.cert.clone(), context::private_key(key)?)
                .map_err(|err| bad_option("ERR_OSSL_UNSUPPORTED", err.to_string()))?
        }
        _ => builder.with_no_client_auth(),
    };
    config.alpn_protocols = options
        .alpn_protocols
        .iter()
        .map(|protocol| protocol.as_bytes().to_vec())
        .collect();
    // Node sends no SNI for an IP address; rustls sends none for ServerName::IpAddress.
    let conn = rustls::ClientConnection::new(Arc::new(config), server_name.clone())
        .map_err(|err| bad_option("ERR_TLS_INVALID_STATE", err.to_string()))?;
    let side = Rc::new(ClientSide {
        roots: verifier,
        server_name,
        hostname,
        reject_unauthorized: options.reject_unauthorized,
        check_server_identity: options.check_server_identity.clone(),
    });
    let layer = TlsLayer::new(rustls::Connection::Client(conn), Role::Client(side));
    let id = with_core(|core| {
        let mut state = crate::net::socket_state::SocketState::connecting();
        state.tls = Some(Box::new(layer));
        core.insert_io(crate::kinds::Kind::Tls(Box::new(state)), true)
    })
    .unwrap_or(crate::handle::HandleId::new(usize::MAX, 0));
    let socket = Socket::from_id(id);
    let mut listener = Some(secure_connect_listener);
    let listener = Listener(StoredCallback::Unit(Rc::new(std::cell::RefCell::new(
        move || {
            if let Some(listener) = listener.take() {
                listener(socket);
            }
        },
    ))));
    emit::add(id, "secureConnect", listener, true, false);
    crate::net::connect::begin(socket, options.net);
    Ok(socket)
}
