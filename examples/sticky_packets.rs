//! TCP "sticky packets" (粘包): why `'data'` is not a message, and the fix.
//!
//! A client sends six messages with six `write`s: five short lines and one long one. The server
//! first reads them with a plain `'data'` listener, which shows what TCP really delivers: the
//! short writes glued into one chunk, the long one cut into several. Then it reads the same six
//! writes through `Framed::new(socket, LineCodec::new())`, which hands out exactly the six
//! messages. Both ends run in this one process, which exits when done.
//!
//! Run it: `cargo run --example sticky_packets` (listens on `PORT`, default 10000; `PORT=0`
//! picks a free port). To see the same thing with your own hands, run
//! `cargo run --example chat_server` and paste several lines at once into `nc localhost 10000`:
//! they arrive in one read, yet each is its own message.
use std::cell::Cell;
use std::rc::Rc;

use nodenet::framing::{Framed, LineCodec, Message};
use nodenet::prelude::*;

/// The long line: several times the loop's 64 KiB read, so it cannot arrive in one `'data'`.
const LONG_LINE: usize = 150_000;

fn messages() -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = (1..=5).map(|n| format!("hello {n}").into_bytes()).collect();
    messages.push(vec![b'x'; LONG_LINE]);
    messages
}

/// A message as the demo prints it: short text as is, the long line by its size.
fn show(bytes: &[u8]) -> String {
    if bytes.len() > 40 {
        format!("<{} bytes>", bytes.len())
    } else {
        format!("{:?}", String::from_utf8_lossy(bytes))
    }
}

fn main() -> Result<(), Error> {
    env_logger::init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10000);

    let connections = Rc::new(Cell::new(0));
    let server = net::create_server(move |socket| {
        connections.set(connections.get() + 1);
        let count = Rc::new(Cell::new(0));
        if connections.get() == 1 {
            // The problem: one 'data' event per read, wherever TCP cut the stream.
            let seen = Rc::clone(&count);
            socket.on(Data, move |chunk| {
                seen.set(seen.get() + 1);
                let lines = chunk.iter().filter(|&&b| b == b'\n').count();
                println!(
                    "server: 'data' #{}: {} bytes, {} newline(s), starts {}",
                    seen.get(),
                    chunk.len(),
                    lines,
                    show(&chunk[..chunk.len().min(24)])
                );
            });
            socket.on(End, move || {
                println!(
                    "server: 6 writes arrived as {} 'data' event(s)",
                    count.get()
                );
            });
        } else {
            // The fix: a codec says where each message ends; the decoder buffers the pieces.
            let framed = Framed::new(socket, LineCodec::new());
            let seen = Rc::clone(&count);
            framed.on(Message, move |message| {
                seen.set(seen.get() + 1);
                println!("server: message #{}: {}", seen.get(), show(&message));
            });
            socket.on(End, move || {
                println!("server: 6 writes arrived as {} message(s)", count.get());
            });
        }
    });

    server.listen((port, "127.0.0.1"), move || {
        let port = server.address().map_or(port, |address| address.port);
        println!("== part 1: raw 'data' events (the problem) ==");
        send_all(port, move || {
            println!("== part 2: Framed + LineCodec (the fix) ==");
            send_all(port, move || {
                server.close(());
            });
        });
    })?;
    nodenet::run()
}

/// Connects, sends the six messages as six writes (each line with its `\n`), ends, and calls
/// `then` once the connection has closed.
fn send_all(port: u16, then: impl FnOnce() + 'static) {
    let client = net::connect(port, "127.0.0.1", |client| {
        let messages = messages();
        let total: usize = messages.iter().map(|m| m.len() + 1).sum();
        println!("client: {} writes, {total} bytes", messages.len());
        for mut message in messages {
            message.push(b'\n');
            client.write(message);
        }
        client.end();
    });
    let mut then = Some(then);
    client.on(Close, move |_had_error| {
        if let Some(then) = then.take() {
            then();
        }
    });
}
