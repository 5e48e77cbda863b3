//! Sending: Node's `socket.send` (`doSend`, `afterSend`) over libuv's `uv_udp_try_send` and
//! send queue.
//!
//! A datagram to an address already known goes to the kernel at once, straight from the
//! caller's bytes (an echo sends the `'message'` it was lent without copying it). Only a
//! datagram that must wait is copied: behind a bind or lookup (Node's `state.queue`), or
//! behind a full kernel buffer (libuv's send queue, flushed when the socket is writable). The
//! callback runs on a later tick, once the datagram has left, with the bytes sent.

use std::io::{self, IoSlice};
use std::net::SocketAddr;

use socket2::{SockAddr, SockRef};

use super::datagram::Parts;
use super::state::{Ctx, Destination, Outgoing, SendCallback};
use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::with_core;
use crate::runtime::tasks::Task;

/// What a send does once its destination is an address (or the connected peer).
pub(crate) fn send_now(
    ctx: &mut Ctx<'_>,
    id: HandleId,
    parts: &Parts<'_>,
    to: Option<SocketAddr>,
    named: Option<(String, u16)>,
    callback: Option<SendCallback>,
) {
    if ctx.state.writes.is_empty() {
        let Some(socket) = ctx.state.socket.as_ref() else {
            return;
        };
        match try_send(socket, parts, to) {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            result => {
                done(ctx, result, to, named, callback);
                return;
            }
        }
    }
    let data = parts.to_vec();
    ctx.state.writes_bytes += data.len();
    ctx.state.writes.push_back(Outgoing {
        data,
        to,
        named,
        callback,
    });
    ctx.state.update_interest(ctx.registry, id);
}

/// Queues the callback (if any) with the outcome: Node calls it on a later tick, and drops a
/// failure silently when there is no callback (`doSend`: "Don't emit as error").
fn done(
    ctx: &mut Ctx<'_>,
    result: io::Result<usize>,
    to: Option<SocketAddr>,
    named: Option<(String, u16)>,
    callback: Option<SendCallback>,
) {
    let Some(callback) = callback else {
        if let Err(err) = result {
            log::debug!("send failed, and there is no callback to tell: {err}");
        }
        return;
    };
    let (sent, error) = match result {
        Ok(sent) => (sent, None),
        Err(err) => (0, Some(send_error(&err, to, named))),
    };
    ctx.ticks
        .push_back(Task::Done(Box::new(move |err| callback(err, sent)), error));
}

/// Node's `ExceptionWithHostPort(err, 'send', address, port)`, with the address as the caller
/// named it, and neither for a connected socket.
fn send_error(err: &io::Error, to: Option<SocketAddr>, named: Option<(String, u16)>) -> Error {
    match (named, to) {
        (Some((host, port)), _) => Error::from_io_at(err, "send", &host, Some(port)),
        (None, Some(to)) => Error::from_io_at(err, "send", &to.ip().to_string(), Some(to.port())),
        (None, None) => Error::from_io(err, "send"),
    }
}

