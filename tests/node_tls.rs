//! Node's own `test/parallel/test-tls-*.js` tests, ported one `#[test]` per Node file and named
//! after it. Each asserts what the Node test asserts, with certificates made by rcgen in place
//! of Node's fixtures; see `docs/conformance.md` for the table of ported, partial and skipped
//! tests.

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::certs::{self_signed, Ca, Pem};
use common::*;
use nodenet::prelude::*;
use nodenet::string_decoder::Encoding;
use nodenet::tls::{self, PeerCertificate};

/// Node's `agent1`-style fixture: a self-signed certificate for localhost and 127.0.0.1.
fn keys() -> Pem {
    self_signed(&["localhost", "127.0.0.1"])
}

fn server_options(pem: &Pem) -> tls::ServerOptions {
    tls::ServerOptions::new(pem.key(), pem.cert())
}

/// Node's tests' usual client: `{ port, rejectUnauthorized: false }` on 127.0.0.1.
fn insecure(port: u16) -> tls::ConnectOptions {
    let mut options = tls::ConnectOptions::new(port, "127.0.0.1");
    options.reject_unauthorized = false;
    options
}

/// test-tls-connect-simple.js: two clients connect; the server sees two
/// `'secureConnection'`s and closes after the second; each client ends on `'secureConnect'`.
#[test]
fn test_tls_connect_simple() {
    bounded(|| {
        let count = Rc::new(Cell::new(0));
        let server = tls::create_server(
            server_options(&keys()),
            must_call!(2, move |_socket| {
                count.set(count.get() + 1);
            }),
        )
        .unwrap();
        let seen = Rc::new(Cell::new(0));
        listen_then(server, "127.0.0.1", move |port| {
            for _ in 0..2 {
                let seen = seen.clone();
                tls::connect(
                    insecure(port),
                    must_call!(move |client: Socket| {
                        client.end();
                        seen.set(seen.get() + 1);
                        if seen.get() == 2 {
                            server.close(());
                        }
                    }),
                )
                .unwrap();
            }
        });
        run_and_check();
    });
}

