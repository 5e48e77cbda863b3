//! Node's own `test/parallel/test-net-*.js` tests about `net.Server`, ported one `#[test]` per
//! Node file and named after it. Each asserts what the Node test asserts; see
//! `docs/conformance.md` for the table of ported, differing and skipped tests.

mod common;

use common::*;
use nodenet::net::ServerOptions;
use nodenet::prelude::*;

/// test-net-bind-twice.js: a second listen on the same 127.0.0.1 port gets 'error' EADDRINUSE
/// and its listen callback never runs.
#[test]
fn test_net_bind_twice() {
    bounded(|| {
        let server1 = net::create_server(must_not_call!(|_s|));
        listen_then(server1, "127.0.0.1", move |port| {
            let server2 = net::create_server(must_not_call!(|_s|));
            server2
                .listen((port, "127.0.0.1"), must_not_call!())
                .unwrap();
            server2.on(
                Error,
                must_call!(move |e: &nodenet::Error| {
                    assert_eq!(e.code(), Some("EADDRINUSE"));
                    server1.close(());
                    // A Server's slot lives until close(); Node's object is just collected.
                    server2.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-net-eaddrinuse.js: listening on a port in use gives an 'error' with code EADDRINUSE.
#[test]
fn test_net_eaddrinuse() {
    bounded(|| {
        let server1 = net::create_server(must_not_call!(|_s|));
        let server2 = net::create_server(must_not_call!(|_s|));
        listen_then(server1, "::1", move |port| {
            server2.on(
                Error,
                must_call!(move |e: &nodenet::Error| {
                    assert_eq!(e.code(), Some("EADDRINUSE"));
                    server1.close(());
                    // A Server's slot lives until close(); Node's object is just collected.
                    server2.close(());
                }),
            );
            server2.listen((port, "::1"), ()).unwrap();
        });
        run_and_check();
    });
}

/// test-net-better-error-messages-listen.js: the listen error names the syscall, address and
/// port, and the message is `listen <CODE>: <text> <address>:<port>`.
/// (Ported with EADDRINUSE on loopback instead of binding 1.1.1.1, to stay on loopback.)
#[test]
fn test_net_better_error_messages_listen() {
    bounded(|| {
        let server1 = net::create_server(must_not_call!(|_s|));
        listen_then(server1, "127.0.0.1", move |port| {
            let server2 = net::create_server(must_not_call!(|_s|));
            server2.on(
                Error,
                must_call!(move |e: &nodenet::Error| {
                    assert_eq!(e.code(), Some("EADDRINUSE"));
                    assert_eq!(e.syscall(), Some("listen"));
                    assert_eq!(e.address(), Some("127.0.0.1"));
                    assert_eq!(e.port(), Some(port));
                    assert_eq!(
                        e.message(),
                        format!("listen EADDRINUSE: address already in use 127.0.0.1:{port}")
                    );
                    server1.close(());
                    server2.close(());
                }),
            );
            server2
                .listen((port, "127.0.0.1"), must_not_call!())
                .unwrap();
        });
        run_and_check();
    });
}

/// test-net-listen-close-server.js: `listen(0)` then `close()` at once: neither the listen
/// callback nor 'error' runs.
#[test]
fn test_net_listen_close_server() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        server.listen((0, "127.0.0.1"), must_not_call!()).unwrap();
        server.on(Error, must_not_call!(|_e|));
        server.close(());
        run_and_check();
    });
}

/// test-net-listen-twice.js: a second `listen()` while listening fails with
/// ERR_SERVER_ALREADY_LISTEN and Node's message.
#[test]
fn test_net_listen_twice() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    let err = server.listen((0, "127.0.0.1"), ()).unwrap_err();
                    assert_eq!(err.code(), Some("ERR_SERVER_ALREADY_LISTEN"));
                    assert_eq!(
                        err.message(),
                        "Listen method has been called more than once without closing."
                    );
                    server.close(());
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// test-net-listening.js: `listening` is false before listen, true in the listen callback,
/// false once closed.
#[test]
fn test_net_listening() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        assert!(!server.listening());
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    assert!(server.listening());
                    server.close_with_callback(must_call!(move |_e: Option<&nodenet::Error>| {
                        assert!(!server.listening());
                    }));
                    assert!(!server.listening());
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// test-net-server-close.js: `close()` returns the server; the server's 'close' waits for both
/// connections to be destroyed, and each socket emits 'close'.
#[test]
fn test_net_server_close() {
    bounded(|| {
        let log = Log::new();
        let sockets = Slot::<Vec<Socket>>::new();
        sockets.set(Vec::new());
        let server = net::create_server(must_call!(2, move |c: Socket| {
            c.on(
                Close,
                must_call!(move |_had_error| {
                    log.push("server-socket-close");
                }),
            );
            let mut all = sockets.take().unwrap();
            all.push(c);
            if all.len() == 2 {
                log.push("close");
                let server_ = server_slot_get();
                let same = server_.close(());
                assert!(same == server_);
                for s in &all {
                    s.destroy();
                }
            }
            sockets.set(all);
        }));
        SERVER.with(|s| s.set(Some(server)));
        server.on(Close, must_call!(move || log.push("server-close")));
        listen_then(server, "127.0.0.1", move |port| {
            for _ in 0..2 {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(Close, must_call!(|_h| {}));
            }
        });
        run_and_check();
        // Node v20 gives this order too: destroy() drops the connection count at once, so the
        // server's 'close' is queued before the sockets' 'close' events.
        log.assert_eq(&[
            "close",
            "server-close",
            "server-socket-close",
            "server-socket-close",
        ]);
    });
}

thread_local! {
    static SERVER: std::cell::Cell<Option<Server>> = const { std::cell::Cell::new(None) };
}

fn server_slot_get() -> Server {
    SERVER.with(|s| s.get()).unwrap()
}

/// test-net-server-call-listen-multiple-times.js: listening again while listening throws
/// ERR_SERVER_ALREADY_LISTEN; after close() the same server can listen again; after an
/// EADDRINUSE 'error' a new listen is allowed.
#[test]
fn test_net_server_call_listen_multiple_times() {
    bounded(|| {
        // Case 1: listen twice throws.
        let server = net::create_server(must_not_call!(|_s|));
        server.listen((0, "127.0.0.1"), ()).unwrap();
        let err = server.listen((0, "127.0.0.1"), ()).unwrap_err();
        assert_eq!(err.code(), Some("ERR_SERVER_ALREADY_LISTEN"));
        server.close(());

        // Case 2: listen, close, listen again.
        let server2 = net::create_server(must_not_call!(|_s|));
        server2.listen((0, "127.0.0.1"), ()).unwrap();
        server2.close(());
        server2
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    server2.close(());
                }),
            )
            .unwrap();

        // Case 3: listen after an 'error'.
        let blocker = net::create_server(must_not_call!(|_s|));
        listen_then(blocker, "127.0.0.1", move |port| {
            let server3 = net::create_server(must_not_call!(|_s|));
            server3.on(
                Error,
                must_call!(move |e: &nodenet::Error| {
                    assert_eq!(e.code(), Some("EADDRINUSE"));
                    server3
                        .listen(
                            (0, "127.0.0.1"),
                            must_call!(move || {
                                server3.close(());
                                blocker.close(());
                            }),
                        )
                        .unwrap();
                }),
            );
            server3.listen((port, "127.0.0.1"), ()).unwrap();
        });
        run_and_check();
    });
}

/// test-net-server-pause-on-connect.js: with pauseOnConnect no 'data' arrives (and bytesRead
/// stays 0) until resume(); without it data flows at once.
#[test]
fn test_net_server_pause_on_connect() {
    bounded(|| {
        const MSG: &str = "test";
        let stopped = Slot::<bool>::new();
        stopped.set(true);
        let server1 = net::create_server_with(
            ServerOptions {
                pause_on_connect: true,
                ..ServerOptions::default()
            },
            must_call!(move |socket: Socket| {
                assert!(socket.is_paused());
                socket.on(
                    Data,
                    must_call!(move |data| {
                        assert!(!stopped.get(), "data while paused");
                        assert_eq!(data.as_bytes(), MSG.as_bytes());
                        socket.end();
                    }),
                );
                nodenet::set_timeout(10, move || {
                    assert_eq!(socket.bytes_read(), 0, "no bytes read while paused");
                    stopped.set(false);
                    socket.resume();
                });
            }),
        );
        let server2 = net::create_server(must_call!(move |socket: Socket| {
            socket.on(
                Data,
                must_call!(move |data| {
                    assert_eq!(data.as_bytes(), MSG.as_bytes());
                    socket.end();
                }),
            );
        }));
        listen_then(server1, "127.0.0.1", move |port1| {
            let c = net::connect(port1, "127.0.0.1", move |c| {
                c.write(MSG);
            });
            c.on(End, move || c.end());
            c.on(
                Close,
                must_call!(move |_h| {
                    server1.close(());
                }),
            );
        });
        listen_then(server2, "127.0.0.1", move |port2| {
            let c = net::connect(port2, "127.0.0.1", move |c| {
                c.write(MSG);
            });
            c.on(End, move || c.end());
            c.on(
                Close,
                must_call!(move |_h| {
                    server2.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-net-server-unref.js: an unref'd listening server does not keep the loop alive.
#[test]
fn test_net_server_unref() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        server.listen((0, "127.0.0.1"), ()).unwrap();
        server.unref();
        run_and_check_allowing_unrefd();
        // Node exits; the loop here returns. Close it to leave the loop empty.
        server.close(());
        run_and_check();
    });
}

/// test-net-server-unref-persistent.js: `unref()` before `listen()` still applies once
/// listening; a later `listen` does not re-ref it.
#[test]
fn test_net_server_unref_persistent() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        server.unref();
        server.listen((0, "127.0.0.1"), ()).unwrap();
        run_and_check_allowing_unrefd();
        server.close(());
        run_and_check();
    });
}

/// `run()` returned although an unref'd handle remains: that is the point of the test.
fn run_and_check_allowing_unrefd() {
    nodenet::run().unwrap();
}

/// test-net-server-listen-remove-callback.js: the listen callback is a once 'listening'
/// listener, gone after it runs (listenerCount('listening') back to 0).
#[test]
fn test_net_server_listen_remove_callback() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        server.on(
            Close,
            must_call!(2, move || {
                assert_eq!(server.listener_count(Listening), 0);
            }),
        );
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    server.close(());
                }),
            )
            .unwrap();
        server.once(
            Close,
            must_call!(move || {
                server
                    .listen(
                        (0, "127.0.0.1"),
                        must_call!(move || {
                            server.close(());
                        }),
                    )
                    .unwrap();
            }),
        );
        run_and_check();
    });
}

