//! Pool configuration.

/// Largest accepted EIP-2718 encoding: 128 KiB (geth's `txMaxSize`).
pub const DEFAULT_MAX_TX_SIZE: usize = 128 * 1024;
/// EIP-3860 init code limit: `2 * MAX_CODE_SIZE`.
pub const DEFAULT_MAX_INIT_CODE_SIZE: usize = 2 * 24_576;
/// Default block gas limit the pool checks gas limits against.
pub const DEFAULT_BLOCK_GAS_LIMIT: u64 = 30_000_000;
/// Default minimum max fee per gas (the base fee floor), in wei.
pub const DEFAULT_MIN_BASE_FEE: u128 = 1;
/// Default replacement bump in percent, applied to both fee cap and tip (geth's `PriceBump`).
pub const DEFAULT_PRICE_BUMP_PERCENT: u128 = 10;
/// Default limit of pooled transactions (pending + queued) per sender.
pub const DEFAULT_MAX_ACCOUNT_SLOTS: usize = 64;
/// Default limit of pooled transactions in total.
pub const DEFAULT_MAX_POOL_SIZE: usize = 10_000;
/// Default capacity of the new-pending-transaction broadcast channel.
pub const DEFAULT_PENDING_CHANNEL_CAPACITY: usize = 4096;
/// Chain id used by [`PoolConfig::test`].
pub const TEST_CHAIN_ID: u64 = 1_337_001;

/// Configuration of a [`TxPool`](crate::TxPool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    /// Chain id transactions must be signed for.
    pub chain_id: u64,
    /// Block gas limit: a transaction asking for more can never be included.
    pub block_gas_limit: u64,
    /// Largest accepted EIP-2718 encoding in bytes.
    pub max_tx_size: usize,
    /// Largest accepted init code of a contract creation.
    pub max_init_code_size: usize,
    /// Minimum max fee per gas (the L2 base fee never goes below it).
    pub min_base_fee: u128,
    /// Base fee the pool starts with (updated by `on_block_committed`).
    pub initial_base_fee: u64,
    /// Replacement bump in percent, on both the fee cap and the tip.
    pub price_bump_percent: u128,
    /// Maximum pooled transactions per sender (pending + queued).
    pub max_account_slots: usize,
    /// Maximum pooled transactions in total.
    pub max_pool_size: usize,
    /// Capacity of the new-pending-transaction broadcast channel.
    pub pending_channel_capacity: usize,
}

impl PoolConfig {
    /// Defaults for the chain `chain_id`.
    pub const fn new(chain_id: u64) -> Self {
        Self {
            chain_id,
            block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
            max_tx_size: DEFAULT_MAX_TX_SIZE,
            max_init_code_size: DEFAULT_MAX_INIT_CODE_SIZE,
            min_base_fee: DEFAULT_MIN_BASE_FEE,
            initial_base_fee: DEFAULT_MIN_BASE_FEE as u64,
            price_bump_percent: DEFAULT_PRICE_BUMP_PERCENT,
            max_account_slots: DEFAULT_MAX_ACCOUNT_SLOTS,
            max_pool_size: DEFAULT_MAX_POOL_SIZE,
            pending_channel_capacity: DEFAULT_PENDING_CHANNEL_CAPACITY,
        }
    }

    /// Defaults on [`TEST_CHAIN_ID`].
    pub const fn test() -> Self {
        Self::new(TEST_CHAIN_ID)
    }

    /// Sets the block gas limit.
    #[must_use]
    pub const fn with_block_gas_limit(mut self, gas: u64) -> Self {
        self.block_gas_limit = gas;
        self
    }

    /// Sets the largest accepted encoding.
    #[must_use]
    pub const fn with_max_tx_size(mut self, bytes: usize) -> Self {
        self.max_tx_size = bytes;
        self
    }

    /// Sets the init code limit.
    #[must_use]
    pub const fn with_max_init_code_size(mut self, bytes: usize) -> Self {
        self.max_init_code_size = bytes;
        self
    }

    /// Sets the minimum max fee per gas.
    #[must_use]
    pub const fn with_min_base_fee(mut self, wei: u128) -> Self {
        self.min_base_fee = wei;
        self
    }

    /// Sets the base fee the pool starts with.
    #[must_use]
    pub const fn with_initial_base_fee(mut self, wei: u64) -> Self {
        self.initial_base_fee = wei;
        self
    }

    /// Sets the replacement bump in percent.
    #[must_use]
    pub const fn with_price_bump_percent(mut self, percent: u128) -> Self {
        self.price_bump_percent = percent;
        self
    }

    /// Sets the per-sender limit.
    #[must_use]
    pub const fn with_max_account_slots(mut self, slots: usize) -> Self {
        self.max_account_slots = slots;
        self
    }

    /// Sets the global limit.
    #[must_use]
    pub const fn with_max_pool_size(mut self, size: usize) -> Self {
        self.max_pool_size = size;
        self
    }
}
