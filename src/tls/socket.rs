//! What a TLS socket adds to [`Socket`]: Node's `TLSSocket` getters (`authorized`,
//! `authorizationError`, `getPeerCertificate()`, `alpnProtocol`, `getProtocol()`,
//! `getCipher()`, `servername`, `encrypted`). On a plain socket they answer as Node's
//! `net.Socket` would not have them: `false` or `None`.

use crate::net::Socket;
use crate::runtime::core::with_core;
use crate::tls::certificate::PeerCertificate;
use crate::tls::TlsLayer;

/// A negotiated cipher suite: Node's `getCipher()` object.
///
/// ```
/// let cipher = nodenet::tls::Cipher {
///     name: "TLS_AES_256_GCM_SHA384".into(),
///     standard_name: "TLS_AES_256_GCM_SHA384".into(),
///     version: "TLSv1.3".into(),
/// };
/// assert_eq!(cipher.version, "TLSv1.3");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cipher {
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`), as Node reports it.
    pub name: String,
    /// The IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub standard_name: String,
    /// The protocol the suite belongs to (`TLSv1.3`, or `TLSv1.2`).
    pub version: String,
}

fn with_tls<R>(socket: Socket, f: impl FnOnce(&TlsLayer) -> Option<R>) -> Option<R> {
    with_core(|core| f(core.socket(socket.id())?.tls.as_deref()?)).flatten()
}

/// As [`with_tls`], for what Node reads from the live handle: nothing once it is destroyed.
fn with_open_tls<R>(socket: Socket, f: impl FnOnce(&TlsLayer) -> Option<R>) -> Option<R> {
    with_core(|core| {
        let state = core.socket(socket.id())?;
        if state.is_closed() {
            return None;
        }
        f(state.tls.as_deref()?)
    })
    .flatten()
}

impl Socket {
    /// Whether the socket is a TLS socket: Node's `tlsSocket.encrypted`.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|client| assert!(!client.encrypted()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn encrypted(self) -> bool {
        with_tls(self, |_| Some(())).is_some()
    }

    /// Whether the peer's certificate verified: Node's `tlsSocket.authorized`. A client is
    /// authorized when the chain verified against its CAs and the certificate names the host;
    /// a server's socket, when the client's certificate (asked with `request_cert`) verified.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|client| assert!(!client.authorized()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn authorized(self) -> bool {
        with_tls(self, |tls| Some(tls.verification.authorized)).unwrap_or(false)
    }

    /// Why the peer's certificate did not verify, as Node's `tlsSocket.authorizationError`:
    /// the code, such as `DEPTH_ZERO_SELF_SIGNED_CERT` or `ERR_TLS_CERT_ALTNAME_INVALID`.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|client| assert!(client.authorization_error().is_none()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn authorization_error(self) -> Option<String> {
        with_tls(self, |tls| {
            let error = tls.verification.error.as_ref()?;
            Some(error.code().unwrap_or(error.message()).to_string())
        })
    }

    /// The peer's certificate: Node's `tlsSocket.getPeerCertificate()`; `None` before the
    /// handshake, when the peer sent none, or on a plain socket.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|client| assert!(client.get_peer_certificate().is_none()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn get_peer_certificate(self) -> Option<PeerCertificate> {
        with_open_tls(self, |tls| {
            let chain = tls.conn.peer_certificates()?;
            PeerCertificate::from_der(chain.first()?)
        })
    }

    /// The protocol ALPN settled on: Node's `tlsSocket.alpnProtocol` (`None` where Node has
    /// `false`).
    ///
    /// ```
    /// let server = nodenet::net::create_server(|client| assert!(client.alpn_protocol().is_none()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn alpn_protocol(self) -> Option<String> {
        with_open_tls(self, |tls| {
            Some(String::from_utf8_lossy(tls.conn.alpn_protocol()?).into_owned())
        })
    }

    /// The TLS version in use: Node's `tlsSocket.getProtocol()`, `TLSv1.3` or `TLSv1.2`.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|client| assert!(client.get_protocol().is_none()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn get_protocol(self) -> Option<String> {
        with_open_tls(self, |tls| {
            let name = match tls.conn.protocol_version()? {
                rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
                rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
                _ => "unknown",
            };
            Some(name.to_string())
        })
    }

    /// The cipher suite in use: Node's `tlsSocket.getCipher()`.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|client| assert!(client.get_cipher().is_none()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn get_cipher(self) -> Option<Cipher> {
        with_open_tls(self, |tls| {
            let suite = tls.conn.negotiated_cipher_suite()?.suite();
            let standard_name = format!("{suite:?}");
            let (name, version) = openssl_name(&standard_name);
            Some(Cipher {
                name,
                standard_name: standard_name.replace("TLS13_", "TLS_"),
                version: version.to_string(),
            })
        })
    }

    /// The server name: on a server's socket, the SNI the client sent; on a client, the
    /// `servername` it asked for. Node's `tlsSocket.servername`.
    ///
    /// ```
    /// let server = nodenet::net::create_server(|client| assert!(client.servername().is_none()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn servername(self) -> Option<String> {
        with_tls(self, |tls| match (&tls.conn, &tls.role) {
            (rustls::Connection::Server(conn), _) => conn.server_name().map(str::to_string),
            (_, crate::tls::layer::Role::Client(side)) => match &side.server_name {
                rustls::pki_types::ServerName::DnsName(name) => Some(name.as_ref().to_string()),
                _ => None,
            },
            _ => None,
        })
    }
}

/// OpenSSL's name for a suite rustls names by its IANA name, and its protocol.
fn openssl_name(iana: &str) -> (String, &'static str) {
    if let Some(rest) = iana.strip_prefix("TLS13_") {
        return (format!("TLS_{rest}"), "TLSv1.3");
    }
    let name = match iana {
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => "ECDHE-RSA-CHACHA20-POLY1305",
        other => other,
    };
    (name.to_string(), "TLSv1.2")
}
