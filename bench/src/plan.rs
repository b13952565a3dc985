//! What each workload sends: setup transactions (sent and confirmed before timing) and the
//! measured transactions, as unsigned specs. Nonces are consecutive per sender from a fresh node.

use alloy::sol_types::{SolCall, SolConstructor};
use alloy_primitives::{Address, Bytes, TxKind, U256};
use tributary_contracts::OpenToken;

use crate::{
    cli::Workload,
    tx::{DevAccounts, SENDERS, TxSpec, fresh_address},
};

/// Gas limit of a value transfer.
const TRANSFER_GAS: u64 = 21_000;
/// Gas limit of an ERC-20 `transfer` (about 52k to a fresh holder, 35k to an existing one).
const ERC20_TRANSFER_GAS: u64 = 80_000;
/// Gas limit of the OpenToken deployment.
const DEPLOY_GAS: u64 = 5_000_000;

/// The transactions of one round of a workload.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Sent and confirmed (status 1) before timing starts.
    pub(crate) setup: Vec<TxSpec>,
    /// The measured transactions.
    pub(crate) timed: Vec<TxSpec>,
    /// For the ERC-20 workload: the token's address (the treasury's first CREATE).
    pub(crate) token: Option<Address>,
}

impl Plan {
    /// The plan of `workload` with `count` measured transactions.
    pub(crate) fn new(workload: Workload, accounts: &DevAccounts, count: usize) -> Self {
        match workload {
            Workload::Transfers => Self::transfers("transfers", count),
            Workload::Latency => Self::transfers("latency", count),
            Workload::Erc20 => Self::erc20(accounts, count),
        }
    }

    /// `count` 1-wei transfers to fresh recipients, round-robin over the senders.
    fn transfers(tag: &str, count: usize) -> Self {
        let timed = (0..count)
            .map(|i| TxSpec {
                sender: i % SENDERS,
                nonce: (i / SENDERS) as u64,
                to: TxKind::Call(fresh_address(tag, i)),
                value: U256::from(1),
                input: Bytes::new(),
                gas_limit: TRANSFER_GAS,
            })
            .collect();
        Self {
            setup: Vec::new(),
            timed,
            token: None,
        }
    }

    /// Setup: account 0 deploys OpenToken (the whole supply to itself) and gives each other
    /// account an allocation. Timed: `count` `transfer(to, 1)` calls, round-robin over the senders;
    /// each sender alternates between a fresh recipient and another dev account (a holder).
    fn erc20(accounts: &DevAccounts, count: usize) -> Self {
        let treasury = accounts.address(0);
        let token = treasury.create(0);
        let mut init = OpenToken::BYTECODE.to_vec();
        init.extend(OpenToken::constructorCall { treasury }.abi_encode());
        let mut setup = vec![TxSpec {
            sender: 0,
            nonce: 0,
            to: TxKind::Create,
            value: U256::ZERO,
            input: init.into(),
            gas_limit: DEPLOY_GAS,
        }];
        setup.extend((1..SENDERS).map(|holder| TxSpec {
            sender: 0,
            nonce: holder as u64,
            to: TxKind::Call(token),
            value: U256::ZERO,
            input: transfer(accounts.address(holder), holder_allocation()),
            gas_limit: ERC20_TRANSFER_GAS,
        }));
        let first_nonce = |sender: usize| if sender == 0 { SENDERS as u64 } else { 0 };
        let timed = (0..count)
            .map(|i| {
                let sender = i % SENDERS;
                let k = i / SENDERS;
                let to = if k.is_multiple_of(2) {
                    fresh_address("erc20", i)
                } else {
                    accounts.address((sender + 1 + (k / 2) % (SENDERS - 1)) % SENDERS)
                };
                TxSpec {
                    sender,
                    nonce: first_nonce(sender) + k as u64,
                    to: TxKind::Call(token),
                    value: U256::ZERO,
                    input: transfer(to, U256::from(1)),
                    gas_limit: ERC20_TRANSFER_GAS,
                }
            })
            .collect();
        Self {
            setup,
            timed,
            token: Some(token),
        }
    }
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
        let plan = Plan::new(Workload::Erc20, &accounts, 40);
        assert_eq!(plan.setup.len(), SENDERS);
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
        let plan = Plan::new(Workload::Transfers, &accounts, 100);
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
