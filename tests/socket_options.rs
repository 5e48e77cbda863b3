//! `set_encoding` and `set_timeout` on sockets (Node's `socket.setEncoding` / `setTimeout`).

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use nodenet::prelude::*;
use nodenet::string_decoder::Encoding;

use common::*;

#[test]
fn set_encoding_never_splits_a_character_across_data_events() {
    let received = Rc::new(RefCell::new(Vec::<String>::new()));
    let got = received.clone();
    let server = net::create_server(move |client| {
        client.set_encoding(Encoding::Utf8);
        let got = got.clone();
        client.on(Data, move |text| {
            got.borrow_mut().push(text.as_str().unwrap().to_string());
        });
    });
    let client_slot = Rc::new(RefCell::new(None::<Socket>));
    let slot = client_slot.clone();
    // The second half is written only after the server has seen the first: two reads for sure.
    server.on(Connection, move |peer| {
        let slot = slot.clone();
        peer.once(Data, move |_| {
            let client: Socket = slot.borrow().unwrap();
            client.end_with([0xA9, b'b']);
        });
    });
    listen_then_client(server, "127.0.0.1", move |port| {
        let client = net::connect(port, "127.0.0.1", |client| {
            client.write([b'a', 0xC3]);
        });
        *client_slot.borrow_mut() = Some(client);
        client
    });
    nodenet::run().unwrap();
    assert_eq!(*received.borrow(), ["a", "éb"]);
    assert_loop_empty();
}

#[test]
fn set_encoding_hex_and_invalid_utf8_become_text() {
    let received = Rc::new(RefCell::new(String::new()));
    let got = received.clone();
    let server = net::create_server(move |client| {
        client.set_encoding(Encoding::Hex);
        let got = got.clone();
        client.on(Data, move |text| {
            got.borrow_mut().push_str(text.as_str().unwrap())
        });
    });
    listen_then_client(server, "127.0.0.1", move |port| {
        net::connect(port, "127.0.0.1", |client| {
            client.end_with([0xff, 0x00, 0x41]);
        })
    });
    nodenet::run().unwrap();
    assert_eq!(*received.borrow(), "ff0041");
    assert_loop_empty();
}

#[test]
fn set_timeout_fires_once_per_idle_stretch_and_does_not_close() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let l = log.clone();
    let server = net::create_server(move |client| {
        let l = l.clone();
        client.set_timeout(30, move || {
            // Still open: 'timeout' only reports idleness.
            assert!(!client.destroyed());
            l.borrow_mut().push("timeout".to_string());
            client.write("wake up");
        });
    });
    let l = log.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let l = l.clone();
        let client = net::connect(port, "127.0.0.1", |_| {});
        client.on(Data, move |data| {
            l.borrow_mut().push(data.to_string());
            client.end();
        });
        client
    });
    nodenet::run().unwrap();
    assert_eq!(*log.borrow(), ["timeout", "wake up"]);
    assert_loop_empty();
}

#[test]
fn set_timeout_zero_turns_it_off_and_the_timer_does_not_hold_the_loop() {
    let server = net::create_server(move |client| {
        client.set_timeout(10_000, ());
        client.set_timeout(0, ());
        client.end();
    });
    server
        .listen((0, "127.0.0.1"), move || {
            let port = server.address().unwrap().port;
            let client = net::connect(port, "127.0.0.1", |client| {
                client.set_timeout(60_000, || panic!("must not fire"));
            });
            client.on(End, move || {
                server.close(());
            });
        })
        .unwrap();
    nodenet::run().unwrap();
    assert_loop_empty();
}

#[test]
fn reset_and_destroy_gives_the_peer_econnreset_then_close_with_error() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let l = log.clone();
    let server = net::create_server(move |client| {
        client.once(Data, move |_| {
            client.reset_and_destroy();
        });
        let l = l.clone();
        client.on(Close, move |had_error| {
            l.borrow_mut().push(format!("server close {had_error}"))
        });
    });
    let l = log.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let client = net::connect(port, "127.0.0.1", |client| {
            client.write("x");
        });
        let l1 = l.clone();
        client.on(Error, move |err| {
            l1.borrow_mut().push(format!(
                "client error {} {} {:?} {:?}",
                err.message(),
                err.code().unwrap(),
                err.errno(),
                err.syscall()
            ));
        });
        let l2 = l.clone();
        client.on(Close, move |had_error| {
            l2.borrow_mut().push(format!("client close {had_error}"));
        });
        client
    });
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "server close false",
            "client error read ECONNRESET ECONNRESET Some(-104) Some(\"read\")",
            "client close true"
        ]
    );
    assert_loop_empty();
}

