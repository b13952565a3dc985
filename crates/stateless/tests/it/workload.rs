//! A chain exercising what a witness must cover: transfers, deposits (one failing), contract
//! deployments, storage writes and deletions that collapse trie branches, a contract created and
//! self-destructed in one transaction, a `BLOCKHASH` read five blocks back, reverting calls and
//! an ERC-20.

use alloy::{
    consensus::{Transaction, TxEnvelope, transaction::Recovered},
    sol_types::{SolCall, SolValue},
};
use alloy_primitives::{Address, Bytes, TxKind, U256};
use tributary_contracts::OpenToken;
use tributary_genesis::DEV_ACCOUNTS;

use crate::utils::{
    BLOCKHASH, Chain, REVERT, SELF_DESTRUCT_INIT, STORE, deposit, init_code, recipient, words,
};

/// How far back the rich block's `BLOCKHASH` reads.
pub(crate) const BLOCKHASH_DEPTH: u64 = 5;

/// The chain and what is deployed on it.
pub(crate) struct Workload {
    pub(crate) chain: Chain,
    /// `sstore(cd[0], cd[32])`.
    pub(crate) store: Address,
    /// `sstore(0, blockhash(number - cd[0]))`.
    pub(crate) blockhash: Address,
    /// Always reverts.
    pub(crate) revert: Address,
    /// An OpenZeppelin ERC-20 (OpenToken), all supply held by dev account 3.
    pub(crate) token: Address,
    /// The block with the `BLOCKHASH` read, the reverting call, the self-destruct and the
    /// storage deletions.
    pub(crate) rich: u64,
    /// The block with ERC-20 transfers (one reverting).
    pub(crate) erc20: u64,
}

impl Chain {
    /// A contract creation from dev account `from`, and the address it creates.
    pub(crate) fn deploy(
        &mut self,
        from: usize,
        init: Bytes,
        value: u128,
        gas_limit: u64,
    ) -> (Recovered<TxEnvelope>, Address) {
        let tx = self.tx(from, TxKind::Create, value, init, gas_limit);
        let address = tx.signer().create(tx.inner().nonce());
        (tx, address)
    }

    /// A call of `to` from dev account `from`.
    pub(crate) fn call(&mut self, from: usize, to: Address, input: Bytes) -> Recovered<TxEnvelope> {
        self.tx(from, TxKind::Call(to), 0, input, 200_000)
    }
}

/// Builds the workload's ten blocks.
pub(crate) async fn workload() -> Workload {
    let mut c = Chain::new().await;

    // 1: transfers to fresh accounts, a minting deposit, three deployments
    let mut txs: Vec<_> = (0..10u8)
        .map(|i| {
            c.transfer(
                usize::from(i % 3),
                recipient(i.into()),
                1_000 + u128::from(i),
            )
        })
        .collect();
    let (tx, store) = c.deploy(1, init_code(STORE), 0, 200_000);
    txs.push(tx);
    let (tx, blockhash) = c.deploy(1, init_code(BLOCKHASH), 0, 200_000);
    txs.push(tx);
    let (tx, revert) = c.deploy(1, init_code(REVERT), 0, 200_000);
    txs.push(tx);
    let mint = deposit(
        0,
        Address::repeat_byte(0xd1),
        TxKind::Call(recipient(50)),
        10u128.pow(18),
        Bytes::new(),
    );
    c.block(vec![mint], txs).await;

    // 2: 32 storage writes, a deposit writing storage, a deposit that reverts (still mints)
    let txs = (0..32u64)
        .map(|slot| c.call(2, store, words(U256::from(slot), U256::from(slot + 1))))
        .collect();
    let writes = deposit(
        1,
        Address::repeat_byte(0xd2),
        TxKind::Call(store),
        0,
        words(U256::from(100), U256::from(5)),
    );
    let failing = deposit(
        2,
        Address::repeat_byte(0xd3),
        TxKind::Call(revert),
        7,
        Bytes::new(),
    );
    c.block(vec![writes, failing], txs).await;

    // 3..=7: a transfer each, so that BLOCKHASH has history to read
    for i in 0..5 {
        let tx = c.transfer(0, recipient(20 + i), 1);
        c.block(Vec::new(), vec![tx]).await;
    }

    // 8: BLOCKHASH five back, a reverting call, create-and-self-destruct, storage deletions
    let mut txs = vec![
        c.call(4, blockhash, words(U256::from(BLOCKHASH_DEPTH), U256::ZERO)),
        c.call(4, revert, Bytes::new()),
        c.deploy(
            5,
            Bytes::from_static(SELF_DESTRUCT_INIT),
            10u128.pow(15),
            100_000,
        )
        .0,
    ];
    txs.extend((0..28u64).map(|slot| c.call(2, store, words(U256::from(slot), U256::ZERO))));
    txs.push(c.call(2, store, words(U256::from(28), U256::from(99))));
    txs.push(c.transfer(6, recipient(1), 5));
    let rich = c.block(Vec::new(), txs).await.number;

    // 9: an ERC-20 deployment
    let init: Bytes = [OpenToken::BYTECODE.as_ref(), &DEV_ACCOUNTS[3].abi_encode()]
        .concat()
        .into();
    let (tx, token) = c.deploy(3, init, 0, 5_000_000);
    c.block(Vec::new(), vec![tx]).await;

    // 10: ERC-20 transfers, one of them reverting (no balance)
    let mut txs: Vec<_> = (0..10)
        .map(|i| c.call(3, token, transfer_call(recipient(100 + i), 1_000 + i)))
        .collect();
    txs.push(c.call(7, token, transfer_call(recipient(1), 1)));
    let erc20 = c.block(Vec::new(), txs).await.number;

    Workload {
        chain: c,
        store,
        blockhash,
        revert,
        token,
        rich,
        erc20,
    }
}

/// Calldata of `transfer(to, value)`.
pub(crate) fn transfer_call(to: Address, value: u64) -> Bytes {
    OpenToken::transferCall {
        to,
        value: U256::from(value),
    }
    .abi_encode()
    .into()
}
