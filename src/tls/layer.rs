//! The TLS layer inside a socket's state: Node's `TLSWrap`, between the descriptor and the
//! socket's readable side and write queue.
//!
//! The descriptor carries only TLS records. Reads go descriptor -> rustls -> the loop's read
//! buffer, which is lent to `'data'` listeners as for a plain socket: rustls decrypts in its own
//! buffer and copies the plaintext out once, the only copy. Writes go plaintext -> rustls ->
//! descriptor; what rustls cannot send yet stays in rustls, and the socket's write queue keeps
//! the plaintext behind it, so `write` returns false and `'drain'` follows exactly as for TCP.

use std::io::{self, Read, Write};
use std::rc::Rc;
use std::time::Instant;

use crate::error::Error;
use crate::handle::HandleId;
use crate::net::readiness::Reader;
use crate::net::socket_state::{self, Phase, SocketNotice, SocketState};
use crate::net::stream::Stream;
use crate::runtime::core::Core;
use crate::tls::verify::Verification;

/// Plaintext handed to rustls at once, at most: bounds what rustls buffers beyond the write
/// queue, so the queue (and `write`'s answer) sees the backpressure.
const ENCRYPT_BATCH: usize = 64 * 1024;

/// Which end of the handshake the socket is, with what it needs once the handshake is done.
pub(crate) enum Role {
    Client(Rc<crate::tls::client::ClientSide>),
    Server(Rc<crate::tls::server::ServerSide>),
}

pub(crate) struct TlsLayer {
    pub(crate) conn: rustls::Connection,
    pub(crate) role: Role,
    /// The handshake is done and `'secureConnect'`/`'secureConnection'` has been emitted (or
    /// the socket destroyed for a failed verification).
    pub(crate) secured: bool,
    /// What the verification of the peer's certificate found: Node's `authorized` and
    /// `authorizationError`.
    pub(crate) verification: Verification,
    /// The handshake timeout's timer (server side), until the handshake ends.
    pub(crate) timer: Option<HandleId>,
    /// The descriptor said EOF.
    eof: bool,
    /// The descriptor said `WouldBlock` since the last readiness event: reading again would
    /// only say it again.
    drained: bool,
    /// Our `close_notify` has been queued in rustls.
    pub(crate) close_notify_sent: bool,
    /// Why the last read failed, in Node's words.
    pub(crate) failure: Option<Error>,
    /// A TLS failure was reported: what still arrives is read and dropped until EOF.
    broken: bool,
}

/// The descriptor as `io::Read`/`io::Write` for rustls, which calls them only when it has
/// records to move.
struct Raw<'a>(&'a Stream);

impl Read for Raw<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.0.read(buffer)
    }
}