#[test]
fn destroy_while_connecting_fails_pending_writes_with_closed_before_connection() {
    let got = Rc::new(RefCell::new(Vec::<String>::new()));
    let g = got.clone();
    let client = net::connect(9, "127.0.0.1", |_| panic!("never connects"));
    client.write_with_callback("queued", move |err| {
        g.borrow_mut()
            .push(err.unwrap().code().unwrap().to_string());
    });
    let g = got.clone();
    client.on(Close, move |had_error| {
        g.borrow_mut().push(format!("close {had_error}"))
    });
    client.destroy();
    nodenet::run().unwrap();
    assert_eq!(
        *got.borrow(),
        ["ERR_SOCKET_CLOSED_BEFORE_CONNECTION", "close false"]
    );
    assert_loop_empty();
}

#[test]
fn destroy_soon_sends_what_is_queued_then_closes() {
    let received = Rc::new(RefCell::new(Vec::<u8>::new()));
    let r = received.clone();
    let server = net::create_server(move |client| {
        client.write(vec![7u8; 1 << 20]);
        client.destroy_soon();
    });
    listen_then_client(server, "127.0.0.1", move |port| {
        let client = net::connect(port, "127.0.0.1", |_| {});
        let r = r.clone();
        client.on(Data, move |data| r.borrow_mut().extend_from_slice(&data));
        client.on(Close, move |had_error| {
            assert!(!had_error);
        });
        client
    });
    nodenet::run().unwrap();
    assert_eq!(received.borrow().len(), 1 << 20);
    assert!(received.borrow().iter().all(|&b| b == 7));
    assert_loop_empty();
}

#[test]
fn a_socket_destroyed_in_data_emits_no_end_or_finish_afterwards() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let l = log.clone();
    let server = net::create_server(move |client| {
        let l1 = l.clone();
        // The data and the FIN arrive together; destroying in 'data' must silence 'end'.
        client.on(Data, move |_| {
            l1.borrow_mut().push("data".into());
            client.destroy();
        });
        let l2 = l.clone();
        client.on(End, move || l2.borrow_mut().push("end".into()));
        let l3 = l.clone();
        client.on(Finish, move || l3.borrow_mut().push("finish".into()));
        let l4 = l.clone();
        client.on(Close, move |had_error| {
            l4.borrow_mut().push(format!("close {had_error}"))
        });
    });
    listen_then_client(server, "127.0.0.1", move |port| {
        let client = net::connect(port, "127.0.0.1", |client| {
            client.end_with("bye");
        });
        client.on(Error, |_| {});
        client
    });
    nodenet::run().unwrap();
    assert_eq!(*log.borrow(), ["data", "close false"]);
    assert_loop_empty();
}

/// Node's `afterWrite` emits `'drain'` before the callbacks of the writes that emptied the
/// buffer; regression test for emitting it after them.
#[test]
fn drain_comes_before_the_callback_of_the_write_that_emptied_the_buffer() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let server = net::create_server(move |client| {
        client.pause();
        nodenet::set_timeout(20, move || {
            client.resume();
        });
        client.on(End, move || {
            client.end();
        });
    });
    let l = log.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let l = l.clone();
        net::connect(port, "127.0.0.1", move |client| {
            let chunk = vec![1u8; 64 * 1024];
            let mut n = 0;
            loop {
                let l = l.clone();
                n += 1;
                let more = client.write_with_callback(&chunk, move |err| {
                    assert!(err.is_none());
                    l.borrow_mut().push(format!("cb {n}"));
                });
                if !more {
                    break;
                }
            }
            let l = l.clone();
            client.once(Drain, move || {
                l.borrow_mut().push("drain".into());
                client.end();
            });
        })
    });
    nodenet::run().unwrap();
    let log = log.borrow();
    let drain = log
        .iter()
        .position(|entry| entry == "drain")
        .expect("drain");
    assert!(
        drain < log.len() - 1,
        "the last callback must follow 'drain': {log:?}"
    );
    assert_eq!(
        log.iter().filter(|entry| *entry != "drain").count(),
        log.len() - 1
    );
    assert_loop_empty();
}

