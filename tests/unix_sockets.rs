//! Unix domain sockets: Node's `server.listen(path)` and `net.connect(path)`.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use nodenet::prelude::*;

/// A fresh socket path in a directory of this test's own (Unix socket paths must be short).
fn socket_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nodenet-unix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.sock"));
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn echo_over_a_socket_file_then_the_file_is_removed() {
    let path = socket_path("echo");
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let l = log.clone();
    let server = net::create_server(move |client| {
        // Node reports no addresses for pipes: `{}` and undefined.
        l.borrow_mut().push(format!(
            "server: address {:?} remote {:?}",
            client.address(),
            client.remote_address()
        ));
        client.on(Data, move |data| client.write(data));
    });
    let l = log.clone();
    let p = path.clone();
    server
        .listen(path.as_path(), move || {
            assert_eq!(server.path().as_deref(), Some(p.as_path()));
            assert!(p.exists());
            let l = l.clone();
            let client = net::connect_path(&p, move |client| {
                client.write("over a file");
            });
            let l1 = l.clone();
            client.on(Data, move |data| {
                l1.borrow_mut().push(format!("client: {data}"));
                client.end();
            });
            client.on(Close, move |had_error| {
                l.borrow_mut().push(format!("client close {had_error}"));
                server.close(());
            });
        })
        .unwrap();
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "server: address None remote None",
            "client: over a file",
            "client close false"
        ]
    );
    assert!(
        !path.exists(),
        "the socket file is unlinked when the server closes"
    );
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
}

#[test]
fn listening_on_a_path_in_use_is_eaddrinuse_with_nodes_message() {
    let path = socket_path("in-use");
    let errors = Rc::new(RefCell::new(Vec::<String>::new()));
    let first = net::create_server(|_| {});
    let e = errors.clone();
    let p = path.clone();
    first
        .listen(path.as_path(), move || {
            let second = net::create_server(|_| {});
            let e = e.clone();
            second.on(Error, move |err| {
                e.borrow_mut().push(format!(
                    "{} | {:?} {:?} {:?} {:?} {:?}",
                    err.message(),
                    err.code(),
                    err.errno(),
                    err.syscall(),
                    err.address(),
                    err.port()
                ));
                second.close(());
                first.close(());
            });
            second.listen(p.as_path(), ()).unwrap();
        })
        .unwrap();
    nodenet::run().unwrap();
    let expected = format!(
        "listen EADDRINUSE: address already in use {0} | Some(\"EADDRINUSE\") Some(-98) \
         Some(\"listen\") Some(\"{0}\") None",
        path.display()
    );
    assert_eq!(*errors.borrow(), [expected]);
    // The failed second server must not have removed the first one's file... which is gone
    // now only because the first server closed.
    assert!(!path.exists());
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
}

#[test]
fn connecting_to_a_missing_file_is_enoent_then_close_with_error() {
    let path = socket_path("missing");
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let client = net::connect_path(&path, |_| panic!("nothing listens there"));
    let l = log.clone();
    client.on(Error, move |err| {
        l.borrow_mut().push(format!(
            "{} | {:?} {:?} {:?} {:?}",
            err.message(),
            err.code(),
            err.errno(),
            err.syscall(),
            err.port()
        ));
    });
    let l = log.clone();
    client.on(Close, move |had_error| {
        l.borrow_mut().push(format!("close {had_error}"))
    });
    nodenet::run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            format!(
                "connect ENOENT {} | Some(\"ENOENT\") Some(-2) Some(\"connect\") None",
                path.display()
            ),
            "close true".to_string()
        ]
    );
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
}
