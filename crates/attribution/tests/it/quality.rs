//! Attribution quality on a labelled set built from a real corpus nobody here wrote: the
//! Rustonomicon and the Rust Reference as shipped with the toolchain (`corpus.rs`).
//!
//! - Contributions: each page's paragraphs, grouped in order into contributions of at least
//!   [`CONTRIBUTION_WORDS`] words.
//! - Distractors: for every [`DISTRACTOR_EVERY`]th contribution, a near-duplicate copy with one
//!   word in [`DISTRACTOR_STRIDE`] replaced, indexed as a separate contribution in a later batch
//!   (so a second segment). They share runs of 11 words with the original: longer than the
//!   minimum span, so the engine must prefer the original's longer match.
//! - Outputs: 1 to 3 quotes of 10 to 30 words from distinct contributions, originals or
//!   distractors (the truth). A quote is chosen only if no other contribution contains it whole
//!   (checked with an independent 8-gram table, not with the engine): a distractor may share
//!   most of it, never all. Quotes are rewritten as a model would (its own spacing, line breaks,
//!   commas, capitalisation), and one in three has a word replaced in the middle, leaving two
//!   runs of at least the minimum span. Besides: 1 or 2 snippets of 4 to 6 words from other
//!   contributions (shorter than the minimum span: must not be credited), everything separated
//!   by 2 to 6 random corpus words. One output in ten has no quote at all (truth = nothing).
//!
//! Credited = contributions with non-zero basis points. Precision and recall are micro-averaged
//! over all outputs and must both reach [`MIN_QUALITY`].

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    hash::{DefaultHasher, Hash, Hasher},
};

use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use tributary_attribution::{
    AttributionConfig, Contribution, ContributionMeta, DataNetIndex, Grounding, IndexConfig, Token,
    tokenize,
};

use crate::corpus;

const BOOKS: [&str; 3] = ["book", "nomicon", "reference"];
const CONTRIBUTION_WORDS: usize = 300;
const DISTRACTOR_EVERY: usize = 4;
const DISTRACTOR_STRIDE: usize = 12;
const DISTRACTOR_ID_BASE: u64 = 1_000_000;
const OUTPUTS: usize = 300;
const MIN_QUALITY: f64 = 0.9;
const SEED: u64 = 0x7472_6962_7574_6172;

fn load_contributions() -> Vec<Contribution> {
    let docs = corpus::docs_dir();
    let mut contributions = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |text: &mut String, contributions: &mut Vec<Contribution>| {
        let c = Contribution::new(
            ContributionMeta {
                id: contributions.len() as u64 + 1,
                datanet_id: 1,
            },
            text.trim(),
        );
        // Identical pages (redirect stubs) would be the same content hash twice.
        if tokenize(&c.text).len() >= 20 && seen.insert(c.content_hash) {
            contributions.push(c);
        }
        text.clear();
    };
    for book in BOOKS {
        for file in corpus::html_files(&docs.join(book)) {
            let html = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("corpus: {}: {e}", file.display()));
            let text = corpus::html_to_text(&html);
            let mut group = String::new();
            let mut words = 0;
            for paragraph in text.lines().map(str::trim).filter(|p| !p.is_empty()) {
                group.push_str(paragraph);
                group.push('\n');
                words += tokenize(paragraph).len();
                if words >= CONTRIBUTION_WORDS {
                    push(&mut group, &mut contributions);
                    words = 0;
                }
            }
            push(&mut group, &mut contributions);
        }
    }
    contributions
}

/// The near-duplicate of `c` (module doc).
fn distractor(c: &Contribution, rng: &mut ChaCha8Rng) -> Contribution {
    const REPLACEMENTS: [&str; 8] = [
        "lantern", "meadow", "copper", "violin", "harbor", "pepper", "glacier", "saddle",
    ];
    let mut text = String::new();
    let mut last = 0;
    for (i, t) in tokenize(&c.text).iter().enumerate() {
        if i % DISTRACTOR_STRIDE == DISTRACTOR_STRIDE / 2 {
            text.push_str(&c.text[last..t.range.start]);
            text.push_str(REPLACEMENTS.choose(rng).unwrap());
            last = t.range.end;
        }
    }
    text.push_str(&c.text[last..]);
    Contribution::new(
        ContributionMeta {
            id: DISTRACTOR_ID_BASE + c.meta.id,
            datanet_id: 1,
        },
        text,
    )
}

/// 8-gram (hashed) -> the contributions containing it, ascending.
type Grams = HashMap<u64, Vec<u64>>;

