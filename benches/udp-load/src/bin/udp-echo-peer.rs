//! A throwaway UDP echo server (blocking std `UdpSocket`, one thread) that proves
//! benches/udp.sh with a second server beside Node's: each datagram is sent back to its
//! sender as it is. Env: PORT (default 9000), HOST (default 127.0.0.1).
use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(9000);
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let sock = UdpSocket::bind((host.as_str(), port))?;
    let mut buf = vec![0u8; 65536];
    loop {
        match sock.recv_from(&mut buf) {
            Ok((n, from)) => {
                let _ = sock.send_to(&buf[..n], from);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // an ICMP error left by a vanished client: ignore it
            Err(_) => {}
        }
    }
}
