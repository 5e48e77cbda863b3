//! Node's own `test/parallel/test-net-*.js` tests about making connections (connect options,
//! `'lookup'`, a custom lookup, autoSelectFamily, reconnecting a socket, reset while
//! connecting), ported one `#[test]` per Node file and named after it. Each asserts what the
//! Node test asserts; see `docs/conformance.md` for the table.
//!
//! Where Node's test resolves `example.org` through a fake DNS server, these use the `lookup`
//! option with a fixed answer: the same addresses reach the connect logic in the same order.

mod common;

use std::net::IpAddr;

use common::*;
use nodenet::event::{ConnectionAttempt, Lookup};
use nodenet::net::{ConnectOptions, Lookup as CustomLookup, ServerOptions};
use nodenet::prelude::*;
use nodenet::string_decoder::Encoding;

/// A port that refuses connections, and stays so: see [`common::refused_port`].
fn closed_port() -> u16 {
    common::refused_port("127.0.0.1")
}

/// A port free to bind a client to (bound, read, released): the one use that needs the port
/// free, so it cannot be held; only an ephemeral port picked in between could collide.
fn free_local_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}

/// Node's `createMockedLookup(...addresses)`: answers every name with these addresses, in order.
fn mocked_lookup(addresses: &'static [&'static str]) -> CustomLookup {
    CustomLookup::new(move |_host| {
        Ok(addresses
            .iter()
            .map(|a| a.parse::<IpAddr>().expect("an IP literal"))
            .collect())
    })
}

/// Node's `autoSelectFamilyAttemptedAddresses` as the `'connectionAttempt'` events record it.
fn record_attempts(socket: Socket, attempts: Log) {
    socket.on(ConnectionAttempt, move |attempt| {
        attempts.push(format!("{}:{}", attempt.address, attempt.port));
    });
}

/// The servers of test-net-autoselectfamily*.js: reply `response-<name>` to the first data.
fn responder(name: &'static str) -> Server {
    net::create_server(move |socket| {
        socket.on(
            Data,
            must_call!(move |_d| {
                socket.write(format!("response-{name}"));
                socket.end();
            }),
        );
    })
}

/// A server that must not get any data (its connection, if any, is simply ended by the peer).
fn silent_responder() -> Server {
    net::create_server(move |socket| {
        socket.on(Data, must_not_call!(|_d|));
    })
}

/// Connects with `options`, writes `request`, collects the utf-8 response, and on 'end' checks
/// it and calls `done`.
fn request(
    options: ConnectOptions,
    attempts: Log,
    expected: &'static str,
    done: impl FnOnce() + 'static,
) {
    let connection = net::connect_with(options, |_c| {});
    record_attempts(connection, attempts);
    connection.set_encoding(Encoding::Utf8);
    let response = Slot::<String>::new();
    response.set(String::new());
    connection.on(Data, move |chunk| {
        let mut r = response.get();
        r.push_str(chunk.as_str().expect("utf-8 text"));
        response.set(r);
    });
    let mut done = Some(done);
    connection.on(
        End,
        must_call!(move || {
            assert_eq!(response.get(), expected);
            if let Some(done) = done.take() {
                done();
            }
        }),
    );
    connection.write("request");
}

/// test-net-reconnect.js: the same socket reconnects 50 times from its 'close' listener; every
/// connection gets "hello\r\n", every 'close' has `had_error == false`; 51 of each.
#[test]
fn test_net_reconnect() {
    const N: usize = 50;
    bounded(|| {
        let server = net::create_server(|socket| {
            socket.resume();
            socket.write("hello\r\n");
            socket.on(End, move || {
                socket.end();
            });
            socket.on(Close, |had_error| assert!(!had_error));
        });
        listen_then(server, "127.0.0.1", move |port| {
            let recv = Calls::new(N + 1, "client 'data'");
            let ends = Calls::new(N + 1, "client 'end'");
            let disconnects = Calls::new(N + 1, "client 'close'");
            let client = net::connect(port, "127.0.0.1", |_c| {});
            client.set_encoding(Encoding::Utf8);
            client.on(Data, move |chunk| {
                recv.hit();
                assert_eq!(chunk.as_str(), Some("hello\r\n"));
                client.end();
            });
            client.on(End, move || ends.hit());
            client.on(Close, move |had_error| {
                assert!(!had_error);
                let before = disconnects.count();
                disconnects.hit();
                if before < N {
                    client.connect(port, "127.0.0.1", ());
                } else {
                    server.close(());
                }
            });
        });
        run_and_check();
    });
}

