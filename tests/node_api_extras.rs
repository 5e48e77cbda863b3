//! Node APIs added late: `socket.unpipe([destination])`, `events.errorMonitor`,
//! `server.listen(handle)`, the listen options `readableAll`/`writableAll`, and
//! `new net.Socket({ fd })` (as `Socket::from_std`). Each expectation was checked against
//! Node 20 first.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;
use nodenet::event::ErrorMonitor;
use nodenet::events::{EventEmitter, ERROR_MONITOR};
use nodenet::net::ListenOptions;
use nodenet::prelude::*;

const HOST: &str = "127.0.0.1";

/// A loopback port that refuses connects, held for the process: see [`common::refused_port`].
fn refused_port() -> u16 {
    common::refused_port(HOST)
}

/// A fresh directory for socket files.
fn socket_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nodenet-extras-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make the socket directory");
    dir
}

/// Node: `src.unpipe(dest)` removes the pipe's listeners and pauses the source (emitting
/// 'pause' at once) when no pipe is left; data then no longer goes to the destination.
#[test]
fn unpipe_destination_removes_the_pipe_and_pauses() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(must_call!(move |client: Socket| {
            let data_before = client.listener_count(Data);
            let close_before = client.listener_count(Close);
            client.on(Pause, must_call!(move || log.push("s:pause")));
            client.pipe(client);
            assert_eq!(client.listener_count(Data), data_before + 1);
            assert_eq!(client.listener_count(Finish), 1);
            assert_eq!(client.unpipe(Some(client)), client);
            log.push("s:unpiped");
            assert!(client.is_paused());
            assert_eq!(client.listener_count(Data), data_before);
            assert_eq!(client.listener_count(Close), close_before);
            assert_eq!(client.listener_count(Finish), 0);
            assert_eq!(client.listener_count(Drain), 0);
            // The pipe is gone: what the peer sends reaches this listener only, not the peer.
            client.on(
                Data,
                must_call!(move |data| {
                    log.push(format!("s:data {data}"));
                    client.end_with("done");
                }),
            );
            client.resume();
        }));
        listen_then_client(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |socket| {
                socket.write("ping");
            });
            socket.on(
                Data,
                must_call!(move |data| log.push(format!("c:data {data}"))),
            );
            socket
        });
        run_and_check();
        log.assert_only("s:", &["s:pause", "s:unpiped", "s:data ping"]);
        log.assert_only("c:", &["c:data done"]);
    });
}

/// Node: with two destinations, unpiping one leaves the source flowing; `unpipe()` takes the
/// rest and pauses; `unpipe` of a socket that is not a destination, or with no pipe left,
/// changes nothing.
#[test]
fn unpipe_all_and_unpipe_of_a_stranger() {
    bounded(|| {
        let first = Slot::<()>::new();
        let server = net::create_server(must_call!(2, move |client: Socket| {
            // The second connection is `other`'s, below.
            if first.is_some() {
                return;
            }
            first.set(());
            client.on(Pause, must_call!(1, move || {}));
            // Nothing piped yet: a no-op that leaves the socket flowing.
            client.unpipe(None);
            assert!(!client.is_paused());
            let other = net::connect(client.local_port().unwrap(), HOST, |_| {});
            other.on(Close, must_call!(move |_had_error| {}));
            client.unpipe(Some(other));
            assert!(!client.is_paused());
            client.pipe(client);
            client.pipe(other);
            assert_eq!(client.listener_count(Data), 2);
            client.unpipe(Some(other));
            assert!(!client.is_paused(), "one pipe is left");
            assert_eq!(client.listener_count(Data), 1);
            assert_eq!(other.listener_count(Finish), 0);
            client.pipe(other);
            client.unpipe(None);
            assert!(client.is_paused());
            assert_eq!(client.listener_count(Data), 0);
            assert_eq!(client.listener_count(Finish), 0);
            assert_eq!(other.listener_count(Finish), 0);
            client.resume();
            client.unpipe(None); // no pipe left: no second 'pause'
            assert!(!client.is_paused());
            other.end();
            client.end();
        }));
        listen_then_client(server, HOST, move |port| net::connect(port, HOST, |_| {}));
        run_and_check();
    });
}

