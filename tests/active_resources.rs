//! Issue 11: `nodenet::active_resources()`, Node 20's `process.getActiveResourcesInfo()`, and
//! its detailed form: one test per kind of resource, named as Node names it (checked against
//! node v20: a listening server is `TCPServerWrap`, a socket `TCPSocketWrap`, a Unix server or
//! socket `PipeWrap`, a pending `dns.lookup` `GetAddrInfoReqWrap`, and unref'd handles are
//! not listed).
#[macro_use]
mod common;

use std::time::Duration;

use common::{bound_listener, bounded, run_and_check};
use nodenet::prelude::*;

#[test]
fn an_empty_loop_has_none() {
    bounded(|| {
        assert!(nodenet::active_resources().is_empty());
        assert!(nodenet::active_resources_info().is_empty());
        run_and_check();
    });
}

#[test]
fn a_listening_server_is_a_tcp_server_wrap() {
    bounded(|| {
        let server = net::create_server(|_| {});
        server.on(
            Listening,
            must_call!(move || {
                server.unref();
                assert!(
                    nodenet::active_resources().is_empty(),
                    "unref'd: not listed"
                );
                let info = nodenet::active_resources_info();
                assert_eq!(info.len(), 1, "but in the detailed form");
                assert!(!info[0].referenced);
                assert!(info[0].to_string().contains("unref'd"));
                server.close(());
            }),
        );
        server
            .listen_std(bound_listener("127.0.0.1"), ())
            .expect("listen");
        let info = nodenet::active_resources_info();
        assert_eq!(nodenet::active_resources(), ["TCPServerWrap"]);
        let port = server.address().unwrap().port;
        assert_eq!(info[0].local, Some(format!("127.0.0.1:{port}")));
        assert_eq!(info[0].remote, None);
        assert!(info[0].referenced);
        assert_eq!(info[0].listeners, [("connection", 1), ("listening", 1)]);
        assert!(info[0].age.is_some());
        run_and_check();
    });
}

/// The entry whose addresses are this socket's.
fn entry_of(socket: Socket) -> nodenet::ResourceInfo {
    let local = format!("127.0.0.1:{}", socket.local_port().unwrap());
    let remote = format!("127.0.0.1:{}", socket.remote_port().unwrap());
    nodenet::active_resources_info()
        .into_iter()
        .find(|info| info.local.as_ref() == Some(&local) && info.remote.as_ref() == Some(&remote))
        .expect("an entry with the socket's addresses")
}

#[test]
fn sockets_are_tcp_socket_wraps_with_both_addresses() {
    bounded(|| {
        let server = net::create_server(must_call!(move |accepted: Socket| {
            let kinds = nodenet::active_resources();
            assert_eq!(kinds, ["TCPServerWrap", "TCPSocketWrap", "TCPSocketWrap"]);
            let entry = entry_of(accepted);
            assert_eq!(entry.kind, "TCPSocketWrap");
            assert!(entry.referenced);
        }));
        common::listen_then_client(server, "127.0.0.1", |port| {
            net::connect(
                port,
                "127.0.0.1",
                must_call!(move |client: Socket| {
                    let entry = entry_of(client);
                    assert_eq!(entry.kind, "TCPSocketWrap");
                    assert!(entry.listeners.contains(&("close", 1)));
                    client.end();
                }),
            )
        });
        run_and_check();
    });
}

#[test]
fn a_unix_server_is_a_pipe_wrap() {
    bounded(|| {
        let dir = std::env::temp_dir().join(format!("nodenet-ar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pipe.sock");
        let _ = std::fs::remove_file(&path);
        let server = net::create_server(|_| {});
        server.listen(path.as_path(), ()).expect("listen");
        assert_eq!(nodenet::active_resources(), ["PipeWrap"]);
        let info = nodenet::active_resources_info();
        assert_eq!(info[0].local, Some(path.display().to_string()));
        server.close(());
        run_and_check();
    });
}

#[test]
fn timers_and_immediates_are_timeouts_and_immediates() {
    bounded(|| {
        let timer = nodenet::set_timeout(1000, must_not_call!());
        let immediate = nodenet::set_immediate(must_not_call!());
        let unrefd = nodenet::set_timeout(1000, must_not_call!()).unref();
        assert_eq!(nodenet::active_resources(), ["Timeout", "Immediate"]);
        nodenet::clear_timeout(timer);
        nodenet::clear_immediate(immediate);
        nodenet::clear_timeout(unrefd);
        assert!(nodenet::active_resources().is_empty());
        run_and_check();
    });
}

#[test]
fn a_pending_lookup_is_a_get_addr_info_req_wrap() {
    bounded(|| {
        let listener = bound_listener("127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let socket = net::connect(port, "localhost", |_| {});
        assert_eq!(
            nodenet::active_resources(),
            ["GetAddrInfoReqWrap", "TCPSocketWrap"]
        );
        socket.on(
            nodenet::event::Lookup,
            must_call!(move |_info| {
                assert!(!nodenet::active_resources().contains(&"GetAddrInfoReqWrap"));
                socket.destroy();
            }),
        );
        run_and_check();
    });
}

#[test]
fn a_live_remote_is_listed() {
    bounded(|| {
        let remote = nodenet::remote();
        assert_eq!(nodenet::active_resources(), ["Remote"]);
        drop(remote);
        assert!(nodenet::active_resources().is_empty());
        run_and_check();
    });
}

#[test]
fn now_is_the_loops_cached_time() {
    bounded(|| {
        let start = nodenet::now();
        nodenet::set_timeout(
            20,
            must_call!(move || {
                let now = nodenet::now();
                assert!(now - start >= Duration::from_millis(20));
                // Cached: the same for the rest of this callback.
                assert_eq!(nodenet::now(), now);
            }),
        );
        run_and_check();
    });
}