/// test-net-local-address-port.js: the accepted socket's localAddress/localPort equal the
/// server's address, and its remoteFamily is that of the loopback used.
#[test]
fn test_net_local_address_port() {
    for host in HOSTS {
        bounded(move || {
            let server = net::create_server(must_call!(move |socket: Socket| {
                let server_ = server_slot_get();
                let address = server_.address().unwrap();
                assert_eq!(socket.local_address().as_deref(), Some(host));
                assert_eq!(socket.local_port(), Some(address.port));
                assert_eq!(
                    socket.remote_family(),
                    Some(if host == "::1" { "IPv6" } else { "IPv4" })
                );
                socket.end();
                server_.close(());
            }));
            SERVER.with(|s| s.set(Some(server)));
            listen_then(server, host, move |port| {
                let c = net::connect(port, host, |c| {
                    c.end();
                });
                c.on(Close, must_call!(|_h| {}));
            });
            run_and_check();
        });
    }
}

/// test-net-during-close.js: the server closes while a client is connecting; reading the
/// client's remote address, family and port then must not fail.
#[test]
fn test_net_during_close() {
    bounded(|| {
        let server = net::create_server(|socket| {
            socket.end();
        });
        listen_then(server, "127.0.0.1", move |port| {
            let client = net::connect(port, "127.0.0.1", |_c| {});
            server.close(());
            // Accessing these must not panic.
            let _ = client.remote_address();
            let _ = client.remote_family();
            let _ = client.remote_port();
            client.on(Error, |_e| {});
            client.on(Close, must_call!(|_h| {}));
            client.on(End, move || {
                client.end();
            });
        });
        run_and_check();
    });
}

