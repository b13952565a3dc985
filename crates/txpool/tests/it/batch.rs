//! Parallel sender recovery.

use std::time::Instant;

use alloy_primitives::Bytes;
use tributary_txpool::{PoolConfig, validate_batch, validate_stateless};

use crate::utils::*;

fn batch() -> Vec<Bytes> {
    let mut raws = Vec::new();
    for sender in 0..8 {
        for nonce in 0..32 {
            raws.push(eip1559(sender, nonce, 10 * GWEI, GWEI + nonce as u128));
        }
    }
    // some failures in the middle: wrong chain, already known, bad bytes
    raws.insert(10, legacy(0, 99, GWEI, Some(1)));
    raws.insert(20, raws[5].clone());
    raws.insert(30, Bytes::from(vec![0xc1]));
    raws
}

#[test]
fn parallel_batch_equals_sequential() {
    let raws = batch();
    let (sequential, _) = pool();
    let expected: Vec<_> = raws.iter().map(|r| sequential.add_raw(r.clone())).collect();
    let (parallel, _) = pool();
    let got = parallel.add_raw_batch(raws);
    assert_eq!(got, expected);
    assert_eq!(got.iter().filter(|r| r.is_err()).count(), 3);
    assert_eq!(parallel.status(), sequential.status());
    assert_eq!(parallel.status().pending, 256);
}

/// Prints recovery cost per transaction; asserts only that both paths agree.
#[test]
fn recovery_micros_single_vs_parallel() {
    let config = PoolConfig::test();
    let raws: Vec<Bytes> = (0..2000)
        .map(|n| eip1559(n % 16, n, 10 * GWEI, GWEI))
        .collect();
    let start = Instant::now();
    let single: Vec<_> = raws
        .iter()
        .map(|r| validate_stateless(r.clone(), &config).unwrap())
        .collect();
    let single_us = start.elapsed().as_secs_f64() * 1e6 / raws.len() as f64;
    let start = Instant::now();
    let parallel: Vec<_> = validate_batch(raws.clone(), &config)
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let parallel_us = start.elapsed().as_secs_f64() * 1e6 / raws.len() as f64;
    println!(
        "validate+recover: {single_us:.1} us/tx single thread, {parallel_us:.1} us/tx batch on {} threads",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    assert_eq!(single, parallel);
}