/// test-net-reconnect-error.js: reconnecting to a port nothing listens on, 20 times from
/// 'close': every attempt fails with ECONNREFUSED; 21 errors and 21 closes, no 'connect'.
#[test]
fn test_net_reconnect_error() {
    const N: usize = 20;
    bounded(|| {
        let port = closed_port();
        let errors = Calls::new(N + 1, "client 'error'");
        let disconnects = Calls::new(N + 1, "client 'close'");
        let c = net::create_connection(port, "127.0.0.1", |_c| panic!("must not connect"));
        c.on(Connect, must_not_call!());
        c.on(Error, move |e| {
            errors.hit();
            assert_eq!(e.code(), Some("ECONNREFUSED"));
        });
        c.on(Close, move |_had_error| {
            let before = disconnects.count();
            disconnects.hit();
            if before < N {
                c.connect(port, "127.0.0.1", ());
            }
        });
        run_and_check();
    });
}

/// test-net-socket-connect-without-cb.js: connecting without a connect callback; 'connect' is
/// emitted all the same.
#[test]
fn test_net_socket_connect_without_cb() {
    bounded(|| {
        let server = net::create_server(|_c| {});
        server.on(
            Connection,
            must_call!(move |conn: Socket| {
                conn.end();
                server.close(());
            }),
        );
        listen_then(
            server,
            "127.0.0.1",
            must_call!(move |port| {
                let client = net::connect_with(ConnectOptions::new(port, "127.0.0.1"), |_c| {});
                client.on(
                    Connect,
                    must_call!(move || {
                        client.end();
                    }),
                );
            }),
        );
        run_and_check();
    });
}

/// test-net-dns-lookup.js: connecting to `localhost` emits 'lookup' with
/// `(null, '127.0.0.1', 4, 'localhost')` (this machine's hosts file maps localhost to
/// 127.0.0.1 only, as Node's CI expects).
#[test]
fn test_net_dns_lookup() {
    bounded(|| {
        let server = net::create_server(|_c| {});
        server.on(Connection, move |client: Socket| {
            client.end();
            server.close(());
        });
        listen_then(
            server,
            "127.0.0.1",
            must_call!(move |port| {
                let c = net::connect(port, "localhost", |_c| {});
                c.on(
                    Lookup,
                    must_call!(move |info| {
                        assert!(info.error.is_none());
                        assert_eq!(info.address.as_deref(), Some("127.0.0.1"));
                        assert_eq!(info.family, Some(4));
                        assert_eq!(info.host, "localhost");
                    }),
                );
            }),
        );
        run_and_check();
    });
}

/// test-net-dns-lookup-skip.js: connecting to an IP literal does no lookup: no 'lookup' event.
#[test]
fn test_net_dns_lookup_skip() {
    bounded(|| {
        for host in HOSTS {
            let server = net::create_server(|_c| {});
            server.on(Connection, move |client: Socket| {
                client.end();
                server.close(());
            });
            listen_then(server, host, move |port| {
                let c = net::connect(port, host, |_c| {});
                c.on(Lookup, must_not_call!(|_info|));
            });
        }
        run_and_check();
    });
}

