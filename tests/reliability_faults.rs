//! Reliability under faults (issue 6, scenarios 1, 10 and 11; see `docs/reliability.md`): a
//! peer that resets while we read and while 10 MiB wait to be written, stale events for a
//! descriptor reused within one poll batch, stale handles to a reused slot, and panics in user
//! callbacks. The tests of this file run one at a time because they count open descriptors.

mod common;
mod reliability_support;

use common::*;
use nodenet::prelude::*;
use reliability_support::*;

const MIB: usize = 1024 * 1024;

/// Creates this thread's loop (its poll and waker descriptors) and returns the descriptor
/// count with it: the figure a test must come back to.
fn fd_baseline() -> usize {
    let _ = nodenet::loop_stats();
    open_fds()
}

fn each_host(test: fn(&'static str)) {
    let _one_at_a_time = exclusive();
    for host in HOSTS {
        bounded(move || test(host));
    }
}

/// Scenario 1: the peer resets while we read and while 10 MiB of writes are pending: exactly
/// one `'error'` (ECONNRESET or EPIPE), every write callback once, one `'close'(true)`, and the
/// descriptors back to the baseline.
#[test]
fn reset_while_reading_with_10_mib_pending() {
    each_host(|host| {
        let baseline = fd_baseline();
        let server_side = Slot::<Socket>::new();
        let client_slot = Slot::<Socket>::new();
        let ready = Calls::new(2, "both ends connected");
        let callbacks = Calls::new(10, "each of the 10 write callbacks");
        let outcomes = Log::new();
        let pending = Slot::<usize>::new();

        let start = move || {
            if ready.count() < 2 {
                return;
            }
            let socket = server_side.get();
            for n in 0..10u8 {
                socket.write_with_callback(vec![n; MIB], move |err| {
                    callbacks.hit();
                    outcomes.push(err.map_or("ok".to_string(), |e| {
                        e.code().unwrap_or("no code").to_string()
                    }));
                });
            }
            // The paused client reads nothing, so most of the 10 MiB waits in our queue.
            pending.set(socket.writable_length());
            assert!(socket.writable_length() > 4 * MIB);
            client_slot.get().reset_and_destroy();
        };

        let server = net::create_server(must_call!(move |socket: Socket| {
            server_side.set(socket);
            // Flowing: the reset arrives while the socket is reading.
            assert!(!socket.is_paused());
            socket.on(
                Error,
                must_call!(move |err| {
                    let code = err.code().unwrap_or_default();
                    assert!(
                        code == "ECONNRESET" || code == "EPIPE",
                        "unexpected error {err:?}"
                    );
                    outcomes.push(format!("error {code}"));
                }),
            );
            socket.on(
                Close,
                must_call!(move |had_error| {
                    assert!(had_error);
                    outcomes.push("close");
                }),
            );
            ready.hit();
            start();
        }));
        listen_then(server, host, move |port| {
            let client = net::connect(
                port,
                host,
                must_call!(move |_client: Socket| {
                    ready.hit();
                    start();
                }),
            );
            client.pause();
            client_slot.set(client);
            client.on(Error, must_not_call!(|_err|));
            client.on(
                Close,
                must_call!(move |had_error| {
                    assert!(!had_error);
                    server.close(());
                }),
            );
        });
        run_and_check();
        let entries = outcomes.entries();
        let ok = entries.iter().filter(|e| *e == "ok").count();
        println!(
            "{host}: {} KiB pending at the reset; callbacks: {ok} ok, {} failed; {:?}",
            pending.get() / 1024,
            10 - ok,
            entries.iter().filter(|e| *e != "ok").collect::<Vec<_>>()
        );
        assert_eq!(entries.last().map(String::as_str), Some("close"));
        assert_eq!(entries.iter().filter(|e| e.starts_with("error")).count(), 1);
        assert_eq!(open_fds(), baseline, "descriptors leaked");
    });
}

/// Scenario 1, the reading side: the peer resets with megabytes of its writes in flight; we
/// read what arrived, then get one ECONNRESET and `'close'(true)`.
#[test]
fn reset_while_peer_data_in_flight() {
    each_host(|host| {
        let baseline = fd_baseline();
        let received = Slot::<usize>::new();
        received.set(0);
        let client_slot = Slot::<Socket>::new();
        let server_slot = Slot::<Server>::new();
        let server = net::create_server(must_call!(move |socket: Socket| {
            socket.on(Data, move |data| {
                let total = received.take().unwrap_or(0) + data.len();
                received.set(total);
                // Reset the first time anything arrives, with the rest still queued.
                if total == data.len() {
                    let client = client_slot.get();
                    assert!(client.writable_length() > 0);
                    client.reset_and_destroy();
                }
            });
            socket.on(
                Error,
                must_call!(move |err| assert_eq!(err.code(), Some("ECONNRESET"), "{err:?}")),
            );
            socket.on(
                Close,
                must_call!(move |had_error| {
                    assert!(had_error);
                    server_slot.get().close(());
                }),
            );
        }));
        server_slot.set(server);
        listen_then(server, host, move |port| {
            let client = net::connect(
                port,
                host,
                must_call!(move |client: Socket| {
                    client.write(vec![7u8; 8 * MIB]);
                }),
            );
            client_slot.set(client);
            client.on(Close, must_call!(move |had_error| assert!(!had_error)));
        });
        run_and_check();
        println!(
            "{host}: {} KiB read before ECONNRESET",
            received.get() / 1024
        );
        assert_eq!(open_fds(), baseline, "descriptors leaked");
    });
}

/// Scenario 10: two sockets readable in one poll batch; whichever is dispatched first destroys
/// the other and connects a new socket, which gets the freed descriptor. The destroyed
/// socket's event, still in the batch, reaches neither it nor the new socket. Then its slot is
/// reused, and the stale handle neither writes to nor listens on the new socket.
#[test]
fn stale_event_and_handle_after_fd_and_slot_reuse() {
    each_host(|host| {
        let baseline = fd_baseline();
        let clients = Slot::<[Socket; 2]>::new();
        let accepted = Calls::new(4, "a, b, the replacement and the fresh socket");
        let server_closes = Calls::new(4, "every server-side socket closes");
        let port_slot = Slot::<u16>::new();
        let victim = Slot::<Socket>::new();
        let fd_reused = Slot::<bool>::new();
        let first_data = Calls::new(1, "exactly one of the two sockets gets data");
        let first = Slot::<Socket>::new();
        let server_slot = Slot::<Server>::new();

        let on_first = move |me: usize| {
            first_data.hit();
            let [a, b] = clients.get();
            let (survivor, other) = if me == 0 { (a, b) } else { (b, a) };
            victim.set(other);
            let before = fd_set();
            other.destroy();
            let after_destroy = fd_set();
            // Made while the batch is being dispatched: it gets the descriptor just freed.
            let replacement = net::connect(port_slot.get(), host, |_s| {});
            let after_connect = fd_set();
            let freed: Vec<_> = before.difference(&after_destroy).copied().collect();
            let taken: Vec<_> = after_connect.difference(&after_destroy).copied().collect();
            fd_reused.set(freed == taken && freed.len() == 1);
            replacement.on(Data, must_not_call!(|_d|));
            replacement.on(Close, must_call!(move |_had_error| {}));
            other.on(
                Close,
                must_call!(move |_had_error| {
                    // The victim's slot is freed in the close phase after the batch, right
                    // after this listener; a socket made on the next tick takes it, and the
                    // old handle must not reach the new socket.
                    nodenet::next_tick(move || {
                        check_stale_handle(victim.get(), port_slot.get(), host)
                    });
                }),
            );
            replacement.end();
            survivor.end();
        };

        let server = net::create_server(move |socket: Socket| {
            accepted.hit();
            match accepted.count() {
                // Write to both first sockets in one callback, so both become readable in the
                // same poll batch.
                2 => {
                    first.get().write("hello");
                    socket.write("hello");
                }
                1 => first.set(socket),
                4 => {
                    socket.write("fresh");
                }
                _ => {}
            }
            socket.on(End, move || {
                socket.end();
            });
            socket.on(Error, move |_e| {});
            socket.on(Close, move |_e| {
                server_closes.hit();
                if server_closes.count() == 4 {
                    server_slot.get().close(());
                }
            });
        });
        server_slot.set(server);
        listen_then(server, host, move |port| {
            port_slot.set(port);
            let a = net::connect(port, host, |_s| {});
            let b = net::connect(port, host, |_s| {});
            clients.set([a, b]);
            for (me, socket) in [a, b].into_iter().enumerate() {
                socket.on(Data, move |_data| on_first(me));
            }
        });
        run_and_check();
        assert!(
            fd_reused.get(),
            "the new socket did not get the destroyed socket's descriptor"
        );
        assert_eq!(open_fds(), baseline, "descriptors leaked");
    });
}

/// The second half of scenario 10: `stale` is a closed socket whose slot was just freed.
fn check_stale_handle(stale: Socket, port: u16, host: &'static str) {
    let fresh = net::connect(port, host, |_s| {});
    assert_eq!(slot_index(fresh), slot_index(stale), "slot reused");
    assert!(!stale.write("x"), "a stale handle's write goes nowhere");
    assert_eq!(stale.bytes_written(), 0);
    assert!(stale.destroyed());
    stale.on(Data, must_not_call!(|_d|));
    stale.destroy();
    assert!(!fresh.destroyed(), "stale destroy() reached the new socket");
    fresh.on(
        Data,
        must_call!(move |data| {
            assert_eq!(data.to_string(), "fresh");
            fresh.end();
        }),
    );
    fresh.on(Close, must_call!(move |_e| {}));
}

/// Scenario 11, the policy: a panic in a listener unwinds out of `run()`. The loop is left
/// consistent: its state is not left borrowed, the rest of the poll batch is not lost, and
/// `run()` again carries on where it stopped. Here two clients are readable in one batch and
/// the first one dispatched panics in `'data'`.
#[test]
fn panic_in_data_listener_propagates_and_run_continues() {
    each_host(|host| {
        let baseline = fd_baseline();
        let clients = Slot::<[Socket; 2]>::new();
        let first = Slot::<Socket>::new();
        let panicked = Slot::<usize>::new();
        let received = Log::new();
        let server_slot = Slot::<Server>::new();
        let closes = Calls::new(2, "both server-side sockets close");
        let server = net::create_server(must_call!(2, move |socket: Socket| {
            // Echo, and write to both clients in one callback so both are in one batch.
            match first.take() {
                None => first.set(socket),
                Some(other) => {
                    other.write("one");
                    socket.write("one");
                }
            }
            socket.on(Data, move |data| {
                socket.write(data);
            });
            socket.on(Close, move |_e| {
                closes.hit();
                if closes.count() == 2 {
                    server_slot.get().close(());
                }
            });
        }));
        server_slot.set(server);
        listen_then(server, host, move |port| {
            let a = net::connect(port, host, |_s| {});
            let b = net::connect(port, host, |_s| {});
            clients.set([a, b]);
            for (me, socket) in [a, b].into_iter().enumerate() {
                socket.on(Data, move |data| {
                    let text = data.to_string();
                    received.push(format!("{me}:{text}"));
                    if text == "one" && !panicked.is_some() {
                        panicked.set(me);
                        panic!("boom in 'data'");
                    }
                    if text == "one" {
                        socket.write("two");
                    } else {
                        socket.end();
                    }
                });
                socket.on(Close, must_call!(move |had_error| assert!(!had_error)));
            }
        });
        let outcome = std::panic::catch_unwind(nodenet::run);
        let payload = outcome.expect_err("the listener's panic unwinds out of run()");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom in 'data'"));
        // The loop is usable at once: its state is not left borrowed.
        let stats = nodenet::loop_stats();
        assert_eq!(stats.servers, 1);
        let me = panicked.get();
        // The panicking socket carries on once the loop runs again.
        assert!(clients.get()[me].write("two"));
        run_and_check();
        let mut entries = received.entries();
        entries.sort();
        assert_eq!(entries, ["0:one", "0:two", "1:one", "1:two"]);
        assert_eq!(open_fds(), baseline, "descriptors leaked");
    });
}

/// Scenario 11: a panic in a `'close'` listener, in the close phase with another socket's
/// `'close'` still to come in the same phase: that one is emitted on the next `run()` and every
/// slot is freed.
#[test]
fn panic_in_close_listener_loses_no_other_close() {
    each_host(|host| {
        let baseline = fd_baseline();
        let server = net::create_server(must_call!(2, move |socket: Socket| {
            socket.on(End, move || {
                socket.end();
            });
        }));
        let closed = Calls::new(2, "both clients' 'close'");
        let accepted = Calls::new(2, "both connected");
        listen_then(server, host, move |port| {
            let a = net::connect(port, host, |_s| {});
            let b = net::connect(port, host, |_s| {});
            for socket in [a, b] {
                socket.on(Connect, move || {
                    accepted.hit();
                    if accepted.count() == 2 {
                        // Destroyed together: both 'close's come in one close phase.
                        a.destroy();
                        b.destroy();
                        server.close(());
                    }
                });
                socket.on(Close, move |_e| {
                    closed.hit();
                    if closed.count() == 1 {
                        panic!("boom in 'close'");
                    }
                });
            }
        });
        let outcome = std::panic::catch_unwind(nodenet::run);
        assert!(outcome.is_err(), "the panic unwinds out of run()");
        run_and_check();
        assert_eq!(open_fds(), baseline, "descriptors leaked");
    });
}

/// Scenario 11: panics in a timer, an immediate and a next-tick callback each
/// unwind out of `run()`; each `run()` after that carries on with the rest.
#[test]
fn panics_in_timers_immediates_and_ticks() {
    let _one_at_a_time = exclusive();
    bounded(|| {
        let log = Log::new();
        nodenet::set_timeout(0, || panic!("timer"));
        nodenet::set_timeout(0, move || log.push("timer 2"));
        nodenet::set_immediate(|| panic!("immediate"));
        nodenet::set_immediate(move || log.push("immediate 2"));
        nodenet::next_tick(|| panic!("tick"));
        nodenet::next_tick(move || log.push("tick 2"));
        let mut panics = Vec::new();
        for _ in 0..10 {
            match std::panic::catch_unwind(nodenet::run) {
                Ok(result) => {
                    result.expect("run");
                    break;
                }
                Err(payload) => panics.push(*payload.downcast::<&str>().expect("a &str panic")),
            }
        }
        panics.sort();
        assert_eq!(panics, ["immediate", "tick", "timer"]);
        let mut entries = log.entries();
        entries.sort();
        assert_eq!(entries, ["immediate 2", "tick 2", "timer 2"]);
        let stats = nodenet::loop_stats();
        assert!(stats.is_empty(), "{stats:?}");
    });
}

/// Scenario 11: descriptors are closed when the loop is dropped, which happens when its thread
/// ends, also by a panic that was never caught.
#[test]
fn descriptors_close_when_a_panicking_loop_thread_ends() {
    let _one_at_a_time = exclusive();
    let baseline = open_fds();
    let thread = std::thread::spawn(|| {
        let server = net::create_server(|socket: Socket| {
            socket.on(Data, move |_d| panic!("boom with sockets open"));
        });
        listen_then(server, "127.0.0.1", move |port| {
            net::connect(port, "127.0.0.1", |socket| {
                socket.write("x");
            });
        });
        nodenet::run().expect("run");
    });
    assert!(thread.join().is_err(), "the panic ended the thread");
    assert_eq!(
        open_fds(),
        baseline,
        "the dropped loop closed its descriptors"
    );
}
