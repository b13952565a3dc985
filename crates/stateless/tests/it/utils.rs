//! A node whose blocks the tests choose (imported, not produced), hand-assembled contracts and
//! transaction builders.

use alloy::{
    consensus::{
        Header, Sealed, SignableTransaction, TxEip1559, TxEnvelope, transaction::Recovered,
    },
    signers::{SignerSync, local::MnemonicBuilder},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use op_alloy_consensus::TxDeposit;
use tempfile::TempDir;
use tributary_genesis::DEV_MNEMONIC;
use tributary_node::{
    ExecutionWitness, FixedOrigin, Importer, Node, NodeConfig, OriginSource, execution_witness,
};
use tributary_primitives::{RollupConfig, l1_info::user_deposit_source_hash};
use tributary_stateless::{StatelessBlock, StatelessError, VerifiedBlock, verify_block};

pub(crate) const GWEI: u128 = 1_000_000_000;

/// Runtime: `sstore(calldataload(0), calldataload(32))`.
pub(crate) const STORE: &[u8] = &[0x60, 0x20, 0x35, 0x60, 0x00, 0x35, 0x55, 0x00];
/// Runtime: `sstore(0, blockhash(number - calldataload(0)))`.
pub(crate) const BLOCKHASH: &[u8] = &[0x60, 0x00, 0x35, 0x43, 0x03, 0x40, 0x60, 0x00, 0x55, 0x00];
/// Runtime: `revert(0, 0)`.
pub(crate) const REVERT: &[u8] = &[0x60, 0x00, 0x60, 0x00, 0xfd];
/// Init code that self-destructs in its constructor, sending its value to the caller
/// (`CALLER SELFDESTRUCT`): created and destroyed in one transaction (EIP-6780).
pub(crate) const SELF_DESTRUCT_INIT: &[u8] = &[0x33, 0xff];

/// Init code deploying `runtime` (at most 255 bytes).
pub(crate) fn init_code(runtime: &[u8]) -> Bytes {
    let n = u8::try_from(runtime.len()).unwrap();
    let mut code = vec![
        0x60, n, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xf3,
    ];
    code.extend_from_slice(runtime);
    code.into()
}

/// Calldata of two words.
pub(crate) fn words(a: U256, b: U256) -> Bytes {
    let mut data = a.to_be_bytes::<32>().to_vec();
    data.extend_from_slice(&b.to_be_bytes::<32>());
    data.into()
}

/// A fresh recipient per index.
pub(crate) fn recipient(i: u64) -> Address {
    Address::left_padding_from(&(0xbeef_0000 + i).to_be_bytes())
}

/// A user deposit from L1 account `from` (distinct source hash per `log_index`).
pub(crate) fn deposit(
    log_index: u64,
    from: Address,
    to: TxKind,
    mint: u128,
    input: Bytes,
) -> TxDeposit {
    TxDeposit {
        source_hash: user_deposit_source_hash(keccak256("l1 block"), log_index),
        from,
        to,
        mint,
        value: U256::ZERO,
        gas_limit: 200_000,
        is_system_transaction: false,
        input,
    }
}

/// A `--dev` node in a temp dir whose blocks are imported with chosen contents.
pub(crate) struct Chain {
    _dir: TempDir,
    pub(crate) node: Node,
    importer: Importer,
    origin: FixedOrigin,
    pub(crate) rollup: RollupConfig,
    nonces: [u64; 10],
}

impl Chain {
    pub(crate) async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = NodeConfig::dev(dir.path());
        let origin = FixedOrigin::new(
            config.genesis.l1_origin,
            config.genesis.timestamp,
            config.l1_base_fee,
            &config.rollup,
        );
        let rollup = config.rollup.clone();
        let node = Node::open(config).await.unwrap();
        let importer = node.importer();
        Self {
            _dir: dir,
            node,
            importer,
            origin,
            rollup,
            nonces: [0; 10],
        }
    }

    /// A signed EIP-1559 transaction from dev account `from` (nonces tracked here).
    pub(crate) fn tx(
        &mut self,
        from: usize,
        to: TxKind,
        value: u128,
        input: Bytes,
        gas_limit: u64,
    ) -> Recovered<TxEnvelope> {
        let nonce = self.nonces[from];
        self.nonces[from] += 1;
        sign(
            from,
            nonce,
            to,
            value,
            input,
            gas_limit,
            self.rollup.l2_chain_id,
        )
    }

    /// A plain transfer of `value` wei.
    pub(crate) fn transfer(
        &mut self,
        from: usize,
        to: Address,
        value: u128,
    ) -> Recovered<TxEnvelope> {
        self.tx(from, TxKind::Call(to), value, Bytes::new(), 21_000)
    }

    /// Imports the next block: the L1-info deposit, `deposits`, then `txs`; every transaction
    /// must be included.
    pub(crate) async fn block(
        &mut self,
        deposits: Vec<TxDeposit>,
        txs: Vec<Recovered<TxEnvelope>>,
    ) -> Sealed<Header> {
        let parent = self.node.head();
        let mut origin = self.origin.next(&parent, parent.timestamp + 1).unwrap();
        let expected = 1 + deposits.len() + txs.len();
        origin.deposits = deposits;
        let header = self.importer.import(origin, txs).await.unwrap();
        let included = self
            .node
            .store()
            .block_transactions(header.number)
            .await
            .unwrap()
            .len();
        assert_eq!(
            included, expected,
            "every transaction of block {} is included",
            header.number
        );
        header
    }

    /// The node's witness of block `number`.
    pub(crate) async fn witness(&self, number: u64) -> ExecutionWitness {
        execution_witness(self.node.store(), self.node.executor(), number)
            .await
            .unwrap()
    }

    /// The stored block `number` as the verifier takes it.
    pub(crate) async fn stateless_block(&self, number: u64) -> StatelessBlock {
        let store = self.node.store();
        let header = store.header_by_number(number).await.unwrap().unwrap();
        let txs = store.block_transactions(number).await.unwrap();
        StatelessBlock::new(
            header.into_inner(),
            txs.into_iter().map(|t| t.raw).collect(),
        )
    }

    /// Verifies `block` against `witness` with the chain's rollup config.
    pub(crate) fn verify(
        &self,
        witness: &ExecutionWitness,
        block: &StatelessBlock,
    ) -> Result<VerifiedBlock, StatelessError> {
        verify_block(witness, block, &self.rollup)
    }
}

/// Signs an EIP-1559 transaction with dev account `from`.
pub(crate) fn sign(
    from: usize,
    nonce: u64,
    to: TxKind,
    value: u128,
    input: Bytes,
    gas_limit: u64,
    chain_id: u64,
) -> Recovered<TxEnvelope> {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit,
        max_fee_per_gas: 100 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to,
        value: U256::from(value),
        access_list: Default::default(),
        input,
    };
    let signer = MnemonicBuilder::from_phrase_nth(DEV_MNEMONIC, u32::try_from(from).unwrap());
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    Recovered::new_unchecked(TxEnvelope::from(tx.into_signed(sig)), signer.address())
}

/// The witness' nodes with one replaced or removed.
pub(crate) fn without(items: &[Bytes], index: usize) -> Vec<Bytes> {
    let mut items = items.to_vec();
    items.remove(index);
    items
}

/// `bytes` with its last byte flipped.
pub(crate) fn flipped(bytes: &Bytes) -> Bytes {
    let mut v = bytes.to_vec();
    *v.last_mut().unwrap() ^= 0x01;
    v.into()
}

/// Hash of a witness item (nodes and codes are keyed by it).
pub(crate) fn hash(bytes: &Bytes) -> B256 {
    keccak256(bytes)
}
