//! A throwaway TLS echo server (rustls with ring, one mio thread) that proves benches/tls.sh
//! with a second server beside Node's. Not a reference implementation: plaintext is echoed
//! as it is decrypted, rustls's outgoing buffer is unbounded (like `s.write(d)` in Node), and
//! the load generator's window bounds it.
//!
//! Env: PORT (default 9000), HOST (default 127.0.0.1), TLS_KEY and TLS_CERT (PEM paths).
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection};
use std::io::{self, Read, Write};
use std::sync::Arc;

struct Conn {
    sock: TcpStream,
    tls: ServerConnection,
}

/// Reads everything the socket has, echoes the plaintext, writes what TLS has pending.
/// Returns false when the connection is finished.
fn serve(c: &mut Conn, buf: &mut [u8]) -> bool {
    let mut open = true;
    loop {
        match c.tls.read_tls(&mut c.sock) {
            Ok(0) => {
                open = false;
                break;
            }
            Ok(_) => match c.tls.process_new_packets() {
                Ok(st) => {
                    if st.plaintext_bytes_to_read() > 0 {
                        loop {
                            match c.tls.reader().read(buf) {
                                Ok(0) => break,
                                Ok(n) => {
                                    let _ = c.tls.writer().write_all(&buf[..n]);
                                }
                                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                                Err(_) => return false,
                            }
                        }
                    }
                    if st.peer_has_closed() {
                        c.tls.send_close_notify();
                        open = false;
                        break;
                    }
                }
                Err(_) => {
                    let _ = c.tls.write_tls(&mut c.sock);
                    return false;
                }
            },
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    while c.tls.wants_write() {
        match c.tls.write_tls(&mut c.sock) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    open
}

fn main() -> io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(9000);
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let cert_path = std::env::var("TLS_CERT").expect("TLS_CERT");
    let key_path = std::env::var("TLS_KEY").expect("TLS_KEY");
    let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(&cert_path)
        .expect("TLS_CERT")
        .collect::<Result<_, _>>()
        .expect("TLS_CERT");
    let key = PrivateKeyDer::from_pem_file(&key_path).expect("TLS_KEY");
    let cfg =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("certificate and key");
    let cfg = Arc::new(cfg);

    let mut listener = TcpListener::bind(format!("{host}:{port}").parse().expect("HOST:PORT"))?;
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(1024);
    const LISTENER: Token = Token(usize::MAX);
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for ev in events.iter() {
            if ev.token() == LISTENER {
                loop {
                    match listener.accept() {
                        Ok((mut sock, _)) => {
                            let _ = sock.set_nodelay(true);
                            let i = free.pop().unwrap_or_else(|| {
                                conns.push(None);
                                conns.len() - 1
                            });
                            poll.registry().register(
                                &mut sock,
                                Token(i),
                                Interest::READABLE | Interest::WRITABLE,
                            )?;
                            let mut tls = ServerConnection::new(cfg.clone()).expect("tls");
                            tls.set_buffer_limit(None);
                            conns[i] = Some(Conn { sock, tls });
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(_) => break,
                    }
                }
                continue;
            }
            let i = ev.token().0;
            let Some(c) = conns[i].as_mut() else { continue };
            if !serve(c, &mut buf) {
                let mut c = conns[i].take().unwrap();
                let _ = poll.registry().deregister(&mut c.sock);
                free.push(i);
            }
        }
    }
}
