//! Node's reconnect idiom (`tests/node/reconnect_client.js`), statement for statement: one
//! `Socket::new`, listeners attached once, and `connect` again from a timer after each
//! `'close'`, up to `RETRIES` (3) times, `RETRY_MS` (500) apart.
//!
//! Try it: `cargo run --example reconnect_client` with nothing on port 10000 (it prints the
//! refusals), then start `cargo run --example server` while it retries.
use nodenet::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), nodenet::Error> {
    env_logger::init();
    let port: u16 = env_or("PORT", 10000);
    let host: String = env_or("HOST", "localhost".to_string());
    let retry_ms: u64 = env_or("RETRY_MS", 500);
    let max_retries: u32 = env_or("RETRIES", 3);
    let retries = Rc::new(Cell::new(0));

    let socket = Socket::new(SocketOptions::default());

    socket.on(Connect, move || {
        println!("connected");
        socket.write("hello");
    });

    socket.on(Data, move |data| {
        println!("received {data}");
        socket.end();
    });

    socket.on(Error, |err| {
        println!("error {}", err.code().unwrap_or(""));
    });

    let target = host.clone();
    socket.on(Close, move |had_error| {
        println!("closed {had_error}");
        if retries.get() < max_retries {
            retries.set(retries.get() + 1);
            println!("reconnecting {}", retries.get());
            let host = target.clone();
            nodenet::set_timeout(retry_ms, move || {
                socket.connect(port, &host, ());
            });
        } else {
            // Node's garbage collector would reclaim the socket; here we say we are done.
            socket.release();
        }
    });

    socket.connect(port, &host, ());

    nodenet::run()
}
