//! The server features of issue 3 beyond listen/close: `max_connections` and `'drop'`, the
//! `block_list` option, `get_connections`, the listen options `ipv6_only`, `reuse_port` and
//! `exclusive`, and the policy for an `'error'` nobody listens to. Tests named `test_net_*`
//! are Node's own `test/parallel` files, ported; the rest check behaviour observed in Node
//! (the figures are in each doc comment). See `docs/conformance.md`.

mod common;

use common::*;
use nodenet::ip::{BlockList, Family};
use nodenet::net::{ListenOptions, ServerOptions};
use nodenet::prelude::*;
use nodenet::UnhandledErrors;

/// test-net-server-drop-connections.js: with `maxConnections = 1` the second connection is
/// dropped and `'drop'` carries both ends' addresses. Beyond Node's truthiness checks, the
/// values are checked against what Node v20 printed for the same setup:
/// `{"localAddress":"127.0.0.1","localPort":38991,"localFamily":"IPv4",
/// "remoteAddress":"127.0.0.1","remotePort":38014,"remoteFamily":"IPv4"}`.
#[test]
fn test_net_server_drop_connections() {
    bounded(|| {
        let first: Slot<Socket> = Slot::new();
        let dropped_port: Slot<u16> = Slot::new();
        let second_port: Slot<u16> = Slot::new();
        let server = net::create_server(must_call!(move |socket: Socket| first.set(socket)));
        server.set_max_connections(Some(1));
        server.on(
            ConnectionDropped,
            must_call!(move |info: &nodenet::net::DropInfo| {
                let port = server.address().unwrap().port;
                assert_eq!(info.local_address(), Some("127.0.0.1"));
                assert_eq!(info.local_port(), Some(port));
                assert_eq!(info.local_family(), Some("IPv4"));
                assert_eq!(info.remote_address(), Some("127.0.0.1"));
                dropped_port.set(info.remote_port().unwrap());
                assert_eq!(info.remote_family(), Some("IPv4"));
                assert_eq!(
                    info.to_string(),
                    format!(
                        "{{ localAddress: '127.0.0.1', localPort: {port}, localFamily: 'IPv4', \
                         remoteAddress: '127.0.0.1', remotePort: {}, remoteFamily: 'IPv4' }}",
                        info.remote_port().unwrap()
                    )
                );
                first.get().destroy();
                server.close(());
            }),
        );
        listen_then(server, "127.0.0.1", move |port| {
            let a = net::connect(port, "127.0.0.1", |_c| {});
            a.on(Close, must_call!(move |_had_error| {}));
            // Wait for the first to be accepted, so which one is dropped is certain.
            a.on(
                Connect,
                must_call!(move || {
                    let b = net::connect(port, "127.0.0.1", move |b| {
                        second_port.set(b.local_port().unwrap());
                    });
                    // The dropped connection is closed, not reset: 'end', then 'close'(false).
                    b.on(End, must_call!(move || {}));
                    b.on(Data, must_not_call!(|_d|));
                    b.on(Close, must_call!(move |had_error| assert!(!had_error)));
                }),
            );
        });
        run_and_check();
        assert_eq!(
            dropped_port.get(),
            second_port.get(),
            "the dropped peer's port"
        );
    });
}

/// test-net-server-max-connections.js: `maxConnections = 10` and 20 clients, each started when
/// the previous one connected: the first 10 get 'hello', the other 10 are closed without data;
/// 20 closes in all.
#[test]
fn test_net_server_max_connections() {
    const N: usize = 20;
    bounded(|| {
        let waits: Slot<Vec<Socket>> = Slot::new();
        waits.set(Vec::new());
        let closes = Calls::new(N, "every client's 'close'");
        let server = net::create_server(must_call!(N / 2, move |connection: Socket| {
            connection.write("hello");
            let mut pending = waits.take().unwrap();
            pending.push(connection);
            waits.set(pending);
        }));
        server.set_max_connections(Some(N / 2));
        server.on(ConnectionDropped, must_call!(N / 2, move |_info| {}));
        fn make_connection(
            server: Server,
            port: u16,
            index: usize,
            waits: Slot<Vec<Socket>>,
            closes: Calls,
        ) {
            let c = net::connect(port, "127.0.0.1", |_c| {});
            let got_data = Slot::new();
            got_data.set(false);
            c.on(Connect, move || {
                if index + 1 < N {
                    make_connection(server, port, index + 1, waits, closes);
                }
            });
            c.on(Close, move |_had_error| {
                closes.hit();
                let closed = closes.count();
                if closed < N / 2 {
                    assert!(
                        N / 2 <= index,
                        "{index} should not have been one of the first closed connections"
                    );
                }
                if closed == N / 2 {
                    for waiting in waits.take().unwrap() {
                        waiting.end();
                    }
                    waits.set(Vec::new());
                    server.close(());
                }
                assert_eq!(
                    got_data.get(),
                    index < N / 2,
                    "connection {index}: data received or not"
                );
            });
            c.on(End, move || {
                c.end();
            });
            c.on(Data, move |data| {
                assert!(!data.is_empty());
                got_data.set(true);
            });
        }
        listen_then(server, "127.0.0.1", move |port| {
            make_connection(server, port, 0, waits, closes);
        });
        run_and_check();
    });
}