fn gram_key(words: &[Token]) -> u64 {
    let mut h = DefaultHasher::new();
    for w in words {
        w.text.hash(&mut h);
    }
    h.finish()
}

/// Whether no contribution other than `id` contains all of `words` (a necessary condition of
/// containing them as a run: so `true` means the run is only in `id`, and in `id` it is).
fn only_in(grams: &Grams, words: &[Token], id: u64, min: usize) -> bool {
    let mut candidates: Option<Vec<u64>> = None;
    for window in words.windows(min) {
        let docs = grams.get(&gram_key(window)).map_or(&[][..], Vec::as_slice);
        candidates = Some(match candidates {
            None => docs.to_vec(),
            Some(c) => c.into_iter().filter(|d| docs.contains(d)).collect(),
        });
    }
    candidates.is_some_and(|c| c == [id])
}

struct Labelled {
    output: String,
    truth: BTreeSet<u64>,
    /// Quotes with a word replaced.
    changed: usize,
}

fn random_words(vocab: &[String], rng: &mut ChaCha8Rng) -> String {
    let n = rng.random_range(2..=6);
    (0..n)
        .map(|_| vocab.choose(rng).unwrap().as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A quote as a model would write it: the source's words in order, but with its own spacing,
/// line breaks, commas and capitalisation (the words, hence the tokens, are unchanged).
fn reformat(text: &str, words: &[Token], rng: &mut ChaCha8Rng) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(match rng.random_range(0..100) {
                0..10 => ", ",
                10..15 => "\n",
                15..18 => " (",
                _ => " ",
            });
        }
        let word = &text[w.range.clone()];
        match rng.random_range(0..100) {
            0..8 => out.push_str(&word.to_uppercase()),
            8..16 => out.push_str(&word.to_lowercase()),
            _ => out.push_str(word),
        }
    }
    out
}

