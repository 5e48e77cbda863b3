//! `Framed`: a [`Socket`] that speaks in messages instead of bytes.
//!
//! Node has no counterpart: every Node protocol implementation hand-writes this on top of
//! `socket.on('data')` (a buffer, a loop that cuts messages out of it, a header on the way out).
//! `Framed` does it once, with a [`Codec`]: a `'message'` event per whole frame and a
//! [`send`](Framed::send) that adds the header or delimiter. It follows the socket's flow
//! control: `pause()` inside a message listener holds back the rest of the chunk's messages
//! until the socket resumes, and `send` returns `write`'s bool.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use super::{Codec, Decoder, FrameError};
use crate::chunk::Chunk;
use crate::error::Error;
use crate::event::{Close, Data};
use crate::listeners::{emit_snapshot, ListenerId, Listeners};
use crate::net::Socket;
use crate::runtime::emit::invoke;

/// `'message'`: a whole frame arrived on a [`Framed`] socket. Listener: `|frame| ...`, with
/// a [`Chunk`]. The same event name as a UDP socket's `'message'`
/// ([`event::Message`](crate::event::Message)), so both can be imported together.
///
/// ```
/// use nodenet::event::Event;
/// assert_eq!(nodenet::framing::Message.name(), "message");
/// ```
pub use crate::event::Message;

/// `send` encodes into a reused buffer; past this capacity the buffer is given back after the
/// send, so one huge message does not pin its memory for the connection's lifetime.
const KEPT_SCRATCH: usize = 64 * 1024;

type MessageListener = Rc<RefCell<dyn for<'a> FnMut(Chunk<'a>)>>;

/// A socket with a [`Codec`]: `'message'` events in, framed [`send`](Framed::send)s out.
///
/// Made with [`Framed::new`] right after the socket is (in the connection listener, or on the
/// socket `net::connect` returned), so that no byte reaches `'data'` before the framing does.
/// Cloning gives another handle to the same framing, to capture in closures.
///
/// - **Receiving**: each whole frame is a `'message'` ([`Framed::on`] with [`Message`]). A frame
///   that arrived whole in one read is lent straight out of the read buffer, with no copy; only
///   a frame cut across reads is buffered, and never more than one maximal frame of it.
/// - **Too large or malformed**: the peer's socket is destroyed with an error whose code is the
///   [`FrameError::code`] (`ERR_FRAME_TOO_LARGE`, `ERR_FRAME_INVALID_LENGTH`): `'error'`, then
///   `'close'` with `had_error` true. Messages before the bad frame are still delivered.
/// - **Pause**: `socket.pause()` inside a message listener stops the messages at once; the rest
///   of the chunk goes back into the socket's buffer (as Node's `unshift`), which holds it, and
///   the socket's `'end'`, until the socket resumes; then it comes first, before any new data.
/// - **Sending**: [`send`](Framed::send) returns `write`'s bool (false at the high-water mark:
///   wait for `'drain'`), or an error if the frame cannot be encoded, in which case nothing was
///   written and the socket is untouched.
/// - **End**: a partial frame left when the peer ends is dropped (see
///   [`buffered`](Framed::buffered) in an `'end'` listener to detect it).
///
/// ```
/// use nodenet::framing::{Framed, LineCodec, Message};
/// use nodenet::prelude::*;
///
/// let server = net::create_server(|client| {
///     let framed = Framed::new(client, LineCodec::crlf());
///     let reply = framed.clone();
///     framed.on(Message, move |line| {
///         reply.send(format!("you said: {line}")).unwrap();
///     });
/// });
/// server
///     .listen((0, "127.0.0.1"), move || {
///         let port = server.address().unwrap().port;
///         let socket = net::connect(port, "127.0.0.1", |socket| {
///             socket.write("hel");
///             socket.write("lo\r\nbye\r\n"); // however TCP cuts and glues these...
///         });
///         let framed = Framed::new(socket, LineCodec::crlf());
///         let mut replies = Vec::new();
///         framed.on(Message, move |line| {
///             replies.push(line.to_string()); // ...each line arrives whole
///             if replies.len() == 2 {
///                 assert_eq!(replies, ["you said: hello", "you said: bye"]);
///                 socket.end();
///                 server.close(());
///             }
///         });
///     })
///     .unwrap();
/// nodenet::run().unwrap();
/// ```
pub struct Framed<C: Codec> {
    socket: Socket,
    shared: Rc<Shared<C>>,
}

