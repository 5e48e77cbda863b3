//! Node's own tests about the `net.Socket` lifecycle (connect, reconnect, end, destroy, close)
//! and the Readable side of a socket (pause/resume, 'readable', read(n), setEncoding, 'end'),
//! ported one `#[test]` per Node file and named after it. Each asserts what Node v20's test
//! asserts; `docs/conformance.md` has the table of ported, differing and skipped tests.

mod common;

use std::cell::{Cell, RefCell};
use std::os::fd::AsRawFd;

use common::*;
use nodenet::event::Lookup;
use nodenet::prelude::*;
use nodenet::string_decoder::Encoding;

/// A server on 127.0.0.1 whose accepted sockets get `on_client`; `then(server, port)` once
/// listening.
fn serve(
    on_client: impl FnMut(Socket) + 'static,
    then: impl FnOnce(Server, u16) + 'static,
) -> Server {
    let server = net::create_server(on_client);
    listen_then(server, "127.0.0.1", move |port| then(server, port));
    server
}

/// A leaked counter, `Copy` so every `move` closure can capture it.
fn counter() -> &'static Cell<usize> {
    Box::leak(Box::new(Cell::new(0)))
}

/// A leaked text buffer, `Copy` so every `move` closure can capture it.
fn text() -> &'static RefCell<String> {
    Box::leak(Box::new(RefCell::new(String::new())))
}

/// A port nothing listens on: bound, read and closed again.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}

/// test-net-socket-constructor.js: `new net.Socket()` is readable and writable (v20 asserts
/// true, true); so is an accepted socket, and a `net.connect()` socket both right after the
/// call and in its connect callback. Also the rest of the initial state Node v20 shows for
/// `new net.Socket()` (readyState "open", pending, not connecting, flowing null, HWMs 16384,
/// no timeout, zero bytes, allowHalfOpen false, no addresses) and the options it takes.
#[test]
fn test_net_socket_constructor() {
    bounded(|| {
        let socket = Socket::new(SocketOptions::default());
        assert!(socket.readable());
        assert!(socket.writable());
        assert_eq!(socket.ready_state(), ReadyState::Open);
        assert!(socket.pending());
        assert!(!socket.connecting());
        assert!(!socket.destroyed());
        assert_eq!(socket.readable_flowing(), None);
        assert!(!socket.is_paused());
        assert_eq!(socket.readable_high_water_mark(), 16384);
        assert_eq!(socket.writable_high_water_mark(), 16384);
        assert_eq!(socket.timeout(), None);
        assert_eq!(socket.bytes_read(), 0);
        assert_eq!(socket.bytes_written(), 0);
        assert!(!socket.allow_half_open());
        assert_eq!(socket.remote_address(), None);
        assert_eq!(socket.remote_port(), None);
        assert_eq!(socket.local_address(), None);
        assert_eq!(socket.local_port(), None);
        assert!(socket.address().is_none());
        assert_eq!(socket.readable_length(), 0);
        assert_eq!(socket.writable_length(), 0);
        assert!(!socket.readable_ended());
        assert!(!socket.writable_ended());
        assert!(!socket.writable_finished());
        assert_eq!(socket.as_raw_fd(), -1);
        socket.release();

        let socket = Socket::new(SocketOptions {
            allow_half_open: true,
            readable_high_water_mark: Some(100),
            ..SocketOptions::default()
        });
        assert!(socket.allow_half_open());
        assert_eq!(socket.readable_high_water_mark(), 100);
        assert_eq!(socket.writable_high_water_mark(), 16384);
        socket.release();

        let socket = Socket::new(SocketOptions {
            high_water_mark: Some(0),
            ..SocketOptions::default()
        });
        assert_eq!(socket.readable_high_water_mark(), 0);
        assert_eq!(socket.writable_high_water_mark(), 0);
        socket.release();

        serve(
            must_call!(move |accepted: Socket| {
                assert!(accepted.readable());
                assert!(accepted.writable());
                accepted.end();
            }),
            |server, port| {
                let client = net::connect(
                    port,
                    "127.0.0.1",
                    must_call!(move |client: Socket| {
                        assert!(client.readable());
                        assert!(client.writable());
                        client.end();
                    }),
                );
                assert!(client.readable());
                assert!(client.writable());
                assert_eq!(client.ready_state(), ReadyState::Opening);
                assert!(client.pending());
                assert!(client.connecting());
                client.on(Close, move |_had_error| {
                    server.close(());
                });
            },
        );
        run_and_check();
    });
}

/// test-net-connect-after-destroy.js: `net.createConnection(port, host)` then `destroy()` at
/// once must not crash when the lookup finishes later: 'close' once, no 'error', no
/// 'connect'.
#[test]
fn test_net_connect_after_destroy() {
    bounded(|| {
        let c = net::connect(closed_port(), "localhost", must_not_call!(|_c|));
        c.on(Error, must_not_call!(|_err|));
        c.on(Connect, must_not_call!());
        c.on(Close, must_call!(|had_error| assert!(!had_error)));
        c.destroy();
        run_and_check();
    });
}

/// test-net-connect-after-destroy.js, the events Node v20 emits (checked with node v20.20.2,
/// 50 runs out of 50): only 'close' (false); the lookup that completes after the destroy
/// emits no 'lookup' (lookupAndConnectMultiple returns early once `!connecting`).
#[test]
fn test_net_connect_after_destroy_no_lookup() {
    bounded(|| {
        let log = Log::new();
        let c = net::connect(closed_port(), "localhost", must_not_call!(|_c|));
        c.on(Lookup, move |info| log.push(format!("lookup {info:?}")));
        c.on(Error, move |err| log.push(format!("error {err:?}")));
        c.on(Connect, move || log.push("connect"));
        c.on(
            Close,
            must_call!(move |had_error| {
                log.push(format!("close {had_error}"));
            }),
        );
        c.destroy();
        run_and_check();
        log.assert_eq(&["close false"]);
    });
}