fn try_send(
    socket: &mio::net::UdpSocket,
    parts: &Parts<'_>,
    to: Option<SocketAddr>,
) -> io::Result<usize> {
    loop {
        let result = match (parts, to) {
            (Parts::One(bytes), Some(to)) => socket.send_to(bytes, to),
            (Parts::One(bytes), None) => socket.send(bytes),
            (Parts::Many(list), to) => {
                let slices: Vec<IoSlice<'_>> = list.iter().map(|part| IoSlice::new(part)).collect();
                let socket = SockRef::from(socket);
                match to {
                    Some(to) => socket.send_to_vectored(&slices, &SockAddr::from(to)),
                    None => socket.send_vectored(&slices),
                }
            }
        };
        match result {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}

/// The socket is writable: the datagrams that waited for the kernel go, in order.
pub(crate) fn flush(id: HandleId) {
    with_core(|core| {
        let Some(mut ctx) = core.dgram_ctx(id) else {
            return;
        };
        while let Some(front) = ctx.state.writes.front() {
            let Some(socket) = ctx.state.socket.as_ref() else {
                break;
            };
            let result = try_send(socket, &Parts::One(&front.data), front.to);
            if matches!(&result, Err(err) if err.kind() == io::ErrorKind::WouldBlock) {
                break;
            }
            let Some(sent) = ctx.state.writes.pop_front() else {
                break;
            };
            ctx.state.writes_bytes -= sent.data.len();
            done(&mut ctx, result, sent.to, sent.named, sent.callback);
        }
        ctx.state.update_interest(ctx.registry, id);
    });
}

/// Where a send goes, once the socket is bound and nothing waits ahead of it: at once to an
/// address, or `Some(host)` to look up first.
pub(crate) fn dispatch(
    ctx: &mut Ctx<'_>,
    id: HandleId,
    parts: &Parts<'_>,
    to: Destination,
    callback: Option<SendCallback>,
) -> Option<String> {
    match to {
        Destination::Connected => send_now(ctx, id, parts, None, None, callback),
        Destination::Ip(to) => send_now(ctx, id, parts, Some(to), None, callback),
        Destination::Named(port, host) => {
            let host = if host.is_empty() {
                ctx.state.socket_type.loopback().to_string()
            } else {
                host
            };
            match crate::net::lookup::immediate(&host) {
                Some(ips) => {
                    let to = SocketAddr::new(ips[0], port);
                    send_now(ctx, id, parts, Some(to), Some((host, port)), callback);
                }
                None => {
                    ctx.state.waiting = Some(super::state::Waiting::Send {
                        data: parts.to_vec(),
                        port,
                        host: host.clone(),
                        callback,
                    });
                    return Some(host);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::super::state::Outgoing;
    use crate::runtime::core::with_core;

    /// On loopback the kernel never refuses a datagram for want of buffer room, so the queue is
    /// filled by hand: what waits goes out in order on the writable event, each callback with
    /// its byte count, and the queue's size and count go back to 0.
    #[test]
    fn queued_datagrams_leave_in_order_when_writable() {
        let target = crate::dgram::create_socket("udp4").unwrap();
        target.bind((0, "127.0.0.1"), ()).unwrap();
        let to = "127.0.0.1"
            .parse()
            .map(|ip| std::net::SocketAddr::new(ip, target.address().unwrap().port))
            .unwrap();
        let source = crate::dgram::create_socket("udp4").unwrap();
        source.bind((0, "127.0.0.1"), ()).unwrap();
        let log = Rc::new(RefCell::new(Vec::new()));
        with_core(|core| {
            let id = source.id();
            let ctx = core.dgram_ctx(id).unwrap();
            for text in ["one", "three!"] {
                let log = log.clone();
                ctx.state.writes_bytes += text.len();
                ctx.state.writes.push_back(Outgoing {
                    data: text.as_bytes().to_vec(),
                    to: Some(to),
                    named: None,
                    callback: Some(Box::new(move |err, bytes| {
                        assert!(err.is_none());
                        log.borrow_mut().push(format!("sent {bytes}"));
                    })),
                });
            }
            ctx.state.update_interest(ctx.registry, id);
        });
        assert_eq!(source.get_send_queue_count(), 2);
        assert_eq!(source.get_send_queue_size(), 9);
        // Behind the queue, a new send waits its turn.
        let l = log.clone();
        source
            .send_with_callback("two", to, move |_err, bytes| {
                l.borrow_mut().push(format!("sent {bytes}"))
            })
            .unwrap();
        assert_eq!(source.get_send_queue_count(), 3);
        let l = log.clone();
        target.on(crate::event::Message, move |msg, _rinfo| {
            l.borrow_mut().push(msg.to_string());
            if l.borrow().len() == 6 {
                target.close(()).unwrap();
                source.close(()).unwrap();
            }
        });
        crate::run().unwrap();
        let log = log.borrow();
        let sent: Vec<&String> = log.iter().filter(|e| e.starts_with("sent")).collect();
        let got: Vec<&String> = log.iter().filter(|e| !e.starts_with("sent")).collect();
        assert_eq!(sent, ["sent 3", "sent 6", "sent 3"]);
        assert_eq!(got, ["one", "three!", "two"]);
        assert!(crate::loop_stats().is_empty());
    }
}
