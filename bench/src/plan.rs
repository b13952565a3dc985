//! What each workload sends: setup stages (each sent and confirmed before the next, all before
//! timing) and the measured transactions, as unsigned specs. Nonces are consecutive per sender from
//! a fresh node ([`Nonces`]); a plan may differ per node only in its setup (anvil deploys what the
//! sequencer has in genesis), never in what its measured transactions do.

use alloy::sol_types::{SolCall, SolConstructor};
use alloy_primitives::{Address, Bytes, TxKind, U256};
use tributary_contracts::OpenToken;

use crate::{
    cli::Workload,
    node::NodeKind,
    settle,
    tx::{DevAccounts, Nonces, SENDERS, TxSpec, fresh_address},
};

/// Gas limit of a value transfer.
const TRANSFER_GAS: u64 = 21_000;
/// Gas limit of an ERC-20 `transfer` (about 52k to a fresh holder, 35k to an existing one).
const ERC20_TRANSFER_GAS: u64 = 80_000;
/// Gas limit of the OpenToken deployment.
const DEPLOY_GAS: u64 = 5_000_000;

/// The transactions of one round of a workload on one node.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Setup stages: each is sent in one batch and confirmed (status 1) before the next, all
    /// before timing starts (a stage holds what may be included in any order).
    pub(crate) setup: Vec<Vec<TxSpec>>,
    /// Contracts (name, address) that must have code once the first setup stage is confirmed:
    /// deployed by it, or predeployed.
    pub(crate) contracts: Vec<(&'static str, Address)>,
    /// The measured transactions.
    pub(crate) timed: Vec<TxSpec>,
}

impl Plan {
    /// The plan of `workload` on a fresh `kind` node with `count` measured transactions.
    pub(crate) fn new(
        workload: Workload,
        kind: NodeKind,
        accounts: &DevAccounts,
        count: usize,
    ) -> Self {
        match workload {
            Workload::Transfers => Self::transfers("transfers", count),
            Workload::Latency => Self::transfers("latency", count),
            Workload::Erc20 => Self::erc20(accounts, count),
            Workload::Settle => settle::plan(kind, accounts, count),
        }
    }

    /// `count` 1-wei transfers to fresh recipients, round-robin over the senders.
    fn transfers(tag: &str, count: usize) -> Self {
        let mut nonces = Nonces::default();
        let timed = (0..count)
            .map(|i| {
                nonces.spec(
                    i % SENDERS,
                    TxKind::Call(fresh_address(tag, i)),
                    U256::from(1),
                    Bytes::new(),
                    TRANSFER_GAS,
                )
            })
            .collect();
        Self {
            setup: Vec::new(),
            contracts: Vec::new(),
            timed,
        }
    }

    /// Setup: account 0 deploys OpenToken (the whole supply to itself) and gives each other
    /// account an allocation. Timed: `count` `transfer(to, 1)` calls, round-robin over the senders;
    /// each sender alternates between a fresh recipient and another dev account (a holder).
    fn erc20(accounts: &DevAccounts, count: usize) -> Self {
        let mut nonces = Nonces::default();
        let treasury = accounts.address(0);
        let token = treasury.create(nonces.next(0));
        let init = creation_code(
            &OpenToken::BYTECODE,
            OpenToken::constructorCall { treasury }.abi_encode(),
        );
        let mut setup = vec![nonces.spec(0, TxKind::Create, U256::ZERO, init, DEPLOY_GAS)];
        setup.extend((1..SENDERS).map(|holder| {
            nonces.spec(
                0,
                TxKind::Call(token),
                U256::ZERO,
                transfer(accounts.address(holder), holder_allocation()),
                ERC20_TRANSFER_GAS,
            )
        }));
        let timed = (0..count)
            .map(|i| {
                let sender = i % SENDERS;
                let k = i / SENDERS;
                let to = if k.is_multiple_of(2) {
                    fresh_address("erc20", i)
                } else {
                    accounts.address((sender + 1 + (k / 2) % (SENDERS - 1)) % SENDERS)
                };
                nonces.spec(
                    sender,
                    TxKind::Call(token),
                    U256::ZERO,
                    transfer(to, U256::from(1)),
                    ERC20_TRANSFER_GAS,
                )
            })
            .collect();
        Self {
            setup: vec![setup],
            contracts: vec![("OpenToken", token)],
            timed,
        }
    }
}

/// Creation code followed by the ABI-encoded constructor arguments.
pub(crate) fn creation_code(bytecode: &Bytes, args: Vec<u8>) -> Bytes {
    let mut init = bytecode.to_vec();
    init.extend(args);
    init.into()
}

/// 1,000,000 tokens of 18 decimals.
fn holder_allocation() -> U256 {
    U256::from(1_000_000u64) * U256::from(10u64).pow(U256::from(18u64))
}

/// Calldata of `transfer(to, amount)`.
fn transfer(to: Address, amount: U256) -> Bytes {
    OpenToken::transferCall { to, value: amount }
        .abi_encode()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erc20_nonces_follow_the_setup() {
        let accounts = DevAccounts::derive().unwrap();
        let plan = Plan::new(Workload::Erc20, NodeKind::Anvil, &accounts, 40);
        assert_eq!(plan.setup.len(), 1);
        assert_eq!(plan.setup[0].len(), SENDERS);
        assert_eq!(plan.timed[0].nonce, SENDERS as u64);
        assert_eq!(plan.timed[1].nonce, 0);
        assert_eq!(plan.timed[30].nonce, SENDERS as u64 + 3);
        // No sender pays itself.
        for spec in &plan.timed {
            assert!(
                !spec
                    .input
                    .windows(20)
                    .any(|w| w == accounts.address(spec.sender).as_slice())
            );
        }
    }

    #[test]
    fn transfers_use_distinct_fresh_recipients() {
        let accounts = DevAccounts::derive().unwrap();
        let plan = Plan::new(Workload::Transfers, NodeKind::Sequencer, &accounts, 100);
        let mut to: Vec<_> = plan
            .timed
            .iter()
            .filter_map(|s| s.to.to().copied())
            .collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), 100);
        assert_eq!(plan.timed[99].nonce, 9);
    }
}