/// test-net-reconnect.js: the server resumes, writes "hello\r\n" and ends on 'end', and
/// sees no error; the client (one `net.Socket`, `setEncoding('UTF8')`) gets "hello\r\n",
/// ends, counts 'end', and reconnects from 'close' (had_error false) 50 times. Exit:
/// 51 disconnects, 51 received chunks, 51 'end's.
#[test]
fn test_net_reconnect() {
    const N: usize = 50;
    bounded(|| {
        let client_recv = counter();
        let client_end = counter();
        let disconnects = counter();
        serve(
            move |s: Socket| {
                s.resume();
                s.write("hello\r\n");
                s.on(End, move || {
                    s.end();
                });
                s.on(Close, |had_error| assert!(!had_error));
            },
            move |server, port| {
                let client = Socket::new(SocketOptions::default());
                client.set_encoding(Encoding::Utf8);
                client.on(Data, move |chunk| {
                    client_recv.set(client_recv.get() + 1);
                    assert_eq!(chunk.as_str(), Some("hello\r\n"));
                    client.end();
                });
                client.on(End, move || client_end.set(client_end.get() + 1));
                client.on(Close, move |had_error| {
                    assert!(!had_error);
                    disconnects.set(disconnects.get() + 1);
                    if disconnects.get() <= N {
                        client.connect(port, "127.0.0.1", ());
                    } else {
                        client.release();
                        server.close(());
                    }
                });
                client.connect(port, "127.0.0.1", ());
            },
        );
        run_and_check();
        assert_eq!(disconnects.get(), N + 1);
        assert_eq!(client_recv.get(), N + 1);
        assert_eq!(client_end.get(), N + 1);
    });
}

/// test-net-reconnect-error.js: connecting where nothing listens never emits 'connect';
/// each attempt gives one 'error' with code ECONNREFUSED, then 'close' (true), from which the
/// same socket reconnects, 20 times. Exit: 21 disconnects, 21 errors.
#[test]
fn test_net_reconnect_error() {
    const N: usize = 20;
    bounded(|| {
        let port = closed_port();
        let errors = counter();
        let disconnects = counter();
        let log = Log::new();
        let c = Socket::new(SocketOptions::default());
        c.on(Connect, must_not_call!());
        c.on(Error, move |err| {
            assert_eq!(err.code(), Some("ECONNREFUSED"));
            assert_eq!(
                err.message(),
                format!("connect ECONNREFUSED 127.0.0.1:{port}")
            );
            log.push("error");
            errors.set(errors.get() + 1);
        });
        c.on(Close, move |had_error| {
            log.push(format!("close {had_error}"));
            disconnects.set(disconnects.get() + 1);
            if disconnects.get() <= N {
                c.connect(port, "127.0.0.1", ());
            } else {
                c.release();
            }
        });
        c.connect(port, "127.0.0.1", ());
        run_and_check();
        assert_eq!(disconnects.get(), N + 1);
        assert_eq!(errors.get(), N + 1);
        let expected: Vec<&str> = (0..=N).flat_map(|_| ["error", "close true"]).collect();
        log.assert_eq(&expected);
    });
}

/// test-net-pause-resume-connecting.js: five clients call pause/resume before connecting and
/// then add a 'data' listener; the last call wins: `resume()`, `pause(); resume()` and
/// `resume(); pause(); resume()` get the server's data; `pause()` and
/// `resume(); resume(); pause()` get none (mustNotCall) until, 100 ms later, the listener is
/// removed and the socket resumed. Exit: 5 connections, 3 'data' events.
#[test]
fn test_net_pause_resume_connecting() {
    bounded(|| {
        let connections = counter();
        let data_events = counter();
        serve(
            move |conn: Socket| {
                connections.set(connections.get() + 1);
                conn.end_with("This was the year he fell to pieces.");
                if connections.get() == 5 {
                    conn.server()
                        .expect("an accepted socket's server")
                        .close(());
                }
            },
            move |_server, port| {
                let on_data = move |_data: Chunk| data_events.set(data_events.get() + 1);
                // 1: resume, then a data listener: data.
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.resume();
                c.on(Data, on_data);
                // 2: pause, resume: data.
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.pause();
                c.resume();
                c.on(Data, on_data);
                // 3: pause: no data until removed and resumed.
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.pause();
                c.on(Data, must_not_call!(|_d|));
                nodenet::set_timeout(100, move || {
                    c.remove_all_listeners(Data);
                    c.resume();
                });
                // 4: resume, pause, resume: data.
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.resume();
                c.pause();
                c.resume();
                c.on(Data, on_data);
                // 5: resume, resume, pause: no data until removed and resumed.
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.resume();
                c.resume();
                c.pause();
                c.on(Data, must_not_call!(|_d|));
                nodenet::set_timeout(100, move || {
                    c.remove_all_listeners(Data);
                    c.resume();
                });
            },
        );
        run_and_check();
        assert_eq!(connections.get(), 5);
        assert_eq!(data_events.get(), 3);
    });
}

/// test-net-socket-destroy-send.js (v20): on connect, `destroy().destroy()` returns the
/// socket (destroy is idempotent); no 'error'; a later `write(buf, cb)` calls cb with
/// ERR_STREAM_DESTROYED "Cannot call write after a stream was destroyed".
#[test]
fn test_net_socket_destroy_send() {
    bounded(|| {
        serve(
            |_s| {},
            |server, port| {
                let c = net::connect(
                    port,
                    "127.0.0.1",
                    must_call!(move |conn: Socket| {
                        assert_eq!(conn.destroy().destroy(), conn);
                        conn.on(Error, must_not_call!(|_e|));
                        conn.write_with_callback(
                            &b"kaboom"[..],
                            must_call!(move |err: Option<&nodenet::Error>| {
                                let err = err.expect("an error");
                                assert_eq!(err.code(), Some("ERR_STREAM_DESTROYED"));
                                assert_eq!(
                                    err.message(),
                                    "Cannot call write after a stream was destroyed"
                                );
                                server.close(());
                            }),
                        );
                    }),
                );
                c.on(Close, must_call!(|_had_error| {}));
            },
        );
        run_and_check();
    });
}

/// test-net-socket-end-before-connect.js: `end()` right after `net.createConnection()`;
/// 'close' is emitted once. Node v20's order: connect, ready, finish, end, close(false).
#[test]
fn test_net_socket_end_before_connect() {
    bounded(|| {
        let log = Log::new();
        serve(
            |_s| {},
            move |server, port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.end();
                c.on(Connect, move || log.push("connect"));
                c.on(Ready, move || log.push("ready"));
                c.on(Finish, move || log.push("finish"));
                c.on(End, move || log.push("end"));
                c.on(
                    Close,
                    must_call!(move |had_error| {
                        log.push(format!("close {had_error}"));
                        server.close(());
                    }),
                );
            },
        );
        run_and_check();
        log.assert_eq(&["connect", "ready", "finish", "end", "close false"]);
    });
}

