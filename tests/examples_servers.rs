//! The examples that serve until stopped (`chat_server`, `proxy`) run as child processes on free
//! ports and are driven by plain blocking clients, as telnet or nc would drive them.

mod examples_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use examples_support::{Running, DEADLINE};

/// A chat participant: a socket and a line reader on it.
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        // A safety net so that a broken server fails the test rather than hanging it.
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        Client { stream, reader }
    }

    fn send(&mut self, line: &str) {
        self.stream.write_all(line.as_bytes()).unwrap();
    }

    /// The next line, without its line ending.
    fn line(&mut self) -> String {
        let mut line = String::new();
        let n = self.reader.read_line(&mut line).expect("read a line");
        assert!(n > 0, "connection closed while a line was expected");
        line.trim_end_matches(['\r', '\n']).to_string()
    }
}

#[test]
fn chat_server_nicknames_broadcast_join_and_leave() {
    let mut server = Running::start("chat_server", &[]);
    let port = server.port();

    let mut alice = Client::connect(port);
    assert_eq!(alice.line(), "Welcome! What is your nickname?");
    alice.send("alice\r\n"); // telnet's CRLF
    assert_eq!(alice.line(), "Hello alice! * here: alice");

    let mut bob = Client::connect(port);
    assert_eq!(bob.line(), "Welcome! What is your nickname?");
    bob.send("alice\n");
    assert_eq!(bob.line(), "alice is taken. Try another:");
    bob.send("bob\n"); // nc's LF
    assert_eq!(bob.line(), "Hello bob! * here: alice, bob");
    assert_eq!(alice.line(), "* bob joined");

    // Two lines in one write are two messages.
    bob.send("hi all\r\nanyone here?\n");
    assert_eq!(alice.line(), "<bob> hi all");
    assert_eq!(alice.line(), "<bob> anyone here?");

    alice.send("/nick ally\r\n");
    assert_eq!(alice.line(), "You are now ally");
    assert_eq!(bob.line(), "* alice is now known as ally");
    alice.send("/who\n");
    assert_eq!(alice.line(), "* here: ally, bob");

    bob.send("/quit\n");
    assert_eq!(bob.line(), "Bye!");
    let mut rest = String::new();
    bob.reader.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "the server ended bob's connection");
    assert_eq!(alice.line(), "* bob left");

    // A client that just hangs up is announced like a /quit.
    let mut carol = Client::connect(port);
    assert_eq!(carol.line(), "Welcome! What is your nickname?");
    carol.send("carol\n");
    assert_eq!(carol.line(), "Hello carol! * here: ally, carol");
    assert_eq!(alice.line(), "* carol joined");
    drop(carol);
    assert_eq!(alice.line(), "* carol left");

    server.wait_for(|line| line == "* carol left");
}

/// A member that stops reading is disconnected once its backlog passes the bound; the others
/// keep chatting.
#[test]
fn chat_server_disconnects_a_client_that_stops_reading() {
    let mut server = Running::start("chat_server", &[]);
    let port = server.port();

    let mut alice = Client::connect(port);
    assert_eq!(alice.line(), "Welcome! What is your nickname?");
    alice.send("alice\n");
    alice.line();

    let mut dave = Client::connect(port);
    assert_eq!(dave.line(), "Welcome! What is your nickname?");
    dave.send("dave\n");
    dave.line();
    assert_eq!(alice.line(), "* dave joined");
    // From here on dave reads nothing.

    let stop = Arc::new(AtomicBool::new(false));
    let mut writer = alice.stream.try_clone().unwrap();
    let stopped = Arc::clone(&stop);
    let talker = std::thread::spawn(move || {
        let line = format!("{}\n", "x".repeat(1000));
        let mut sent = 0usize;
        // Bounded so that a server that never drops dave fails instead of filling memory.
        while !stopped.load(Ordering::Relaxed) && sent < 256 * 1024 * 1024 {
            if writer.write_all(line.as_bytes()).is_err() {
                break;
            }
            sent += line.len();
        }
        sent
    });
    assert_eq!(alice.line(), "* dave was disconnected (too slow)");
    stop.store(true, Ordering::Relaxed);
    let sent = talker.join().unwrap();
    assert!(sent < 256 * 1024 * 1024, "dave was never disconnected");

    // Alice is still in the room and served.
    alice.send("/who\n");
    assert_eq!(alice.line(), "* here: alice");
    drop(dave);
}

#[test]
fn proxy_forwards_both_ways_with_backpressure() {
    // The target: a blocking echo server on a free port.
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let target_port = target.local_addr().unwrap().port();
    let echo = std::thread::spawn(move || {
        let (mut socket, _) = target.accept().unwrap();
        let mut reader = socket.try_clone().unwrap();
        std::io::copy(&mut reader, &mut socket).unwrap();
        socket.shutdown(Shutdown::Write).unwrap();
    });

    let target_address = format!("127.0.0.1:{target_port}");
    let mut proxy = Running::start("proxy", &[("TARGET", target_address.as_str())]);
    let port = proxy.port();

    const TOTAL: usize = 4 * 1024 * 1024;
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let data: Vec<u8> = (0..TOTAL).map(|i| (i % 253) as u8).collect();
        writer.write_all(&data).unwrap();
        writer.shutdown(Shutdown::Write).unwrap();
    });
    let mut echoed = Vec::new();
    (&stream).read_to_end(&mut echoed).unwrap();
    sender.join().unwrap();
    echo.join().unwrap();
    assert_eq!(echoed.len(), TOTAL);
    assert!(echoed
        .iter()
        .enumerate()
        .all(|(i, &b)| b == (i % 253) as u8));

    let closed = proxy.wait_for(|line| line.starts_with("connection closed:"));
    assert_eq!(
        closed,
        format!("connection closed: {TOTAL} bytes in, {TOTAL} bytes out")
    );
}

#[test]
fn proxy_reports_an_unreachable_target_and_drops_the_client() {
    // Bound but not listening, and held to the end of the test: the port refuses connects,
    // and no other test can take it meanwhile.
    let unused = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    unused.bind(&any.into()).unwrap();
    let dead_port = unused.local_addr().unwrap().as_socket().unwrap().port();
    let target_address = format!("127.0.0.1:{dead_port}");
    let mut proxy = Running::start("proxy", &[("TARGET", target_address.as_str())]);
    let port = proxy.port();

    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut rest = Vec::new();
    // Closed by the proxy: EOF or a reset, either way the read ends.
    let _ = client.read_to_end(&mut rest);
    assert!(rest.is_empty());
    let error = proxy.wait_for(|line| line.contains("upstream error"));
    assert!(
        error.ends_with(&format!("connect ECONNREFUSED 127.0.0.1:{dead_port}")),
        "{error}"
    );
}
