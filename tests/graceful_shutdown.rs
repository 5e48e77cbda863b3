//! Issue 11: SIGTERM sent to `examples/graceful_shutdown`, running as a child process. The
//! server stops accepting at once; a connection that is talking finishes its exchange and
//! hangs up itself; an idle one is closed after the grace period; then `run()` returns and
//! the process exits 0. Everything waits on what the child prints or what the sockets see.

#[path = "examples_support/mod.rs"]
mod examples_support;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use examples_support::{Running, DEADLINE};

fn echo(stream: &mut TcpStream, text: &[u8]) {
    stream.write_all(text).expect("write");
    let mut back = vec![0u8; text.len()];
    stream.read_exact(&mut back).expect("the echo");
    assert_eq!(back, text);
}

#[test]
fn sigterm_lets_connections_finish_then_exits_0() {
    let mut server = Running::start("graceful_shutdown", &[("GRACE_MS", "500")]);
    let port = server.port();
    let mut busy = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut idle = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    for stream in [&busy, &idle] {
        stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    }
    echo(&mut busy, b"before");
    echo(&mut idle, b"hello");

    let status = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let line = server.wait_for(|line| line.starts_with("SIGTERM"));
    assert_eq!(line, "SIGTERM: closing, 2 connection(s) open");
    let signalled = Instant::now();

    // No longer accepting.
    let refused = TcpStream::connect(("127.0.0.1", port));
    assert_eq!(
        refused.map(|_| ()).map_err(|err| err.kind()),
        Err(ErrorKind::ConnectionRefused)
    );
    // The busy connection finishes its work, then hangs up.
    echo(&mut busy, b"after");
    busy.shutdown(Shutdown::Write).expect("FIN");
    let mut rest = Vec::new();
    busy.read_to_end(&mut rest).expect("the server's FIN");
    assert!(rest.is_empty());
    // The idle one is closed by the server after the grace period.
    let mut byte = [0u8; 1];
    match idle.read(&mut byte) {
        Ok(0) => {}
        Err(err) if err.kind() == ErrorKind::ConnectionReset => {}
        other => panic!("the idle connection was not closed: {other:?}"),
    }
    let closed_after = signalled.elapsed();
    assert!(
        closed_after >= Duration::from_millis(400),
        "the idle connection was closed {closed_after:?} after SIGTERM, before its grace period"
    );
    server.wait_for(|line| line == "closing an idle connection");
    server.wait_for(|line| line.starts_with("closed: every connection"));
    server.wait_for(|line| line == "bye");
    let status = server.wait();
    assert!(status.success(), "exit status {status}");
    eprintln!(
        "graceful shutdown: SIGTERM with 2 connections open; the busy one finished, the idle \
         one closed {} ms after the signal (grace 500 ms); exit 0",
        closed_after.as_millis()
    );
}
