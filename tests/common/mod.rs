//! Helpers shared by the integration tests, in the spirit of Node's `test/common`.
//!
//! - [`bounded`] runs a test body on its own thread (so on its own, fresh loop) and fails the
//!   test if it has not finished within [`TEST_DEADLINE`]: a broken test fails, it never hangs.
//! - [`must_call!`] wraps a listener and checks it ran exactly `n` times, as `common.mustCall`;
//!   [`must_not_call!`] makes a listener that fails the test if it runs, as `common.mustNotCall`.
//! - [`Log`] is an ordered list of events, a `Copy` handle so closures capture it freely.
//! - [`run_and_check`] runs the loop, then checks that it is empty and that every `must_call!`
//!   was satisfied.
//!
//! Counters and logs are leaked `'static` cells: each is a few bytes per test, and being `Copy`
//! they can be captured by any number of `move` closures without a `clone()` before each.
#![allow(dead_code, unused_macros, unused_imports)]

pub mod certs;

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::sync::mpsc;
use std::time::Duration;

/// Whether `node` runs here, so a Node-comparing test runs live rather than against its
/// recorded transcript. `NODENET_NO_NODE` set makes it false, to try the fallback on a machine
/// that has node.
pub fn node_available() -> bool {
    if std::env::var_os("NODENET_NO_NODE").is_some() {
        return false;
    }
    std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// How long one test may take before it is declared hung. Tests take milliseconds; this is
/// generous for a loaded CI machine running debug builds in parallel.
pub const TEST_DEADLINE: Duration = Duration::from_secs(20);

/// A listener bound to port 0 on `host` and kept: the port is the test's for as long as it
/// holds the listener, which a bound-then-released "free port" is not (another test may take
/// it in between). Hand it to `server.listen_std(listener)`, or keep it while its port is
/// needed: nothing accepts on it, so connects to it wait in its backlog.
pub fn bound_listener(host: &str) -> std::net::TcpListener {
    std::net::TcpListener::bind((host, 0)).expect("bind port 0 on loopback")
}

/// A port on `host` that refuses connections for as long as this process runs: a socket bound
/// to it but not listening (Linux answers a connect to it with a reset, `ECONNREFUSED`), kept
/// open so no other test can take the port, as one could a bound-then-released "closed port".
pub fn refused_port(host: &str) -> u16 {
    let address = std::net::ToSocketAddrs::to_socket_addrs(&(host, 0))
        .ok()
        .and_then(|mut addresses| addresses.next())
        .expect("a loopback address");
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(address),
        socket2::Type::STREAM,
        None,
    )
    .expect("a socket");
    socket.bind(&address.into()).expect("bind port 0");
    let port = socket
        .local_addr()
        .ok()
        .and_then(|address| address.as_socket())
        .expect("its address")
        .port();
    // Held to the end of the process: the port stays ours, and refusing.
    std::mem::forget(socket);
    port
}

/// Loopback hosts every network test runs on.
pub const HOSTS: [&str; 2] = ["127.0.0.1", "::1"];

/// One `must_call!` site: where it is, how many calls it wants, how many it got.
struct Expectation {
    location: &'static str,
    expected: usize,
    calls: Cell<usize>,
}

thread_local! {
    static EXPECTATIONS: RefCell<Vec<&'static Expectation>> = const { RefCell::new(Vec::new()) };
}

/// A call counter registered for the end-of-test check; used by [`must_call!`].
#[derive(Clone, Copy)]
pub struct Calls(&'static Expectation);

impl Calls {
    pub fn new(expected: usize, location: &'static str) -> Calls {
        let expectation: &'static Expectation = Box::leak(Box::new(Expectation {
            location,
            expected,
            calls: Cell::new(0),
        }));
        EXPECTATIONS.with(|all| all.borrow_mut().push(expectation));
        Calls(expectation)
    }

    /// Counts a call; fails at once on a call beyond the expected number, so the failure
    /// points at the extra call rather than at the end of the test.
    pub fn hit(self) {
        let calls = self.0.calls.get() + 1;
        self.0.calls.set(calls);
        assert!(
            calls <= self.0.expected,
            "mustCall at {}: expected exactly {} call(s), got a call number {}",
            self.0.location,
            self.0.expected,
            calls
        );
    }

    pub fn count(self) -> usize {
        self.0.calls.get()
    }
}

