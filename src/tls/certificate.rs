//! A peer's certificate as Node's `tlsSocket.getPeerCertificate()` describes it: subject,
//! issuer, validity, SHA-256 fingerprint, subject alternative names, serial number.
//!
//! Read straight from the DER: the handful of X.509 fields Node reports need a few dozen lines
//! of DER walking, not a parser crate. A certificate this cannot read yields `None`, never a
//! panic.

use std::net::IpAddr;

/// A certificate, with the fields of Node's certificate object that nodenet reports.
///
/// ```
/// use nodenet::tls::PeerCertificate;
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
/// let parsed = PeerCertificate::from_der(cert.cert.der()).unwrap();
/// assert_eq!(parsed.subjectaltname, "DNS:localhost");
/// assert_eq!(parsed.fingerprint256.len(), 32 * 3 - 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerCertificate {
    /// The subject's attributes in order, by Node's short names (`CN`, `O`, `C`, ...).
    pub subject: Vec<(String, String)>,
    /// The issuer's attributes, as `subject`.
    pub issuer: Vec<(String, String)>,
    /// Node's `valid_from`: `Dec  3 22:46:05 2026 GMT`.
    pub valid_from: String,
    /// Node's `valid_to`.
    pub valid_to: String,
    /// SHA-256 of the DER, as colon-separated upper-case hex.
    pub fingerprint256: String,
    /// Node's `subjectaltname`: `DNS:localhost, IP Address:127.0.0.1`; empty if none.
    pub subjectaltname: String,
    /// The serial number, upper-case hex.
    pub serial_number: String,
    /// The certificate, DER-encoded (Node's `raw`).
    pub raw: Vec<u8>,
}

impl PeerCertificate {
    /// Reads a DER-encoded certificate; `None` if it is not one.
    ///
    /// ```
    /// assert!(nodenet::tls::PeerCertificate::from_der(b"not a certificate").is_none());
    /// ```
    pub fn from_der(der: &[u8]) -> Option<PeerCertificate> {
        let (certificate, _) = Der::read(der)?;
        let (tbs, _) = Der::read(certificate.body)?;
        let mut fields = tbs.body;
        let mut next = || -> Option<Der<'_>> {
            let (item, rest) = Der::read(fields)?;
            fields = rest;
            Some(item)
        };
        let mut item = next()?;
        if item.tag == 0xa0 {
            item = next()?;
        }
        let serial = item;
        let _algorithm = next()?;
        let issuer = next()?;
        let validity = next()?;
        let subject = next()?;
        let _key = next()?;
        let mut extensions = None;
        while let Some(item) = next() {
            if item.tag == 0xa3 {
                extensions = Some(item);
            }
        }
        let (not_before, rest) = Der::read(validity.body)?;
        let (not_after, _) = Der::read(rest)?;
        let subjectaltname = extensions
            .and_then(|extensions| alt_names(extensions.body))
            .unwrap_or_default();
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        Some(PeerCertificate {
            subject: names(subject.body)?,
            issuer: names(issuer.body)?,
            valid_from: time(&not_before)?,
            valid_to: time(&not_after)?,
            fingerprint256: hex(digest.as_ref(), ":"),
            subjectaltname,
            serial_number: hex(serial.body.strip_prefix(&[0]).unwrap_or(serial.body), ""),
            raw: der.to_vec(),
        })
    }

    /// The first value of a subject attribute, such as `CN`.
    ///
    /// ```
    /// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    /// let parsed = nodenet::tls::PeerCertificate::from_der(cert.cert.der()).unwrap();
    /// assert_eq!(parsed.subject_field("CN"), Some("rcgen self signed cert"));
    /// ```
    pub fn subject_field(&self, name: &str) -> Option<&str> {
        field(&self.subject, name)
    }

    /// The first value of an issuer attribute, such as `CN`.
    ///
    /// ```
    /// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    /// let parsed = nodenet::tls::PeerCertificate::from_der(cert.cert.der()).unwrap();
    /// assert_eq!(parsed.issuer_field("CN"), parsed.subject_field("CN"));
    /// ```
    pub fn issuer_field(&self, name: &str) -> Option<&str> {
        field(&self.issuer, name)
    }

    /// Issued by its own subject: the root of a chain, or a self-signed leaf.
    pub(crate) fn self_issued(&self) -> bool {
        self.issuer == self.subject
    }
}

fn field<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// One DER element: its tag and its contents.
struct Der<'a> {
    tag: u8,
    body: &'a [u8],
}

