//! Verifying the peer's certificate as Node does: after the handshake, not during it.
//!
//! Node lets OpenSSL finish the handshake whatever the chain, then looks at the result in
//! `onConnectSecure` (client) and `onServerSocketSecure` (server): it sets `authorized` and
//! `authorizationError`, runs `checkServerIdentity`, and destroys the socket only when
//! `rejectUnauthorized` says so. The verifiers rustls calls during the handshake therefore
//! check only the handshake signatures, and [`verify_server`]/[`verify_client`] judge the chain
//! afterwards with webpki, in Node's words.

use std::net::IpAddr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use crate::error::Error;
use crate::tls::certificate::PeerCertificate;
use crate::tls::errors;

/// Node's `authorized` and `authorizationError`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Verification {
    pub(crate) authorized: bool,
    pub(crate) error: Option<Error>,
}

/// Node's `checkServerIdentity(hostname, cert)`: `None` when the certificate names the host.
pub type CheckServerIdentity = std::rc::Rc<dyn Fn(&str, &PeerCertificate) -> Option<Error>>;

/// Accepts any chain during the handshake but checks the handshake's signatures; the chain is
/// judged afterwards.
#[derive(Debug)]
pub(crate) struct Deferred {
    pub(crate) provider: Arc<CryptoProvider>,
    /// Client certificates: ask for one, and whether the handshake fails without one.
    pub(crate) mandatory: bool,
}