/// test-net-dns-lookup-skip.js with a custom `lookup` option: Node checks `isIP(host)` before
/// it looks at `options.lookup`, so an IP literal never reaches a custom lookup either.
#[test]
fn test_net_dns_lookup_skip_custom_lookup() {
    bounded(|| {
        let server = net::create_server(|_c| {});
        server.on(Connection, move |client: Socket| {
            client.end();
            server.close(());
        });
        listen_then(server, "127.0.0.1", move |port| {
            let options = ConnectOptions {
                lookup: Some(CustomLookup::new(|_host| {
                    panic!("lookup called for an IP literal")
                })),
                ..ConnectOptions::new(port, "127.0.0.1")
            };
            let c = net::connect_with(options, |_c| {});
            c.on(Lookup, must_not_call!(|_info|));
            c.on(Connect, must_call!(|| {}));
        });
        run_and_check();
    });
}

/// test-net-dns-custom-lookup.js: a custom `lookup` that answers with one family; 'lookup'
/// reports `(null, address, family)`, for IPv4 then IPv6.
#[test]
fn test_net_dns_custom_lookup() {
    fn check(family: u8, then: Option<Box<dyn FnOnce()>>) {
        let address: &'static str = if family == 4 { "127.0.0.1" } else { "::1" };
        let mut then = then;
        let server = net::create_server(|_c| {});
        server.on(
            Connection,
            must_call!(move |client: Socket| {
                client.end();
                server.close(());
                if let Some(then) = then.take() {
                    then();
                }
            }),
        );
        listen_then(server, address, move |port| {
            let options = ConnectOptions {
                lookup: Some(CustomLookup::new(move |host| {
                    assert_eq!(host, "localhost");
                    Ok(vec![address.parse().unwrap()])
                })),
                ..ConnectOptions::new(port, "localhost")
            };
            let c = net::connect_with(options, |_c| {});
            c.on(
                Lookup,
                must_call!(move |info| {
                    assert!(info.error.is_none());
                    assert_eq!(info.address.as_deref(), Some(address));
                    assert_eq!(info.family, Some(family));
                }),
            );
        });
    }
    bounded(|| {
        check(4, Some(Box::new(|| check(6, None))));
        run_and_check();
    });
}

/// test-net-connect-immediate-finish.js: `end()` while the lookup is pending; the lookup
/// fails, 'error' carries the lookup's error (ENOTFOUND, `getaddrinfo ENOTFOUND
/// something.invalid`) without port or address; the connect callback never runs.
#[test]
fn test_net_connect_immediate_finish() {
    bounded(|| {
        let options = ConnectOptions {
            lookup: Some(CustomLookup::new(must_call!(|host: &str| Err(
                nodenet::Error::with_code("ENOTFOUND", format!("getaddrinfo ENOTFOUND {host}"))
            )))),
            ..ConnectOptions::new(80, "something.invalid")
        };
        let client = net::connect_with(options, |_c| panic!("must not connect"));
        client.once(
            Error,
            must_call!(|error| {
                assert_eq!(error.port(), None);
                assert_eq!(error.address(), None);
                assert_eq!(error.code(), Some("ENOTFOUND"));
                assert_eq!(error.message(), "getaddrinfo ENOTFOUND something.invalid");
            }),
        );
        client.end();
        run_and_check();
    });
}

/// test-net-connect-after-destroy.js: destroy right after connecting to a name that must be
/// looked up (Node uses google.com; here `localhost`, to stay on loopback): nothing breaks,
/// no 'connect', one 'close'.
#[test]
fn test_net_connect_after_destroy() {
    bounded(|| {
        let c = net::create_connection(80, "localhost", |_c| panic!("must not connect"));
        c.on(Connect, must_not_call!());
        c.on(Close, must_call!(|_had_error| {}));
        c.destroy();
        run_and_check();
    });
}

