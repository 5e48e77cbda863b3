//! The pure echo server every benchmark runs: Node's
//! `net.createServer(s => s.on('data', d => s.write(d)))`, nothing else on the data path.
//!
//! Listens on `HOST` (default `127.0.0.1`) and `PORT` (default 10000) and prints one line
//! once listening, nothing after. A peer's
//! FIN ends our side once what is queued has been written (the default `allow_half_open: false`
//! calls `end()` after `'end'`), which is the half-close the load generator checks. The `'error'`
//! listener does nothing, so a peer reset closes that socket instead of ending `run()`, as the
//! Node peer's empty `'error'` listener keeps node from crashing. The server has no `'error'`
//! listener, as the Node original: out of descriptors, it sheds the queued connections as
//! libuv does and keeps serving.
//!
//! ```sh
//! cargo build --release --example echo_server
//! PORT=9400 target/release/examples/echo_server
//! ```
use nodenet::prelude::*;

fn main() -> Result<(), Error> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10000);
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_string());

    let server = net::create_server(|client| {
        client.on(Data, move |data| client.write(data));
        client.on(Error, |_| {});
    });
    server.listen((port, host.as_str()), move || {
        if let Some(address) = server.address() {
            println!(
                "echo server listening on {}:{}",
                address.address, address.port
            );
        }
    })?;
    nodenet::run()
}
