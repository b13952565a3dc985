//! Tributary's L2 genesis (block 0): the predeploy allocation, the state root, the genesis header
//! and the operator-facing genesis JSON; plus the L1-info system deposit builder.
//!
//! ```text
//! GenesisConfig { chain id, gas limit, timestamp, base fee, L1 origin, prefunded accounts,
//!                 attribution governance + treasury }
//!   └─► build() ──► alloc: predeploy code (contracts crate + pinned code) + fee vaults + funds
//!                   + attribution predeploys (constructors run in revm: attribution.rs)
//!                   └─► tributary_trie::StateTrie::apply ──► state root + trie nodes
//!                         └─► Prague-shaped header (docs/derivation.md) ──► hash = keccak(rlp)
//!   L2Genesis ──to_json / write_json──► geth-style genesis.json (alloy_genesis::Genesis)
//!   genesis.json ──read_json──► L2Genesis (rebuilt; the hash must come out the same)
//! ```
//!
//! # Allocation
//!
//! | address | content |
//! | --- | --- |
//! | L1Block `0x4200…0015` | runtime code from `contracts/src/L2/L1Block.sol`, empty storage |
//! | L2ToL1MessagePasser `0x4200…0016` | runtime code from `contracts/src/L2/L2ToL1MessagePasser.sol` |
//! | SequencerFeeVault `0x4200…0011`, BaseFeeVault `0x4200…0019`, L1FeeVault `0x4200…001A` | plain accounts, **nonce 1**, no code, zero balance: non-empty under EIP-161, so touching them never deletes them, and no CREATE can land there. OP's FeeVault contracts (withdrawal to L1) are later work; the address stays the same when they arrive. |
//! | Multicall3, CREATE2 deployer, EIP-2935 history, EIP-4788 beacon roots | pinned runtime code ([`code`]) |
//! | DataNetRegistry `0x4200…0100`, ModelRegistry `0x4200…0101`, AttributionSettlement `0x4200…0102` | runtime code and storage from running their constructors at those addresses ([`attribution`]): governance = [`GenesisConfig::attribution_governance`], treasury = [`GenesisConfig::attribution_treasury`] (both default to [`DEFAULT_ATTRIBUTION_ADMIN`], the first dev account); AttributionSettlement's EIP-712 domain caches the chain id, so the chain id is part of the genesis state |
//! | prefunded accounts ([`GenesisConfig::prefund`]) | balance only |
//!
//! All predeploys have nonce 1 (as geth's dev genesis and OP's allocs give contract accounts).
//!
//! # Header (docs/derivation.md, "L2 blocks")
//!
//! number 0, parent hash zero, beneficiary SequencerFeeVault, empty extra data, difficulty and nonce
//! 0, mix hash zero (block 0 has no L1-info deposit), base fee [`GenesisConfig::base_fee`] (default
//! [`DEFAULT_BASE_FEE`] = 1 gwei), empty transactions/receipts roots, empty ommers hash, withdrawals
//! root = empty trie root, blob gas used and excess 0, parent beacon root zero, requests hash =
//! the empty requests hash (Prague).
//!
//! # Dev mode
//!
//! [`GenesisConfig::dev`] prefunds [`DEV_ACCOUNTS`] (the ten accounts of the mnemonic
//! `test test … junk`, as anvil) with [`DEV_FUNDING`] = 10,000 OPEN each (`sequencer --dev`). The
//! devnet funds them through real deposits instead (DESIGN.md, "Dev funding"). Every config made
//! by [`GenesisConfig::new`] (dev and devnet included) makes the first dev account the attribution
//! governance and treasury; a production genesis sets its own with
//! [`GenesisConfig::with_attribution_roles`].
//!
//! Errors: [`GenesisError`].

pub mod attribution;
pub mod code;
pub mod deposit;
pub mod error;

use std::{collections::BTreeMap, path::Path};

use alloy::{
    consensus::{EMPTY_OMMER_ROOT_HASH, Header},
    eips::eip7685::EMPTY_REQUESTS_HASH,
    genesis::{ChainConfig, Genesis, GenesisAccount as GethAccount},
};
use alloy_primitives::{
    Address, B256, Bytes, KECCAK256_EMPTY, U256, address, keccak256, map::B256Map,
};
use serde::{Deserialize, Serialize};
use tributary_primitives::{BlockRef, predeploys};
use tributary_trie::{EMPTY_ROOT_HASH, MemoryNodeStore, StateTrie, state};

