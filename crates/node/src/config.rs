//! Node configuration.

use std::{path::PathBuf, time::Duration};

use alloy_primitives::U256;
use tributary_genesis::GenesisConfig;
use tributary_primitives::RollupConfig;
use tributary_storage::StoreConfig;
use tributary_txpool::PoolConfig;

/// Default minimum interval between blocks: short enough that a wallet sees its receipt within
/// a fraction of a second, long enough that a busy chain fills blocks instead of paying the
/// per-block overhead (L1-info deposit, header, commit) for every few transactions.
pub const DEFAULT_BLOCK_TIME: Duration = Duration::from_millis(100);

/// Default interval after which an empty block is built when no transaction arrives, so block
/// timestamps keep up with the clock for dApps (OP Stack's block time).
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(2);

/// L1 base fee the `--dev` chain's fixed L1 origin reports (1 gwei): gives transactions a small,
/// realistic L1 data fee without an L1.
pub const DEV_L1_BASE_FEE: U256 = U256::from_limbs([1_000_000_000, 0, 0, 0]);

/// Block gas limit of `--dev` chains: five times Ethereum's, since blocks come every 100 ms and
/// the per-block work (L1-info deposit, header, commit, pool bookkeeping) is better spread over
/// many transactions. Measured end to end (bench/): 20,000 transfers take 15 blocks and run at
/// ≈ 9,600 tx/s with 30M gas, 5 blocks and ≈ 14,700 tx/s with 120M.
pub const DEV_GAS_LIMIT: u64 = 150_000_000;

/// Pool limits of `--dev`: roomy enough for a load generator pushing tens of thousands of
/// transactions from the ten dev accounts.
pub const DEV_MAX_ACCOUNT_SLOTS: usize = 16_384;
/// See [`DEV_MAX_ACCOUNT_SLOTS`].
pub const DEV_MAX_POOL_SIZE: usize = 100_000;

/// Everything the node core needs to start.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Directory of the node's database.
    pub datadir: PathBuf,
    /// Chain parameters (EIP-1559, L1 fee scalars, ...).
    pub rollup: RollupConfig,
    /// The genesis to initialise an empty datadir with (and to check a used one against).
    pub genesis: GenesisConfig,
    /// Minimum interval between two blocks.
    pub block_time: Duration,
    /// Build an empty block after this long without one.
    pub heartbeat: Duration,
    /// Transaction pool limits (its chain id and block gas limit are set from the genesis).
    pub pool: PoolConfig,
    /// L1 base fee reported by the fixed L1 origin of a chain without L1 (`--dev`).
    pub l1_base_fee: U256,
}

impl NodeConfig {
    /// A `--dev` chain in `datadir`: the dev genesis (ten funded accounts), devnet rollup
    /// parameters, roomy pool limits.
    pub fn dev(datadir: impl Into<PathBuf>) -> Self {
        Self::with_genesis(datadir, GenesisConfig::dev().with_gas_limit(DEV_GAS_LIMIT))
    }

    /// A chain in `datadir` from `genesis` (its chain id is the rollup's), devnet rollup
    /// parameters, roomy pool limits.
    pub fn with_genesis(datadir: impl Into<PathBuf>, genesis: GenesisConfig) -> Self {
        let mut pool = PoolConfig::new(genesis.chain_id);
        pool.max_account_slots = DEV_MAX_ACCOUNT_SLOTS;
        pool.max_pool_size = DEV_MAX_POOL_SIZE;
        Self {
            datadir: datadir.into(),
            rollup: RollupConfig {
                l2_chain_id: genesis.chain_id,
                ..RollupConfig::devnet()
            },
            genesis,
            block_time: DEFAULT_BLOCK_TIME,
            heartbeat: DEFAULT_HEARTBEAT,
            pool,
            l1_base_fee: DEV_L1_BASE_FEE,
        }
    }

    /// Sets the block gas limit (of the genesis, hence of every block).
    #[must_use]
    pub const fn with_gas_limit(mut self, gas_limit: u64) -> Self {
        self.genesis.gas_limit = gas_limit;
        self
    }

    /// Sets the minimum interval between blocks.
    #[must_use]
    pub const fn with_block_time(mut self, block_time: Duration) -> Self {
        self.block_time = block_time;
        self
    }

    /// The store configuration for the datadir.
    pub fn store_config(&self) -> StoreConfig {
        StoreConfig::in_dir(&self.datadir)
    }

    /// The pool configuration with the chain's id and gas limit filled in.
    pub(crate) fn pool_config(&self) -> PoolConfig {
        let mut pool = self.pool.clone();
        pool.chain_id = self.genesis.chain_id;
        pool.block_gas_limit = self.genesis.gas_limit;
        pool.initial_base_fee = self.genesis.base_fee;
        pool
    }
}