/// test-net-socket-timeout-unref.js: an unref'd server writes "hello" and unrefs each
/// connection; six clients each connect (mustCall), then get `setTimeout(T s, fail)` and
/// `unref()`: the loop must end at once without any timeout firing. (The sockets are then
/// destroyed and the loop run again so the test ends with an empty loop.)
#[test]
fn test_net_socket_timeout_unref() {
    bounded(|| {
        let sockets: &'static RefCell<Vec<Socket>> = Box::leak(Box::default());
        let connected = counter();
        let server = serve(
            move |s: Socket| {
                s.write("hello");
                s.unref();
                sockets.borrow_mut().push(s);
            },
            move |_server, port| {
                let clients: &'static RefCell<Vec<Socket>> = Box::leak(Box::default());
                for _ in 0..6 {
                    let c = net::connect(
                        port,
                        "127.0.0.1",
                        must_call!(move |_c: Socket| {
                            connected.set(connected.get() + 1);
                            if connected.get() == 6 {
                                for (c, t) in clients.borrow().iter().zip([8, 5, 3, 6, 2, 4]) {
                                    c.set_timeout(t * 1000, must_not_call!());
                                    c.unref();
                                }
                            }
                        }),
                    );
                    c.on(Data, |_d| {});
                    clients.borrow_mut().push(c);
                    sockets.borrow_mut().push(c);
                }
            },
        );
        server.unref();
        let started = std::time::Instant::now();
        nodenet::run().expect("run");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(connected.get(), 6);
        for s in sockets.borrow().iter() {
            s.destroy();
        }
        server.close(());
        run_and_check();
    });
}

