//! A socket as Node's Duplex stream: nothing is lost before a listener exists, a socket nobody
//! reads stops reading at its high-water mark, `Socket::new` sockets reconnect any number of
//! times, churn does not grow memory, and a stale handle is never silent.

#[macro_use]
mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::*;
use nodenet::prelude::*;

const HOST: &str = "127.0.0.1";

/// One read of the loop's buffer: a socket nobody consumes holds at most the high-water mark
/// plus what the read that crossed it brought.
const ONE_READ: usize = 64 * 1024;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// A server adds its 'data' listener 200 ms after the connection, while the client has sent
/// 1 MiB and ended: every byte arrives, in order, then 'end'; meanwhile the socket holds no
/// more than the high-water mark plus one read.
#[test]
fn late_data_listener_gets_every_byte_then_end() {
    bounded(|| {
        const TOTAL: usize = 1024 * 1024;
        let received = Rc::new(RefCell::new(Vec::with_capacity(TOTAL)));
        let log = Log::new();
        let got = received.clone();
        let server = net::create_server(must_call!(move |client: Socket| {
            assert_eq!(client.readable_flowing(), None);
            let got = got.clone();
            nodenet::set_timeout(200, move || {
                let held = client.readable_length();
                assert!(held > 0, "nothing was kept for the late listener");
                assert!(held <= 16 * 1024 + ONE_READ, "{held} bytes held");
                log.push("listener added");
                client.on(Data, move |data| got.borrow_mut().extend_from_slice(&data));
                client.on(End, must_call!(move || log.push("end")));
            });
        }));
        listen_then_client(server, HOST, move |port| {
            net::connect(port, HOST, |socket| {
                socket.end_with(pattern(TOTAL));
            })
        });
        run_and_check();
        log.assert_eq(&["listener added", "end"]);
        assert!(
            *received.borrow() == pattern(TOTAL),
            "bytes lost or reordered"
        );
    });
}

/// A proxy that pipes only once its upstream has connected to "localhost" (a name lookup
/// away) loses none of the client's first writes: they wait in the client socket.
#[test]
fn proxy_keeps_the_first_bytes_until_the_pipe_exists() {
    bounded(|| {
        let echo = net::create_server(|upstream| {
            upstream.pipe(upstream);
        });
        let log = Log::new();
        listen_then(echo, HOST, move |echo_port| {
            let proxy = net::create_server(move |client: Socket| {
                let upstream = net::connect(echo_port, "localhost", move |upstream| {
                    client.pipe(upstream);
                    upstream.pipe(client);
                });
                upstream.on(Close, move |_| {
                    echo.close(());
                });
            });
            listen_then_client(proxy, HOST, move |port| {
                let socket = net::connect(port, HOST, |socket| {
                    for i in 0..5 {
                        socket.write(format!("{i};"));
                    }
                });
                let all = socket_text(socket);
                let echoed = Rc::clone(&all);
                // Ended once everything came back: the proxy's side does not allow half-open,
                // so our FIN would end its side too before the echo returned, as in Node.
                socket.on(Data, move |_| {
                    if echoed.borrow().len() == 10 {
                        socket.end();
                    }
                });
                socket.on(End, must_call!(move || log.push(all.borrow().clone())));
                socket
            });
        });
        run_and_check();
        log.assert_eq(&["0;1;2;3;4;"]);
    });
}

/// The text a socket received, gathered by a 'data' listener.
fn socket_text(socket: Socket) -> Rc<RefCell<String>> {
    let all = Rc::new(RefCell::new(String::new()));
    let sink = Rc::clone(&all);
    socket.on(Data, move |data| {
        sink.borrow_mut().push_str(&data.to_string())
    });
    all
}

