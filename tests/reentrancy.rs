//! Listeners calling back into the loop: `write`/`end`/`destroy`/`on`/`off` on their own
//! socket and on others, `server.close()` inside `'connection'`, Node's emit snapshot
//! semantics, and stale handles (after `'close'`, and after their slot is reused).

mod common;

use common::*;
use nodenet::prelude::*;
use nodenet::ListenerId;

/// Node copies the listener array when an emit starts: a listener added during the emit does
/// not run in it, a listener removed during it still does, and a `once` listener runs once.
#[test]
fn listeners_changed_during_an_emit_follow_node_snapshot_semantics() {
    bounded(|| {
        let log = Log::new();
        let second_id = Slot::<ListenerId>::new();
        let once_id = Slot::<ListenerId>::new();
        let server = net::create_server(must_call!(move |socket: Socket| {
            let first_calls = Calls::new(2, "first data listener");
            socket.on(Data, move |data| {
                first_calls.hit();
                log.push(format!("first {data}"));
                if first_calls.count() == 1 {
                    socket.on(
                        Data,
                        must_call!(move |data| log.push(format!("added {data}"))),
                    );
                    assert!(
                        socket.listeners(Data).contains(&second_id.get()),
                        "second is still registered"
                    );
                    socket.off(second_id.get()).off(second_id.get());
                    assert!(
                        !socket.listeners(Data).contains(&second_id.get()),
                        "and removed"
                    );
                    // A once listener removed before its turn still runs in this emit, as
                    // Node's onceWrapper does.
                    assert!(socket.listeners(Data).contains(&once_id.get()));
                    socket.off(once_id.get());
                }
            });
            second_id.set(socket.on_with_id(
                Data,
                must_call!(move |data| log.push(format!("second {data}"))),
            ));
            once_id.set(socket.once_with_id(
                Data,
                must_call!(move |data| log.push(format!("once {data}"))),
            ));
            socket.on(Data, move |data| {
                log.push(format!("reply {data}"));
                socket.write(data);
            });
            assert_eq!(socket.listener_count(Data), 4);
        }));
        listen_then(server, "127.0.0.1", move |port| {
            let client = net::connect(port, "127.0.0.1", |client| {
                client.write("1");
            });
            client.on(
                Data,
                must_call!(2, move |data| match data.as_bytes() {
                    b"1" => {
                        client.write("2");
                    }
                    _ => {
                        client.end();
                    }
                }),
            );
            client.on(Close, must_call!(move |_| server.close(())));
        });
        run_and_check();
        log.assert_eq(&[
            "first 1", "second 1", "once 1", "reply 1", "first 2", "reply 2", "added 2",
        ]);
    });
}

/// Two clients; A's listener writes to B and ends itself, B's listener destroys B inside its
/// `'data'`. B then gets no `'end'`, and `'close'(false)`.
#[test]
fn listeners_drive_their_own_and_other_sockets() {
    for host in HOSTS {
        bounded(move || {
            let log = Log::new();
            let server = net::create_server(must_call!(2, move |socket: Socket| {
                socket.on(Data, move |data| {
                    socket.write(data);
                });
                // The server side of B sees B vanish; either a FIN or a reset is fine here.
                socket.on(Error, move |_| {});
            }));
            listen_then(server, host, move |port| {
                let b_slot = Slot::<Socket>::new();
                let connected = Calls::new(2, "both clients connected");
                let a = net::connect(port, host, move |a| {
                    connected.hit();
                    if connected.count() == 2 {
                        a.write("a");
                    }
                });
                let b = net::connect(port, host, move |_b| {
                    connected.hit();
                    if connected.count() == 2 {
                        a.write("a");
                    }
                });
                b_slot.set(b);
                a.on(
                    Data,
                    must_call!(move |data| {
                        log.push(format!("a:data {data}"));
                        let b = b_slot.get();
                        assert!(b.write("from a"));
                        // A listener added inside a listener, for a later event.
                        a.on(End, must_call!(move || log.push("a:end")));
                        a.end();
                        assert_eq!(a.ready_state(), ReadyState::ReadOnly);
                    }),
                );
                b.on(
                    Data,
                    must_call!(move |data| {
                        log.push(format!("b:data {data}"));
                        b.destroy();
                        assert!(b.destroyed());
                        assert!(!b.write("after destroy"));
                        b.end(); // a no-op now
                                 // Already destroyed: adding a listener still works until the slot goes.
                        b.on(Data, must_not_call!(|_|));
                    }),
                );
                b.on(End, must_not_call!());
                let closed = Calls::new(2, "both clients closed");
                a.on(Close, move |had_error| {
                    log.push(format!("a:close {had_error}"));
                    closed.hit();
                    if closed.count() == 2 {
                        server.close(());
                    }
                });
                b.on(Close, move |had_error| {
                    log.push(format!("b:close {had_error}"));
                    closed.hit();
                    if closed.count() == 2 {
                        server.close(());
                    }
                });
            });
            run_and_check();
            log.assert_only("a:", &["a:data a", "a:end", "a:close false"]);
            log.assert_only("b:", &["b:data from a", "b:close false"]);
        });
    }
}

