//! The bytes a socket could not hand to the OS yet, and the callbacks waiting on them.
//!
//! Mirrors the buffered part of Node's `Writable` state (`writableLength`, the write callbacks)
//! together with libuv's write queue. Writes go straight to the socket when nothing is queued;
//! only what the kernel refused is copied here, and queued chunks leave in one vectored write.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, IoSlice};

use crate::error::Error;

/// A write's completion callback: `None` on success, the error otherwise.
pub(crate) type WriteCallback = Box<dyn FnOnce(Option<&Error>)>;

/// How many queued chunks one vectored write carries; more is rarely worth the slice setup.
const MAX_SLICES: usize = 64;

/// Chunks without callbacks smaller than this are appended to the previous chunk rather than
/// queued on their own, so many small writes do not become many small allocations.
const COALESCE_BELOW: usize = 4096;

/// How many buffers of sent chunks this thread keeps for the next chunks to queue.
const SPARE_BUFFERS: usize = 8;

/// Buffers larger than this are freed rather than kept: the loop's read size, which is what a
/// socket that echoes (or pipes) faster than its peer reads queues chunk after chunk.
const SPARE_MAX_CAPACITY: usize = 64 * 1024;

thread_local! {
    // A socket whose peer reads slower than it writes queues a copy of every chunk until the
    // kernel takes it; reusing the buffers of chunks already sent saves an allocation (and the
    // page faults of fresh memory) per chunk. Per thread, as each thread has its own loop.
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer holding a copy of `bytes`, reusing a spare one when there is one.
fn buffer_with(bytes: &[u8]) -> Vec<u8> {
    let spare = SPARE
        .try_with(|spare| spare.try_borrow_mut().ok()?.pop())
        .ok()
        .flatten();
    let mut buffer = spare.unwrap_or_default();
    buffer.extend_from_slice(bytes);
    buffer
}

/// Keeps the buffer of a chunk that has gone out (or never will), if it is worth keeping.
fn recycle(mut buffer: Vec<u8>) {
    if buffer.capacity() == 0 || buffer.capacity() > SPARE_MAX_CAPACITY {
        return;
    }
    buffer.clear();
    // During thread teardown the spares may be gone already; the buffer is just freed then.
    let _ = SPARE.try_with(|spare| {
        if let Ok(mut spare) = spare.try_borrow_mut() {
            if spare.len() < SPARE_BUFFERS {
                spare.push(buffer);
            }
        }
    });
}

struct Pending {
    bytes: Vec<u8>,
    /// How much of `bytes` has already gone out.
    sent: usize,
    callback: Option<WriteCallback>,
}

#[derive(Default)]
pub(crate) struct WriteQueue {
    chunks: VecDeque<Pending>,
    /// Bytes queued and not yet sent: Node's `writableLength`.
    len: usize,
}

impl WriteQueue {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    pub(crate) fn push(&mut self, bytes: &[u8], callback: Option<WriteCallback>) {
        self.len += bytes.len();
        if callback.is_none() {
            if let Some(last) = self.chunks.back_mut() {
                // Small writes join a small chunk; any write joins a chunk whose buffer has
                // room for it, so a reused buffer fills up before another is taken.
                let small = bytes.len() < COALESCE_BELOW && last.bytes.len() < COALESCE_BELOW;
                let fits = last.bytes.capacity() - last.bytes.len() >= bytes.len();
                if last.callback.is_none() && (small || fits) {
                    last.bytes.extend_from_slice(bytes);
                    return;
                }
            }
        }
        self.chunks.push_back(Pending {
            bytes: buffer_with(bytes),
            sent: 0,
            callback,
        });
    }

    /// Writes as much as the socket takes. Callbacks of chunks that went out completely are
    /// passed to `done`, in order.
    pub(crate) fn flush(
        &mut self,
        mut write: impl FnMut(&[IoSlice<'_>]) -> io::Result<usize>,
        mut done: impl FnMut(WriteCallback),
    ) -> io::Result<usize> {
        let mut total = 0;
        while !self.chunks.is_empty() {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let mut count = 0;
            for chunk in self.chunks.iter().take(MAX_SLICES) {
                slices[count] = IoSlice::new(&chunk.bytes[chunk.sent..]);
                count += 1;
            }
            let written = match write(&slices[..count]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => written,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
                Err(err) => return Err(err),
            };
            log::trace!("wrote {written} queued bytes");
            total += written;
            self.consume(written, &mut done);
        }
        Ok(total)
    }

    fn consume(&mut self, mut written: usize, done: &mut impl FnMut(WriteCallback)) {
        self.len -= written;
        while written > 0 {
            let Some(front) = self.chunks.front_mut() else {
                return;
            };
            let left = front.bytes.len() - front.sent;
            if written < left {
                front.sent += written;
                return;
            }
            written -= left;
            if let Some(chunk) = self.chunks.pop_front() {
                recycle(chunk.bytes);
                if let Some(callback) = chunk.callback {
                    done(callback);
                }
            }
        }
        // A zero-length write with a callback completes as soon as it reaches the front.
        while let Some(front) = self.chunks.front() {
            if front.bytes.len() > front.sent {
                return;
            }
            if let Some(chunk) = self.chunks.pop_front() {
                recycle(chunk.bytes);
                if let Some(callback) = chunk.callback {
                    done(callback);
                }
            }
        }
    }

    /// Empties the queue, handing back the callbacks that will never see their bytes sent.
    pub(crate) fn drain_callbacks(&mut self) -> Vec<WriteCallback> {
        self.len = 0;
        self.chunks
            .drain(..)
            .filter_map(|chunk| {
                recycle(chunk.bytes);
                chunk.callback
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_writes_keep_order_and_call_back_once_each() {
        let mut queue = WriteQueue::default();
        let calls = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        for n in 0..3u8 {
            let calls = calls.clone();
            queue.push(&[n; 5], Some(Box::new(move |_| calls.borrow_mut().push(n))));
        }
        assert_eq!(queue.len(), 15);
        let mut out = Vec::new();
        let budget = [7usize, 3, 100];
        let mut turn = 0;
        let mut callbacks = Vec::new();
        queue
            .flush(
                |slices| {
                    let allowed = budget.get(turn).copied().unwrap_or(0);
                    turn += 1;
                    if allowed == 0 {
                        return Err(io::ErrorKind::WouldBlock.into());
                    }
                    let mut n = 0;
                    for slice in slices {
                        let take = slice.len().min(allowed - n);
                        out.extend_from_slice(&slice[..take]);
                        n += take;
                    }
                    Ok(n)
                },
                |callback| callbacks.push(callback),
            )
            .unwrap();
        for callback in callbacks {
            callback(None);
        }
        assert_eq!(out, [[0u8; 5], [1; 5], [2; 5]].concat());
        assert_eq!(*calls.borrow(), [0, 1, 2]);
        assert!(queue.is_empty());
        assert_eq!(queue.len(), 0);
    }

    /// Refuses everything: the kernel's send buffer is full.
    fn full(_: &[IoSlice<'_>]) -> io::Result<usize> {
        Err(io::ErrorKind::WouldBlock.into())
    }

    /// Takes everything offered.
    fn open(slices: &[IoSlice<'_>]) -> io::Result<usize> {
        Ok(slices.iter().map(|slice| slice.len()).sum())
    }

    #[test]
    fn buffers_of_sent_chunks_are_reused_for_the_next_chunks() {
        let mut queue = WriteQueue::default();
        queue.push(&[1; 40_000], None);
        queue.push(&[2; 40_000], Some(Box::new(|_| {})));
        let first: Vec<*const u8> = queue.chunks.iter().map(|c| c.bytes.as_ptr()).collect();
        let mut callbacks = Vec::new();
        queue
            .flush(open, |callback| callbacks.push(callback))
            .unwrap();
        assert!(queue.is_empty());
        assert_eq!(callbacks.len(), 1);
        queue.push(&[3; 40_000], Some(Box::new(|_| {})));
        queue.push(&[4; 40_000], Some(Box::new(|_| {})));
        let mut again: Vec<*const u8> = queue.chunks.iter().map(|c| c.bytes.as_ptr()).collect();
        again.sort();
        let mut first = first;
        first.sort();
        assert_eq!(again, first, "both buffers came from the spares");
        assert_eq!(queue.len(), 80_000);
        let mut out = Vec::new();
        queue
            .flush(
                |slices| {
                    for slice in slices {
                        out.extend_from_slice(slice);
                    }
                    open(slices)
                },
                |_| {},
            )
            .unwrap();
        assert_eq!(out, [[3u8; 40_000], [4; 40_000]].concat());
    }

    #[test]
    fn writes_without_callbacks_fill_the_room_left_in_the_last_chunk() {
        let mut queue = WriteQueue::default();
        let mut big = Vec::with_capacity(64 * 1024);
        big.extend_from_slice(&[7; 100]);
        recycle(big);
        queue.push(&[1; 5000], None);
        queue.push(&[2; 5000], None);
        assert_eq!(
            queue.chunks.len(),
            1,
            "the second write fits in the reused buffer"
        );
        // A callback keeps its write a chunk of its own, and what follows it too.
        queue.push(&[3; 10], Some(Box::new(|_| {})));
        queue.push(&[4; 10], None);
        assert_eq!(queue.chunks.len(), 3);
        queue.flush(full, |_| {}).unwrap();
        assert_eq!(queue.len(), 10_020);
        let mut out = Vec::new();
        queue
            .flush(
                |slices| {
                    for slice in slices {
                        out.extend_from_slice(slice);
                    }
                    open(slices)
                },
                |callback| callback(None),
            )
            .unwrap();
        assert_eq!(
            out,
            [&[1u8; 5000][..], &[2; 5000], &[3; 10], &[4; 10]].concat()
        );
    }

    #[test]
    fn oversized_buffers_are_freed_and_the_spares_stay_few() {
        recycle(Vec::with_capacity(SPARE_MAX_CAPACITY + 1));
        for _ in 0..2 * SPARE_BUFFERS {
            recycle(Vec::with_capacity(1024));
        }
        let kept = SPARE.with_borrow(|spare| {
            assert!(spare
                .iter()
                .all(|buffer| buffer.capacity() <= SPARE_MAX_CAPACITY));
            spare.len()
        });
        assert_eq!(kept, SPARE_BUFFERS);
    }
}
