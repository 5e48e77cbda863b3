//! Request/response over length-prefixed frames: a tiny RPC protocol, server and client.
//!
//! Every frame is a 4-byte big-endian length, then the body. A request body is a 4-byte
//! request id, then `method arg...` as text; the response echoes the id, then `ok <result>` or
//! `err <message>`. Because each response carries its request's id, the client can send many
//! requests without waiting (pipelining) and match the answers even when they come back out of
//! order: `sleep` answers late, so its response overtakes nothing and is overtaken by the rest.
//!
//! Run it: `cargo run --example rpc` runs the server (on `PORT`, default 10000; `PORT=0`
//! picks a free port) and a client in one process, prints the exchange and exits.
//! `cargo run --example rpc server` runs only the server, and `cargo run --example rpc client`
//! only the client. Binary frames are awkward to type; to poke the server by hand:
//! `printf '\0\0\0\x0b\0\0\0\x07add 2 40' | nc localhost 10000 | xxd`.
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use nodenet::framing::{Framed, LengthPrefixedCodec, Message};
use nodenet::prelude::*;

/// Requests are small; a peer announcing more is cut off with `ERR_FRAME_TOO_LARGE`.
const MAX_FRAME: usize = 64 * 1024;

fn codec() -> LengthPrefixedCodec {
    LengthPrefixedCodec::new().with_max_frame_len(MAX_FRAME)
}

fn main() -> Result<(), Error> {
    env_logger::init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10000);
    let mode = std::env::args().nth(1).unwrap_or_default();
    match mode.as_str() {
        "server" => {
            serve(port, |_, _| {})?;
        }
        "client" => call(port, || {}),
        _ => {
            // Both: the client runs once the server listens; the server closes after it.
            serve(port, |server, port| {
                call(port, move || {
                    server.close(());
                })
            })?;
        }
    }
    nodenet::run()
}

/// Starts the RPC server; `listening` gets it and its port.
fn serve(port: u16, listening: impl FnOnce(Server, u16) + 'static) -> Result<Server, Error> {
    let server = net::create_server(|socket| {
        let framed = Framed::new(socket, codec());
        let replies = framed.clone();
        framed.on(Message, move |request| {
            let Some((id, call)) = parse(&request) else {
                // Not even an id: the peer does not speak this protocol.
                socket.destroy_with_error(nodenet::Error::with_code(
                    "ERR_RPC_BAD_REQUEST",
                    "request without an id",
                ));
                return;
            };
            let replies = replies.clone();
            let respond = move |result: Result<String, String>| {
                let mut body = id.to_be_bytes().to_vec();
                match result {
                    Ok(value) => body.extend_from_slice(format!("ok {value}").as_bytes()),
                    Err(message) => body.extend_from_slice(format!("err {message}").as_bytes()),
                }
                // An answer never exceeds MAX_FRAME: requests are bounded by it too.
                let _ = replies.send(body);
            };
            dispatch(&call, respond);
        });
        socket.on(Error, move |err| {
            println!("server: connection error: {err}")
        });
    });
    server.listen((port, "127.0.0.1"), move || {
        let port = server.address().map_or(port, |address| address.port);
        println!("server: listening on 127.0.0.1:{port}");
        listening(server, port);
    })?;
    Ok(server)
}

/// Splits a frame into its request id and the rest.
fn parse(frame: &[u8]) -> Option<(u32, String)> {
    let (id, rest) = frame.split_first_chunk::<4>()?;
    Some((
        u32::from_be_bytes(*id),
        String::from_utf8_lossy(rest).into_owned(),
    ))
}

/// Runs one call; `respond` may be called later (`sleep`), as a real server's I/O would.
fn dispatch(call: &str, respond: impl FnOnce(Result<String, String>) + 'static) {
    let mut words = call.split_whitespace();
    let method = words.next().unwrap_or_default();
    let args: Vec<&str> = words.collect();
    match method {
        "add" => respond(
            args.iter()
                .map(|a| a.parse::<i64>().map_err(|_| format!("not a number: {a}")))
                .sum::<Result<i64, String>>()
                .map(|sum| sum.to_string()),
        ),
        "upper" => respond(Ok(args.join(" ").to_uppercase())),
        "sleep" => {
            let ms = args.first().and_then(|a| a.parse().ok()).unwrap_or(0);
            nodenet::set_timeout(ms, move || respond(Ok(format!("slept {ms} ms"))));
        }
        other => respond(Err(format!("no such method: {other}"))),
    }
}

/// Connects, pipelines every request at once, prints responses as they come, and ends once
/// all are answered; `done` runs when the connection has closed.
fn call(port: u16, done: impl FnOnce() + 'static) {
    let requests = [
        "add 2 40",
        "sleep 20",
        "upper hello rpc",
        "add 1 x",
        "frobnicate",
    ];
    let socket = net::connect(port, "127.0.0.1", |_| {});
    let framed = Framed::new(socket, codec());
    let pending: Rc<RefCell<BTreeMap<u32, &str>>> = Rc::default();
    let results: Rc<RefCell<BTreeMap<u32, String>>> = Rc::default();
    for (id, request) in (1u32..).zip(requests) {
        let mut body = id.to_be_bytes().to_vec();
        body.extend_from_slice(request.as_bytes());
        println!("client: -> #{id} {request}");
        // Queued until connected; a handful of small frames never reaches the high-water mark.
        let _ = framed.send(body);
        pending.borrow_mut().insert(id, request);
    }
    let answered = Rc::clone(&results);
    framed.on(Message, move |response| {
        let Some((id, text)) = parse(&response) else {
            socket.destroy();
            return;
        };
        let request = pending.borrow_mut().remove(&id);
        println!("client: <- #{id} {text}");
        if let Some(request) = request {
            answered
                .borrow_mut()
                .insert(id, format!("{request} => {text}"));
        }
        if pending.borrow().is_empty() {
            socket.end();
        }
    });
    socket.on(Error, move |err| println!("client: error: {err}"));
    let mut done = Some(done);
    socket.on(Close, move |_had_error| {
        println!("client: all answered, in request order:");
        for line in results.borrow().values() {
            println!("  {line}");
        }
        if let Some(done) = done.take() {
            done();
        }
    });
}
