//! Node's `tls.createServer(options, secureConnectionListener)`: a net server whose accepted
//! sockets carry a TLS layer in server mode, with SNI, ALPN, client certificates and the
//! handshake timeout.

use std::rc::Rc;
use std::sync::{Arc, Mutex};

use rustls::server::danger::ClientCertVerifier;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::error::Error;
use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::net::socket_state::SocketState;
use crate::net::{self, Server, Socket};
use crate::runtime::core::{with_core, Core};
use crate::tls::context::{self, certified_key, provider, SecureContext};
use crate::tls::errors::{bad_option, no_protocols};
use crate::tls::layer::{Role, TlsLayer};
use crate::tls::verify::Deferred;
use crate::tls::version::{self, TlsVersion};

/// Node's `SNICallback`, made synchronous: the context for a server name, or `None` for the
/// server's own. rustls calls it inside the handshake, while the loop's state is in use: it
/// must not call into nodenet (being `Send + Sync`, it cannot hold a handle anyway); a call that
/// tries is refused and logged.
pub type SniCallback = Arc<dyn Fn(&str) -> Option<SecureContext> + Send + Sync>;

/// Node's `tls.createServer` options: the net server options and the TLS ones.
///
/// ```
/// use nodenet::tls::ServerOptions;
/// let options = ServerOptions::new("key pem", "cert pem");
/// assert_eq!(options.handshake_timeout, 120_000);
/// assert!(options.reject_unauthorized && !options.request_cert);
/// ```
#[derive(Clone)]
pub struct ServerOptions {
    /// Node's `net.createServer` options (`allow_half_open`, `pause_on_connect`, ...).
    pub net: net::ServerOptions,
    /// The private key, PEM.
    pub key: Vec<u8>,
    /// The certificate chain, PEM, leaf first.
    pub cert: Vec<u8>,
    /// CAs trusted for client certificates, PEM; `None` trusts the Mozilla roots.
    pub ca: Option<Vec<u8>>,
    /// Ask clients for a certificate (Node's `requestCert`).
    pub request_cert: bool,
    /// With `request_cert`: a client without a certificate fails the handshake, and one whose
    /// certificate does not verify is closed (Node's `rejectUnauthorized`, default true).
    pub reject_unauthorized: bool,
    /// ALPN protocols the server speaks, in order of preference (Node's `ALPNProtocols`).
    pub alpn_protocols: Vec<String>,
    /// Contexts by server name for SNI (Node's `server.addContext(hostname, context)`);
    /// `*.example.com` matches one label.
    pub contexts: Vec<(String, SecureContext)>,
    /// Node's `SNICallback`, asked when no entry of `contexts` matches.
    pub sni_callback: Option<SniCallback>,
    /// Milliseconds a handshake may take before `'tlsClientError'` with
    /// `ERR_TLS_HANDSHAKE_TIMEOUT` (Node's `handshakeTimeout`, default 120 s); 0 for none.
    pub handshake_timeout: u64,
    /// The lowest version accepted (Node's `minVersion`); `None` is TLS 1.2, Node's default.
    pub min_version: Option<TlsVersion>,
    /// The highest version accepted (Node's `maxVersion`); `None` is TLS 1.3, Node's default.
    pub max_version: Option<TlsVersion>,
}

impl ServerOptions {
    /// Node's defaults, with the key and certificate PEM.
    ///
    /// ```
    /// let options = nodenet::tls::ServerOptions::new(b"key".to_vec(), b"cert".to_vec());
    /// assert!(options.alpn_protocols.is_empty());
    /// ```
    pub fn new(key: impl AsRef<[u8]>, cert: impl AsRef<[u8]>) -> ServerOptions {
        ServerOptions {
            net: net::ServerOptions::default(),
            key: key.as_ref().to_vec(),
            cert: cert.as_ref().to_vec(),
            ca: None,
            request_cert: false,
            reject_unauthorized: true,
            alpn_protocols: Vec::new(),
            contexts: Vec::new(),
            sni_callback: None,
            handshake_timeout: 120_000,
            min_version: None,
            max_version: None,
        }
    }
}

/// What a TLS server's accepted sockets share.
pub(crate) struct ServerSide {
    config: Arc<rustls::ServerConfig>,
    pub(crate) handshake_timeout: u64,
    pub(crate) request_cert: bool,
    pub(crate) reject_unauthorized: bool,
    /// Judges client certificates after the handshake.
    pub(crate) client_roots: Option<Arc<dyn ClientCertVerifier>>,
    resolver: Arc<Sni>,
}

/// Picks the certificate by the client's server name: the contexts, then the callback, then
/// the server's own.
#[derive(Debug)]
struct Sni {
    default: Arc<CertifiedKey>,
    contexts: Mutex<Vec<(String, Arc<CertifiedKey>)>>,
    #[allow(clippy::type_complexity)]
    callback: Option<CallbackBox>,
}

struct CallbackBox(SniCallback);

impl std::fmt::Debug for CallbackBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SNICallback")
    }
}

impl ResolvesServerCert for Sni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let Some(name) = hello.server_name() else {
            return Some(self.default.clone());
        };
        let name = name.to_ascii_lowercase();
        if let Ok(contexts) = self.contexts.lock() {
            // Node searches the most recently added context first.
            for (pattern, key) in contexts.iter().rev() {
                if sni_matches(pattern, &name) {
                    return Some(key.clone());
                }
            }
        }
        if let Some(CallbackBox(callback)) = &self.callback {
            if let Some(key) = callback(&name).and_then(|context| context.key) {
                return Some(key);
            }
        }
        Some(self.default.clone())
    }
}

/// Node's `addContext` patterns: exact, or `*` standing for one label.
fn sni_matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => name
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => pattern == name,
    }
}