struct Shared<C: Codec> {
    /// `None` once the socket has closed, which frees a partial frame's buffer.
    decoder: RefCell<Option<Decoder<C>>>,
    /// A copy of the codec for `send`, which may run inside a message listener while the
    /// decoder is borrowed.
    encoder: C,
    scratch: RefCell<Vec<u8>>,
    listeners: RefCell<Listeners<(), MessageListener>>,
    /// The decoder's `buffered()` as of the last read processed, readable while it is borrowed.
    buffered: Cell<usize>,
    /// The socket has closed: listeners are gone and none may be added, so that closures
    /// holding a `Framed` cannot keep each other alive.
    closed: Cell<bool>,
}

impl<C: Codec> Clone for Framed<C> {
    fn clone(&self) -> Self {
        Framed {
            socket: self.socket,
            shared: Rc::clone(&self.shared),
        }
    }
}

impl<C: Codec> fmt::Debug for Framed<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Framed")
            .field("socket", &self.socket)
            .field("buffered", &self.shared.buffered.get())
            .finish_non_exhaustive()
    }
}

impl<C: Codec + Clone + 'static> Framed<C> {
    /// Frames `socket` with `codec`: from now on its bytes are cut into `'message'`s.
    ///
    /// `'data'` listeners keep working alongside (they see the raw chunks). A stale socket gives
    /// a `Framed` that never emits and whose `send` returns `Ok(false)`.
    ///
    /// ```
    /// use nodenet::framing::{Framed, LengthPrefixedCodec};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let framed = Framed::new(client, LengthPrefixedCodec::new().with_max_frame_len(1024));
    ///     framed.on(nodenet::framing::Message, move |frame| println!("{} bytes", frame.len()));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn new(socket: Socket, codec: C) -> Framed<C> {
        let shared = Rc::new(Shared {
            encoder: codec.clone(),
            decoder: RefCell::new(Some(Decoder::new(codec))),
            scratch: RefCell::new(Vec::new()),
            listeners: RefCell::new(Listeners::default()),
            buffered: Cell::new(0),
            closed: Cell::new(false),
        });
        let on_data = Rc::clone(&shared);
        socket.on(Data, move |chunk| deliver(socket, &on_data, &chunk));
        let on_close = Rc::clone(&shared);
        socket.on(Close, move |_had_error| on_close.close());
        if socket.destroyed() {
            // Stale handle: the listeners above were dropped and no 'close' will come.
            shared.close();
        }
        Framed { socket, shared }
    }
}

