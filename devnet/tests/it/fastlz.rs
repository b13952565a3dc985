//! The L1 data fee, computed here independently of the node: a port of the FastLZ length
//! estimate OP Stack specifies (Solady's `LibZip.flzCompress`, op-geth's `FlzCompressLen`) and
//! the Fjord cost function (specs.optimism.io, "Fjord: L1 cost function"):
//!
//! ```text
//! estimatedSize = max(100e6, 836_500 * fastlzSize - 42_585_600)          (bytes * 1e6)
//! l1Fee         = estimatedSize * (16 * l1BaseFee * baseFeeScalar + l1BlobBaseFee * blobBaseFeeScalar) / 1e12
//! ```
//!
//! The port is checked against op-revm's on varied inputs, so a disagreement on the devnet points
//! at the node, not at this file.

use alloy::primitives::{U256, keccak256};

/// Length of the FastLZ (level 1) compression of `input`, without compressing.
pub(crate) fn flz_compress_len(input: &[u8]) -> u32 {
    let len = u32::try_from(input.len()).unwrap();
    let u24 = |i: u32| -> u32 {
        let i = i as usize;
        u32::from(input[i]) | (u32::from(input[i + 1]) << 8) | (u32::from(input[i + 2]) << 16)
    };
    let hash = |v: u32| -> usize { ((2_654_435_769u32.wrapping_mul(v) >> 19) & 0x1fff) as usize };
    // Solady's comparison: counts one past the first mismatch (kept as specified)
    let cmp = |p: u32, q: u32, end: u32| -> u32 {
        let mut l = 0u32;
        let mut e = end - q;
        while l < e {
            if input[(p + l) as usize] != input[(q + l) as usize] {
                e = 0;
            }
            l += 1;
        }
        l
    };
    let literals = |mut r: u32, n: &mut u32| {
        *n += 0x21 * (r / 0x20);
        r %= 0x20;
        if r != 0 {
            *n += r + 1;
        }
    };
    let matched = |mut l: u32, n: &mut u32| {
        l -= 1;
        *n += 3 * (l / 262);
        *n += if l % 262 >= 6 { 3 } else { 2 };
    };

    let mut n = 0u32;
    let mut table = vec![0u32; 8192];
    let mut anchor = 0u32;
    let ip_limit = len.saturating_sub(13);
    let mut ip = anchor + 2;
    while ip < ip_limit {
        let mut r;
        loop {
            let s = u24(ip);
            let h = hash(s);
            r = table[h];
            table[h] = ip;
            let d = ip - r;
            if ip >= ip_limit {
                break;
            }
            ip += 1;
            if d <= 0x1fff && s == u24(r) {
                break;
            }
        }
        if ip >= ip_limit {
            break;
        }
        ip -= 1;
        if ip > anchor {
            literals(ip - anchor, &mut n);
        }
        let l = cmp(r + 3, ip + 3, ip_limit + 9);
        matched(l, &mut n);
        ip += l;
        table[hash(u24(ip))] = ip;
        ip += 1;
        table[hash(u24(ip))] = ip;
        ip += 1;
        anchor = ip;
    }
    literals(len - anchor, &mut n);
    n
}

/// Fjord's estimated compressed size, scaled by 1e6.
pub(crate) fn estimated_size_scaled(tx: &[u8]) -> u64 {
    (u64::from(flz_compress_len(tx)) * 836_500)
        .saturating_sub(42_585_600)
        .max(100_000_000)
}

/// Fjord's L1 data fee of the EIP-2718 bytes `tx`.
pub(crate) fn fjord_l1_fee(
    tx: &[u8],
    l1_base_fee: U256,
    base_fee_scalar: u32,
    l1_blob_base_fee: U256,
    blob_base_fee_scalar: u32,
) -> U256 {
    let per_byte = U256::from(16u64) * l1_base_fee * U256::from(base_fee_scalar)
        + l1_blob_base_fee * U256::from(blob_base_fee_scalar);
    U256::from(estimated_size_scaled(tx)) * per_byte / U256::from(1_000_000_000_000u64)
}

/// EIP-4844's `fake_exponential(1, excess_blob_gas, 5_007_716)`: the blob base fee of a Prague
/// header.
pub(crate) fn prague_blob_base_fee(excess_blob_gas: u64) -> U256 {
    let (factor, numerator, denominator) = (
        U256::from(1u64),
        U256::from(excess_blob_gas),
        U256::from(5_007_716u64),
    );
    let mut i = U256::from(1u64);
    let mut output = U256::ZERO;
    let mut accum = factor * denominator;
    while accum > U256::ZERO {
        output += accum;
        accum = accum * numerator / (denominator * i);
        i += U256::from(1u64);
    }
    output / denominator
}

#[test]
fn port_matches_op_revm() {
    let mut inputs: Vec<Vec<u8>> = vec![
        vec![],
        vec![0; 5],
        vec![0; 13],
        vec![0; 14],
        vec![0xab; 1000],
        b"hello hello hello hello hello hello hello".to_vec(),
    ];
    // incompressible, repetitive and mixed data of many lengths
    let random: Vec<u8> = (0u32..400)
        .flat_map(|i| keccak256(i.to_be_bytes()).0)
        .collect();
    for len in [
        1, 12, 13, 20, 31, 32, 33, 100, 111, 160, 300, 1024, 5000, 12_800,
    ] {
        inputs.push(random[..len].to_vec());
        inputs.push(random[..len / 2].repeat(2));
        let mut mixed = random[..len].to_vec();
        for (i, b) in mixed.iter_mut().enumerate() {
            if i % 7 < 4 {
                *b = 0;
            }
        }
        inputs.push(mixed);
    }
    for input in &inputs {
        let scaled = estimated_size_scaled(input);
        assert_eq!(
            scaled,
            op_revm::estimate_tx_compressed_size(input),
            "FastLZ estimate of {} bytes",
            input.len()
        );
    }
}

#[test]
fn blob_base_fee_of_zero_excess_is_one() {
    assert_eq!(prague_blob_base_fee(0), U256::from(1u64));
    // a value from the EIP-4844 curve: excess = denominator → ≈ e
    assert_eq!(prague_blob_base_fee(5_007_716), U256::from(2u64));
}
