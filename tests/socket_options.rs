//! `set_encoding` and `set_timeout` on sockets (Node's `socket.setEncoding` / `setTimeout`).

use std::cell::RefCell;
use std::rc::Rc;

use nodenet::prelude::*;
use nodenet::string_decoder::Encoding;

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
    server
        .listen((0, "127.0.0.1"), move || {
            let port = server.address().unwrap().port;
            let client = net::connect(port, "127.0.0.1", |client| {
                client.write([b'a', 0xC3]);
            });
            *client_slot.borrow_mut() = Some(client);
            client.on(Close, move |_| {
                server.close(());
            });
        })
        .unwrap();
    nodenet::run().unwrap();
    assert_eq!(*received.borrow(), ["a", "éb"]);
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
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
    server
        .listen((0, "127.0.0.1"), move || {
            let port = server.address().unwrap().port;
            let client = net::connect(port, "127.0.0.1", |client| {
                client.end_with([0xff, 0x00, 0x41]);
            });
            client.on(Close, move |_| {
                server.close(());
            });
        })
        .unwrap();
    nodenet::run().unwrap();
    assert_eq!(*received.borrow(), "ff0041");
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
}

#[test]
fn set_timeout_fires_once_per_idle_stretch_and_does_not_close() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let l = log.clone();
    let server = net::create_server(move |client| {
        let l = l.clone();
        let timeouts = Rc::new(RefCell::new(0));
        client.set_timeout(30, move || {
            // Still open: 'timeout' only reports idleness.
            assert!(!client.destroyed());
            l.borrow_mut().push("timeout".to_string());
            *timeouts.borrow_mut() += 1;
            client.write("wake up");
        });
    });
    let l = log.clone();
    server
        .listen((0, "127.0.0.1"), move || {
            let port = server.address().unwrap().port;
            let l = l.clone();
            let client = net::connect(port, "127.0.0.1", |_| {});
            client.on(Data, move |data| {
                l.borrow_mut().push(data.to_string());
                client.end();
            });
            client.on(Close, move |_| {
                server.close(());
            });
        })
        .unwrap();
    nodenet::run().unwrap();
    assert_eq!(*log.borrow(), ["timeout", "wake up"]);
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
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
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
}
