//! `socket.pipe(destination)`, as Node's `readable.pipe`: echo, backpressure that keeps memory
//! bounded, `{ end: false }`, and unpiping when the destination goes away.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use nodenet::net::PipeOptions;
use nodenet::prelude::*;

const HOST: &str = "127.0.0.1";
const HIGH_WATER_MARK: usize = 16 * 1024;
/// The loop reads at most this much per 'data' event.
const READ_SIZE: usize = 64 * 1024;

/// `socket.pipe(socket)` is an echo server; the peer's end ends it.
#[test]
fn pipe_to_itself_echoes() {
    for host in HOSTS {
        bounded(move || {
            let log = Log::new();
            let server = net::create_server(must_call!(move |client: Socket| {
                assert_eq!(client.pipe(client), client);
                client.on(Finish, must_call!(move || log.push("s:finish")));
            }));
            listen_then(server, host, move |port| {
                let socket = net::connect(port, host, |socket| {
                    socket.write("hello ");
                    socket.end_with("world");
                });
                let echoed = Rc::new(Cell::new(Vec::new()));
                let got = Rc::clone(&echoed);
                socket.on(Data, move |data| {
                    let mut bytes = got.take();
                    bytes.extend_from_slice(&data);
                    got.set(bytes);
                });
                socket.on(
                    End,
                    must_call!(move || {
                        assert_eq!(echoed.take(), b"hello world");
                        log.push("c:end");
                    }),
                );
                socket.on(Close, must_call!(move |_had_error| server.close(())));
            });
            run_and_check();
            log.assert_eq(&["s:finish", "c:end"]);
        });
    }
}

/// A fast writer through a pipe into a reader that has not started: the pipe pauses the
/// source, so the destination's queue stays near its high-water mark instead of holding the
/// whole stream; every byte still arrives, in order.
#[test]
fn slow_destination_keeps_the_queue_bounded() {
    bounded(|| {
        const TOTAL: usize = 32 * 1024 * 1024;
        let reader = Slot::<Socket>::new();
        let most_queued = Rc::new(Cell::new(0));
        let pauses = Rc::new(Cell::new(0));

        let sink = net::create_server(must_call!(move |socket: Socket| {
            // Not reading yet: the kernel buffers fill, then the pipe must hold back.
            socket.pause();
            reader.set(socket);
            let received = Rc::new(Cell::new(0usize));
            let counted = Rc::clone(&received);
            socket.on(Data, move |data| {
                for (i, &byte) in data.iter().enumerate() {
                    assert_eq!(byte, ((counted.get() + i) % 251) as u8);
                }
                counted.set(counted.get() + data.len());
            });
            socket.on(End, must_call!(move || assert_eq!(received.get(), TOTAL)));
            socket.on(Resume, must_call!(move || {}));
        }));
        let most = Rc::clone(&most_queued);
        let paused = Rc::clone(&pauses);
        let relay = net::create_server(must_call!(move |source: Socket| {
            let port = sink.address().unwrap().port;
            let destination = net::connect(port, HOST, |_| {});
            source.pipe(destination);
            let most = Rc::clone(&most);
            // After the pipe's own 'data' listener: the queue as the write left it.
            source.on(Data, move |_| {
                most.set(most.get().max(destination.writable_length()))
            });
            let paused = Rc::clone(&paused);
            source.on(Pause, move || {
                paused.set(paused.get() + 1);
                // The first pause may come while the destination is still connecting; the
                // reader starts at the first one after it is connected.
                if let Some(reader) = reader.take() {
                    reader.resume();
                }
            });
            destination.on(Close, must_call!(move |had_error| assert!(!had_error)));
        }));
        sink.listen((0, HOST), || {}).unwrap();
        listen_then(relay, HOST, move |port| {
            let writer = net::connect(port, HOST, |writer| {
                let stream: Vec<u8> = (0..TOTAL).map(|i| (i % 251) as u8).collect();
                writer.end_with(stream);
            });
            writer.on(
                Close,
                must_call!(move |had_error| {
                    assert!(!had_error);
                    relay.close(());
                    sink.close(());
                }),
            );
        });
        run_and_check();
        assert!(pauses.get() >= 1, "the pipe never paused its source");
        let most = most_queued.get();
        eprintln!(
            "destination queue peaked at {most} bytes; source paused {} times",
            pauses.get()
        );
        assert!(
            most < HIGH_WATER_MARK + READ_SIZE,
            "the destination queued {most} bytes"
        );
    });
}

/// `{ end: false }` leaves the destination open after the source ends.
#[test]
fn pipe_with_end_false_keeps_the_destination_open() {
    bounded(|| {
        let server = net::create_server(must_call!(move |client: Socket| {
            client.pipe_with(client, PipeOptions { end: false });
            client.on(
                End,
                must_call!(move || {
                    assert!(!client.destroyed());
                    client.write(" and a trailer");
                }),
            );
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |socket| {
                socket.end_with("body");
            });
            let echoed = Rc::new(Cell::new(String::new()));
            let got = Rc::clone(&echoed);
            socket.on(Data, move |data| {
                let mut text = got.take();
                text.push_str(&data.to_string());
                got.set(text);
            });
            socket.on(
                End,
                must_call!(move || assert_eq!(echoed.take(), "body and a trailer")),
            );
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
    });
}

/// As in Node 20: `pipe` starts a paused source flowing, and when the destination closes the
/// pipe removes its listeners and leaves the source paused.
#[test]
fn destination_close_unpipes_and_pauses_the_source() {
    bounded(|| {
        let log = Log::new();
        let sink = net::create_server(must_call!(move |socket: Socket| {
            socket.destroy();
        }));
        let relay = net::create_server(must_call!(move |source: Socket| {
            let port = sink.address().unwrap().port;
            let destination = net::connect(port, HOST, |_| {});
            source.pause();
            source.pipe(destination);
            assert!(!source.is_paused());
            assert_eq!(source.listener_count(Data), 1);
            destination.on(Error, move |_err| {});
            destination.on(
                Close,
                must_call!(move |_had_error| {
                    log.push("destination closed");
                    assert!(source.is_paused());
                    assert_eq!(source.listener_count(Data), 0);
                    assert_eq!(source.listener_count(End), 0);
                    source.destroy();
                }),
            );
        }));
        sink.listen((0, HOST), || {}).unwrap();
        listen_then(relay, HOST, move |port| {
            let socket = net::connect(port, HOST, |_| {});
            socket.on(
                Close,
                must_call!(move |_had_error| {
                    log.push("source peer closed");
                    relay.close(());
                    sink.close(());
                }),
            );
        });
        run_and_check();
        log.assert_eq(&["destination closed", "source peer closed"]);
    });
}
