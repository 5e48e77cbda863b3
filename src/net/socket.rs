//! `Socket`: Node's `net.Socket`, as a `Copy` handle into the loop.

use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;

use crate::error::Error;
use crate::event::{SocketEvent, SocketOnceEvent};
use crate::handle::HandleId;
use crate::listeners::ListenerId;
use crate::net::address::{self, AddressInfo};
use crate::net::readable::{readable_listener_added, Flowing};
use crate::net::socket_state::{self, Phase, SocketState};
use crate::net::stream::Stream;
use crate::net::SocketOptions;
use crate::runtime::core::{with_core, Core};
use crate::runtime::emit;

/// Logs, once per handle, that `method` reached a socket the loop has reclaimed.
pub(crate) fn stale_socket(id: HandleId, method: &'static str) {
    crate::handle::warn_stale(id, "socket", method, STALE_REASON);
}

/// Node keeps keep-alive delays in whole seconds, as the kernel takes them.
pub(crate) fn secs(ms: u64) -> u32 {
    (ms / 1000).min(u64::from(u32::MAX)) as u32
}

/// Why a socket handle can be stale, for the warning that says so.
const STALE_REASON: &str = "its slot was reclaimed after 'close' (sockets from net::connect and \
     accepted sockets are freed once closed; make the socket with Socket::new(..) to use it \
     across reconnects, and call release() when done with it)";

/// A TCP connection: Node's `net.Socket`.
///
/// A `Socket` is a small `Copy` handle (slot index and generation) into this thread's loop, so
/// closures capture it by value and call any method from any listener. Once the socket has
/// closed and its `'close'` has been emitted, the handle is stale (unless the socket came from
/// [`Socket::new`], which lasts until [`release`](Socket::release)): every method is a no-op
/// that logs one warning per handle (writes return `false`, getters return `None` or zero),
/// never another socket's.
///
/// A socket is Node's Duplex stream: bytes nobody consumes yet (no `'data'` listener, paused,
/// or read through `'readable'`) are kept up to the readable high-water mark, never dropped,
/// and delivered first once it flows.
///
/// ```
/// use nodenet::prelude::*;
/// let server = net::create_server(|client| {
///     client.on(Data, move |data| {
///         client.write(data); // echo
///     });
/// });
/// server.listen((0, "127.0.0.1"), move || {
///     let port = server.address().unwrap().port;
///     let socket = net::connect(port, "127.0.0.1", |socket| {
///         socket.end_with("hello");
///     });
///     socket.on(Data, move |data| assert_eq!(data.to_string(), "hello"));
///     socket.on(Close, move |_had_error| server.close(()));
/// })
/// .unwrap();
/// nodenet::run().unwrap();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Socket {
    id: HandleId,
    _not_send: PhantomData<*const ()>,
}

/// Node's `socket.readyState`.
///
/// ```
/// use nodenet::net::ReadyState;
/// assert_eq!(ReadyState::ReadOnly.to_string(), "readOnly");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadyState {
    /// Connecting.
    Opening,
    /// Readable and writable.
    Open,
    /// We ended our side; the peer may still send.
    ReadOnly,
    /// The peer ended its side; we may still write.
    WriteOnly,
    /// Neither.
    Closed,
}

impl fmt::Display for ReadyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReadyState::Opening => "opening",
            ReadyState::Open => "open",
            ReadyState::ReadOnly => "readOnly",
            ReadyState::WriteOnly => "writeOnly",
            ReadyState::Closed => "closed",
        })
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Socket({}#{})", self.id.index, self.id.generation)
    }
}

impl Socket {
    /// Makes a socket that is not connected yet: Node's `new net.Socket(options)`.
    ///
    /// Everything Node allows before `connect` works: listeners, `set_no_delay`,
    /// `set_keep_alive`, `set_timeout`, `set_encoding`, `pause`, `end`, `destroy`. A `write`
    /// before `connect` fails with Node's `ERR_SOCKET_CLOSED`; one after `connect` is queued
    /// until the connection is up. The socket keeps no loop alive until it connects.
    ///
    /// Such a socket outlives its `'close'`, so it can [`connect`](Socket::connect) again any
    /// number of times, from a timer or any later callback (Node's reconnect idiom); call
    /// [`release`](Socket::release) when done with it, so the loop can reclaim it.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.end_with("hello");
    /// });
    /// server
    ///     .listen((0, "127.0.0.1"), move || {
    ///         let socket = Socket::new(SocketOptions::default());
    ///         socket.set_no_delay(true).set_encoding(nodenet::string_decoder::Encoding::Utf8);
    ///         socket.on(Data, |text| assert_eq!(text.as_str(), Some("hello")));
    ///         socket.on(Close, move |_had_error| {
    ///             socket.release();
    ///             server.close(());
    ///         });
    ///         socket.connect(server.address().unwrap().port, "127.0.0.1", ());
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn new(options: SocketOptions) -> Socket {
        let id = with_core(|core| {
            let mut state = SocketState::idle();
            state.allow_half_open = options.allow_half_open;
            if let Some(mark) = options.high_water_mark {
                state.set_high_water_marks(mark);
            }
            if let Some(mark) = options.readable_high_water_mark {
                state.readable.high_water_mark = mark.min(u32::MAX as usize) as u32;
            }
            if let Some(mark) = options.writable_high_water_mark {
                state.high_water_mark = mark.min(u32::MAX as usize) as u32;
            }
            state.no_delay = options.no_delay;
            if options.keep_alive {
                state.keep_alive = (true, secs(options.keep_alive_initial_delay));
            }
            // Not active: like Node's socket before connect(), it has no handle to keep the
            // loop alive with.
            core.insert_io(crate::kinds::Kind::Socket(Box::new(state)), false)
        })
        .unwrap_or(HandleId::new(usize::MAX, 0));
        Socket::from_id(id)
    }

    pub(crate) fn id(self) -> HandleId {
        self.id
    }

    pub(crate) fn from_id(id: HandleId) -> Socket {
        Socket {
            id,
            _not_send: PhantomData,
        }
    }

    /// Runs `f` on the socket's state; on a stale handle says so (once) and returns `None`.
    fn with<R>(self, method: &'static str, f: impl FnOnce(&mut SocketState) -> R) -> Option<R> {
        let result = with_core(|core| core.socket(self.id).map(f)).flatten();
        if result.is_none() {
            self.stale(method);
        }
        result
    }

