//! Benchmark of the attribution engine on all of the Rust toolchain's HTML documentation (one
//! contribution per page, over 10 million words): index build rate, sizes, reopen time,
//! retrieval and attribution latency, and the cost of incremental adds.
//!
//! ```sh
//! cargo run --release -p tributary-attribution --example bench            # full run
//! cargo run --release -p tributary-attribution --example bench -- 2000    # 2,000 pages only
//! ```
//!
//! A measurement, not a test: it prints numbers (docs/attribution-engine.md records them) and
//! asserts only what makes them meaningful (enough words, outputs actually attributed).

#[path = "../tests/it/corpus.rs"]
mod corpus;

use std::{
    collections::{BTreeSet, HashSet},
    time::{Duration, Instant},
};

use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use tributary_attribution::{
    AttributionConfig, Contribution, ContributionMeta, DataNetIndex, Grounding, IndexConfig,
    Outcome, tokenize,
};

const SEED: u64 = 42;
const OUTPUTS: usize = 1_000;
const OUTPUT_WORDS: usize = 200;
const HELD_OUT: usize = 200;
const MIN_WORDS: usize = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let limit: Option<usize> = std::env::args().nth(1).map(|a| a.parse()).transpose()?;
    let docs = corpus::docs_dir();
    let version = std::fs::read_dir(&docs)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find_map(|n| {
            n.strip_prefix("crates")
                .and_then(|v| v.strip_suffix(".js"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".into());
    println!("corpus: {} (toolchain docs {version})", docs.display());

    // 1. Load: every page's text, one contribution each (not timed as indexing).
    let started = Instant::now();
    let mut files = corpus::html_files(&docs);
    if let Some(limit) = limit {
        files.truncate(limit);
    }
    let html_bytes: u64 = files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    let mut seen = HashSet::new();
    let mut contributions = Vec::new();
    for file in &files {
        let text = corpus::html_to_text(&std::fs::read_to_string(file)?);
        let c = Contribution::new(
            ContributionMeta {
                id: contributions.len() as u64 + 1,
                datanet_id: 1,
            },
            text,
        );
        if tokenize(&c.text).len() >= MIN_WORDS && seen.insert(c.content_hash) {
            contributions.push(c);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    for i in (1..contributions.len()).rev() {
        contributions.swap(i, rng.random_range(0..=i));
    }
    let held_out = contributions.split_off(contributions.len().saturating_sub(HELD_OUT));
    let words: usize = contributions.iter().map(|c| tokenize(&c.text).len()).sum();
    let text_bytes: usize = contributions.iter().map(|c| c.text.len()).sum();
    println!(
        "loaded {} html files ({:.0} MB) -> {} contributions + {} held out, {words} words, {:.1} MB of text in {:.1?}",
        files.len(),
        html_bytes as f64 / 1e6,
        contributions.len(),
        held_out.len(),
        text_bytes as f64 / 1e6,
        started.elapsed()
    );
    if limit.is_none() {
        assert!(
            words >= 10_000_000,
            "the benchmark corpus must hold at least 10M words, has {words}"
        );
    }

    // 2. Bulk build: one batch, one segment.
    let dir = tempfile::tempdir()?;
    let config = IndexConfig::default().with_writer(2, 256 << 20);
    let mut index = DataNetIndex::open(dir.path(), 1, config)?;
    let started = Instant::now();
    let mut chunked_at = Duration::ZERO;
    let mut next_report = 0.0;
    let report = index.add_batch(&contributions, |done, total| {
        let fraction = done as f64 / total as f64;
        if fraction >= next_report {
            eprintln!(
                "  indexing {done}/{total} ({:.0}%) after {:.1?}",
                fraction * 100.0,
                started.elapsed()
            );
            next_report += 0.25;
        }
        if done == total {
            chunked_at = started.elapsed();
        }
    })?;
    let build = started.elapsed();
    let stats = index.stats()?;
    let bm25_bytes = dir_size(&dir.path().join("bm25"));
    println!(
        "bulk build: {} words in {:.1?} = {:.0} words/s, {:.2} MB/s (tokenize + BM25 chunks {:.1?}, suffix array + files + commit {:.1?}; {} merges)",
        report.tokens,
        build,
        report.tokens as f64 / build.as_secs_f64(),
        text_bytes as f64 / 1e6 / build.as_secs_f64(),
        chunked_at,
        build - chunked_at,
        report.merges,
    );
    println!(
        "sizes: span segments {:.0} MB in memory ({:.1} bytes/word), disk {:.0} MB (segments {:.0} MB, tantivy {:.0} MB), process RSS {} MB, peak {} MB",
        stats.span_memory_bytes as f64 / 1e6,
        stats.span_memory_bytes as f64 / stats.tokens as f64,
        stats.disk_bytes as f64 / 1e6,
        (stats.disk_bytes - bm25_bytes) as f64 / 1e6,
        bm25_bytes as f64 / 1e6,
        proc_status("VmRSS:"),
        proc_status("VmHWM:"),
    );

    // 3. Restart: reopen from disk.
    drop(index);
    let started = Instant::now();
    let mut index = DataNetIndex::open(dir.path(), 1, config)?;
    println!(
        "reopen (load segments, check them, open tantivy): {:.1?}",
        started.elapsed()
    );

    // 4. Latency: outputs of ~200 words quoting 3 to 5 passages of indexed pages.
    let vocab: Vec<String> = {
        let sample: BTreeSet<String> = contributions
            .iter()
            .take(2_000)
            .flat_map(|c| tokenize(&c.text))
            .map(|t| t.text)
            .collect();
        sample.into_iter().filter(|w| w.len() > 2).collect()
    };
    let outputs: Vec<(String, u64)> = (0..OUTPUTS)
        .map(|_| make_output(&contributions, &vocab, &mut rng))
        .collect();
    let attribution_config = AttributionConfig::default();
    let (mut retrieve_times, mut question_times, mut attribute_times) =
        (Vec::new(), Vec::new(), Vec::new());
    let (mut attributed, mut first_source_credited, mut spans, mut json_bytes) = (0, 0, 0, 0);
    for (output, first_source) in &outputs {
        // A prompt-sized query (15 words of the output), then the whole output as the query.
        let question: String = output
            .split_whitespace()
            .skip(10)
            .take(15)
            .collect::<Vec<_>>()
            .join(" ");
        let t = Instant::now();
        index.retrieve(&question, 5)?;
        question_times.push(t.elapsed());
        let t = Instant::now();
        let retrieved = index.retrieve(output, 5)?;
        retrieve_times.push(t.elapsed());
        let t = Instant::now();
        let attribution =
            index.attribute(output, &retrieved, Grounding::Spans, &attribution_config);
        attribute_times.push(t.elapsed());
        attributed += usize::from(attribution.outcome == Outcome::Attributed);
        first_source_credited += usize::from(
            attribution
                .weights
                .iter()
                .any(|w| w.contribution_id == *first_source),
        );
        spans += attribution.spans.len();
        json_bytes += attribution.canonical_json()?.len();
    }
    let mean_words = outputs
        .iter()
        .map(|(o, _)| tokenize(o).len())
        .sum::<usize>()
        / outputs.len();
    println!(
        "{OUTPUTS} outputs of ~{mean_words} words: attribute p50 {:.2?} p99 {:.2?} max {:.2?}; retrieve k=5 by a 15-word query p50 {:.2?} p99 {:.2?}, by the whole output p50 {:.2?} p99 {:.2?}; \
         {attributed} attributed, first quoted page credited in {first_source_credited}, {:.1} spans and {} JSON bytes per output",
        percentile(&mut attribute_times, 0.50),
        percentile(&mut attribute_times, 0.99),
        percentile(&mut attribute_times, 1.0),
        percentile(&mut question_times, 0.50),
        percentile(&mut question_times, 0.99),
        percentile(&mut retrieve_times, 0.50),
        percentile(&mut retrieve_times, 0.99),
        spans as f64 / OUTPUTS as f64,
        json_bytes / OUTPUTS,
    );
    assert!(
        attributed * 10 >= OUTPUTS * 9,
        "outputs built from quotes must be attributed"
    );

    // 5. Incremental: the held-out pages one at a time (each: a segment, a tantivy commit, merges).
    let mut add_times = Vec::new();
    let mut merges = 0;
    let held_words: u64 = held_out
        .iter()
        .map(|c| tokenize(&c.text).len() as u64)
        .sum();
    for c in &held_out {
        let t = Instant::now();
        let r = index.add_batch(std::slice::from_ref(c), |_, _| {})?;
        add_times.push(t.elapsed());
        merges += r.merges;
        let quote: String = c
            .text
            .split_whitespace()
            .take(40)
            .collect::<Vec<_>>()
            .join(" ");
        let a = index.attribute(&quote, &[], Grounding::Spans, &attribution_config);
        assert!(
            a.weights.iter().any(|w| w.contribution_id == c.meta.id)
                || a.outcome == Outcome::Unattributed
        );
    }
    let total_add: Duration = add_times.iter().sum();
    let segments = index.stats()?.segment_tokens;
    println!(
        "incremental: {} single-page adds ({held_words} words) p50 {:.1?} p99 {:.1?} max {:.1?}, total {:.1?} ({:.0} words/s); \
         {merges} merges, {} segments after (tokens {:?}); a full rebuild would take ~{:.1?}",
        held_out.len(),
        percentile(&mut add_times, 0.50),
        percentile(&mut add_times, 0.99),
        percentile(&mut add_times, 1.0),
        total_add,
        held_words as f64 / total_add.as_secs_f64(),
        segments.len(),
        segments,
        build,
    );
    Ok(())
}

/// ~[`OUTPUT_WORDS`] words: 3 to 5 quotes of 20 to 40 words from random pages, separated by
/// random words. Returns the output and the first quoted page.
fn make_output(
    contributions: &[Contribution],
    vocab: &[String],
    rng: &mut ChaCha8Rng,
) -> (String, u64) {
    let mut output = String::new();
    let mut words = 0;
    let mut first = None;
    while words < OUTPUT_WORDS {
        let c = contributions.choose(rng).unwrap_or(&contributions[0]);
        let tokens = tokenize(&c.text);
        let len = rng.random_range(20..=40).min(tokens.len());
        let start = rng.random_range(0..=tokens.len() - len);
        output.push_str(&c.text[tokens[start].range.start..tokens[start + len - 1].range.end]);
        first.get_or_insert(c.meta.id);
        for _ in 0..rng.random_range(3..=8) {
            output.push(' ');
            output.push_str(vocab.choose(rng).map_or("word", String::as_str));
        }
        output.push(' ');
        words += len + 5;
    }
    (output, first.unwrap_or_default())
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort_unstable();
    times
        .get(((times.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn proc_status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .map_or(0, |kb: u64| kb / 1024)
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