impl<C: Codec> Framed<C> {
    /// The framed socket, for everything else: `end`, `pause`, `'close'`, addresses.
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let framed = Framed::new(client, LineCodec::new());
    ///     assert_eq!(framed.socket(), client);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn socket(&self) -> Socket {
        self.socket
    }

    /// The codec frames are encoded with.
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let framed = Framed::new(client, LineCodec::crlf());
    ///     assert!(framed.codec().strips_cr());
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn codec(&self) -> &C {
        &self.shared.encoder
    }

    /// Adds a `'message'` listener, called with each whole frame (header or delimiter removed),
    /// and returns the `Framed`, for chaining. The [`Chunk`] is lent for the call, as a
    /// `'data'` chunk is: `to_vec()` it to keep it.
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec, Message};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     Framed::new(client, LineCodec::new())
    ///         .on(Message, move |line| println!("{line}"))
    ///         .on(Message, move |line| println!("again: {line}"));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn on<F, R>(&self, event: Message, listener: F) -> &Self
    where
        F: FnMut(Chunk<'_>) -> R + 'static,
    {
        self.on_with_id(event, listener);
        self
    }

    /// Adds a `'message'` listener like [`on`](Framed::on) and returns its id, for
    /// [`off`](Framed::off).
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec, Message};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let framed = Framed::new(client, LineCodec::new());
    ///     let id = framed.on_with_id(Message, move |_| {});
    ///     assert_eq!(framed.listener_count(Message), 1);
    ///     assert_eq!(framed.off(id).listener_count(Message), 0);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn on_with_id<F, R>(&self, _event: Message, mut listener: F) -> ListenerId
    where
        F: FnMut(Chunk<'_>) -> R + 'static,
    {
        self.add(
            Rc::new(RefCell::new(move |frame: Chunk<'_>| {
                listener(frame);
            })),
            false,
        )
    }

    /// Adds a `'message'` listener that runs for the next message only, and returns the
    /// `Framed`. It may be an `FnOnce`.
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec, Message};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let greeting = String::from("nickname");
    ///     Framed::new(client, LineCodec::new()).once(Message, move |nick| println!("{greeting}: {nick}"));
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn once<F, R>(&self, event: Message, listener: F) -> &Self
    where
        F: FnOnce(Chunk<'_>) -> R + 'static,
    {
        self.once_with_id(event, listener);
        self
    }

    /// [`once`](Framed::once), returning the listener's id for [`off`](Framed::off).
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec, Message};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let framed = Framed::new(client, LineCodec::new());
    ///     let id = framed.once_with_id(Message, move |_| {});
    ///     assert_eq!(framed.off(id).listener_count(Message), 0);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn once_with_id<F, R>(&self, _event: Message, listener: F) -> ListenerId
    where
        F: FnOnce(Chunk<'_>) -> R + 'static,
    {
        let mut listener = Some(listener);
        self.add(
            Rc::new(RefCell::new(move |frame: Chunk<'_>| {
                if let Some(listener) = listener.take() {
                    listener(frame);
                }
            })),
            true,
        )
    }

    fn add(&self, callback: MessageListener, once: bool) -> ListenerId {
        let mut listeners = self.shared.listeners.borrow_mut();
        if self.shared.closed.get() {
            return listeners.add_detached();
        }
        listeners.add((), callback, once, false)
    }

    /// Removes a `'message'` listener by the id `on_with_id` returned, and returns the
    /// `Framed`.
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec, Message};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let framed = Framed::new(client, LineCodec::new());
    ///     let id = framed.on_with_id(Message, move |_| {});
    ///     assert_eq!(framed.off(id).listener_count(Message), 0);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn off(&self, listener: ListenerId) -> &Self {
        let removed = self.shared.listeners.borrow_mut().remove(listener);
        // Dropped outside the borrow: the closure may own the last handle to this `Framed`.
        drop(removed);
        self
    }

    /// How many `'message'` listeners there are.
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec, Message};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     assert_eq!(Framed::new(client, LineCodec::new()).listener_count(Message), 0);
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn listener_count(&self, _event: Message) -> usize {
        self.shared.listeners.borrow().count(&())
    }

    /// Encodes `frame` and writes it: `Ok` holds `socket.write`'s bool (false once the write
    /// buffer reaches the high-water mark: wait for `'drain'`). `Err` when the codec refuses the
    /// frame (too large, contains the delimiter, wrong size); then nothing was written.
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let framed = Framed::new(client, LineCodec::new().with_max_frame_len(5));
    ///     assert!(framed.send("hello").is_ok());
    ///     let err = framed.send("far too long").unwrap_err();
    ///     assert_eq!(err.code(), "ERR_FRAME_TOO_LARGE");
    ///     let err = framed.send("two\nlines").unwrap_err();
    ///     assert_eq!(err.code(), "ERR_FRAME_CONTAINS_DELIMITER");
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn send(&self, frame: impl AsRef<[u8]>) -> Result<bool, FrameError> {
        // `write` runs no user code, so nothing can re-enter while the buffer is borrowed; the
        // fallback only guards against a future change making that false.
        let mut local = Vec::new();
        let mut scratch = self.shared.scratch.try_borrow_mut();
        let buffer = match scratch.as_deref_mut() {
            Ok(buffer) => buffer,
            Err(_) => &mut local,
        };
        buffer.clear();
        self.shared.encoder.encode(frame.as_ref(), buffer)?;
        let written = self.socket.write(&buffer[..]);
        if buffer.capacity() > KEPT_SCRATCH {
            *buffer = Vec::new();
        } else {
            buffer.clear();
        }
        Ok(written)
    }

    /// Bytes the framing holds: a partial frame, plus whole frames waiting for `resume()`. As of
    /// the last read processed (inside a message listener, before the current read).
    ///
    /// ```
    /// use nodenet::framing::{Framed, LineCodec};
    /// use nodenet::prelude::*;
    ///
    /// let server = net::create_server(|client| {
    ///     let framed = Framed::new(client, LineCodec::new());
    ///     client.on(End, move || {
    ///         if framed.buffered() > 0 {
    ///             println!("the peer ended in the middle of a line");
    ///         }
    ///     });
    /// });
    /// # server.close(());
    /// # nodenet::run().unwrap();
    /// ```
    pub fn buffered(&self) -> usize {
        self.shared.buffered.get()
    }
}

