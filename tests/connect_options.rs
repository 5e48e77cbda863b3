//! `net::connect_with(options)`: Node's connect options, `'lookup'`, the autoSelectFamily
//! attempts and their events, and reconnecting a socket.

mod common;

use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;

use nodenet::event::{
    ConnectionAttempt, ConnectionAttemptFailed, ConnectionAttemptTimeout, Lookup,
};
use nodenet::net::{ConnectOptions, Lookup as CustomLookup};
use nodenet::prelude::*;

use common::*;

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn push(log: &Log, entry: impl Into<String>) {
    log.borrow_mut().push(entry.into());
}

fn check_empty() {
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
}

/// Logs every connect-time event of `socket`.
fn watch(socket: Socket, log: &Log) {
    let l = log.clone();
    socket.on(Lookup, move |info| {
        push(
            &l,
            format!("lookup {:?} {:?} {}", info.address, info.family, info.host),
        )
    });
    let l = log.clone();
    socket.on(ConnectionAttempt, move |a| {
        push(&l, format!("attempt {} {}", a.address, a.family))
    });
    let l = log.clone();
    socket.on(ConnectionAttemptFailed, move |a| {
        let code = a.error.as_ref().and_then(|e| e.code().map(str::to_string));
        push(&l, format!("failed {} {:?}", a.address, code))
    });
    let l = log.clone();
    socket.on(ConnectionAttemptTimeout, move |a| {
        push(&l, format!("timeout {}", a.address))
    });
    let l = log.clone();
    socket.on(Connect, move || push(&l, "connect"));
    let l = log.clone();
    socket.on(Close, move |had_error| {
        push(&l, format!("close {had_error}"))
    });
}

/// A port that refuses connections, and stays so: see [`common::refused_port`].
fn closed_port() -> u16 {
    common::refused_port("127.0.0.1")
}

/// A port free to bind a client to (bound, read, released): the one use that needs the port
/// free, so it cannot be held; only an ephemeral port picked in between could collide.
fn free_local_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn local_port_is_the_port_the_server_sees() {
    let local_port = free_local_port();
    let seen = Rc::new(RefCell::new(None));
    let s = seen.clone();
    let server = net::create_server(move |client| {
        *s.borrow_mut() = client.remote_port();
        client.end();
    });
    listen_then_client(server, "127.0.0.1", move |port| {
        let options = ConnectOptions {
            local_address: Some("127.0.0.1".into()),
            local_port: Some(local_port),
            ..ConnectOptions::new(port, "127.0.0.1")
        };
        net::connect_with(options, move |client| {
            assert_eq!(client.local_port(), Some(local_port));
        })
    });
    nodenet::run().unwrap();
    assert_eq!(*seen.borrow(), Some(local_port));
    check_empty();
}

#[test]
fn a_name_is_looked_up_then_attempted_then_connected_in_nodes_order() {
    let log = log();
    let server = net::create_server(|client| {
        client.end();
    });
    let l = log.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let options = ConnectOptions {
            family: 4,
            ..ConnectOptions::new(port, "localhost")
        };
        let client = net::connect_with(options, |_| {});
        watch(client, &l);
        client
    });
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "lookup Some(\"127.0.0.1\") Some(4) localhost",
            "attempt 127.0.0.1 4",
            "connect",
            "close false"
        ]
    );
    check_empty();
}

fn dual_stack_lookup() -> CustomLookup {
    CustomLookup::new(|_host| {
        Ok(vec![
            "::1".parse::<IpAddr>().unwrap(),
            "127.0.0.1".parse::<IpAddr>().unwrap(),
        ])
    })
}

#[test]
fn a_refused_address_gives_way_to_the_next_one() {
    let log = log();
    let server = net::create_server(|client| {
        client.end();
    });
    let l = log.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let options = ConnectOptions {
            lookup: Some(dual_stack_lookup()),
            ..ConnectOptions::new(port, "dual.test")
        };
        let client = net::connect_with(options, |_| {});
        watch(client, &l);
        client
    });
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "lookup Some(\"::1\") Some(6) dual.test",
            "attempt ::1 6",
            "failed ::1 Some(\"ECONNREFUSED\")",
            "attempt 127.0.0.1 4",
            "connect",
            "close false"
        ]
    );
    check_empty();
}

#[test]
fn every_address_refused_is_an_aggregate_error_as_nodes_aggregate_error() {
    let log = log();
    let port = closed_port();
    let options = ConnectOptions {
        lookup: Some(dual_stack_lookup()),
        ..ConnectOptions::new(port, "dual.test")
    };
    let client = net::connect_with(options, |_| panic!("nothing listens"));
    watch(client, &log);
    let l = log.clone();
    client.on(Error, move |err| {
        let inner: Vec<&str> = err.errors().iter().map(|e| e.message()).collect();
        push(
            &l,
            format!("error {:?} {:?} {:?}", err.code(), err.message(), inner),
        );
    });
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "lookup Some(\"::1\") Some(6) dual.test".to_string(),
            "attempt ::1 6".to_string(),
            "failed ::1 Some(\"ECONNREFUSED\")".to_string(),
            "attempt 127.0.0.1 4".to_string(),
            "failed 127.0.0.1 Some(\"ECONNREFUSED\")".to_string(),
            format!(
                "error Some(\"ECONNREFUSED\") \"\" [\"connect ECONNREFUSED ::1:{port}\", \
                 \"connect ECONNREFUSED 127.0.0.1:{port}\"]"
            ),
            "close true".to_string(),
        ]
    );
    check_empty();
}

