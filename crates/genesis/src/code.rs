//! Runtime code of the predeploys that are not compiled from `contracts/src`, each pinned by its
//! code hash.
//!
//! | contract | source of the bytes | code hash |
//! | --- | --- | --- |
//! | Multicall3 | `assets/multicall3.runtime.hex`: the runtime code at `0xcA11…CA11` on Ethereum mainnet (mds1/multicall3, solc 0.8.12; what its pre-signed deployment returns), as embedded in foundry's `forge` binary | [`MULTICALL3_CODE_HASH`] |
//! | CREATE2 deployer | Arachnid's deterministic-deployment-proxy runtime (69 bytes) | [`CREATE2_DEPLOYER_CODE_HASH`] |
//! | EIP-2935 history | the runtime code in EIP-2935 ("Deployment"), as `alloy_eips::eip2935` | [`HISTORY_STORAGE_CODE_HASH`] |
//! | EIP-4788 beacon roots | the runtime code in EIP-4788 ("Deployment"), as `alloy_eips::eip4788` | [`BEACON_ROOTS_CODE_HASH`] |
//!
//! The EIPs publish the deployment transaction and address, not a code hash; the hashes below were
//! computed once from the bytes and are checked by the tests, so any edit to the bytes fails them.
//! Behaviour is checked too: `tests/it/block.rs` runs the system calls and a CREATE2 through the
//! deployer on top of genesis.

use alloy::eips::{eip2935::HISTORY_STORAGE_CODE, eip4788::BEACON_ROOTS_CODE};
use alloy_primitives::{B256, Bytes, b256, bytes};

/// `keccak256` of Multicall3's runtime code (the code hash of `0xcA11…CA11` on every chain where it
/// was deployed with the canonical pre-signed transaction).
pub const MULTICALL3_CODE_HASH: B256 =
    b256!("0xd5c15df687b16f2ff992fc8d767b4216323184a2bbc6ee2f9c398c318e770891");

/// `keccak256` of Arachnid's CREATE2 deployer runtime code.
pub const CREATE2_DEPLOYER_CODE_HASH: B256 =
    b256!("0x2fa86add0aed31f33a762c9d88e807c475bd51d0f52bd0955754b2608f7e4989");

/// `keccak256` of the EIP-2935 history storage runtime code.
pub const HISTORY_STORAGE_CODE_HASH: B256 =
    b256!("0x6e49e66782037c0555897870e29fa5e552daf4719552131a0abce779daec0a5d");

/// `keccak256` of the EIP-4788 beacon roots runtime code.
pub const BEACON_ROOTS_CODE_HASH: B256 =
    b256!("0xf57acd40259872606d76197ef052f3d35588dadf919ee1f0e3cb9b62d3f4b02c");

/// Arachnid's deterministic deployment proxy: `CREATE2(value, calldata[32..], salt = calldata[..32])`,
/// returns the 20-byte address.
pub const CREATE2_DEPLOYER_CODE: Bytes = bytes!(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3"
);

/// Multicall3's runtime code.
pub fn multicall3_code() -> Bytes {
    // The asset is checked by `tests::code_hashes_are_pinned`; a bad edit cannot reach genesis
    // unnoticed.
    alloy_primitives::hex::decode(include_str!("../assets/multicall3.runtime.hex").trim())
        .map(Bytes::from)
        .unwrap_or_default()
}

/// The EIP-2935 history storage contract's runtime code.
pub fn history_storage_code() -> Bytes {
    HISTORY_STORAGE_CODE.clone()
}

/// The EIP-4788 beacon roots contract's runtime code.
pub fn beacon_roots_code() -> Bytes {
    BEACON_ROOTS_CODE.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn code_hashes_are_pinned() {
        let mc = multicall3_code();
        assert_eq!(
            mc.len(),
            0xee0,
            "the canonical init code returns 0xee0 bytes"
        );
        assert_eq!(keccak256(&mc), MULTICALL3_CODE_HASH);
        assert_eq!(CREATE2_DEPLOYER_CODE.len(), 69);
        assert_eq!(
            keccak256(&CREATE2_DEPLOYER_CODE),
            CREATE2_DEPLOYER_CODE_HASH
        );
        assert_eq!(keccak256(history_storage_code()), HISTORY_STORAGE_CODE_HASH);
        assert_eq!(keccak256(beacon_roots_code()), BEACON_ROOTS_CODE_HASH);
    }
}
