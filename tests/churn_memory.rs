//! Churn does not grow memory: 100k `net::connect` cycles and 20k `Socket::new`-plus-reconnect
//! cycles. Its own test binary, so the process's memory is this test's alone.

use std::cell::Cell;
use std::rc::Rc;

use nodenet::prelude::*;

const HOST: &str = "127.0.0.1";

/// Memory may grow this much over a churn run after a warm-up (allocator noise); a leak of
/// even 20 bytes per cycle would be twice this over 100k cycles.
const MEMORY_BOUND: usize = 1024 * 1024;

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Runs `cycles` connections that each get "bye" and close, `parallel` at a time: one-shot
/// `net::connect` clients, or with `reconnect` one `Socket::new` per lane that connects again
/// after each close and is released at the end.
fn churn(cycles: usize, parallel: usize, reconnect: bool) {
    let done = Rc::new(Cell::new(0usize));
    let started = Rc::new(Cell::new(0usize));
    let server = net::create_server(|client| {
        client.end_with("bye");
    });
    let (d, s) = (done.clone(), started.clone());
    server
        .listen((0, HOST), move || {
            let port = server.address().unwrap().port;
            for _ in 0..parallel {
                let lane = Lane {
                    port,
                    done: d.clone(),
                    started: s.clone(),
                    cycles,
                    server,
                };
                if !lane.claim() {
                    break;
                }
                if reconnect {
                    lane.reconnecting();
                } else {
                    lane.one_shot();
                }
            }
        })
        .unwrap();
    nodenet::run().unwrap();
    assert_eq!(done.get(), cycles);
    assert!(
        nodenet::loop_stats().is_empty(),
        "{:?}",
        nodenet::loop_stats()
    );
}

#[derive(Clone)]
struct Lane {
    port: u16,
    done: Rc<Cell<usize>>,
    started: Rc<Cell<usize>>,
    cycles: usize,
    server: Server,
}

impl Lane {
    /// Counts a closed connection; claims the start of another while any are left.
    fn closed_then_claim_next(&self) -> bool {
        self.done.set(self.done.get() + 1);
        if self.done.get() == self.cycles {
            self.server.close(());
        }
        self.claim()
    }

    /// Claims one of the cycles still to start.
    fn claim(&self) -> bool {
        let claimed = self.started.get() < self.cycles;
        if claimed {
            self.started.set(self.started.get() + 1);
        }
        claimed
    }

    fn one_shot(self) {
        let socket = net::connect(self.port, HOST, |_| {});
        socket.resume();
        socket.on(Close, move |_| {
            if self.closed_then_claim_next() {
                self.clone().one_shot();
            }
        });
    }

    fn reconnecting(self) {
        let socket = Socket::new(SocketOptions::default());
        socket.resume();
        let port = self.port;
        socket.on(Close, move |_| {
            if self.closed_then_claim_next() {
                socket.connect(port, HOST, ());
            } else {
                socket.release();
            }
        });
        socket.connect(port, HOST, ());
    }
}

#[test]
fn churn_stays_within_a_fixed_memory_bound() {
    churn(2_000, 16, false);
    churn(2_000, 16, true);
    let baseline = rss_bytes();
    churn(100_000, 16, false);
    let after_connects = rss_bytes();
    churn(20_000, 16, true);
    let after_reconnects = rss_bytes();
    eprintln!(
        "churn: RSS {baseline} B at the start; {:+} B after 100k net::connect cycles, {:+} B \
         after 20k Socket::new reconnect cycles (bound {MEMORY_BOUND} B)",
        after_connects as i64 - baseline as i64,
        after_reconnects as i64 - baseline as i64
    );
    assert!(after_connects <= baseline + MEMORY_BOUND);
    assert!(after_reconnects <= baseline + MEMORY_BOUND);
}