/// A server that never reads while the client writes for 3 s: the server's socket holds at
/// most the high-water mark plus one read, the client's `write` returns false, and 'drain'
/// waits, because TCP backpressure reaches the writer.
#[test]
fn a_server_that_never_reads_meets_backpressure_not_memory() {
    bounded(|| {
        let accepted = Slot::<Socket>::new();
        let most_held = Rc::new(Cell::new(0usize));
        let server = net::create_server(move |client: Socket| {
            accepted.set(client);
        });
        let drained = Rc::new(Cell::new(false));
        let refused = Rc::new(Cell::new(false));
        let (h, d, r) = (most_held.clone(), drained.clone(), refused.clone());
        listen_then(server, HOST, move |port| {
            let chunk = vec![7u8; ONE_READ];
            let client = net::connect(port, HOST, |_| {});
            client.on(Drain, move || d.set(true));
            client.on(Error, |_err| {});
            let started = Instant::now();
            let poll = Rc::new(Cell::new(None));
            let p = poll.clone();
            let timer = nodenet::set_interval(10, move || {
                while client.write(&chunk) {}
                r.set(true);
                if accepted.is_some() {
                    h.set(h.get().max(accepted.get().readable_length()));
                }
                if started.elapsed() >= Duration::from_secs(3) {
                    if let Some(timer) = p.take() {
                        nodenet::clear_interval(timer);
                    }
                    client.destroy();
                    accepted.get().destroy();
                    server.close(());
                }
            });
            poll.set(Some(timer));
        });
        run_and_check();
        assert!(refused.get(), "write never returned false");
        assert!(!drained.get(), "'drain' came although nobody read");
        let held = most_held.get();
        assert!(held > 0, "the server kept nothing");
        assert!(held <= 16 * 1024 + ONE_READ, "{held} bytes held");
    });
}

/// Node's reconnect idiom with listeners attached once: three reconnects from a timer after
/// 'close', against a server that is there, goes away, and comes back.
#[test]
fn reconnect_from_a_timer_after_close_three_times() {
    bounded(|| {
        let log = Log::new();
        let socket = Socket::new(SocketOptions::default());
        let port = Rc::new(Cell::new(0u16));
        let server = Slot::<Server>::new();
        let cycle = Rc::new(Cell::new(0));
        fn serve(port: Rc<Cell<u16>>, server: Slot<Server>, then: impl FnOnce() + 'static) {
            let s = net::create_server(|client| {
                client.on(Data, move |data| {
                    client.end_with(data);
                });
            });
            server.set(s);
            s.listen((port.get(), HOST), move || {
                port.set(s.address().unwrap().port);
                then();
            })
            .unwrap();
        }
        socket.on(Connect, move || {
            log.push("connect");
            socket.write("hi");
        });
        socket.on(Data, move |data| log.push(format!("data {data}")));
        socket.on(End, move || log.push("end"));
        socket.on(Error, move |err| {
            log.push(format!("error {}", err.code().unwrap()))
        });
        let (p, c) = (port.clone(), cycle.clone());
        socket.on(Close, move |had_error| {
            log.push(format!("close {had_error}"));
            c.set(c.get() + 1);
            let p = p.clone();
            match c.get() {
                // The server goes away; the next attempt is refused.
                1 => {
                    server.get().close(move || {
                        nodenet::set_timeout(20, move || {
                            socket.connect(p.get(), HOST, ());
                        });
                    });
                }
                // It comes back on the same port.
                2 => {
                    serve(p.clone(), server, move || {
                        nodenet::set_timeout(20, move || {
                            socket.connect(p.get(), HOST, ());
                        });
                    });
                }
                3 => {
                    nodenet::set_timeout(20, move || {
                        socket.connect(p.get(), HOST, ());
                    });
                }
                _ => {
                    server.get().close(());
                    socket.release();
                }
            };
        });
        let p = port.clone();
        serve(port.clone(), server, move || {
            socket.connect(p.get(), HOST, ());
        });
        run_and_check();
        log.assert_eq(&[
            "connect",
            "data hi",
            "end",
            "close false", // the server is there
            "error ECONNREFUSED",
            "close true", // ...gone
            "connect",
            "data hi",
            "end",
            "close false", // ...back
            "connect",
            "data hi",
            "end",
            "close false",
        ]);
    });
}

