//! Node's smaller socket APIs: cork/uncork, highWaterMark, the writable/readable state getters,
//! the client-side blockList and autoSelectFamilyAttemptedAddresses.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use nodenet::ip::{BlockList, Family};
use nodenet::net::{ConnectOptions, ServerOptions};
use nodenet::prelude::*;

use common::*;

fn check_empty() {
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
}

/// Corked writes wait in the queue; `uncork` sends them together, and they arrive intact.
#[test]
fn cork_holds_writes_until_uncork() {
    let received = Rc::new(RefCell::new(String::new()));
    let r = received.clone();
    let server = net::create_server(move |client| {
        let r = r.clone();
        client.on(Data, move |data| r.borrow_mut().push_str(&data.to_string()));
    });
    listen_then_client(server, "127.0.0.1", move |port| {
        net::connect(port, "127.0.0.1", |client| {
            client.cork();
            client.write("one ");
            client.write("two ");
            assert_eq!(client.writable_length(), 8, "held while corked");
            assert_eq!(client.bytes_written(), 8);
            client.uncork();
            assert_eq!(client.writable_length(), 0, "sent on uncork");
            client.cork();
            client.write("three");
            client.end(); // uncorks, then the FIN
        })
    });
    nodenet::run().unwrap();
    assert_eq!(*received.borrow(), "one two three");
    check_empty();
}

/// `high_water_mark` moves where `write` returns false, on both sides.
#[test]
fn high_water_mark_option_moves_the_false_point() {
    let seen = Rc::new(RefCell::new(Vec::<String>::new()));
    let s = seen.clone();
    let options = ServerOptions {
        high_water_mark: Some(100),
        pause_on_connect: true,
        ..ServerOptions::default()
    };
    let server = net::create_server_with(options, move |client| {
        s.borrow_mut()
            .push(format!("server mark {}", client.writable_high_water_mark()));
        client.destroy();
    });
    let s = seen.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let options = ConnectOptions {
            high_water_mark: Some(4),
            ..ConnectOptions::new(port, "127.0.0.1")
        };
        let s = s.clone();
        let client = net::connect_with(options, |_| {});
        // Before connecting everything is queued: 3 bytes stay under 4, 4 reach it.
        s.borrow_mut()
            .push(format!("write 3: {}", client.write("abc")));
        s.borrow_mut()
            .push(format!("write 1: {}", client.write("d")));
        s.borrow_mut()
            .push(format!("need drain {}", client.writable_need_drain()));
        client.on(Error, |_| {});
        client
    });
    nodenet::run().unwrap();
    assert_eq!(
        *seen.borrow(),
        [
            "write 3: true",
            "write 1: false",
            "need drain true",
            "server mark 100"
        ]
    );
    check_empty();
}

/// The state getters follow a socket through end, finish, the peer's end and close.
#[test]
fn writable_and_readable_state_getters_follow_the_lifecycle() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let server = net::create_server(|client| {
        client.on(End, move || {
            client.end();
        });
    });
    let l = log.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let l = l.clone();
        let client = net::connect(port, "127.0.0.1", |_| {});
        let state = move |when: &str| {
            format!(
                "{when}: writable {} ended {} finished {} readable {} readable_ended {}",
                client.writable(),
                client.writable_ended(),
                client.writable_finished(),
                client.readable(),
                client.readable_ended()
            )
        };
        let l1 = l.clone();
        client.once(Connect, move || {
            l1.borrow_mut().push(state("connect"));
            client.end();
            l1.borrow_mut().push(state("end()"));
        });
        let l2 = l.clone();
        client.on(Finish, move || l2.borrow_mut().push(state("finish")));
        let l3 = l.clone();
        client.on(End, move || l3.borrow_mut().push(state("end")));
        client
    });
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "connect: writable true ended false finished false readable true readable_ended false",
            "end(): writable false ended true finished false readable true readable_ended false",
            "finish: writable false ended true finished true readable true readable_ended false",
            "end: writable false ended true finished true readable false readable_ended true",
        ]
    );
    check_empty();
}

/// Node 22's client `blockList`: a blocked address fails the socket with `ERR_IP_BLOCKED`
/// before any connect.
#[test]
fn a_blocked_address_fails_with_err_ip_blocked() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let mut block_list = BlockList::new();
    block_list.add_address("127.0.0.1", Family::V4).unwrap();
    let options = ConnectOptions {
        block_list: Some(block_list),
        ..ConnectOptions::new(9, "127.0.0.1")
    };
    let client = net::connect_with(options, |_| panic!("blocked"));
    let l = log.clone();
    client.on(Error, move |err| {
        l.borrow_mut()
            .push(format!("{:?} {}", err.code(), err.message()));
    });
    let l = log.clone();
    client.on(Close, move |had_error| {
        l.borrow_mut().push(format!("close {had_error}"))
    });
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "Some(\"ERR_IP_BLOCKED\") IP(127.0.0.1) is blocked by net.BlockList",
            "close true"
        ]
    );
    check_empty();
}

/// `autoSelectFamilyAttemptedAddresses` lists each address tried, IPv6 without brackets, and
/// survives the connect.
#[test]
fn attempted_addresses_are_listed_in_order() {
    let got = Rc::new(RefCell::new(Vec::<String>::new()));
    let server = net::create_server(|client| {
        client.end();
    });
    let g = got.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let lookup = nodenet::net::Lookup::new(|_| {
            Ok(vec!["::1".parse().unwrap(), "127.0.0.1".parse().unwrap()])
        });
        let options = ConnectOptions {
            lookup: Some(lookup),
            ..ConnectOptions::new(port, "dual.test")
        };
        let g = g.clone();
        net::connect_with(options, move |client| {
            *g.borrow_mut() = client.auto_select_family_attempted_addresses();
        })
    });
    nodenet::run().unwrap();
    let got = got.borrow();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with("::1:") && got[1].starts_with("127.0.0.1:"),
        "{got:?}"
    );
    check_empty();
}
