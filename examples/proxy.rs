//! A TCP proxy: every connection on `PORT` is forwarded to `TARGET`, both ways, with `pipe`.
//!
//! `client.pipe(upstream)` and `upstream.pipe(client)` carry the bytes; each pipe pauses its
//! source while the other side's write buffer is full, so a fast sender behind a slow receiver
//! costs about 16 KiB of memory per direction, not the whole stream. An end in one direction
//! ends the other side's writing (half-close passes through); an error or reset on either side
//! destroys the other, since `pipe` does not forward errors (neither does Node's).
//!
//! Run it: `cargo run --example server` (the echo server on 10000), then
//! `PORT=10001 TARGET=127.0.0.1:10000 cargo run --example proxy`, then
//! `telnet localhost 10001` or `nc localhost 10001`: what you type goes through the proxy to the
//! echo server and back. `PORT` defaults to 10000 and `TARGET` to `127.0.0.1:10001`.
use nodenet::prelude::*;

fn main() -> Result<(), Error> {
    env_logger::init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10000);
    let target = std::env::var("TARGET").unwrap_or_else(|_| "127.0.0.1:10001".to_string());
    let Some((target_host, target_port)) = target.rsplit_once(':').and_then(|(host, port)| {
        Some((
            host.trim_matches(['[', ']']).to_string(),
            port.parse::<u16>().ok()?,
        ))
    }) else {
        return Err(nodenet::Error::with_code(
            "ERR_INVALID_ARG_VALUE",
            format!("TARGET must be host:port, got {target:?}"),
        ));
    };

    // Half-open, so that a client's FIN (its request is complete) does not end our side
    // before the target's answer has come back through it; the answer's end ends it.
    let options = net::ServerOptions {
        allow_half_open: true,
        ..net::ServerOptions::default()
    };
    let server = net::create_server_with(options, move |client| {
        let from = format!(
            "{}:{}",
            client.remote_address().unwrap_or_default(),
            client.remote_port().unwrap_or_default()
        );
        println!("{from} connected, forwarding to {target_host}:{target_port}");
        let upstream = net::connect(target_port, &target_host, |_| {});
        client.pipe(upstream);
        upstream.pipe(client);

        // `pipe` leaves errors to us: a failure on one side takes the other down too.
        upstream.on(Error, move |err| {
            println!("{from}: upstream error: {err}");
            client.destroy();
        });
        client.on(Error, move |err| {
            println!("client error: {err}");
            upstream.destroy();
        });
        client.on(Close, move |had_error| {
            if had_error {
                upstream.destroy();
            }
            println!(
                "connection closed: {} bytes in, {} bytes out",
                client.bytes_read(),
                client.bytes_written()
            );
        });
        upstream.on(Close, move |had_error| {
            if had_error {
                client.destroy();
            }
        });
    });

    server.listen((port, "127.0.0.1"), move || {
        let port = server.address().map_or(port, |address| address.port);
        println!("proxy listening on 127.0.0.1:{port}, forwarding to {target}");
    })?;
    nodenet::run()
}