impl Write for Raw<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.send(bytes)
    }

    fn write_vectored(&mut self, slices: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.0.send_vectored(slices)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TlsLayer {
    pub(crate) fn new(conn: rustls::Connection, role: Role) -> TlsLayer {
        TlsLayer {
            conn,
            role,
            secured: false,
            verification: Verification::default(),
            timer: None,
            eof: false,
            drained: false,
            close_notify_sent: false,
            failure: None,
            broken: false,
        }
    }

    pub(crate) fn is_client(&self) -> bool {
        matches!(self.role, Role::Client(_))
    }

    /// A readiness event came: the descriptor may have more to read.
    pub(crate) fn armed(&mut self) {
        self.drained = false;
    }

    /// Sends what rustls holds for the descriptor; `Ok(true)` once nothing is left.
    pub(crate) fn send_pending(&mut self, stream: &Stream) -> io::Result<bool> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut Raw(stream)) {
                Ok(_) => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(true)
    }

    /// `socket.write` with nothing queued: encrypts what rustls may take now and sends it.
    /// Answers how much plaintext was taken, as a descriptor's `send` does; `WouldBlock`
    /// before the handshake is done or while earlier records wait, so the bytes are queued.
    pub(crate) fn send(&mut self, stream: &Stream, bytes: &[u8]) -> io::Result<usize> {
        // Records rustls already holds (the session tickets after a handshake, say) leave with
        // these bytes in one write: sent alone, Nagle's algorithm would hold the next small
        // write back until they were acknowledged. rustls's buffer limit bounds what it takes.
        if !self.secured {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        // Batch by batch while the descriptor takes them: what is left is queued only when
        // the kernel is full, so a writable edge will come for it.
        let mut taken = 0;
        while taken < bytes.len() {
            let end = bytes.len().min(taken + ENCRYPT_BATCH);
            let n = self.conn.writer().write(&bytes[taken..end])?;
            taken += n;
            if n == 0 || !self.send_pending(stream)? {
                break;
            }
        }
        if taken == 0 && !bytes.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(taken)
    }

    /// Encrypts queued plaintext (the write queue's slices), up to a batch.
    pub(crate) fn encrypt(&mut self, slices: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let mut total = 0;
        for slice in slices {
            if total >= ENCRYPT_BATCH {
                break;
            }
            let taken = self.conn.writer().write(slice)?;
            total += taken;
            if taken < slice.len() {
                break;
            }
        }
        if total == 0 && slices.iter().any(|slice| !slice.is_empty()) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(total)
    }

    /// Reads and drops what the descriptor holds, as OpenSSL's read-ahead would have taken it
    /// in: closing with unread bytes would reset the connection where Node's peer sees a FIN.
    pub(crate) fn discard_input(stream: &Stream) {
        let mut scrap = [0u8; 4096];
        for _ in 0..16 {
            match stream.read(&mut scrap) {
                Ok(n) if n > 0 => {}
                _ => return,
            }
        }
    }

    /// Reads records from the descriptor while the handshake runs, and answers what rustls
    /// made of them: `Ok(true)` when the handshake is done. Stops at the end of the handshake,
    /// so application data behind it is left for [`Decrypted`] to deliver.
    pub(crate) fn handshake(&mut self, stream: &Stream) -> Result<bool, HandshakeFailure> {
        while self.conn.is_handshaking() {
            match self.conn.read_tls(&mut Raw(stream)) {
                Ok(0) => {
                    self.eof = true;
                    return Err(HandshakeFailure::Closed);
                }
                Ok(_) => {
                    if let Err(err) = self.conn.process_new_packets() {
                        // rustls has queued the alert that tells the peer why.
                        let _ = self.send_pending(stream);
                        return Err(HandshakeFailure::Tls(err));
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(HandshakeFailure::Io(err)),
            }
        }
        let done = !self.conn.is_handshaking();
        // What the end of the handshake makes (a client's Finished, a server's session
        // tickets) waits for the flush after the secure event and the first reads: a client
        // must judge the server's certificate first (Node destroys a rejecting client before
        // its Finished leaves, so the server sees the handshake cut short), and a server's
        // tickets then leave with its first answer rather than in a segment of their own.
        if done {
            return Ok(true);
        }
        match self.send_pending(stream) {
            Ok(_) => Ok(done),
            Err(err) => Err(HandshakeFailure::Io(err)),
        }
    }

    /// Fills `buffer` with plaintext: what rustls holds first, then records read from the
    /// descriptor until it would block. A short answer means the descriptor is drained (or at
    /// its end), as a short `read` does for TCP.
    fn read_plaintext(&mut self, stream: &Stream, buffer: &mut [u8]) -> io::Result<usize> {
        if self.broken {
            loop {
                match stream.read(buffer) {
                    Ok(0) => return Ok(0),
                    Ok(_) => {}
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    // The peer that sent the alert may reset rather than close; the error
                    // has been told already.
                    Err(err) if err.kind() == io::ErrorKind::ConnectionReset => return Ok(0),
                    Err(err) => return Err(err),
                }
            }
        }
        let mut filled = 0;
        loop {
            match self.conn.reader().read(&mut buffer[filled..]) {
                // The peer's close_notify: the end of the stream.
                Ok(0) => return Ok(filled),
                Ok(n) => {
                    filled += n;
                    if filled == buffer.len() {
                        return Ok(filled);
                    }
                    continue;
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                // EOF without close_notify: Node ends the stream all the same.
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(filled),
                Err(err) => return Err(err),
            }
            if self.eof {
                return Ok(filled);
            }
            if self.drained {
                return if filled > 0 {
                    Ok(filled)
                } else {
                    Err(io::ErrorKind::WouldBlock.into())
                };
            }
            match self.conn.read_tls(&mut Raw(stream)) {
                Ok(0) => self.eof = true,
                Ok(_) => {
                    if let Err(err) = self.conn.process_new_packets() {
                        let _ = self.send_pending(stream);
                        self.failure = Some(crate::tls::errors::from_rustls(&err));
                        return Err(io::Error::other(err));
                    }
                    // A key update or an alert may want an answer.
                    if self.conn.wants_write() {
                        self.send_pending(stream)?;
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.drained = true;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                // Deliver what came before the error; the next read meets it again.
                Err(_) if filled > 0 => return Ok(filled),
                Err(err) => return Err(err),
            }
        }
    }
}

/// How a handshake ended without completing.
pub(crate) enum HandshakeFailure {
    /// The peer closed the connection.
    Closed,
    Io(io::Error),
    Tls(rustls::Error),
}

/// The reader for TLS sockets in the socket read loop (`readiness::read_pending`).
pub(crate) struct Decrypted;

impl Reader for Decrypted {
    fn read(
        socket: &mut SocketState,
        buffer: &mut [u8],
        now: Instant,
        through: bool,
    ) -> Option<io::Result<usize>> {
        if socket.phase != Phase::Open
            || socket.read_ended
            || !(through || socket.readable.wants_read())
        {
            return None;
        }
        let stream = socket.stream.as_ref()?;
        let tls = socket.tls.as_mut()?;
        if !tls.secured {
            return None;
        }
        let result = tls.read_plaintext(stream, buffer);
        if let Ok(n) = result {
            socket.bytes_read += n as u64;
            if let Some(idle) = socket.idle.as_mut() {
                idle.touch(now);
            }
        }
        Some(result)
    }

    /// A TLS failure after the handshake (an alert, a bad record) is emitted as `'error'`
    /// without destroying the socket, as Node's `_emitTLSError` does: the peer closes next,
    /// and the socket ends with `'end'` and `'close'(false)`. Anything else destroys it.
    fn failed(core: &mut Core, id: HandleId, err: &io::Error) {
        let failure = core
            .socket(id)
            .and_then(|socket| socket.tls.as_mut())
            .and_then(|tls| {
                let failure = tls.failure.take()?;
                tls.broken = true;
                Some(failure)
            });
        match failure {
            Some(error) => {
                socket_state::tick(core, id, SocketNotice::Error(error));
                // The peer's FIN may have come with the alert: no edge will say so again.
                core.pending_reads.push(id);
            }
            None => socket_state::destroy(core, id, Some(Error::from_io(err, "read"))),
        }
    }
}
