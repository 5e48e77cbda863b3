//! Makes self-signed certificates for trying the TLS examples: `server-key.pem`,
//! `server-cert.pem` (for `localhost` and `127.0.0.1`), `client-key.pem` and `client-cert.pem`,
//! in the current directory (or the directory given as the first argument). What Node's docs
//! make with `openssl req -x509`.
//!
//! ```text
//! cargo run --example tls_make_certs
//! cargo run --example tls_echo_server      # in one terminal
//! cargo run --example tls_client           # in another: type lines, they come back
//! ```
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    for (name, subject) in [("server", "localhost"), ("client", "client")] {
        let names = if name == "server" {
            vec!["localhost".to_string(), "127.0.0.1".to_string()]
        } else {
            vec![subject.to_string()]
        };
        let mut params = rcgen::CertificateParams::new(names)?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, subject);
        let key = rcgen::KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        std::fs::write(dir.join(format!("{name}-key.pem")), key.serialize_pem())?;
        std::fs::write(dir.join(format!("{name}-cert.pem")), cert.pem())?;
        println!("wrote {name}-key.pem and {name}-cert.pem");
    }
    Ok(())
}
