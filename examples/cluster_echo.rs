//! The bare echo server on N loops, one thread each, all listening on one port: Node's
//!
//! ```js
//! if (cluster.isPrimary) {
//!   for (let i = 0; i < os.availableParallelism(); i++) cluster.fork();
//! } else {
//!   net.createServer(s => s.on('data', d => s.write(d))).listen(10000);
//! }
//! ```
//!
//! Every loop listens with `reuse_port` (`SO_REUSEPORT`), so the kernel spreads connections
//! over the loops by a hash of their addresses. `LOOPS` sets how many (default: one per
//! available core), `PORT` the port (default 10000; 0 lets loop 0 pick one, which the others
//! then share) and `HOST` the address (default `127.0.0.1`). It prints one line once every
//! loop listens and nothing after; SIGINT or SIGTERM stops every loop and the program exits 0.
//!
//! ```sh
//! cargo build --release --example cluster_echo
//! LOOPS=2 PORT=9400 target/release/examples/cluster_echo
//! ```
use std::sync::OnceLock;

use nodenet::cluster::Cluster;
use nodenet::net::{self, ListenOptions};
use nodenet::prelude::*;
use nodenet::process::Signal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10000);
    let loops: usize = std::env::var("LOOPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_string());

    // Loop 0's setup returns before loop 1's starts, so with PORT=0 the others follow loop 0.
    let bound = OnceLock::new();
    let listen_host = host.clone();
    let cluster = Cluster::new(loops)
        .stop_on(Signal::SIGINT)
        .stop_on(Signal::SIGTERM)
        .start(move |ctx| {
            let server = net::create_server(|client| {
                client.on(Data, move |data| client.write(data));
                // A peer's reset closes that socket instead of ending this loop's run().
                client.on(Error, |_| {});
            });
            let options = ListenOptions {
                host: Some(listen_host.clone()),
                reuse_port: true,
                ..ListenOptions::from(*bound.get().unwrap_or(&port))
            };
            server.listen(options, ())?;
            if ctx.is_first() {
                let _ = bound.set(server.address().map_or(port, |address| address.port));
            }
            Ok(())
        })?;
    let port = cluster
        .stats()
        .first()
        .and_then(|report| report.resources.first())
        .and_then(|server| server.local.clone())
        .unwrap_or_else(|| format!("{host}:{port}"));
    println!(
        "echo server listening on {port} with {} loops",
        cluster.loops()
    );
    cluster.join()?;
    Ok(())
}