pub use deposit::l1_info_deposit;
pub use error::{GenesisError, Result};

/// Default block gas limit of genesis (docs/derivation.md: 30M, raised later for throughput).
pub const DEFAULT_GAS_LIMIT: u64 = 30_000_000;
/// Default base fee of genesis: 1 gwei.
pub const DEFAULT_BASE_FEE: u64 = 1_000_000_000;
/// Timestamp of the default dev genesis (fixed, so the dev genesis hash is a constant).
pub const DEV_TIMESTAMP: u64 = 1_700_000_000;
/// Funding of each dev account: 10,000 OPEN.
pub const DEV_FUNDING: U256 = U256::from_limbs([0x19e0_c9ba_b240_0000, 0x21e, 0, 0]);
/// The mnemonic of the dev accounts (anvil's, hardhat's).
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// The first ten accounts of [`DEV_MNEMONIC`] (`m/44'/60'/0'/0/i`), as anvil lists them.
pub const DEV_ACCOUNTS: [Address; 10] = [
    address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
    address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
    address!("0x90F79bf6EB2c4f870365E785982E1f101E93b906"),
    address!("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
    address!("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
    address!("0x976EA74026E726554dB657fA54763abd0C3a0aa9"),
    address!("0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"),
    address!("0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"),
    address!("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"),
];

/// Default attribution governance and treasury: the first dev account (anvil's account 0,
/// `0xf39F…2266`), for dev and devnet genesis only. Production genesis sets its own.
pub const DEFAULT_ATTRIBUTION_ADMIN: Address = DEV_ACCOUNTS[0];

const fn default_attribution_admin() -> Address {
    DEFAULT_ATTRIBUTION_ADMIN
}

/// Key of Tributary's own fields in the genesis JSON's `config`.
const JSON_KEY: &str = "tributary";

/// What a genesis is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisConfig {
    /// L2 chain id.
    pub chain_id: u64,
    /// Block gas limit of block 0.
    pub gas_limit: u64,
    /// Timestamp of block 0.
    pub timestamp: u64,
    /// Base fee of block 0 (block 1's follows by EIP-1559).
    pub base_fee: u64,
    /// The L1 origin of block 0 (the deploy block of the Deployment).
    pub l1_origin: BlockRef,
    /// Extra accounts with a native OPEN balance.
    pub prefund: BTreeMap<Address, U256>,
    /// Owner (Ownable2Step) of DataNetRegistry and AttributionSettlement: slashes validators, sets
    /// the unbonding delay, minimum stake, fee split and treasuries (docs/attribution.md). Defaults to
    /// [`DEFAULT_ATTRIBUTION_ADMIN`].
    #[serde(default = "default_attribution_admin")]
    pub attribution_governance: Address,
    /// Treasury of DataNetRegistry and AttributionSettlement: receives the protocol share, rounding
    /// dust, slashed stake and rewards of DataNets without stake. Defaults to
    /// [`DEFAULT_ATTRIBUTION_ADMIN`].
    #[serde(default = "default_attribution_admin")]
    pub attribution_treasury: Address,
}

impl GenesisConfig {
    /// A genesis with the default gas limit and base fee and no prefunded account.
    pub const fn new(chain_id: u64, timestamp: u64, l1_origin: BlockRef) -> Self {
        Self {
            chain_id,
            gas_limit: DEFAULT_GAS_LIMIT,
            timestamp,
            base_fee: DEFAULT_BASE_FEE,
            l1_origin,
            prefund: BTreeMap::new(),
            attribution_governance: DEFAULT_ATTRIBUTION_ADMIN,
            attribution_treasury: DEFAULT_ATTRIBUTION_ADMIN,
        }
    }

    /// The `--dev` genesis: devnet chain id, [`DEV_TIMESTAMP`], L1 origin (0, zero hash), the ten
    /// [`DEV_ACCOUNTS`] with [`DEV_FUNDING`] each.
    pub fn dev() -> Self {
        let origin = BlockRef {
            number: 0,
            hash: B256::ZERO,
        };
        Self::new(
            tributary_primitives::chain::L2_DEVNET_CHAIN_ID,
            DEV_TIMESTAMP,
            origin,
        )
        .with_dev_accounts()
    }

    /// Adds the ten dev accounts with [`DEV_FUNDING`] each.
    #[must_use]
    pub fn with_dev_accounts(mut self) -> Self {
        for a in DEV_ACCOUNTS {
            self.prefund.insert(a, DEV_FUNDING);
        }
        self
    }

    /// Adds (or replaces) one prefunded account.
    #[must_use]
    pub fn with_prefund(mut self, account: Address, balance: U256) -> Self {
        self.prefund.insert(account, balance);
        self
    }

    /// Sets the block gas limit.
    #[must_use]
    pub const fn with_gas_limit(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    /// Sets the base fee of block 0.
    #[must_use]
    pub const fn with_base_fee(mut self, base_fee: u64) -> Self {
        self.base_fee = base_fee;
        self
    }

    /// Sets the attribution governance and treasury (both non-zero, checked by [`build`]).
    #[must_use]
    pub const fn with_attribution_roles(mut self, governance: Address, treasury: Address) -> Self {
        self.attribution_governance = governance;
        self.attribution_treasury = treasury;
        self
    }
}

/// One account of the genesis state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GenesisAccount {
    /// Native OPEN balance (wei).
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Runtime code (empty for accounts without code).
    pub code: Bytes,
    /// Storage: slot → value (no zero values).
    pub storage: BTreeMap<B256, U256>,
}

impl GenesisAccount {
    /// `keccak256(code)`, [`KECCAK256_EMPTY`] without code.
    pub fn code_hash(&self) -> B256 {
        if self.code.is_empty() {
            KECCAK256_EMPTY
        } else {
            keccak256(&self.code)
        }
    }
}

/// A built genesis: what the node stores as block 0.
#[derive(Debug, Clone)]
pub struct L2Genesis {
    /// What it was built from.
    pub config: GenesisConfig,
    /// The genesis header.
    pub header: Header,
    /// `keccak256(rlp(header))`.
    pub hash: B256,
    /// The state, by address.
    pub alloc: BTreeMap<Address, GenesisAccount>,
    /// Every trie node of the genesis state (account trie and storage tries), by hash.
    pub nodes: B256Map<Bytes>,
}

/// Whether a predeploy of the table gets code at genesis (the fee vaults are plain accounts).
pub fn predeploy_has_code(address: Address) -> bool {
    predeploy_code(address).is_some() || attribution::PREDEPLOYS.contains(&address)
}

/// The config-independent runtime code genesis puts at a predeploy address, if any. The
/// attribution predeploys are built per config by [`attribution::accounts`].
pub fn predeploy_code(address: Address) -> Option<Bytes> {
    Some(match address {
        predeploys::L1_BLOCK => tributary_contracts::l1_block_code(),
        predeploys::L2_TO_L1_MESSAGE_PASSER => tributary_contracts::l2_to_l1_message_passer_code(),
        predeploys::MULTICALL3 => code::multicall3_code(),
        predeploys::CREATE2_DEPLOYER => code::CREATE2_DEPLOYER_CODE,
        predeploys::HISTORY_STORAGE => code::history_storage_code(),
        predeploys::BEACON_ROOTS => code::beacon_roots_code(),
        _ => return None,
    })
}

/// The fee vaults: plain accounts at genesis (nonce 1, see the crate docs).
pub const FEE_VAULTS: [Address; 3] = [
    predeploys::SEQUENCER_FEE_VAULT,
    predeploys::BASE_FEE_VAULT,
    predeploys::L1_FEE_VAULT,
];

/// The genesis allocation of a config (predeploys, fee vaults, prefunded accounts).
pub fn alloc(config: &GenesisConfig) -> Result<BTreeMap<Address, GenesisAccount>> {
    let mut alloc = BTreeMap::new();
    for p in predeploys::PREDEPLOYS {
        if let Some(code) = predeploy_code(p.address) {
            alloc.insert(
                p.address,
                GenesisAccount {
                    nonce: 1,
                    code,
                    ..Default::default()
                },
            );
        }
    }
    alloc.extend(attribution::accounts(config)?);
    for vault in FEE_VAULTS {
        alloc.insert(
            vault,
            GenesisAccount {
                nonce: 1,
                ..Default::default()
            },
        );
    }
    for (account, balance) in &config.prefund {
        if alloc.contains_key(account) {
            return Err(GenesisError::Invalid {
                reason: format!("prefunded account {account} is a predeploy"),
            });
        }
        alloc.insert(
            *account,
            GenesisAccount {
                balance: *balance,
                ..Default::default()
            },
        );
    }
    Ok(alloc)
}

/// Builds the genesis of a config.
pub fn build(config: &GenesisConfig) -> Result<L2Genesis> {
    let alloc = alloc(config)?;
    from_alloc(config.clone(), alloc)
}

/// Builds the genesis of a config with a given allocation (as read from a genesis file).
pub fn from_alloc(
    config: GenesisConfig,
    alloc: BTreeMap<Address, GenesisAccount>,
) -> Result<L2Genesis> {
    if config.gas_limit == 0 {
        return Err(GenesisError::Invalid {
            reason: "gas limit is zero".into(),
        });
    }
    let store = MemoryNodeStore::new();
    let mut trie = StateTrie::new(EMPTY_ROOT_HASH);
    let changes = alloc.iter().map(|(address, account)| {
        (
            *address,
            state::AccountChange {
                info: Some(state::AccountInfo {
                    nonce: account.nonce,
                    balance: account.balance,
                    code_hash: account.code_hash(),
                }),
                wipe_storage: false,
                storage: account.storage.iter().map(|(k, v)| (*k, *v)).collect(),
            },
        )
    });
    // An in-memory store cannot fail, and an empty trie reads no node: an error here is a bug.
    let update = trie
        .apply(&store, changes)
        .map_err(|e| GenesisError::Invalid {
            reason: format!("state trie: {e}"),
        })?;
    let header = header(&config, update.root);
    let hash = header.hash_slow();
    Ok(L2Genesis {
        config,
        header,
        hash,
        alloc,
        nodes: update.new_nodes,
    })
}

/// The genesis header for a config and state root (crate docs, "Header").
pub fn header(config: &GenesisConfig, state_root: B256) -> Header {
    Header {
        parent_hash: B256::ZERO,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: predeploys::SEQUENCER_FEE_VAULT,
        state_root,
        transactions_root: EMPTY_ROOT_HASH,
        receipts_root: EMPTY_ROOT_HASH,
        logs_bloom: Default::default(),
        difficulty: U256::ZERO,
        number: 0,
        gas_limit: config.gas_limit,
        gas_used: 0,
        timestamp: config.timestamp,
        extra_data: Bytes::new(),
        mix_hash: B256::ZERO,
        nonce: Default::default(),
        base_fee_per_gas: Some(config.base_fee),
        withdrawals_root: Some(EMPTY_ROOT_HASH),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: Some(EMPTY_REQUESTS_HASH),
        ..Default::default()
    }
}

/// Tributary's fields inside the genesis JSON's `config.tributary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonExtra {
    l1_origin: BlockRef,
    genesis_hash: B256,
    #[serde(default = "default_attribution_admin")]
    attribution_governance: Address,
    #[serde(default = "default_attribution_admin")]
    attribution_treasury: Address,
}

