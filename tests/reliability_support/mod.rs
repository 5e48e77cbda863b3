//! Measuring helpers for the reliability tests (`tests/reliability_*.rs`, scenarios in
//! `docs/reliability.md`): open descriptors, resident memory, percentiles, a byte pattern that
//! shows reordering, and a lock that keeps process-wide figures from mixing with other tests.
#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

static EXCLUSIVE: Mutex<()> = Mutex::new(());

/// Runs the tests of one file one at a time: descriptor counts and resident memory are
/// process-wide, so a test measuring them must not share the process with another one running.
/// A test that failed (poisoning the lock) does not fail the others.
pub fn exclusive() -> MutexGuard<'static, ()> {
    EXCLUSIVE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How many descriptors this process has open: the entries of `/proc/self/fd` (the count
/// includes the directory handle used to list it, the same in every measurement).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|entries| entries.count())
        .unwrap_or(0)
}

/// The descriptor numbers this process has open.
pub fn fd_set() -> std::collections::BTreeSet<u32> {
    std::fs::read_dir("/proc/self/fd")
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// This process's resident memory in bytes (`VmRSS` in `/proc/self/status`).
pub fn rss_bytes() -> usize {
    status_kib("VmRSS:") * 1024
}

fn status_kib(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// The `p`th percentile (0..=100) of `samples`, nearest-rank.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// One period of a byte stream in which each offset's byte depends on the offset: a prime
/// period, so lost, repeated or reordered 64 KiB reads show up as a mismatch.
pub const PATTERN_PERIOD: usize = 65_537;

/// Two periods of the pattern, so any `PATTERN_PERIOD` bytes starting anywhere in the first
/// period are one slice.
pub fn pattern() -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    let period: Vec<u8> = (0..PATTERN_PERIOD)
        .map(|_| {
            // xorshift32
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    [period.clone(), period].concat()
}

/// Whether `bytes`, found at stream offset `offset`, are the pattern's.
pub fn matches_pattern(pattern: &[u8], offset: u64, bytes: &[u8]) -> bool {
    let mut at = (offset % PATTERN_PERIOD as u64) as usize;
    let mut rest = bytes;
    while !rest.is_empty() {
        let take = rest.len().min(PATTERN_PERIOD);
        if pattern[at..at + take] != rest[..take] {
            return false;
        }
        rest = &rest[take..];
        at = (at + take) % PATTERN_PERIOD;
    }
    true
}

/// The pattern's bytes from stream offset `offset`, at most `len` of them (one period at most).
pub fn pattern_at(pattern: &[u8], offset: u64, len: usize) -> &[u8] {
    let at = (offset % PATTERN_PERIOD as u64) as usize;
    &pattern[at..at + len.min(PATTERN_PERIOD)]
}

/// The slab index in a socket's `Debug` form, `Socket(index#generation)`.
pub fn slot_index(socket: nodenet::net::Socket) -> usize {
    let text = format!("{socket:?}");
    text.trim_start_matches("Socket(")
        .split('#')
        .next()
        .and_then(|index| index.parse().ok())
        .expect("Socket's Debug is Socket(index#generation)")
}
