//! The word tokenizer shared by indexing, span matching, retrieval and the extractive responder.
//!
//! A token is a maximal run of characters for which [`char::is_alphanumeric`] holds, lowercased
//! with [`str::to_lowercase`]. Everything else (spaces, punctuation, symbols, `_`) separates
//! tokens and is dropped. Every token keeps the byte range it came from in the original text, so
//! evidence can point at offsets in the served output and in the contribution.
//!
//! Why this rule and not Unicode word segmentation (UAX #29): it is one line to state, it never
//! glues words through punctuation (`don't` is `don`, `t`; `foo::bar` is `foo`, `bar`), which is
//! what verbatim matching wants, and it is the rule of tantivy's `SimpleTokenizer`, so the BM25
//! index and the suffix arrays see the same words. Token counts everywhere in this crate are
//! these words, never bytes.

use std::ops::Range;

/// One word of a text: its lowercased form and where it is in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The lowercased word.
    pub text: String,
    /// Its byte range in the original text (before lowercasing).
    pub range: Range<usize>,
}

/// Splits `text` into lowercased word tokens with their byte ranges (see the module doc).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for_each_token(text, |word, range| {
        tokens.push(Token {
            text: word.to_owned(),
            range,
        })
    });
    tokens
}

/// Calls `f(lowercased word, byte range)` for every token of `text`, in order, without
/// allocating per token (the indexer tokenizes millions of words).
pub(crate) fn for_each_token(text: &str, mut f: impl FnMut(&str, Range<usize>)) {
    let mut lowered = String::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                emit(&text[s..at], s..at, &mut lowered, &mut f);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        emit(&text[s..], s..text.len(), &mut lowered, &mut f);
    }
}

fn emit(
    word: &str,
    range: Range<usize>,
    lowered: &mut String,
    f: &mut impl FnMut(&str, Range<usize>),
) {
    lowered.clear();
    if word.is_ascii() {
        // Most words are ASCII; this avoids the per-char case tables.
        lowered.push_str(word);
        lowered.make_ascii_lowercase();
    } else {
        // Whole-word lowercasing, so final sigma and multi-char mappings follow Unicode's rules.
        lowered.push_str(&word.to_lowercase());
    }
    f(lowered, range);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_keeps_ranges_and_lowercases() {
        let text = "Hello, World! don't  x_y ÉCOLE 42nd";
        let tokens = tokenize(text);
        let words: Vec<_> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            words,
            ["hello", "world", "don", "t", "x", "y", "école", "42nd"]
        );
        for t in &tokens {
            assert_eq!(text[t.range.clone()].to_lowercase(), t.text);
        }
    }

    #[test]
    fn tokenize_empty_and_punctuation_only() {
        assert!(tokenize("").is_empty());
        assert!(tokenize(" ,.;:!? -- ").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn tokens_are_ordered_disjoint_and_alphanumeric(text in ".{0,200}") {
            let tokens = tokenize(&text);
            let mut last_end = 0;
            for t in &tokens {
                proptest::prop_assert!(t.range.start >= last_end && t.range.start < t.range.end);
                proptest::prop_assert!(text[t.range.clone()].chars().all(char::is_alphanumeric));
                last_end = t.range.end;
            }
            // Nothing alphanumeric is dropped.
            let kept: usize = tokens.iter().map(|t| text[t.range.clone()].chars().count()).sum();
            proptest::prop_assert_eq!(kept, text.chars().filter(|c| c.is_alphanumeric()).count());
        }
    }
}