impl L2Genesis {
    /// The state root of block 0.
    pub const fn state_root(&self) -> B256 {
        self.header.state_root
    }

    /// The geth-style genesis for operators: chain config with every Ethereum fork through Prague
    /// active at genesis, the header fields, the alloc, and `config.tributary` with the L1 origin,
    /// the expected genesis hash and the attribution governance and treasury.
    pub fn to_json(&self) -> Genesis {
        let mut chain = ChainConfig {
            chain_id: self.config.chain_id,
            homestead_block: Some(0),
            eip150_block: Some(0),
            eip155_block: Some(0),
            eip158_block: Some(0),
            byzantium_block: Some(0),
            constantinople_block: Some(0),
            petersburg_block: Some(0),
            istanbul_block: Some(0),
            berlin_block: Some(0),
            london_block: Some(0),
            merge_netsplit_block: Some(0),
            shanghai_time: Some(0),
            cancun_time: Some(0),
            prague_time: Some(0),
            terminal_total_difficulty: Some(U256::ZERO),
            terminal_total_difficulty_passed: true,
            ..Default::default()
        };
        let extra = JsonExtra {
            l1_origin: self.config.l1_origin,
            genesis_hash: self.hash,
            attribution_governance: self.config.attribution_governance,
            attribution_treasury: self.config.attribution_treasury,
        };
        chain.extra_fields.insert(
            JSON_KEY.to_string(),
            serde_json::to_value(extra).unwrap_or_default(),
        );
        let alloc = self
            .alloc
            .iter()
            .map(|(address, a)| {
                let account = GethAccount {
                    nonce: (a.nonce != 0).then_some(a.nonce),
                    balance: a.balance,
                    code: (!a.code.is_empty()).then(|| a.code.clone()),
                    storage: (!a.storage.is_empty()).then(|| {
                        a.storage
                            .iter()
                            .map(|(k, v)| (*k, B256::from(*v)))
                            .collect()
                    }),
                    ..Default::default()
                };
                (*address, account)
            })
            .collect();
        Genesis {
            config: chain,
            nonce: 0,
            timestamp: self.header.timestamp,
            extra_data: Bytes::new(),
            gas_limit: self.header.gas_limit,
            difficulty: U256::ZERO,
            mix_hash: B256::ZERO,
            coinbase: self.header.beneficiary,
            alloc,
            base_fee_per_gas: Some(u128::from(self.config.base_fee)),
            excess_blob_gas: Some(0),
            blob_gas_used: Some(0),
            number: Some(0),
            parent_hash: Some(B256::ZERO),
            ..Default::default()
        }
    }

