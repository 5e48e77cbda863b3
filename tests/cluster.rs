//! `nodenet::cluster`: N loops on one port with `SO_REUSEPORT`, as Node's `cluster` runs N
//! workers behind one port. Every test ends with the loops stopped and their threads joined;
//! clients are plain blocking `std` sockets with read timeouts, so nothing waits unbounded.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::Duration;

use common::bounded;
use nodenet::cluster::{Cluster, ClusterError, ClusterHandle};
use nodenet::net::{self, ListenOptions};
use nodenet::prelude::*;

const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// An echo server on `loops` loops on one loopback port; `served[i]` counts the connections
/// loop `i` accepted. Loop 0 binds port 0, the others the port it got.
fn echo_cluster(loops: usize, served: Arc<Vec<AtomicUsize>>) -> (ClusterHandle, u16) {
    let port = Arc::new(OnceLock::new());
    let chosen = Arc::clone(&port);
    let cluster = Cluster::new(loops)
        .start(move |ctx| {
            let index = ctx.loop_index();
            let served = Arc::clone(&served);
            let server = net::create_server(move |client| {
                served[index].fetch_add(1, Ordering::SeqCst);
                client.on(Data, move |data| {
                    client.write(data);
                });
                client.on(Error, |_| {});
            });
            let options = ListenOptions {
                host: Some("127.0.0.1".into()),
                reuse_port: true,
                ..ListenOptions::from(*chosen.get().unwrap_or(&0))
            };
            server.listen(options, ())?;
            if ctx.is_first() {
                let bound = server.address().map_or(0, |address| address.port);
                let _ = chosen.set(bound);
            }
            Ok(())
        })
        .expect("the cluster starts");
    let port = *port.get().expect("loop 0 bound a port");
    (cluster, port)
}

fn counters(loops: usize) -> Arc<Vec<AtomicUsize>> {
    Arc::new((0..loops).map(|_| AtomicUsize::new(0)).collect())
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.set_nodelay(true).expect("nodelay");
    stream
}

/// One round trip of `message`, checked byte for byte.
fn round_trip(stream: &mut TcpStream, message: &[u8]) {
    stream.write_all(message).expect("write");
    let mut echoed = vec![0; message.len()];
    stream.read_exact(&mut echoed).expect("read the echo");
    assert_eq!(echoed, message);
}

#[test]
fn connections_spread_over_every_loop() {
    bounded(|| {
        let loops = 4;
        let served = counters(loops);
        let (cluster, port) = echo_cluster(loops, Arc::clone(&served));
        for n in 0..200u32 {
            // Each connection is served (its echo is back) before it counts.
            round_trip(&mut connect(port), &n.to_be_bytes());
        }
        let per_loop: Vec<usize> = served.iter().map(|n| n.load(Ordering::SeqCst)).collect();
        cluster.stop();
        cluster.join().expect("a clean stop");
        assert_eq!(per_loop.iter().sum::<usize>(), 200, "{per_loop:?}");
        assert!(
            per_loop.iter().all(|&n| n > 0),
            "every loop serves some of the 200 connections: {per_loop:?}"
        );
    });
}

#[test]
fn one_stop_request_joins_every_thread() {
    bounded(|| {
        let loops = 3;
        let served = counters(loops);
        let (cluster, port) = echo_cluster(loops, Arc::clone(&served));
        // Open connections and a timer on every loop: all of it must go for `run()` to return.
        cluster.post(0, || {
            nodenet::set_interval(1000, || {});
        });
        let mut held: Vec<TcpStream> = Vec::new();
        while served.iter().any(|n| n.load(Ordering::SeqCst) == 0) && held.len() < 500 {
            let mut stream = connect(port);
            round_trip(&mut stream, b"hold");
            held.push(stream);
        }
        let stats = cluster.stats();
        assert_eq!(stats.len(), loops);
        for report in &stats {
            assert_eq!(report.stats.servers, 1, "{report:?}");
            assert!(report.stats.sockets >= 1, "{report:?}");
            assert_eq!(report.resources[0].kind, "TCPServerWrap", "{report:?}");
        }
        let stopper = cluster.stopper();
        thread::spawn(move || stopper.stop())
            .join()
            .expect("the stopping thread");
        cluster.join().expect("a clean stop");
        // Every held connection was destroyed by its loop: the peer sees EOF or a reset.
        for mut stream in held {
            let mut byte = [0u8; 1];
            assert!(!matches!(stream.read(&mut byte), Ok(n) if n > 0));
        }
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    });
}

