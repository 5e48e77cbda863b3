//! The shared harness's tokio echo peer (accept loop, one task per connection, `read` then
//! `write_all` into a per-task buffer) on tokio's multi-threaded runtime with `WORKERS` worker
//! threads (default 2): the work-stealing scheduler that nodenet's cluster is compared with.
//!
//! Port: first argument, else $PORT, else 9000. Host: $HOST, else 127.0.0.1. Buffer: $BUF
//! bytes per connection, default 65536, as the shared peer.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn main() -> std::io::Result<()> {
    let port = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("PORT").ok())
        .unwrap_or_else(|| "9000".into());
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let workers: usize = std::env::var("WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let bufsize: usize = std::env::var("BUF")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(65536);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_io()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(format!("{host}:{port}")).await?;
        loop {
            let (mut sock, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                // EMFILE and the like: keep serving, as the shared peer does.
                Err(_) => continue,
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; bufsize];
                loop {
                    let n = match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if sock.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    })
}
