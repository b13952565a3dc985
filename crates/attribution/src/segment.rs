//! One immutable segment of a DataNet's span index: the token-id sequence of its contributions,
//! separated, and the suffix array over it.
//!
//! ```text
//! text:   [ids of contribution A] 0 [ids of contribution B] 0 ...      0 = separator
//! sa:     every position of text, sorted by the suffix starting there   (libsais, O(n))
//! starts/ends: byte range of each position's word in its contribution   (evidence offsets)
//! vocab:  the segment's words, sorted; word i has id i + 1, and df[i] contributions contain it
//! ```
//!
//! Segments are self-contained (own vocabulary, own document-frequency counts), so one file is
//! one segment and merging two is a concatenation with the ids remapped, then a new suffix array.

use std::{
    collections::HashMap,
    fs,
    io::{BufReader, BufWriter, Read, Write},
    ops::Range,
    path::Path,
};

use alloy_primitives::B256;
use libsais::SuffixArrayConstruction;

use crate::{
    error::{AttributionError, Result},
    store::write_atomic_with,
    tokenize::for_each_token,
};

/// Separates contributions in the text; no query token has this id, so no match crosses it.
pub(crate) const SEPARATOR: u32 = 0;
/// The id a query word absent from a segment's vocabulary gets: it matches nothing.
pub(crate) const UNKNOWN: u32 = u32::MAX;
/// libsais builds 32-bit suffix arrays over `i32` texts: positions and ids must fit in an `i32`.
pub(crate) const MAX_SEGMENT_TOKENS: u64 = i32::MAX as u64 - 1;

const MAGIC: &[u8; 8] = b"TRBATSEG";
const FORMAT_VERSION: u32 = 1;
/// Magic, version, four u64 counts, crc32.
const HEADER_LEN: u64 = 8 + 4 + 4 * 8 + 4;
/// Contribution id, content hash, start, length.
const DOC_LEN: u64 = 8 + 32 + 4 + 4;

/// A contribution inside a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocEntry {
    pub(crate) contribution_id: u64,
    pub(crate) content_hash: B256,
    /// Position of its first token in the segment's text.
    pub(crate) start: u32,
    /// Number of its tokens (the separator after them not counted).
    pub(crate) len: u32,
}

/// See the module doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    vocab: Vec<Box<str>>,
    df: Vec<u32>,
    docs: Vec<DocEntry>,
    text: Vec<u32>,
    sa: Vec<u32>,
    starts: Vec<u32>,
    ends: Vec<u32>,
    /// Derived, not stored: the suffixes starting with word id `w` are
    /// `sa[buckets[w]..buckets[w + 1]]` (the suffix array is sorted by first word), which
    /// replaces the two widest binary searches of every lookup by two reads.
    buckets: Vec<u32>,
}

/// Collects tokenized contributions, then sorts the vocabulary and builds the suffix array.
#[derive(Debug, Default)]
pub(crate) struct SegmentBuilder {
    /// Word -> provisional id (order of first appearance, from 1).
    ids: HashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    df: Vec<u32>,
    /// The last document (+1) each provisional id was counted in, for `df`.
    seen_in: Vec<u32>,
    docs: Vec<DocEntry>,
    text: Vec<u32>,
    starts: Vec<u32>,
    ends: Vec<u32>,
}

impl SegmentBuilder {
    /// Tokens collected so far, separators included.
    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    /// Appends one contribution.
    pub(crate) fn push(
        &mut self,
        contribution_id: u64,
        content_hash: B256,
        text: &str,
    ) -> Result<()> {
        let byte_len = text.len() as u64;
        if byte_len > u64::from(u32::MAX) {
            // Offsets are stored as u32; a 4 GiB "text" is not a contribution anyone quotes.
            return Err(AttributionError::ContributionTooLarge {
                content_hash,
                bytes: byte_len,
            });
        }
        let doc_number = self.docs.len() as u32 + 1;
        let start = self.text.len();
        let Self {
            ids,
            words,
            df,
            seen_in,
            text: ids_text,
            starts,
            ends,
            ..
        } = self;
        for_each_token(text, |word, range| {
            let id = match ids.get(word) {
                Some(&id) => id,
                None => {
                    let id = words.len() as u32 + 1;
                    ids.insert(word.into(), id);
                    words.push(word.into());
                    df.push(0);
                    seen_in.push(0);
                    id
                }
            };
            let slot = id as usize - 1;
            if seen_in[slot] != doc_number {
                seen_in[slot] = doc_number;
                df[slot] += 1;
            }
            ids_text.push(id);
            starts.push(range.start as u32);
            ends.push(range.end as u32);
        });
        self.text.push(SEPARATOR);
        self.starts.push(0);
        self.ends.push(0);
        let total = self.text.len() as u64;
        if total > MAX_SEGMENT_TOKENS {
            return Err(AttributionError::SegmentTooLarge {
                tokens: total,
                limit: MAX_SEGMENT_TOKENS,
            });
        }
        self.docs.push(DocEntry {
            contribution_id,
            content_hash,
            start: start as u32,
            len: (self.text.len() - start - 1) as u32,
        });
        Ok(())
    }

