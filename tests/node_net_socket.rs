//! Node's own `test/parallel/test-net-*.js` tests about `net.Socket`, ported one `#[test]` per
//! Node file and named after it. Each asserts what the Node test asserts; see
//! `docs/conformance.md` for the table of ported, differing and skipped tests.

mod common;

use common::*;
use nodenet::net::ServerOptions;
use nodenet::prelude::*;
use nodenet::string_decoder::Encoding;

/// A server on 127.0.0.1 whose accepted sockets get `on_client`; `then(server, port)` once
/// listening.
fn serve(
    on_client: impl FnMut(Socket) + 'static,
    then: impl FnOnce(Server, u16) + 'static,
) -> Server {
    serve_with(ServerOptions::default(), on_client, then)
}

fn serve_with(
    options: ServerOptions,
    on_client: impl FnMut(Socket) + 'static,
    then: impl FnOnce(Server, u16) + 'static,
) -> Server {
    let server = net::create_server_with(options, on_client);
    listen_then(server, "127.0.0.1", move |port| then(server, port));
    server
}

/// [`serve`] for a test with one client, as [`listen_then_client`].
fn serve_client(
    on_client: impl FnMut(Socket) + 'static,
    client: impl FnOnce(u16) -> Socket + 'static,
) {
    let server = net::create_server_with(ServerOptions::default(), on_client);
    listen_then_client(server, "127.0.0.1", client);
}

