//! Fixtures: a synthetic L1 chain, real signed transactions, a test sequencer that builds real
//! encoded batches, and an executor that records inputs and hashes them into a chain.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy},
    eips::eip2718::Encodable2718,
    signers::{
        SignerSync,
        local::{MnemonicBuilder, PrivateKeySigner},
    },
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use tributary_derivation::{
    BatchData, BlockInput, DepositLog, DeriveEvent, Deriver, Execute, L1BlockData, L1BlockInfo,
    L2Head,
};
use tributary_primitives::{
    BatchBlock, BatchPayload, BlockRef, Codec, DepositPayload, RollupConfig,
};

pub(crate) const MNEMONIC: &str = "test test test test test test test test test test test junk";

/// The L1 block the L2 genesis takes as its origin.
pub(crate) const GENESIS_ORIGIN: u64 = 10;
/// Seconds between L1 blocks.
pub(crate) const L1_BLOCK_TIME: u64 = 12;
/// Timestamp of L1 block 0.
pub(crate) const L1_T0: u64 = 1_700_000_000;

/// Dev account `i` of the mnemonic.
pub(crate) fn signer(i: u32) -> PrivateKeySigner {
    MnemonicBuilder::from_phrase_nth(MNEMONIC, i)
}

/// A signed EIP-1559 transfer from dev account `from`, EIP-2718 encoded.
pub(crate) fn tx(from: u32, nonce: u64, chain_id: u64) -> Bytes {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 2_000_000_000,
        max_priority_fee_per_gas: 1_000_000,
        to: TxKind::Call(Address::repeat_byte(0x42)),
        value: U256::from(1),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let sig = signer(from).sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

/// A signed legacy transfer (EIP-155 when `chain_id` is set).
pub(crate) fn legacy_tx(chain_id: Option<u64>) -> Bytes {
    let tx = TxLegacy {
        chain_id,
        nonce: 0,
        gas_price: 2_000_000_000,
        gas_limit: 21_000,
        to: TxKind::Call(Address::repeat_byte(0x42)),
        value: U256::from(1),
        input: Bytes::new(),
    };
    let sig = signer(0).sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

/// The test chain's config: the devnet's, with a short sequencing window.
pub(crate) fn config() -> RollupConfig {
    RollupConfig {
        sequencing_window: 4,
        max_sequencer_drift: 600,
        ..RollupConfig::devnet()
    }
}

/// Hash of L1 block `number` on the canonical test chain.
pub(crate) fn l1_hash(number: u64) -> B256 {
    keccak256([b"l1".as_slice(), &number.to_be_bytes()].concat())
}

/// L1 block `number` of the canonical test chain.
pub(crate) fn l1(number: u64) -> L1BlockInfo {
    L1BlockInfo {
        number,
        hash: l1_hash(number),
        parent_hash: if number == 0 {
            B256::ZERO
        } else {
            l1_hash(number - 1)
        },
        timestamp: L1_T0 + L1_BLOCK_TIME * number,
        base_fee: 1_000_000_000 + number,
        blob_base_fee: U256::from(1 + number % 3),
        mix_hash: keccak256([b"mix".as_slice(), &number.to_be_bytes()].concat()),
        parent_beacon_block_root: keccak256([b"beacon".as_slice(), &number.to_be_bytes()].concat()),
    }
}

/// L1 block `number` with these deposits and batches.
pub(crate) fn l1_data(
    number: u64,
    deposits: Vec<DepositLog>,
    batches: Vec<BatchData>,
) -> L1BlockData {
    L1BlockData {
        info: l1(number),
        deposits,
        batches,
    }
}

/// A version-0 deposit log minting `mint` to dev account `from`.
pub(crate) fn deposit_log(log_index: u64, from: u32, mint: u64) -> DepositLog {
    DepositLog {
        log_index,
        from: signer(from).address(),
        to: Address::repeat_byte(0x77),
        version: U256::ZERO,
        opaque_data: DepositPayload {
            mint: U256::from(mint),
            value: U256::from(mint / 2),
            gas_limit: 100_000,
            is_creation: false,
            data: Bytes::from_static(b"hi"),
        }
        .encode()
        .into(),
    }
}

/// The L2 genesis: block 0 with origin [`GENESIS_ORIGIN`].
pub(crate) fn genesis() -> L2Head {
    L2Head {
        number: 0,
        hash: keccak256("l2 genesis"),
        timestamp: l1(GENESIS_ORIGIN).timestamp,
        origin: BlockRef {
            number: GENESIS_ORIGIN,
            hash: l1_hash(GENESIS_ORIGIN),
        },
        sequence_number: 0,
    }
}

/// A deriver at the L2 genesis.
pub(crate) fn deriver() -> Deriver {
    Deriver::new(config(), genesis(), l1(GENESIS_ORIGIN)).unwrap()
}

/// The test block hash: a chain over what the test sequencer also knows (deposits are checked
/// on the inputs directly).
pub(crate) fn block_hash(
    parent: B256,
    number: u64,
    timestamp: u64,
    origin: B256,
    tx_hashes: impl IntoIterator<Item = B256>,
) -> B256 {
    let mut data = Vec::new();
    data.extend_from_slice(parent.as_slice());
    data.extend_from_slice(&number.to_be_bytes());
    data.extend_from_slice(&timestamp.to_be_bytes());
    data.extend_from_slice(origin.as_slice());
    for h in tx_hashes {
        data.extend_from_slice(h.as_slice());
    }
    keccak256(data)
}

/// An executor that records the inputs and chains [`block_hash`]es; optionally fails at a block.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    pub(crate) inputs: Vec<BlockInput>,
    pub(crate) parent: B256,
    pub(crate) fail_at: Option<u64>,
}

impl Recorder {
    pub(crate) fn new(head: &L2Head) -> Self {
        Self {
            inputs: Vec::new(),
            parent: head.hash,
            fail_at: None,
        }
    }
}

/// The recorder's error.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("execution failed at block {0}")]
pub(crate) struct ExecFailed(pub(crate) u64);

impl Execute for Recorder {
    type Error = ExecFailed;

    fn execute(&mut self, input: &BlockInput) -> Result<B256, ExecFailed> {
        if self.fail_at == Some(input.number) {
            return Err(ExecFailed(input.number));
        }
        let hash = block_hash(
            self.parent,
            input.number,
            input.timestamp,
            input.origin.hash,
            input.transactions.iter().map(|tx| *tx.inner().tx_hash()),
        );
        self.inputs.push(input.clone());
        self.parent = hash;
        Ok(hash)
    }
}

/// The L2 chain as the test sequencer builds it: predicts the hashes derivation will compute.
#[derive(Debug, Clone)]
pub(crate) struct Sequencer {
    pub(crate) number: u64,
    pub(crate) hash: B256,
    pub(crate) timestamp: u64,
    pub(crate) origin: u64,
}

impl Sequencer {
    pub(crate) fn at(head: &L2Head) -> Self {
        Self {
            number: head.number,
            hash: head.hash,
            timestamp: head.timestamp,
            origin: head.origin.number,
        }
    }

    /// Appends `blocks` to the chain and returns their batch.
    pub(crate) fn batch(&mut self, blocks: Vec<BatchBlock>) -> BatchPayload {
        let payload = BatchPayload {
            first_block: self.number + 1,
            parent_hash: self.hash,
            last_origin_hash: blocks
                .last()
                .map_or(B256::ZERO, |b| l1_hash(b.origin_number)),
            blocks,
        };
        for b in &payload.blocks {
            self.append(b);
        }
        payload
    }

    /// Appends one block as derivation executes it.
    pub(crate) fn append(&mut self, b: &BatchBlock) {
        self.number += 1;
        self.hash = block_hash(
            self.hash,
            self.number,
            b.timestamp,
            l1_hash(b.origin_number),
            b.txs.iter().map(keccak256),
        );
        self.timestamp = b.timestamp;
        self.origin = b.origin_number;
    }

    /// Appends the `count` empty blocks derivation inserts for an invalid batch's range: the
    /// parent's timestamp and origin, no transactions.
    pub(crate) fn fill(&mut self, count: u64) {
        for _ in 0..count {
            let b = block(self.timestamp, self.origin, vec![]);
            self.append(&b);
        }
    }

    /// Appends the forced block derivation inserts with the next origin.
    pub(crate) fn force(&mut self) -> BatchBlock {
        let origin = self.origin + 1;
        let b = block(self.timestamp.max(l1(origin).timestamp), origin, vec![]);
        self.append(&b);
        b
    }
}

/// A batch block.
pub(crate) fn block(timestamp: u64, origin_number: u64, txs: Vec<Bytes>) -> BatchBlock {
    BatchBlock {
        timestamp,
        origin_number,
        txs,
    }
}

/// The `BatchSubmitted` data of a payload, with the event range taken from it.
pub(crate) fn batch_data(batch_index: u64, payload: &BatchPayload) -> BatchData {
    BatchData {
        batch_index,
        first_block: payload.first_block,
        last_block: payload.first_block + payload.blocks.len().max(1) as u64 - 1,
        data: payload.encode(Codec::DEFAULT).into(),
    }
}

/// Pushes `block`, panicking on a derivation error.
pub(crate) fn push(d: &mut Deriver, exec: &mut Recorder, block: L1BlockData) -> Vec<DeriveEvent> {
    d.push(block, exec).unwrap()
}

/// Pushes empty L1 blocks `from..=to`.
pub(crate) fn push_empty(
    d: &mut Deriver,
    exec: &mut Recorder,
    from: u64,
    to: u64,
) -> Vec<DeriveEvent> {
    (from..=to)
        .flat_map(|n| push(d, exec, L1BlockData::empty(l1(n))))
        .collect()
}

/// `DeriveEvent::BatchAccepted` of a batch.
pub(crate) fn accepted(b: &BatchData) -> DeriveEvent {
    DeriveEvent::BatchAccepted {
        batch_index: b.batch_index,
        first_block: b.first_block,
        last_block: b.last_block,
    }
}

/// Checks that `inputs` are the empty blocks filling an invalid batch's range after `parent`:
/// consecutive numbers, the parent's origin and timestamp, sequence numbers counting on from the
/// parent's, only the L1-info deposit, marked `filled` and not `forced`.
pub(crate) fn assert_filled(inputs: &[BlockInput], parent: &L2Head) {
    for (i, input) in (1..).zip(inputs) {
        assert_eq!(input.number, parent.number + i, "{input:?}");
        assert_eq!(input.origin.block_ref(), parent.origin, "{input:?}");
        assert_eq!(input.l1_info.number, parent.origin.number);
        assert_eq!(input.l1_info.hash, parent.origin.hash);
        assert_eq!(input.timestamp, parent.timestamp);
        assert_eq!(input.sequence_number(), parent.sequence_number + i);
        assert!(input.transactions.is_empty() && input.deposits.is_empty());
        assert!(input.filled && !input.forced);
    }
}