/// Makes a TLS server: Node's `tls.createServer(options, secureConnectionListener)`. The
/// listener runs on `'secureConnection'`, once a client's handshake is done. Unreadable PEM
/// is returned as an error, as Node throws it.
///
/// The server is a [`Server`]: `listen`, `close`, `address`, `'listening'`, `'connection'`
/// (with the socket before its handshake) and the rest, plus `'secureConnection'` and
/// `'tlsClientError'`. A handshake that fails is reported by `'tlsClientError'` and closes
/// only that socket.
///
/// ```
/// use nodenet::prelude::*;
/// use nodenet::tls;
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
/// let options = tls::ServerOptions::new(cert.key_pair.serialize_pem(), cert.cert.pem());
/// let server = tls::create_server(options, |socket| {
///     socket.on(Data, move |data| {
///         socket.write(data);
///     });
/// })
/// .unwrap();
/// server.listen((0, "127.0.0.1"), ()).unwrap();
/// server.close(());
/// nodenet::run().unwrap();
/// ```
pub fn create_server(
    options: ServerOptions,
    secure_connection_listener: impl FnMut(Socket) + 'static,
) -> Result<Server, Error> {
    let side = server_side(&options)?;
    let server = Server::create(options.net.clone());
    with_core(|core| {
        if let Some(state) = core.server(server.id()) {
            state.tls = Some(Rc::new(side));
        }
    });
    server.on(crate::event::SecureConnection, secure_connection_listener);
    Ok(server)
}

fn server_side(options: &ServerOptions) -> Result<ServerSide, Error> {
    let default = certified_key(&options.key, &options.cert)?;
    let mut contexts = Vec::new();
    for (name, context) in &options.contexts {
        if let Some(key) = &context.key {
            contexts.push((name.clone(), key.clone()));
        }
    }
    let resolver = Arc::new(Sni {
        default,
        contexts: Mutex::new(contexts),
        callback: options.sni_callback.clone().map(CallbackBox),
    });
    let versions = version::offered(options.min_version, options.max_version);
    if versions.is_empty() {
        return Err(no_protocols());
    }
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&versions)
        .map_err(|err| bad_option("ERR_TLS_INVALID_PROTOCOL_VERSION", err.to_string()))?;
    let (builder, client_roots) = if options.request_cert {
        let ca = options
            .ca
            .as_deref()
            .map(context::certificates)
            .transpose()?;
        let roots = context::roots(ca.as_deref());
        let verifier: Arc<dyn ClientCertVerifier> =
            rustls::server::WebPkiClientVerifier::builder_with_provider(roots, provider())
                .build()
                .map_err(|err| bad_option("ERR_TLS_INVALID_CA", err.to_string()))?;
        let deferred = Deferred {
            provider: provider(),
            mandatory: options.reject_unauthorized,
        };
        (
            builder.with_client_cert_verifier(Arc::new(deferred)),
            Some(verifier),
        )
    } else {
        (builder.with_no_client_auth(), None)
    };
    let mut config = builder.with_cert_resolver(resolver.clone());
    config.alpn_protocols = options
        .alpn_protocols
        .iter()
        .map(|protocol| protocol.as_bytes().to_vec())
        .collect();
    Ok(ServerSide {
        config: Arc::new(config),
        handshake_timeout: options.handshake_timeout,
        request_cert: options.request_cert,
        reject_unauthorized: options.reject_unauthorized,
        client_roots,
        resolver,
    })
}

/// Gives an accepted socket its TLS layer and a slot, and starts its handshake timeout.
pub(crate) fn accepted(
    core: &mut Core,
    mut state: SocketState,
    side: Rc<ServerSide>,
) -> Option<HandleId> {
    let conn = match rustls::ServerConnection::new(side.config.clone()) {
        Ok(conn) => conn,
        Err(err) => {
            log::warn!("cannot start a TLS handshake: {err}");
            return None;
        }
    };
    let timeout = side.handshake_timeout;
    state.tls = Some(Box::new(TlsLayer::new(
        rustls::Connection::Server(conn),
        Role::Server(side),
    )));
    let id = core.insert_io(Kind::Tls(Box::new(state)), true);
    if timeout > 0 {
        crate::tls::handshake::start_timer(core, id, timeout);
    }
    Some(id)
}

impl Server {
    /// Adds a context for SNI: clients asking for `hostname` (`*.example.com` for one label)
    /// get its certificate. Node's `server.addContext(hostname, context)`; does nothing on a
    /// server that is not a TLS server.
    ///
    /// ```
    /// use nodenet::tls::{self, SecureContextOptions};
    /// let a = rcgen::generate_simple_self_signed(vec!["a.test".into()]).unwrap();
    /// let b = rcgen::generate_simple_self_signed(vec!["b.test".into()]).unwrap();
    /// let server =
    ///     tls::create_server(tls::ServerOptions::new(a.key_pair.serialize_pem(), a.cert.pem()), |_| {})
    ///         .unwrap();
    /// let context = tls::create_secure_context(SecureContextOptions {
    ///     key: Some(b.key_pair.serialize_pem().into_bytes()),
    ///     cert: Some(b.cert.pem().into_bytes()),
    /// })
    /// .unwrap();
    /// server.add_context("b.test", context);
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn add_context(self, hostname: &str, context: SecureContext) -> Server {
        let resolver = with_core(|core| {
            let state = core.server(self.id())?;
            state.tls.as_ref().map(|side| side.resolver.clone())
        })
        .flatten();
        if let (Some(resolver), Some(key)) = (resolver, context.key) {
            if let Ok(mut contexts) = resolver.contexts.lock() {
                contexts.push((hostname.to_string(), key));
            }
        }
        self
    }
}
