//! The pinned real corpus of the quality test and the benchmark: the HTML documentation shipped
//! with the Rust toolchain (`$(rustc --print sysroot)/share/doc/rust/html`, pinned by the
//! toolchain's version: 1.95.0 on this project's machines), turned into plain text. Shared by
//! `tests/it/quality.rs` and `examples/bench.rs` through `#[path]`.

use std::path::{Path, PathBuf};

/// The toolchain's HTML docs, or `TRIBUTARY_RUST_DOCS` when set. Panics with what to do when the
/// directory is missing: a quality test that cannot find its corpus must fail, never pass.
pub(crate) fn docs_dir() -> PathBuf {
    let dir = match std::env::var_os("TRIBUTARY_RUST_DOCS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let out = std::process::Command::new("rustc")
                .args(["--print", "sysroot"])
                .output()
                .unwrap_or_else(|e| panic!("corpus: cannot run `rustc --print sysroot`: {e}"));
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("share/doc/rust/html")
        }
    };
    assert!(
        dir.join("index.html").is_file(),
        "corpus: the Rust toolchain's HTML docs are missing at {} (install them with `rustup component add rust-docs`, \
         or point TRIBUTARY_RUST_DOCS at a copy); the attribution quality test and benchmark need this pinned corpus",
        dir.display()
    );
    dir
}

/// Every `.html` file under `dir` (recursively), sorted, except mdBook's `print.html` (a copy of
/// the whole book: with it every passage would occur twice) and `toc.html` (navigation).
pub(crate) fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                stack.push(path);
            } else if name.ends_with(".html") && name != "print.html" && name != "toc.html" {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The text of an HTML page: the `<main>` element when there is one (mdBook and rustdoc put the
/// page's content there; the rest is navigation repeated on every page), without comments,
/// scripts and styles, block elements as line breaks, inline tags dropped, entities decoded.
pub(crate) fn html_to_text(html: &str) -> String {
    let body = match (html.find("<main"), html.rfind("</main>")) {
        (Some(start), Some(end)) if start < end => &html[start..end],
        _ => html,
    };
    let mut out = String::with_capacity(body.len() / 2);
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        decode_entities(&rest[..lt], &mut out);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            // A lone '<' in text.
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &rest[gt + 1..];
        if !tag.starts_with('/') && (name == "script" || name == "style") {
            let close = format!("</{name}");
            rest = rest.find(&close).map_or("", |end| &rest[end..]);
            continue;
        }
        const BLOCKS: [&str; 22] = [
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "pre",
            "tr",
            "td",
            "th",
            "table",
            "section",
            "blockquote",
            "dt",
            "dd",
            "details",
        ];
        if BLOCKS.contains(&name.as_str()) {
            out.push('\n');
        }
    }
    decode_entities(rest, &mut out);
    out
}

fn decode_entities(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // A byte search: ';' is ASCII, so its index is a char boundary.
        let end = rest.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => match entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                    None => entity
                        .strip_prefix('#')
                        .and_then(|d| d.parse().ok())
                        .and_then(char::from_u32),
                },
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}
