//! `tributary deposit`: lock OPEN in the Portal on L1, receive it as native OPEN on L2.

use std::{fmt, time::Duration};

use alloy::{
    primitives::{Address, Bytes, TxHash, U256},
    providers::Provider,
};
use serde::Serialize;
use tracing::info;
use tributary_contracts::{OpenToken, Portal};

use crate::{
    Client,
    amount::format_open,
    client::send,
    error::{CliError, Layer, Result},
};

/// L2 gas limit of a CLI deposit: a plain value transfer with room to spare (21,000 are used).
pub const DEPOSIT_GAS_LIMIT: u64 = 100_000;

/// A deposit the CLI made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepositReceipt {
    /// The L1 account that deposited (and is credited the minted OPEN on L2).
    pub from: Address,
    /// The L2 recipient.
    pub to: Address,
    /// OPEN deposited, in wei.
    pub amount: U256,
    /// The approval sent first, if the allowance was short.
    pub approve_tx: Option<TxHash>,
    /// The `depositTransaction` transaction.
    pub l1_tx: TxHash,
    /// Its L1 block.
    pub l1_block: u64,
    /// The recipient's L2 balance once the deposit arrived (only with `--wait`).
    pub l2_balance: Option<U256>,
}

impl fmt::Display for DepositReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "deposited {} OPEN for {} on L2",
            format_open(self.amount),
            self.to
        )?;
        if let Some(tx) = self.approve_tx {
            writeln!(f, "  approval     {tx}")?;
        }
        writeln!(f, "  l1 tx        {} (block {})", self.l1_tx, self.l1_block)?;
        match self.l2_balance {
            Some(balance) => write!(f, "  credited on L2: balance {} OPEN", format_open(balance)),
            None => write!(
                f,
                "  the L2 credits it once the sequencer reaches this L1 block (--wait to watch)"
            ),
        }
    }
}

impl Client {
    /// Deposits `amount` OPEN (wei) for `to` (default: the user): approves the Portal if the
    /// allowance is short, then calls `Portal.depositTransaction`. The minted OPEN goes to the
    /// user on L2; when `to` is someone else the deposit also sends it on to `to` (`value ==
    /// amount`). With `wait`, polls the L2 balance of `to` until it grew by `amount`.
    pub async fn deposit(
        &self,
        amount: U256,
        to: Option<Address>,
        wait: Option<Duration>,
    ) -> Result<DepositReceipt> {
        let from = self.account()?;
        let to = to.unwrap_or(from);
        let d = &self.deployment;
        let token = OpenToken::new(d.contracts.open_token, &self.l1);
        let portal = Portal::new(d.contracts.portal, &self.l1);

        let balance = token
            .balanceOf(from)
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "the OPEN balance", e))?;
        if balance < amount {
            return Err(CliError::InsufficientOpen {
                account: from,
                have: balance,
                need: amount,
            });
        }
        let l2_before = match wait {
            Some(_) => Some(
                self.l2
                    .get_balance(to)
                    .await
                    .map_err(|e| CliError::rpc(Layer::L2, e))?,
            ),
            None => None,
        };

        let allowance = token
            .allowance(from, d.contracts.portal)
            .call()
            .await
            .map_err(|e| CliError::call(Layer::L1, "the OPEN allowance", e))?;
        let approve_tx = if allowance < amount {
            info!(target: "tributary", "approving the Portal for {} OPEN…", format_open(amount));
            let receipt = send("approve", token.approve(d.contracts.portal, amount)).await?;
            Some(receipt.transaction_hash)
        } else {
            None
        };

        // The mint is credited to `from` on L2; `value` moves it on to `to` when that is someone else.
        let value = if to == from { U256::ZERO } else { amount };
        info!(target: "tributary", "depositing {} OPEN for {to}…", format_open(amount));
        let receipt = send(
            "deposit",
            portal.depositTransaction(to, amount, value, DEPOSIT_GAS_LIMIT, false, Bytes::new()),
        )
        .await?;
        let mut deposit = DepositReceipt {
            from,
            to,
            amount,
            approve_tx,
            l1_tx: receipt.transaction_hash,
            l1_block: receipt.block_number.unwrap_or_default(),
            l2_balance: None,
        };

        if let (Some(timeout), Some(before)) = (wait, l2_before) {
            let target = before.saturating_add(amount);
            let balance = self
                .poll(
                    timeout,
                    || format!("{} OPEN to arrive for {to} on L2", format_open(amount)),
                    || async move {
                        let balance = self
                            .l2
                            .get_balance(to)
                            .await
                            .map_err(|e| CliError::rpc(Layer::L2, e))?;
                        Ok((balance >= target).then_some(balance))
                    },
                )
                .await?;
            deposit.l2_balance = Some(balance);
        }
        Ok(deposit)
    }
}