    /// Sorts the vocabulary (ids become ranks) and builds the suffix array.
    pub(crate) fn build(self) -> Result<Segment> {
        let mut order: Vec<u32> = (0..self.words.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.words[a as usize].cmp(&self.words[b as usize]));
        let mut new_id = vec![0u32; self.words.len() + 1];
        for (rank, &old) in order.iter().enumerate() {
            new_id[old as usize + 1] = rank as u32 + 1;
        }
        let mut words: Vec<Option<Box<str>>> = self.words.into_iter().map(Some).collect();
        let vocab = order
            .iter()
            .map(|&old| words[old as usize].take().unwrap_or_default())
            .collect();
        let df = order.iter().map(|&old| self.df[old as usize]).collect();
        let text: Vec<u32> = self.text.iter().map(|&id| new_id[id as usize]).collect();
        let sa = suffix_array(&text)?;
        Ok(Segment::assemble(
            vocab,
            df,
            self.docs,
            text,
            sa,
            self.starts,
            self.ends,
        ))
    }
}

/// The suffix array of `text` by libsais's integer-alphabet SA-IS (linear time).
fn suffix_array(text: &[u32]) -> Result<Vec<u32>> {
    // ids are < MAX_SEGMENT_TOKENS < i32::MAX (checked when pushed), so the cast is exact.
    let mut signed: Vec<i32> = text.iter().map(|&id| id as i32).collect();
    let sa = SuffixArrayConstruction::for_text_mut(&mut signed)
        .in_owned_buffer32()
        .single_threaded()
        .run()
        .map_err(|e| AttributionError::SuffixArray(format!("{e:?}")))?
        .into_vec();
    Ok(sa.into_iter().map(|p| p as u32).collect())
}

impl Segment {
    #[allow(clippy::too_many_arguments)] // the segment's parts, moved in; a struct would repeat them
    fn assemble(
        vocab: Vec<Box<str>>,
        df: Vec<u32>,
        docs: Vec<DocEntry>,
        text: Vec<u32>,
        sa: Vec<u32>,
        starts: Vec<u32>,
        ends: Vec<u32>,
    ) -> Segment {
        let mut buckets = vec![0u32; vocab.len() + 2];
        for &id in &text {
            if let Some(count) = buckets.get_mut(id as usize + 1) {
                *count += 1;
            }
        }
        for i in 1..buckets.len() {
            buckets[i] += buckets[i - 1];
        }
        Segment {
            vocab,
            df,
            docs,
            text,
            sa,
            starts,
            ends,
            buckets,
        }
    }

    /// Tokens in the text, separators included.
    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    /// Heap bytes held: the four per-token arrays, the vocabulary and the documents.
    pub(crate) fn memory_bytes(&self) -> u64 {
        let per_token = 4 * (self.text.len() + self.sa.len() + self.starts.len() + self.ends.len());
        // Per word: the string, its box, its df and its bucket.
        let vocab: usize = self
            .vocab
            .iter()
            .map(|w| w.len() + size_of::<Box<str>>() + 8)
            .sum();
        (per_token + vocab + self.docs.len() * size_of::<DocEntry>()) as u64
    }

    /// The contributions in this segment, in text order.
    pub(crate) fn docs(&self) -> &[DocEntry] {
        &self.docs
    }

