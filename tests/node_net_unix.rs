//! Node's own `test/parallel/test-net-*.js` tests about Unix domain sockets (`listen(path)`,
//! `connect(path)` and their errors), ported one `#[test]` per Node file and named after it.
//! Each asserts what the Node test asserts; see `docs/conformance.md` for the table.
//!
//! Socket files live in a directory of this process's own under the system temp dir, with
//! short names (a Unix socket path must fit in 108 bytes).

mod common;

use std::path::PathBuf;

use common::*;
use nodenet::net::{ConnectOptions, ListenOptions};
use nodenet::prelude::*;

/// A fresh path `name` in this process's socket directory; nothing exists there yet.
fn pipe_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-unix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("make the socket directory");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Whether this process runs as root, for whom file permissions do not apply (Node skips the
/// EACCES part then). `/proc/self` belongs to the process's effective user.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// test-net-pipe-connect-errors.js: connecting to a file that is not a socket fails with
/// ENOTSOCK or ECONNREFUSED; to a missing file with ENOENT; to a socket without permission
/// (when not root) with EACCES. No connect callback runs.
#[test]
fn test_net_pipe_connect_errors() {
    bounded(|| {
        let empty_txt = pipe_path("0.txt");
        std::fs::write(&empty_txt, b"").expect("write an empty file");
        let not_socket_client = net::connect_path(&empty_txt, |_c| {
            panic!("connection callback should not run")
        });
        not_socket_client.on(
            Error,
            must_call!(|err| {
                let code = err.code();
                assert!(
                    code == Some("ENOTSOCK") || code == Some("ECONNREFUSED"),
                    "received {code:?} instead of ENOTSOCK or ECONNREFUSED"
                );
            }),
        );

        let no_ent_socket_client = net::connect_path(pipe_path("no-ent-file"), |_c| {
            panic!("connection to non-existent socket, callback should not run")
        });
        no_ent_socket_client.on(
            Error,
            must_call!(|err| {
                assert_eq!(err.code(), Some("ENOENT"));
            }),
        );

        if !is_root() {
            use std::os::unix::fs::PermissionsExt;
            let path = pipe_path("access.sock");
            let access_server = net::create_server(must_not_call!(|_s|));
            let p = path.clone();
            access_server
                .listen(
                    path.as_path(),
                    must_call!(move || {
                        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000))
                            .expect("chmod 0");
                        let access_client =
                            net::connect_path(&p, |_c| panic!("connection should get EACCES"));
                        access_client.on(
                            Error,
                            must_call!(move |err| {
                                assert_eq!(err.code(), Some("EACCES"));
                                access_server.close(());
                            }),
                        );
                    }),
                )
                .expect("listen");
        }
        run_and_check();
        let _ = std::fs::remove_file(&empty_txt);
    });
}

/// test-net-connect-options-path.js: every way to connect to a path (`connect_path` and
/// `connect_with({ path })`, with a connect callback or a 'connect' listener, and a socket
/// reconnected to the path) reaches the server; each client ends, closes, and the last close
/// closes the server.
#[test]
fn test_net_connect_options_path() {
    const CLIENT_VARIANTS: usize = 5;
    bounded(|| {
        let server_path = pipe_path("options-path");
        let server = net::create_server(|_s| {});
        server.on(
            Connection,
            must_call!(CLIENT_VARIANTS, move |socket: Socket| {
                socket.end_with("ok");
            }),
        );
        let counter = Calls::new(CLIENT_VARIANTS, "client 'close'");
        let on_connect = move |client: Socket| {
            // The server's "ok" is read: unread bytes would hold back 'end', and so 'close',
            // as in Node.
            client.resume();
            client.end();
            client.on(
                Close,
                must_call!(move |_h| {
                    let before = counter.count();
                    counter.hit();
                    if before + 1 == CLIENT_VARIANTS {
                        server.close(());
                    }
                }),
            );
        };
        let p = server_path.clone();
        server
            .listen(
                server_path.as_path(),
                must_call!(move || {
                    net::connect_path(&p, must_call!(move |c| on_connect(c)));
                    let c = net::connect_path(&p, |_c| {});
                    c.on(Connect, must_call!(move || on_connect(c)));
                    net::connect_with(ConnectOptions::path(&p), must_call!(move |c| on_connect(c)));
                    let c = net::connect_with(ConnectOptions::path(&p), |_c| {});
                    c.on(Connect, must_call!(move || on_connect(c)));
                    // `new net.Socket().connect({ path })`: a socket left closed by a failed
                    // connect, connected again to the path from its 'close' listener.
                    let missing = pipe_path("options-path-missing");
                    let c = net::connect_path(&missing, |_c| {});
                    c.on(
                        Error,
                        must_call!(|err| assert_eq!(err.code(), Some("ENOENT"))),
                    );
                    let p = p.clone();
                    c.once(
                        Close,
                        must_call!(move |had_error| {
                            assert!(had_error);
                            c.connect_with(ConnectOptions::path(&p), ());
                        }),
                    );
                    c.on(Connect, must_call!(move || on_connect(c)));
                }),
            )
            .expect("listen");
        run_and_check();
        assert!(!server_path.exists(), "the socket file is removed on close");
    });
}