/// test-net-localport.js: connecting with `localPort`: the server sees that remote port and
/// the client's `local_port` is it.
#[test]
fn test_net_localport() {
    bounded(|| {
        let local_port = free_local_port();
        let server = net::create_server(|_s| {});
        server.on(
            Connection,
            must_call!(move |socket: Socket| {
                assert_eq!(socket.remote_port(), Some(local_port));
                socket.end();
                socket.on(Close, move |_h| {
                    server.close(());
                });
            }),
        );
        listen_then(server, "127.0.0.1", move |port| {
            let options = ConnectOptions {
                local_port: Some(local_port),
                ..ConnectOptions::new(port, "127.0.0.1")
            };
            let client = net::connect_with(options, |_c| {});
            client.on(
                Connect,
                must_call!(move || {
                    assert_eq!(client.local_port(), Some(local_port));
                }),
            );
            client.on(End, move || {
                client.end();
            });
        });
        run_and_check();
    });
}

/// test-net-client-bind-twice.js: connecting from a local port another server holds fails
/// with EADDRINUSE.
#[test]
fn test_net_client_bind_twice() {
    bounded(|| {
        let server1 = net::create_server(must_not_call!(|_s|));
        listen_then(
            server1,
            "127.0.0.1",
            must_call!(move |port1| {
                let server2 = net::create_server(must_not_call!(|_s|));
                listen_then(
                    server2,
                    "127.0.0.1",
                    must_call!(move |port2| {
                        let options = ConnectOptions {
                            local_address: Some("127.0.0.1".into()),
                            local_port: Some(port2),
                            ..ConnectOptions::new(port1, "127.0.0.1")
                        };
                        let client = net::connect_with(options, |_c| panic!("must not connect"));
                        client.on(
                            Error,
                            must_call!(move |err| {
                                assert_eq!(err.code(), Some("EADDRINUSE"));
                                server1.close(());
                                server2.close(());
                            }),
                        );
                    }),
                );
            }),
        );
        run_and_check();
    });
}

/// test-net-connect-options-allowhalfopen.js: clients with `allowHalfOpen: true` (with and
/// without a connect callback), against a half-open server that ends at once: after the
/// server's FIN each client is write-only, can still write, then ends; 'end' once per side,
/// each client closes, then the server closes.
#[test]
fn test_net_connect_options_allowhalfopen() {
    const CLIENT_VARIANTS: usize = 4;
    bounded(|| {
        let options = ServerOptions {
            allow_half_open: true,
            ..ServerOptions::default()
        };
        let server_fins = Calls::new(CLIENT_VARIANTS, "server 'end'");
        let server = net::create_server_with(options, |_s| {});
        server.on(
            Connection,
            must_call!(CLIENT_VARIANTS, move |socket: Socket| {
                socket.resume();
                socket.on(Data, must_call!(|_d| {}));
                socket.on(
                    End,
                    must_call!(move || {
                        let before = server_fins.count();
                        server_fins.hit();
                        if before + 1 == CLIENT_VARIANTS {
                            server.close(());
                        }
                    }),
                );
                socket.end();
            }),
        );
        server.on(Close, must_call!(|| {}));
        let on_connect = |index: usize, client: Socket| {
            client.resume();
            client.on(
                End,
                must_call!(move || {
                    // Node checks on a later timer; an immediate is later too.
                    nodenet::set_immediate(move || {
                        assert_eq!(client.ready_state(), ReadyState::WriteOnly);
                        assert!(client.write(index.to_string()));
                        client.end();
                    });
                }),
            );
            client.on(Close, must_call!(|_h| {}));
        };
        listen_then(
            server,
            "127.0.0.1",
            must_call!(move |port| {
                let opts = ConnectOptions {
                    allow_half_open: true,
                    ..ConnectOptions::new(port, "127.0.0.1")
                };
                net::connect_with(opts.clone(), must_call!(move |c| on_connect(1, c)));
                let c2 = net::connect_with(opts.clone(), |_c| {});
                c2.on(Connect, must_call!(move || on_connect(2, c2)));
                net::connect_with(opts.clone(), must_call!(move |c| on_connect(3, c)));
                let c4 = net::connect_with(opts, |_c| {});
                c4.on(Connect, must_call!(move || on_connect(4, c4)));
            }),
        );
        run_and_check();
    });
}