/// `server.close()` inside `'connection'`: the accepted socket keeps working, the server's
/// `'close'` waits for it, and a later connect is refused.
#[test]
fn server_close_inside_connection() {
    bounded(|| {
        let log = Log::new();
        let port_slot = Slot::<u16>::new();
        let server_slot = Slot::<Server>::new();
        let server = net::create_server(must_call!(move |socket: Socket| {
            log.push("s:connection");
            let server = server_slot.get();
            server.close_with_callback(must_call!(move |err: Option<&nodenet::Error>| {
                assert!(err.is_none());
                log.push("s:close");
                let late = net::connect(port_slot.get(), "127.0.0.1", must_not_call!(|_|));
                late.on(
                    Error,
                    must_call!(move |err| {
                        assert_eq!(err.code(), Some("ECONNREFUSED"));
                        log.push("late:refused");
                    }),
                );
            }));
            assert!(!server.listening());
            assert_eq!(server.connections(), 1);
            socket.on(Data, move |data| {
                socket.end_with(data);
            });
        }));
        server_slot.set(server);
        listen_then(server, "127.0.0.1", move |port| {
            port_slot.set(port);
            let client = net::connect(port, "127.0.0.1", |client| {
                client.write("still served");
            });
            client.on(
                Data,
                must_call!(move |data| log.push(format!("c:data {data}"))),
            );
            client.on(Close, must_call!(move |_| log.push("c:close")));
        });
        run_and_check();
        let entries = log.entries();
        assert_eq!(entries[0], "s:connection");
        let position = |entry: &str| entries.iter().position(|e| e == entry).unwrap();
        assert!(position("c:data still served") < position("s:close"));
        assert!(position("s:close") < position("late:refused"));
    });
}

/// After `'close'` a handle is stale: every call is a no-op with a neutral answer. When its
/// slot is reused, calls through the old handle do not reach the new socket.
#[test]
fn stale_handle_is_a_no_op_even_after_its_slot_is_reused() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(|socket| {
            socket.on(Data, move |data| {
                socket.write(data);
            });
            // The spare sockets below are destroyed while connecting: a reset is fine.
            socket.on(Error, move |_| {});
        });
        listen_then(server, "127.0.0.1", move |port| {
            let old = net::connect(port, "127.0.0.1", |old| {
                old.end();
            });
            old.on(
                Close,
                must_call!(move |_| {
                    // Still valid inside its own 'close'; stale from the next tick on.
                    assert!(old.destroyed());
                    nodenet::next_tick(move || check_stale(old, port, server, log));
                }),
            );
        });
        run_and_check();
        log.assert_eq(&["reused", "new:data fresh", "new:close"]);
    });
}

fn check_stale(old: Socket, port: u16, server: Server, log: Log) {
    assert!(!old.write("x"));
    old.write_with_callback(
        "x",
        must_call!(|err: Option<&nodenet::Error>| assert_eq!(
            err.unwrap().code(),
            Some("ERR_STREAM_DESTROYED")
        )),
    );
    assert!(old.destroyed());
    assert!(old.address().is_none());
    assert!(old.remote_address().is_none());
    assert_eq!(old.ready_state(), ReadyState::Closed);
    assert_eq!(old.bytes_read(), 0);
    assert_eq!(old.writable_length(), 0);
    let id = old.on_with_id(Data, must_not_call!(|_|));
    assert_eq!(old.listener_count(Data), 0);
    assert!(old.off(id).listeners(Data).is_empty());

    // Make sockets until one lands in the old slot (same index, new generation).
    let old_name = format!("{old:?}");
    let old_index = old_name.split('#').next().unwrap().to_string();
    let mut spares = Vec::new();
    let fresh = loop {
        let socket = net::connect(port, "127.0.0.1", |_| {});
        let name = format!("{socket:?}");
        if name.split('#').next().unwrap() == old_index {
            assert_ne!(name, old_name, "a reused slot gets a new generation");
            break socket;
        }
        spares.push(socket);
        assert!(spares.len() < 64, "slot {old_index} never reused");
    };
    for spare in spares {
        spare.destroy();
    }
    log.push("reused");
    // Every call through the old handle misses the new socket.
    old.destroy();
    old.end();
    assert!(!old.write("not for you"));
    old.pause();
    old.on(Connect, must_not_call!());
    assert!(old.remove_every_listener().event_names().is_empty());
    assert!(!fresh.destroyed());
    assert!(!fresh.is_paused());
    assert_eq!(fresh.ready_state(), ReadyState::Opening);
    assert_eq!(fresh.writable_length(), 0);
    fresh.on(
        Connect,
        must_call!(move || {
            fresh.write("fresh");
        }),
    );
    fresh.on(
        Data,
        must_call!(move |data| {
            log.push(format!("new:data {data}"));
            fresh.end();
        }),
    );
    fresh.on(
        Close,
        must_call!(move |had_error| {
            assert!(!had_error);
            log.push("new:close");
            server.close(());
        }),
    );
}