    /// Runs `f` with the whole loop state, if the handle still names a socket.
    fn with_core<R>(
        self,
        method: &'static str,
        f: impl FnOnce(&mut Core, HandleId) -> R,
    ) -> Option<R> {
        let result = with_core(|core| {
            // A live slot is enough: a Socket's id only ever names a socket's slot (generations
            // are never reused), so the check need not look at the kind.
            core.slot(self.id)?;
            Some(f(core, self.id))
        })
        .flatten();
        if result.is_none() {
            self.stale(method);
        }
        result
    }

    /// Registers a listener; a `'data'` or `'readable'` listener also starts consuming, as
    /// Node's `Readable.prototype.on` does.
    fn register(
        self,
        event: &'static str,
        listener: crate::event::Listener,
        once: bool,
        prepend: bool,
    ) -> ListenerId {
        if !self.live() {
            self.stale("on");
        }
        let id = emit::add(self.id, event, listener, once, prepend);
        match event {
            "data" => {
                // Node: on('data') resumes unless the stream was explicitly paused.
                let unset = self.with("on", |socket| socket.readable.flowing == Flowing::Unset);
                if unset == Some(true) {
                    self.resume();
                }
            }
            "readable" => {
                with_core(|core| readable_listener_added(core, self.id));
            }
            _ => {}
        }
        id
    }

    /// Whether the handle still names a socket (open or closed, not yet reclaimed).
    fn live(self) -> bool {
        with_core(|core| core.socket(self.id).is_some()).unwrap_or(false)
    }

    /// A call reached a socket that is gone: never silent, but said once per handle.
    fn stale(self, method: &'static str) {
        stale_socket(self.id, method);
    }