impl<C: Codec> Shared<C> {
    /// Drops the message listeners (they usually hold a `Framed`, and so this `Shared`) and the
    /// decoder with its buffer.
    fn close(&self) {
        self.closed.set(true);
        let removed = self.listeners.borrow_mut().remove_all(None);
        drop(removed);
        let decoder = self
            .decoder
            .try_borrow_mut()
            .map(|mut decoder| decoder.take());
        // A socket closed from inside a message listener: `deliver` sees `closed` and lets go.
        drop(decoder);
        self.buffered.set(0);
    }

    /// Calls every message listener with `frame`, with the emit rules every emitter shares.
    fn emit(&self, frame: Chunk<'_>) {
        let snapshot = self.listeners.borrow().snapshot();
        emit_snapshot(
            &snapshot,
            |_| true,
            |entry| {
                let removed = self.listeners.borrow_mut().remove(entry.id);
                drop(removed);
            },
            |listener| invoke(listener, |listener| listener(frame)),
        );
    }
}

/// Cuts `input` (a chunk just read, or nothing on `'resume'`) into messages and emits them while
/// the socket flows; what is left waits in the decoder.
fn deliver<C: Codec>(socket: Socket, shared: &Shared<C>, input: &[u8]) {
    let Ok(mut slot) = shared.decoder.try_borrow_mut() else {
        // Only a nested emit of this socket's 'data' could get here; the outer call carries on.
        log::warn!("framing: {socket:?} delivered data re-entrantly; chunk skipped");
        return;
    };
    let Some(decoder) = slot.as_mut() else {
        return;
    };
    let mut failure = None;
    let mut frames = decoder.feed(input);
    // Checked before each message: a listener may pause, destroy or close the socket.
    while !socket.is_paused() && !socket.destroyed() && !shared.closed.get() {
        match frames.next_frame() {
            Some(Ok(frame)) => shared.emit(Chunk::new(frame)),
            Some(Err(err)) => {
                failure = Some(err);
                break;
            }
            None => break,
        }
    }
    drop(frames);
    // Paused with frames still to come: give the bytes back to the socket, which holds them
    // (and its 'end') until it resumes and then delivers them first, as Node's parsers do
    // with `unshift`.
    let unread = (socket.is_paused() && !socket.destroyed() && decoder.buffered() > 0)
        .then(|| decoder.take_unread());
    shared.buffered.set(decoder.buffered());
    if shared.closed.get() {
        slot.take();
        shared.buffered.set(0);
    }
    drop(slot);
    if let Some(unread) = unread {
        socket.unshift(unread);
    }
    if let Some(err) = failure {
        socket.destroy_with_error(Error::with_code(err.code(), err.to_string()));
    }
}
