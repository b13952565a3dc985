//! Decoded reverts of Tributary's contracts.
//!
//! Every contract reverts with custom errors (docs/contracts.md). [`ContractRevert::decode`] turns raw
//! revert data (from an `eth_call`/`eth_estimateGas` error or a failed transaction trace) into the typed
//! error of whichever contract declares its selector, so that RPC layers and tools can print
//! `Rollup::UnexpectedFirstBlock { expected: 5, firstBlock: 7 }` instead of hex.

use alloy::{
    contract,
    sol_types::{Panic, Revert, SolInterface},
};

use crate::{
    AttributionSettlement, DataNetRegistry, L1Block, ModelRegistry, OpenToken, Portal, Rollup,
};

/// Result alias for this crate.
pub type Result<T, E = ContractRevert> = std::result::Result<T, E>;

/// A revert of one of Tributary's contracts, decoded from its revert data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractRevert {
    /// A `Rollup` custom error (including the OpenZeppelin errors it inherits).
    #[error("Rollup::{0:?}")]
    Rollup(Rollup::RollupErrors),
    /// A `Portal` custom error.
    #[error("Portal::{0:?}")]
    Portal(Portal::PortalErrors),
    /// An `OpenToken` custom error (ERC-20, permit).
    #[error("OpenToken::{0:?}")]
    OpenToken(OpenToken::OpenTokenErrors),
    /// An `L1Block` custom error (`NotDepositor()`).
    #[error("L1Block::{0:?}")]
    L1Block(L1Block::L1BlockErrors),
    /// An `AttributionSettlement` custom error.
    #[error("AttributionSettlement::{0:?}")]
    AttributionSettlement(AttributionSettlement::AttributionSettlementErrors),
    /// A `DataNetRegistry` custom error.
    #[error("DataNetRegistry::{0:?}")]
    DataNetRegistry(DataNetRegistry::DataNetRegistryErrors),
    /// A `ModelRegistry` custom error.
    #[error("ModelRegistry::{0:?}")]
    ModelRegistry(ModelRegistry::ModelRegistryErrors),
    /// A Solidity `require`/`revert` string (`Error(string)`).
    #[error("revert: {}", .0.reason)]
    Revert(Revert),
    /// A Solidity panic (`Panic(uint256)`), e.g. an arithmetic overflow.
    #[error("panic: {0:?}")]
    Panic(Panic),
    /// Revert data that no known error matches (empty data included).
    #[error("unknown revert data 0x{}", alloy::hex::encode(.0))]
    Unknown(alloy::primitives::Bytes),
}

impl ContractRevert {
    /// Decodes revert data. Selectors shared by two contracts (e.g. `OutputNotFound(uint256)` in both
    /// the Portal and the Rollup) decode as the Portal's, which the Portal uses for the same meaning.
    /// Likewise the L1 contracts come before the attribution contracts (`ZeroAddress()`), and among
    /// those AttributionSettlement comes first (`ModelNotFound`, `NothingToClaim`, `TransferFailed`
    /// mean the same in each).
    pub fn decode(data: &[u8]) -> Self {
        if let Ok(e) = Portal::PortalErrors::abi_decode(data) {
            return Self::Portal(e);
        }
        if let Ok(e) = Rollup::RollupErrors::abi_decode(data) {
            return Self::Rollup(e);
        }
        if let Ok(e) = OpenToken::OpenTokenErrors::abi_decode(data) {
            return Self::OpenToken(e);
        }
        if let Ok(e) = L1Block::L1BlockErrors::abi_decode(data) {
            return Self::L1Block(e);
        }
        if let Ok(e) = AttributionSettlement::AttributionSettlementErrors::abi_decode(data) {
            return Self::AttributionSettlement(e);
        }
        if let Ok(e) = DataNetRegistry::DataNetRegistryErrors::abi_decode(data) {
            return Self::DataNetRegistry(e);
        }
        if let Ok(e) = ModelRegistry::ModelRegistryErrors::abi_decode(data) {
            return Self::ModelRegistry(e);
        }
        if let Ok(e) = <Revert as alloy::sol_types::SolError>::abi_decode(data) {
            return Self::Revert(e);
        }
        if let Ok(e) = <Panic as alloy::sol_types::SolError>::abi_decode(data) {
            return Self::Panic(e);
        }
        Self::Unknown(data.to_vec().into())
    }

    /// Decodes the revert inside an alloy contract error, if it carries revert data.
    pub fn from_contract_error(error: &contract::Error) -> Option<Self> {
        error.as_revert_data().map(|data| Self::decode(&data))
    }

    /// The Solidity name of the error (`"UnexpectedFirstBlock"`, `"Error"`, `"Panic"`), if known.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Self::Rollup(e) => Rollup::RollupErrors::name_by_selector(e.selector()),
            Self::Portal(e) => Portal::PortalErrors::name_by_selector(e.selector()),
            Self::OpenToken(e) => OpenToken::OpenTokenErrors::name_by_selector(e.selector()),
            Self::L1Block(e) => L1Block::L1BlockErrors::name_by_selector(e.selector()),
            Self::AttributionSettlement(e) => {
                AttributionSettlement::AttributionSettlementErrors::name_by_selector(e.selector())
            }
            Self::DataNetRegistry(e) => {
                DataNetRegistry::DataNetRegistryErrors::name_by_selector(e.selector())
            }
            Self::ModelRegistry(e) => {
                ModelRegistry::ModelRegistryErrors::name_by_selector(e.selector())
            }
            Self::Revert(_) => Some("Error"),
            Self::Panic(_) => Some("Panic"),
            Self::Unknown(_) => None,
        }
    }
}