/// Node's `socket.address()` is `{}` while connecting; regression test for reporting the
/// half-made local address.
#[test]
fn address_is_none_while_connecting_and_set_once_connected() {
    let server = net::create_server(|client| {
        client.end();
    });
    listen_then_client(server, "127.0.0.1", move |port| {
        let client = net::connect(port, "127.0.0.1", move |client| {
            let local = client.address().expect("connected: a local address");
            assert_eq!(local.address, "127.0.0.1");
            assert_eq!(client.remote_port(), Some(port));
        });
        assert_eq!(client.address(), None);
        assert_eq!(client.remote_address(), None);
        client
    });
    nodenet::run().unwrap();
    assert_loop_empty();
}

/// Node's `socket.pending`: true until connected, false while open, true again once destroyed.
#[test]
fn pending_is_true_until_connected_and_again_after_destroy() {
    let seen = Rc::new(RefCell::new(Vec::<bool>::new()));
    let server = net::create_server(|client| {
        client.end();
    });
    let s = seen.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let s1 = s.clone();
        let client = net::connect(port, "127.0.0.1", move |c| {
            s1.borrow_mut().push(c.pending());
        });
        s.borrow_mut().push(client.pending());
        let s2 = s.clone();
        client.on(Close, move |_| {
            s2.borrow_mut().push(client.pending());
        });
        client
    });
    nodenet::run().unwrap();
    assert_eq!(*seen.borrow(), [true, false, true]);
    assert_loop_empty();
}

/// Node's `socket.end(cb)`: the callback runs at 'finish' with no error, once, before the
/// 'finish' listeners (Node's `finish()` calls its kOnFinished callbacks first).
#[test]
fn end_with_callback_runs_at_finish() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let l = log.clone();
    let server = net::create_server(move |client| {
        let l1 = l.clone();
        client.on(Finish, move || l1.borrow_mut().push("finish".into()));
        let l2 = l.clone();
        client.end_with_callback(move |err| l2.borrow_mut().push(format!("callback {err:?}")));
    });
    listen_then_client(server, "127.0.0.1", move |port| {
        net::connect(port, "127.0.0.1", |_| {})
    });
    nodenet::run().unwrap();
    assert_eq!(*log.borrow(), ["callback None", "finish"]);
    assert_loop_empty();
}

/// `end(cb)` on a socket that fails before finishing: the callback gets the error, once. The
/// callback is no `'error'` listener: without one of the user's, the error is unhandled.
#[test]
fn end_with_callback_gets_the_error_when_the_socket_fails_first() {
    let got = Rc::new(RefCell::new(Vec::<String>::new()));
    for handled in [true, false] {
        let g = got.clone();
        let client = net::connect(9, "127.0.0.1", |_| panic!("never connects"));
        if handled {
            client.on(Error, |_err| {});
        }
        client.end_with_callback(move |err| {
            g.borrow_mut()
                .push(err.and_then(|e| e.code()).unwrap_or("none").to_string())
        });
        let result = nodenet::run();
        if handled {
            result.unwrap();
        } else {
            assert_eq!(result.unwrap_err().code(), Some("ECONNREFUSED"));
            nodenet::run().unwrap();
        }
    }
    assert_eq!(*got.borrow(), ["ECONNREFUSED", "ECONNREFUSED"]);
    assert_loop_empty();
}

/// `local_family` mirrors Node's `socket.localFamily`.
#[test]
fn local_family_matches_the_address() {
    let server = net::create_server(|client| {
        assert_eq!(client.local_family(), Some("IPv6"));
        client.end();
    });
    listen_then_client(server, "::1", move |port| {
        net::connect(port, "::1", |client| {
            assert_eq!(client.local_family(), Some("IPv6"));
        })
    });
    nodenet::run().unwrap();
    assert_loop_empty();
}
