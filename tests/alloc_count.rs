//! Zero allocation where it matters: in steady state, a `'data'` event and a `write` that the
//! kernel takes at once cost no heap allocation.
//!
//! A counting global allocator (below) counts the allocations made on the test's own thread
//! while counting is switched on. A client and an echo server in one loop play ping-pong; after
//! a warm-up (the loop's queues and buffers reach their working size), counting is switched on
//! for `ROUND_TRIPS` round trips, each of which is two `'data'` events and two immediate writes
//! (the server's echo and the client's next message), and switched off before `end()`.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use nodenet::prelude::*;

// The crate forbids unsafe code; a test crate may use it for the one thing that needs it: a
// global allocator is an `unsafe impl`. It only forwards to the system allocator and counts.
struct Counting;

thread_local! {
    // Const-initialised `Cell`s of plain integers: reading them never allocates, so the
    // allocator can consult them without recursing into itself.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with`: during thread teardown the locals may be gone; such allocations are not ours.
    let _ = COUNTING.try_with(|counting| {
        if counting.get() {
            let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        }
    });
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counting touches only thread-local `Cell`s and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: same layout as our caller gave us.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: same layout as our caller gave us.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn set_counting(on: bool) {
    COUNTING.with(|counting| counting.set(on));
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

const WARM_UP: usize = 200;
const ROUND_TRIPS: usize = 2000;

fn ping_pong_allocations(host: &'static str, message: &'static [u8]) -> usize {
    let counted = Slot::<usize>::new();
    let server = net::create_server(must_call!(move |client: Socket| {
        client.on(Data, move |data| {
            assert!(
                client.write(data),
                "an echo of a small message is taken at once"
            );
        });
    }));
    listen_then(server, host, move |port| {
        let round_trips: &'static Cell<usize> = Box::leak(Box::new(Cell::new(0)));
        let received: &'static Cell<usize> = Box::leak(Box::new(Cell::new(0)));
        let client = net::connect(
            port,
            host,
            must_call!(move |client: Socket| {
                assert!(client.write(message));
            }),
        );
        client.on(Data, move |data| {
            assert_eq!(
                &data[..],
                &message[received.get()..received.get() + data.len()]
            );
            received.set(received.get() + data.len());
            if received.get() < message.len() {
                return;
            }
            received.set(0);
            round_trips.set(round_trips.get() + 1);
            match round_trips.get() {
                n if n == WARM_UP => {
                    ALLOCATIONS.with(|count| count.set(0));
                    set_counting(true);
                }
                n if n == WARM_UP + ROUND_TRIPS => {
                    set_counting(false);
                    counted.set(allocations());
                    client.end();
                    server.close(());
                    return;
                }
                _ => {}
            }
            assert!(client.write(message), "a small write is taken at once");
        });
        client.on(
            Close,
            must_call!(move |had_error: bool| assert!(!had_error)),
        );
    });
    run_and_check();
    counted.get()
}

#[test]
fn no_allocation_per_data_event_or_immediate_write() {
    for host in HOSTS {
        bounded(move || {
            let total = ping_pong_allocations(host, &[b'x'; 64]);
            assert_eq!(
                total,
                0,
                "{host}: {total} heap allocations in {ROUND_TRIPS} round trips \
                 ({} 'data' events and as many immediate writes)",
                2 * ROUND_TRIPS
            );
        });
    }
}

#[test]
fn no_allocation_for_larger_messages() {
    static MESSAGE: [u8; 4096] = [b'y'; 4096];
    bounded(|| {
        let total = ping_pong_allocations("127.0.0.1", &MESSAGE);
        assert_eq!(
            total, 0,
            "{total} heap allocations in {ROUND_TRIPS} round trips"
        );
    });
}

/// The same for UDP (`dgram`): an echo with `send(msg, rinfo)` inside `'message'`, and a client
/// that answers each echo the same way, cost no allocation per datagram, received or sent.
fn dgram_ping_pong_allocations(host: &'static str, message: &'static [u8]) -> usize {
    let counted = Slot::<usize>::new();
    let socket_type = if host.contains(':') { "udp6" } else { "udp4" };
    let server = nodenet::dgram::create_socket(socket_type).unwrap();
    server.on(Message, move |msg, rinfo| {
        server.send(msg, rinfo).unwrap();
    });
    server.bind((0, host), ()).unwrap();
    let port = server.address().unwrap().port;
    let client = nodenet::dgram::create_socket(socket_type).unwrap();
    let round_trips: &'static Cell<usize> = Box::leak(Box::new(Cell::new(0)));
    client.on(Message, move |msg, rinfo| {
        assert_eq!(msg.as_bytes(), message);
        round_trips.set(round_trips.get() + 1);
        match round_trips.get() {
            n if n == WARM_UP => {
                ALLOCATIONS.with(|count| count.set(0));
                set_counting(true);
            }
            n if n == WARM_UP + ROUND_TRIPS => {
                set_counting(false);
                counted.set(allocations());
                client.close(()).unwrap();
                server.close(()).unwrap();
                return;
            }
            _ => {}
        }
        client.send(message, rinfo).unwrap();
    });
    client.send(message, (port, host)).unwrap();
    run_and_check();
    counted.get()
}

#[test]
fn no_allocation_per_datagram_received_or_sent() {
    for host in HOSTS {
        bounded(move || {
            let total = dgram_ping_pong_allocations(host, &[b'u'; 64]);
            assert_eq!(
                total,
                0,
                "{host}: {total} heap allocations in {ROUND_TRIPS} UDP round trips \
                 ({} 'message' events and as many sends)",
                2 * ROUND_TRIPS
            );
        });
    }
}

#[test]
fn the_counter_sees_allocations() {
    // Without this, a broken counter would make the tests above pass vacuously.
    bounded(|| {
        ALLOCATIONS.with(|count| count.set(0));
        set_counting(true);
        let bytes = std::hint::black_box(vec![1u8; 100]);
        set_counting(false);
        drop(bytes);
        assert_eq!(allocations(), 1);
        nodenet::run().unwrap();
        assert!(nodenet::loop_stats().is_empty());
    });
}
