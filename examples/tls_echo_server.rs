//! The echo server of Node's `tls` docs (`tests/node/tls_echo_server.js`), statement for
//! statement: TLS on port 8000 (or `PORT`), asking clients for a certificate, greeting each
//! with `welcome!` and echoing what it sends.
//!
//! Try it: `cargo run --example tls_make_certs` (writes the PEM files it reads from the
//! current directory), then `cargo run --example tls_echo_server`, and in another terminal
//! `cargo run --example tls_client` (or `node tests/node/tls_client.js`, or
//! `openssl s_client -connect localhost:8000`).
use nodenet::prelude::*;
use nodenet::string_decoder::Encoding;

fn main() -> Result<(), Error> {
    env_logger::init();
    let read = |name: &str| {
        std::fs::read(name).unwrap_or_else(|err| {
            eprintln!("{name}: {err} (cargo run --example tls_make_certs writes it)");
            std::process::exit(1)
        })
    };

    let mut options = tls::ServerOptions::new(read("server-key.pem"), read("server-cert.pem"));
    // This is necessary only if using client certificate authentication.
    options.request_cert = true;
    // This is necessary only if the client uses a self-signed certificate.
    options.ca = Some(read("client-cert.pem"));

    let server = tls::create_server(options, |socket| {
        println!(
            "server connected {}",
            if socket.authorized() {
                "authorized"
            } else {
                "unauthorized"
            }
        );
        socket.write("welcome!\n");
        socket.set_encoding(Encoding::Utf8);
        socket.pipe(socket);
    })?;
    let port = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(8000);
    server.listen(port, || {
        println!("server bound");
    })?;
    nodenet::run()
}
