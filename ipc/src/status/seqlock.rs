//! The seqlock over the mapped segment, done with atomics only.
//!
//! Every access to the shared bytes, in every process, is an aligned,
//! word-sized atomic load or store through [`Words`]; no `&[u8]` to the
//! mapping is ever formed, so a concurrent write is never a data race in the
//! Rust sense, only a value the reader throws away.
//!
//! Why this is sound (the classic seqlock argument, Boehm 2012):
//! - writer: `seq = odd` (Relaxed), `fence(Release)`, payload stores (Relaxed),
//!   `seq = even` (Release).
//! - reader: `s1 = seq` (Relaxed) then `fence(Acquire)`; retry if odd. Payload
//!   loads (Relaxed). `fence(Acquire)`, `s2 = seq` (Relaxed); accept iff `s1 == s2`.
//! - If `s1` read the even value of a finished publish, the writer's Release
//!   store and the reader's Acquire fence synchronise: every payload store of
//!   that publish and of earlier ones is visible to the payload loads.
//! - If any payload load read a store of a *later* publish, that store follows
//!   the writer's Release fence, so the reader's second Acquire fence
//!   synchronises with it and the odd `seq` store of that publish happens
//!   before the `s2` load: `s2` is that odd value or later, never `s1`
//!   (the counter only grows). So an accepted copy holds one publish, whole.
//!
//! The reader uses only Relaxed loads plus fences (never Acquire loads)
//! because its mapping is read-only: Rust guarantees that Relaxed atomic loads
//! of at most pointer size work on read-only memory, hence `AtomicUsize`
//! words (8 bytes on 64-bit targets, 4 on 32-bit ones, where the low half of
//! the little-endian u64 counter is the part that counts).

use std::sync::atomic::{AtomicUsize, Ordering, fence};

use super::layout::SEQLOCK_OFFSET;

/// Bytes in one atomic word.
pub const WORD: usize = size_of::<usize>();

/// Mapped bytes seen as a slice of atomic words.
pub struct Words<'a> {
    words: &'a [AtomicUsize],
}