    /// Adds a listener for `event` and returns the socket, for chaining: Node's
    /// `socket.on(event, listener)`. To remove this one listener later, add it with
    /// [`on_with_id`](Socket::on_with_id) instead.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|h| {
    ///     h.on(Data, move |data| println!("got {data}"))
    ///         .on(End, move || println!("peer ended"))
    ///         .on(Error, move |err| println!("error: {err}"))
    ///         .on(Close, move |had_error| println!("closed, had_error={had_error}"))
    ///         .set_no_delay(true);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn on<E: SocketEvent<F, R>, F, R>(self, event: E, listener: F) -> Socket {
        self.register(event.name(), E::listener(listener), false, false);
        self
    }

    /// The same as [`on`](Socket::on): Node's `socket.addListener(event, listener)`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|h| {
    ///     h.add_listener(Data, |_| {});
    ///     assert_eq!(h.listener_count(Data), 0 + 1);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn add_listener<E: SocketEvent<F, R>, F, R>(self, event: E, listener: F) -> Socket {
        self.on(event, listener)
    }

    /// Adds a listener like [`on`](Socket::on) and returns its id, for [`off`](Socket::off): Rust
    /// closures cannot be compared, so the id names the listener where Node names the function.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|h| {
    ///     let id = h.on_with_id(Data, |_| {});
    ///     assert!(h.listeners(Data).contains(&id));
    ///     h.off(id);
    ///     assert!(!h.listeners(Data).contains(&id));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn on_with_id<E: SocketEvent<F, R>, F, R>(self, event: E, listener: F) -> ListenerId {
        self.register(event.name(), E::listener(listener), false, false)
    }

    /// Adds a listener that runs at most once, and returns the socket: Node's `socket.once`. The
    /// listener may be an `FnOnce`: it can move what it captured.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|h| {
    ///     let greeting = String::from("first");
    ///     h.once(Data, move |data| println!("{greeting} chunk: {data}"));
    ///     assert_eq!(h.raw_listeners(Data).last().map(|raw| raw.once), Some(true));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn once<E: SocketOnceEvent<F, R>, F, R>(self, event: E, listener: F) -> Socket {
        self.register(event.name(), E::once_listener(listener), true, false);
        self
    }

    /// [`once`](Socket::once), returning the listener's id for [`off`](Socket::off).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|h| {
    ///     let id = h.once_with_id(Data, |_| {});
    ///     h.off(id);
    ///     assert!(!h.listeners(Data).contains(&id));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn once_with_id<E: SocketOnceEvent<F, R>, F, R>(self, event: E, listener: F) -> ListenerId {
        self.register(event.name(), E::once_listener(listener), true, false)
    }

    /// Adds a listener before the others, and returns the socket: Node's
    /// `socket.prependListener`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|h| {
    ///     let id = h.on_with_id(Data, |_| {});
    ///     let first = h.prepend_listener(Data, |_| {}).listeners(Data)[0];
    ///     assert_ne!(first, id);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn prepend_listener<E: SocketEvent<F, R>, F, R>(self, event: E, listener: F) -> Socket {
        self.register(event.name(), E::listener(listener), false, true);
        self
    }

    /// A `once` listener added before the others, returning the socket: Node's
    /// `socket.prependOnceListener`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|h| {
    ///     h.prepend_once_listener(Data, |_| {});
    ///     assert!(h.raw_listeners(Data)[0].once);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn prepend_once_listener<E: SocketOnceEvent<F, R>, F, R>(
        self,
        event: E,
        listener: F,
    ) -> Socket {
        self.register(event.name(), E::once_listener(listener), true, true);
        self
    }

    emitter_methods!(
        Socket,
        node = "socket",
        setup = "let h = Socket::new(SocketOptions::default());",
        teardown = "# h.release();\n# nodenet::run().unwrap();",
        event = "Data",
        listener = "|_| {}",
    );

    /// Sends bytes: Node's `socket.write(data)`. They go to the OS at once when nothing is
    /// queued; the rest is buffered. Returns false once the buffer reaches the high-water mark
    /// (16 KiB): stop writing until `'drain'`. Accepts `&str`, `String`, `&[u8]`, `Vec<u8>` and
    /// a [`Chunk`](crate::Chunk).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     if !client.write("hello\n") {
    ///         client.once(Drain, move || println!("buffer drained"));
    ///     }
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn write(self, data: impl AsRef<[u8]>) -> bool {
        // One lookup on the hot path: `socket_state::write` says itself if the handle is stale.
        with_core(|core| socket_state::write(core, self.id, data.as_ref(), None)).unwrap_or(false)
    }

    /// Sends bytes and calls `callback` once they are handed to the OS (`None`) or can never be
    /// (`Some(err)`): Node's `socket.write(data, cb)`. The callback always runs on a later tick.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.write_with_callback("bye\n", move |err| {
    ///         if let Some(err) = err {
    ///             println!("not sent: {err}");
    ///         }
    ///     });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn write_with_callback(
        self,
        data: impl AsRef<[u8]>,
        callback: impl FnOnce(Option<&Error>) + 'static,
    ) -> bool {
        let mut callback = Some(Box::new(callback) as socket_state::WriteCallback);
        // On a stale handle too the callback hears ERR_STREAM_DESTROYED, as Node's would.
        let written =
            with_core(|core| socket_state::write(core, self.id, data.as_ref(), callback.take()));
        drop(callback);
        written.unwrap_or(false)
    }

    /// Ends our side: Node's `socket.end()`. Queued bytes are sent, then the FIN; `'finish'`
    /// follows. The socket closes once the peer has ended too.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.end();
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn end(self) -> Socket {
        log::debug!("end: {}", crate::net::log_addr::of(self.id));
        self.with_core("end", socket_state::end);
        self
    }

    /// Ends our side and calls `callback` once everything is flushed (`None`, at `'finish'`) or
    /// the socket fails first (`Some(err)`): Node's `socket.end(callback)`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.write("bye\n");
    ///     client.end_with_callback(move |err| assert!(err.is_none()));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn end_with_callback(self, callback: impl FnOnce(Option<&Error>) + 'static) -> Socket {
        let mut callback = Some(Box::new(callback) as socket_state::WriteCallback);
        self.with_core("end", |core, id| {
            socket_state::end_with_callback(core, id, callback.take())
        });
        // Dropped here, outside the borrow, if the socket was gone.
        drop(callback);
        self
    }

    /// Writes `data`, then ends: Node's `socket.end(data)`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.end_with("goodbye\n");
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn end_with(self, data: impl AsRef<[u8]>) -> Socket {
        self.write(data);
        self.end()
    }

    /// Closes the socket now, discarding queued bytes: Node's `socket.destroy()`. `'close'`
    /// (`had_error` false) follows in the close phase.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.destroy();
    ///     assert!(client.destroyed());
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn destroy(self) -> Socket {
        self.with_core("destroy", |core, id| socket_state::destroy(core, id, None));
        self
    }

    /// Closes the socket with an error: `'error'` (with `error`) on the next tick, then
    /// `'close'` with `had_error` true: Node's `socket.destroy(err)`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.on(Error, move |err| assert_eq!(err.message(), "bad request"));
    ///     client.destroy_with_error(nodenet::Error::new("bad request"));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn destroy_with_error(self, error: Error) -> Socket {
        self.with_core("destroy_with_error", |core, id| {
            socket_state::destroy(core, id, Some(error))
        });
        self
    }

    /// Stops `'data'` events: Node's `socket.pause()`. Bytes that arrive meanwhile are kept
    /// (up to the readable high-water mark, then reading stops and TCP slows the peer) and
    /// come first when the socket resumes. `'pause'` is emitted at once, unless already paused.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.pause();
    ///     assert!(client.is_paused());
    ///     nodenet::set_timeout(10, move || {
    ///         client.resume();
    ///     });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn pause(self) -> Socket {
        let was = self.with("pause", |socket| {
            std::mem::replace(&mut socket.readable.flowing, Flowing::No)
        });
        // Node: `if (state.flowing !== false)`, so a socket nobody consumed yet says it too;
        // synchronously, from inside pause().
        if matches!(was, Some(Flowing::Yes | Flowing::Unset)) {
            emit::emit_unit(self.id, "pause");
        }
        self
    }

    /// Makes the socket flow: Node's `socket.resume()`. On the next tick `'resume'` is
    /// emitted and the bytes kept meanwhile are delivered as `'data'`, in order, before any
    /// new ones.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.pause().resume();
    ///     assert!(!client.is_paused());
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn resume(self) -> Socket {
        self.with_core("resume", |core, id| {
            let Some(socket) = core.socket(id) else {
                return;
            };
            let readable = &mut socket.readable;
            let was_held = std::mem::replace(&mut readable.held, false);
            if was_held {
                // No read was made: one is owed, whatever the buffer holds.
                readable.stopped = true;
            }
            if readable.flowing != Flowing::Yes {
                // With a 'readable' listener the stream stays in paused mode, as in Node.
                readable.flowing = if readable.listening {
                    Flowing::No
                } else {
                    Flowing::Yes
                };
                if !std::mem::replace(&mut readable.resume_queued, true) {
                    core.ticks
                        .push_back(socket_state::SocketNotice::Resume.task(id));
                }
            }
            // Reading starts again (it was held, or stopped at a full buffer): the socket holds
            // the loop again.
            socket_state::update_activity(core, id);
        });
        self
    }

    /// Whether the socket is paused: Node's `socket.isPaused()`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| assert!(!client.is_paused()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn is_paused(self) -> bool {
        self.with("is_paused", |socket| socket.readable.flowing == Flowing::No)
            .unwrap_or(false)
    }

    /// Node's `socket.readableFlowing`: `None` (Node's `null`) until something consumes the
    /// socket, `Some(true)` once a `'data'` listener, `resume()` or `pipe()` made it flow,
    /// `Some(false)` when paused or read through `'readable'`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = Socket::new(SocketOptions::default());
    /// assert_eq!(socket.readable_flowing(), None);
    /// socket.on(Data, |_data| {});
    /// assert_eq!(socket.readable_flowing(), Some(true));
    /// socket.pause();
    /// assert_eq!(socket.readable_flowing(), Some(false));
    /// socket.release();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn readable_flowing(self) -> Option<bool> {
        self.with("readable_flowing", |socket| match socket.readable.flowing {
            Flowing::Unset => None,
            Flowing::Yes => Some(true),
            Flowing::No => Some(false),
        })
        .flatten()
    }

    /// Bytes received and kept for a consumer that has not taken them yet: Node's
    /// `socket.readableLength`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = Socket::new(SocketOptions::default());
    /// assert_eq!(socket.readable_length(), 0);
    /// socket.release();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn readable_length(self) -> usize {
        self.with("readable_length", |socket| socket.readable.len())
            .unwrap_or(0)
    }

    /// Where reading from the kernel stops while nobody consumes: Node's
    /// `socket.readableHighWaterMark` (16 KiB unless the `high_water_mark` option said
    /// otherwise).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = Socket::new(SocketOptions::default());
    /// assert_eq!(socket.readable_high_water_mark(), 16 * 1024);
    /// socket.release();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn readable_high_water_mark(self) -> usize {
        self.with("readable_high_water_mark", |socket| {
            socket.readable.high_water_mark as usize
        })
        .unwrap_or(crate::net::readable::READABLE_HIGH_WATER_MARK)
    }

    /// Takes everything buffered: Node's `socket.read()`, for the paused mode that
    /// `'readable'` drives. `None` (Node's `null`) when nothing is buffered; at EOF, once
    /// everything has been read, `'end'` follows. With [`set_encoding`](Socket::set_encoding)
    /// the bytes are the decoded text. As in Node, the bytes are also emitted as `'data'`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.on(Readable, move || {
    ///         while let Some(bytes) = client.read() {
    ///             println!("read {} bytes", bytes.len());
    ///         }
    ///     });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn read(self) -> Option<Vec<u8>> {
        self.read_some(None)
    }

    /// Takes exactly `n` buffered bytes: Node's `socket.read(n)`. `None` while fewer than `n`
    /// are buffered (a `'readable'` follows when more arrive); at EOF, whatever is left.
    /// `read_size(0)` only asks for reading, as Node's `read(0)`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     // A 4-byte header, then the body it announces.
    ///     client.on(Readable, move || {
    ///         while let Some(header) = client.read_size(4) {
    ///             println!("header {header:?}");
    ///         }
    ///     });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn read_size(self, n: usize) -> Option<Vec<u8>> {
        self.read_some(Some(n))
    }

    /// Puts bytes back at the front of what the socket has buffered: Node's
    /// `socket.unshift(chunk)`, for a parser that took more than it could use. They are read
    /// (or flow as `'data'`) before anything else, and `'end'` waits for them. Ignored with a
    /// warning once `'end'` has been emitted, where Node throws
    /// `ERR_STREAM_UNSHIFT_AFTER_END_EVENT`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.on(Readable, move || {
    ///         if let Some(bytes) = client.read() {
    ///             let (head, rest) = bytes.split_at(bytes.len().min(2));
    ///             println!("header {head:?}");
    ///             client.unshift(rest); // the body is read later
    ///         }
    ///     });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn unshift(self, bytes: impl AsRef<[u8]>) -> Socket {
        self.with_core("unshift", |core, id| {
            let Some(socket) = core.socket(id) else {
                return;
            };
            if socket.end_emitted || socket.is_closed() {
                log::warn!("socket.unshift() after 'end' or destroy: ignored");
                return;
            }
            socket.readable.unshift(bytes.as_ref());
            if socket.readable.flowing == Flowing::Yes {
                core.ticks
                    .push_back(socket_state::SocketNotice::Flow.task(id));
            } else {
                crate::net::readable::notify_reader(core, id);
            }
        });
        self
    }

    fn read_some(self, n: Option<usize>) -> Option<Vec<u8>> {
        let taken = self
            .with_core("read", |core, id| {
                let slot = core.slot(id)?;
                let listeners = emit::snapshot(slot);
                let socket = core.socket(id)?;
                let eof = socket.read_ended;
                let mut bytes = socket.readable.read(n, eof)?;
                if let Some(decoder) = socket.decoder.as_mut() {
                    let mut text = String::new();
                    decoder.write(&bytes, &mut text);
                    if eof && socket.readable.len() == 0 {
                        decoder.end(&mut text);
                    }
                    bytes = text.into_bytes();
                }
                Some((bytes, listeners))
            })
            .flatten();
        // Reading may have made room (reading resumes) or reached the end ('end' follows).
        self.with_core("read", crate::net::readable::consumed);
        let (bytes, listeners) = taken?;
        emit::emit_data_to(self.id, &listeners, crate::Chunk::new(&bytes));
        drop(listeners);
        Some(bytes)
    }

    /// The local address: Node's `socket.address()`; `None` before connecting and after close.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     println!("{} 连接成功", client.address().unwrap().address);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn address(self) -> Option<AddressInfo> {
        self.with("address", |socket| {
            socket.local_addr().map(AddressInfo::from)
        })
        .flatten()
    }

    fn peer(self) -> Option<SocketAddr> {
        self.with("peer", |socket| socket.peer_addr()).flatten()
    }

    /// The peer's address as text: Node's `socket.remoteAddress`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     println!("from {:?}", client.remote_address());
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn remote_address(self) -> Option<String> {
        self.peer().map(|peer| peer.ip().to_string())
    }

    /// The peer's port: Node's `socket.remotePort`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| println!("{:?}", client.remote_port()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn remote_port(self) -> Option<u16> {
        self.peer().map(|peer| peer.port())
    }

    /// The peer's family, `"IPv4"` or `"IPv6"`: Node's `socket.remoteFamily`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| println!("{:?}", client.remote_family()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn remote_family(self) -> Option<&'static str> {
        self.peer().map(|peer| address::family(&peer))
    }

    /// The local address as text: Node's `socket.localAddress`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| println!("{:?}", client.local_address()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn local_address(self) -> Option<String> {
        self.address().map(|info| info.address)
    }

    /// The local address's family, `"IPv4"` or `"IPv6"`: Node's `socket.localFamily`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| println!("{:?}", client.local_family()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn local_family(self) -> Option<&'static str> {
        self.address().map(|info| info.family)
    }

    /// The idle timeout set by [`set_timeout`](Socket::set_timeout), in ms: Node's
    /// `socket.timeout` (`None` where Node says `undefined`).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     assert_eq!(client.timeout(), None);
    ///     client.set_timeout(5_000, ());
    ///     assert_eq!(client.timeout(), Some(5_000));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn timeout(self) -> Option<u64> {
        self.with("timeout", |socket| socket.timeout_ms.map(u64::from))
            .flatten()
    }

    /// The local port: Node's `socket.localPort`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| println!("{:?}", client.local_port()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn local_port(self) -> Option<u16> {
        self.address().map(|info| info.port)
    }

    /// Bytes received so far: Node's `socket.bytesRead`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| assert_eq!(client.bytes_read(), 0));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn bytes_read(self) -> u64 {
        self.with("bytes_read", |socket| socket.bytes_read)
            .unwrap_or(0)
    }

    /// Bytes written so far, counting those still queued: Node's `socket.bytesWritten`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.write("abc");
    ///     assert_eq!(client.bytes_written(), 3);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn bytes_written(self) -> u64 {
        self.with("bytes_written", |socket| {
            socket.bytes_sent + socket.queue.len() as u64
        })
        .unwrap_or(0)
    }

    /// Holds writes back until [`uncork`](Socket::uncork), so several small writes leave in one
    /// system call: Node's `socket.cork()`. Nests; `end()` uncorks.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.cork();
    ///     client.write("HTTP/1.1 200 OK\r\n");
    ///     client.write("\r\n");
    ///     assert_eq!(client.writable_length(), 19); // held back
    ///     client.uncork(); // both go out in one vectored write
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn cork(self) -> Socket {
        self.with("cork", |socket| {
            socket.corked = socket.corked.saturating_add(1)
        });
        self
    }

    /// Undoes one [`cork`](Socket::cork); at the last, what was held back is sent: Node's
    /// `socket.uncork()`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.cork().cork();
    ///     client.write("x");
    ///     client.uncork();
    ///     assert_eq!(client.writable_corked(), 1);
    ///     client.uncork();
    ///     assert_eq!(client.writable_corked(), 0);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn uncork(self) -> Socket {
        self.with_core("uncork", socket_state::uncork);
        self
    }

    /// How many `cork()` calls are not yet undone: Node's `socket.writableCorked`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| assert_eq!(client.writable_corked(), 0));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn writable_corked(self) -> u32 {
        self.with("writable_corked", |socket| u32::from(socket.corked))
            .unwrap_or(0)
    }

    /// Whether `end()` was called: Node's `socket.writableEnded`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.end();
    ///     assert!(client.writable_ended());
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn writable_ended(self) -> bool {
        self.with("writable_ended", |socket| socket.end_called)
            .unwrap_or(false)
    }

    /// Whether `'finish'` has been emitted: Node's `socket.writableFinished`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.on(Finish, move || assert!(client.writable_finished()));
    ///     client.end();
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn writable_finished(self) -> bool {
        self.with("writable_finished", |socket| socket.finished)
            .unwrap_or(false)
    }

    /// Whether `'end'` has been emitted: Node's `socket.readableEnded`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.on(End, move || assert!(client.readable_ended()));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn readable_ended(self) -> bool {
        self.with("readable_ended", |socket| socket.end_emitted)
            .unwrap_or(false)
    }

    /// Whether a `write` returned false and `'drain'` is still owed: Node's
    /// `socket.writableNeedDrain`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| assert!(!client.writable_need_drain()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn writable_need_drain(self) -> bool {
        self.with("writable_need_drain", |socket| socket.need_drain)
            .unwrap_or(false)
    }

    /// Where `write` starts returning false, in bytes: Node's `socket.writableHighWaterMark`
    /// (16 KiB unless the `high_water_mark` option said otherwise).
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     assert_eq!(client.writable_high_water_mark(), 16 * 1024)
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn writable_high_water_mark(self) -> usize {
        self.with("writable_high_water_mark", |socket| {
            socket.high_water_mark as usize
        })
        .unwrap_or(socket_state::HIGH_WATER_MARK)
    }

    /// Whether reads may still come (open, and the peer has not ended): Node's
    /// `socket.readable`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| assert!(client.readable()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn readable(self) -> bool {
        self.with("readable", |socket| {
            !socket.is_closed() && !socket.read_ended
        })
        .unwrap_or(false)
    }

    /// Whether writes are still accepted (not destroyed, `end()` not called): Node's
    /// `socket.writable`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     assert!(client.writable());
    ///     client.end();
    ///     assert!(!client.writable());
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn writable(self) -> bool {
        self.with("writable", |socket| {
            !socket.is_closed() && !socket.end_called
        })
        .unwrap_or(false)
    }

    /// The addresses a connect tried, as `ip:port`, in order: Node's
    /// `socket.autoSelectFamilyAttemptedAddresses`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = net::connect(1, "127.0.0.1", |_| {});
    /// socket.on(Error, move |_err| {
    ///     assert_eq!(socket.auto_select_family_attempted_addresses(), ["127.0.0.1:1"]);
    /// });
    /// nodenet::run().unwrap();
    /// ```
    pub fn auto_select_family_attempted_addresses(self) -> Vec<String> {
        self.with("auto_select_family_attempted_addresses", |socket| {
            socket
                .connect
                .as_ref()
                .map(|connect| connect.attempted_addresses.clone())
        })
        .flatten()
        .unwrap_or_default()
    }

    /// Bytes queued and not yet handed to the OS: Node's `socket.writableLength`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| assert_eq!(client.writable_length(), 0));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn writable_length(self) -> usize {
        self.with("writable_length", |socket| socket.queue.len())
            .unwrap_or(0)
    }

    /// Caps the write buffer at `bytes` (0, the default, means no cap). nodenet's own: Node has
    /// no such limit. `write` still returns false at the high-water mark; a writer that ignores
    /// it and would queue more than `bytes` gets the socket destroyed with
    /// `ERR_SOCKET_WRITE_BUFFER_FULL` (`'error'`, then `'close'(true)`) instead of a buffer that
    /// grows for as long as the peer does not read.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.set_max_write_buffer(1024 * 1024);
    ///     client.on(Error, move |err| {
    ///         assert_eq!(err.code(), Some("ERR_SOCKET_WRITE_BUFFER_FULL"));
    ///     });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_max_write_buffer(self, bytes: usize) -> Socket {
        self.with("set_max_write_buffer", |socket| {
            socket.max_write_buffer = bytes
        });
        self
    }

    /// Node's `socket.readyState`; a stale handle reads as closed.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     assert_eq!(client.ready_state(), ReadyState::Open);
    ///     client.end();
    ///     assert_eq!(client.ready_state(), ReadyState::ReadOnly);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn ready_state(self) -> ReadyState {
        self.with("ready_state", |socket| {
            if matches!(socket.phase, Phase::Resolving | Phase::Connecting) {
                return ReadyState::Opening;
            }
            let readable = !socket.is_closed() && !socket.read_ended;
            let writable = !socket.is_closed() && !socket.end_called;
            match (readable, writable) {
                (true, true) => ReadyState::Open,
                (true, false) => ReadyState::ReadOnly,
                (false, true) => ReadyState::WriteOnly,
                (false, false) => ReadyState::Closed,
            }
        })
        .unwrap_or(ReadyState::Closed)
    }

    /// Whether the socket has been destroyed (or the handle is stale): Node's
    /// `socket.destroyed`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| assert!(!client.destroyed()));
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn destroyed(self) -> bool {
        self.with("destroyed", |socket| socket.is_closed())
            .unwrap_or(true)
    }

    /// Whether a connect is in progress: Node's `socket.connecting`.
    ///
    /// ```
    /// let socket = nodenet::net::connect(9, "127.0.0.1", |_| {});
    /// assert!(socket.connecting());
    /// socket.destroy();
    /// nodenet::run().unwrap();
    /// ```
    pub fn connecting(self) -> bool {
        self.with("connecting", |socket| {
            matches!(socket.phase, Phase::Resolving | Phase::Connecting)
        })
        .unwrap_or(false)
    }

    /// Whether the socket is not connected yet (or no longer): Node's `socket.pending`, true
    /// before `'connect'` and again once destroyed.
    ///
    /// ```
    /// let socket = nodenet::net::connect(9, "127.0.0.1", |_| {});
    /// assert!(socket.pending());
    /// socket.destroy();
    /// nodenet::run().unwrap();
    /// ```
    pub fn pending(self) -> bool {
        self.with("pending", |socket| socket.phase != Phase::Open)
            .unwrap_or(true)
    }

    /// Turns Nagle's algorithm off (`true`) or on: Node's `socket.setNoDelay`. Remembered until
    /// the connection is established.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.set_no_delay(true);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_no_delay(self, no_delay: bool) -> Socket {
        self.with("set_no_delay", |socket| {
            // Node 20 touches the OS only when the value changes; before connect it is
            // remembered and applied (if true) once connected.
            if socket.no_delay == no_delay {
                return;
            }
            socket.no_delay = no_delay;
            if let (Phase::Open, Some(stream)) = (socket.phase, socket.stream.as_ref()) {
                stream.set_nodelay(no_delay);
            }
        });
        self
    }

    /// Decodes incoming bytes as text before `'data'`: Node's `socket.setEncoding(encoding)`.
    /// Listeners then get the decoded text (as UTF-8 bytes; `data.as_str()` is always `Some`),
    /// and a multi-byte character split across reads is never broken: its first bytes wait for
    /// the rest. Invalid UTF-8 becomes U+FFFD, as in Node.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// use nodenet::string_decoder::Encoding;
    /// let server = net::create_server(|client| {
    ///     client.set_encoding(Encoding::Utf8);
    ///     client.on(Data, move |text| println!("{}", text.as_str().unwrap()));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_encoding(self, encoding: crate::string_decoder::Encoding) -> Socket {
        self.with("set_encoding", |socket| {
            socket.decoder = Some(Box::new(crate::string_decoder::StringDecoder::new(
                encoding,
            )));
        });
        self
    }

    /// Emits `'timeout'` after `ms` milliseconds without reads or writes: Node's
    /// `socket.setTimeout(ms[, callback])`. `callback` (or `()`) becomes a once `'timeout'`
    /// listener. The socket is not closed (call `end` or `destroy` in the listener), the timer
    /// does not keep the loop alive, and 0 turns the timeout off.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.set_timeout(30_000, move || {
    ///         client.end_with("idle for 30 s, bye\n");
    ///     });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_timeout(self, ms: u64, callback: impl crate::net::Callback) -> Socket {
        self.with_core("set_timeout", |core, id| {
            crate::net::idle_timeout::set(core, id, ms)
        });
        if let Some(callback) = callback.into_callback() {
            crate::net::server::once_unit(self.id, "timeout", callback);
        }
        self
    }

    /// Turns TCP keep-alive probes on or off; `initial_delay_ms` (0 for the system default) is
    /// the idle time before the first probe: Node's `socket.setKeepAlive(enable, initialDelay)`.
    /// Remembered until the connection is established.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.set_keep_alive(true, 60_000);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn set_keep_alive(self, enable: bool, initial_delay_ms: u64) -> Socket {
        self.with("set_keep_alive", |socket| {
            // Node 20 compares the delay in whole seconds, as the kernel takes it, and calls
            // the OS only on a change.
            let setting = (enable, secs(initial_delay_ms));
            let (was_enabled, was_delay) = socket.keep_alive;
            if enable == was_enabled && (!enable || setting.1 == was_delay) {
                return;
            }
            socket.keep_alive = setting;
            if let (Phase::Open, Some(stream)) = (socket.phase, socket.stream.as_ref()) {
                stream.set_keep_alive(enable, u64::from(setting.1) * 1000);
            }
        });
        self
    }

    /// Closes the connection with a TCP RST instead of a FIN, discarding queued bytes: Node's
    /// `socket.resetAndDestroy()`. The peer sees `ECONNRESET`; here `'close'` has `had_error`
    /// false.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.reset_and_destroy();
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn reset_and_destroy(self) -> Socket {
        self.with("reset_and_destroy", |socket| {
            if let Some(stream) = socket.stream.as_ref() {
                stream.reset_on_close();
            }
        });
        self.destroy()
    }

    /// Ends our side and destroys the socket once everything queued has been sent: Node's
    /// `socket.destroySoon()`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.write("last words\n");
    ///     client.destroy_soon();
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn destroy_soon(self) -> Socket {
        self.end();
        let finished = self
            .with("destroy_soon", |socket| socket.finished)
            .unwrap_or(true);
        if finished {
            self.destroy()
        } else {
            self.once(crate::event::Finish, move || {
                self.destroy();
            });
            self
        }
    }

    /// Sends everything read from this socket to `destination`, pausing while `destination`'s
    /// write buffer is full, and ends `destination` when this socket ends: Node's
    /// `socket.pipe(destination)`. Returns `destination`. `socket.pipe(socket)` is an echo
    /// server. See [`pipe_with`](Socket::pipe_with) to keep `destination` open.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.pipe(client); // echo, with backpressure
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn pipe(self, destination: Socket) -> Socket {
        crate::net::pipe::pipe(self, destination, crate::net::PipeOptions::default())
    }

    /// [`pipe`](Socket::pipe) with options: Node's `socket.pipe(destination, { end })`.
    ///
    /// ```
    /// use nodenet::net::PipeOptions;
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     let upstream = net::connect(7, "127.0.0.1", |_| {});
    ///     upstream.on(Error, move |_err| client.destroy());
    ///     client.pipe_with(upstream, PipeOptions { end: false });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn pipe_with(self, destination: Socket, options: crate::net::PipeOptions) -> Socket {
        crate::net::pipe::pipe(self, destination, options)
    }

    /// Takes apart the pipe from this socket to `destination`, or every pipe from it with
    /// `None`: Node's `socket.unpipe([destination])`. The listeners the pipe added are removed,
    /// and the socket pauses once no pipe from it is left (emitting `'pause'` then, as Node
    /// does). A `destination` this socket does not pipe to, or no pipe at all, changes nothing.
    /// Returns this socket. Node's `'unpipe'` event on the destination has no equivalent.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     client.pipe(client); // echo
    ///     assert!(!client.is_paused());
    ///     client.unpipe(Some(client));
    ///     assert!(client.is_paused()); // no pipe left
    ///     assert_eq!(client.listener_count(Data), 0);
    ///     client.destroy(); // paused, it would not read the peer's end
    /// });
    /// server
    ///     .listen((0, "127.0.0.1"), move || {
    ///         let socket = net::connect(server.address().unwrap().port, "127.0.0.1", |_| {});
    ///         socket.on(Close, move |_| {
    ///             server.close(());
    ///         });
    ///     })
    ///     .unwrap();
    /// nodenet::run().unwrap();
    /// ```
    pub fn unpipe(self, destination: Option<Socket>) -> Socket {
        crate::net::pipe::unpipe(self, destination);
        self
    }

    /// Adopts a TCP stream that is already connected: Node's `new net.Socket({ fd })`, for a
    /// connection made by other code (a blocking `std::net::TcpStream::connect`, a descriptor
    /// from a parent process). The stream is made non-blocking and the socket is open at once,
    /// as an accepted one is: no `'connect'` or `'ready'`, `'data'` flows, and the socket ends
    /// when the peer does (no half-open). If the stream cannot join the loop, the socket
    /// emits `'error'` then `'close'(true)` on a later tick.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let port = listener.local_addr().unwrap().port();
    /// let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    /// let server = net::create_server(|client| {
    ///     client.end_with("hello from the server");
    /// });
    /// server.listen_std(listener, ()).unwrap();
    /// let socket = Socket::from_std(stream);
    /// assert_eq!(socket.ready_state(), ReadyState::Open);
    /// assert_eq!(socket.remote_port(), Some(port));
    /// socket.on(Data, move |data| assert_eq!(data.to_string(), "hello from the server"));
    /// socket.on(Close, move |_had_error| {
    ///     server.close(());
    /// });
    /// nodenet::run().unwrap();
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> Socket {
        let peer = stream.peer_addr().ok();
        let prepared = stream
            .set_nonblocking(true)
            .map(|()| Stream::Tcp(mio::net::TcpStream::from_std(stream)));
        let id = with_core(|core| {
            let key = core.io.vacant_key();
            let registered = prepared.and_then(|mut stream| {
                let interest = mio::Interest::READABLE | mio::Interest::WRITABLE;
                core.poll
                    .registry()
                    .register(&mut stream, mio::Token(key), interest)?;
                Ok(stream)
            });
            let (state, failure) = match registered {
                Ok(stream) => {
                    let no_server = HandleId::new(usize::MAX, 0);
                    let mut state =
                        SocketState::accepted(stream, peer, no_server, false, Flowing::Unset);
                    state.server = None;
                    (state, None)
                }
                // A slot all the same, so the failure reaches the caller as events.
                Err(err) => (
                    SocketState::connecting(),
                    Some(Error::from_io(&err, "open")),
                ),
            };
            let id = core.insert_io(crate::kinds::Kind::Socket(Box::new(state)), true);
            if failure.is_some() {
                socket_state::destroy(core, id, failure);
            }
            id
        })
        .unwrap_or(HandleId::new(usize::MAX, 0));
        Socket::from_id(id)
    }

    /// Connects the socket: Node's `socket.connect(port, host[, connectListener])`.
    /// `callback` (or `()`) becomes a once `'connect'` listener.
    ///
    /// Works on a socket from [`Socket::new`] that never connected, and on any socket that
    /// has been destroyed while its handle is still live: a `Socket::new` socket until
    /// [`release`](Socket::release), any other until its `'close'` has returned. Listeners
    /// stay; the connection's state (counters included) starts afresh. On a socket that is
    /// connecting or open it does nothing but log a warning. On a socket the loop has
    /// reclaimed, the error `ERR_STALE_HANDLE` goes to the thread's unhandled-error policy
    /// (by default `run()` returns it), since the socket has no listeners left to tell.
    ///
    /// Node's reconnect idiom, line for line:
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// let tries = Rc::new(Cell::new(0));
    /// let t = tries.clone();
    /// let socket = Socket::new(SocketOptions::default());
    /// socket.on(Error, |_err| {}); // nothing listens on port 1
    /// socket.on(Close, move |_had_error| {
    ///     t.set(t.get() + 1);
    ///     if t.get() < 3 {
    ///         nodenet::set_timeout(10, move || {
    ///             socket.connect(1, "127.0.0.1", ());
    ///         });
    ///     } else {
    ///         socket.release();
    ///     }
    /// });
    /// socket.connect(1, "127.0.0.1", || unreachable!());
    /// nodenet::run().unwrap();
    /// assert_eq!(tries.get(), 3);
    /// ```
    pub fn connect(self, port: u16, host: &str, callback: impl crate::net::Callback) -> Socket {
        self.connect_with(crate::net::ConnectOptions::new(port, host), callback)
    }

    /// [`connect`](Socket::connect) with options: Node's `socket.connect(options[,
    /// connectListener])`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// use nodenet::net::ConnectOptions;
    /// let socket = net::connect(1, "127.0.0.1", |_| {});
    /// socket.once(Error, move |_err| {
    ///     let options = ConnectOptions { family: 4, ..ConnectOptions::new(1, "127.0.0.1") };
    ///     socket.connect_with(options, ());
    /// });
    /// socket.on(Error, |_err| {});
    /// nodenet::run().unwrap();
    /// ```
    pub fn connect_with(
        self,
        options: crate::net::ConnectOptions,
        callback: impl crate::net::Callback,
    ) -> Socket {
        let started = with_core(|core| socket_state::restart(core, self.id));
        match started {
            Some(socket_state::Restart::Started) => {
                if let Some(callback) = callback.into_callback() {
                    crate::net::server::once_unit(self.id, "connect", callback);
                }
                crate::net::connect::begin(self, options);
            }
            Some(socket_state::Restart::Busy) => {
                log::warn!(
                    "socket.connect() on a socket that is connecting or open: ignored (destroy \
                     it first, or wait for 'close')"
                );
            }
            Some(socket_state::Restart::Tls) => {
                log::warn!(
                    "socket.connect() on a TLS socket: ignored (make a new one with tls::connect)"
                );
            }
            Some(socket_state::Restart::Gone) | None => {
                self.stale("connect");
                crate::runtime::unhandled::unhandled(crate::error::codes::stale_handle("connect"));
            }
        }
        self
    }

    /// Connects to a Unix domain socket file: Node's `socket.connect(path[,
    /// connectListener])`. The same rules as [`connect`](Socket::connect) apply.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = Socket::new(SocketOptions::default());
    /// socket.on(Error, |err| assert_eq!(err.code(), Some("ENOENT")));
    /// socket.on(Close, move |_| socket.release());
    /// socket.connect_path("/nonexistent/nodenet.sock", ());
    /// nodenet::run().unwrap();
    /// ```
    pub fn connect_path(
        self,
        path: impl AsRef<std::path::Path>,
        callback: impl crate::net::Callback,
    ) -> Socket {
        let options = crate::net::ConnectOptions::path(path.as_ref().to_path_buf());
        self.connect_with(options, callback)
    }

    /// Lets the loop reclaim a socket made with [`Socket::new`]: at once if it has closed
    /// (no second `'close'`), otherwise right after its `'close'`. A socket that never
    /// connected is destroyed (`'close'` follows). Afterwards the handle is stale. Node has
    /// no such call, because its garbage collector sees when a socket is unreachable;
    /// nodenet's `Copy` handles cannot be traced, so a socket that must outlive its
    /// `'close'` (to connect again) is kept until released. Sockets from `net::connect` and
    /// accepted sockets never need it: they are reclaimed once closed.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = Socket::new(SocketOptions::default());
    /// socket.on(Close, |had_error| assert!(!had_error));
    /// socket.release(); // never connected: destroyed, 'close', then freed
    /// nodenet::run().unwrap();
    /// assert!(nodenet::loop_stats().is_empty());
    /// ```
    pub fn release(self) {
        self.with_core("release", socket_state::release);
    }

    /// The server that accepted this socket: Node's `socket.server`; `None` for a socket
    /// this side connected.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let server = net::create_server(|client| {
    ///     assert!(client.server().is_some());
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn server(self) -> Option<crate::net::Server> {
        self.with("server", |socket| socket.server)
            .flatten()
            .map(crate::net::Server::from_id)
    }

    /// Whether the socket stays writable after the peer ends: Node's `socket.allowHalfOpen`.
    ///
    /// ```
    /// use nodenet::prelude::*;
    /// let socket = Socket::new(SocketOptions { allow_half_open: true, ..SocketOptions::default() });
    /// assert!(socket.allow_half_open());
    /// socket.release();
    /// # nodenet::run().unwrap();
    /// ```
    pub fn allow_half_open(self) -> bool {
        self.with("allow_half_open", |socket| socket.allow_half_open)
            .unwrap_or(false)
    }

    /// Lets the loop exit while this socket is open: Node's `socket.unref()`.
    ///
    /// ```
    /// let socket = nodenet::net::connect(9, "127.0.0.1", |_| {}).unref();
    /// nodenet::run().unwrap(); // returns without waiting for the socket
    /// socket.destroy();
    /// nodenet::run().unwrap();
    /// ```
    pub fn unref(self) -> Socket {
        self.with_core("unref", |core, id| core.set_referenced(id, false));
        self
    }

    /// Makes the socket keep the loop alive again: Node's `socket.ref()`.
    ///
    /// ```
    /// let socket = nodenet::net::connect(9, "127.0.0.1", |_| {}).unref().ref_();
    /// socket.destroy();
    /// nodenet::run().unwrap();
    /// ```
    pub fn ref_(self) -> Socket {
        self.with_core("ref", |core, id| core.set_referenced(id, true));
        self
    }
}

/// The socket's descriptor while it has one: Node's `socket._handle.fd`. Like Node's, it is
/// -1 before the socket connects and after it closes (and on a stale handle).
///
/// ```
/// use std::os::fd::AsRawFd;
/// use nodenet::prelude::*;
/// let socket = Socket::new(SocketOptions::default());
/// assert_eq!(socket.as_raw_fd(), -1);
/// socket.release();
/// # nodenet::run().unwrap();
/// ```
#[cfg(unix)]
impl std::os::fd::AsRawFd for Socket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.with("fd", |socket| {
            socket.stream.as_ref().map(|stream| stream.as_raw_fd())
        })
        .flatten()
        .unwrap_or(-1)
    }
}

// `'connection'` hands the listener a `Socket`, so its listener shape is stated here.
use crate::event::{listens_value, Connection, ServerEvent, ServerOnceEvent};
listens_value!(ServerEvent / ServerOnceEvent for Connection: Socket, Socket, |socket| *socket);
