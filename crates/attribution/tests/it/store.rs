use alloy_primitives::keccak256;
use tributary_attribution::{AttributionError, ContentStore};

use crate::utils::MemRegistry;

#[test]
fn test_put_registered_text_succeeds_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path()).unwrap();
    let mut registry = MemRegistry::default();
    let expected = registry.register(7, 1, "Ownership is Rust's most unique feature.");
    let stored = store.put(&registry, expected.text.as_bytes()).unwrap();
    assert_eq!(stored, expected);
    assert!(store.contains(expected.content_hash));
    assert_eq!(
        store.get(expected.content_hash).unwrap(),
        Some(expected.clone())
    );
    assert_eq!(store.hashes().unwrap(), vec![expected.content_hash]);
    // Again: same result, still one file, and a reopened store sees it.
    assert_eq!(
        store.put(&registry, expected.text.as_bytes()).unwrap(),
        expected
    );
    let reopened = ContentStore::open(dir.path()).unwrap();
    assert_eq!(reopened.hashes().unwrap(), vec![expected.content_hash]);
    // Removed: gone from every view, and removing again reports nothing removed.
    assert!(store.remove(expected.content_hash).unwrap());
    assert!(!store.contains(expected.content_hash));
    assert_eq!(store.get(expected.content_hash).unwrap(), None);
    assert!(store.hashes().unwrap().is_empty());
    assert!(!store.remove(expected.content_hash).unwrap());
}

#[test]
fn test_put_unregistered_or_binary_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path()).unwrap();
    let mut registry = MemRegistry::default();
    let err = store.put(&registry, b"nobody registered this").unwrap_err();
    assert!(
        matches!(err, AttributionError::NotRegistered { content_hash } if content_hash == keccak256(b"nobody registered this"))
    );
    assert!(err.is_bad_input());
    // Registered, but not text: refused as such.
    let binary = [0x66, 0x6f, 0xff, 0xfe, 0x00];
    registry.entries.insert(
        keccak256(binary),
        tributary_attribution::ContributionMeta {
            id: 1,
            datanet_id: 1,
        },
    );
    let err = store.put(&registry, &binary).unwrap_err();
    assert!(
        matches!(err, AttributionError::NotUtf8 { valid_up_to: 2, .. }),
        "{err}"
    );
    assert!(err.is_bad_input());
    assert!(store.hashes().unwrap().is_empty());
    // A registry that cannot answer is a fault, not bad input.
    registry.fail = Some("connection refused");
    let err = store.put(&registry, b"anything").unwrap_err();
    assert!(matches!(err, AttributionError::Registry(_)) && !err.is_bad_input());
}

#[test]
fn test_get_damaged_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path()).unwrap();
    let mut registry = MemRegistry::default();
    let c = registry.register(1, 1, "some text");
    store.put(&registry, c.text.as_bytes()).unwrap();
    let hex = alloy_primitives::hex::encode(c.content_hash);
    std::fs::write(
        dir.path().join(&hex[..2]).join(format!("{hex}.txt")),
        "some texT",
    )
    .unwrap();
    assert!(matches!(
        store.get(c.content_hash),
        Err(AttributionError::Corrupt { .. })
    ));
}
