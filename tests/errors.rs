//! Error events as Node reports them: `ECONNREFUSED` and `EADDRINUSE` with every field, their
//! timing (a later tick, never inside the call), and an `'error'` nobody listens to ending
//! `run()` with that error, where Node would crash the process.

mod common;

use common::*;
use nodenet::prelude::*;

/// A port nothing listens on, held so no other test can take it: see
/// [`common::refused_port`].
fn with_free_port(host: &'static str, then: impl FnOnce(u16) + 'static) {
    then(common::refused_port(host));
}

#[test]
fn econnrefused_has_node_fields_then_close_true() {
    for (host, shown) in [("127.0.0.1", "127.0.0.1"), ("::1", "::1")] {
        bounded(move || {
            let log = Log::new();
            with_free_port(host, move |port| {
                let client = net::connect(port, host, must_not_call!(|_|));
                client.on(
                    Error,
                    must_call!(move |err| {
                        assert_eq!(err.code(), Some("ECONNREFUSED"));
                        assert_eq!(err.errno(), Some(-111));
                        assert_eq!(err.syscall(), Some("connect"));
                        assert_eq!(err.address(), Some(shown));
                        assert_eq!(err.port(), Some(port));
                        assert_eq!(
                            err.message(),
                            format!("connect ECONNREFUSED {shown}:{port}")
                        );
                        log.push(format!("error destroyed={}", client.destroyed()));
                    }),
                );
                client.on(
                    Close,
                    must_call!(move |had_error| {
                        log.push(format!("close {had_error} {}", client.ready_state()));
                    }),
                );
                client.on(Connect, must_not_call!());
                log.push("connect called");
            });
            run_and_check();
            log.assert_eq(&[
                "connect called",
                "error destroyed=true",
                "close true closed",
            ]);
        });
    }
}

/// Node: `listen EADDRINUSE: address already in use 127.0.0.1:PORT` (or `:::PORT` with no
/// host), code `EADDRINUSE`, errno -98, syscall `listen`, on a later tick; `'listening'` never.
#[test]
fn eaddrinuse_on_a_later_tick_and_never_listening() {
    for host in [Some("127.0.0.1"), Some("::1"), None] {
        bounded(move || {
            let log = Log::new();
            let first = net::create_server(must_not_call!(|_|));
            let on_listening = move || {
                let port = first.address().unwrap().port;
                let second = net::create_server(must_not_call!(|_|));
                second.on(Listening, must_not_call!());
                second.on(
                    Error,
                    must_call!(move |err| {
                        log.push("error");
                        let shown = match host {
                            Some(host) => host.to_string(),
                            None => "::".to_string(),
                        };
                        assert_eq!(err.code(), Some("EADDRINUSE"));
                        assert_eq!(err.errno(), Some(-98));
                        assert_eq!(err.syscall(), Some("listen"));
                        assert_eq!(err.address(), Some(shown.as_str()));
                        assert_eq!(err.port(), Some(port));
                        // Node does not bracket IPv6 here: `:::PORT`, `::1:PORT`.
                        assert_eq!(
                            err.message(),
                            format!("listen EADDRINUSE: address already in use {shown}:{port}")
                        );
                        assert!(!second.listening());
                        assert!(second.address().is_none());
                        first.close(());
                        // Closing a server that never listened: Node's ERR_SERVER_NOT_RUNNING.
                        second.close_with_callback(must_call!(|err: Option<&nodenet::Error>| {
                            assert_eq!(err.unwrap().code(), Some("ERR_SERVER_NOT_RUNNING"))
                        }));
                    }),
                );
                let result = match host {
                    Some(host) => second.listen((port, host), must_not_call!()),
                    None => second.listen(port, must_not_call!()),
                };
                assert!(result.is_ok(), "listen reports bind errors as events");
                log.push("listen returned");
                nodenet::next_tick(move || log.push("next tick"));
            };
            match host {
                Some(host) => first.listen((0, host), on_listening),
                None => first.listen(0, on_listening),
            }
            .unwrap();
            run_and_check();
            // The error comes after the call returned. With no host, Node queues it as a tick
            // inside listen(), so before a tick queued after the call; with a host, Node first
            // goes through dns.lookup (one more tick), so it comes after that tick.
            match host {
                None => log.assert_eq(&["listen returned", "error", "next tick"]),
                Some(_) => {
                    let mut entries = log.entries();
                    assert_eq!(entries[0], "listen returned");
                    entries.sort();
                    assert_eq!(entries, ["error", "listen returned", "next tick"]);
                }
            }
        });
    }
}

