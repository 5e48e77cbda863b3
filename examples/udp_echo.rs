//! A UDP echo server, and a client that talks to it in lock step: Node's `dgram` tutorial
//! program, line for line (the Node original is `tests/node/udp_echo.js`, and both print the
//! same lines; `tests/interop_dgram.rs` checks it, in all four pairings).
//!
//! The server echoes every datagram straight from the loop's read buffer, and closes after
//! echoing `bye`. Both use `PORT` (default 41234) on 127.0.0.1. With `QUIET` set, the server
//! prints nothing per datagram (`benches/udp.sh` measures it so, as Node's peer prints nothing).
//!
//! ```sh
//! cargo run --example udp_echo            # the server
//! cargo run --example udp_echo -- client  # the client, in another terminal
//! ```
use nodenet::prelude::*;

fn main() -> Result<(), Error> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(41234);
    if std::env::args().nth(1).as_deref() != Some("client") {
        server(port)?;
    } else {
        client(port)?;
    }
    nodenet::run()
}

fn server(port: u16) -> Result<(), Error> {
    let quiet = std::env::var_os("QUIET").is_some();
    let server = dgram::create_socket("udp4")?;
    server.on(Error, move |err| {
        println!("server error: {}", err.message());
        let _ = server.close(());
    });
    server.on(Message, move |msg, rinfo| {
        if quiet {
            let _ = server.send(msg, rinfo);
            return;
        }
        println!(
            "server got: {msg} ({} bytes from {} {})",
            rinfo.size, rinfo.family, rinfo.address
        );
        if msg.as_bytes() == b"bye" {
            let _ = server.send_with_callback(msg, rinfo, move |_err, bytes| {
                println!("server sent {bytes} bytes and closes");
                let _ = server.close(());
            });
            return;
        }
        let _ = server.send(msg, rinfo);
    });
    server.on(Listening, move || {
        if let Ok(address) = server.address() {
            println!("server listening on {} {}", address.family, address.address);
        }
    });
    server.on(Close, || println!("server closed"));
    server.bind((port, "127.0.0.1"), ())?;
    Ok(())
}

fn client(port: u16) -> Result<(), Error> {
    const LINES: [&str; 3] = ["hello", "from the client", "bye"];
    let next = std::cell::Cell::new(0);
    let client = dgram::create_socket("udp4")?;
    client.on(Message, move |msg, rinfo| {
        println!(
            "client got: {msg} ({} bytes from {} {})",
            rinfo.size, rinfo.family, rinfo.address
        );
        if msg.as_bytes() == b"bye" {
            let _ = client.close(());
            return;
        }
        next.set(next.get() + 1);
        let _ = client.send(LINES[next.get()], (port, "127.0.0.1"));
    });
    client.on(Close, || println!("client closed"));
    client.send_with_callback(LINES[0], (port, "127.0.0.1"), |_err, bytes| {
        println!("client sent {bytes} bytes");
    })?;
    Ok(())
}