/// A pipe that came apart by itself (the destination closed) is out of the registry: a later
/// `unpipe()` finds nothing and leaves the resumed source flowing.
#[test]
fn a_pipe_taken_apart_by_close_is_forgotten() {
    bounded(|| {
        let first = Slot::<()>::new();
        let server = net::create_server(must_call!(2, move |client: Socket| {
            // The second connection is the destination's, below.
            if first.is_some() {
                return;
            }
            first.set(());
            let port = client.local_port().unwrap();
            let destination = net::connect(port, HOST, |socket| {
                socket.destroy();
            });
            client.pipe(destination);
            destination.on(
                Close,
                must_call!(move |_had_error| {
                    assert!(client.is_paused(), "the pipe came apart: source paused");
                    client.resume();
                    client.unpipe(None);
                    assert!(!client.is_paused());
                    assert_eq!(client.listener_count(Data), 0);
                    client.end();
                }),
            );
        }));
        listen_then_client(server, HOST, move |port| net::connect(port, HOST, |_| {}));
        run_and_check();
    });
}

/// Node: `errorMonitor` listeners run before the 'error' listeners, even when added after them.
#[test]
fn error_monitor_runs_before_error_on_a_socket() {
    bounded(|| {
        let log = Log::new();
        let port = refused_port();
        let socket = net::connect(port, HOST, must_not_call!(|_s|));
        socket.on(
            Error,
            must_call!(move |err| log.push(format!("error {}", err.code().unwrap()))),
        );
        socket.on(
            ErrorMonitor,
            must_call!(move |err| log.push(format!("monitor {}", err.code().unwrap()))),
        );
        assert_eq!(socket.listener_count(ErrorMonitor), 1);
        assert_eq!(socket.listener_count(Error), 1);
        socket.on(
            Close,
            must_call!(move |had_error| log.push(format!("close {had_error}"))),
        );
        run_and_check();
        log.assert_eq(&["monitor ECONNREFUSED", "error ECONNREFUSED", "close true"]);
    });
}

/// Node: an error with only a monitor is still uncaught (the monitor sees it first); here
/// the default policy makes `run()` return it.
#[test]
fn error_monitor_alone_does_not_handle_the_error() {
    bounded(|| {
        let log = Log::new();
        let port = refused_port();
        let socket = net::connect(port, HOST, must_not_call!(|_s|));
        socket.on(
            ErrorMonitor,
            must_call!(move |err| log.push(format!("monitor {}", err.code().unwrap()))),
        );
        let err = nodenet::run().expect_err("the error is unhandled");
        assert_eq!(err.code(), Some("ECONNREFUSED"));
        log.assert_eq(&["monitor ECONNREFUSED"]);
        run_and_check();
    });
}

/// Node: a server's `errorMonitor` sees `listen EADDRINUSE` before its 'error' listener.
#[test]
fn error_monitor_on_a_server() {
    bounded(|| {
        let log = Log::new();
        let first = net::create_server(must_not_call!(|_s|));
        listen_then(first, HOST, move |port| {
            let second = net::create_server(must_not_call!(|_s|));
            second.on(
                Error,
                must_call!(move |err| {
                    log.push(format!("error {}", err.code().unwrap()));
                    first.close(());
                    // Not listening, but a slot until closed.
                    second.close(());
                }),
            );
            second.on(
                ErrorMonitor,
                must_call!(move |err| log.push(format!("monitor {}", err.code().unwrap()))),
            );
            second.listen((port, HOST), must_not_call!()).unwrap();
        });
        run_and_check();
        log.assert_eq(&["monitor EADDRINUSE", "error EADDRINUSE"]);
    });
}

