//! TLS failures in Node's words: the codes and messages Node's `tls` reports, where Node's
//! come from OpenSSL and ours from rustls.
//!
//! Certificate verification codes (`DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`, ...)
//! and Node's own (`ERR_TLS_CERT_ALTNAME_INVALID`, `ERR_TLS_HANDSHAKE_TIMEOUT`, the
//! `ECONNRESET`s of a handshake cut short) match Node's exactly. Protocol failures get
//! OpenSSL's `ERR_SSL_*` code for the same condition; their messages name the OpenSSL reason
//! without OpenSSL's error-queue prefix and source location.

use rustls::{AlertDescription, CertificateError, PeerIncompatible};

use crate::error::Error;
use crate::tls::certificate::PeerCertificate;

/// `ECONNRESET` when the connection closes before a client's handshake is done.
pub(crate) fn client_disconnected() -> Error {
    Error::with_code(
        "ECONNRESET",
        "Client network socket disconnected before secure TLS connection was established",
    )
}

/// `ECONNRESET` when a client hangs up on a server's handshake (reported by
/// `'tlsClientError'`).
pub(crate) fn hang_up() -> Error {
    Error::with_code("ECONNRESET", "socket hang up")
}

pub(crate) fn handshake_timeout() -> Error {
    Error::with_code("ERR_TLS_HANDSHAKE_TIMEOUT", "TLS handshake timeout")
}

/// A PEM or key that could not be used, as Node's secure context creation reports.
pub(crate) fn bad_option(code: &'static str, message: impl Into<String>) -> Error {
    Error::with_code(code, message)
}

/// The error a failed handshake or a bad record is reported with.
/// `min_version` above `max_version`: nothing to offer. Node finds out at the handshake, where
/// OpenSSL reports the same code; here the options are refused up front.
pub(crate) fn no_protocols() -> Error {
    Error::with_code(
        "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
        "SSL routines::no protocols available",
    )
}

pub(crate) fn from_rustls(err: &rustls::Error) -> Error {
    let (code, reason): (String, String) = match err {
        rustls::Error::AlertReceived(alert) => alert_received(*alert),
        rustls::Error::NoApplicationProtocol => (
            "ERR_SSL_NO_APPLICATION_PROTOCOL".into(),
            "no application protocol".into(),
        ),
        rustls::Error::NoCertificatesPresented => (
            "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE".into(),
            "peer did not return a certificate".into(),
        ),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => (
            "ERR_SSL_WRONG_VERSION_NUMBER".into(),
            "wrong version number".into(),
        ),
        rustls::Error::DecryptError => (
            "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC".into(),
            "decryption failed or bad record mac".into(),
        ),
        // No version in common: OpenSSL's server says so in these words.
        rustls::Error::PeerIncompatible(
            PeerIncompatible::SupportedVersionsExtensionRequired
            | PeerIncompatible::Tls12NotOffered
            | PeerIncompatible::Tls12NotOfferedOrEnabled
            | PeerIncompatible::Tls13RequiredForQuic
            | PeerIncompatible::ServerDoesNotSupportTls12Or13,
        ) => (
            "ERR_SSL_UNSUPPORTED_PROTOCOL".into(),
            "unsupported protocol".into(),
        ),
        rustls::Error::PeerIncompatible(_) => {
            ("ERR_SSL_NO_SHARED_CIPHER".into(), "no shared cipher".into())
        }
        rustls::Error::InvalidCertificate(_) => (
            "ERR_SSL_CERTIFICATE_VERIFY_FAILED".into(),
            "certificate verify failed".into(),
        ),
        other => (
            "ERR_SSL_SSL_HANDSHAKE_FAILURE".into(),
            format!("ssl handshake failure ({other})"),
        ),
    };
    Error::with_code(code, format!("SSL routines::{reason}"))
}

/// OpenSSL's code and reason for an alert the peer sent: `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`.
fn alert_received(alert: AlertDescription) -> (String, String) {
    let (version, name) = match alert {
        AlertDescription::HandshakeFailure => ("sslv3", "handshake failure"),
        AlertDescription::BadCertificate => ("sslv3", "bad certificate"),
        AlertDescription::UnsupportedCertificate => ("sslv3", "unsupported certificate"),
        AlertDescription::CertificateRevoked => ("sslv3", "certificate revoked"),
        AlertDescription::CertificateExpired => ("sslv3", "certificate expired"),
        AlertDescription::CertificateUnknown => ("sslv3", "certificate unknown"),
        AlertDescription::UnknownCA => ("tlsv1", "unknown ca"),
        AlertDescription::AccessDenied => ("tlsv1", "access denied"),
        AlertDescription::DecodeError => ("tlsv1", "decode error"),
        AlertDescription::DecryptError => ("tlsv1", "decrypt error"),
        AlertDescription::ProtocolVersion => ("tlsv1", "protocol version"),
        AlertDescription::InternalError => ("tlsv1", "internal error"),
        AlertDescription::NoApplicationProtocol => ("tlsv1", "no application protocol"),
        AlertDescription::UnrecognisedName => ("tlsv1", "unrecognized name"),
        AlertDescription::CertificateRequired => ("tlsv13", "certificate required"),
        AlertDescription::IllegalParameter => ("sslv3", "illegal parameter"),
        AlertDescription::UnexpectedMessage => ("sslv3", "unexpected message"),
        AlertDescription::BadRecordMac => ("sslv3", "bad record mac"),
        _ => ("tlsv1", "alert"),
    };
    let reason = if name == "unrecognized name" {
        format!("{version} {name}")
    } else {
        format!("{version} alert {name}")
    };
    let code = format!("ERR_SSL_{}", reason.to_uppercase().replace([' ', '-'], "_"));
    (code, reason)
}

/// OpenSSL's verification code and message for a chain that did not verify, as Node puts them
/// in `authorizationError` or the `'error'` of a client that rejects it.
pub(crate) fn certificate(err: &rustls::Error, chain: &[PeerCertificate]) -> Error {
    let (code, message) = match err {
        rustls::Error::InvalidCertificate(error) => match error {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                ("CERT_HAS_EXPIRED", "certificate has expired")
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                ("CERT_NOT_YET_VALID", "certificate is not yet valid")
            }
            CertificateError::BadSignature => {
                ("CERT_SIGNATURE_FAILURE", "certificate signature failure")
            }
            CertificateError::Revoked => ("CERT_REVOKED", "certificate revoked"),
            _ => unknown_issuer(chain),
        },
        _ => unknown_issuer(chain),
    };
    Error::with_code(code, message)
}

/// What OpenSSL says for a chain it could not anchor, which depends on its shape.
fn unknown_issuer(chain: &[PeerCertificate]) -> (&'static str, &'static str) {
    match chain {
        [leaf] if leaf.self_issued() => ("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"),
        [_] | [] => (
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            "unable to verify the first certificate",
        ),
        [_, rest @ ..] if rest.iter().any(|cert| cert.self_issued()) => (
            "SELF_SIGNED_CERT_IN_CHAIN",
            "self-signed certificate in certificate chain",
        ),
        _ => (
            "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
            "unable to get local issuer certificate",
        ),
    }
}
