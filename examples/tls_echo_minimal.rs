//! The smallest TLS echo server: Node's
//! `tls.createServer({ key, cert }, s => s.on('data', d => s.write(d)))`
//! (`benches/node_tls_echo.js`), line for line. Key and certificate are PEM files named by
//! `TLS_KEY` and `TLS_CERT`; it listens on `HOST` (default 127.0.0.1) and `PORT` (default 9000)
//! and prints nothing per connection, which is why `benches/tls.sh` measures it against Node's.
//!
//! ```sh
//! cargo run --example tls_make_certs
//! TLS_KEY=server-key.pem TLS_CERT=server-cert.pem cargo run --example tls_echo_minimal
//! ```
use nodenet::prelude::*;

fn main() -> Result<(), Error> {
    let pem = |variable: &str| {
        let path = std::env::var(variable).unwrap_or_else(|_| {
            eprintln!("{variable} must name a PEM file");
            std::process::exit(2)
        });
        std::fs::read(&path).unwrap_or_else(|err| {
            eprintln!("{path}: {err}");
            std::process::exit(2)
        })
    };
    let port = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(9000);
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());

    let options = tls::ServerOptions::new(pem("TLS_KEY"), pem("TLS_CERT"));
    let server = tls::create_server(options, |s| {
        s.on(Error, |_| {});
        s.on(Data, move |d| {
            s.write(d);
        });
    })?;
    server.on(TlsClientError, |_, _| {});
    server.listen((port, host.as_str()), ())?;
    nodenet::run()
}