/// `max_connections = Some(0)` drops every connection (Node 21 and later; Node v20.20.2 took 0
/// as "no limit" and printed `S connection` for all three clients), and `None` lifts the limit
/// again.
#[test]
fn max_connections_zero_drops_every_connection() {
    bounded(|| {
        let accepted = Calls::new(1, "the connection after the limit is lifted");
        let server = net::create_server(move |socket: Socket| {
            accepted.hit();
            socket.end();
        });
        server.set_max_connections(Some(0));
        assert_eq!(server.max_connections(), Some(0));
        let drops = Calls::new(3, "a 'drop' per client while the limit is 0");
        server.on(ConnectionDropped, move |_info| drops.hit());
        listen_then(server, "127.0.0.1", move |port| {
            let closed = Calls::new(3, "each dropped client's 'close'");
            for _ in 0..3 {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(Data, must_not_call!(|_d|));
                c.on(Close, move |had_error| {
                    assert!(!had_error);
                    closed.hit();
                    if closed.count() == 3 {
                        assert_eq!(server.connections(), 0);
                        server.set_max_connections(None);
                        assert_eq!(server.max_connections(), None);
                        let last = net::connect(port, "127.0.0.1", |_c| {});
                        last.on(
                            End,
                            must_call!(move || {
                                server.close(());
                            }),
                        );
                    }
                });
            }
        });
        run_and_check();
    });
}

/// A dual-stack server reports an IPv4 peer in `'drop'` as Node does for its accepted sockets:
/// `::ffff:127.0.0.1`, family IPv6. Once the first connection has closed there is room again
/// and the next one is accepted.
#[test]
fn drop_on_a_dual_stack_server_and_room_again_after_a_close() {
    bounded(|| {
        let log = Log::new();
        let port: Slot<u16> = Slot::new();
        let first: Slot<Socket> = Slot::new();
        let server = net::create_server(must_call!(2, move |socket: Socket| {
            log.push("connection");
            if first.is_some() {
                socket.end();
                return;
            }
            first.set(socket);
            // Node counts a connection out when its socket is destroyed, so by its 'close'
            // there is room again.
            socket.on(
                Close,
                must_call!(move |_h| {
                    let server = SERVER.with(|s| s.get()).unwrap();
                    let third = net::connect(port.get(), "127.0.0.1", |_c| {});
                    third.on(
                        End,
                        must_call!(move || {
                            server.close(());
                        }),
                    );
                }),
            );
        }));
        SERVER.with(|s| s.set(Some(server)));
        server.set_max_connections(Some(1));
        server.on(
            ConnectionDropped,
            must_call!(move |info: &nodenet::net::DropInfo| {
                log.push("drop");
                assert_eq!(info.local_address(), Some("::ffff:127.0.0.1"));
                assert_eq!(info.local_family(), Some("IPv6"));
                assert_eq!(info.remote_address(), Some("::ffff:127.0.0.1"));
                assert_eq!(info.remote_family(), Some("IPv6"));
                first.get().end();
            }),
        );
        server
            .listen(0, move || {
                port.set(server.address().unwrap().port);
                let client = net::connect(port.get(), "127.0.0.1", |_c| {});
                client.on(
                    Connect,
                    must_call!(move || {
                        let second = net::connect(port.get(), "127.0.0.1", |_c| {});
                        second.on(Close, must_call!(move |had_error| assert!(!had_error)));
                    }),
                );
            })
            .unwrap();
        run_and_check();
        log.assert_eq(&["connection", "drop", "connection"]);
    });
}

