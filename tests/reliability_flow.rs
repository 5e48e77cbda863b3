//! Reliability of flow control and bad input (issue 6, scenarios 3, 4 and 13; see
//! `docs/reliability.md`): a writer that ignores backpressure meets `max_write_buffer`, a paused
//! reader under a 100 MiB flood keeps its memory and gets its bytes on `resume()` without a new
//! readiness edge, invalid UTF-8 under `set_encoding`, a peer that sends nothing and a peer
//! that never reads. The tests of this file run one at a time because they measure memory.

mod common;
mod reliability_support;

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use common::*;
use nodenet::net::ServerOptions;
use nodenet::prelude::*;
use nodenet::string_decoder::Encoding;
use reliability_support::*;

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;
/// What the flood's writer sends before the flood, to be delivered by `resume()` alone.
const FIRST_BYTES: u64 = 64 * KIB as u64;

fn each_host(test: fn(&'static str)) {
    let _one_at_a_time = exclusive();
    for host in HOSTS {
        bounded(move || test(host));
    }
}

/// Scenario 3: a writer that ignores `write() == false` to a peer that does not read. `write`
/// says stop at the 16 KiB high-water mark; with `set_max_write_buffer(1 MiB)` the write that
/// would queue more destroys the socket with `ERR_SOCKET_WRITE_BUFFER_FULL` instead of letting
/// the queue grow, and every write callback is accounted for.
#[test]
fn writer_ignoring_backpressure_hits_max_write_buffer() {
    each_host(|host| {
        const CAP: usize = MIB;
        let options = ServerOptions {
            pause_on_connect: true,
            ..ServerOptions::default()
        };
        let callbacks = Log::new();
        let writes = Slot::<usize>::new();
        let accepted = Slot::<Socket>::new();
        let server = net::create_server_with(
            options,
            must_call!(move |socket: Socket| {
                // Never reads: the kernel buffers fill, then the writer's queue.
                accepted.set(socket);
                socket.on(Close, must_call!(move |_had_error| {}));
            }),
        );
        listen_then(server, host, move |port| {
            let client = net::connect(
                port,
                host,
                must_call!(move |client: Socket| {
                    client.set_max_write_buffer(CAP);
                    let mut first_false = None;
                    let mut n = 0;
                    while !client.destroyed() {
                        let queued_before = client.writable_length();
                        let more =
                            client.write_with_callback(vec![1u8; 4 * KIB], move |err| {
                                callbacks.push(err.map_or("ok".into(), |e| {
                                    e.code().unwrap_or_default().to_string()
                                }));
                            });
                        n += 1;
                        if !more && first_false.is_none() && !client.destroyed() {
                            first_false = Some(client.writable_length());
                            // The mark is where `write` says stop.
                            assert!(client.writable_length() >= 16 * KIB);
                            assert!(queued_before < 16 * KIB);
                        }
                        assert!(client.writable_length() <= CAP);
                        assert!(n < 100_000, "the cap never took effect");
                    }
                    writes.set(n);
                    println!(
                        "{host}: write() false at {} B queued; destroyed at write {n} ({} KiB \
                         handed to the kernel, cap {} KiB)",
                        first_false.unwrap_or(0),
                        client.bytes_written() / 1024,
                        CAP / 1024
                    );
                    // Writes after that are refused.
                    assert!(!client.write("late"));
                }),
            );
            client.on(
                Error,
                must_call!(move |err| {
                    assert_eq!(err.code(), Some("ERR_SOCKET_WRITE_BUFFER_FULL"));
                    assert!(err.message().contains("max_write_buffer"), "{err}");
                }),
            );
            client.on(
                Close,
                must_call!(move |had_error| {
                    assert!(had_error);
                    // Paused, the server's end would never read the news.
                    accepted.get().destroy();
                    server.close(());
                }),
            );
        });
        run_and_check();
        let entries = callbacks.entries();
        assert_eq!(entries.len(), writes.get(), "every write callback, once");
        let ok = entries.iter().filter(|e| *e == "ok").count();
        assert!(ok > 0);
        assert!(entries[ok..]
            .iter()
            .all(|e| e == "ERR_SOCKET_WRITE_BUFFER_FULL" || e == "ERR_STREAM_DESTROYED"));
    });
}

/// Scenario 4: a paused reader under a 100 MiB flood from a blocking writer thread. While
/// paused it reads nothing and its memory stays flat (TCP holds the flood back in the kernel);
/// `resume()` delivers bytes that arrived while paused even though no new readiness edge
/// comes: the writer is blocked waiting for them.
#[test]
fn paused_reader_under_100_mib_flood() {
    each_host(|host| {
        const FIRST: usize = 64 * KIB;
        const FLOOD: u64 = 100 * MIB as u64;
        const PAUSE_EVERY: u64 = 25 * MIB as u64;
        let _ = nodenet::loop_stats();
        let rss_before = rss_bytes();
        let options = ServerOptions {
            pause_on_connect: true,
            ..ServerOptions::default()
        };
        let sent = Arc::new(AtomicU64::new(0));
        let (go, go_flood) = mpsc::channel::<()>();
        let go = Slot::<mpsc::Sender<()>>::new().with(go);
        let received = Slot::<u64>::new().with(0);
        let peak_growth = Slot::<usize>::new().with(0);
        let pauses = Log::new();
        let remote = nodenet::remote();
        let sent_in_loop = Arc::clone(&sent);
        let server = net::create_server_with(
            options,
            must_call!(move |socket: Socket| {
                assert!(socket.is_paused());
                SERVER_SOCKET.with(|slot| slot.set(Some(socket)));
                phase_one_step();
                let sent = Arc::clone(&sent_in_loop);
                socket.on(Data, move |data| {
                    let before = received.get();
                    let total = before + data.len() as u64;
                    received.set(total);
                    if total == FIRST as u64 {
                        // Phase 1 done: let the flood begin.
                        go.get().send(()).expect("the writer waits");
                    } else if total > FIRST as u64
                        && (before - FIRST as u64) / PAUSE_EVERY
                            != (total - FIRST as u64) / PAUSE_EVERY
                    {
                        socket.pause();
                        watch_paused(socket, &sent, received, rss_before, peak_growth, pauses);
                    }
                });
                socket.on(
                    End,
                    must_call!(move || {
                        assert_eq!(received.get(), FIRST as u64 + FLOOD);
                        socket.end();
                    }),
                );
                socket.on(Close, must_call!(move |_had_error| server_close()));
            }),
        );
        SERVER.with(|slot| slot.set(Some(server)));
        listen_then(server, host, move |port| {
            let sent = Arc::clone(&sent);
            std::thread::spawn(move || {
                let mut stream = std::net::TcpStream::connect((host, port)).expect("connect");
                stream.write_all(&[5u8; FIRST]).expect("first write");
                // The server's socket is paused, so these bytes are waiting there unread.
                // Resume it from the loop; the writer then sends nothing until they arrive.
                remote.post(phase_one_step);
                drop(remote);
                go_flood.recv().expect("phase 1 delivered");
                let chunk = vec![6u8; 64 * KIB];
                while sent.load(Ordering::Relaxed) < FLOOD {
                    stream.write_all(&chunk).expect("flood");
                    sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
            });
        });
        run_and_check();
        SERVER_SOCKET.with(|slot| slot.set(None));
        PHASE_ONE.with(|steps| steps.set(0));
        println!(
            "{host}: 100 MiB flood; paused {} times; peak memory growth {} KiB while paused",
            pauses.len(),
            peak_growth.get() / 1024
        );
        assert_eq!(pauses.len(), 4);
        assert!(peak_growth.get() < 16 * MIB, "memory grew while paused");
    });
}

thread_local! {
    static SERVER: std::cell::Cell<Option<Server>> = const { std::cell::Cell::new(None) };
    static SERVER_SOCKET: std::cell::Cell<Option<Socket>> = const { std::cell::Cell::new(None) };
    static PHASE_ONE: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// Called once the paused socket is accepted and once the writer has written its first 64 KiB
/// (posted from its thread): after both, resumes the socket. The writer then waits for those
/// bytes, so only `resume()` can deliver them.
fn phase_one_step() {
    let steps = PHASE_ONE.with(|steps| {
        steps.set(steps.get() + 1);
        steps.get()
    });
    if steps == 2 {
        let socket = SERVER_SOCKET.with(|slot| slot.get()).expect("accepted");
        assert_eq!(socket.bytes_read(), 0, "a paused socket read nothing");
        socket.resume();
    }
}

fn server_close() {
    if let Some(server) = SERVER.with(|slot| slot.take()) {
        server.close(());
    }
}

/// While `socket` is paused, samples the writer's progress every 5 ms; once the writer has
/// stalled (TCP pushed back), checks that nothing was read and memory stayed flat, then resumes.
fn watch_paused(
    socket: Socket,
    sent: &Arc<AtomicU64>,
    received: Slot<u64>,
    rss_before: usize,
    peak_growth: Slot<usize>,
    pauses: Log,
) {
    let sent = Arc::clone(sent);
    let at_pause = received.get();
    let last = Slot::<(u64, u32)>::new().with((sent.load(Ordering::Relaxed), 0));
    let timer = Slot::<nodenet::Timer>::new();
    timer.set(nodenet::set_interval(5, move || {
        let now = sent.load(Ordering::Relaxed);
        let (before, still) = last.get();
        let still = if now == before { still + 1 } else { 0 };
        last.set((now, still));
        if still < 4 {
            return;
        }
        assert_eq!(received.get(), at_pause, "'data' while paused");
        let growth = rss_bytes().saturating_sub(rss_before);
        peak_growth.set(peak_growth.get().max(growth));
        pauses.push(format!(
            "stalled {} KiB ahead",
            (now + FIRST_BYTES).saturating_sub(at_pause) / 1024
        ));
        nodenet::clear_interval(timer.get());
        socket.resume();
    }));
}

trait With<T> {
    fn with(self, value: T) -> Self;
}

impl<T> With<T> for Slot<T> {
    fn with(self, value: T) -> Self {
        self.set(value);
        self
    }
}

/// Scenario 13: invalid UTF-8 under `set_encoding(Utf8)` becomes U+FFFD, as Node's
/// `string_decoder` does (checked against Node v20: `'\ufffda€\ufffd'`), split anywhere, with
/// no panic; and 1 MiB of arbitrary bytes always decodes to valid text.
#[test]
fn invalid_utf8_under_set_encoding() {
    each_host(|host| {
        let text = Slot::<String>::new().with(String::new());
        let server = net::create_server(must_call!(move |socket: Socket| {
            socket.set_encoding(Encoding::Utf8);
            socket.on(Data, move |chunk| {
                let decoded = chunk.as_str().expect("decoded text is valid UTF-8");
                let mut all = text.take().unwrap_or_default();
                all.push_str(decoded);
                text.set(all);
            });
            socket.on(End, must_call!(move || {}));
            socket.on(Close, must_call!(move |_e| server_close()));
        }));
        SERVER.with(|slot| slot.set(Some(server)));
        listen_then(server, host, move |port| {
            net::connect(
                port,
                host,
                must_call!(move |client: Socket| {
                    client.write([0xff, b'a', 0xe2, 0x82]);
                    client.write([0xac, 0xc3]);
                    client.end();
                }),
            );
        });
        run_and_check();
        assert_eq!(text.get(), "\u{fffd}a€\u{fffd}");
    });
    // Arbitrary bytes (the reliability pattern), in one go.
    bounded(|| {
        let chars = Slot::<usize>::new().with(0);
        let server = net::create_server(must_call!(move |socket: Socket| {
            socket.set_encoding(Encoding::Utf8);
            socket.on(Data, move |chunk| {
                let decoded = chunk.as_str().expect("valid UTF-8");
                chars.set(chars.get() + decoded.chars().count());
            });
            socket.on(Close, must_call!(move |_e| server_close()));
        }));
        SERVER.with(|slot| slot.set(Some(server)));
        listen_then(server, "127.0.0.1", move |port| {
            net::connect(port, "127.0.0.1", move |client: Socket| {
                let pattern = pattern();
                for _ in 0..16 {
                    client.write(&pattern[..64 * KIB]);
                }
                client.end();
            });
        });
        run_and_check();
        assert!(chars.get() > 0);
    });
}

/// Scenario 13: a peer that connects and sends nothing is dropped by the idle timeout
/// (`set_timeout`), and so is a peer that never reads from a writer that respects backpressure
/// (no write, no read, so the timeout fires); a writer that ignores backpressure is stopped by
/// `max_write_buffer` (`writer_ignoring_backpressure_hits_max_write_buffer`).
#[test]
fn silent_and_non_reading_peers_time_out() {
    each_host(|host| {
        const IDLE_MS: u64 = 100;
        let started = Slot::<Instant>::new();
        let timed_out = Log::new();
        let sink_slot = Slot::<Socket>::new();
        let server = net::create_server(must_call!(2, move |socket: Socket| {
            started.set(Instant::now());
            socket.set_timeout(
                IDLE_MS,
                must_call!(move || {
                    timed_out.push(format!(
                        "{} ms, {} B queued",
                        started.get().elapsed().as_millis(),
                        socket.writable_length()
                    ));
                    socket.destroy();
                }),
            );
            socket.on(Data, move |data| {
                if data.as_ref() == b"flood me" {
                    // Respect backpressure: write until told to stop, then wait for 'drain',
                    // which a peer that never reads never sends.
                    while socket.write(vec![0u8; 64 * KIB]) {}
                    socket.once(Drain, must_not_call!());
                }
            });
            socket.on(Close, move |_e| {
                if timed_out.len() == 2 {
                    server_close();
                    // Paused, the sink would never read the news.
                    sink_slot.get().destroy();
                }
            });
        }));
        SERVER.with(|slot| slot.set(Some(server)));
        listen_then(server, host, move |port| {
            // Sends nothing.
            let silent = net::connect(port, host, |_s| {});
            silent.on(Close, must_call!(move |_e| {}));
            // Asks for data, then never reads.
            let sink = net::connect(port, host, |s| {
                s.write("flood me");
            });
            sink.pause();
            sink_slot.set(sink);
            sink.on(Error, move |_e| {});
            sink.on(Close, must_call!(move |_e| {}));
        });
        run_and_check();
        let entries = timed_out.entries();
        println!("{host}: idle timeouts: {entries:?}");
        assert_eq!(entries.len(), 2);
    });
}