/// `events.errorMonitor` on an `EventEmitter`: run first, not counted, and an event of its own.
#[test]
fn error_monitor_on_an_event_emitter() {
    let log = Log::new();
    let emitter = EventEmitter::<&str>::new();
    emitter.on("error", move |err| log.push(format!("error {err}")));
    emitter.on(ERROR_MONITOR, move |err| log.push(format!("monitor {err}")));
    assert!(emitter.emit("error", &"x"));
    let only_monitor = EventEmitter::<&str>::new();
    only_monitor.on(ERROR_MONITOR, move |err| {
        log.push(format!("lone monitor {err}"))
    });
    assert!(
        !only_monitor.emit("error", &"y"),
        "a monitor does not handle the error"
    );
    assert_eq!(only_monitor.listener_count("error"), 0);
    assert!(only_monitor.emit(ERROR_MONITOR, &"direct"));
    log.assert_eq(&[
        "monitor x",
        "error x",
        "lone monitor y",
        "lone monitor direct",
    ]);
}

/// Node's `server.listen(handle)`: 'listening' comes on a later tick, `address()` is the
/// handle's, connections are accepted, and a second listen is `ERR_SERVER_ALREADY_LISTEN`.
#[test]
fn listen_std_adopts_a_bound_listener() {
    bounded(|| {
        let log = Log::new();
        let listener = std::net::TcpListener::bind((HOST, 0)).expect("bind");
        let port = listener.local_addr().unwrap().port();
        let server = net::create_server(must_call!(move |client: Socket| {
            log.push(format!("s:connection {}", client.remote_address().unwrap()));
            client.end_with("hi");
        }));
        server
            .listen_std(
                listener,
                must_call!(move || {
                    log.push("s:listening");
                    let address = server.address().unwrap();
                    assert_eq!((address.address.as_str(), address.port), (HOST, port));
                    let client = net::connect(port, HOST, |_| {});
                    client.on(
                        Data,
                        must_call!(move |data| log.push(format!("c:data {data}"))),
                    );
                    client.on(
                        Close,
                        must_call!(move |_had_error| {
                            server.close_with_callback(must_call!(move |err: Option<
                                &nodenet::Error,
                            >| {
                                assert!(err.is_none());
                                log.push("s:close");
                            }));
                        }),
                    );
                }),
            )
            .unwrap();
        log.push("listen_std returned");
        let again = std::net::TcpListener::bind((HOST, 0)).expect("bind");
        assert_eq!(
            server.listen_std(again, ()).unwrap_err().code(),
            Some("ERR_SERVER_ALREADY_LISTEN")
        );
        run_and_check();
        log.assert_eq(&[
            "listen_std returned",
            "s:listening",
            "s:connection 127.0.0.1",
            "c:data hi",
            "s:close",
        ]);
    });
}

