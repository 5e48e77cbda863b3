//! Certificates made at test time with rcgen: self-signed ones, a CA and the leaves it signs
//! (valid, expired, for other names), as PEM strings.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

/// A key and its certificate, PEM.
#[derive(Clone)]
pub struct Pem {
    pub key: String,
    pub cert: String,
}

impl Pem {
    pub fn key(&self) -> Vec<u8> {
        self.key.clone().into_bytes()
    }

    pub fn cert(&self) -> Vec<u8> {
        self.cert.clone().into_bytes()
    }
}

fn params(names: &[&str], common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(
        names
            .iter()
            .map(|name| name.to_string())
            .collect::<Vec<_>>(),
    )
    .expect("names");
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "nodenet tests");
    params.distinguished_name = dn;
    params
}

/// A self-signed certificate for `names` (DNS names or IP addresses), its CN the first name.
pub fn self_signed(names: &[&str]) -> Pem {
    let key = KeyPair::generate().expect("key");
    let cert = params(names, names[0])
        .self_signed(&key)
        .expect("self-sign");
    Pem {
        key: key.serialize_pem(),
        cert: cert.pem(),
    }
}

/// A CA that signs leaves.
pub struct Ca {
    pub pem: Pem,
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("key");
        let mut params = params(&[], name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).expect("CA");
        Ca {
            pem: Pem {
                key: key.serialize_pem(),
                cert: cert.pem(),
            },
            cert,
            key,
        }
    }

    /// The CA certificate, PEM, as a `ca` option.
    pub fn ca(&self) -> Vec<u8> {
        self.pem.cert()
    }

    /// A leaf for `names`, signed by this CA.
    pub fn issue(&self, names: &[&str]) -> Pem {
        self.sign(params(names, names[0]))
    }

    /// A leaf for `names` whose validity ended in 2021.
    pub fn issue_expired(&self, names: &[&str]) -> Pem {
        let mut params = params(names, names[0]);
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        self.sign(params)
    }

    fn sign(&self, params: CertificateParams) -> Pem {
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.cert, &self.key).expect("sign");
        Pem {
            key: key.serialize_pem(),
            cert: cert.pem(),
        }
    }
}