/// Logs kept by a test logger, to see what the crate warns.
static LOGGED: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            LOGGED
                .get_or_init(Mutex::default)
                .lock()
                .unwrap()
                .push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

fn warnings_about(method: &str) -> usize {
    LOGGED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.starts_with(&format!("socket.{method}() ignored on a stale")))
        .count()
}

/// A method on a socket the loop has reclaimed is never silent: one warning per handle
/// naming the method and the way out; `write` returns false; `connect` sends
/// `ERR_STALE_HANDLE` to the unhandled-error policy, so `run()` returns it.
#[test]
fn a_stale_handle_warns_once_and_connect_fails_loudly() {
    let _ = log::set_boxed_logger(Box::new(Capture));
    log::set_max_level(log::LevelFilter::Warn);
    bounded(|| {
        let socket = net::connect(1, HOST, |_| {});
        socket.on(Error, |_err| {});
        nodenet::run().unwrap();
        assert!(!socket.write("x"));
        assert!(!socket.write("y"));
        assert_eq!(warnings_about("write"), 1);
        socket.pause();
        assert_eq!(
            warnings_about("pause"),
            0,
            "once per handle, whatever the method"
        );
        socket.connect(1, HOST, ());
        let error = nodenet::run().unwrap_err();
        assert_eq!(error.code(), Some("ERR_STALE_HANDLE"));
        assert!(
            error.message().contains("Socket::new"),
            "{}",
            error.message()
        );
        let lines = LOGGED.get_or_init(Mutex::default).lock().unwrap().clone();
        assert!(
            lines
                .iter()
                .any(|line| line.contains("reclaimed after 'close'")),
            "{lines:?}"
        );
        assert_loop_empty();
    });
}

/// `set_encoding` applies to bytes that were buffered before it, and a character split across
/// the buffered bytes and later ones stays whole.
#[test]
fn set_encoding_decodes_bytes_already_buffered() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(must_call!(move |client: Socket| {
            nodenet::set_timeout(100, move || {
                assert_eq!(client.readable_length(), 4);
                client.set_encoding(nodenet::string_decoder::Encoding::Utf8);
                client.on(Data, move |text| {
                    log.push(text.as_str().unwrap().to_string())
                });
                client.on(End, must_call!(move || log.push("end")));
            });
        }));
        listen_then_client(server, HOST, move |port| {
            net::connect(port, HOST, |socket| {
                socket.end_with([0x68, 0xc3, 0xa9, 0x21]);
            })
        });
        run_and_check();
        log.assert_eq(&["hé!", "end"]);
    });
}

/// Paused mode: 'readable' tells of data and of the end; `read_size(n)` hands out exactly `n`
/// bytes, and the short rest at EOF; 'end' follows once everything has been read.
#[test]
fn readable_and_read_size_follow_nodes_paused_mode() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(must_call!(move |client: Socket| {
            client.on(Readable, move || {
                log.push(format!("readable {}", client.readable_length()));
                while let Some(bytes) = client.read_size(3) {
                    log.push(format!("read {}", String::from_utf8_lossy(&bytes)));
                }
            });
            assert_eq!(client.readable_flowing(), Some(false));
            client.on(End, must_call!(move || log.push("end")));
        }));
        listen_then_client(server, HOST, move |port| {
            net::connect(port, HOST, |socket| {
                socket.end_with("abcdefgh");
            })
        });
        run_and_check();
        let entries = log.entries();
        let reads: Vec<_> = entries.iter().filter(|e| e.starts_with("read ")).collect();
        assert_eq!(reads, ["read abc", "read def", "read gh"]);
        assert_eq!(entries.last().map(String::as_str), Some("end"));
    });
}