    /// The segment-local id of `word`, or [`UNKNOWN`].
    pub(crate) fn id_of(&self, word: &str) -> u32 {
        match self.vocab.binary_search_by(|w| (**w).cmp(word)) {
            Ok(i) => i as u32 + 1,
            Err(_) => UNKNOWN,
        }
    }

    /// How many of this segment's contributions contain the word with segment-local id `id`.
    pub(crate) fn df(&self, id: u32) -> u32 {
        (id as usize)
            .checked_sub(1)
            .and_then(|i| self.df.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// The longest prefix of `query[from..]` that occurs in the text: its length in tokens and
    /// the suffix-array interval of its occurrences (empty when the length is 0).
    ///
    /// The first word's interval is its bucket; then the interval is narrowed one token at a time
    /// by two binary searches on the token at the current depth (Infini-gram's search, extending
    /// instead of re-searching), and once a single suffix is left the rest is compared directly:
    /// O(log n) per token while several suffixes share the prefix, then O(1) per further token.
    pub(crate) fn longest_match(&self, query: &[u32], from: usize) -> (usize, Range<usize>) {
        let usable = |id: u32| id != UNKNOWN && id != SEPARATOR;
        let Some(&head) = query.get(from).filter(|&&id| usable(id)) else {
            return (0, 0..0);
        };
        let bucket = |id: usize| self.buckets.get(id).copied().unwrap_or(0) as usize;
        let (mut lo, mut hi) = (bucket(head as usize), bucket(head as usize + 1));
        if lo >= hi || hi > self.sa.len() {
            return (0, 0..0);
        }
        let token_at = |pos: u32, depth: usize| {
            self.text
                .get(pos as usize + depth)
                .copied()
                .unwrap_or(SEPARATOR)
        };
        let mut depth = 1;
        while let Some(&wanted) = query.get(from + depth).filter(|&&id| usable(id)) {
            if hi - lo == 1 {
                // One suffix left: compare the rest directly.
                let pos = self.sa[lo];
                while query
                    .get(from + depth)
                    .is_some_and(|&id| usable(id) && token_at(pos, depth) == id)
                {
                    depth += 1;
                }
                break;
            }
            let window = &self.sa[lo..hi];
            let first = window.partition_point(|&p| token_at(p, depth) < wanted);
            let last = first + window[first..].partition_point(|&p| token_at(p, depth) == wanted);
            if first == last {
                break;
            }
            (lo, hi) = (lo + first, lo + last);
            depth += 1;
        }
        (depth, lo..hi)
    }

    /// The text positions of a suffix-array interval.
    pub(crate) fn positions(&self, interval: Range<usize>) -> &[u32] {
        self.sa.get(interval).unwrap_or(&[])
    }

    /// The contribution whose tokens include text position `pos`.
    pub(crate) fn doc_at(&self, pos: u32) -> Option<&DocEntry> {
        let i = self
            .docs
            .partition_point(|d| d.start <= pos)
            .checked_sub(1)?;
        self.docs.get(i).filter(|d| pos < d.start + d.len)
    }

    /// Byte range, in its contribution, of the `len` tokens starting at text position `pos`.
    pub(crate) fn source_range(&self, pos: u32, len: usize) -> Range<usize> {
        let first = pos as usize;
        let last = (first + len).saturating_sub(1);
        let start = self.starts.get(first).copied().unwrap_or(0) as usize;
        let end = self.ends.get(last).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    /// Concatenates `self` and `other` (in that order) into one new segment.
    pub(crate) fn merge(&self, other: &Segment) -> Result<Segment> {
        let total = self.text.len() as u64 + other.text.len() as u64;
        if total > MAX_SEGMENT_TOKENS {
            return Err(AttributionError::SegmentTooLarge {
                tokens: total,
                limit: MAX_SEGMENT_TOKENS,
            });
        }
        // Merge the two sorted vocabularies, recording where each old id goes.
        let (mut map_a, mut map_b) = (
            vec![SEPARATOR; self.vocab.len() + 1],
            vec![SEPARATOR; other.vocab.len() + 1],
        );
        let (mut vocab, mut df) = (Vec::new(), Vec::new());
        let (mut i, mut j) = (0, 0);
        while i < self.vocab.len() || j < other.vocab.len() {
            let take_a =
                j == other.vocab.len() || (i < self.vocab.len() && self.vocab[i] <= other.vocab[j]);
            let take_b =
                i == self.vocab.len() || (j < other.vocab.len() && other.vocab[j] <= self.vocab[i]);
            let id = vocab.len() as u32 + 1;
            let (word, mut count) = if take_a {
                (&self.vocab[i], 0)
            } else {
                (&other.vocab[j], 0)
            };
            vocab.push(word.clone());
            if take_a {
                map_a[i + 1] = id;
                count += self.df[i];
                i += 1;
            }
            if take_b {
                map_b[j + 1] = id;
                count += other.df[j];
                j += 1;
            }
            df.push(count);
        }
        let offset = self.text.len() as u32;
        let mut text = Vec::with_capacity(total as usize);
        text.extend(self.text.iter().map(|&id| map_a[id as usize]));
        text.extend(other.text.iter().map(|&id| map_b[id as usize]));
        let docs = self
            .docs
            .iter()
            .cloned()
            .chain(other.docs.iter().map(|d| DocEntry {
                start: d.start + offset,
                ..d.clone()
            }))
            .collect();
        let sa = suffix_array(&text)?;
        let starts = [self.starts.as_slice(), &other.starts].concat();
        let ends = [self.ends.as_slice(), &other.ends].concat();
        Ok(Segment::assemble(vocab, df, docs, text, sa, starts, ends))
    }

    /// Writes the segment to `path` atomically (layout in [`Segment::load`]).
    pub(crate) fn save(&self, path: &Path) -> Result<()> {
        write_atomic_with(path, |file| {
            let mut body = CrcWriter {
                inner: BufWriter::with_capacity(1 << 20, file),
                crc: crc32fast::Hasher::new(),
            };
            // The header holds the body's crc, so write a placeholder and patch it at the end.
            let vocab_bytes: u64 = self.vocab.iter().map(|w| 4 + w.len() as u64).sum();
            let mut header = Vec::with_capacity(HEADER_LEN as usize);
            header.extend_from_slice(MAGIC);
            header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            for count in [
                self.vocab.len() as u64,
                self.docs.len() as u64,
                self.text.len() as u64,
                vocab_bytes,
            ] {
                header.extend_from_slice(&count.to_le_bytes());
            }
            body.inner.write_all(&header)?;
            body.inner.write_all(&[0; 4])?;
            for word in &self.vocab {
                body.write_all(&(word.len() as u32).to_le_bytes())?;
                body.write_all(word.as_bytes())?;
            }
            body.write_u32s(&self.df)?;
            for d in &self.docs {
                body.write_all(&d.contribution_id.to_le_bytes())?;
                body.write_all(d.content_hash.as_slice())?;
                body.write_all(&d.start.to_le_bytes())?;
                body.write_all(&d.len.to_le_bytes())?;
            }
            for array in [&self.text, &self.sa, &self.starts, &self.ends] {
                body.write_u32s(array)?;
            }
            let crc = body.crc.finalize();
            let file = body.inner.into_inner().map_err(|e| e.into_error())?;
            use std::io::{Seek, SeekFrom};
            file.seek(SeekFrom::Start(HEADER_LEN - 4))?;
            file.write_all(&crc.to_le_bytes())
        })
    }

    /// Reads a segment written by [`Segment::save`] and checks it, so that a damaged file is an
    /// [`AttributionError::Corrupt`], never a panic or a wrong index position later.
    ///
    /// Layout, little-endian: `TRBATSEG`, version u32, vocabulary size V, documents D, text
    /// length N, vocabulary bytes B (u64 each), crc32 of the body; then the body: V words (u32
    /// length + UTF-8), V document frequencies (u32), D documents (id u64, hash 32 bytes, start
    /// u32, length u32), then text, suffix array, token starts, token ends (N u32 each).
    pub(crate) fn load(path: &Path) -> Result<Segment> {
        let corrupt = |reason: &str| AttributionError::corrupt(path, reason);
        let file = fs::File::open(path).map_err(|e| AttributionError::io(path, e))?;
        let file_len = file
            .metadata()
            .map_err(|e| AttributionError::io(path, e))?
            .len();
        let mut reader = CrcReader {
            inner: BufReader::with_capacity(1 << 20, file),
            crc: crc32fast::Hasher::new(),
        };
        let mut header = [0u8; HEADER_LEN as usize];
        reader
            .inner
            .read_exact(&mut header)
            .map_err(|_| corrupt("truncated header"))?;
        if &header[..8] != MAGIC {
            return Err(corrupt("not a segment file"));
        }
        let field =
            |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().unwrap_or_default());
        let version = u32::from_le_bytes(header[8..12].try_into().unwrap_or_default());
        if version != FORMAT_VERSION {
            return Err(corrupt(&format!(
                "format version {version}, expected {FORMAT_VERSION}"
            )));
        }
        let (n_vocab, n_docs, n_text, vocab_bytes) = (field(12), field(20), field(28), field(36));
        let crc = u32::from_le_bytes(header[44..48].try_into().unwrap_or_default());
        // Check the sizes against the file before allocating anything from them.
        let expected = [
            Some(vocab_bytes),
            n_vocab.checked_mul(4),
            n_docs.checked_mul(DOC_LEN),
            n_text.checked_mul(16),
        ]
        .into_iter()
        .try_fold(HEADER_LEN, |acc, part| acc.checked_add(part?));
        if expected != Some(file_len)
            || n_text > MAX_SEGMENT_TOKENS
            || n_vocab > n_text
            || n_docs > n_text
        {
            return Err(corrupt("sizes in the header do not match the file"));
        }
        let read_err = |e: std::io::Error| AttributionError::io(path, e);
        let mut vocab = Vec::with_capacity(n_vocab as usize);
        for _ in 0..n_vocab {
            let len = reader.read_u32().map_err(read_err)? as usize;
            if len as u64 > vocab_bytes {
                return Err(corrupt("word longer than the vocabulary"));
            }
            let mut word = vec![0; len];
            reader.read_exact(&mut word).map_err(read_err)?;
            let word = String::from_utf8(word).map_err(|_| corrupt("word is not utf-8"))?;
            vocab.push(word.into_boxed_str());
        }
        let df = reader.read_u32s(n_vocab as usize).map_err(read_err)?;
        let mut docs = Vec::with_capacity(n_docs as usize);
        for _ in 0..n_docs {
            let mut raw = [0u8; DOC_LEN as usize];
            reader.read_exact(&mut raw).map_err(read_err)?;
            let u32_at =
                |at: usize| u32::from_le_bytes(raw[at..at + 4].try_into().unwrap_or_default());
            docs.push(DocEntry {
                contribution_id: u64::from_le_bytes(raw[..8].try_into().unwrap_or_default()),
                content_hash: B256::from_slice(&raw[8..40]),
                start: u32_at(40),
                len: u32_at(44),
            });
        }
        let n = n_text as usize;
        let text = reader.read_u32s(n).map_err(read_err)?;
        let sa = reader.read_u32s(n).map_err(read_err)?;
        let starts = reader.read_u32s(n).map_err(read_err)?;
        let ends = reader.read_u32s(n).map_err(read_err)?;
        if reader.crc.finalize() != crc {
            return Err(corrupt("checksum mismatch"));
        }
        check(&vocab, &docs, &text, &sa, &starts, &ends).map_err(corrupt)?;
        Ok(Segment::assemble(vocab, df, docs, text, sa, starts, ends))
    }
}

/// The structural invariants the search relies on (a valid crc can still come from a bug).
fn check(
    vocab: &[Box<str>],
    docs: &[DocEntry],
    text: &[u32],
    sa: &[u32],
    starts: &[u32],
    ends: &[u32],
) -> std::result::Result<(), &'static str> {
    if vocab.windows(2).any(|w| w[0] >= w[1]) || vocab.iter().any(|w| w.is_empty()) {
        return Err("vocabulary not strictly sorted");
    }
    let n_vocab = vocab.len() as u32;
    if text.iter().any(|&id| id > n_vocab) || text.last() != Some(&SEPARATOR) {
        return Err("text ids out of range");
    }
    let mut next = 0u64;
    for d in docs {
        let end = u64::from(d.start) + u64::from(d.len);
        if u64::from(d.start) != next || text.get(end as usize) != Some(&SEPARATOR) {
            return Err("documents do not tile the text");
        }
        next = end + 1;
    }
    if next != text.len() as u64 {
        return Err("documents do not tile the text");
    }
    let mut seen = vec![false; sa.len()];
    for &p in sa {
        match seen.get_mut(p as usize) {
            Some(slot) if !*slot => *slot = true,
            _ => return Err("suffix array is not a permutation"),
        }
    }
    if starts.iter().zip(ends).any(|(s, e)| s > e) {
        return Err("token byte ranges reversed");
    }
    Ok(())
}

struct CrcWriter<W> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> CrcWriter<W> {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.crc.update(bytes);
        self.inner.write_all(bytes)
    }