#[test]
fn a_panic_in_one_loop_is_reported_and_the_rest_shut_down() {
    bounded(|| {
        let loops = 3;
        let (cluster, port) = echo_cluster(loops, counters(loops));
        round_trip(&mut connect(port), b"before");
        assert!(cluster.post(2, || panic!("loop two broke")));
        let error = cluster.join().expect_err("the panic is reported");
        assert_eq!(error.loop_index(), 2);
        assert!(
            matches!(&error, ClusterError::Panicked { message, .. } if message == "loop two broke"),
            "{error}"
        );
        // join returned, so every thread has ended; and nobody listens any more.
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    });
}

#[test]
fn a_failed_setup_stops_the_loops_already_started() {
    bounded(|| {
        let started = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&started);
        let result = Cluster::new(3).start(move |ctx| {
            seen.fetch_add(1, Ordering::SeqCst);
            nodenet::set_interval(1000, || {});
            match ctx.loop_index() {
                1 => Err(nodenet::Error::new("no config for loop 1")),
                _ => Ok(()),
            }
        });
        let error = result.expect_err("setup failed");
        assert_eq!(error.loop_index(), 1);
        assert_eq!(error.to_string(), "loop 1 failed: no config for loop 1");
        // Loop 2 was never started; loop 0 was stopped and joined before `start` returned.
        assert_eq!(started.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn echoes_byte_exact_under_load_on_every_loop() {
    bounded(|| {
        let loops = 2;
        let served = counters(loops);
        let (cluster, port) = echo_cluster(loops, Arc::clone(&served));
        const THREADS: usize = 20;
        const CONNS_PER_THREAD: usize = 10;
        const ROUNDS: usize = 100;
        let clients: Vec<_> = (0..THREADS)
            .map(|t| {
                thread::spawn(move || {
                    let mut streams: Vec<TcpStream> =
                        (0..CONNS_PER_THREAD).map(|_| connect(port)).collect();
                    for round in 0..ROUNDS {
                        // All connections of this thread in flight at once, then each echo
                        // checked: a message unique to (connection, round), 1 to 300 bytes.
                        let messages: Vec<Vec<u8>> = (0..CONNS_PER_THREAD)
                            .map(|c| {
                                let id = (t * CONNS_PER_THREAD + c) * ROUNDS + round;
                                let len = 1 + id % 300;
                                (0..len).map(|i| (id * 31 + i * 7) as u8).collect()
                            })
                            .collect();
                        for (stream, message) in streams.iter_mut().zip(&messages) {
                            stream.write_all(message).expect("write");
                        }
                        for (stream, message) in streams.iter_mut().zip(&messages) {
                            let mut echoed = vec![0; message.len()];
                            stream.read_exact(&mut echoed).expect("read the echo");
                            assert_eq!(&echoed, message);
                        }
                    }
                    // Half-close: the server ends its side once all is echoed, nothing more.
                    for mut stream in streams {
                        stream
                            .shutdown(std::net::Shutdown::Write)
                            .expect("shutdown");
                        let mut rest = Vec::new();
                        stream.read_to_end(&mut rest).expect("EOF");
                        assert!(rest.is_empty());
                    }
                })
            })
            .collect();
        for client in clients {
            client.join().expect("a client thread");
        }
        let per_loop: Vec<usize> = served.iter().map(|n| n.load(Ordering::SeqCst)).collect();
        cluster.stop();
        cluster.join().expect("a clean stop");
        assert_eq!(per_loop.iter().sum::<usize>(), THREADS * CONNS_PER_THREAD);
        assert!(per_loop.iter().all(|&n| n > 0), "{per_loop:?}");
    });
}
