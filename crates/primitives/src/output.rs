//! Output roots: the L2 state commitment that the proposer posts to the Rollup contract.
//!
//! `outputRoot = keccak256(version ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)` with
//! `version == bytes32(0)`, as in the OP Stack. The Portal recomputes it from an [`OutputRootProof`]
//! when a withdrawal is proven.

use alloy_primitives::{B256, keccak256};
use serde::{Deserialize, Serialize};

/// The only output root version.
pub const OUTPUT_VERSION_V0: B256 = B256::ZERO;

/// The preimage of an output root (Solidity's `OutputRootProof`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputRootProof {
    /// Output version, [`OUTPUT_VERSION_V0`].
    pub version: B256,
    /// The L2 block's state root.
    pub state_root: B256,
    /// Storage root of the `L2ToL1MessagePasser` predeploy in that state.
    pub message_passer_storage_root: B256,
    /// The L2 block's hash.
    pub latest_blockhash: B256,
}

impl OutputRootProof {
    /// A version 0 preimage.
    pub const fn v0(state_root: B256, message_passer_storage_root: B256, block_hash: B256) -> Self {
        Self {
            version: OUTPUT_VERSION_V0,
            state_root,
            message_passer_storage_root,
            latest_blockhash: block_hash,
        }
    }

    /// The output root: keccak256 of the four words, concatenated.
    pub fn output_root(&self) -> B256 {
        let mut buf = [0u8; 128];
        buf[..32].copy_from_slice(self.version.as_slice());
        buf[32..64].copy_from_slice(self.state_root.as_slice());
        buf[64..96].copy_from_slice(self.message_passer_storage_root.as_slice());
        buf[96..].copy_from_slice(self.latest_blockhash.as_slice());
        keccak256(buf)
    }
}

/// The version 0 output root of an L2 block.
pub fn output_root(state_root: B256, message_passer_storage_root: B256, block_hash: B256) -> B256 {
    OutputRootProof::v0(state_root, message_passer_storage_root, block_hash).output_root()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::SolValue;

    #[test]
    fn equals_abi_encode_of_four_words() {
        let (s, m, b) = (keccak256("s"), keccak256("m"), keccak256("b"));
        let expected = keccak256((B256::ZERO, s, m, b).abi_encode());
        assert_eq!(output_root(s, m, b), expected);
    }

    #[test]
    fn every_word_matters() {
        let (s, m, b) = (keccak256("s"), keccak256("m"), keccak256("b"));
        let root = output_root(s, m, b);
        assert_ne!(root, output_root(m, s, b));
        assert_ne!(root, output_root(s, b, m));
        let mut v1 = OutputRootProof::v0(s, m, b);
        v1.version = B256::with_last_byte(1);
        assert_ne!(root, v1.output_root());
    }
}