/// test-net-server-blocklist.js (Node 22): a peer on the server's `blockList` is closed at
/// accept: no `'connection'`, and the client sees its socket close. Node emits no `'drop'` for
/// it (only `maxConnections` does), nor does nodenet.
#[test]
fn test_net_server_blocklist() {
    bounded(|| {
        let mut block_list = BlockList::new();
        block_list.add_address("127.0.0.1", Family::V4).unwrap();
        let options = ServerOptions {
            block_list: Some(block_list),
            ..ServerOptions::default()
        };
        let server = net::create_server_with(options, must_not_call!(|_s|));
        server.on(ConnectionDropped, must_not_call!(|_i|));
        listen_then(server, "127.0.0.1", move |port| {
            let socket = net::connect(port, "127.0.0.1", |_c| {});
            socket.on(
                Close,
                must_call!(move |_had_error| {
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// On a dual-stack server an IPv4 rule also blocks the IPv4-mapped peer
/// (`::ffff:127.0.0.1`), as Node's `check` does; a peer not on the list (`::1`) is accepted.
#[test]
fn block_list_on_a_dual_stack_server() {
    bounded(|| {
        let mut block_list = BlockList::new();
        block_list.add_subnet("127.0.0.0", 8, Family::V4).unwrap();
        let options = ServerOptions {
            block_list: Some(block_list),
            ..ServerOptions::default()
        };
        let server = net::create_server_with(
            options,
            must_call!(move |socket: Socket| {
                assert_eq!(socket.remote_address().as_deref(), Some("::1"));
                socket.end_with("welcome");
            }),
        );
        server
            .listen(0, move || {
                let port = server.address().unwrap().port;
                let blocked = net::connect(port, "127.0.0.1", |_c| {});
                blocked.on(Data, must_not_call!(|_d|));
                blocked.on(
                    Close,
                    must_call!(move |_h| {
                        let allowed = net::connect(port, "::1", |_c| {});
                        allowed.on(
                            Data,
                            must_call!(move |data| assert_eq!(data.to_string(), "welcome")),
                        );
                        allowed.on(
                            End,
                            must_call!(move || {
                                server.close(());
                            }),
                        );
                    }),
                );
            })
            .unwrap();
        run_and_check();
    });
}

/// `getConnections(cb)` answers on a later tick with `(null, count)`: Node v20 printed
/// `getConnections null 1` after the synchronous code of the `'connection'` listener.
#[test]
fn get_connections_answers_on_a_later_tick() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(must_call!(move |socket: Socket| {
            let server = SERVER.with(|s| s.get()).unwrap();
            server.get_connections(must_call!(
                move |err: Option<&nodenet::Error>, count: usize| {
                    assert!(err.is_none());
                    log.push(format!("getConnections {count}"));
                    socket.end();
                    server.close(());
                }
            ));
            log.push("after getConnections()");
        }));
        SERVER.with(|s| s.set(Some(server)));
        listen_then(server, "127.0.0.1", move |port| {
            let c = net::connect(port, "127.0.0.1", |_c| {});
            c.on(End, move || {
                c.end();
            });
        });
        run_and_check();
        log.assert_eq(&["after getConnections()", "getConnections 1"]);
    });
}

thread_local! {
    static SERVER: std::cell::Cell<Option<Server>> = const { std::cell::Cell::new(None) };
}

/// test-net-listen-ipv6only.js: listening on `::` with `ipv6Only` refuses IPv4 clients:
/// connecting over IPv4 gives ECONNREFUSED and no 'connect'. (Node connects to `0.0.0.0`;
/// this connects to `127.0.0.1`, the loopback address that stands for it.)
#[test]
fn test_net_listen_ipv6only() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        let options = ListenOptions {
            ipv6_only: true,
            ..ListenOptions::from((0, "::"))
        };
        server
            .listen(
                options,
                must_call!(move || {
                    let port = server.address().unwrap().port;
                    let socket = net::connect(port, "127.0.0.1", |_c| {});
                    socket.on(Connect, must_not_call!());
                    socket.on(
                        Error,
                        must_call!(move |err: &nodenet::Error| {
                            assert_eq!(err.code(), Some("ECONNREFUSED"));
                            server.close(());
                        }),
                    );
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// `ipv6_only` without a host applies to the `::` the server then listens on, as in Node.
#[test]
fn ipv6_only_without_a_host() {
    bounded(|| {
        let server = net::create_server(must_call!(move |socket: Socket| {
            socket.end();
        }));
        let options = ListenOptions {
            ipv6_only: true,
            ..ListenOptions::from(0)
        };
        server
            .listen(
                options,
                must_call!(move || {
                    let port = server.address().unwrap().port;
                    assert_eq!(server.address().unwrap().address, "::");
                    let v4 = net::connect(port, "127.0.0.1", |_c| {});
                    v4.on(
                        Error,
                        must_call!(move |err: &nodenet::Error| {
                            assert_eq!(err.code(), Some("ECONNREFUSED"));
                            let v6 = net::connect(port, "::1", |_c| {});
                            v6.on(
                                End,
                                must_call!(move || {
                                    server.close(());
                                }),
                            );
                        }),
                    );
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// Node 22.12's `reusePort` (test-net-server-reuseport.js, in spirit: Node's test needs
/// `SO_REUSEPORT` support and binds several servers to one port): two servers that both set
/// it listen on the same port; a third without it gets EADDRINUSE.
#[test]
fn test_net_server_reuseport() {
    bounded(|| {
        let first = net::create_server(|socket: Socket| {
            socket.end();
        });
        let options = |port| ListenOptions {
            reuse_port: true,
            ..ListenOptions::from((port, "127.0.0.1"))
        };
        first
            .listen(
                options(0),
                must_call!(move || {
                    let port = first.address().unwrap().port;
                    let second = net::create_server(|socket: Socket| {
                        socket.end();
                    });
                    second
                        .listen(
                            options(port),
                            must_call!(move || {
                                assert_eq!(second.address().unwrap().port, port);
                                let third = net::create_server(must_not_call!(|_s|));
                                third.on(
                                    Error,
                                    must_call!(move |err: &nodenet::Error| {
                                        assert_eq!(err.code(), Some("EADDRINUSE"));
                                        third.close(());
                                        second.close(());
                                        first.close(());
                                    }),
                                );
                                third.listen((port, "127.0.0.1"), must_not_call!()).unwrap();
                            }),
                        )
                        .unwrap();
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// `exclusive` only matters to Node's cluster; here it is accepted and the server listens.
#[test]
fn exclusive_is_accepted() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        let options = ListenOptions {
            exclusive: true,
            ..ListenOptions::from((0, "127.0.0.1"))
        };
        server
            .listen(
                options,
                must_call!(move || {
                    assert!(server.listening());
                    server.close(());
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// The default policy: an `'error'` with no listener ends `run()` with that error, where Node
/// would crash with it; running again finishes what is left.
#[test]
fn unhandled_error_returns_from_run_by_default() {
    bounded(|| {
        assert_eq!(
            nodenet::unhandled_error_policy(),
            UnhandledErrors::ReturnFromRun
        );
        let socket = net::connect(closed_port(), "127.0.0.1", |_c| {});
        socket.on(Close, must_call!(move |had_error| assert!(had_error)));
        let err = nodenet::run().expect_err("the unhandled error ends run()");
        assert_eq!(err.code(), Some("ECONNREFUSED"));
        run_and_check();
    });
}

/// `UnhandledErrors::Log`: the error is logged and the loop carries on to the end.
#[test]
fn unhandled_error_policy_log_carries_on() {
    bounded(|| {
        let previous = nodenet::set_unhandled_error_policy(UnhandledErrors::Log);
        assert_eq!(previous, UnhandledErrors::ReturnFromRun);
        let socket = net::connect(closed_port(), "127.0.0.1", |_c| {});
        socket.on(Close, must_call!(move |had_error| assert!(had_error)));
        run_and_check();
    });
}

/// `UnhandledErrors::Panic`: `run()` panics with Node's text, and the loop stays usable.
#[test]
fn unhandled_error_policy_panic_unwinds_out_of_run() {
    bounded(|| {
        nodenet::set_unhandled_error_policy(UnhandledErrors::Panic);
        let server = net::create_server(must_not_call!(|_s|));
        let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = blocker.local_addr().unwrap().port();
        server
            .listen((port, "127.0.0.1"), must_not_call!())
            .unwrap();
        let panic = std::panic::catch_unwind(nodenet::run).expect_err("run() panics");
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            message.starts_with(&format!(
                "Unhandled 'error' event\n\nError: listen EADDRINUSE: address already in use \
                 127.0.0.1:{port}"
            )),
            "{message}"
        );
        server.close(());
        nodenet::set_unhandled_error_policy(UnhandledErrors::ReturnFromRun);
        run_and_check();
    });
}

/// A port that refuses connects, held for the process: see [`common::refused_port`].
fn closed_port() -> u16 {
    common::refused_port("127.0.0.1")
}