/// `pause()` on a client before it connects: it reads nothing until `resume()`, as Node's
/// afterConnect starts reading only when not paused; then the bytes and 'end' arrive.
#[test]
fn a_client_paused_before_connect_reads_nothing_until_resumed() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(|client| {
            client.end_with("hello");
        });
        listen_then_client(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |_| {});
            socket.pause();
            socket.on(Data, move |data| log.push(format!("data {data}")));
            socket.on(End, must_call!(move || log.push("end")));
            nodenet::set_timeout(100, move || {
                assert_eq!(socket.bytes_read(), 0);
                log.push("resume");
                socket.resume();
            });
            socket
        });
        run_and_check();
        log.assert_eq(&["resume", "data hello", "end"]);
    });
}

/// A socket that never connected times out as Node's does: its idle timer does not keep the
/// loop alive, but fires while something else does; the socket is not destroyed by it.
#[test]
fn a_never_connected_socket_times_out_as_nodes_does() {
    bounded(|| {
        let socket = Socket::new(SocketOptions::default());
        socket.set_timeout(20, must_not_call!(||));
        nodenet::run().unwrap(); // nothing keeps the loop alive: returns at once
        assert_eq!(socket.timeout(), Some(20));
        socket.release();
        run_and_check();

        let log = Log::new();
        let socket = Socket::new(SocketOptions::default());
        socket.set_timeout(
            20,
            must_call!(move || log.push(format!("timeout destroyed={}", socket.destroyed()))),
        );
        nodenet::set_timeout(80, move || {
            log.push("later");
            socket.set_timeout(0, ());
            assert_eq!(socket.timeout(), Some(0));
            socket.destroy();
        });
        socket.on(
            Close,
            must_call!(move |had_error| log.push(format!("close {had_error}"))),
        );
        nodenet::run().unwrap();
        socket.release();
        run_and_check();
        log.assert_eq(&["timeout destroyed=false", "later", "close false"]);
    });
}

/// Node exits while a paused socket's buffer is full: push() said stop, libuv's readStop left
/// the handle inactive, and nothing else was pending (`net.connect(port, () => {}).on('data',
/// () => s.pause())` against a peer that sends 1 MiB prints its exit with 65536 buffered).
/// `run()` returns there too; resuming later reads on from where it stopped, and every byte
/// arrives, in order.
#[test]
fn a_paused_socket_with_a_full_buffer_does_not_keep_the_loop_alive() {
    bounded(|| {
        const TOTAL: usize = 1024 * 1024;
        let listener = bound_listener(HOST);
        let port = listener.local_addr().unwrap().port();
        let peer = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut stream, _) = listener.accept().unwrap();
            stream.write_all(&pattern(TOTAL)).unwrap();
            stream.shutdown(std::net::Shutdown::Write).unwrap();
            let mut rest = Vec::new();
            stream.read_to_end(&mut rest).unwrap();
            rest.len()
        });

        let received = Rc::new(RefCell::new(Vec::with_capacity(TOTAL)));
        let got = received.clone();
        let socket = net::connect(port, HOST, |_| {});
        socket.once(
            Data,
            must_call!(move |data| {
                got.borrow_mut().extend_from_slice(&data);
                socket.pause();
            }),
        );
        nodenet::run().unwrap();
        // Stopped at the mark: held bytes are at least the mark, at most it plus one read.
        let held = socket.readable_length();
        assert!(
            held >= socket.readable_high_water_mark() && held <= 16 * 1024 + ONE_READ,
            "held {held}"
        );
        assert!(!socket.destroyed());
        assert_eq!(nodenet::loop_stats().sockets, 1);

        let got = received.clone();
        socket.on(Data, move |data| got.borrow_mut().extend_from_slice(&data));
        socket.on(End, must_call!(|| {}));
        socket.on(Close, must_call!(|had_error| assert!(!had_error)));
        socket.resume();
        run_and_check();
        assert_eq!(received.borrow().len(), TOTAL);
        assert!(*received.borrow() == pattern(TOTAL), "bytes out of order");
        assert_eq!(peer.join().unwrap(), 0);
    });
}
