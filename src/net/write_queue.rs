//! The bytes a socket could not hand to the OS yet, and the callbacks waiting on them.
//!
//! Mirrors the buffered part of Node's `Writable` state (`writableLength`, the write callbacks)
//! together with libuv's write queue. Writes go straight to the socket when nothing is queued;
//! only what the kernel refused is copied here, and queued chunks leave in one vectored write.

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
        if callback.is_none() && bytes.len() < COALESCE_BELOW {
            if let Some(last) = self.chunks.back_mut() {
                if last.callback.is_none() && last.bytes.len() < COALESCE_BELOW {
                    last.bytes.extend_from_slice(bytes);
                    return;
                }
            }
        }
        self.chunks.push_back(Pending {
            bytes: bytes.to_vec(),
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
            if let Some(callback) = self.chunks.pop_front().and_then(|chunk| chunk.callback) {
                done(callback);
            }
        }
    }

    /// Empties the queue, handing back the callbacks that will never see their bytes sent.
    pub(crate) fn drain_callbacks(&mut self) -> Vec<WriteCallback> {
        self.len = 0;
        self.chunks
            .drain(..)
            .filter_map(|chunk| chunk.callback)
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
}