/// test-net-connect-reset-until-connected.js: `reset_and_destroy()` once both ends are
/// connected: the client closes, the server's socket gets `read ECONNRESET`.
#[test]
fn test_net_connect_reset_until_connected() {
    bounded(|| {
        let server = net::create_server(|_s| {});
        listen_then(
            server,
            "127.0.0.1",
            must_call!(move |port| {
                let conn = net::create_connection(port, "127.0.0.1", |_c| {});
                let pending = Slot::<usize>::new();
                pending.set(2);
                let connok = move || {
                    let left = pending.get() - 1;
                    pending.set(left);
                    if left == 0 {
                        conn.reset_and_destroy();
                    }
                };
                conn.on(Close, must_call!(|_h| {}));
                server.on(Connection, move |socket: Socket| {
                    connok();
                    socket.on(
                        Error,
                        must_call!(|err| {
                            assert_eq!(err.code(), Some("ECONNRESET"));
                            assert_eq!(err.message(), "read ECONNRESET");
                        }),
                    );
                    server.close(());
                });
                conn.on(Connect, connok);
            }),
        );
        run_and_check();
    });
}

/// test-net-connect-reset-before-connected.js: `reset_and_destroy()` then `destroy()` while
/// still connecting: no 'connect', no 'error'.
#[test]
fn test_net_connect_reset_before_connected() {
    bounded(|| {
        let server = net::create_server(|_s| {});
        server.listen((0, "127.0.0.1"), ()).expect("listen");
        let port = server.address().expect("bound at once").port;
        let socket = net::connect(port, "127.0.0.1", |_c| panic!("must not connect"));
        socket.on(Error, must_not_call!(|_e|));
        server.close(());
        socket.reset_and_destroy();
        socket.destroy();
        run_and_check();
    });
}