fn labelled_outputs(all: &[Contribution], rng: &mut ChaCha8Rng) -> Vec<Labelled> {
    let min = AttributionConfig::default().min_span_tokens;
    let tokens: HashMap<u64, Vec<Token>> =
        all.iter().map(|c| (c.meta.id, tokenize(&c.text))).collect();
    let mut grams: Grams = HashMap::new();
    for c in all {
        for window in tokens[&c.meta.id].windows(min) {
            let docs = grams.entry(gram_key(window)).or_default();
            if docs.last() != Some(&c.meta.id) {
                docs.push(c.meta.id);
            }
        }
    }
    let mut vocab: Vec<String> = tokens
        .values()
        .flatten()
        .map(|t| t.text.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    vocab.retain(|w| w.len() > 2);
    let mut outputs = Vec::with_capacity(OUTPUTS);
    while outputs.len() < OUTPUTS {
        let quotes = if rng.random_range(0..10) == 0 {
            0
        } else {
            rng.random_range(1..=3)
        };
        let mut pieces = Vec::new();
        let mut truth = BTreeSet::new();
        let mut changed_quotes = 0;
        while truth.len() < quotes {
            let c = all.choose(rng).unwrap();
            let t = &tokens[&c.meta.id];
            let len = rng.random_range(10..=30);
            if truth.contains(&c.meta.id) || t.len() < len {
                continue;
            }
            let start = rng.random_range(0..=t.len() - len);
            let quote = &t[start..start + len];
            // One quote in three has a word changed in the middle (both sides stay >= min).
            let changed = (len > 2 * min && rng.random_range(0..3) == 0)
                .then(|| rng.random_range(min..len - min));
            let parts: Vec<&[Token]> = match changed {
                Some(at) => vec![&quote[..at], &quote[at + 1..]],
                None => vec![quote],
            };
            if !parts.iter().all(|p| only_in(&grams, p, c.meta.id, min)) {
                continue;
            }
            let piece = match changed {
                Some(_) => format!(
                    "{} {} {}",
                    reformat(&c.text, parts[0], rng),
                    vocab.choose(rng).unwrap(),
                    reformat(&c.text, parts[1], rng)
                ),
                None => reformat(&c.text, quote, rng),
            };
            pieces.push(piece);
            truth.insert(c.meta.id);
            changed_quotes += usize::from(changed.is_some());
        }
        for _ in 0..rng.random_range(1..=2) {
            let c = all.choose(rng).unwrap();
            let t = &tokens[&c.meta.id];
            let len = rng.random_range(4..min.min(7));
            if truth.contains(&c.meta.id) || t.len() < len {
                continue;
            }
            let start = rng.random_range(0..=t.len() - len);
            pieces.push(reformat(&c.text, &t[start..start + len], rng));
        }
        // Shuffle the pieces, noise between and around them.
        for i in (1..pieces.len()).rev() {
            pieces.swap(i, rng.random_range(0..=i));
        }
        let mut output = random_words(&vocab, rng);
        for piece in pieces {
            output.push(' ');
            output.push_str(&piece);
            output.push(' ');
            output.push_str(&random_words(&vocab, rng));
        }
        outputs.push(Labelled {
            output,
            truth,
            changed: changed_quotes,
        });
    }
    outputs
}

#[test]
fn test_attribution_quality_on_rust_docs_meets_bar() {
    let started = std::time::Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let originals = load_contributions();
    let distractors: Vec<Contribution> = originals
        .iter()
        .step_by(DISTRACTOR_EVERY)
        .map(|c| distractor(c, &mut rng))
        .collect();
    let all: Vec<Contribution> = originals.iter().chain(&distractors).cloned().collect();
    let words: usize = all.iter().map(|c| tokenize(&c.text).len()).sum();
    let bytes: usize = all.iter().map(|c| c.text.len()).sum();

    let dir = tempfile::tempdir().unwrap();
    let mut index = DataNetIndex::open(dir.path(), 1, IndexConfig::default()).unwrap();
    index.add_batch(&originals, |_, _| {}).unwrap();
    index.add_batch(&distractors, |_, _| {}).unwrap();
    let indexed = started.elapsed();

    let outputs = labelled_outputs(&all, &mut rng);
    let config = AttributionConfig::default();
    let (mut true_pos, mut credited_total, mut truth_total, mut exact) =
        (0usize, 0usize, 0usize, 0usize);
    // Credited the near-duplicate twin of a true source (original <-> distractor) instead of, or
    // besides, the source itself.
    let mut twin_confusions = 0;
    let twin = |id: u64| {
        if id >= DISTRACTOR_ID_BASE {
            id - DISTRACTOR_ID_BASE
        } else {
            id + DISTRACTOR_ID_BASE
        }
    };
    for labelled in &outputs {
        let retrieved = index.retrieve(&labelled.output, 5).unwrap();
        let attribution = index.attribute(&labelled.output, &retrieved, Grounding::Spans, &config);
        let credited: BTreeSet<u64> = attribution
            .weights
            .iter()
            .map(|w| w.contribution_id)
            .collect();
        // Retrieved chunks of uncredited contributions are never marked used.
        for r in &attribution.retrieval {
            assert!(
                !r.used || credited.contains(&r.contribution_id),
                "unused chunk marked used: {r:?}"
            );
        }
        if !credited.is_empty() {
            assert_eq!(
                attribution
                    .weights
                    .iter()
                    .map(|w| u32::from(w.bps))
                    .sum::<u32>(),
                10_000
            );
        }
        true_pos += credited.intersection(&labelled.truth).count();
        credited_total += credited.len();
        truth_total += labelled.truth.len();
        exact += usize::from(credited == labelled.truth);
        twin_confusions += credited
            .iter()
            .filter(|&&id| !labelled.truth.contains(&id) && labelled.truth.contains(&twin(id)))
            .count();
    }
    let changed: usize = outputs.iter().map(|l| l.changed).sum();
    let from_distractors = outputs
        .iter()
        .flat_map(|l| &l.truth)
        .filter(|&&id| id >= DISTRACTOR_ID_BASE)
        .count();
    println!(
        "sample output (truth {:?}): {}",
        outputs[1].truth, outputs[1].output
    );
    let precision = true_pos as f64 / credited_total.max(1) as f64;
    let recall = true_pos as f64 / truth_total.max(1) as f64;
    println!(
        "attribution quality: corpus {} ({} contributions from pages + {} distractors = {}, {words} words, {:.1} MB); \
         {} outputs, {truth_total} true credits ({from_distractors} from distractors, {changed} with a word replaced), {credited_total} credited, {true_pos} correct, {exact} exact sets, \
         {twin_confusions} near-duplicate confusions; precision {precision:.4}, recall {recall:.4}; indexed in {:.1?}, total {:.1?}",
        BOOKS.join("+"),
        originals.len(),
        distractors.len(),
        all.len(),
        bytes as f64 / 1e6,
        outputs.len(),
        indexed,
        started.elapsed(),
    );
    assert!(
        originals.len() >= 500,
        "corpus too small: {} contributions",
        originals.len()
    );
    assert!(
        precision >= MIN_QUALITY,
        "precision {precision:.4} < {MIN_QUALITY}"
    );
    assert!(recall >= MIN_QUALITY, "recall {recall:.4} < {MIN_QUALITY}");
}