    fn write_u32s(&mut self, values: &[u32]) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(64 * 1024);
        for chunk in values.chunks(16 * 1024) {
            buf.clear();
            buf.extend(chunk.iter().flat_map(|v| v.to_le_bytes()));
            self.write_all(&buf)?;
        }
        Ok(())
    }
}

struct CrcReader<R> {
    inner: R,
    crc: crc32fast::Hasher,
}

impl<R: Read> CrcReader<R> {
    fn read_exact(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        self.inner.read_exact(buf)?;
        self.crc.update(buf);
        Ok(())
    }

    fn read_u32(&mut self) -> std::io::Result<u32> {
        let mut raw = [0u8; 4];
        self.read_exact(&mut raw)?;
        Ok(u32::from_le_bytes(raw))
    }

    fn read_u32s(&mut self, n: usize) -> std::io::Result<Vec<u32>> {
        let mut values = Vec::with_capacity(n);
        let mut buf = vec![0u8; 64 * 1024];
        while values.len() < n {
            let want = ((n - values.len()) * 4).min(buf.len());
            self.read_exact(&mut buf[..want])?;
            values.extend(
                buf[..want]
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(docs: &[&str]) -> Segment {
        let mut builder = SegmentBuilder::default();
        for (i, text) in docs.iter().enumerate() {
            builder
                .push(i as u64, B256::with_last_byte(i as u8), text)
                .unwrap();
        }
        builder.build().unwrap()
    }

    fn query(segment: &Segment, text: &str) -> Vec<u32> {
        crate::tokenize::tokenize(text)
            .iter()
            .map(|t| segment.id_of(&t.text))
            .collect()
    }

    #[test]
    fn longest_match_narrows_and_stops_at_separators() {
        let seg = segment(&["the quick brown fox", "the quick red fox jumps"]);
        let q = query(&seg, "the quick brown fox jumps high");
        let (len, interval) = seg.longest_match(&q, 0);
        assert_eq!(len, 4);
        assert_eq!(interval.len(), 1);
        let pos = seg.positions(interval)[0];
        assert_eq!(seg.doc_at(pos).unwrap().contribution_id, 0);
        assert_eq!(seg.source_range(pos, len), 0..19);
        // "fox jumps" is in doc 1; "fox" also ends doc 0, but the separator stops that match.
        let (len, interval) = seg.longest_match(&q, 3);
        assert_eq!(len, 2);
        assert_eq!(
            seg.doc_at(seg.positions(interval)[0])
                .unwrap()
                .contribution_id,
            1
        );
        // Unknown words match nothing.
        assert_eq!(seg.longest_match(&q, 5), (0, 0..0));
    }

    #[test]
    fn merge_equals_building_at_once() {
        let a = segment(&["alpha beta gamma", "beta delta"]);
        let b = {
            let mut builder = SegmentBuilder::default();
            builder
                .push(2, B256::with_last_byte(2), "gamma epsilon beta")
                .unwrap();
            builder.build().unwrap()
        };
        let merged = a.merge(&b).unwrap();
        let direct = segment(&["alpha beta gamma", "beta delta", "gamma epsilon beta"]);
        assert_eq!(merged, direct);
        assert_eq!(merged.df(merged.id_of("beta")), 3);
    }

    #[test]
    fn save_load_round_trip_and_corruption_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg.bin");
        let seg = segment(&["one two three", "", "drei zwei eins ünïcödé"]);
        seg.save(&path).unwrap();
        assert_eq!(Segment::load(&path).unwrap(), seg);
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            Segment::load(&path),
            Err(AttributionError::Corrupt { .. })
        ));
        fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(matches!(
            Segment::load(&path),
            Err(AttributionError::Corrupt { .. })
        ));
        fs::write(&path, b"garbage").unwrap();
        assert!(matches!(
            Segment::load(&path),
            Err(AttributionError::Corrupt { .. })
        ));
    }
}