impl<'a> Der<'a> {
    fn read(input: &'a [u8]) -> Option<(Der<'a>, &'a [u8])> {
        let tag = *input.first()?;
        let first = *input.get(1)?;
        let (length, header) = if first < 0x80 {
            (first as usize, 2)
        } else {
            let count = (first & 0x7f) as usize;
            if count == 0 || count > 4 {
                return None;
            }
            let mut length = 0usize;
            for byte in input.get(2..2 + count)? {
                length = (length << 8) | *byte as usize;
            }
            (length, 2 + count)
        };
        let end = header.checked_add(length)?;
        let body = input.get(header..end)?;
        Some((Der { tag, body }, &input[end..]))
    }

    fn items(mut input: &'a [u8]) -> impl Iterator<Item = Der<'a>> {
        std::iter::from_fn(move || {
            let (item, rest) = Der::read(input)?;
            input = rest;
            Some(item)
        })
    }
}

/// A distinguished name's attributes, in order, by OpenSSL's short names.
fn names(name: &[u8]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for set in Der::items(name) {
        for attribute in Der::items(set.body) {
            let (oid, rest) = Der::read(attribute.body)?;
            let (value, _) = Der::read(rest)?;
            let key = match oid.body {
                [0x55, 0x04, 0x03] => "CN".to_string(),
                [0x55, 0x04, 0x06] => "C".to_string(),
                [0x55, 0x04, 0x07] => "L".to_string(),
                [0x55, 0x04, 0x08] => "ST".to_string(),
                [0x55, 0x04, 0x0a] => "O".to_string(),
                [0x55, 0x04, 0x0b] => "OU".to_string(),
                [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => {
                    "emailAddress".to_string()
                }
                other => hex(other, "."),
            };
            out.push((key, String::from_utf8_lossy(value.body).into_owned()));
        }
    }
    Some(out)
}

/// `UTCTime` or `GeneralizedTime` as OpenSSL prints it: `Dec  3 22:46:05 2026 GMT`.
fn time(value: &Der<'_>) -> Option<String> {
    let text = std::str::from_utf8(value.body).ok()?;
    let (year, rest) = match value.tag {
        0x17 => {
            let year: u32 = text.get(0..2)?.parse().ok()?;
            (
                if year >= 50 { 1900 + year } else { 2000 + year },
                text.get(2..)?,
            )
        }
        0x18 => (text.get(0..4)?.parse().ok()?, text.get(4..)?),
        _ => return None,
    };
    let number = |range: std::ops::Range<usize>| rest.get(range)?.parse::<u32>().ok();
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.get(number(0..2)?.checked_sub(1)? as usize)?;
    Some(format!(
        "{month} {:>2} {:02}:{:02}:{:02} {year} GMT",
        number(2..4)?,
        number(4..6)?,
        number(6..8)?,
        number(8..10)?
    ))
}

/// The subject alternative names as Node's `subjectaltname` text.
fn alt_names(extensions: &[u8]) -> Option<String> {
    let (list, _) = Der::read(extensions)?;
    for extension in Der::items(list.body) {
        let mut parts = Der::items(extension.body);
        let oid = parts.next()?;
        if oid.body != [0x55, 0x1d, 0x11] {
            continue;
        }
        let value = parts.find(|part| part.tag == 0x04)?;
        let (names, _) = Der::read(value.body)?;
        let mut text = Vec::new();
        for name in Der::items(names.body) {
            let body = String::from_utf8_lossy(name.body);
            match name.tag {
                0x82 => text.push(format!("DNS:{body}")),
                0x81 => text.push(format!("email:{body}")),
                0x86 => text.push(format!("URI:{body}")),
                0x87 => {
                    let ip = match name.body.len() {
                        4 => <[u8; 4]>::try_from(name.body).ok().map(IpAddr::from),
                        16 => <[u8; 16]>::try_from(name.body).ok().map(IpAddr::from),
                        _ => None,
                    };
                    if let Some(ip) = ip {
                        text.push(format!("IP Address:{}", openssl_ip(ip)));
                    }
                }
                _ => {}
            }
        }
        return Some(text.join(", "));
    }
    None
}

/// OpenSSL prints IPv6 addresses uncompressed, in upper case: `0:0:0:0:0:0:0:1`.
fn openssl_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => ip
            .segments()
            .iter()
            .map(|segment| format!("{segment:X}"))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

fn hex(bytes: &[u8], separator: &str) -> String {
    bytes
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(separator)
}