/// test-net-server-try-ports.js: a second server gets EADDRINUSE on a taken port, then
/// listens on another port (0) successfully.
#[test]
fn test_net_server_try_ports() {
    bounded(|| {
        let server1 = net::create_server(must_not_call!(|_s|));
        let server2 = net::create_server(must_not_call!(|_s|));
        listen_then(server1, "127.0.0.1", move |port| {
            server2.on(
                Error,
                must_call!(move |e: &nodenet::Error| {
                    assert_eq!(e.code(), Some("EADDRINUSE"));
                    server2
                        .listen(
                            (0, "127.0.0.1"),
                            must_call!(move || {
                                server1.close(());
                                server2.close(());
                            }),
                        )
                        .unwrap();
                }),
            );
            server2.listen((port, "127.0.0.1"), ()).unwrap();
        });
        run_and_check();
    });
}

/// Node's `server.close()` on a server that is not listening: the callback gets
/// ERR_SERVER_NOT_RUNNING "Server is not running." (test-net-server-close.js' not-running
/// check, as verified with node v20).
#[test]
fn test_net_server_close_not_running() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        server.close_with_callback(must_call!(|e: Option<&nodenet::Error>| {
            let e = e.expect("an error");
            assert_eq!(e.code(), Some("ERR_SERVER_NOT_RUNNING"));
            assert_eq!(e.message(), "Server is not running.");
        }));
        run_and_check();
    });
}

/// test-net-server-connections (server.connections / getConnections): the count follows
/// accepted sockets and drops back to 0 once they close.
#[test]
fn test_net_server_get_connections() {
    bounded(|| {
        let server = net::create_server(must_call!(move |socket: Socket| {
            let server_ = server_slot_get();
            assert_eq!(server_.connections(), 1);
            socket.on(
                Close,
                must_call!(move |_h| {
                    nodenet::set_immediate(move || {
                        assert_eq!(server_.connections(), 0);
                        server_.close(());
                    });
                }),
            );
            socket.end();
        }));
        SERVER.with(|s| s.set(Some(server)));
        listen_then(server, "127.0.0.1", move |port| {
            assert_eq!(server.connections(), 0);
            let c = net::connect(port, "127.0.0.1", |_c| {});
            c.on(End, move || {
                c.end();
            });
        });
        run_and_check();
    });
}