/// test-tls-close-notify.js: the server ends its side; the client gets `'end'`.
#[test]
fn test_tls_close_notify() {
    bounded(|| {
        let server = tls::create_server(server_options(&keys()), |socket| {
            socket.end();
        })
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(insecure(port), |_| {}).unwrap();
            client.on(
                End,
                must_call!(move || {
                    client.destroy();
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-set-encoding.js: a client with `setEncoding('ascii')` gets strings, decoded as
/// ASCII (the high bit dropped), and the socket reads `closed` at `'close'`.
#[test]
fn test_tls_set_encoding() {
    bounded(|| {
        let message = "hello world\u{00e9}\n";
        let server = tls::create_server(
            server_options(&keys()),
            must_call!(move |socket: Socket| {
                socket.end_with(message);
            }),
        )
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(insecure(port), |_| {}).unwrap();
            let buffer = Rc::new(RefCell::new(String::new()));
            client.set_encoding(Encoding::Ascii);
            let b = buffer.clone();
            client.on(Data, move |data| {
                b.borrow_mut().push_str(data.as_str().expect("a string"))
            });
            client.on(
                Close,
                must_call!(move |_| {
                    assert_eq!(client.ready_state(), ReadyState::Closed);
                    let ascii: String = message
                        .bytes()
                        .map(|byte| char::from(byte & 0x7f))
                        .collect();
                    assert_ne!(*buffer.borrow(), message);
                    assert_eq!(*buffer.borrow(), ascii);
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-interleave.js: three server writes and a client write cross; the client reads
/// with `'readable'` and `read()`, and each write arrives whole and in order.
#[test]
fn test_tls_interleave() {
    bounded(|| {
        const WRITES: [&str; 3] = ["some server data", "and a separate packet", "and one more"];
        let received = Rc::new(Cell::new(0));
        let server = tls::create_server(server_options(&keys()), |socket| {
            for write in WRITES {
                socket.write(write);
            }
            socket.resume();
        })
        .unwrap();
        let r = received.clone();
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(insecure(port), move |client| {
                client.write("some client data");
                client.on(Readable, move || {
                    let Some(data) = client.read() else {
                        return;
                    };
                    let mut data = String::from_utf8(data).unwrap();
                    while !data.is_empty() {
                        let expected = WRITES[r.get()];
                        assert!(data.starts_with(expected), "{data:?} after {expected:?}");
                        data.drain(..expected.len());
                        r.set(r.get() + 1);
                        if r.get() == WRITES.len() {
                            client.end();
                            server.close(());
                        }
                    }
                });
            })
            .unwrap();
            let _ = client;
        });
        run_and_check();
        assert_eq!(received.get(), WRITES.len());
    });
}

/// test-tls-pause.js: a paused client writes 1 MiB chunks until `write` says stop, then
/// resumes; the server pipes everything back, and every byte sent is received.
#[test]
fn test_tls_pause() {
    bounded(|| {
        const CHUNK: usize = 1024 * 1024;
        let server = tls::create_server(server_options(&keys()), |socket| {
            socket.pipe(socket);
        })
        .unwrap();
        let sent = Rc::new(Cell::new(0usize));
        let received = Rc::new(Cell::new(0usize));
        let resumed = Rc::new(Cell::new(false));
        let (s, r, res) = (sent.clone(), received.clone(), resumed.clone());
        listen_then(server, "127.0.0.1", move |port| {
            let (s2, res2) = (s.clone(), res.clone());
            let client = tls::connect(insecure(port), move |client| {
                client.pause();
                fn send(client: Socket, sent: Rc<Cell<usize>>, resumed: Rc<Cell<bool>>) {
                    let more = client.write(vec![0u8; CHUNK]);
                    sent.set(sent.get() + CHUNK);
                    assert!(sent.get() < 100 * 1024 * 1024);
                    if more {
                        nodenet::next_tick(move || send(client, sent, resumed));
                    } else {
                        resumed.set(true);
                        client.resume();
                    }
                }
                send(client, s2, res2);
            })
            .unwrap();
            client.on(Data, move |data| {
                assert!(res.get());
                r.set(r.get() + data.len());
                if r.get() >= s.get() {
                    client.end();
                    server.close(());
                }
            });
        });
        run_and_check();
        assert_eq!(sent.get(), received.get());
    });
}

/// test-tls-check-server-identity.js: Node's table of host names and certificates, with the
/// reason each failure gives.
#[test]
fn test_tls_check_server_identity() {
    fn cert(altnames: &str, cns: &[&str]) -> PeerCertificate {
        PeerCertificate {
            subject: cns
                .iter()
                .map(|cn| ("CN".to_string(), cn.to_string()))
                .collect(),
            subjectaltname: altnames.to_string(),
            ..PeerCertificate::default()
        }
    }
    let cases: &[(&str, &str, &[&str], Option<&str>)] = &[
        ("a.com", "", &["a.com"], None),
        ("a.com", "", &["A.COM"], None),
        (
            "a.com",
            "",
            &["b.com"],
            Some("Host: a.com. is not cert's CN: b.com"),
        ),
        ("a.com", "", &["a.com."], None),
        ("b.a.com", "", &["*.a.com"], None),
        (
            "b.a.com",
            "DNS:omg.com",
            &["*.a.com"],
            Some("Host: b.a.com. is not in the cert's altnames: DNS:omg.com"),
        ),
        ("foo.com", "", &["foo.com", "bar.com"], None),
        (
            "a.com",
            "DNS:*",
            &["b.com"],
            Some("Host: a.com. is not in the cert's altnames: DNS:*"),
        ),
        (
            "a.com",
            "DNS:*.com",
            &["b.com"],
            Some("Host: a.com. is not in the cert's altnames: DNS:*.com"),
        ),
        ("a.co.uk", "DNS:*.co.uk", &["b.com"], None),
        (
            "a.com",
            "DNS:*.a.com",
            &["a.com"],
            Some("Host: a.com. is not in the cert's altnames: DNS:*.a.com"),
        ),
        (
            "a.com",
            "DNS:*.a.com",
            &["b.com"],
            Some("Host: a.com. is not in the cert's altnames: DNS:*.a.com"),
        ),
        ("a.com", "DNS:a.com", &["b.com"], None),
        ("a.com", "DNS:A.COM", &["b.com"], None),
        (
            "a.com",
            "DNS:*.a.com",
            &[],
            Some("Host: a.com. is not in the cert's altnames: DNS:*.a.com"),
        ),
        ("b.a.com", "DNS:*.a.com", &[], None),
        (
            "c.b.a.com",
            "DNS:*.a.com",
            &[],
            Some("Host: c.b.a.com. is not in the cert's altnames: DNS:*.a.com"),
        ),
        ("b.a.com", "DNS:*b.a.com", &[], None),
        ("a-cb.a.com", "DNS:*b.a.com", &[], None),
        (
            "a.b.a.com",
            "DNS:*b.a.com",
            &[],
            Some("Host: a.b.a.com. is not in the cert's altnames: DNS:*b.a.com"),
        ),
        ("a.b.a.com", "DNS:*b.a.com, DNS:a.b.a.com", &[], None),
        (
            "a.b.a.com",
            "IP Address:127.0.0.1",
            &[],
            Some("Cert does not contain a DNS name"),
        ),
        ("127.0.0.1", "IP Address:127.0.0.1", &[], None),
        (
            "127.0.0.2",
            "IP Address:127.0.0.1",
            &[],
            Some("IP: 127.0.0.2 is not in the cert's list: 127.0.0.1"),
        ),
        (
            "127.0.0.1",
            "DNS:a.com",
            &[],
            Some("IP: 127.0.0.1 is not in the cert's list: "),
        ),
        (
            "localhost",
            "DNS:a.com",
            &["localhost"],
            Some("Host: localhost. is not in the cert's altnames: DNS:a.com"),
        ),
    ];
    for (host, altnames, cns, reason) in cases {
        let err = tls::check_server_identity(host, &cert(altnames, cns));
        let got = err.as_ref().map(|err| {
            assert_eq!(err.code(), Some("ERR_TLS_CERT_ALTNAME_INVALID"));
            err.message()
                .strip_prefix("Hostname/IP does not match certificate's altnames: ")
                .expect("Node's prefix")
                .to_string()
        });
        assert_eq!(got.as_deref(), *reason, "{host} vs {altnames:?} {cns:?}");
    }
}

/// test-tls-econnreset.js: a client that hangs up during the handshake is reported by the
/// server's `'tlsClientError'` as `ECONNRESET` "socket hang up", with the socket.
#[test]
fn test_tls_econnreset() {
    bounded(|| {
        let server =
            tls::create_server(server_options(&keys()), must_not_call!(|_socket|)).unwrap();
        server.on(
            TlsClientError,
            must_call!(move |err: &Error, socket: Socket| {
                assert_eq!(err.code(), Some("ECONNRESET"));
                assert_eq!(err.message(), "socket hang up");
                assert!(socket.encrypted());
                server.close(());
            }),
        );
        listen_then(server, "127.0.0.1", move |port| {
            net::connect(port, "127.0.0.1", |socket| {
                socket.destroy();
            })
            .on(Error, must_not_call!(|_err|));
        });
        run_and_check();
    });
}

/// test-tls-wrap-econnreset.js: a TLS client whose TCP peer closes before the handshake gets
/// `ECONNRESET` with Node's message, then `'close'`.
#[test]
fn test_tls_wrap_econnreset() {
    bounded(|| {
        let server = net::create_server(|socket| {
            socket.resume().end();
        });
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(insecure(port), must_not_call!(|_s|)).unwrap();
            client.on(
                Error,
                must_call!(move |err: &Error| {
                    assert_eq!(err.code(), Some("ECONNRESET"));
                    assert_eq!(
                        err.message(),
                        "Client network socket disconnected before secure TLS connection was \
                         established"
                    );
                    server.close(());
                }),
            );
            client.on(Close, must_call!(|had_error| assert!(had_error)));
        });
        run_and_check();
    });
}

/// test-tls-timeout-server.js: a client that never starts a handshake meets the server's
/// `handshakeTimeout`: `'tlsClientError'` with `ERR_TLS_HANDSHAKE_TIMEOUT`.
#[test]
fn test_tls_timeout_server() {
    bounded(|| {
        let mut options = server_options(&keys());
        options.handshake_timeout = 50;
        let server = tls::create_server(options, must_not_call!(|_s|)).unwrap();
        server.on(
            TlsClientError,
            must_call!(move |err: &Error, _socket: Socket| {
                assert_eq!(err.code(), Some("ERR_TLS_HANDSHAKE_TIMEOUT"));
                assert_eq!(err.message(), "TLS handshake timeout");
                server.close(());
            }),
        );
        listen_then(server, "127.0.0.1", move |port| {
            let socket = net::connect(port, "127.0.0.1", |_| {});
            socket.on(Close, must_call!(|_| {}));
        });
        run_and_check();
    });
}

/// test-tls-alpn-server-client.js: the server's preference wins among the protocols both
/// offer (`a`, then `b`, then `c`), both sides report it, and no ALPN at all gives none.
#[test]
fn test_tls_alpn_server_client() {
    bounded(|| {
        let pem = keys();
        let mut options = server_options(&pem);
        options.alpn_protocols = vec!["a".into(), "b".into(), "c".into()];
        let results = Log::new();
        let server = tls::create_server(
            options,
            must_call!(4, move |socket: Socket| {
                results.push(format!(
                    "server {}",
                    socket.alpn_protocol().unwrap_or_else(|| "false".into())
                ));
                socket.end();
            }),
        )
        .unwrap();
        let offers: [&[&str]; 4] = [&["a", "b", "c"], &["c", "b", "e"], &["x", "y", "c"], &[]];
        listen_then(server, "127.0.0.1", move |port| {
            let closed = Rc::new(Cell::new(0));
            for offer in offers {
                let mut options = insecure(port);
                options.alpn_protocols = offer.iter().map(|p| p.to_string()).collect();
                let client = tls::connect(
                    options,
                    must_call!(move |client: Socket| {
                        results.push(format!(
                            "client {offer:?} {}",
                            client.alpn_protocol().unwrap_or_else(|| "false".into())
                        ));
                    }),
                )
                .unwrap();
                let closed = closed.clone();
                client.on(Close, move |_| {
                    closed.set(closed.get() + 1);
                    if closed.get() == 4 {
                        server.close(());
                    }
                });
            }
        });
        run_and_check();
        let mut entries = results.entries();
        entries.sort();
        assert_eq!(
            entries,
            [
                "client [\"a\", \"b\", \"c\"] a",
                "client [\"c\", \"b\", \"e\"] b",
                "client [\"x\", \"y\", \"c\"] c",
                "client [] false",
                "server a",
                "server b",
                "server c",
                "server false",
            ]
        );
    });
}

/// A CA and the server contexts of Node's SNI tests, one certificate per name.
struct SniKeys {
    ca: Ca,
    default: Pem,
    a: Pem,
    wildcard: Pem,
}

fn sni_keys() -> SniKeys {
    let ca = Ca::new("sni test CA");
    SniKeys {
        default: ca.issue(&["default.example.com"]),
        a: ca.issue(&["a.example.com"]),
        wildcard: ca.issue(&["*.test.com"]),
        ca,
    }
}

fn context(pem: &Pem) -> tls::SecureContext {
    tls::create_secure_context(tls::SecureContextOptions {
        key: Some(pem.key()),
        cert: Some(pem.cert()),
    })
    .unwrap()
}

/// Connects with each server name and records which certificate (by CN) came back, whether
/// it was authorized, and the SNI the server saw.
fn sni_run(server: Server, names: &'static [&'static str], ca: Vec<u8>, log: Log) {
    let seen = Log::new();
    server.on(SecureConnection, move |socket: Socket| {
        seen.push(socket.servername().unwrap_or_default());
        socket.end();
    });
    listen_then(server, "127.0.0.1", move |port| {
        let closed = Rc::new(Cell::new(0));
        for name in names {
            let mut options = tls::ConnectOptions::new(port, "127.0.0.1");
            options.servername = Some(name.to_string());
            options.ca = Some(ca.clone());
            options.reject_unauthorized = false;
            let client = tls::connect(options, move |client| {
                let cert = client.get_peer_certificate().unwrap();
                log.push(format!(
                    "{name} -> {} authorized={}",
                    cert.subject_field("CN").unwrap(),
                    client.authorized()
                ));
            })
            .unwrap();
            let closed = closed.clone();
            client.on(Close, move |_| {
                closed.set(closed.get() + 1);
                if closed.get() == names.len() {
                    server.close(());
                }
            });
        }
    });
    run_and_check();
    let mut servernames = seen.entries();
    servernames.sort();
    let mut expected: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    expected.sort();
    assert_eq!(servernames, expected);
}

/// test-tls-sni-server-client.js: contexts added with `addContext` (an exact name and a
/// wildcard) serve their names, anything else gets the default certificate, and a client
/// that asked for a name the certificate does not carry is not authorized.
#[test]
fn test_tls_sni_server_client() {
    bounded(|| {
        let keys = sni_keys();
        let server = tls::create_server(server_options(&keys.default), |_| {}).unwrap();
        server.add_context("a.example.com", context(&keys.a));
        server.add_context("*.test.com", context(&keys.wildcard));
        let log = Log::new();
        sni_run(
            server,
            &["a.example.com", "b.test.com", "a.b.test.com", "c.wrong.com"],
            keys.ca.ca(),
            log,
        );
        let mut entries = log.entries();
        entries.sort();
        assert_eq!(
            entries,
            [
                "a.b.test.com -> default.example.com authorized=false",
                "a.example.com -> a.example.com authorized=true",
                "b.test.com -> *.test.com authorized=true",
                "c.wrong.com -> default.example.com authorized=false",
            ]
        );
    });
}

/// test-tls-sni-option.js: an `SNICallback` picks the context by name; a name it does not
/// know gets the server's own certificate.
#[test]
fn test_tls_sni_option() {
    bounded(|| {
        let keys = sni_keys();
        let (a, wildcard) = (context(&keys.a), context(&keys.wildcard));
        let mut options = server_options(&keys.default);
        options.sni_callback = Some(std::sync::Arc::new(move |name: &str| match name {
            "a.example.com" => Some(a.clone()),
            "b.test.com" => Some(wildcard.clone()),
            _ => None,
        }));
        let server = tls::create_server(options, |_| {}).unwrap();
        let log = Log::new();
        sni_run(
            server,
            &["a.example.com", "b.test.com", "c.wrong.com"],
            keys.ca.ca(),
            log,
        );
        let mut entries = log.entries();
        entries.sort();
        assert_eq!(
            entries,
            [
                "a.example.com -> a.example.com authorized=true",
                "b.test.com -> *.test.com authorized=true",
                "c.wrong.com -> default.example.com authorized=false",
            ]
        );
    });
}

/// test-tls-server-failed-handshake-emits-clienterror.js: bytes that are not TLS make the
/// server emit `'tlsClientError'` with an Error whose message names OpenSSL's reason.
#[test]
fn test_tls_server_failed_handshake_emits_clienterror() {
    bounded(|| {
        let server = tls::create_server(server_options(&keys()), must_not_call!(|_s|)).unwrap();
        server.on(
            TlsClientError,
            must_call!(move |err: &Error, _socket: Socket| {
                let message = err.message();
                let reason = message.split_once("SSL routines:").map(|(_, rest)| rest);
                let reason = reason.and_then(|rest| rest.split_once(':')).map(|(_, r)| r);
                assert_eq!(reason, Some("wrong version number"), "{message}");
                server.close(());
            }),
        );
        listen_then(server, "127.0.0.1", move |port| {
            // Reads what the server answers, so its 'end' (and 'close') can come.
            net::connect(port, "127.0.0.1", |socket| {
                socket.write("blah\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n");
            })
            .resume();
        });
        run_and_check();
    });
}

/// test-tls-junk-closes-server.js: junk sent to a TLS server closes that connection: the
/// client, consuming what the server sends, gets `'end'`.
#[test]
fn test_tls_junk_closes_server() {
    bounded(|| {
        let server = tls::create_server(server_options(&keys()), must_not_call!(|_s|)).unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let client = net::connect(port, "127.0.0.1", |client| {
                client.write(vec![b'x'; 1000]);
            });
            // As in Node's test: all the server sends must be consumed for 'end' to come.
            client.on(Data, |_data| {});
            client.on(
                End,
                must_call!(move || {
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-client-reject.js: with `rejectUnauthorized: false` an untrusted certificate
/// connects unauthorized; with the default the client fails with
/// `DEPTH_ZERO_SELF_SIGNED_CERT`; with the certificate as CA it is authorized.
#[test]
fn test_tls_client_reject() {
    bounded(|| {
        let pem = keys();
        let server = tls::create_server(
            server_options(&pem),
            must_call!(2, move |socket: Socket| {
                socket.on(Data, move |data| {
                    assert_eq!(data.to_string(), "ok");
                });
            }),
        )
        .unwrap();
        let cert = pem.cert();
        listen_then(server, "127.0.0.1", move |port| {
            let unauthorized = tls::connect(
                insecure(port),
                must_call!(move |socket: Socket| {
                    assert!(!socket.authorized());
                    assert_eq!(
                        socket.authorization_error().as_deref(),
                        Some("DEPTH_ZERO_SELF_SIGNED_CERT")
                    );
                    socket.end_with("ok");
                }),
            )
            .unwrap();
            unauthorized.on(
                Close,
                must_call!(move |_| {
                    let rejected = tls::connect(
                        tls::ConnectOptions::new(port, "127.0.0.1"),
                        must_not_call!(|_s|),
                    )
                    .unwrap();
                    rejected.on(
                        Error,
                        must_call!(move |err: &Error| {
                            assert_eq!(err.code(), Some("DEPTH_ZERO_SELF_SIGNED_CERT"));
                            assert_eq!(err.message(), "self-signed certificate");
                        }),
                    );
                    let cert = cert.clone();
                    rejected.on(
                        Close,
                        must_call!(move |_| {
                            let mut options = tls::ConnectOptions::new(port, "127.0.0.1");
                            options.ca = Some(cert.clone());
                            options.servername = Some("localhost".into());
                            let authorized = tls::connect(
                                options,
                                must_call!(move |socket: Socket| {
                                    assert!(socket.authorized());
                                    socket.end_with("ok");
                                }),
                            )
                            .unwrap();
                            authorized.on(
                                Close,
                                must_call!(move |_| {
                                    server.close(());
                                }),
                            );
                        }),
                    );
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-client-verify.js: each client, with or without the right CA, is authorized or
/// rejected as its CA says, against servers whose certificates come from different CAs.
#[test]
fn test_tls_client_verify() {
    bounded(|| {
        let ca1 = Ca::new("ca1");
        let ca2 = Ca::new("ca2");
        let server_cert = ca1.issue(&["localhost"]);
        let server = tls::create_server(server_options(&server_cert), |socket| {
            socket.end();
        })
        .unwrap();
        let log = Log::new();
        let (c1, c2) = (ca1.ca(), ca2.ca());
        listen_then(server, "127.0.0.1", move |port| {
            let cases = [(c1, true), (c2, false)];
            let closed = Rc::new(Cell::new(0));
            for (ca, ok) in cases {
                let mut options = tls::ConnectOptions::new(port, "127.0.0.1");
                options.servername = Some("localhost".into());
                options.ca = Some(ca);
                options.reject_unauthorized = false;
                let client = tls::connect(
                    options,
                    must_call!(move |socket: Socket| {
                        assert_eq!(socket.authorized(), ok);
                        log.push(format!(
                            "{ok} {}",
                            socket.authorization_error().unwrap_or_else(|| "-".into())
                        ));
                    }),
                )
                .unwrap();
                let closed = closed.clone();
                client.on(Close, move |_| {
                    closed.set(closed.get() + 1);
                    if closed.get() == 2 {
                        server.close(());
                    }
                });
            }
        });
        run_and_check();
        let mut entries = log.entries();
        entries.sort();
        assert_eq!(entries, ["false UNABLE_TO_VERIFY_LEAF_SIGNATURE", "true -"]);
    });
}

/// test-tls-connect-no-host.js: `tls.connect({ port, ca })` with no host connects to
/// localhost and checks the certificate against `localhost`.
#[test]
fn test_tls_connect_no_host() {
    bounded(|| {
        let ca = Ca::new("no-host CA");
        let pem = ca.issue(&["localhost"]);
        let server = tls::create_server(server_options(&pem), |socket| {
            socket.end();
        })
        .unwrap();
        let ca = ca.ca();
        server
            .listen(0, move || {
                let port = server.address().unwrap().port;
                let mut options = tls::ConnectOptions::new(port, "");
                options.ca = Some(ca.clone());
                let client = tls::connect(
                    options,
                    must_call!(move |socket: Socket| {
                        assert!(socket.authorized());
                        socket.end();
                    }),
                )
                .unwrap();
                client.on(
                    Close,
                    must_call!(move |_| {
                        server.close(());
                    }),
                );
            })
            .unwrap();
        run_and_check();
    });
}

/// test-tls-peer-certificate.js: `getPeerCertificate()` reports the subject, issuer,
/// validity, SHA-256 fingerprint, serial number and alt names of the server's certificate.
#[test]
fn test_tls_peer_certificate() {
    bounded(|| {
        let ca = Ca::new("peer CA");
        let pem = ca.issue(&["localhost", "127.0.0.1"]);
        let der = rustls_pem_der(&pem.cert);
        let server = tls::create_server(server_options(&pem), |socket| {
            socket.end();
        })
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let der = der.clone();
            let client = tls::connect(
                insecure(port),
                must_call!(move |socket: Socket| {
                    let cert = socket.get_peer_certificate().unwrap();
                    assert_eq!(cert.subject_field("CN"), Some("localhost"));
                    assert_eq!(cert.subject_field("O"), Some("nodenet tests"));
                    assert_eq!(cert.issuer_field("CN"), Some("peer CA"));
                    assert_eq!(cert.subjectaltname, "DNS:localhost, IP Address:127.0.0.1");
                    assert_eq!(cert.raw, der);
                    let fingerprint = cert.fingerprint256.split(':').collect::<Vec<_>>();
                    assert_eq!(fingerprint.len(), 32);
                    assert!(fingerprint.iter().all(|byte| byte.len() == 2
                        && byte
                            .chars()
                            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())));
                    assert!(cert.valid_from.ends_with(" GMT"), "{}", cert.valid_from);
                    assert!(cert.valid_to.ends_with(" GMT"));
                    assert!(!cert.serial_number.is_empty());
                    socket.end();
                }),
            )
            .unwrap();
            client.on(
                Close,
                must_call!(move |_| {
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// The DER inside one PEM certificate.
fn rustls_pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    base64_decode(&body)
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut count) = (0u32, 0);
    for byte in text.bytes().filter(|byte| *byte != b'=') {
        let value = ALPHABET.iter().position(|c| *c == byte).unwrap() as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// test-tls-fast-writing.js: a client writes as fast as `write` allows and waits for
/// `'drain'` when told to; the server reads everything.
#[test]
fn test_tls_fast_writing() {
    bounded(|| {
        const TOTAL: usize = 8 * 1024 * 1024;
        let received = Rc::new(Cell::new(0usize));
        let r = received.clone();
        let server = tls::create_server(server_options(&keys()), move |socket| {
            let r = r.clone();
            socket.on(Data, move |data| r.set(r.get() + data.len()));
        })
        .unwrap();
        let drains = Rc::new(Cell::new(0));
        let d = drains.clone();
        listen_then(server, "127.0.0.1", move |port| {
            let sent = Rc::new(Cell::new(0usize));
            let client = tls::connect(insecure(port), move |client| {
                fn write(client: Socket, sent: Rc<Cell<usize>>) {
                    while sent.get() < TOTAL {
                        sent.set(sent.get() + 16 * 1024);
                        if !client.write(vec![7u8; 16 * 1024]) {
                            return;
                        }
                    }
                    client.end();
                }
                let s = sent.clone();
                client.on(Drain, move || {
                    d.set(d.get() + 1);
                    write(client, s.clone())
                });
                write(client, sent);
            })
            .unwrap();
            client.on(
                Close,
                must_call!(move |_| {
                    server.close(());
                }),
            );
        });
        run_and_check();
        assert_eq!(received.get(), TOTAL);
        assert!(drains.get() > 0, "write never said to wait");
    });
}

/// test-tls-request-timeout.js: `setTimeout` on a server's TLS socket fires `'timeout'`.
#[test]
fn test_tls_request_timeout() {
    bounded(|| {
        let server = tls::create_server(
            server_options(&keys()),
            must_call!(move |socket: Socket| {
                socket.set_timeout(100, ());
                socket.on(
                    Timeout,
                    must_call!(move || {
                        socket.destroy();
                    }),
                );
            }),
        )
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(insecure(port), |_| {}).unwrap();
            client.on(
                Close,
                must_call!(move |_| {
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-client-destroy-soon.js: a server writes a large buffer and `destroySoon()`s; the
/// client receives every byte before `'end'`.
#[test]
fn test_tls_client_destroy_soon() {
    bounded(|| {
        const BIG: usize = 2 * 1024 * 1024;
        let server = tls::create_server(
            server_options(&keys()),
            must_call!(move |socket: Socket| {
                socket.write(vec![b'x'; BIG]);
                socket.destroy_soon();
            }),
        )
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let bytes = Rc::new(Cell::new(0usize));
            let client = tls::connect(insecure(port), |_| {}).unwrap();
            let b = bytes.clone();
            client.on(Data, move |data| b.set(b.get() + data.len()));
            client.on(
                End,
                must_call!(move || {
                    assert_eq!(bytes.get(), BIG);
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-zero-clear-in.js: writing an empty buffer neither hangs nor breaks the stream.
#[test]
fn test_tls_zero_clear_in() {
    bounded(|| {
        let server = tls::create_server(server_options(&keys()), |socket| {
            socket.write("");
            socket.end_with("done");
        })
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(insecure(port), |client| {
                client.write(b"");
            })
            .unwrap();
            client.on(
                Data,
                must_call!(|data| assert_eq!(data.to_string(), "done")),
            );
            client.on(
                Close,
                must_call!(move |_| {
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-close-error.js: a TLS connect to a port where nothing listens fails with
/// `'error'` and then `'close'`, never `'secureConnect'`.
#[test]
fn test_tls_close_error() {
    bounded(|| {
        let port = refused_port("127.0.0.1");
        let client = tls::connect(insecure(port), must_not_call!(|_s|)).unwrap();
        client.on(
            Error,
            must_call!(|err: &Error| assert_eq!(err.code(), Some("ECONNREFUSED"))),
        );
        client.on(Close, must_call!(|had_error| assert!(had_error)));
        run_and_check();
    });
}

/// test-tls-getprotocol.js: both ends report the negotiated version with `getProtocol()`.
#[test]
fn test_tls_getprotocol() {
    bounded(|| {
        let server = tls::create_server(
            server_options(&keys()),
            must_call!(move |socket: Socket| {
                assert_eq!(socket.get_protocol().as_deref(), Some("TLSv1.3"));
                socket.end();
            }),
        )
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(
                insecure(port),
                must_call!(move |socket: Socket| {
                    assert_eq!(socket.get_protocol().as_deref(), Some("TLSv1.3"));
                }),
            )
            .unwrap();
            client.on(
                Close,
                must_call!(move |_| {
                    assert_eq!(client.get_protocol(), None);
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-getcipher.js: `getCipher()` gives OpenSSL's name, the standard name and the
/// version on both ends.
#[test]
fn test_tls_getcipher() {
    bounded(|| {
        let server = tls::create_server(
            server_options(&keys()),
            must_call!(move |socket: Socket| {
                let cipher = socket.get_cipher().unwrap();
                assert_eq!(cipher.version, "TLSv1.3");
                socket.end();
            }),
        )
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(
                insecure(port),
                must_call!(move |socket: Socket| {
                    let cipher = socket.get_cipher().unwrap();
                    assert_eq!(
                        cipher,
                        tls::Cipher {
                            name: "TLS_AES_256_GCM_SHA384".into(),
                            standard_name: "TLS_AES_256_GCM_SHA384".into(),
                            version: "TLSv1.3".into(),
                        }
                    );
                }),
            )
            .unwrap();
            client.on(
                Close,
                must_call!(move |_| {
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-server-verify.js: servers that do not ask for a certificate, ask without
/// requiring, and require one (`requestCert`, `rejectUnauthorized`), against clients with no
/// certificate, a trusted one and an untrusted one: who connects, and who is authorized.
#[test]
fn test_tls_server_verify() {
    bounded(|| {
        let ca = Ca::new("server-verify CA");
        let server_cert = ca.issue(&["localhost"]);
        let trusted = ca.issue(&["agent1"]);
        let untrusted = Ca::new("stranger CA").issue(&["agent3"]);
        let log = Log::new();
        let modes = [
            ("none", false, false),
            ("ask", true, false),
            ("require", true, true),
        ];
        let clients = [
            ("nocert", None),
            ("trusted", Some(trusted)),
            ("untrusted", Some(untrusted)),
        ];
        for (mode, request, reject) in modes {
            let pending = Rc::new(Cell::new(clients.len()));
            let mut options = server_options(&server_cert);
            options.ca = Some(ca.ca());
            options.request_cert = request;
            options.reject_unauthorized = reject;
            let server = tls::create_server(options, move |socket| {
                log.push(format!("{mode}/ authorized={}", socket.authorized()));
                socket.end();
            })
            .unwrap();
            let clients = clients.clone();
            let pending = pending.clone();
            listen_then(server, "127.0.0.1", move |port| {
                for (name, cert) in clients {
                    let mut options = tls::ConnectOptions::new(port, "127.0.0.1");
                    options.reject_unauthorized = false;
                    if let Some(cert) = &cert {
                        options.key = Some(cert.key());
                        options.cert = Some(cert.cert());
                    }
                    let client = tls::connect(options, |_| {}).unwrap();
                    client.on(Error, |_| {});
                    let pending = pending.clone();
                    client.on(Close, move |_| {
                        log.push(format!("{mode} {name} done"));
                        pending.set(pending.get() - 1);
                        if pending.get() == 0 {
                            server.close(());
                        }
                    });
                }
            });
        }
        run_and_check();
        let connected: Vec<String> = log
            .entries()
            .into_iter()
            .filter(|entry| entry.contains("authorized="))
            .collect();
        let count = |prefix: &str, authorized: bool| {
            connected
                .iter()
                .filter(|entry| {
                    entry.starts_with(prefix) && entry.ends_with(&format!("={authorized}"))
                })
                .count()
        };
        // No request: everyone connects, nobody is authorized.
        assert_eq!(count("none/", false), 3);
        // Asked, not required: everyone connects; only the trusted client is authorized.
        assert_eq!((count("ask/", true), count("ask/", false)), (1, 2));
        // Required: only the trusted client gets a secure connection.
        assert_eq!((count("require/", true), count("require/", false)), (1, 0));
    });
}

/// test-tls-connect-timeout-option.js: the `timeout` option sets the socket's timeout, and
/// `'timeout'` fires on an idle TLS socket.
#[test]
fn test_tls_connect_timeout_option() {
    bounded(|| {
        let server = tls::create_server(server_options(&keys()), |_| {}).unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let mut options = insecure(port);
            options.net.timeout = 1;
            let client = tls::connect(options, |_| {}).unwrap();
            assert_eq!(client.timeout(), Some(1));
            client.on(
                Timeout,
                must_call!(move || {
                    client.destroy();
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-socket-allow-half-open-option.js: with `allowHalfOpen` a TLS client keeps its
/// side open after the server's end, and can still write.
#[test]
fn test_tls_socket_allow_half_open_option() {
    bounded(|| {
        let server = tls::create_server(server_options(&keys()), |socket| {
            socket.end_with("bye");
            socket.on(
                Data,
                must_call!(|data| assert_eq!(data.to_string(), "still here")),
            );
        })
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let mut options = insecure(port);
            options.net.allow_half_open = true;
            let client = tls::connect(options, |_| {}).unwrap();
            client.on(Data, must_call!(|data| assert_eq!(data.to_string(), "bye")));
            assert!(client.allow_half_open());
            client.on(
                End,
                must_call!(move || {
                    assert!(client.writable());
                    client.end_with("still here");
                }),
            );
            client.on(
                Close,
                must_call!(move |_| {
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-write-before-secure (Node's test-tls-invoke-queued.js idea): writes made before
/// `'secureConnect'` are queued and arrive, in order, after the handshake; `write` returns
/// true while under the high-water mark.
#[test]
fn test_tls_invoke_queued() {
    bounded(|| {
        let server = tls::create_server(server_options(&keys()), |socket| {
            let received = Rc::new(RefCell::new(String::new()));
            let r = received.clone();
            socket.on(Data, move |data| r.borrow_mut().push_str(&data.to_string()));
            socket.on(
                End,
                must_call!(move || {
                    assert_eq!(*received.borrow(), "hello world! gosh");
                    socket.end();
                }),
            );
        })
        .unwrap();
        listen_then(server, "127.0.0.1", move |port| {
            let client = tls::connect(insecure(port), |_| {}).unwrap();
            assert!(client.write("hello "));
            assert!(client.write_with_callback("world!", must_call!(|err| assert!(err.is_none()))));
            assert!(client.write(" gosh"));
            client.end();
            client.on(
                Close,
                must_call!(move |_| {
                    server.close(());
                }),
            );
        });
        run_and_check();
    });
}

/// test-tls-handshake-error.js: a handshake the server refuses makes the client's `'error'`
/// (not ECONNRESET) and its `'close'` with `had_error`; `'secureConnect'` never comes. Node's
/// test refuses it by offering only RC4 (`ciphers: 'RC4'`), which has no equivalent here (no
/// `ciphers` option, and rustls has no RC4); an ALPN offer the server does not share makes
/// the server refuse the same way (checked against Node 20: the client gets
/// `ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL`, the server `'tlsClientError'`).
#[test]
fn test_tls_handshake_error() {
    bounded(|| {
        let mut options = server_options(&keys());
        options.alpn_protocols = vec!["a".into()];
        let server = tls::create_server(options, must_not_call!(|_socket|)).unwrap();
        let log = Log::new();
        server.on(
            TlsClientError,
            must_call!(move |err: &Error, _socket| log
                .push(format!("tlsClientError {}", err.code().unwrap_or("-")))),
        );
        listen_then(server, "127.0.0.1", move |port| {
            let mut options = insecure(port);
            options.alpn_protocols = vec!["b".into()];
            let client = tls::connect(options, must_not_call!(|_client|)).unwrap();
            client.on(
                Error,
                must_call!(move |err| {
                    assert_ne!(err.code(), Some("ECONNRESET"));
                    log.push(format!("client error {}", err.code().unwrap_or("-")));
                }),
            );
            client.on(
                Close,
                must_call!(move |had_error| {
                    assert!(had_error);
                    log.push("client close");
                    server.close(());
                }),
            );
        });
        run_and_check();
        let entries = log.entries();
        assert_eq!(entries.last().map(String::as_str), Some("client close"));
        assert!(
            entries
                .contains(&"client error ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL".to_string()),
            "{entries:?}"
        );
    });
}

/// test-tls-min-max-version.js, the cases rustls can take part in: a server with `minVersion:
/// 'TLSv1.3'` refuses a client with `maxVersion: 'TLSv1.2'` (server `'tlsClientError'`
/// `ERR_SSL_UNSUPPORTED_PROTOCOL`, client `'error'` `ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION`, then
/// `'close'` with `had_error`, as Node 20 reports them), and the versions each side allows
/// decide `getProtocol()`.
#[test]
fn test_tls_min_max_version() {
    bounded(|| {
        let pem = keys();
        let mut strict = server_options(&pem);
        strict.min_version = Some(tls::TlsVersion::Tls13);
        let log = Log::new();
        let server = tls::create_server(strict, must_call!(|_socket| {})).unwrap();
        server.on(
            TlsClientError,
            must_call!(move |err: &Error, _socket| {
                log.push(format!("tlsClientError {}", err.code().unwrap_or("-")))
            }),
        );
        let default_server =
            tls::create_server(server_options(&pem), must_call!(|_socket| {})).unwrap();
        listen_then(default_server, "127.0.0.1", move |default_port| {
            listen_then(server, "127.0.0.1", move |port| {
                let mut old = insecure(port);
                old.max_version = Some(tls::TlsVersion::Tls12);
                let client = tls::connect(old, must_not_call!(|_client|)).unwrap();
                client.on(
                    Error,
                    must_call!(
                        move |err| log.push(format!("client error {}", err.code().unwrap_or("-")))
                    ),
                );
                client.on(
                    Close,
                    must_call!(move |had_error| {
                        log.push(format!("client close {had_error}"));
                        let mut new = insecure(port);
                        new.min_version = Some(tls::TlsVersion::Tls13);
                        tls::connect(
                            new,
                            must_call!(move |client: Socket| {
                                log.push(format!(
                                    "v1.3 {}",
                                    client.get_protocol().unwrap_or_default()
                                ));
                                client.end();
                                server.close(());
                            }),
                        )
                        .unwrap();
                        let mut old = insecure(default_port);
                        old.max_version = Some(tls::TlsVersion::Tls12);
                        tls::connect(
                            old,
                            must_call!(move |client: Socket| {
                                log.push(format!(
                                    "v1.2 {}",
                                    client.get_protocol().unwrap_or_default()
                                ));
                                client.end();
                                default_server.close(());
                            }),
                        )
                        .unwrap();
                    }),
                );
            });
        });
        run_and_check();
        let mut entries = log.entries();
        entries[2..].sort();
        assert_eq!(
            entries,
            [
                "tlsClientError ERR_SSL_UNSUPPORTED_PROTOCOL",
                "client error ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
                "client close true",
                "v1.2 TLSv1.2",
                "v1.3 TLSv1.3",
            ]
        );
        // min above max offers nothing: refused when the options are given.
        let mut none = insecure(1);
        none.min_version = Some(tls::TlsVersion::Tls13);
        none.max_version = Some(tls::TlsVersion::Tls12);
        let err = tls::connect(none, |_| {}).unwrap_err();
        assert_eq!(err.code(), Some("ERR_SSL_NO_PROTOCOLS_AVAILABLE"));
        assert_loop_empty();
    });
}