impl<'a> Words<'a> {
    /// Views `len` bytes at `ptr` as atomic words.
    ///
    /// # Safety
    /// `ptr` must be valid for reads of `len` bytes for `'a` (and for writes
    /// too if any store method is called), aligned to [`WORD`], with `len` a
    /// multiple of [`WORD`]; every other access to these bytes, in any
    /// process, must be an aligned atomic word access as done here.
    pub unsafe fn from_raw(ptr: *const u8, len: usize) -> Words<'a> {
        debug_assert!(ptr.cast::<AtomicUsize>().is_aligned() && len % WORD == 0);
        // SAFETY: alignment, size and lifetime are the caller's contract;
        // AtomicUsize has the size and alignment of usize.
        let words = unsafe { std::slice::from_raw_parts(ptr.cast::<AtomicUsize>(), len / WORD) };
        Words { words }
    }

    /// Loads the words covering `out.len()` bytes from byte offset `at`.
    pub fn load_into(&self, at: usize, out: &mut [u8]) {
        let words = &self.words[at / WORD..(at + out.len()) / WORD];
        for (chunk, word) in out.chunks_exact_mut(WORD).zip(words) {
            chunk.copy_from_slice(&word.load(Ordering::Relaxed).to_ne_bytes());
        }
    }

    /// Stores `bytes` at byte offset `at`, skipping the seqlock word and
    /// words that already hold their value. Most of a publish repeats the
    /// last one (names, kinds, zones), and a word left alone stays in every
    /// reader's cache instead of being taken back by the writer's core. The
    /// load is the writer's own: it is the only one storing these words.
    pub fn store_from(&self, at: usize, bytes: &[u8]) {
        let first = at / WORD;
        let words = &self.words[first..(at + bytes.len()) / WORD];
        for (i, (chunk, word)) in bytes.chunks_exact(WORD).zip(words).enumerate() {
            if (first + i) * WORD == SEQLOCK_OFFSET {
                continue;
            }
            let mut value = [0u8; WORD];
            value.copy_from_slice(chunk);
            let value = usize::from_ne_bytes(value);
            if word.load(Ordering::Relaxed) != value {
                word.store(value, Ordering::Relaxed);
            }
        }
    }

    fn seq(&self) -> &AtomicUsize {
        &self.words[SEQLOCK_OFFSET / WORD]
    }

    /// Writer: marks a publish as started (odd counter). `seq` is the
    /// writer's own copy of the even counter.
    pub fn begin_write(&self, seq: usize) {
        self.seq()
            .store(seq.wrapping_add(1).to_le(), Ordering::Relaxed);
        fence(Ordering::Release);
    }

    /// Writer: marks the publish as finished; returns the new even counter.
    pub fn end_write(&self, seq: usize) -> usize {
        let done = seq.wrapping_add(2);
        self.seq().store(done.to_le(), Ordering::Release);
        done
    }

    /// Reader: the (even) counter before copying, or the odd counter of
    /// the publish that is running.
    pub fn read_begin(&self) -> Result<usize, usize> {
        let seq = usize::from_le(self.seq().load(Ordering::Relaxed));
        fence(Ordering::Acquire);
        if seq % 2 == 0 { Ok(seq) } else { Err(seq) }
    }

    /// Reader: whether the copy made since `read_begin` returned `seq` is whole.
    pub fn read_validate(&self, seq: usize) -> bool {
        fence(Ordering::Acquire);
        usize::from_le(self.seq().load(Ordering::Relaxed)) == seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    /// Words in the test segment: the seqlock word and the rest payload.
    const WORDS: usize = 16;

    /// A writer thread publishing and a reader thread copying over the same
    /// words, as two processes do over the mapping. In any build: a copy
    /// the reader accepts is one whole publish. Under Miri
    /// (`cargo +nightly miri test -p homesec-ipc --lib seqlock`): the view
    /// `from_raw` makes is sound and every access is atomic, so the race
    /// between writer and reader is no data race.
    #[test]
    fn a_copy_the_reader_accepts_is_one_whole_publish() {
        let publishes: u64 = if cfg!(miri) { 30 } else { 200_000 };
        let memory: Vec<AtomicU64> = (0..WORDS).map(|_| AtomicU64::new(0)).collect();
        let len = WORDS * size_of::<AtomicU64>();
        // SAFETY: `memory` is 8-aligned, `len` bytes long, outlives both
        // threads, and is touched only through `Words`.
        let words = unsafe { Words::from_raw(memory.as_ptr().cast(), len) };
        let (words, done) = (&words, &std::sync::atomic::AtomicBool::new(false));
        std::thread::scope(|s| {
            s.spawn(move || {
                let mut seq = 0;
                for n in 1..=publishes {
                    words.begin_write(seq);
                    words.store_from(0, &payload(n));
                    seq = words.end_write(seq);
                }
                done.store(true, Ordering::Release);
            });
            s.spawn(move || {
                let (mut accepted, mut last) = (0u64, 0u64);
                let mut copy = [0u8; WORDS * 8];
                while !done.load(Ordering::Acquire) || accepted == 0 {
                    let Ok(seq) = words.read_begin() else {
                        continue;
                    };
                    words.load_into(0, &mut copy);
                    if !words.read_validate(seq) {
                        continue;
                    }
                    let n = whole_publish(&copy);
                    assert!(n >= last, "publish {n} after {last}");
                    (accepted, last) = (accepted + 1, n);
                }
            });
        });
    }

    /// Every payload word of publish `n` holds `n`.
    fn payload(n: u64) -> Vec<u8> {
        (0..WORDS).flat_map(|_| n.to_le_bytes()).collect()
    }

    /// The publish a copy holds; panics if its words disagree (a torn copy).
    fn whole_publish(copy: &[u8]) -> u64 {
        let mut values = copy
            .chunks_exact(8)
            .enumerate()
            .filter(|(i, _)| i * 8 != SEQLOCK_OFFSET)
            .map(|(_, w)| u64::from_le_bytes(w.try_into().unwrap_or_default()));
        let first = values.next().unwrap_or_default();
        assert!(values.all(|v| v == first), "a torn copy: {copy:?}");
        first
    }
}