/// test-net-end-destroyed.js: the server gets one connection; the client, on connect, adds
/// an 'end' listener (mustCall) that sees `destroyed === false`, then calls `end()`.
#[test]
fn test_net_end_destroyed() {
    bounded(|| {
        serve(must_call!(|_s: Socket| {}), |server, port| {
            let c = net::connect(
                port,
                "127.0.0.1",
                must_call!(move |c: Socket| {
                    c.on(
                        End,
                        must_call!(move || {
                            assert!(!c.destroyed());
                        }),
                    );
                    c.end();
                }),
            );
            c.on(
                Close,
                must_call!(move |_had_error| {
                    assert!(c.destroyed());
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-net-socket-end-callback.js: three clients call `end(cb)`, `end('foo', cb)` and
/// `end('foo', 'utf8', cb)` on connect; the server resumes each connection and is unref'd;
/// the shared callback runs exactly 3 times, without an error. (The encoding variant is
/// JS-only; here it is `write("foo")` then `end(cb)`.)
#[test]
fn test_net_socket_end_callback() {
    bounded(|| {
        let cb = must_call!(3, |err: Option<&nodenet::Error>| {
            assert!(err.is_none(), "{err:?}");
        });
        let server = serve(
            |s: Socket| {
                s.resume();
            },
            move |_server, port| {
                net::connect(port, "127.0.0.1", move |c| {
                    c.end_with_callback(cb);
                });
                net::connect(port, "127.0.0.1", move |c| {
                    c.write("foo");
                    c.end_with_callback(cb);
                });
                net::connect(port, "127.0.0.1", move |c| {
                    c.write(&b"foo"[..]);
                    c.end_with_callback(cb);
                });
            },
        );
        server.unref();
        nodenet::run().expect("run");
        server.close(());
        run_and_check();
    });
}

/// test-net-after-close.js: the server ends; in the client's 'close' the handle is gone
/// (`_handle === null`, here fd -1) and setNoDelay, setKeepAlive, bufferSize, pause, resume,
/// address, remoteAddress, remotePort do not throw (values undefined / {}).
#[test]
fn test_net_after_close() {
    bounded(|| {
        serve(
            |s: Socket| {
                s.end();
            },
            |server, port| {
                let c = Socket::new(SocketOptions::default());
                c.resume();
                c.on(
                    Close,
                    must_call!(move |_had_error| {
                        assert_eq!(c.as_raw_fd(), -1);
                        c.set_no_delay(true);
                        c.set_keep_alive(true, 0);
                        let _ = c.writable_length();
                        c.pause();
                        c.resume();
                        assert!(c.address().is_none());
                        // Node's test only asserts these do not throw. (Node v20 gives
                        // undefined here unless remoteAddress was read while connected,
                        // which caches it; nodenet keeps the peer's address after close.)
                        let _ = c.remote_address();
                        let _ = c.remote_port();
                        c.release();
                        server.close(());
                    }),
                );
                c.connect(port, "127.0.0.1", ());
            },
        );
        run_and_check();
    });
}

/// The socket's TCP_NODELAY as the OS has it, read through its descriptor.
fn os_no_delay(s: Socket) -> bool {
    // SAFETY: the socket is connected, so its descriptor is open for this borrow.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(s.as_raw_fd()) };
    socket2::SockRef::from(&fd)
        .tcp_nodelay()
        .expect("getsockopt")
}

/// Sets TCP_NODELAY behind the socket's back, so a later `set_no_delay` that reaches the OS
/// shows.
fn set_os_no_delay(s: Socket, on: bool) {
    // SAFETY: the socket is connected, so its descriptor is open for this borrow.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(s.as_raw_fd()) };
    socket2::SockRef::from(&fd)
        .set_tcp_nodelay(on)
        .expect("setsockopt");
}

/// The socket's SO_KEEPALIVE as the OS has it.
fn os_keep_alive(s: Socket) -> bool {
    // SAFETY: the socket is connected, so its descriptor is open for this borrow.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(s.as_raw_fd()) };
    socket2::SockRef::from(&fd).keepalive().expect("getsockopt")
}

/// Whether `set_no_delay(on)` reached the OS: the OS flag is set to the opposite first.
fn reaches_os(s: Socket, on: bool) -> bool {
    set_os_no_delay(s, !on);
    assert_eq!(s.set_no_delay(on), s, "setNoDelay returns the socket");
    os_no_delay(s) == on
}

/// test-net-socket-setnodelay.js (v20): the handle's setNoDelay is called only when the
/// value changes, starting from false: `setNoDelay(true)` calls it once with true; five
/// truthy calls make exactly 1 call; falsy calls on a fresh socket make none; true, false,
/// true make 3; setNoDelay returns the socket. Here the handle is a real connected socket and
/// a call is seen by flipping TCP_NODELAY behind its back first.
#[test]
fn test_net_socket_setnodelay() {
    bounded(|| {
        serve(
            |s: Socket| {
                s.resume();
                s.on(End, move || {
                    s.end();
                });
            },
            |server, port| {
                let closed = counter();
                let done = move || {
                    closed.set(closed.get() + 1);
                    if closed.get() == 4 {
                        server.close(());
                    }
                };
                let connect = move |check: fn(Socket)| {
                    let c = net::connect(
                        port,
                        "127.0.0.1",
                        must_call!(move |c: Socket| {
                            assert!(!os_no_delay(c), "TCP_NODELAY starts off");
                            check(c);
                            c.end();
                        }),
                    );
                    c.resume();
                    c.on(Close, move |_had_error| done());
                };
                // setNoDelay(true): one call, with true.
                connect(|c| assert!(reaches_os(c, true)));
                // Five truthy calls: exactly one reaches the OS.
                connect(|c| {
                    let calls = (0..5).filter(|_| reaches_os(c, true)).count();
                    assert_eq!(calls, 1);
                });
                // Falsy calls on a fresh socket: none reaches the OS.
                connect(|c| {
                    let calls = (0..3).filter(|_| reaches_os(c, false)).count();
                    assert_eq!(calls, 0);
                });
                // true, false, true: three calls.
                connect(|c| {
                    let calls = [true, false, true]
                        .into_iter()
                        .filter(|&on| reaches_os(c, on))
                        .count();
                    assert_eq!(calls, 3);
                });
            },
        );
        run_and_check();
    });
}

/// test-net-persistent-keepalive.js: `new net.Socket()`, `setKeepAlive(true, 400)` before
/// connect returns the socket, then `connect(port)` and `setTimeout(0)`; the echo server
/// checks 600 ms later that both sockets are still 'open', then both end. (Node v20 applies
/// the stored keep-alive in afterConnect, before 'connect': SO_KEEPALIVE is on there.)
#[test]
fn test_net_persistent_keepalive() {
    bounded(|| {
        let client: Slot<Socket> = Slot::new();
        serve(
            must_call!(move |conn: Socket| {
                conn.pipe(conn);
                conn.on(End, move || {
                    conn.end();
                });
                nodenet::set_timeout(
                    600,
                    must_call!(move || {
                        let c = client.get();
                        assert_eq!(conn.ready_state(), ReadyState::Open);
                        assert_eq!(c.ready_state(), ReadyState::Open);
                        conn.end();
                        c.end();
                        conn.server().expect("its server").close(());
                    }),
                );
            }),
            move |_server, port| {
                let c = Socket::new(SocketOptions::default());
                client.set(c);
                assert_eq!(c.set_keep_alive(true, 400), c);
                c.on(
                    Connect,
                    must_call!(move || {
                        assert!(os_keep_alive(c), "keep-alive applied before 'connect'");
                    }),
                );
                c.on(
                    Close,
                    must_call!(move |had_error| {
                        assert!(!had_error);
                        c.release();
                    }),
                );
                c.connect(port, "127.0.0.1", ());
                c.set_timeout(0, ());
            },
        );
        run_and_check();
    });
}

/// Node's test-net-connect-buffer.js and test-net-connect-buffer2.js (the same test in v20):
/// `net.Stream({highWaterMark: 0})` is pending; after `connect(port, cb)` it is pending,
/// connecting and 'opening'; `write("L'État, c'est ", cb)` returns false (HWM 0) and counts
/// 15 bytes at once; `end('moi')` leaves it 'opening'; the write cb runs after the connect
/// cb, with bytesWritten 18 and pending false; 'close' sees pending true; the server reads
/// "L'État, c'est moi".
fn connect_buffer() {
    bounded(|| {
        serve(
            must_call!(move |s: Socket| {
                s.server().expect("its server").close(());
                let buf = text();
                s.set_encoding(Encoding::Utf8);
                s.on(Data, move |d| {
                    buf.borrow_mut().push_str(d.as_str().unwrap())
                });
                s.on(
                    End,
                    must_call!(move || {
                        assert_eq!(*buf.borrow(), "L'État, c'est moi");
                        s.end();
                    }),
                );
            }),
            |_server, port| {
                let connected: &'static Cell<bool> = Box::leak(Box::new(Cell::new(false)));
                let socket = Socket::new(SocketOptions {
                    high_water_mark: Some(0),
                    ..SocketOptions::default()
                });
                assert!(socket.pending());
                socket.connect(port, "127.0.0.1", must_call!(move || connected.set(true)));
                assert!(socket.pending());
                assert!(socket.connecting());
                assert_eq!(socket.ready_state(), ReadyState::Opening);
                let a = "L'État, c'est ";
                let b = "moi";
                let r = socket.write_with_callback(
                    a,
                    must_call!(move |err: Option<&nodenet::Error>| {
                        assert!(err.is_none());
                        assert!(connected.get());
                        assert_eq!(socket.bytes_written(), (a.len() + b.len()) as u64);
                        assert!(!socket.pending());
                    }),
                );
                assert_eq!(socket.bytes_written(), a.len() as u64);
                assert_eq!(a.len(), 15);
                assert!(!r);
                socket.end_with(b);
                assert_eq!(socket.ready_state(), ReadyState::Opening);
                socket.on(
                    Close,
                    must_call!(move |_had_error| {
                        assert!(socket.pending());
                        socket.release();
                    }),
                );
            },
        );
        run_and_check();
    });
}

/// test-net-connect-buffer.js: see [`connect_buffer`].
#[test]
fn test_net_connect_buffer() {
    connect_buffer();
}

/// test-net-connect-buffer2.js: the same test as test-net-connect-buffer.js in v20.
#[test]
fn test_net_connect_buffer2() {
    connect_buffer();
}

/// test-net-write-connect-write.js: the server echoes (`socket.pipe(socket)`); the client
/// (`setEncoding('utf8')`) writes 'before' while connecting and ' after' on 'connect', calls
/// `end()` on each data; on 'end' (mustCall) it has received 'before after'.
#[test]
fn test_net_write_connect_write() {
    bounded(|| {
        serve(
            |s: Socket| {
                s.pipe(s);
            },
            |server, port| {
                let received = text();
                let conn = net::connect(port, "127.0.0.1", |_c| {});
                conn.set_encoding(Encoding::Utf8);
                conn.write("before");
                conn.on(Connect, move || {
                    conn.write(" after");
                });
                conn.on(Data, move |buf| {
                    received.borrow_mut().push_str(buf.as_str().unwrap());
                    conn.end();
                });
                conn.on(
                    End,
                    must_call!(move || {
                        server.close(());
                        assert_eq!(*received.borrow(), "before after");
                    }),
                );
            },
        );
        run_and_check();
    });
}

/// test-net-socket-connect-without-cb.js: `new net.Socket()`, `on('connect', mustCall(end))`,
/// then `connect(address)` without a callback; the server ends and closes.
#[test]
fn test_net_socket_connect_without_cb() {
    end_on_first_event(|client| {
        client.on(
            Connect,
            must_call!(move || {
                client.end();
            }),
        );
    });
}

/// test-net-socket-ready-without-cb.js: `new net.Socket()`, `on('ready', mustCall(end))`,
/// then `connect(address)` without a callback: 'ready' follows 'connect' all the same.
#[test]
fn test_net_socket_ready_without_cb() {
    end_on_first_event(|client| {
        client.on(
            Ready,
            must_call!(move || {
                client.end();
            }),
        );
    });
}

/// The script both Node files run: a `Socket::new` connected without a callback and ended
/// from the listener `listen` adds; the server ends and closes.
fn end_on_first_event(listen: fn(Socket)) {
    bounded(move || {
        serve(
            must_call!(|conn: Socket| {
                conn.end();
                conn.server().expect("its server").close(());
            }),
            move |_server, port| {
                let client = Socket::new(SocketOptions::default());
                listen(client);
                client.on(Close, move |_h| client.release());
                client.connect(port, "127.0.0.1", ());
            },
        );
        run_and_check();
    });
}

/// test-net-bytes-stats.js: the server resumes and adds each socket's bytesRead at 'end';
/// the client writes 'foo' and, in its callback, `end('bar')`, adds bytesWritten at 'finish',
/// and reconnects once from 'close'. Exit: bytesRead 12, bytesWritten 12 (6 per connection:
/// connect() resets the counters).
#[test]
fn test_net_bytes_stats() {
    bounded(|| {
        let bytes_read: &'static Cell<u64> = Box::leak(Box::new(Cell::new(0)));
        let bytes_written: &'static Cell<u64> = Box::leak(Box::new(Cell::new(0)));
        let count = counter();
        serve(
            move |s: Socket| {
                s.resume();
                s.on(End, move || {
                    bytes_read.set(bytes_read.get() + s.bytes_read());
                    s.end();
                });
            },
            move |server, port| {
                let socket = Socket::new(SocketOptions::default());
                socket.on(Connect, move || {
                    count.set(count.get() + 1);
                    socket.write_with_callback("foo", move |_err| {
                        socket.end_with("bar");
                    });
                });
                socket.on(Finish, move || {
                    bytes_written.set(bytes_written.get() + socket.bytes_written());
                });
                socket.on(Close, move |_h| {
                    if count.get() < 2 {
                        socket.connect(port, "127.0.0.1", ());
                    } else {
                        socket.release();
                        server.close(());
                    }
                });
                socket.connect(port, "127.0.0.1", ());
            },
        );
        run_and_check();
        assert_eq!(bytes_read.get(), 12);
        assert_eq!(bytes_written.get(), 12);
    });
}

/// Connects a client that consumes nothing to a server that sends `payload` and ends, and
/// calls `then(client)` once the client holds all of it (`readable_length` reached
/// `payload.len()`; polled on a 1 ms timer, as Node's tests wait with setTimeout). The
/// server closes after its one connection.
fn buffered_then(payload: &'static [&'static [u8]], then: impl FnOnce(Socket) + 'static) {
    let total: usize = payload.iter().map(|p| p.len()).sum();
    serve(
        move |s: Socket| {
            for part in payload {
                s.write(part);
            }
            s.end();
            s.server().expect("its server").close(());
        },
        move |_server, port| {
            let c = net::connect(port, "127.0.0.1", |_c| {});
            fn poll(c: Socket, total: usize, then: Box<dyn FnOnce(Socket)>) {
                if c.readable_length() >= total {
                    // One more turn of the loop, so the FIN that came with the bytes is seen.
                    nodenet::set_timeout(5, move || then(c));
                } else {
                    nodenet::set_timeout(1, move || poll(c, total, then));
                }
            }
            poll(c, total, Box::new(then));
        },
    );
}

/// test-stream-readable-event.js, on a socket: a 'readable' listener added after the data
/// (and EOF) is already buffered still gets 'readable'; reading it empties the buffer and
/// 'end' follows (then the auto-end's 'finish', then 'close'). Node v20 on a socket:
/// `readable 5 | read hello | null | end | finish | close false`.
#[test]
fn test_stream_readable_event() {
    bounded(|| {
        let log = Log::new();
        buffered_then(&[b"hello"], move |c| {
            assert_eq!(c.readable_flowing(), None);
            assert!(!c.readable_ended());
            c.on(End, move || log.push("end"));
            c.on(Finish, move || log.push("finish"));
            c.on(Close, move |h| log.push(format!("close {h}")));
            c.on(
                Readable,
                must_call!(move || {
                    log.push(format!("readable {}", c.readable_length()));
                    while let Some(chunk) = c.read() {
                        log.push(format!("read {}", String::from_utf8_lossy(&chunk)));
                    }
                    log.push("null");
                }),
            );
            assert_eq!(c.readable_flowing(), Some(false));
        });
        run_and_check();
        log.assert_eq(&[
            "readable 5",
            "read hello",
            "null",
            "end",
            "finish",
            "close false",
        ]);
    });
}

/// test-stream-readable-needReadable.js / the read(n) rule, on a socket: `read(3)` returns
/// null until 3 bytes are buffered or the stream ended, and at EOF returns what is left (a
/// short read). Node v20: `readable 5 | read hel | read lo | null | end | finish |
/// close false`.
#[test]
fn test_stream_readable_read_n_at_eof() {
    bounded(|| {
        let log = Log::new();
        buffered_then(&[b"hello"], move |c| {
            c.on(End, move || log.push("end"));
            c.on(Finish, move || log.push("finish"));
            c.on(Close, move |h| log.push(format!("close {h}")));
            c.on(Readable, move || {
                log.push(format!("readable {}", c.readable_length()));
                while let Some(chunk) = c.read_size(3) {
                    log.push(format!("read {}", String::from_utf8_lossy(&chunk)));
                }
                log.push("null");
            });
        });
        run_and_check();
        log.assert_eq(&[
            "readable 5",
            "read hel",
            "read lo",
            "null",
            "end",
            "finish",
            "close false",
        ]);
    });
}

/// test-stream-readable-setEncoding-existing-buffers.js, on a socket: bytes buffered before
/// `setEncoding('utf8')` (here "h", a split "é", "!": 68 c3 | a9 21) are re-decoded, and
/// 'data' delivers them as ONE string "hé!", then 'end'. Node v20: `resume | data "hé!" |
/// end | finish | close false`.
#[test]
fn test_stream_readable_set_encoding_existing_buffers() {
    bounded(|| {
        let log = Log::new();
        buffered_then(&[&[0x68, 0xc3], &[0xa9, 0x21]], move |c| {
            assert_eq!(c.readable_length(), 4);
            c.set_encoding(Encoding::Utf8);
            c.on(Resume, move || log.push("resume"));
            c.on(End, move || log.push("end"));
            c.on(Finish, move || log.push("finish"));
            c.on(Close, move |h| log.push(format!("close {h}")));
            c.on(Data, move |d| log.push(format!("data {:?}", d.as_str())));
        });
        run_and_check();
        log.assert_eq(&[
            "resume",
            "data Some(\"hé!\")",
            "end",
            "finish",
            "close false",
        ]);
    });
}

/// test-stream-readable-setEncoding-existing-buffers.js, the length: Node counts the
/// re-decoded buffer in characters, so 4 buffered bytes "h", c3 a9, "!" become
/// readableLength 3 after `setEncoding('utf8')`.
#[test]
#[ignore = "differs: readable_length() stays 4 (UTF-8 bytes of \"hé!\") after set_encoding; \
            Node's readableLength is 3 (it counts the decoded string's characters)"]
fn test_stream_readable_set_encoding_existing_buffers_length() {
    bounded(|| {
        buffered_then(&[&[0x68, 0xc3], &[0xa9, 0x21]], move |c| {
            assert_eq!(c.readable_length(), 4);
            c.set_encoding(Encoding::Utf8);
            assert_eq!(c.readable_length(), 3);
            c.resume();
        });
        run_and_check();
    });
}

/// test-stream-readable-pause-and-resume.js / the pause and resume event rules, on a
/// `new net.Socket()`: pause() emits 'pause' at once and only on a change; resume() emits
/// 'resume' on the next tick, once for several calls; a sync pause, resume, pause gives two
/// 'pause's and one late 'resume', and leaves it paused. Node v20: `pause | sync1 | sync2 |
/// sync3 true | resume | tick1 | pause | pause | sync4 false true | resume | imm false`.
#[test]
fn test_stream_readable_pause_and_resume() {
    bounded(|| {
        let log = Log::new();
        let s = Socket::new(SocketOptions::default());
        s.on(Pause, move || log.push("pause"));
        s.on(Resume, move || log.push("resume"));
        s.pause();
        log.push("sync1");
        s.pause();
        log.push("sync2");
        s.resume();
        s.resume();
        log.push(format!("sync3 {}", s.readable_flowing() == Some(true)));
        nodenet::next_tick(move || {
            log.push("tick1");
            s.pause();
            s.resume();
            s.pause();
            log.push(format!(
                "sync4 {} {}",
                s.readable_flowing() == Some(true),
                s.is_paused()
            ));
            nodenet::set_immediate(move || {
                log.push(format!("imm {}", s.readable_flowing() == Some(true)));
                s.release();
            });
        });
        run_and_check();
        log.assert_eq(&[
            "pause",
            "sync1",
            "sync2",
            "sync3 true",
            "resume",
            "tick1",
            "pause",
            "pause",
            "sync4 false true",
            "resume",
            "imm false",
        ]);
    });
}

/// The no-'end'-while-buffered rule (Node v20 on a socket, digest A4): a socket nobody
/// consumes (flowing null) that got "hello" and the FIN emits no 'end' (readableLength 5,
/// bytesRead 5, readableEnded false); 'close' only comes with destroy().
#[test]
fn test_stream_readable_no_end_while_buffered() {
    bounded(|| {
        let log = Log::new();
        buffered_then(&[b"hello"], move |c| {
            c.on(End, must_not_call!());
            c.on(Close, move |h| log.push(format!("close {h}")));
            nodenet::set_timeout(50, move || {
                assert_eq!(c.readable_length(), 5);
                assert_eq!(c.bytes_read(), 5);
                assert!(!c.readable_ended());
                c.destroy();
            });
        });
        run_and_check();
        log.assert_eq(&["close false"]);
    });
}

/// The 'end'-when-nothing-is-buffered rule (Node v20 on a socket, digest A4): a socket
/// nobody consumes (flowing null) whose peer ends without sending gets 'end' all the same,
/// then 'finish' (the auto-end) and 'close' (false).
#[test]
fn test_stream_readable_end_when_empty() {
    bounded(|| {
        let log = Log::new();
        serve(
            |s: Socket| {
                s.end();
                s.server().expect("its server").close(());
            },
            move |_server, port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(End, move || {
                    log.push(format!("end {}", c.readable_ended()));
                });
                c.on(Finish, move || log.push("finish"));
                c.on(Close, move |h| log.push(format!("close {h}")));
            },
        );
        run_and_check();
        log.assert_eq(&["end true", "finish", "close false"]);
    });
}

/// A 'data' listener added after the data and EOF are buffered (Node v20 on a socket,
/// digest A4): 'resume', then the data, then 'end', 'finish', 'close'; readableEnded is
/// false in 'data' and true in 'end' (test-stream-readable-ended.js).
#[test]
fn test_stream_readable_ended() {
    bounded(|| {
        let log = Log::new();
        buffered_then(&[b"hello"], move |c| {
            c.on(Resume, move || log.push("resume"));
            c.on(End, move || log.push(format!("end {}", c.readable_ended())));
            c.on(Finish, move || log.push("finish"));
            c.on(Close, move |h| log.push(format!("close {h}")));
            c.on(Data, move |d| {
                log.push(format!(
                    "data {} {}",
                    String::from_utf8_lossy(d.as_bytes()),
                    c.readable_ended()
                ));
            });
        });
        run_and_check();
        log.assert_eq(&[
            "resume",
            "data hello false",
            "end true",
            "finish",
            "close false",
        ]);
    });
}

/// test-stream-readable-hwm-0-no-flow-data.js, rule (a), on a socket: with a 'readable'
/// listener a 'data' listener does not make the socket flow (readableFlowing stays false),
/// and `read()` emits 'data' synchronously, before it returns. Node v20 with "hello" and
/// the FIN buffered: `flowing false | readable | data hello | read hello | null false | end
/// | finish | close false`.
#[test]
fn test_stream_readable_hwm_0_no_flow_data() {
    bounded(|| {
        let log = Log::new();
        buffered_then(&[b"hello"], move |c| {
            c.on(End, move || log.push("end"));
            c.on(Finish, move || log.push("finish"));
            c.on(Close, move |h| log.push(format!("close {h}")));
            c.on(Readable, move || {
                log.push("readable");
                while let Some(chunk) = c.read() {
                    log.push(format!("read {}", String::from_utf8_lossy(&chunk)));
                }
                log.push(format!("null {:?}", c.readable_flowing()));
            });
            c.on(Data, move |d| {
                log.push(format!("data {}", String::from_utf8_lossy(d.as_bytes())));
            });
            log.push(format!("flowing {:?}", c.readable_flowing()));
        });
        run_and_check();
        log.assert_eq(&[
            "flowing Some(false)",
            "readable",
            "data hello",
            "read hello",
            "null Some(false)",
            "end",
            "finish",
            "close false",
        ]);
    });
}

/// Node v20's reconnect rules (digest A3; test-net-reconnect.js and test-net-bytes-stats.js
/// rely on them): after 'close' the socket keeps its counters (bytesRead 5, bytesWritten 4,
/// destroyed, pending); `connect()` resets them synchronously (0, 0, not destroyed,
/// 'opening', pending, connecting, writableEnded and readableEnded false) but not
/// readableFlowing (still true: a 'data' listener exists).
#[test]
fn test_net_reconnect_resets_state() {
    bounded(|| {
        let cycles = counter();
        serve(
            |s: Socket| {
                s.resume();
                s.write("hello");
                s.on(End, move || {
                    s.end();
                });
            },
            move |server, port| {
                let c = Socket::new(SocketOptions::default());
                c.on(Connect, move || {
                    c.write("ping");
                });
                c.on(Data, move |_d| {
                    c.end();
                });
                c.on(Close, move |had_error| {
                    assert!(!had_error);
                    assert_eq!(c.bytes_read(), 5);
                    assert_eq!(c.bytes_written(), 4);
                    assert!(c.destroyed());
                    assert!(c.pending());
                    assert_eq!(c.ready_state(), ReadyState::Closed);
                    cycles.set(cycles.get() + 1);
                    if cycles.get() == 2 {
                        c.release();
                        server.close(());
                        return;
                    }
                    c.connect(port, "127.0.0.1", ());
                    assert_eq!(c.bytes_read(), 0);
                    assert_eq!(c.bytes_written(), 0);
                    assert!(!c.destroyed());
                    assert_eq!(c.ready_state(), ReadyState::Opening);
                    assert!(c.pending());
                    assert!(c.connecting());
                    assert_eq!(c.readable_flowing(), Some(true));
                    assert!(!c.writable_ended());
                    assert!(!c.readable_ended());
                });
                c.connect(port, "127.0.0.1", ());
            },
        );
        run_and_check();
        assert_eq!(cycles.get(), 2);
    });
}

/// Node v20, a socket paused before it connects (digest A4; test-net-connect-paused-
/// connection.js and test-net-pause-resume-connecting.js rely on it): its handle never
/// reads, so after the server sent "hello" and its FIN the client has bytesRead 0,
/// readableLength 0, no 'data' and no 'end'; destroy() gives 'close' (false). Node v20:
/// `pause | after 0 0 false | close false`.
#[test]
fn test_net_connect_paused_before_connect() {
    bounded(|| {
        let log = Log::new();
        let client: Slot<Socket> = Slot::new();
        serve(
            move |s: Socket| {
                s.on(Error, |_e| {});
                s.end_with("hello");
                s.on(Finish, move || {
                    nodenet::set_timeout(50, move || {
                        let c = client.get();
                        log.push(format!(
                            "after {} {} {}",
                            c.bytes_read(),
                            c.readable_length(),
                            c.readable_ended()
                        ));
                        c.destroy();
                    });
                });
                s.server().expect("its server").close(());
            },
            move |_server, port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                client.set(c);
                c.on(Pause, move || log.push("pause"));
                c.on(End, must_not_call!());
                c.on(Close, move |h| log.push(format!("close {h}")));
                c.pause();
                c.on(Data, must_not_call!(|_d|));
            },
        );
        run_and_check();
        log.assert_eq(&["pause", "after 0 0 false", "close false"]);
    });
}

/// Node v20, operations on a `new net.Socket()` that never connected (digest A2; the path of
/// test-net-socket-write-after-close.js case 2): `write('hi', cb)` returns false at once
/// (not destroyed, writableLength 0, bytesWritten 0), then cb(ERR_SOCKET_CLOSED "Socket is
/// closed"), 'error' with the same, 'close' (no hadError: false here); `end(cb)` does
/// nothing at all (writableEnded true, not destroyed) until a destroy() gives the cb
/// ERR_STREAM_DESTROYED "Cannot call end after a stream was destroyed", then 'close'.
#[test]
fn test_net_socket_unconnected_write_and_end() {
    bounded(|| {
        let log = Log::new();
        let s = Socket::new(SocketOptions::default());
        s.on(Error, move |e| {
            log.push(format!("error {:?} {}", e.code(), e.message()));
        });
        s.on(Close, move |h| log.push(format!("close {h}")));
        let r = s.write_with_callback("hi", move |e| {
            let e = e.expect("an error");
            log.push(format!("write cb {:?} {}", e.code(), e.message()));
        });
        // Whether it is destroyed at once is checked by
        // test_net_socket_unconnected_write_not_destroyed_at_once (it differs).
        log.push(format!(
            "ret {r} {} {}",
            s.writable_length(),
            s.bytes_written()
        ));
        run_and_check_leaving(1);
        assert!(s.destroyed());
        s.release();

        let t = Socket::new(SocketOptions::default());
        t.on(Close, move |h| log.push(format!("t close {h}")));
        t.on(Finish, move || log.push("t finish"));
        t.on(Error, move |_e| log.push("t error"));
        t.end_with_callback(move |e| {
            let e = e.expect("an error");
            log.push(format!("t end cb {:?} {}", e.code(), e.message()));
        });
        run_and_check_leaving(1);
        log.push(format!("t ended {} {}", t.writable_ended(), t.destroyed()));
        t.destroy();
        t.release();
        run_and_check();
        log.assert_eq(&[
            "ret false 0 0",
            "write cb Some(\"ERR_SOCKET_CLOSED\") Socket is closed",
            "error Some(\"ERR_SOCKET_CLOSED\") Socket is closed",
            "close false",
            "t ended true false",
            "t end cb Some(\"ERR_STREAM_DESTROYED\") Cannot call end after a stream was destroyed",
            "t close false",
        ]);
    });
}

/// Node v20, `write('hi', cb)` on a `new net.Socket()` that never connected: right after the
/// call the socket is not destroyed yet (`destroyed === false`; the error, and the destroy,
/// come on a later tick).
#[test]
fn test_net_socket_unconnected_write_not_destroyed_at_once() {
    bounded(|| {
        let s = Socket::new(SocketOptions::default());
        s.on(Error, |_e| {});
        assert!(!s.write("hi"));
        assert!(!s.destroyed());
        run_and_check_leaving(1);
        assert!(s.destroyed());
        s.release();
        run_and_check();
    });
}

/// Runs the loop to its end, then checks that it holds only `sockets` sockets kept for a
/// later `connect` (made with `Socket::new` and not released yet).
fn run_and_check_leaving(sockets: usize) {
    nodenet::run().expect("run");
    let stats = nodenet::loop_stats();
    assert!(
        stats.sockets == sockets
            && stats.servers == 0
            && stats.timers == 0
            && stats.immediates == 0
            && stats.ticks == 0,
        "the loop holds {stats:?}"
    );
}

/// Node v20, `end(cb)` then `destroy()` inside the connect listener (digest A6): 'ready' is
/// still emitted, the end cb gets ERR_STREAM_DESTROYED "Cannot call end after a stream was
/// destroyed" before 'close' (false); no 'error', no 'finish'.
#[test]
fn test_net_socket_end_cb_then_destroy() {
    bounded(|| {
        let log = Log::new();
        serve(
            |s: Socket| {
                s.on(Error, |_e| {});
                s.resume();
            },
            move |server, port| {
                let c = net::connect(port, "127.0.0.1", move |c| {
                    log.push("connect");
                    c.end_with_callback(move |e| {
                        let e = e.expect("an error");
                        log.push(format!("end cb {:?} {}", e.code(), e.message()));
                    });
                    c.destroy();
                    log.push("after destroy sync");
                });
                c.on(Ready, move || log.push("ready"));
                c.on(Error, must_not_call!(|_e|));
                c.on(Finish, must_not_call!());
                c.on(Close, move |h| {
                    log.push(format!("close {h}"));
                    server.close(());
                });
            },
        );
        run_and_check();
        log.assert_eq(&[
            "connect",
            "after destroy sync",
            "ready",
            "end cb Some(\"ERR_STREAM_DESTROYED\") Cannot call end after a stream was destroyed",
            "close false",
        ]);
    });
}

/// Sets SO_KEEPALIVE behind the socket's back.
fn set_os_keep_alive(s: Socket, on: bool) {
    // SAFETY: the socket is connected, so its descriptor is open for this borrow.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(s.as_raw_fd()) };
    socket2::SockRef::from(&fd)
        .set_keepalive(on)
        .expect("setsockopt");
}

/// Whether `set_keep_alive(on, ms)` reached the OS: SO_KEEPALIVE is set to the opposite
/// first.
fn keep_alive_reaches_os(s: Socket, on: bool, ms: u64) -> bool {
    set_os_keep_alive(s, !on);
    assert_eq!(
        s.set_keep_alive(on, ms),
        s,
        "setKeepAlive returns the socket"
    );
    os_keep_alive(s) == on
}

/// Node v20's setKeepAlive (lib/net.js, digest A5; the rule test-net-socket-setnodelay.js
/// checks for setNoDelay): the handle is called only when the flag changes, or, while
/// enabled, when the delay in whole seconds changes: on a fresh connected socket
/// `setKeepAlive(false)` and `setKeepAlive(false, 3000)` make no call; `(true, 1500)` makes
/// one; `(true, 1999)` none (still 1 s); `(true, 2000)` one; `(false, 5000)` one;
/// `(false, 9000)` none; `(true, 0)` one; `(true, 0)` again none.
#[test]
fn test_net_socket_setkeepalive_change_only() {
    bounded(|| {
        serve(
            |s: Socket| {
                s.resume();
                s.on(End, move || {
                    s.end();
                });
                s.server().expect("its server").close(());
            },
            |_server, port| {
                let c = net::connect(
                    port,
                    "127.0.0.1",
                    must_call!(move |c: Socket| {
                        assert!(!os_keep_alive(c), "SO_KEEPALIVE starts off");
                        let calls: Vec<bool> = [
                            (false, 0),
                            (false, 3000),
                            (true, 1500),
                            (true, 1999),
                            (true, 2000),
                            (false, 5000),
                            (false, 9000),
                            (true, 0),
                            (true, 0),
                        ]
                        .into_iter()
                        .map(|(on, ms)| keep_alive_reaches_os(c, on, ms))
                        .collect();
                        assert_eq!(
                            calls,
                            [false, false, true, false, true, true, false, true, false]
                        );
                        c.end();
                    }),
                );
                c.resume();
            },
        );
        run_and_check();
    });
}