/// test-net-server-listen-path.js: `listen(path)` with a 'listening' listener, `listen(path,
/// cb)`, `listen({ path }, cb)` all listen; a second server on a path in use gets 'error'
/// EADDRINUSE (`listen EADDRINUSE: address already in use ...`) and no listening callback.
/// `listen({ path, readableAll, writableAll })` makes the socket file readable and writable by
/// others (`S_IROTH`, `S_IWOTH`).
#[test]
fn test_net_server_listen_path() {
    bounded(|| {
        // listen({ path, readableAll: true, writableAll: true }): the file's mode.
        let path = pipe_path("listen-path-chmod");
        let server = Server::new(nodenet::net::ServerOptions::default());
        let p = path.clone();
        server
            .listen(
                ListenOptions {
                    readable_all: true,
                    writable_all: true,
                    ..ListenOptions::from(path)
                },
                must_call!(move || {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::metadata(&p).unwrap().permissions().mode();
                    assert_ne!(mode & 0o004, 0, "S_IROTH");
                    assert_ne!(mode & 0o002, 0, "S_IWOTH");
                    server.close(());
                }),
            )
            .expect("listen");

        // listen(path), then 'listening'.
        let path = pipe_path("listen-path-0");
        let server = net::create_server(|_s| {});
        server.listen(path.as_path(), ()).expect("listen");
        server.on(
            Listening,
            must_call!(move || {
                server.close(());
            }),
        );

        // listen({ path }), then 'listening'.
        let path = pipe_path("listen-path-1");
        let server = net::create_server(|_s| {});
        server
            .listen(ListenOptions::from(path), ())
            .expect("listen");
        server.on(
            Listening,
            must_call!(move || {
                server.close(());
            }),
        );

        // listen(path, cb).
        let path = pipe_path("listen-path-2");
        let server = net::create_server(|_s| {});
        server
            .listen(
                path.as_path(),
                must_call!(move || {
                    server.close(());
                }),
            )
            .expect("listen");

        // listen({ path }, cb).
        let path = pipe_path("listen-path-3");
        let server = net::create_server(|_s| {});
        server
            .listen(
                ListenOptions::from(path),
                must_call!(move || {
                    server.close(());
                }),
            )
            .expect("listen");

        // A path in use: 'error' EADDRINUSE.
        let path = pipe_path("listen-path-4");
        let server1 = net::create_server(|_s| {});
        let p = path.clone();
        server1
            .listen(
                path.as_path(),
                must_call!(move || {
                    let server2 = net::create_server(|_s| {});
                    server2
                        .listen(ListenOptions::from(p), must_not_call!())
                        .expect("listen reports its failure as an event");
                    server2.on(
                        Error,
                        must_call!(move |err| {
                            server1.close(());
                            server2.close(());
                            assert_eq!(err.code(), Some("EADDRINUSE"));
                            assert!(
                                err.message()
                                    .starts_with("listen EADDRINUSE: address already in use"),
                                "{}",
                                err.message()
                            );
                        }),
                    );
                }),
            )
            .expect("listen");
        run_and_check();
    });
}

/// test-net-better-error-messages-path.js: connecting to a missing socket file fails with
/// ENOENT and the message `connect ENOENT <path>`; no 'connect'.
#[test]
fn test_net_better_error_messages_path() {
    bounded(|| {
        let fp = pipe_path("fadagagsdfgsdf");
        let c = net::connect_path(&fp, |_c| panic!("must not connect"));
        c.on(Connect, must_not_call!());
        let expected = format!("connect ENOENT {}", fp.display());
        c.on(
            Error,
            must_call!(move |err| {
                assert_eq!(err.code(), Some("ENOENT"));
                assert_eq!(err.message(), expected);
            }),
        );
        run_and_check();
    });
}

/// test-net-better-error-messages-listen-path.js: listening on a path in a missing directory
/// emits 'error' whose `address` is the path; neither the connection listener nor the listen
/// callback runs.
#[test]
fn test_net_better_error_messages_listen_path() {
    bounded(|| {
        let fp = pipe_path("blah").join("fadfa");
        let server = net::create_server(must_not_call!(|_s|));
        server
            .listen(fp.as_path(), must_not_call!())
            .expect("listen reports its failure as an event");
        let expected = fp.display().to_string();
        server.on(
            Error,
            must_call!(move |e| {
                assert_eq!(e.address(), Some(expected.as_str()));
                // Frees the server's slot; Node's failed server is simply garbage.
                server.close(());
            }),
        );
        run_and_check();
    });
}

/// What Node v20 (libuv) reports for the listen of test-net-better-error-messages-listen-path.js:
/// libuv's `uv_pipe_bind` turns ENOENT into EACCES, so Node says
/// `listen EACCES: permission denied <path>`, syscall `listen`.
#[test]
fn test_net_better_error_messages_listen_path_code() {
    bounded(|| {
        let fp = pipe_path("blah").join("fadfa");
        let server = net::create_server(must_not_call!(|_s|));
        server
            .listen(fp.as_path(), must_not_call!())
            .expect("listen reports its failure as an event");
        let expected = format!("listen EACCES: permission denied {}", fp.display());
        server.on(
            Error,
            must_call!(move |e| {
                assert_eq!(e.code(), Some("EACCES"), "{}", e.message());
                assert_eq!(e.syscall(), Some("listen"));
                assert_eq!(e.message(), expected);
                server.close(());
            }),
        );
        run_and_check();
    });
}
