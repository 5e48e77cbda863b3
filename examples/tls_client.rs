//! The client of Node's `tls` docs (`tests/node/tls_client.js`), statement for statement:
//! connects with TLS to port 8000 (or `PORT`) with a client certificate, sends what it reads
//! on stdin and prints what comes back.
//!
//! Try it against `cargo run --example tls_echo_server` (see there); it reads
//! `client-key.pem`, `client-cert.pem` and `server-cert.pem` from the current directory.
use std::io::BufRead;

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
    let port = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(8000);

    let mut options = tls::ConnectOptions::new(port, "localhost");
    // Necessary only if the server requires client certificate authentication.
    options.key = Some(read("client-key.pem"));
    options.cert = Some(read("client-cert.pem"));
    // Necessary only if the server uses a self-signed certificate.
    options.ca = Some(read("server-cert.pem"));
    // Necessary only if the server's cert isn't for "localhost".
    options.check_server_identity = Some(std::rc::Rc::new(|_, _| None));

    let socket = tls::connect(options, |socket| {
        println!(
            "client connected {}",
            if socket.authorized() {
                "authorized"
            } else {
                "unauthorized"
            }
        );
        pipe_stdin(socket);
    })?;
    socket.set_encoding(Encoding::Utf8);
    socket.on(Data, |data| {
        println!("{data}");
    });
    socket.on(End, || {
        println!("server ends connection");
    });
    nodenet::run()
}

thread_local! {
    /// Where stdin goes: posted work runs on the loop's thread, where the socket lives.
    static STDIN_TO: std::cell::Cell<Option<Socket>> = const { std::cell::Cell::new(None) };
}

/// `process.stdin.pipe(socket)`: lines read on a helper thread are written to the socket on
/// the loop's thread; the end of stdin ends the socket.
fn pipe_stdin(socket: Socket) {
    STDIN_TO.set(Some(socket));
    let remote = nodenet::remote();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            remote.post(move || {
                if let Some(socket) = STDIN_TO.get() {
                    socket.write(line + "\n");
                }
            });
        }
        remote.post(|| {
            if let Some(socket) = STDIN_TO.get() {
                socket.end();
            }
        });
    });
}
