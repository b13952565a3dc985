//! The extractive responder: an answer made of the retrieved chunks' most relevant sentences,
//! quoted verbatim, for a gateway with no LLM backend. Deterministic: the same question and
//! chunks always give the same answer (so its attribution and evidence hash are reproducible).
//!
//! 1. Sentences: each chunk is cut after `.`, `!` or `?` followed by whitespace, and at line
//!    breaks. Sentences of fewer than [`MIN_SENTENCE_WORDS`] or more than [`MAX_SENTENCE_WORDS`]
//!    words are skipped (headings, code listings); a sentence repeated by overlapping chunks of
//!    the same contribution is considered once.
//! 2. Score of a sentence = Σ idf(w) over the question's distinct words w in it, with
//!    `idf(w) = ln(1 + S / s(w))`, S the candidate sentences and s(w) those containing w.
//! 3. The `max_sentences` best (score > 0 and at least [`MIN_RELATIVE_SCORE`] of the best
//!    sentence's; ties: better-ranked chunk, then earlier in it) are joined with a space, in
//!    chunk rank then text order, so the answer reads like the source.

use std::{
    collections::{HashMap, HashSet},
    ops::Range,
};

use alloy_primitives::B256;

use crate::{bm25::RetrievedChunk, tokenize::tokenize};

/// Sentences shorter than this (in words) are not quoted: too short to say anything, and shorter
/// than the attribution's minimum span, so they would earn no one anything.
pub const MIN_SENTENCE_WORDS: usize = 8;
/// Sentences longer than this are not quoted (mostly code or tables run together).
pub const MAX_SENTENCE_WORDS: usize = 80;

/// A sentence is quoted only when it scores at least this share of the best sentence: one that
/// shares only common words with the question ("the", "does") would otherwise be quoted, and
/// its contributor paid, for an answer it does not give.
pub const MIN_RELATIVE_SCORE: f64 = 0.5;

struct Candidate<'a> {
    text: &'a str,
    words: HashSet<String>,
    chunk_rank: usize,
    offset: usize,
}

/// Answers `question` by quoting at most `max_sentences` sentences of `chunks` (best first, as
/// retrieval returns them); `None` when no sentence shares a word with the question.
pub fn respond(question: &str, chunks: &[RetrievedChunk], max_sentences: usize) -> Option<String> {
    let mut seen: HashSet<(B256, usize)> = HashSet::new();
    let mut candidates = Vec::new();
    for (chunk_rank, chunk) in chunks.iter().enumerate() {
        for range in sentences(&chunk.text) {
            let text = chunk.text[range.clone()].trim();
            let tokens = tokenize(text);
            if !(MIN_SENTENCE_WORDS..=MAX_SENTENCE_WORDS).contains(&tokens.len())
                || !seen.insert((chunk.content_hash, chunk.range.start + range.start))
            {
                continue;
            }
            let words = tokens.into_iter().map(|t| t.text).collect();
            candidates.push(Candidate {
                text,
                words,
                chunk_rank,
                offset: range.start,
            });
        }
    }
    let question: HashSet<String> = tokenize(question).into_iter().map(|t| t.text).collect();
    let mut containing: HashMap<&str, usize> = HashMap::new();
    for c in &candidates {
        for w in question.iter().filter(|w| c.words.contains(*w)) {
            *containing.entry(w).or_default() += 1;
        }
    }
    let n = candidates.len() as f64;
    let score = |c: &Candidate<'_>| -> f64 {
        containing
            .iter()
            .filter(|(w, _)| c.words.contains(**w))
            .map(|(_, &s)| libm::log(1.0 + n / s as f64))
            .sum()
    };
    let mut scored: Vec<(f64, &Candidate<'_>)> = candidates
        .iter()
        .map(|c| (score(c), c))
        .filter(|(s, _)| *s > 0.0)
        .collect();
    scored.sort_by(|(sa, a), (sb, b)| {
        sb.total_cmp(sa)
            .then(a.chunk_rank.cmp(&b.chunk_rank))
            .then(a.offset.cmp(&b.offset))
    });
    let best = scored.first()?.0;
    scored.retain(|(score, _)| *score >= best * MIN_RELATIVE_SCORE);
    scored.truncate(max_sentences);
    scored.sort_by_key(|(_, c)| (c.chunk_rank, c.offset));
    Some(
        scored
            .iter()
            .map(|(_, c)| c.text)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Byte ranges of the sentences of `text` (see the module doc), untrimmed.
fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        let end = match c {
            '\n' => Some(at),
            '.' | '!' | '?' if next_is_space => Some(at + c.len_utf8()),
            _ => None,
        };
        if let Some(end) = end {
            if end > start {
                ranges.push(start..end);
            }
            start = at + c.len_utf8();
        }
    }
    if start < text.len() {
        ranges.push(start..text.len());
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: u64, text: &str) -> RetrievedChunk {
        RetrievedChunk {
            contribution_id: id,
            content_hash: B256::with_last_byte(id as u8),
            datanet_id: 1,
            range: 0..text.len(),
            score: 1.0,
            text: text.to_owned(),
        }
    }

    #[test]
    fn sentences_sharing_only_common_words_are_not_quoted() {
        let rhine = chunk(
            1,
            "The Rhine rises in the Swiss Alps and reaches the North Sea near Rotterdam.",
        );
        let danube = chunk(
            2,
            "The Danube rises in the Black Forest and empties into the Black Sea in Romania.",
        );
        let chunks = [rhine.clone(), danube.clone()];
        let answer = respond("Where does the Rhine reach the North Sea?", &chunks, 4).unwrap();
        assert_eq!(answer, rhine.text);
        let answer = respond("Where does the Danube end?", &chunks, 4).unwrap();
        assert_eq!(answer, danube.text);
        // a question both answer quotes both, in retrieval order
        let answer = respond("What rises in the Alps or the Black Forest?", &chunks, 4).unwrap();
        assert_eq!(answer, format!("{} {}", rhine.text, danube.text));
    }

    #[test]
    fn sentences_split_on_terminators_and_lines() {
        let text = "One two. Three 3.5 four!\nFive? six";
        let parts: Vec<&str> = sentences(text)
            .into_iter()
            .map(|r| text[r].trim())
            .collect();
        assert_eq!(parts, ["One two.", "Three 3.5 four!", "Five?", "six"]);
    }

    #[test]
    fn respond_quotes_the_most_relevant_sentences_deterministically() {
        let chunks = [
            chunk(
                1,
                "The borrow checker enforces the rules of ownership at compile time in every function. Cats are nice animals that sleep most of the day long.",
            ),
            chunk(
                2,
                "Ownership moves a value into the new binding when it is assigned to another variable. Nothing here mentions the question's words at all, really, not at all.",
            ),
        ];
        let answer = respond(
            "What does ownership mean for the borrow checker and a value?",
            &chunks,
            2,
        )
        .unwrap();
        assert_eq!(
            answer,
            "The borrow checker enforces the rules of ownership at compile time in every function. \
             Ownership moves a value into the new binding when it is assigned to another variable."
        );
        // the second sentence shares only "ownership" and "the": under half the first's score
        assert_eq!(
            respond(
                "How does ownership work with the borrow checker?",
                &chunks,
                2
            )
            .unwrap(),
            "The borrow checker enforces the rules of ownership at compile time in every function."
        );
        assert_eq!(
            respond(
                "What does ownership mean for the borrow checker and a value?",
                &chunks,
                2
            )
            .unwrap(),
            answer
        );
        assert_eq!(respond("zebra quantum", &chunks, 2), None);
        assert_eq!(respond("ownership", &[], 2), None);
    }
}
