//! `write` returning false at the high-water mark, `'drain'`, and write callbacks, against a
//! peer that stops reading (`pause()`), as Node's `net.Socket` does.

mod common;

use common::*;
use nodenet::prelude::*;

const CHUNK: usize = 64 * 1024;
/// Far above what loopback kernel buffers hold; reaching it means `write` never said stop.
const MAX_CHUNKS: usize = 4096;

fn drain_after_paused_peer_resumes(host: &'static str) {
    let log = Log::new();
    let accepted = Slot::<Socket>::new();
    let client_slot = Slot::<Socket>::new();
    let chunks_written = Slot::<usize>::new();
    let ready = Calls::new(2, "both ends connected");

    // Starts once both ends are up: the client writes until `write` says stop.
    let start = move || {
        if ready.count() < 2 {
            return;
        }
        let client = client_slot.get();
        let server_side = accepted.get();
        let mut chunks = 0;
        loop {
            let n = chunks;
            let fill = (n % 251) as u8;
            let more = client.write_with_callback(vec![fill; CHUNK], move |err| {
                assert!(err.is_none(), "write {n} failed: {err:?}");
                log.push(format!("cb {n}"));
            });
            chunks += 1;
            if !more {
                break;
            }
            assert!(chunks < MAX_CHUNKS, "write never returned false");
        }
        // The write that returned false left at least the high-water mark queued.
        let queued = client.writable_length();
        assert!(
            queued >= 16 * 1024,
            "writable_length {queued} at write() == false"
        );
        assert_eq!(client.bytes_written(), (chunks * CHUNK) as u64);
        chunks_written.set(chunks);
        log.push("resume");
        server_side.resume();
    };

    let server = net::create_server(must_call!(move |socket: Socket| {
        socket.pause();
        accepted.set(socket);
        let received = Slot::<usize>::new();
        received.set(0);
        socket.on(Data, move |data| {
            let offset = received.take().unwrap();
            for (i, byte) in data.iter().enumerate() {
                let chunk = (offset + i) / CHUNK;
                assert_eq!(
                    *byte,
                    (chunk % 251) as u8,
                    "byte {} out of order",
                    offset + i
                );
            }
            received.set(offset + data.len());
        });
        socket.on(
            End,
            must_call!(move || {
                let total = chunks_written.get() * CHUNK;
                assert_eq!(received.get(), total);
                assert_eq!(socket.bytes_read(), total as u64);
                log.push("s:end");
            }),
        );
        ready.hit();
        start();
    }));
    listen_then(server, host, move |port| {
        let client = net::connect(
            port,
            host,
            must_call!(move |_client: Socket| {
                ready.hit();
                start();
            }),
        );
        client_slot.set(client);
        client.on(
            Drain,
            must_call!(move || {
                assert_eq!(client.writable_length(), 0);
                log.push("drain");
                client.end();
            }),
        );
        client.on(
            Close,
            must_call!(move |had_error| {
                assert!(!had_error);
                server.close(());
            }),
        );
    });
    run_and_check();

    // Every write callback ran once, in order; one 'drain', after the server started reading.
    let chunks = chunks_written.get();
    let entries = log.entries();
    let callbacks: Vec<String> = log.only("cb ");
    let expected: Vec<String> = (0..chunks).map(|n| format!("cb {n}")).collect();
    assert_eq!(callbacks, expected);
    let position = |entry: &str| entries.iter().position(|e| e == entry).unwrap();
    assert!(position("resume") < position("drain"));
    assert!(position("drain") < position("s:end"));
    assert!(position(&format!("cb {}", chunks - 1)) < position("s:end"));
}

#[test]
fn write_false_then_exactly_one_drain() {
    for host in HOSTS {
        bounded(move || drain_after_paused_peer_resumes(host));
    }
}

/// Writes made before the connection is up are queued; they go out in order on connect and
/// each callback runs once, on a later tick (never inside `write`).
#[test]
fn write_callbacks_run_later_and_in_order() {
    for host in HOSTS {
        bounded(move || {
            let log = Log::new();
            let server = net::create_server(|socket| {
                socket.on(Data, move |data| {
                    socket.write(data);
                });
            });
            listen_then(server, host, move |port| {
                let client = net::connect(port, host, move |_| log.push("connect"));
                for n in 0..3 {
                    client.write_with_callback(
                        format!("{n}"),
                        must_call!(move |err: Option<&nodenet::Error>| {
                            assert!(err.is_none());
                            log.push(format!("cb {n}"));
                        }),
                    );
                    log.push(format!("wrote {n}"));
                }
                let echoed = Slot::<String>::new();
                echoed.set(String::new());
                client.on(Data, move |data| {
                    let text = echoed.take().unwrap() + &data.to_string();
                    if text == "012" {
                        client.end();
                    }
                    echoed.set(text);
                });
                client.on(
                    Close,
                    must_call!(move |_| {
                        assert_eq!(echoed.get(), "012");
                        server.close(());
                    }),
                );
            });
            run_and_check();
            log.assert_eq(&[
                "wrote 0", "wrote 1", "wrote 2", "connect", "cb 0", "cb 1", "cb 2",
            ]);
        });
    }
}

/// A write on a socket destroyed while connecting reports Node's
/// `ERR_SOCKET_CLOSED_BEFORE_CONNECTION` to its callback, once, before `'close'`; later writes
/// return false and emit nothing.
#[test]
fn destroyed_socket_fails_queued_write_callbacks() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(|_socket| {});
        listen_then(server, "127.0.0.1", move |port| {
            let client = net::connect(port, "127.0.0.1", must_not_call!(|_|));
            client.write_with_callback(
                "never sent",
                must_call!(move |err: Option<&nodenet::Error>| {
                    let err = err.expect("an error");
                    log.push(format!("cb {:?}", err.code()));
                }),
            );
            client.destroy();
            log.push("destroyed");
            assert!(!client.write("more"));
            client.on(
                Close,
                must_call!(move |had_error| {
                    log.push(format!("close {had_error}"));
                    server.close(());
                }),
            );
        });
        run_and_check();
        log.assert_eq(&[
            "destroyed",
            "cb Some(\"ERR_SOCKET_CLOSED_BEFORE_CONNECTION\")",
            "close false",
        ]);
    });
}