/// Checks every `must_call!` made on this thread since the last check, and forgets them.
pub fn check_calls() {
    let all = EXPECTATIONS.with(|all| std::mem::take(&mut *all.borrow_mut()));
    let wrong: Vec<String> = all
        .iter()
        .filter(|e| e.calls.get() != e.expected)
        .map(|e| {
            format!(
                "mustCall at {}: expected exactly {} call(s), got {}",
                e.location,
                e.expected,
                e.calls.get()
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Node's `common.mustCall(fn, n)`: `must_call!(n, move |args| body)` is the closure, counting
/// its calls; the test fails unless it ran exactly `n` times by the end ([`check_calls`]).
/// `must_call!(move |args| body)` means exactly once.
macro_rules! must_call {
    // `||` is one token, so closures without arguments need arms of their own.
    (move || $body:expr) => {
        must_call!(1, move || $body)
    };
    (|| $body:expr) => {
        must_call!(1, move || $body)
    };
    (move |$($arg:tt $(: $ty:ty)?),*| $body:expr) => {
        must_call!(1, move |$($arg $(: $ty)?),*| $body)
    };
    (|$($arg:tt $(: $ty:ty)?),*| $body:expr) => {
        must_call!(1, move |$($arg $(: $ty)?),*| $body)
    };
    ($n:expr, move || $body:expr) => {{
        let calls = $crate::common::Calls::new($n, concat!(file!(), ":", line!()));
        move || {
            calls.hit();
            $body
        }
    }};
    ($n:expr, || $body:expr) => {
        must_call!($n, move || $body)
    };
    ($n:expr, move |$($arg:tt $(: $ty:ty)?),*| $body:expr) => {{
        let calls = $crate::common::Calls::new($n, concat!(file!(), ":", line!()));
        move |$($arg $(: $ty)?),*| {
            calls.hit();
            $body
        }
    }};
    ($n:expr, |$($arg:tt $(: $ty:ty)?),*| $body:expr) => {
        must_call!($n, move |$($arg $(: $ty)?),*| $body)
    };
}

/// Node's `common.mustNotCall()`: a listener (`must_not_call!(|_a, _b|)` with the arity the
/// event needs) that fails the test, saying where it was made, if it ever runs.
macro_rules! must_not_call {
    () => {
        move || panic!("mustNotCall at {}:{} was called", file!(), line!())
    };
    (||) => {
        must_not_call!()
    };
    (|$($arg:tt),*|) => {
        move |$($arg),*| panic!("mustNotCall at {}:{} was called", file!(), line!())
    };
}

#[allow(unused_imports)]
pub(crate) use {must_call, must_not_call};

/// An ordered log of events: `log.push("c:connect")` in listeners, `log.assert_eq(&[...])` at
/// the end. `Copy`, so every `move` closure can capture it.
#[derive(Clone, Copy)]
pub struct Log(&'static RefCell<Vec<String>>);

impl Default for Log {
    fn default() -> Self {
        Log::new()
    }
}

impl Log {
    pub fn new() -> Log {
        Log(Box::leak(Box::new(RefCell::new(Vec::new()))))
    }

    pub fn push(self, entry: impl Into<String>) {
        self.0.borrow_mut().push(entry.into());
    }

    pub fn entries(self) -> Vec<String> {
        self.0.borrow().clone()
    }

    pub fn len(self) -> usize {
        self.0.borrow().len()
    }

    pub fn is_empty(self) -> bool {
        self.0.borrow().is_empty()
    }

    /// The entries that start with `prefix` (`"c:"` for one side of a connection), in order.
    pub fn only(self, prefix: &str) -> Vec<String> {
        self.0
            .borrow()
            .iter()
            .filter(|entry| entry.starts_with(prefix))
            .cloned()
            .collect()
    }

    #[track_caller]
    pub fn assert_eq(self, expected: &[&str]) {
        let entries = self.entries();
        assert_eq!(entries, expected, "event log differs");
    }

    /// Checks the subsequence of entries starting with `prefix`.
    #[track_caller]
    pub fn assert_only(self, prefix: &str, expected: &[&str]) {
        assert_eq!(
            self.only(prefix),
            expected,
            "event log for {prefix:?} differs; whole log: {:#?}",
            self.entries()
        );
    }
}

impl Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.borrow().fmt(f)
    }
}

/// A `Copy` cell for a value that closures set and the test reads afterwards.
pub struct Slot<T: 'static>(&'static RefCell<Option<T>>);

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Slot<T> {}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot::new()
    }
}

