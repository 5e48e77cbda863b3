//! A server that shuts down gracefully on SIGTERM (or Ctrl-C), as a Node server does with
//! `process.on('SIGTERM', ...)`: it stops accepting at once, lets the open connections finish,
//! closes the ones still idle after a grace period, and then `run()` returns and the process
//! exits 0.
//!
//! ```sh
//! PORT=8000 GRACE_MS=5000 cargo run --example graceful_shutdown &
//! nc localhost 8000      # type lines: they come back
//! kill -TERM %1          # nc keeps talking; once idle for GRACE_MS it is closed
//! ```
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use nodenet::prelude::*;
use nodenet::process::{self, Signal};

fn main() -> Result<(), nodenet::Error> {
    env_logger::init();
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let port = env("PORT", 8000) as u16;
    let grace_ms = env("GRACE_MS", 5000);

    // The open connections, by their remote address, to close the idle ones on shutdown.
    let open: Rc<RefCell<HashMap<String, Socket>>> = Rc::default();
    let server = {
        let open = open.clone();
        net::create_server(move |client| {
            let peer = format!(
                "{}:{}",
                client.remote_address().unwrap_or_default(),
                client.remote_port().unwrap_or_default()
            );
            open.borrow_mut().insert(peer.clone(), client);
            client.on(Data, move |data| {
                client.write(data);
            });
            client.on(Error, |_| {});
            let open = open.clone();
            client.on(Close, move |_had_error| {
                open.borrow_mut().remove(&peer);
            });
        })
    };
    server.listen((port, "127.0.0.1"), move || {
        if let Some(address) = server.address() {
            println!("listening on {}:{}", address.address, address.port);
        }
    })?;

    let shutdown = Rc::new(move |signal: Signal| {
        let sockets: Vec<Socket> = open.borrow().values().copied().collect();
        // Not accepting from here on; said after the fact, so whoever reads it can rely on it.
        server.close(|| println!("closed: every connection has finished"));
        println!("{signal}: closing, {} connection(s) open", sockets.len());
        for socket in sockets {
            // Still talking: it may finish; silent for the grace period: it is closed.
            socket.set_timeout(grace_ms, move || {
                println!("closing an idle connection");
                socket.destroy();
            });
        }
    });
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        let shutdown = shutdown.clone();
        process::once(signal, move |signal| shutdown(signal));
    }
    nodenet::run()?;
    println!("bye");
    Ok(())
}