/// test-net-after-close.js: after 'close', set_no_delay, set_keep_alive, writable_length,
/// pause, resume, address, remote address/port must not fail.
#[test]
fn test_net_after_close() {
    bounded(|| {
        serve_client(
            |s| {
                s.end();
            },
            |port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(End, move || {
                    c.end();
                });
                c.on(
                    Close,
                    must_call!(move |_h| {
                        c.set_no_delay(true);
                        c.set_keep_alive(true, 0);
                        let _ = c.writable_length();
                        c.pause();
                        c.resume();
                        let _ = c.address();
                        let _ = c.remote_address();
                        let _ = c.remote_port();
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-allow-half-open.js: allowHalfOpen defaults to false; the server end()s with data,
/// the client gets 'end', is not destroyed on the next tick, ends itself ('finish'), then
/// 'close'.
#[test]
fn test_net_allow_half_open() {
    bounded(|| {
        serve_client(
            |s| {
                s.end_with(vec![0u8; 1024]);
            },
            |port| {
                let log = Log::new();
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(Data, |_d| {});
                c.on(
                    End,
                    must_call!(move || {
                        log.push("end");
                        assert!(!c.destroyed());
                        nodenet::next_tick(move || {
                            assert!(!c.destroyed(), "not destroyed on the next tick");
                        });
                    }),
                );
                c.on(
                    Finish,
                    must_call!(move || {
                        log.push("finish");
                        assert!(!c.destroyed());
                    }),
                );
                c.on(
                    Close,
                    must_call!(move |_h| {
                        log.push("close");
                        log.assert_eq(&["end", "finish", "close"]);
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-access-byteswritten.js: bytesWritten is readable on a fresh socket and on a
/// closed one.
#[test]
fn test_net_access_byteswritten() {
    bounded(|| {
        serve_client(
            |s| {
                s.destroy();
            },
            |port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                assert_eq!(c.bytes_written(), 0);
                c.on(Error, |_e| {});
                c.on(
                    Close,
                    must_call!(move |_h| {
                        assert_eq!(c.bytes_written(), 0);
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-binary.js: the 256 byte values in reverse order go to a latin1 echo server; for
/// each character echoed, the client sends the next of 0, 1, ... 255, one at a time, and ends
/// after the last. It receives 512 characters, and the first 256 reversed are the second 256.
#[test]
fn test_net_binary() {
    bounded(|| {
        let binary_string: Vec<u8> = (0..=255u8).rev().collect();
        let recv = Slot::<String>::new();
        recv.set(String::new());
        let echo_server = net::create_server(|connection| {
            connection.set_encoding(Encoding::Latin1);
            connection.on(Data, move |chunk| {
                let text = chunk.as_str().unwrap();
                let bytes: Vec<u8> = text.chars().map(|c| c as u8).collect();
                connection.write(bytes);
            });
            connection.on(End, move || {
                connection.end();
            });
        });
        echo_server
            .listen((0, "127.0.0.1"), move || {
                let c = net::connect_to((echo_server.address().unwrap().port, "127.0.0.1"));
                c.set_encoding(Encoding::Latin1);
                let j = std::rc::Rc::new(std::cell::Cell::new(0usize));
                c.on(Data, move |chunk| {
                    let text = chunk.as_str().unwrap();
                    let n = j.get() + text.chars().count();
                    while j.get() < n && j.get() < 256 {
                        c.write([j.get() as u8]);
                        j.set(j.get() + 1);
                    }
                    if j.get() == 256 {
                        c.end();
                    }
                    let mut r = recv.take().unwrap();
                    r.push_str(text);
                    recv.set(r);
                });
                c.on(Connect, move || {
                    c.write(&binary_string);
                });
                c.on(Close, move |_had_error| {
                    echo_server.close(());
                });
            })
            .unwrap();
        run_and_check();
        let recv: Vec<char> = recv.get().chars().collect();
        assert_eq!(recv.len(), 2 * 256);
        let first: String = recv[..256].iter().rev().collect();
        let second: String = recv[256..].iter().collect();
        assert_eq!(first, second);
    });
}

/// test-net-buffersize.js: nine one-byte writes while connecting make `bufferSize`
/// (`writable_length`) 1, 2, ... 9, one after each; at `'finish'` it is 0 again.
#[test]
fn test_net_buffersize() {
    bounded(|| {
        serve_client(
            |s| {
                s.on(Data, |_d| {});
                s.on(End, move || {
                    s.end();
                });
            },
            |port| {
                let client = net::connect_to((port, "127.0.0.1"));
                client.on(
                    Finish,
                    must_call!(move || {
                        assert_eq!(client.writable_length(), 0);
                    }),
                );
                for i in 1..10 {
                    client.write("a");
                    assert_eq!(client.writable_length(), i);
                }
                client.end();
                client
            },
        );
        run_and_check();
    });
}

/// test-net-bytes-read.js: bytesRead grows by each 'data' chunk's length and ends at the total.
#[test]
fn test_net_bytes_read() {
    bounded(|| {
        const N: usize = 65536 * 4;
        serve_client(
            |s| {
                s.end_with(vec![b'x'; N]);
            },
            |port| {
                let total = Slot::<u64>::new();
                total.set(0);
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(Data, move |d| {
                    let t = total.get() + d.as_bytes().len() as u64;
                    total.set(t);
                    assert_eq!(c.bytes_read(), t);
                });
                c.on(
                    End,
                    must_call!(move || {
                        assert_eq!(c.bytes_read(), N as u64);
                        c.end();
                    }),
                );
                c.on(
                    Close,
                    must_call!(move |_h| {
                        assert_eq!(c.bytes_read(), N as u64);
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-bytes-stats.js: a client writes "foo" and, in the write callback, ends with
/// "bar"; from its `'close'` the same socket connects again, once. The server adds each
/// socket's `bytes_read` at `'end'`, the client its `bytes_written` at `'finish'` (each
/// connection counts from zero): 12 and 12 in all.
#[test]
fn test_net_bytes_stats() {
    use std::cell::Cell;
    use std::rc::Rc;
    bounded(|| {
        let bytes_read = Rc::new(Cell::new(0u64));
        let bytes_written = Rc::new(Cell::new(0u64));
        let read = bytes_read.clone();
        let tcp = net::create_server(move |s| {
            s.resume();
            let read = read.clone();
            s.on(End, move || read.set(read.get() + s.bytes_read()));
        });
        let written = bytes_written.clone();
        tcp.listen((0, "127.0.0.1"), move || {
            let port = tcp.address().unwrap().port;
            let socket = net::connect_to((port, "127.0.0.1"));
            let count = Rc::new(Cell::new(0));
            let connects = count.clone();
            socket.on(Connect, move || {
                connects.set(connects.get() + 1);
                socket.write_with_callback("foo", move |_err| {
                    socket.end_with("bar");
                });
            });
            socket.on(Finish, move || {
                written.set(written.get() + socket.bytes_written())
            });
            socket.on(Close, move |_had_error| {
                if count.get() < 2 {
                    socket.connect(port, "127.0.0.1", ());
                } else {
                    tcp.close(());
                }
            });
        })
        .unwrap();
        run_and_check();
        assert_eq!(bytes_read.get(), 12);
        assert_eq!(bytes_written.get(), 12);
    });
}

/// test-net-bytes-written-large.js: bytesWritten is exact for a large single write.
#[test]
fn test_net_bytes_written_large() {
    bounded(|| {
        const N: usize = 10_000_000;
        serve_client(
            must_call!(move |s: Socket| {
                s.write(vec![0u8; N]);
                s.end();
                s.on(
                    Close,
                    must_call!(move |_h| {
                        assert_eq!(s.bytes_written(), N as u64);
                    }),
                );
                assert_eq!(s.bytes_written(), N as u64);
            }),
            |port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(Data, |_d| {});
                c.on(End, move || {
                    c.end();
                });
                c.on(
                    Close,
                    must_call!(move |_h| {
                        assert_eq!(c.bytes_read(), N as u64);
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-can-reset-timeout.js: the server's socket has a 100 ms timeout and the client
/// sends nothing: `'timeout'` fires exactly once, and the write in its listener resets the
/// timer (no second `'timeout'` before the client, on that data, ends, and the server's
/// socket ends in turn). One connection.
#[test]
fn test_net_can_reset_timeout() {
    bounded(|| {
        serve_client(
            must_call!(move |stream: Socket| {
                stream.set_timeout(100, ());
                stream.resume();
                stream.on(
                    Timeout,
                    must_call!(move || {
                        stream.write("WHAT.");
                    }),
                );
                stream.on(End, move || {
                    stream.end();
                });
            }),
            |port| {
                let c = net::connect_to((port, "127.0.0.1"));
                c.on(Data, move |_d| {
                    c.end();
                });
                c
            },
        );
        run_and_check();
    });
}

/// test-net-connect-buffer.js: a write while connecting is queued and counted in bytesWritten
/// at once (bytes, not characters), its callback runs after 'connect'; end(b) before connect
/// works; readyState stays "opening"; the server gets "L'État, c'est moi". With
/// `highWaterMark: 0`, as in Node's test, that first `write` returns false.
#[test]
fn test_net_connect_buffer() {
    bounded(|| {
        let received = Slot::<Vec<u8>>::new();
        received.set(Vec::new());
        let connected = Slot::<bool>::new();
        connected.set(false);
        serve_client(
            move |s| {
                s.on(Data, move |d| {
                    let mut r = received.take().unwrap();
                    r.extend_from_slice(&d);
                    received.set(r);
                });
                s.on(
                    End,
                    must_call!(move || {
                        assert_eq!(received.get(), "L'État, c'est moi".as_bytes());
                        s.end();
                    }),
                );
            },
            move |port| {
                let options = nodenet::net::ConnectOptions {
                    high_water_mark: Some(0),
                    ..nodenet::net::ConnectOptions::new(port, "127.0.0.1")
                };
                let c = net::connect_with(
                    options,
                    must_call!(move |_c: Socket| {
                        connected.set(true);
                    }),
                );
                assert!(c.connecting());
                assert_eq!(c.ready_state(), ReadyState::Opening);
                let a = "L'État, c'est ";
                let b = "moi";
                let r = c.write_with_callback(
                    a,
                    must_call!(move |e: Option<&nodenet::Error>| {
                        assert!(e.is_none());
                        assert!(connected.get());
                    }),
                );
                assert_eq!(c.bytes_written(), a.len() as u64);
                assert!(!r);
                c.end_with(b);
                assert_eq!(c.ready_state(), ReadyState::Opening);
                c
            },
        );
        run_and_check();
    });
}

/// test-net-connect-destroy.js: destroy() right after connect(): 'close' once.
#[test]
fn test_net_connect_destroy() {
    bounded(|| {
        let c = net::connect(9, "127.0.0.1", must_not_call!(|_c|));
        c.on(Close, must_call!(|_h| {}));
        c.destroy();
        run_and_check();
    });
}

/// test-net-connect-immediate-destroy.js: destroy() right after connecting to a listening
/// port: no 'connect'.
#[test]
fn test_net_connect_immediate_destroy() {
    bounded(|| {
        serve_client(
            |_s| {},
            |port| {
                let c = net::connect(port, "127.0.0.1", must_not_call!(|_c|));
                c.on(Connect, must_not_call!());
                c.destroy();
                c
            },
        );
        run_and_check();
    });
}

/// test-net-keepalive.js: setKeepAlive(true, 50) on a connected socket is accepted and the
/// connection keeps working.
#[test]
fn test_net_keepalive() {
    bounded(|| {
        serve_client(
            |s| {
                s.set_keep_alive(true, 50);
                s.on(Data, move |d| {
                    assert_eq!(d.as_bytes(), b"ping");
                    s.end();
                });
            },
            |port| {
                let c = net::connect(port, "127.0.0.1", |c| {
                    c.write("ping");
                });
                c.set_keep_alive(true, 50);
                c.on(
                    End,
                    must_call!(move || {
                        c.end();
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-connect-options-ipv6.js: connecting to ::1 works and reports family IPv6.
#[test]
fn test_net_connect_options_ipv6() {
    bounded(|| {
        let server = net::create_server(|s| {
            s.end();
        });
        listen_then_client(server, "::1", move |port| {
            let c = net::connect(
                port,
                "::1",
                must_call!(move |c: Socket| {
                    assert_eq!(c.remote_family(), Some("IPv6"));
                    assert_eq!(c.remote_address().as_deref(), Some("::1"));
                    assert_eq!(c.remote_port(), Some(port));
                }),
            );
            c.on(End, move || {
                c.end();
            });
            c
        });
        run_and_check();
    });
}

/// test-net-connect-reset.js: `reset_and_destroy()` right after `connect`, while connecting:
/// the client gets one `'close'` and no `'error'`; the reset waits for the connection, so the
/// server accepts it and its socket gets one `'error'`, `ECONNRESET` `read ECONNRESET`.
#[test]
fn test_net_connect_reset() {
    bounded(|| {
        let server = Server::new(ServerOptions::default());
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    let conn = net::connect_to((server.address().unwrap().port, "127.0.0.1"));
                    conn.on(Close, must_call!(|_had_error| {}));
                    conn.on(Error, must_not_call!(|_e|));
                    server.on(Connection, move |socket| {
                        socket.on(
                            Error,
                            must_call!(|err: &Error| {
                                assert_eq!(err.code(), Some("ECONNRESET"));
                                assert_eq!(err.message(), "read ECONNRESET");
                            }),
                        );
                        server.close(());
                    });
                    conn.reset_and_destroy();
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// test-net-connect-reset-after-destroy.js: on `'connect'`, `reset_and_destroy().destroy()`
/// returns the socket itself; the client then gets no `'error'`, and a write after it fails in
/// its callback with `ERR_STREAM_DESTROYED`, `Cannot call write after a stream was destroyed`.
/// The server's socket gets exactly one `'error'`: `ECONNRESET`, `read ECONNRESET`.
#[test]
fn test_net_connect_reset_after_destroy() {
    reset_after_destroy_then_write();
}

/// test-net-socket-reset-send.js (the same script as test-net-connect-reset-after-destroy.js
/// in Node v20): on `'connect'`, `reset_and_destroy().destroy()` returns the socket; no client
/// `'error'`; a write after it fails in its callback with `ERR_STREAM_DESTROYED`; the server's
/// socket gets one `'error'`, `ECONNRESET` `read ECONNRESET`.
#[test]
fn test_net_socket_reset_send() {
    reset_after_destroy_then_write();
}

/// The script both Node files run.
fn reset_after_destroy_then_write() {
    bounded(|| {
        let server = Server::new(ServerOptions::default());
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    let port = server.address().unwrap().port;
                    let conn = net::connect_to((port, "127.0.0.1"));
                    server.on(Connection, move |socket| {
                        socket.on(
                            Error,
                            must_call!(|err: &Error| {
                                assert_eq!(err.code(), Some("ECONNRESET"));
                                assert_eq!(err.message(), "read ECONNRESET");
                            }),
                        );
                    });
                    conn.on(
                        Connect,
                        must_call!(move || {
                            assert_eq!(conn.reset_and_destroy().destroy(), conn);
                            conn.on(Error, must_not_call!(|_e|));
                            conn.write_with_callback(
                                "fzfzfzfzfz",
                                must_call!(|err: Option<&Error>| {
                                    let err = err.expect("the write fails");
                                    assert_eq!(err.code(), Some("ERR_STREAM_DESTROYED"));
                                    assert_eq!(
                                        err.message(),
                                        "Cannot call write after a stream was destroyed"
                                    );
                                }),
                            );
                            server.close(());
                        }),
                    );
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// test-net-socket-reset-twice.js: a connection refused (to a port whose server has closed)
/// gets exactly one `'error'`, whose listener calls `reset_and_destroy()` on the already
/// destroyed socket, and exactly one `'close'`.
#[test]
fn test_net_socket_reset_twice() {
    bounded(|| {
        let server = Server::new(ServerOptions::default());
        server.listen((0, "127.0.0.1"), ()).unwrap();
        let port = server.address().unwrap().port;
        let conn = net::connect_to((port, "127.0.0.1"));
        conn.on(
            Error,
            must_call!(move |_err| {
                conn.reset_and_destroy();
            }),
        );
        conn.on(Close, must_call!(|_had_error| {}));
        server.close(());
        run_and_check();
    });
}

/// test-net-end-destroyed.js: a client that calls `end()` on `'connect'` gets the server's
/// `'end'` (the server side ends too, without half-open) while it is not yet destroyed; the
/// server sees one connection.
#[test]
fn test_net_end_destroyed() {
    bounded(|| {
        let server = Server::new(ServerOptions::default());
        server.on(Connection, must_call!(|_socket: Socket| {}));
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    let socket = net::connect_to((server.address().unwrap().port, "127.0.0.1"));
                    socket.on(
                        Connect,
                        must_call!(move || {
                            socket.on(
                                End,
                                must_call!(move || {
                                    assert!(!socket.destroyed());
                                    server.close(());
                                }),
                            );
                            socket.end();
                        }),
                    );
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// test-net-error-twice.js: the client destroys while the server writes 10 MiB: the server
/// socket emits 'error' exactly once (EPIPE or ECONNRESET), never the same error twice.
#[test]
fn test_net_error_twice() {
    bounded(|| {
        let errors = Slot::<usize>::new();
        errors.set(0);
        serve_client(
            move |s| {
                s.on(Error, move |e: &nodenet::Error| {
                    errors.set(errors.get() + 1);
                    assert!(
                        matches!(e.code(), Some("EPIPE") | Some("ECONNRESET")),
                        "{e:?}"
                    );
                });
                s.on(Close, must_call!(move |_h| {}));
                s.write(vec![b'x'; 10 * 1024 * 1024]);
            },
            move |port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(Data, move |_d| {
                    c.destroy();
                });
                c
            },
        );
        run_and_check();
        assert_eq!(errors.get(), 1);
    });
}

/// test-net-large-string.js: 40 Ki characters `あ` (3 bytes each in UTF-8), written at once
/// by a client that ends; the server, with `set_encoding(utf8)`, receives exactly 40 Ki
/// characters (counted as Node counts a string's length: UTF-16 units, one each here), and
/// the client's `'end'` closes the server.
#[test]
fn test_net_large_string() {
    const K_POOL_SIZE: usize = 40 * 1024;
    bounded(|| {
        let received_size = std::rc::Rc::new(std::cell::Cell::new(0usize));
        let size = received_size.clone();
        let server = net::create_server(move |socket| {
            socket.set_encoding(Encoding::Utf8);
            let size = size.clone();
            socket.on(Data, move |data| {
                size.set(size.get() + data.as_str().unwrap().encode_utf16().count());
            });
            socket.on(End, move || {
                socket.end();
            });
        });
        server
            .listen((0, "127.0.0.1"), move || {
                let client = net::connect_to((server.address().unwrap().port, "127.0.0.1"));
                client.on(End, move || {
                    server.close(());
                });
                client.write("あ".repeat(K_POOL_SIZE));
                client.end();
            })
            .unwrap();
        run_and_check();
        assert_eq!(received_size.get(), K_POOL_SIZE);
    });
}

/// test-net-pause-resume-connecting.js: five clients call `pause()`/`resume()` before they
/// are connected, and the last call wins: `resume`, `pause resume` and `resume pause resume`
/// get the server's data; `pause` and `resume resume pause` get none (100 ms later their
/// `'data'` listeners are removed and they resume, to finish). Five connections, three
/// `'data'` events.
#[test]
fn test_net_pause_resume_connecting() {
    bounded(|| {
        let connections = Slot::<usize>::new();
        connections.set(0);
        let data_events = Slot::<usize>::new();
        data_events.set(0);
        serve(
            move |conn| {
                connections.set(connections.get() + 1);
                conn.end_with("This was the year he fell to pieces.");
            },
            move |server, port| {
                let on_data_ok = move |_data: Chunk<'_>| data_events.set(data_events.get() + 1);
                let tear_down = |conn: Socket| {
                    nodenet::set_timeout(100, move || {
                        conn.remove_all_listeners(Data).resume();
                    });
                };
                let closed = Slot::<usize>::new();
                closed.set(0);
                let connect = move || {
                    let conn = net::connect(port, "localhost", |_c| {});
                    conn.on(Close, move |_had_error| {
                        closed.set(closed.get() + 1);
                        if closed.get() == 5 {
                            server.close(());
                        }
                    });
                    conn
                };
                // Client 1
                connect().resume().on(Data, on_data_ok);
                // Client 2
                connect().pause().resume().on(Data, on_data_ok);
                // Client 3
                let conn = connect().pause().on(Data, must_not_call!(|_d|));
                tear_down(conn);
                // Client 4
                connect().resume().pause().resume().on(Data, on_data_ok);
                // Client 5
                let conn = connect()
                    .resume()
                    .resume()
                    .pause()
                    .on(Data, must_not_call!(|_d|));
                tear_down(conn);
            },
        );
        run_and_check();
        assert_eq!(connections.get(), 5);
        assert_eq!(data_events.get(), 3);
    });
}

/// test-net-pingpong.js: 1000 PING/PONG round trips against a half-open server, over a
/// socket file, 127.0.0.1, `localhost` and ::1. The server has one connection, never more than
/// one message queued, and is readable and writable while pinged; after the client's final
/// PING (sent with `end()`) the client is read-only and still gets that PONG, the server sees
/// `'end'` while still writable (half-open) and ends. N + 1 pongs received and N + 1 write
/// callbacks; both sides closed and neither readable nor writable at `'close'`.
#[test]
fn test_net_pingpong() {
    enum Target {
        Path(std::path::PathBuf),
        Host(&'static str),
    }
    let path = std::env::temp_dir().join(format!("nodenet-pingpong-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    for target in [
        Target::Path(path),
        Target::Host("127.0.0.1"),
        Target::Host("localhost"),
        Target::Host("::1"),
    ] {
        bounded(move || ping_pong(target));
    }

    fn ping_pong(target: Target) {
        use std::cell::Cell;
        use std::rc::Rc;
        const N: usize = 1000;
        let count = Rc::new(Cell::new(0usize));
        let sent_pongs = Rc::new(Cell::new(0usize));
        let sent_final_ping = Rc::new(Cell::new(false));
        let server_slot = Slot::<Server>::new();
        let (server_count, pongs) = (count.clone(), sent_pongs.clone());
        let server = net::create_server_with(
            ServerOptions {
                allow_half_open: true,
                ..ServerOptions::default()
            },
            must_call!(move |socket: Socket| {
                let server = server_slot.get();
                assert_eq!(server.connections(), 1);
                socket.set_no_delay(true);
                socket.set_timeout(0, ());
                socket.set_encoding(Encoding::Utf8);
                let (count, pongs) = (server_count.clone(), pongs.clone());
                socket.on(Data, move |data| {
                    assert!(socket.writable_length() <= 4);
                    assert!(socket.writable());
                    assert!(socket.readable());
                    assert!(count.get() <= N);
                    assert_eq!(data.as_str(), Some("PING"));
                    let pongs = pongs.clone();
                    socket.write_with_callback("PONG", move |_err| {
                        pongs.set(pongs.get() + 1);
                    });
                });
                socket.on(
                    End,
                    must_call!(move || {
                        assert!(socket.writable()); // because allowHalfOpen
                        assert!(!socket.readable());
                        socket.end();
                    }),
                );
                socket.on(Error, must_not_call!(|_e|));
                socket.on(
                    Close,
                    must_call!(move |_had_error| {
                        assert!(!socket.writable());
                        assert!(!socket.readable());
                        server.close(());
                    }),
                );
            }),
        );
        server_slot.set(server);
        let client = move |client: Socket| {
            client.set_encoding(Encoding::Ascii);
            client.on(
                Connect,
                must_call!(move || {
                    assert!(client.readable());
                    assert!(client.writable());
                    client.write("PING");
                }),
            );
            let (client_count, final_ping) = (count.clone(), sent_final_ping.clone());
            client.on(Data, move |data| {
                assert_eq!(data.as_str(), Some("PONG"));
                client_count.set(client_count.get() + 1);
                if final_ping.get() {
                    assert!(!client.writable());
                    assert!(client.readable());
                    return;
                }
                assert!(client.writable());
                assert!(client.readable());
                if client_count.get() < N {
                    client.write("PING");
                } else {
                    final_ping.set(true);
                    client.write("PING");
                    client.end();
                }
            });
            client.on(
                Close,
                must_call!(move |_had_error| {
                    assert_eq!(count.get(), N + 1);
                    assert_eq!(sent_pongs.get(), N + 1);
                    assert!(sent_final_ping.get());
                }),
            );
            client.on(Error, must_not_call!(|_e|));
        };
        match target {
            Target::Path(path) => {
                let p = path.clone();
                server
                    .listen(path.as_path(), move || {
                        client(net::connect_to(nodenet::net::ConnectOptions::path(p)));
                    })
                    .unwrap();
            }
            Target::Host(host) => {
                server
                    .listen((0, host), move || {
                        client(net::connect_to((server.address().unwrap().port, host)));
                    })
                    .unwrap();
            }
        }
        run_and_check();
    }
}

/// test-net-remote-address-port.js: remoteAddress is the loopback used, remotePort is the
/// server's port on the client and a real port on the server, remoteFamily matches.
#[test]
fn test_net_remote_address_port() {
    for host in HOSTS {
        bounded(move || {
            let family = if host == "::1" { "IPv6" } else { "IPv4" };
            let server = net::create_server(must_call!(move |s: Socket| {
                assert_eq!(s.remote_address().as_deref(), Some(host));
                assert_eq!(s.remote_family(), Some(family));
                assert!(s.remote_port().unwrap() > 0);
                s.end();
            }));
            listen_then_client(server, host, move |port| {
                let c = net::connect(
                    port,
                    host,
                    must_call!(move |c: Socket| {
                        assert_eq!(c.remote_address().as_deref(), Some(host));
                        assert_eq!(c.remote_family(), Some(family));
                        assert_eq!(c.remote_port(), Some(port));
                    }),
                );
                c.on(End, move || {
                    c.end();
                });
                c
            });
            run_and_check();
        });
    }
}

/// test-net-settimeout.js: `set_timeout(T, cb)` returns the socket; `set_timeout(0)` right
/// after disables it: no `'timeout'` within 2T, then the socket is destroyed.
#[test]
fn test_net_settimeout() {
    const T: u64 = 100;
    bounded(|| {
        serve_client(
            |s| {
                s.write("hello");
                s.on(Error, |_e| {});
            },
            |port| {
                let socket = net::connect_to((port, "127.0.0.1"));
                assert_eq!(socket.set_timeout(T, must_not_call!()), socket);
                socket.set_timeout(0, ());
                socket.on(Timeout, must_not_call!());
                nodenet::set_timeout(T * 2, move || {
                    socket.destroy();
                });
                socket
            },
        );
        run_and_check();
    });
}

/// test-net-socket-close-after-end.js: each side `end("foo")`s; the server's socket, which
/// starts reading only 100 ms later (Node: `read()` in a timeout after `'readable'`; here
/// `pause()` at once and `resume()` after 100 ms), still emits `'end'` before its one
/// `'close'`.
#[test]
fn test_net_socket_close_after_end() {
    bounded(|| {
        let server_slot = Slot::<Server>::new();
        let server = net::create_server(must_call!(move |socket: Socket| {
            let end_emitted = std::rc::Rc::new(std::cell::Cell::new(false));
            socket.pause();
            nodenet::set_timeout(100, move || {
                socket.resume();
            });
            let ended = end_emitted.clone();
            socket.on(End, move || ended.set(true));
            socket.on(
                Close,
                must_call!(move |_had_error| {
                    assert!(end_emitted.get());
                    server_slot.get().close(());
                }),
            );
            socket.end_with("foo");
        }));
        server_slot.set(server);
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    let client =
                        net::connect(server.address().unwrap().port, "127.0.0.1", |socket| {
                            socket.end_with("foo");
                        });
                    // Node's client never reads the server's "foo" and stays open when the
                    // process exits; this test checks the loop ends empty, so it reads.
                    client.resume();
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// test-net-socket-connecting.js: `connecting` is true after connect() and false in the
/// connect callback.
#[test]
fn test_net_socket_connecting() {
    bounded(|| {
        serve(
            |s| {
                s.end();
            },
            |server, port| {
                let c = net::connect(
                    port,
                    "127.0.0.1",
                    must_call!(move |c: Socket| {
                        assert!(!c.connecting());
                        server.close(());
                    }),
                );
                assert!(c.connecting());
                c.on(End, move || {
                    c.end();
                });
            },
        );
        run_and_check();
    });
}

/// test-net-socket-destroy-send.js, as Node v20 runs it: on `'connect'`, `destroy().destroy()`
/// returns the socket itself; a write after it gets `ERR_STREAM_DESTROYED`, `Cannot call
/// write after a stream was destroyed`, in its callback, and no `'error'` is emitted.
#[test]
fn test_net_socket_destroy_send() {
    bounded(|| {
        let server = Server::new(ServerOptions::default());
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    let conn = net::connect_to((server.address().unwrap().port, "127.0.0.1"));
                    conn.on(
                        Connect,
                        must_call!(move || {
                            assert_eq!(conn.destroy().destroy(), conn);
                            conn.on(Error, must_not_call!(|_e|));
                            conn.write_with_callback(
                                "kaboom",
                                must_call!(|e: Option<&Error>| {
                                    let e = e.expect("an error");
                                    assert_eq!(e.code(), Some("ERR_STREAM_DESTROYED"));
                                    assert_eq!(
                                        e.message(),
                                        "Cannot call write after a stream was destroyed"
                                    );
                                }),
                            );
                            server.close(());
                        }),
                    );
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// test-net-socket-destroy-twice.js: a connection refused (to a port whose server has
/// closed) gets exactly one `'error'`, whose listener calls `destroy()` again, and exactly one
/// `'close'`.
#[test]
fn test_net_socket_destroy_twice() {
    bounded(|| {
        let server = Server::new(ServerOptions::default());
        server.listen((0, "127.0.0.1"), ()).unwrap();
        let port = server.address().unwrap().port;
        let conn = net::connect_to((port, "127.0.0.1"));
        conn.on(
            Error,
            must_call!(move |_err| {
                conn.destroy();
            }),
        );
        conn.on(Close, must_call!(|_had_error| {}));
        server.close(());
        run_and_check();
    });
}

/// test-net-socket-end-before-connect.js: end() before the connection: 'end' and 'close'
/// still come once connected and the peer ends.
#[test]
fn test_net_socket_end_before_connect() {
    bounded(|| {
        serve_client(
            |s| {
                s.on(End, move || {
                    s.end();
                });
            },
            |port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.end();
                c.on(End, must_call!(|| {}));
                c
            },
        );
        run_and_check();
    });
}

/// test-net-socket-local-address.js: the client's localAddress/localPort after connecting
/// equal the server side's remoteAddress/remotePort.
#[test]
fn test_net_socket_local_address() {
    bounded(|| {
        let server_seen = Slot::<(String, u16)>::new();
        serve_client(
            move |s| {
                server_seen.set((s.remote_address().unwrap(), s.remote_port().unwrap()));
                s.end();
            },
            move |port| {
                let local = Slot::<(String, u16)>::new();
                let c = net::connect(port, "127.0.0.1", move |c| {
                    local.set((c.local_address().unwrap(), c.local_port().unwrap()));
                });
                c.on(End, move || {
                    c.end();
                });
                c.on(
                    Close,
                    must_call!(move |_h| {
                        assert_eq!(local.get(), server_seen.get());
                        assert_eq!(local.get().0, "127.0.0.1");
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-socket-no-halfopen-enforcer.js, in behaviour: Node checks that a
/// `new Socket({ allowHalfOpen: false })` has exactly one `'end'` listener (its own, not
/// also `stream.Duplex`'s enforcer). nodenet keeps no listeners of its own (a fresh socket has
/// none), so this checks what the single enforcer does: with allowHalfOpen false, a socket
/// ends its own side once when the peer ends ('end' then 'finish').
#[test]
fn test_net_socket_no_halfopen_enforcer() {
    bounded(|| {
        serve_client(
            |s| {
                assert_eq!(s.listener_count(End), 0);
                let log = Log::new();
                s.on(End, must_call!(move || log.push("end")));
                s.on(Finish, must_call!(move || log.push("finish")));
                s.on(
                    Close,
                    must_call!(move |_h| {
                        log.assert_eq(&["end", "finish"]);
                    }),
                );
            },
            |port| {
                let c = net::connect(port, "127.0.0.1", |c| {
                    c.end();
                });
                c.on(End, must_call!(|| {}));
                c
            },
        );
        run_and_check();
    });
}

/// test-net-socket-ready-without-cb.js: connecting without a callback: 'ready' fires.
#[test]
fn test_net_socket_ready_without_cb() {
    bounded(|| {
        serve(
            |s| {
                s.end();
            },
            |server, port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(
                    Ready,
                    must_call!(move || {
                        c.end();
                        server.close(());
                    }),
                );
            },
        );
        run_and_check();
    });
}

/// test-net-socket-timeout.js: the timeout callback fires (and setTimeout returns the
/// socket); setTimeout after destroy is a no-op.
#[test]
fn test_net_socket_timeout() {
    bounded(|| {
        serve(
            |_s| {},
            |server, port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                let same = c.set_timeout(
                    50,
                    must_call!(move || {
                        c.destroy();
                        server.close(());
                    }),
                );
                assert!(same == c);
            },
        );
        run_and_check();
    });
}

/// test-net-socket-timeout.js, last part: setTimeout on a destroyed socket is a no-op and
/// leaves nothing in the loop.
#[test]
fn test_net_socket_timeout_after_destroy() {
    bounded(|| {
        serve(
            |_s| {},
            |server, port| {
                let c = net::connect(
                    port,
                    "127.0.0.1",
                    must_call!(move |c: Socket| {
                        c.destroy();
                        c.set_timeout(1, must_not_call!());
                        server.close(());
                    }),
                );
                c.on(Close, must_call!(|_h| {}));
            },
        );
        run_and_check();
    });
}

/// test-net-socket-timeout-unref.js: the server and its accepted sockets (which write
/// "hello") are unref'd, and six unref'd clients have timeouts of 8, 5, 3, 6, 2 and 4 s: the
/// loop ends at once, and no timeout fires.
#[test]
fn test_net_socket_timeout_unref() {
    bounded(|| {
        let server = net::create_server(|c| {
            c.write("hello");
            c.unref();
        });
        let sockets = Slot::<Vec<Socket>>::new();
        sockets.set(Vec::new());
        listen_then(server, "127.0.0.1", move |port| {
            server.unref();
            for t in [8, 5, 3, 6, 2, 4] {
                let socket = net::connect_to((port, "127.0.0.1"));
                socket.set_timeout(t * 1000, must_not_call!());
                socket.unref();
                let mut all = sockets.take().unwrap();
                all.push(socket);
                sockets.set(all);
            }
        });
        let started = std::time::Instant::now();
        nodenet::run().unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // run() returned although the sockets are open: they are unref'd. Clean up.
        for s in sockets.get() {
            s.destroy();
        }
        server.close(());
        run_and_check();
    });
}

/// test-net-stream.js (second part): the server sets no-delay, writes 10 buffers of 2 MB and
/// ends; the client pauses (`pause()` returns the socket) on its first chunk and destroys 20 ms
/// later. The server socket's `'error'` (the peer reset the connection under its writes) and
/// `'close'` are each called exactly once, and the server ends with no connections. Node's
/// first part (`destroy()` on a `new net.Stream()` whose fake `server.connections` is 10
/// decrements it once) sets internals a Rust handle does not have; not ported.
#[test]
fn test_net_stream() {
    const SIZE: usize = 2_000_000;
    const N: usize = 10;
    bounded(|| {
        let server_slot = Slot::<Server>::new();
        let server = net::create_server(must_call!(move |socket: Socket| {
            socket.set_no_delay(true);
            socket
                .on(
                    Error,
                    must_call!(move |_err| {
                        socket.destroy();
                    }),
                )
                .on(
                    Close,
                    must_call!(move |_had_error| {
                        server_slot.get().close(());
                    }),
                );
            let buf = vec![b'a'; SIZE];
            for _ in 0..N {
                socket.write_with_callback(&buf[..], |_err| {});
            }
            socket.end();
        }));
        server_slot.set(server);
        server
            .listen((0, "127.0.0.1"), move || {
                let conn = net::connect(server.address().unwrap().port, "127.0.0.1", |_| {});
                conn.on(Data, move |_buf| {
                    assert_eq!(conn.pause(), conn);
                    nodenet::set_timeout(20, move || {
                        conn.destroy();
                    });
                });
            })
            .unwrap();
        run_and_check();
        assert_eq!(server.connections(), 0);
    });
}

/// test-net-throttle.js: the server writes 1 KiB bodies until `write` returns false, then two
/// more, and ends (`writable_length` at most the total). The client, with an ASCII encoding,
/// pauses on each chunk that arrives while it flows and resumes 100 ms later; no data arrives
/// while it is paused, it pauses more than once, and it receives every character written.
#[test]
fn test_net_throttle() {
    use std::cell::Cell;
    use std::rc::Rc;
    bounded(|| {
        let total_length = Rc::new(Cell::new(0usize));
        let chars_recved = Rc::new(Cell::new(0usize));
        let npauses = Rc::new(Cell::new(0usize));
        let total = total_length.clone();
        let server = net::create_server(move |connection| {
            let body = "C".repeat(1024);
            let mut n = 1;
            while connection.write(&body) {
                n += 1;
            }
            connection.write(&body);
            connection.write(&body);
            n += 2;
            total.set(n * body.len());
            assert!(connection.writable_length() <= total.get());
            connection.end();
        });
        let (recved, pauses) = (chars_recved.clone(), npauses.clone());
        server
            .listen((0, "127.0.0.1"), move || {
                let client = net::connect_to((server.address().unwrap().port, "127.0.0.1"));
                client.set_encoding(Encoding::Ascii);
                let paused = Rc::new(Cell::new(false));
                client.on(Data, move |d| {
                    recved.set(recved.get() + d.as_str().unwrap().len());
                    if !paused.get() {
                        client.pause();
                        pauses.set(pauses.get() + 1);
                        paused.set(true);
                        let x = recved.get();
                        let (recved, paused) = (recved.clone(), paused.clone());
                        nodenet::set_timeout(
                            100,
                            must_call!(move || {
                                assert_eq!(recved.get(), x);
                                client.resume();
                                paused.set(false);
                            }),
                        );
                    }
                });
                client.on(End, move || {
                    server.close(());
                    client.end();
                });
            })
            .unwrap();
        run_and_check();
        assert_eq!(chars_recved.get(), total_length.get());
        assert!(npauses.get() > 1, "{} > 1", npauses.get());
    });
}

/// test-net-writable.js: when the peer ends, on 'end' the socket is still writable and a
/// write does not fail (allowHalfOpen false).
#[test]
fn test_net_writable() {
    bounded(|| {
        serve_client(
            |s| {
                // Node's server socket never reads 'foo' and so never sees its 'end'; Node's
                // process exits all the same. This test also checks the loop ends empty, so
                // the server side consumes.
                s.resume();
                s.end();
            },
            |port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(
                    End,
                    must_call!(move || {
                        assert!(c.writable());
                        c.write("hello world");
                    }),
                );
                c.on(Error, must_not_call!(|_e|));
                c
            },
        );
        run_and_check();
    });
}

/// test-net-write-after-close.js: after the client ended, the server socket's write('test', cb)
/// gets an error in the callback, and the server socket emits no 'error'.
#[test]
fn test_net_write_after_close() {
    bounded(|| {
        serve_client(
            |s| {
                s.on(Error, must_not_call!(|_e|));
                s.on(
                    End,
                    must_call!(move || {
                        nodenet::set_immediate(move || {
                            s.write_with_callback(
                                "test",
                                must_call!(|e: Option<&nodenet::Error>| {
                                    assert!(e.is_some());
                                }),
                            );
                        });
                    }),
                );
            },
            |port| {
                net::connect(port, "127.0.0.1", |c| {
                    c.end();
                })
            },
        );
        run_and_check();
    });
}

/// test-net-write-after-end-nt.js: after the peer ended and we end()ed, write('hello', cb)
/// returns false, the callback gets EPIPE "This socket has been ended by the other party",
/// and 'error' comes on a later tick, not during write().
#[test]
fn test_net_write_after_end_nt() {
    bounded(|| {
        serve_client(
            |s| {
                s.end();
            },
            |port| {
                let c = net::connect(port, "127.0.0.1", |c| {
                    c.end();
                });
                let in_write = Slot::<bool>::new();
                in_write.set(false);
                c.on(
                    End,
                    must_call!(move || {
                        in_write.set(true);
                        let ret = c.write_with_callback(
                            "hello",
                            must_call!(|e: Option<&nodenet::Error>| {
                                let e = e.expect("an error");
                                assert_eq!(e.code(), Some("EPIPE"));
                                assert_eq!(
                                    e.message(),
                                    "This socket has been ended by the other party"
                                );
                            }),
                        );
                        in_write.set(false);
                        assert!(!ret);
                    }),
                );
                c.on(
                    Error,
                    must_call!(move |e: &nodenet::Error| {
                        assert!(!in_write.get(), "'error' must come on a later tick");
                        assert_eq!(e.code(), Some("EPIPE"));
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-write-cb-on-destroy-before-connect.js: write('foo', cb) while connecting, then
/// destroy(): the callback gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION; 'connect' never fires.
#[test]
fn test_net_write_cb_on_destroy_before_connect() {
    bounded(|| {
        serve_client(
            |_s| {},
            |port| {
                let c = net::connect(port, "127.0.0.1", must_not_call!(|_c|));
                c.on(Connect, must_not_call!());
                c.write_with_callback(
                    "foo",
                    must_call!(|e: Option<&nodenet::Error>| {
                        let e = e.expect("an error");
                        assert_eq!(e.code(), Some("ERR_SOCKET_CLOSED_BEFORE_CONNECTION"));
                        assert_eq!(
                            e.message(),
                            "Socket closed before the connection was established"
                        );
                    }),
                );
                c.destroy();
                c
            },
        );
        run_and_check();
    });
}

/// test-net-write-connect-write.js: a write before connect and a write in the connect
/// callback arrive in order ("foobar").
#[test]
fn test_net_write_connect_write() {
    bounded(|| {
        let received = Slot::<Vec<u8>>::new();
        received.set(Vec::new());
        serve_client(
            move |s| {
                s.on(Data, move |d| {
                    let mut r = received.take().unwrap();
                    r.extend_from_slice(&d);
                    received.set(r);
                });
                s.on(End, move || {
                    s.end();
                });
            },
            move |port| {
                let c = net::connect(port, "127.0.0.1", |c| {
                    c.write("bar");
                    c.end();
                });
                c.write("foo");
                c.on(
                    Close,
                    must_call!(move |_h| {
                        assert_eq!(received.get(), b"foobar");
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-write-slow.js: with no-delay and a 1 s socket timeout, the server writes 10
/// buffers of 200 000 bytes and ends; once every write callback ran it clears the timeout.
/// The client pauses on each chunk and resumes 20 ms later. No `'timeout'`, and all
/// 2 000 000 bytes arrive.
#[test]
fn test_net_write_slow() {
    const SIZE: usize = 200_000;
    const N: usize = 10;
    use std::cell::Cell;
    use std::rc::Rc;
    bounded(|| {
        let received = Rc::new(Cell::new(0usize));
        let server = net::create_server(move |socket| {
            socket.set_no_delay(true);
            socket.set_timeout(1000, ());
            socket.on(Timeout, must_not_call!());
            let flushed = Rc::new(Cell::new(0));
            let buf = vec![b'a'; SIZE];
            for _ in 0..N {
                let flushed = flushed.clone();
                socket.write_with_callback(&buf[..], move |_err| {
                    flushed.set(flushed.get() + 1);
                    if flushed.get() == N {
                        socket.set_timeout(0, ());
                    }
                });
            }
            socket.end();
        });
        let got = received.clone();
        server
            .listen((0, "127.0.0.1"), move || {
                let conn = net::connect_to((server.address().unwrap().port, "127.0.0.1"));
                conn.on(Data, move |buf| {
                    got.set(got.get() + buf.len());
                    conn.pause();
                    nodenet::set_timeout(20, move || {
                        conn.resume();
                    });
                });
                conn.on(End, move || {
                    server.close(());
                });
            })
            .unwrap();
        run_and_check();
        assert_eq!(received.get(), SIZE * N);
    });
}

/// test-net-better-error-messages-port.js: connecting to a closed port gives 'error'
/// ECONNREFUSED with syscall, address, port and Node's message, then 'close'(true).
#[test]
fn test_net_better_error_messages_port() {
    bounded(|| {
        let server = net::create_server(must_not_call!(|_s|));
        listen_then(server, "127.0.0.1", move |port| {
            server.close_with_callback(must_call!(move |_e: Option<&nodenet::Error>| {
                let c = net::connect(port, "127.0.0.1", must_not_call!(|_c|));
                c.on(
                    Error,
                    must_call!(move |e: &nodenet::Error| {
                        assert_eq!(e.code(), Some("ECONNREFUSED"));
                        assert_eq!(e.syscall(), Some("connect"));
                        assert_eq!(e.address(), Some("127.0.0.1"));
                        assert_eq!(e.port(), Some(port));
                        assert_eq!(
                            e.message(),
                            format!("connect ECONNREFUSED 127.0.0.1:{port}")
                        );
                    }),
                );
                c.on(Close, must_call!(|had_error| assert!(had_error)));
            }));
        });
        run_and_check();
    });
}

/// test-net-connect-paused-connection.js: the server's accepted socket and the server are
/// unref'd; a client that is paused right after `connect` (and not unref'd) does not keep
/// the loop alive either: as in libuv, a handle that is not reading, writing or connecting is
/// not active.
#[test]
fn test_net_connect_paused_connection() {
    bounded(|| {
        let server = net::create_server(|conn| {
            conn.unref();
        });
        listen_then(server, "localhost", move |port| {
            server.unref();
            let c = net::connect(port, "localhost", |_c| {});
            c.pause();
            SOCK.with(|s| s.set(Some(c)));
        });
        nodenet::run().unwrap();
        // run() returned: the paused socket and the unref'd server did not keep it alive.
        if let Some(c) = SOCK.with(|s| s.get()) {
            c.destroy();
        }
        server.close(());
        run_and_check();
    });
}

thread_local! {
    static SOCK: std::cell::Cell<Option<Socket>> = const { std::cell::Cell::new(None) };
}

/// test-net-localhost (connect to 'localhost' goes through the resolver) — from
/// test-net-connect-options-port.js' host forms: connecting to "localhost" reaches a server
/// on the loopback.
#[test]
fn test_net_connect_options_port_localhost() {
    bounded(|| {
        let server = net::create_server(|s| {
            s.end();
        });
        listen_then_client(server, "127.0.0.1", move |port| {
            let c = net::connect(port, "localhost", |_c| {});
            c.on(Error, |_e| {});
            c.on(End, move || {
                c.end();
            });
            c
        });
        run_and_check();
    });
}

/// test-net-destroy-soon (socket.destroySoon(): end, then destroy once flushed): the peer
/// receives everything queued, then the socket closes without error.
#[test]
fn test_net_socket_destroy_soon() {
    bounded(|| {
        let received = Slot::<usize>::new();
        received.set(0);
        serve_client(
            |s| {
                s.write(vec![b'y'; 100_000]);
                s.destroy_soon();
                s.on(Close, must_call!(|had_error| assert!(!had_error)));
            },
            move |port| {
                let c = net::connect(port, "127.0.0.1", |_c| {});
                c.on(Data, move |d| {
                    received.set(received.get() + d.as_bytes().len())
                });
                c.on(End, move || {
                    c.end();
                });
                c.on(
                    Close,
                    must_call!(move |_h| {
                        assert_eq!(received.get(), 100_000);
                    }),
                );
                c
            },
        );
        run_and_check();
    });
}

/// test-net-sync-cork.js: 100 rounds of `cork(); write(2 bytes); write(2 bytes); uncork()`
/// right after `'connect'` all report `true` (the data is far below the high-water mark); the
/// server side gets no `'error'` and one `'close'`.
#[test]
fn test_net_sync_cork() {
    const N: usize = 100;
    bounded(|| {
        let server_slot = Slot::<Server>::new();
        let server = net::create_server(move |socket| {
            socket.resume().on(Error, must_not_call!(|_e|)).on(
                Close,
                must_call!(move |_had_error| {
                    server_slot.get().close(());
                }),
            );
        });
        server_slot.set(server);
        server
            .listen((0, "127.0.0.1"), move || {
                let conn = net::connect_to((server.address().unwrap().port, "127.0.0.1"));
                conn.on(
                    Connect,
                    must_call!(move || {
                        let buf = [b'a'; 2];
                        let mut res = true;
                        let mut i = 0;
                        while i < N && res {
                            conn.cork();
                            conn.write(buf);
                            res = conn.write(buf);
                            conn.uncork();
                            i += 1;
                        }
                        assert_eq!(i, N);
                        conn.end();
                    }),
                );
            })
            .unwrap();
        run_and_check();
    });
}

/// test-net-socket-byteswritten.js: two writes while corked and still connecting ("one", 3
/// bytes, and "twø", 4 bytes) count 7 in `bytes_written` at once, at `'connect'` and at
/// `'end'`.
#[test]
fn test_net_socket_byteswritten() {
    bounded(|| {
        let server = net::create_server(|socket| {
            // Read what the client sent: unread bytes hold back the socket's 'end' and so its
            // 'close', as in Node, where the process exits with the socket still open; this
            // test also checks that the loop ends empty.
            socket.resume();
            socket.end();
        });
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    let socket = net::connect_to((server.address().unwrap().port, "127.0.0.1"));
                    socket.cork();
                    socket.write("one");
                    socket.write("twø".as_bytes());
                    socket.uncork();
                    assert_eq!(socket.bytes_written(), 3 + 4);
                    socket.on(
                        Connect,
                        must_call!(move || assert_eq!(socket.bytes_written(), 3 + 4)),
                    );
                    socket.on(
                        End,
                        must_call!(move || {
                            assert_eq!(socket.bytes_written(), 3 + 4);
                            server.close(());
                        }),
                    );
                }),
            )
            .unwrap();
        run_and_check();
    });
}

/// test-net-socket-end-callback.js: `end(cb)` called from the connect callback calls `cb`
/// once for each of three connections (Node's three forms `end(cb)`, `end('foo', cb)` and
/// `end('foo', 'utf8', cb)`; the last two are `write("foo")` then `end_with_callback` here,
/// since nodenet has no data-and-callback form of `end`). The server is unref'd, so the
/// loop ends when the clients are done.
#[test]
fn test_net_socket_end_callback() {
    bounded(|| {
        let server = net::create_server(|socket| {
            socket.resume();
        });
        server.unref();
        server
            .listen(
                (0, "127.0.0.1"),
                must_call!(move || {
                    let port = server.address().unwrap().port;
                    let cb = Calls::new(3, "end callback");
                    for with_data in [false, true, true] {
                        net::connect(port, "127.0.0.1", move |socket| {
                            if with_data {
                                socket.write("foo");
                            }
                            socket.end_with_callback(move |err| {
                                assert!(err.is_none());
                                cb.hit();
                            });
                        });
                    }
                }),
            )
            .unwrap();
        nodenet::run().unwrap();
        check_calls();
        server.close(());
        run_and_check();
    });
}