impl<T> Slot<T> {
    pub fn new() -> Slot<T> {
        Slot(Box::leak(Box::new(RefCell::new(None))))
    }

    pub fn set(self, value: T) {
        *self.0.borrow_mut() = Some(value);
    }

    pub fn take(self) -> Option<T> {
        self.0.borrow_mut().take()
    }

    pub fn is_some(self) -> bool {
        self.0.borrow().is_some()
    }
}

impl<T: Clone> Slot<T> {
    #[track_caller]
    pub fn get(self) -> T {
        self.0.borrow().clone().expect("slot was never set")
    }
}

/// Runs the loop to the end, then checks that it holds nothing (every socket, server, timer,
/// immediate and tick is gone) and that every `must_call!` got its calls.
#[track_caller]
pub fn run_and_check() {
    if let Err(err) = nodenet::run() {
        panic!("nodenet::run() failed: {err:?}");
    }
    let stats = nodenet::loop_stats();
    assert!(
        stats.is_empty(),
        "the loop still holds something after run(): {stats:?}"
    );
    check_calls();
}

/// Runs `body` on a thread of its own (with a fresh loop) and waits at most
/// [`TEST_DEADLINE`]; a panic in the body fails the test with the body's message, and a body
/// that does not finish fails it as hung. `must_call!` counts left unchecked are checked at the
/// end.
pub fn bounded(body: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel::<()>();
    let name = std::thread::current().name().unwrap_or("test").to_string();
    let worker = std::thread::Builder::new()
        .name(name.clone())
        .spawn(move || {
            body();
            check_calls();
            let _ = done.send(());
        })
        .expect("spawn the test thread");
    match finished.recv_timeout(TEST_DEADLINE) {
        Ok(()) => {
            worker.join().expect("the test thread finished");
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: re-raise its panic here so the harness shows its message.
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            // The hung thread is left behind; the process exits when the harness is done.
            panic!("{name}: hung for more than {TEST_DEADLINE:?}");
        }
    }
}

/// `server.listen((0, host), ...)` then `on_port(port)` once listening: the common start of a
/// test with both ends in one loop.
pub fn listen_then(
    server: nodenet::net::Server,
    host: &'static str,
    on_port: impl FnOnce(u16) + 'static,
) {
    server
        .listen((0, host), move || {
            let port = server.address().expect("a listening server's address").port;
            on_port(port);
        })
        .expect("listen");
}

/// [`listen_then`] for a test with one client: `client(port)` connects it (and adds the test's
/// listeners); the server closes once that client has closed, which must happen exactly once.
pub fn listen_then_client(
    server: nodenet::net::Server,
    host: &'static str,
    client: impl FnOnce(u16) -> nodenet::net::Socket + 'static,
) {
    listen_then(server, host, move |port| {
        client(port).on(
            nodenet::prelude::Close,
            must_call!(move |_had_error| {
                server.close(());
            }),
        );
    });
}

/// Checks that the loop holds nothing (every socket, server, timer, immediate and tick is
/// gone): the end of a test that runs the loop itself and checks its results before this.
#[track_caller]
pub fn assert_loop_empty() {
    let stats = nodenet::loop_stats();
    assert!(stats.is_empty(), "{stats:?}");
}