/// test-net-autoselectfamily.js: happy eyeballs over the addresses of a name. (1) [::1,
/// 127.0.0.1] with only an IPv4 server: both attempted, IPv4 answers. (2) the same with a
/// server on each: only ::1 attempted, IPv6 answers. (3) nothing listening: an aggregate error
/// of both refusals. (4) autoSelectFamily off: only ::1, `connect ECONNREFUSED ::1:port`.
/// Node's part with public internet addresses is left out (loopback only).
#[test]
fn test_net_autoselectfamily() {
    bounded(|| {
        // (1) IPv4 is reached when IPv6 is not.
        let ipv4_server = responder("ipv4");
        listen_then(
            ipv4_server,
            "127.0.0.1",
            must_call!(move |port| {
                let attempts = Log::new();
                let options = ConnectOptions {
                    lookup: Some(mocked_lookup(&["::1", "127.0.0.1"])),
                    auto_select_family: true,
                    ..ConnectOptions::new(port, "example.org")
                };
                request(options, attempts, "response-ipv4", move || {
                    attempts.assert_eq(&[&format!("::1:{port}"), &format!("127.0.0.1:{port}")]);
                    ipv4_server.close(());
                });
            }),
        );

        // (2) IPv4 is not reached when IPv6 answers.
        let ipv4_only = silent_responder();
        listen_then(
            ipv4_only,
            "127.0.0.1",
            must_call!(move |port| {
                let ipv6_server = responder("ipv6");
                ipv6_server
                    .listen(
                        (port, "::1"),
                        must_call!(move || {
                            let attempts = Log::new();
                            let options = ConnectOptions {
                                lookup: Some(mocked_lookup(&["::1", "127.0.0.1"])),
                                auto_select_family: true,
                                ..ConnectOptions::new(port, "example.org")
                            };
                            request(options, attempts, "response-ipv6", move || {
                                attempts.assert_eq(&[&format!("::1:{port}")]);
                                ipv4_only.close(());
                                ipv6_server.close(());
                            });
                        }),
                    )
                    .expect("listen");
            }),
        );

        // (3) Every error is reported when no connection succeeds.
        let port = closed_port();
        let attempts = Log::new();
        let connection = net::connect_with(
            ConnectOptions {
                lookup: Some(mocked_lookup(&["::1", "127.0.0.1"])),
                auto_select_family: true,
                ..ConnectOptions::new(port, "example.org")
            },
            |_c| panic!("must not connect"),
        );
        record_attempts(connection, attempts);
        connection.on(Ready, must_not_call!());
        connection.on(
            Error,
            must_call!(move |error| {
                attempts.assert_eq(&[&format!("::1:{port}"), &format!("127.0.0.1:{port}")]);
                assert_eq!(error.errors().len(), 2);
                let messages: Vec<&str> = error.errors().iter().map(|e| e.message()).collect();
                assert!(
                    messages.contains(&format!("connect ECONNREFUSED 127.0.0.1:{port}").as_str())
                );
                assert!(messages.contains(&format!("connect ECONNREFUSED ::1:{port}").as_str()));
            }),
        );

        // (4) The option can be disabled.
        let ipv4_server = silent_responder();
        listen_then(
            ipv4_server,
            "127.0.0.1",
            must_call!(move |port| {
                let connection = net::connect_with(
                    ConnectOptions {
                        lookup: Some(mocked_lookup(&["::1", "127.0.0.1"])),
                        auto_select_family: false,
                        ..ConnectOptions::new(port, "example.org")
                    },
                    |_c| panic!("must not connect"),
                );
                connection.on(Ready, must_not_call!());
                connection.on(
                    Error,
                    must_call!(move |error| {
                        assert!(error.errors().is_empty());
                        assert_eq!(error.code(), Some("ECONNREFUSED"));
                        assert_eq!(error.message(), format!("connect ECONNREFUSED ::1:{port}"));
                        ipv4_server.close(());
                    }),
                );
            }),
        );
        run_and_check();
    });
}

/// test-net-autoselectfamily-default.js (its first part; nodenet has no process-wide
/// `setDefaultAutoSelectFamily`): with the default options, [::1, 127.0.0.1] and only an IPv4
/// server, IPv4 is reached.
#[test]
fn test_net_autoselectfamily_default() {
    bounded(|| {
        let ipv4_server = responder("ipv4");
        listen_then(
            ipv4_server,
            "127.0.0.1",
            must_call!(move |port| {
                let options = ConnectOptions {
                    lookup: Some(mocked_lookup(&["::1", "127.0.0.1"])),
                    ..ConnectOptions::new(port, "example.org")
                };
                request(options, Log::new(), "response-ipv4", move || {
                    ipv4_server.close(());
                });
            }),
        );
        run_and_check();
    });
}

/// test-net-autoselectfamily-ipv4first.js: an A record first ([127.0.0.1, ::1]) with a server
/// on each: IPv4 is tried first and answers; the IPv6 server gets no data.
#[test]
fn test_net_autoselectfamily_ipv4first() {
    bounded(|| {
        let ipv4_server = responder("ipv4");
        listen_then(
            ipv4_server,
            "127.0.0.1",
            must_call!(move |port| {
                let ipv6_server = silent_responder();
                ipv6_server
                    .listen(
                        (port, "::1"),
                        must_call!(move || {
                            let options = ConnectOptions {
                                lookup: Some(mocked_lookup(&["127.0.0.1", "::1"])),
                                auto_select_family: true,
                                ..ConnectOptions::new(port, "example.org")
                            };
                            request(options, Log::new(), "response-ipv4", move || {
                                ipv4_server.close(());
                                ipv6_server.close(());
                            });
                        }),
                    )
                    .expect("listen");
            }),
        );
        run_and_check();
    });
}