    /// Rebuilds a genesis from its JSON form and checks the hash recorded in it.
    pub fn from_json(genesis: &Genesis) -> Result<Self> {
        let invalid = |reason: String| GenesisError::Invalid { reason };
        let extra: JsonExtra = genesis
            .config
            .extra_fields
            .get_deserialized(JSON_KEY)
            .ok_or_else(|| invalid(format!("config.{JSON_KEY} is missing")))?
            .map_err(|e| invalid(format!("config.{JSON_KEY}: {e}")))?;
        if genesis.number.unwrap_or(0) != 0 {
            return Err(invalid("genesis number is not 0".into()));
        }
        let base_fee = genesis
            .base_fee_per_gas
            .ok_or_else(|| invalid("baseFeePerGas is missing".into()))
            .and_then(|f| {
                u64::try_from(f).map_err(|_| invalid("baseFeePerGas overflows".into()))
            })?;
        let alloc: BTreeMap<Address, GenesisAccount> = genesis
            .alloc
            .iter()
            .map(|(address, a)| {
                let account = GenesisAccount {
                    balance: a.balance,
                    nonce: a.nonce.unwrap_or(0),
                    code: a.code.clone().unwrap_or_default(),
                    storage: a
                        .storage
                        .iter()
                        .flatten()
                        .filter(|(_, v)| !v.is_zero())
                        .map(|(k, v)| (*k, U256::from_be_bytes(v.0)))
                        .collect(),
                };
                (*address, account)
            })
            .collect();
        // Prefunded accounts are the alloc's plain accounts with a balance; kept for reference.
        let prefund = alloc
            .iter()
            .filter(|(_, a)| a.code.is_empty() && a.nonce == 0 && !a.balance.is_zero())
            .map(|(address, a)| (*address, a.balance))
            .collect();
        let config = GenesisConfig {
            chain_id: genesis.config.chain_id,
            gas_limit: genesis.gas_limit,
            timestamp: genesis.timestamp,
            base_fee,
            l1_origin: extra.l1_origin,
            prefund,
            attribution_governance: extra.attribution_governance,
            attribution_treasury: extra.attribution_treasury,
        };
        let built = from_alloc(config, alloc)?;
        if built.hash != extra.genesis_hash {
            return Err(invalid(format!(
                "genesis hash {} does not match config.{JSON_KEY}.genesisHash {}",
                built.hash, extra.genesis_hash
            )));
        }
        Ok(built)
    }

    /// Writes the genesis JSON (pretty-printed).
    pub fn write_json(&self, path: &Path) -> Result<()> {
        let json =
            serde_json::to_string_pretty(&self.to_json()).map_err(|source| GenesisError::Json {
                path: path.to_path_buf(),
                source,
            })?;
        std::fs::write(path, json).map_err(|source| GenesisError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a genesis JSON and rebuilds the genesis from it ([`L2Genesis::from_json`]).
    pub fn read_json(path: &Path) -> Result<Self> {
        let raw = std::fs::read_to_string(path).map_err(|source| GenesisError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let genesis: Genesis = serde_json::from_str(&raw).map_err(|source| GenesisError::Json {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&genesis)
    }
}