/// The Unix variant: the handed-over socket file is used, and left in place on close, as
/// libuv leaves a pipe it did not bind.
#[test]
fn listen_std_unix_keeps_the_socket_file() {
    bounded(|| {
        let dir = socket_dir("listen-std");
        let path = dir.join("adopted.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).expect("bind");
        let server = net::create_server(must_call!(move |client: Socket| {
            client.end_with("over a file");
        }));
        let p = path.clone();
        server
            .listen_std_unix(
                listener,
                must_call!(move || {
                    assert_eq!(server.path().as_deref(), Some(p.as_path()));
                    let client = net::connect_path(&p, |_| {});
                    client.on(
                        Data,
                        must_call!(move |data| assert_eq!(data.to_string(), "over a file")),
                    );
                    client.on(
                        Close,
                        must_call!(move |_had_error| {
                            server.close(());
                        }),
                    );
                }),
            )
            .unwrap();
        run_and_check();
        assert!(path.exists(), "a handed-over socket file stays");
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// Node's `readableAll`/`writableAll` (libuv's `uv_pipe_chmod`): read and/or write for all are
/// added to the mode the umask gave (Node 20 under umask 022: none 755, readable 755, writable
/// 777, both 777; under umask 077: 700, 744, 722, 766).
#[test]
fn readable_all_and_writable_all_open_the_socket_file() {
    bounded(|| {
        let dir = socket_dir("modes");
        let modes = Slot::<Vec<u32>>::new();
        modes.set(Vec::new());
        let cases = [(false, false), (true, false), (false, true), (true, true)];
        for (i, (readable_all, writable_all)) in cases.into_iter().enumerate() {
            let path = dir.join(format!("s{i}.sock"));
            let options = ListenOptions {
                readable_all,
                writable_all,
                ..path.clone().into()
            };
            let server = net::create_server(must_not_call!(|_s|));
            server
                .listen(
                    options,
                    must_call!(move || {
                        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                        let mut all = modes.take().unwrap();
                        all.push(mode & 0o777);
                        modes.set(all);
                        server.close(());
                    }),
                )
                .unwrap();
        }
        run_and_check();
        let modes = modes.get();
        let base = modes[0];
        assert_eq!(modes, [base, base | 0o444, base | 0o222, base | 0o666]);
        // Ignored for TCP, as in Node.
        let server = net::create_server(must_not_call!(|_s|));
        let options = ListenOptions {
            readable_all: true,
            writable_all: true,
            ..ListenOptions::from((0, HOST))
        };
        server
            .listen(
                options,
                must_call!(move || {
                    server.close(());
                }),
            )
            .unwrap();
        run_and_check();
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// Node's `new net.Socket({ fd })` on a connected descriptor: open at once, no 'connect' or
/// 'ready', then data, 'end', 'finish', 'close'(false), as for an accepted socket.
#[test]
fn from_std_adopts_a_connected_stream() {
    bounded(|| {
        let log = Log::new();
        let listener = std::net::TcpListener::bind((HOST, 0)).expect("bind");
        let port = listener.local_addr().unwrap().port();
        let stream = std::net::TcpStream::connect((HOST, port)).expect("connect");
        let server = net::create_server(must_call!(move |client: Socket| {
            client.on(
                Data,
                must_call!(move |data| {
                    log.push(format!("s:data {data}"));
                    client.end_with("bye");
                }),
            );
        }));
        server.listen_std(listener, ()).unwrap();
        let socket = Socket::from_std(stream);
        assert_eq!(socket.ready_state(), ReadyState::Open);
        assert!(!socket.connecting());
        assert!(!socket.pending());
        assert_eq!(socket.remote_address().as_deref(), Some(HOST));
        assert_eq!(socket.remote_port(), Some(port));
        assert_eq!(socket.local_address().as_deref(), Some(HOST));
        socket.on(Connect, must_not_call!());
        socket.on(Ready, must_not_call!());
        socket.on(
            Data,
            must_call!(move |data| log.push(format!("c:data {data}"))),
        );
        socket.on(End, must_call!(move || log.push("c:end")));
        socket.on(Finish, must_call!(move || log.push("c:finish")));
        socket.on(
            Close,
            must_call!(move |had_error| {
                log.push(format!("c:close {had_error}"));
                server.close(());
            }),
        );
        assert!(socket.write("hello"));
        run_and_check();
        log.assert_only("c:", &["c:data bye", "c:end", "c:finish", "c:close false"]);
        log.assert_only("s:", &["s:data hello"]);
    });
}

/// Both ends adopted, with no `Server` at all: an echo between two `from_std` sockets.
#[test]
fn from_std_on_both_ends() {
    bounded(|| {
        let log = Log::new();
        let listener = std::net::TcpListener::bind((HOST, 0)).expect("bind");
        let outgoing =
            std::net::TcpStream::connect(listener.local_addr().unwrap()).expect("connect");
        // The connection is already queued: accept returns at once.
        let (incoming, _) = listener.accept().expect("accept");
        drop(listener);
        let server_side = Socket::from_std(incoming);
        server_side.pipe(server_side);
        let client = Socket::from_std(outgoing);
        client.on(
            Data,
            must_call!(move |data| {
                log.push(format!("c:data {data}"));
                client.end();
            }),
        );
        client.on(
            Close,
            must_call!(move |had_error| log.push(format!("c:close {had_error}"))),
        );
        server_side.on(
            Close,
            must_call!(move |had_error| log.push(format!("s:close {had_error}"))),
        );
        client.write("echo");
        run_and_check();
        log.assert_only("c:", &["c:data echo", "c:close false"]);
        log.assert_only("s:", &["s:close false"]);
    });
}
