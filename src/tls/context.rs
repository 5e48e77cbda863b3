//! Node's `tls.createSecureContext`: a key and certificate chain (and trusted CAs) read from
//! PEM, ready for a handshake.

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::RootCertStore;

use crate::error::Error;
use crate::tls::errors::bad_option;

/// The crypto rustls uses: *ring*, which builds with a C compiler alone.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// PEM the options of [`create_secure_context`] take: Node's `key`, `cert` and `ca`.
///
/// ```
/// let options = nodenet::tls::SecureContextOptions::default();
/// assert!(options.key.is_none() && options.cert.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct SecureContextOptions {
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: Option<Vec<u8>>,
    /// The certificate chain, PEM, leaf first.
    pub cert: Option<Vec<u8>>,
}

/// A key and certificate ready for handshakes: Node's `SecureContext`, for SNI
/// ([`ServerOptions::contexts`](super::ServerOptions::contexts), `sni_callback`).
///
/// ```
/// use nodenet::tls::{self, SecureContextOptions};
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
/// let context = tls::create_secure_context(SecureContextOptions {
///     key: Some(cert.key_pair.serialize_pem().into_bytes()),
///     cert: Some(cert.cert.pem().into_bytes()),
/// });
/// assert!(context.is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct SecureContext {
    pub(crate) key: Option<Arc<CertifiedKey>>,
}

/// Node's `tls.createSecureContext(options)`: reads the PEM now, so a bad key is an error here
/// rather than in every handshake.
///
/// ```
/// use nodenet::tls::{self, SecureContextOptions};
/// let err = tls::create_secure_context(SecureContextOptions {
///     key: Some(b"not a key".to_vec()),
///     cert: Some(b"not a cert".to_vec()),
/// })
/// .unwrap_err();
/// assert_eq!(err.code(), Some("ERR_OSSL_PEM_NO_START_LINE"));
/// ```
pub fn create_secure_context(options: SecureContextOptions) -> Result<SecureContext, Error> {
    let key = match (&options.key, &options.cert) {
        (Some(key), Some(cert)) => Some(certified_key(key, cert)?),
        (None, None) => None,
        _ => {
            return Err(bad_option(
                "ERR_TLS_KEY_CERT_MISMATCH",
                "key and cert must be given together",
            ))
        }
    };
    Ok(SecureContext { key })
}

pub(crate) fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|err| bad_option("ERR_OSSL_PEM_BAD_BASE64_DECODE", err.to_string()))?;
    if certs.is_empty() {
        return Err(bad_option(
            "ERR_OSSL_PEM_NO_START_LINE",
            "error:0480006C:PEM routines::no start line",
        ));
    }
    Ok(certs)
}

pub(crate) fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, Error> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|_| {
        bad_option(
            "ERR_OSSL_PEM_NO_START_LINE",
            "error:0480006C:PEM routines::no start line",
        )
    })
}

pub(crate) fn certified_key(key: &[u8], cert: &[u8]) -> Result<Arc<CertifiedKey>, Error> {
    let key = private_key(key)?;
    let certs = certificates(cert)?;
    let signing = provider()
        .key_provider
        .load_private_key(key)
        .map_err(|err| bad_option("ERR_OSSL_UNSUPPORTED", err.to_string()))?;
    let certified = CertifiedKey::new(certs, signing);
    if let Err(err) = certified.keys_match() {
        if !matches!(
            err,
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)
        ) {
            return Err(bad_option(
                "ERR_OSSL_X509_KEY_VALUES_MISMATCH",
                "error:05800074:x509 certificate routines::key values mismatch",
            ));
        }
    }
    Ok(Arc::new(certified))
}

/// The trust anchors: the given CA certificates, else the Mozilla roots.
pub(crate) fn roots(ca: Option<&[CertificateDer<'static>]>) -> Arc<RootCertStore> {
    let mut store = RootCertStore::empty();
    match ca {
        Some(ca) => {
            for cert in ca {
                if let Err(err) = store.add(cert.clone()) {
                    log::warn!("a CA certificate was not usable: {err}");
                }
            }
        }
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Arc::new(store)
}
