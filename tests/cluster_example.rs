//! `examples/cluster_echo` as a child process: it echoes on two loops behind one port, and one
//! SIGTERM stops both loops, closes the open connections and exits 0.

mod examples_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use examples_support::{Running, DEADLINE};

#[test]
fn cluster_echo_serves_on_two_loops_and_stops_on_sigterm() {
    let mut server = Running::start("cluster_echo", &[("LOOPS", "2")]);
    let port = server.port();
    assert!(server
        .seen
        .iter()
        .any(|line| line.ends_with("with 2 loops")));
    let mut held = Vec::new();
    for n in 0..20u8 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let message = [n; 100];
        stream.write_all(&message).unwrap();
        let mut echoed = [0u8; 100];
        stream.read_exact(&mut echoed).unwrap();
        assert_eq!(echoed, message);
        held.push(stream);
    }
    let status = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    assert!(server.wait().success(), "exit 0 after SIGTERM");
    for mut stream in held {
        let mut byte = [0u8; 1];
        assert!(!matches!(stream.read(&mut byte), Ok(n) if n > 0));
    }
}
