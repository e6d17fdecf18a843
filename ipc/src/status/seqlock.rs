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

    /// Stores `bytes` at byte offset `at`, skipping the seqlock word.
    pub fn store_from(&self, at: usize, bytes: &[u8]) {
        let first = at / WORD;
        let words = &self.words[first..(at + bytes.len()) / WORD];
        for (i, (chunk, word)) in bytes.chunks_exact(WORD).zip(words).enumerate() {
            if (first + i) * WORD == SEQLOCK_OFFSET {
                continue;
            }
            let mut value = [0u8; WORD];
            value.copy_from_slice(chunk);
            word.store(usize::from_ne_bytes(value), Ordering::Relaxed);
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