#[test]
fn unhandled_socket_error_ends_run_with_that_error() {
    bounded(|| {
        let port = Slot::<u16>::new();
        with_free_port("127.0.0.1", move |free| {
            port.set(free);
            // No 'error' listener: where Node would throw, run() returns the error.
            net::connect(free, "127.0.0.1", must_not_call!(|_|));
        });
        let err = nodenet::run().expect_err("an unhandled 'error' ends run()");
        assert_eq!(err.code(), Some("ECONNREFUSED"));
        assert_eq!(
            err.message(),
            format!("connect ECONNREFUSED 127.0.0.1:{}", port.get())
        );
        // The loop is left as it was; running it again finishes the socket's close.
        run_and_check();
    });
}

#[test]
fn unhandled_server_error_ends_run_with_that_error() {
    bounded(|| {
        let first = net::create_server(must_not_call!(|_|));
        let second = net::create_server(must_not_call!(|_|));
        listen_then(first, "127.0.0.1", move |port| {
            second
                .listen((port, "127.0.0.1"), must_not_call!())
                .unwrap();
            first.close(());
        });
        let err = nodenet::run().expect_err("an unhandled 'error' ends run()");
        assert_eq!(err.code(), Some("EADDRINUSE"));
        // A server handle lives until closed (there is no garbage collector to drop it).
        second.close(());
        run_and_check();
    });
}

/// `destroy_with_error`: `'error'` with that error on the next tick, then `'close'(true)`.
#[test]
fn destroy_with_error_emits_error_then_close_true() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(move |socket| {
            socket.on(
                Error,
                must_call!(move |err| log.push(format!("s:error {}", err.message()))),
            );
            socket.on(
                Close,
                must_call!(move |had_error| log.push(format!("s:close {had_error}"))),
            );
            socket.destroy_with_error(nodenet::Error::new("bad request"));
            log.push("s:destroyed");
        });
        listen_then(server, "127.0.0.1", move |port| {
            let client = net::connect(port, "127.0.0.1", |_| {});
            client.on(Close, must_call!(move |_| server.close(())));
            // The server's destroy may reach us as a FIN or a reset, depending on timing.
            client.on(Error, move |_| {});
        });
        run_and_check();
        log.assert_only(
            "s:",
            &["s:destroyed", "s:error bad request", "s:close true"],
        );
    });
}

/// What a program prints for an `'error'` nobody handles, against what `node` prints for the
/// same failure: a `main` returning `run()`'s error gets `Error: ` from Rust and the error's
/// `Debug`, which must be Node's report without its stack lines (and without the doubled
/// `Error: Error:` an earlier `Debug` produced). Node exits with status 1, as does a Rust
/// `main` that returns `Err`.
#[test]
fn an_unhandled_error_prints_what_node_prints() {
    bounded(|| {
        with_free_port("127.0.0.1", move |port| {
            net::connect(port, "127.0.0.1", must_not_call!(|_|));
            SEEN_PORT.with(|seen| seen.set(port));
        });
        let err = nodenet::run().expect_err("the refused connection is unhandled");
        let ours = format!("Error: {err:?}");
        let port = SEEN_PORT.with(|seen| seen.get());
        let node = if common::node_available() {
            node_report(port)
        } else {
            // What node v20.20.2 printed for the same program, recorded; its port varies.
            format!(
                "Error: connect ECONNREFUSED 127.0.0.1:{port} {{\n  errno: -111,\n  \
                 code: 'ECONNREFUSED',\n  syscall: 'connect',\n  address: '127.0.0.1',\n  \
                 port: {port}\n}}"
            )
        };
        assert_eq!(ours, node);
        assert!(!ours.starts_with("Error: Error:"));
        run_and_check();
    });
}

/// Node's report for an unhandled refused connect to `port`: the message line and the
/// properties in braces after the last stack line, without the stack lines.
fn node_report(port: u16) -> String {
    let output = std::process::Command::new("node")
        .arg("-e")
        .arg(format!("require('net').connect({port}, '127.0.0.1')"))
        .output()
        .expect("node runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Node's report: the message line, stack lines, then the properties in braces after
    // the last stack line. Keep the message line and the braces.
    let lines: Vec<&str> = stderr.lines().collect();
    let message = lines
        .iter()
        .find(|line| line.starts_with("Error: "))
        .expect("Node's message line");
    let open = lines
        .iter()
        .position(|line| line.ends_with(" {"))
        .expect("Node's property block");
    let close = lines[open..]
        .iter()
        .position(|line| *line == "}")
        .expect("the end of the block")
        + open;
    format!("{message} {{\n{}\n}}", lines[open + 1..close].join("\n"))
}

thread_local! {
    static SEEN_PORT: std::cell::Cell<u16> = const { std::cell::Cell::new(0) };
}