impl Deferred {
    fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

impl ServerCertVerifier for Deferred {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

impl ClientCertVerifier for Deferred {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

fn parsed(chain: &[CertificateDer<'_>]) -> Vec<PeerCertificate> {
    chain
        .iter()
        .filter_map(|cert| PeerCertificate::from_der(cert))
        .collect()
}

/// The client's judgement of the server's chain and name, as Node's `onConnectSecure`.
pub(crate) fn verify_server(
    chain: Option<&[CertificateDer<'static>]>,
    roots: &Arc<rustls::client::WebPkiServerVerifier>,
    server_name: &ServerName<'static>,
    hostname: &str,
    check: Option<&CheckServerIdentity>,
) -> Verification {
    let Some((leaf, intermediates)) = chain.and_then(|chain| chain.split_first()) else {
        return rejected(Error::with_code(
            "UNABLE_TO_GET_ISSUER_CERT",
            "unable to get issuer certificate",
        ));
    };
    let certs = parsed(chain.unwrap_or_default());
    match roots.verify_server_cert(leaf, intermediates, server_name, &[], UnixTime::now()) {
        Ok(_) => {}
        Err(rustls::Error::InvalidCertificate(
            rustls::CertificateError::NotValidForName
            | rustls::CertificateError::NotValidForNameContext { .. },
        )) => {}
        Err(err) => return rejected(errors::certificate(&err, &certs)),
    }
    let Some(cert) = certs.first() else {
        return rejected(Error::with_code(
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            "unable to verify the first certificate",
        ));
    };
    let identity = match check {
        Some(check) => check(hostname, cert),
        None => check_server_identity(hostname, cert),
    };
    match identity {
        Some(error) => rejected(error),
        None => Verification {
            authorized: true,
            error: None,
        },
    }
}

/// The server's judgement of a client certificate, as Node's `onServerSocketSecure`.
pub(crate) fn verify_client(
    chain: Option<&[CertificateDer<'static>]>,
    roots: &Arc<dyn ClientCertVerifier>,
) -> Verification {
    let Some((leaf, intermediates)) = chain.and_then(|chain| chain.split_first()) else {
        return rejected(Error::with_code(
            "UNABLE_TO_GET_ISSUER_CERT",
            "unable to get issuer certificate",
        ));
    };
    match roots.verify_client_cert(leaf, intermediates, UnixTime::now()) {
        Ok(_) => Verification {
            authorized: true,
            error: None,
        },
        Err(err) => rejected(errors::certificate(
            &err,
            &parsed(chain.unwrap_or_default()),
        )),
    }
}

fn rejected(error: Error) -> Verification {
    Verification {
        authorized: false,
        error: Some(error),
    }
}

/// Node's default `tls.checkServerIdentity(hostname, cert)`: `None` if the certificate is
/// valid for `hostname`, else Node's `ERR_TLS_CERT_ALTNAME_INVALID`.
///
/// ```
/// use nodenet::tls::{check_server_identity, PeerCertificate};
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
/// let cert = PeerCertificate::from_der(cert.cert.der()).unwrap();
/// assert!(check_server_identity("localhost", &cert).is_none());
/// let err = check_server_identity("example.com", &cert).unwrap();
/// assert_eq!(err.code(), Some("ERR_TLS_CERT_ALTNAME_INVALID"));
/// assert_eq!(
///     err.message(),
///     "Hostname/IP does not match certificate's altnames: \
///      Host: example.com. is not in the cert's altnames: DNS:localhost"
/// );
/// ```
pub fn check_server_identity(hostname: &str, cert: &PeerCertificate) -> Option<Error> {
    let hostname = hostname.strip_suffix('.').unwrap_or(hostname);
    let (mut dns_names, mut ips) = (Vec::new(), Vec::new());
    for name in cert.subjectaltname.split(", ") {
        if let Some(dns) = name.strip_prefix("DNS:") {
            dns_names.push(dns);
        } else if let Some(ip) = name.strip_prefix("IP Address:") {
            ips.push(canonical_ip(ip));
        }
    }
    let common_names: Vec<&str> = cert
        .subject
        .iter()
        .filter(|(key, _)| key == "CN")
        .map(|(_, value)| value.as_str())
        .collect();
    let reason = if let Ok(ip) = hostname.parse::<IpAddr>() {
        if ips.contains(&ip.to_string()) {
            return None;
        }
        format!(
            "IP: {hostname} is not in the cert's list: {}",
            ips.join(", ")
        )
    } else if !dns_names.is_empty() {
        let host: Vec<String> = split_host(hostname);
        if dns_names.iter().any(|name| matches(&host, name)) {
            return None;
        }
        format!(
            "Host: {hostname}. is not in the cert's altnames: {}",
            cert.subjectaltname
        )
    } else if !common_names.is_empty() {
        let host: Vec<String> = split_host(hostname);
        if common_names.iter().any(|cn| matches(&host, cn)) {
            return None;
        }
        format!(
            "Host: {hostname}. is not cert's CN: {}",
            common_names.join(",")
        )
    } else {
        "Cert does not contain a DNS name".to_string()
    };
    Some(Error::with_code(
        "ERR_TLS_CERT_ALTNAME_INVALID",
        format!("Hostname/IP does not match certificate's altnames: {reason}"),
    ))
}

/// Node's `canonicalizeIP`: the address as `net` would print it.
fn canonical_ip(ip: &str) -> String {
    ip.parse::<IpAddr>()
        .map(|ip| ip.to_string())
        .unwrap_or_else(|_| ip.to_string())
}

fn split_host(host: &str) -> Vec<String> {
    let host = host.strip_suffix('.').unwrap_or(host);
    host.to_lowercase().split('.').map(str::to_string).collect()
}

/// Node's `check(hostParts, pattern, wildcards)`: a wildcard only in the leftmost label of a
/// pattern of three labels or more.
fn matches(host: &[String], pattern: &str) -> bool {
    let pattern = split_host(pattern);
    if pattern.len() != host.len() || pattern.iter().any(String::is_empty) {
        return false;
    }
    if pattern
        .iter()
        .any(|part| part.chars().any(|c| !('\u{21}'..='\u{7f}').contains(&c)))
    {
        return false;
    }
    if host[1..] != pattern[1..] {
        return false;
    }
    let (host_first, pattern_first) = (&host[0], &pattern[0]);
    let parts: Vec<&str> = pattern_first.split('*').collect();
    if parts.len() == 1 || pattern_first.contains("xn--") {
        return host_first == pattern_first;
    }
    if parts.len() > 2 || pattern.len() <= 2 {
        return false;
    }
    let (prefix, suffix) = (parts[0], parts[1]);
    prefix.len() + suffix.len() <= host_first.len()
        && host_first.starts_with(prefix)
        && host_first.ends_with(suffix)
}
