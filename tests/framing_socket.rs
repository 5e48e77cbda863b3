//! `Framed` on real sockets: messages out of however TCP cuts the bytes, zero-copy delivery of
//! whole frames, `ERR_FRAME_TOO_LARGE` from a hostile peer, pause/resume, and `send`'s
//! backpressure, with both ends in one loop on loopback.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use nodenet::framing::{FixedCodec, Framed, LengthPrefixedCodec, LineCodec, Message};
use nodenet::prelude::*;

const HOST: &str = "127.0.0.1";

/// Lines written in pieces that cut through words and through a CRLF arrive whole.
#[test]
fn lines_arrive_whole_however_written() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(must_call!(move |client: Socket| {
            let framed = Framed::new(client, LineCodec::crlf());
            framed.on(Message, move |line| log.push(format!("msg {line}")));
            client.on(End, must_call!(move || log.push("end")));
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |socket| {
                for piece in ["he", "llo\r", "\nwor", "ld\r\n\r\nlast\n", "no newline"] {
                    socket.write(piece);
                }
                socket.end();
            });
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
        log.assert_eq(&["msg hello", "msg world", "msg ", "msg last", "end"]);
    });
}

/// Length-prefixed binary frames, sent with `send` both ways: every frame comes back equal.
#[test]
fn length_prefixed_echo_round_trip() {
    bounded(|| {
        const FRAMES: usize = 200;
        let frame = |n: usize| -> Vec<u8> { (0..n * 37 % 5000).map(|i| (i * n) as u8).collect() };
        let server = net::create_server(must_call!(move |client: Socket| {
            let framed = Framed::new(client, LengthPrefixedCodec::new());
            let echo = framed.clone();
            framed.on(
                Message,
                must_call!(FRAMES, move |frame: Chunk<'_>| {
                    assert_eq!(echo.send(frame), Ok(true));
                }),
            );
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |_| {});
            let framed = Framed::new(socket, LengthPrefixedCodec::new());
            for n in 0..FRAMES {
                assert!(framed.send(frame(n)).is_ok());
            }
            let received = Rc::new(Cell::new(0));
            framed.on(
                Message,
                must_call!(FRAMES, move |echoed: Chunk<'_>| {
                    let n = received.get();
                    assert_eq!(echoed.as_bytes(), frame(n), "frame {n}");
                    received.set(n + 1);
                    if n + 1 == FRAMES {
                        socket.end();
                    }
                }),
            );
            socket.on(
                Close,
                must_call!(move |had_error| {
                    assert!(!had_error);
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// A frame that arrived whole in one read is a slice of that read's chunk; one cut across two
/// reads is not (it was buffered).
#[test]
fn whole_frames_are_lent_from_the_read_buffer() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(must_call!(move |client: Socket| {
            // Registered before the framing, so it sees each chunk first.
            let chunk = Rc::new(Cell::new(0..0));
            let seen = Rc::clone(&chunk);
            client.on(Data, move |data| {
                seen.set(data.as_ptr_range().start as usize..data.as_ptr_range().end as usize);
                if data.as_bytes() == b"a\nb\nc\npar" {
                    client.write("more"); // now the client sends the rest of "partial"
                }
            });
            let framed = Framed::new(client, LineCodec::new());
            framed.on(Message, move |frame| {
                let range = chunk.take();
                let start = frame.as_ptr() as usize;
                let inside = range.contains(&start) && start + frame.len() <= range.end;
                log.push(format!(
                    "{frame} {}",
                    if inside { "lent" } else { "copied" }
                ));
                chunk.set(range);
            });
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |socket| {
                socket.write("a\nb\nc\npar");
            });
            socket.on(Data, must_call!(move |_more| socket.end_with("tial\n")));
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
        log.assert_eq(&["a lent", "b lent", "c lent", "partial copied"]);
    });
}

/// A peer that sends a line longer than the maximum has its socket destroyed with
/// `ERR_FRAME_TOO_LARGE` ('error', then 'close' with had_error), without the decoder ever
/// holding more than one maximal frame.
#[test]
fn oversize_frame_destroys_the_socket_with_err_frame_too_large() {
    bounded(|| {
        const MAX: usize = 16;
        let log = Log::new();
        let server = net::create_server(must_call!(move |client: Socket| {
            let framed = Framed::new(client, LineCodec::new().with_max_frame_len(MAX));
            framed.on(
                Message,
                must_call!(move |line: Chunk<'_>| log.push(format!("msg {line}"))),
            );
            let watched = framed.clone();
            // Runs after each read is framed.
            client.on(Data, move |_| assert!(watched.buffered() <= MAX + 1));
            client.on(
                Error,
                must_call!(move |err: &nodenet::Error| {
                    assert_eq!(err.code(), Some("ERR_FRAME_TOO_LARGE"));
                    log.push(format!("error {}", err.message()));
                }),
            );
            client.on(
                Close,
                must_call!(move |had_error| log.push(format!("close {had_error}"))),
            );
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |socket| {
                socket.write("ok\n");
                socket.write(vec![b'x'; 1024 * 1024]);
            });
            // The server hangs up on us mid-write: a reset, a broken pipe, or just the end.
            socket.on(Error, move |_err| {});
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
        let entries = log.entries();
        assert_eq!(entries[0], "msg ok");
        assert!(entries[1].starts_with("error Frame of "), "{entries:?}");
        assert!(
            entries[1].ends_with("exceeds the maximum of 16"),
            "{entries:?}"
        );
        assert_eq!(entries[2], "close true");
        assert_eq!(entries.len(), 3);
    });
}

/// A length header declaring too much is refused as soon as the header is read.
#[test]
fn oversize_length_header_is_refused_before_the_body() {
    bounded(|| {
        let server = net::create_server(must_call!(move |client: Socket| {
            let framed = Framed::new(client, LengthPrefixedCodec::new().with_max_frame_len(100));
            framed.on(Message, must_not_call!(|_frame|));
            client.on(
                Error,
                must_call!(move |err: &nodenet::Error| {
                    assert_eq!(err.code(), Some("ERR_FRAME_TOO_LARGE"));
                    assert_eq!(
                        err.message(),
                        "Frame of 101 bytes exceeds the maximum of 100"
                    );
                }),
            );
            client.on(Close, must_call!(move |had_error| assert!(had_error)));
        }));
        listen_then(server, HOST, move |port| {
            // Only the header: the server must not wait for 101 bytes that never come.
            let socket = net::connect(port, HOST, |socket| {
                socket.write([0, 0, 0, 101]);
            });
            socket.on(Error, move |_err| {});
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
    });
}

/// `pause()` in a message listener holds the chunk's other messages until the socket resumes;
/// 'end' waits for them too.
#[test]
fn pause_inside_a_message_listener_holds_the_rest() {
    bounded(|| {
        let log = Log::new();
        let server = net::create_server(must_call!(move |client: Socket| {
            let framed = Framed::new(client, FixedCodec::new(1).unwrap());
            framed.on(Message, move |frame| {
                log.push(format!("msg {frame}"));
                if frame.as_bytes() != b"c" {
                    client.pause();
                    nodenet::set_immediate(move || {
                        log.push("resume()");
                        client.resume();
                    });
                }
            });
            // Added after the framing's own 'resume' listener, so it runs after the messages.
            client.on(Resume, move || log.push("'resume'"));
            client.on(End, must_call!(move || log.push("end")));
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |socket| {
                socket.end_with("abc");
            });
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
        // Node's order: the first 'data' listener resumes the socket ('resume' on the next
        // tick), and each resume() emits 'resume' before the held bytes flow again.
        log.assert_eq(&[
            "'resume'", "msg a", "resume()", "'resume'", "msg b", "resume()", "'resume'", "msg c",
            "end",
        ]);
    });
}

/// `send` returns what `write` would: `Ok(false)` exactly when the queue reaches the
/// high-water mark; then 'drain' comes once the peer reads.
#[test]
fn send_reports_backpressure_like_write() {
    bounded(|| {
        const FRAME: usize = 60 * 1024;
        let peer = Slot::<Socket>::new();
        let server = net::create_server(must_call!(move |client: Socket| {
            client.pause();
            peer.set(client);
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(
                port,
                HOST,
                must_call!(move |socket: Socket| {
                    let framed = Framed::new(socket, LengthPrefixedCodec::new());
                    let mut sends = 0;
                    loop {
                        let before = socket.writable_length();
                        let more = framed.send(vec![7; FRAME]).unwrap();
                        sends += 1;
                        assert_eq!(more, socket.writable_length() < 16 * 1024, "send {sends}");
                        if !more {
                            assert!(before < 16 * 1024);
                            break;
                        }
                        assert!(sends < 4096, "send never returned false");
                    }
                    peer.get().resume();
                }),
            );
            socket.on(
                Drain,
                must_call!(move || {
                    assert_eq!(socket.writable_length(), 0);
                    socket.end();
                }),
            );
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
    });
}

/// A frame the codec refuses is an `Err` from `send`, with nothing written.
#[test]
fn send_refuses_unencodable_frames_without_writing() {
    bounded(|| {
        let server = net::create_server(must_call!(move |client: Socket| {
            let framed = Framed::new(client, LineCodec::new().with_max_frame_len(4));
            let err = framed.send("12345").unwrap_err();
            assert_eq!(err.code(), "ERR_FRAME_TOO_LARGE");
            let err = framed.send("a\nb").unwrap_err();
            assert_eq!(err.code(), "ERR_FRAME_CONTAINS_DELIMITER");
            assert_eq!(client.bytes_written(), 0);
            assert!(!client.destroyed());
            assert_eq!(framed.send("1234"), Ok(true));
            client.end();
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |_| {});
            socket.on(
                Data,
                must_call!(move |data: Chunk<'_>| assert_eq!(data.as_bytes(), b"1234\n")),
            );
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
    });
}

/// A partial frame left when the peer ends is not delivered, and `buffered()` shows it.
#[test]
fn partial_frame_at_end_is_dropped_and_counted() {
    bounded(|| {
        let server = net::create_server(must_call!(move |client: Socket| {
            let framed = Framed::new(client, LineCodec::new());
            framed.on(
                Message,
                must_call!(move |line: Chunk<'_>| assert_eq!(line.as_bytes(), b"done")),
            );
            client.on(End, must_call!(move || assert_eq!(framed.buffered(), 4)));
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |socket| {
                socket.end_with("done\npart");
            });
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
    });
}

/// Message listeners usually capture their `Framed`; closing the socket must drop them, or the
/// framing and everything they capture would leak (a reference cycle).
#[test]
fn closing_the_socket_drops_message_listeners() {
    bounded(|| {
        let token = Rc::new(());
        let captured = Rc::clone(&token);
        let server = net::create_server(must_call!(move |client: Socket| {
            let framed = Framed::new(client, LineCodec::new());
            let this = framed.clone();
            let token = Rc::clone(&captured);
            framed.on(Message, move |line| {
                let _keep = (&this, &token);
                this.send(line).unwrap();
            });
        }));
        listen_then(server, HOST, move |port| {
            let socket = net::connect(port, HOST, |socket| {
                socket.end_with("bye\n");
            });
            socket.on(Data, |_echo| {}); // unread bytes would hold back its end, as in Node
            socket.on(Close, must_call!(move |_had_error| server.close(())));
        });
        run_and_check();
        assert_eq!(
            Rc::strong_count(&token),
            1,
            "a message listener outlived its socket"
        );
    });
}

/// Frames completed on a stale socket never arrive and `send` writes nothing.
#[test]
fn framing_a_closed_socket_is_inert() {
    bounded(|| {
        let socket = net::connect(1, HOST, |_| {});
        socket.on(Error, move |_err| {});
        socket.destroy();
        run_and_check();
        let framed = Framed::new(socket, LineCodec::new());
        framed.on(Message, must_not_call!(|_frame|));
        assert_eq!(framed.listener_count(Message), 0);
        assert_eq!(framed.send("x"), Ok(false));
        run_and_check();
    });
}