#[test]
fn with_auto_select_family_off_only_the_first_address_is_tried() {
    let log = log();
    let options = ConnectOptions {
        lookup: Some(dual_stack_lookup()),
        auto_select_family: false,
        ..ConnectOptions::new(closed_port(), "dual.test")
    };
    let client = net::connect_with(options, |_| panic!("nothing listens"));
    watch(client, &log);
    let l = log.clone();
    client.on(Error, move |err| {
        push(&l, format!("error {}", err.errors().len()))
    });
    nodenet::run().unwrap();
    assert_eq!(
        log.borrow()[1..],
        [
            "attempt ::1 6",
            "failed ::1 Some(\"ECONNREFUSED\")",
            "error 0",
            "close true"
        ]
    );
    check_empty();
}

#[test]
fn a_socket_reconnects_from_its_close_listener() {
    let log = log();
    let server = net::create_server(|client| {
        client.end_with("second time lucky");
    });
    let l = log.clone();
    server
        .listen((0, "127.0.0.1"), move || {
            let port = server.address().unwrap().port;
            let client = net::connect(closed_port(), "127.0.0.1", |_| {});
            let l1 = l.clone();
            client.on(Error, move |err| {
                push(&l1, format!("error {:?}", err.code()))
            });
            let l2 = l.clone();
            client.on(Data, move |data| push(&l2, format!("data {data}")));
            let l3 = l.clone();
            let tries = Rc::new(RefCell::new(0));
            client.on(Close, move |had_error| {
                push(&l3, format!("close {had_error}"));
                *tries.borrow_mut() += 1;
                if *tries.borrow() == 1 {
                    client.connect(port, "127.0.0.1", ());
                } else {
                    server.close(());
                }
            });
        })
        .unwrap();
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "error Some(\"ECONNREFUSED\")",
            "close true",
            "data second time lucky",
            "close false"
        ]
    );
    check_empty();
}

#[test]
fn the_timeout_option_is_set_timeout() {
    let log = log();
    let server = net::create_server(|_client| {});
    let l = log.clone();
    server
        .listen((0, "127.0.0.1"), move || {
            let options = ConnectOptions {
                timeout: 20,
                ..ConnectOptions::new(server.address().unwrap().port, "127.0.0.1")
            };
            let client = net::connect_with(options, |_| {});
            let l = l.clone();
            client.on(Timeout, move || {
                push(&l, "timeout");
                client.destroy();
                server.close(());
            });
        })
        .unwrap();
    nodenet::run().unwrap();
    assert_eq!(*log.borrow(), ["timeout"]);
    check_empty();
}

#[test]
fn allow_half_open_keeps_the_client_writable_after_the_servers_fin() {
    let log = log();
    let l = log.clone();
    let server = net::create_server(move |client| {
        client.end();
        let l = l.clone();
        client.on(Data, move |data| push(&l, format!("server got {data}")));
    });
    let l = log.clone();
    listen_then_client(server, "127.0.0.1", move |port| {
        let options = ConnectOptions {
            allow_half_open: true,
            ..ConnectOptions::new(port, "127.0.0.1")
        };
        let client = net::connect_with(options, |_| {});
        let l1 = l.clone();
        client.on(End, move || {
            push(&l1, "client end");
            client.end_with("after your FIN");
        });
        client
    });
    nodenet::run().unwrap();
    assert_eq!(*log.borrow(), ["client end", "server got after your FIN"]);
    check_empty();
}

/// An address whose listen queue is full drops SYNs, so connecting to it hangs: the attempt
/// times out and the next address is tried (Node's `autoSelectFamilyAttemptTimeout`).
#[test]
fn a_hanging_attempt_times_out_and_the_next_address_is_tried() {
    use socket2::{Domain, Socket as RawSocket, Type};
    // The server on 127.0.0.1 and a never-accepting listener on 127.0.0.2, same port.
    let log = log();
    let server = net::create_server(|client| {
        client.end();
    });
    let l = log.clone();
    server
        .listen((0, "127.0.0.1"), move || {
            let port = server.address().unwrap().port;
            let stuck = RawSocket::new(Domain::IPV4, Type::STREAM, None).unwrap();
            let stuck_addr: std::net::SocketAddr = format!("127.0.0.2:{port}").parse().unwrap();
            if stuck.bind(&stuck_addr.into()).is_err() {
                eprintln!("skipped: 127.0.0.2 cannot be bound here");
                server.close(());
                return;
            }
            stuck.listen(0).unwrap();
            // Fill the queue until a connect no longer completes.
            let mut fillers = Vec::new();
            for _ in 0..8 {
                match std::net::TcpStream::connect_timeout(
                    &stuck_addr,
                    std::time::Duration::from_millis(100),
                ) {
                    Ok(stream) => fillers.push(stream),
                    Err(_) => break,
                }
            }
            let lookup = CustomLookup::new(|_| {
                Ok(vec![
                    "127.0.0.2".parse::<IpAddr>().unwrap(),
                    "127.0.0.1".parse::<IpAddr>().unwrap(),
                ])
            });
            let options = ConnectOptions {
                lookup: Some(lookup),
                auto_select_family_attempt_timeout: 50,
                ..ConnectOptions::new(port, "two.test")
            };
            let client = net::connect_with(options, |_| {});
            watch(client, &l);
            let keep = RefCell::new(Some((stuck, fillers)));
            client.on(Close, move |_| {
                keep.borrow_mut().take();
                server.close(());
            });
        })
        .unwrap();
    nodenet::run().unwrap();
    let log = log.borrow();
    if !log.is_empty() {
        assert_eq!(
            log[1..],
            [
                "attempt 127.0.0.2 4",
                "timeout 127.0.0.2",
                "attempt 127.0.0.1 4",
                "connect",
                "close false"
            ]
        );
    }
    check_empty();
}
