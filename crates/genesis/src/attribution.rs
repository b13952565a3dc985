//! The Proof-of-Attribution predeploys (docs/attribution.md): `DataNetRegistry` (`0x4200…0100`),
//! `ModelRegistry` (`0x4200…0101`) and `AttributionSettlement` (`0x4200…0102`).
//!
//! Unlike the other predeploys, these have constructors: governance and treasury addresses
//! ([`GenesisConfig::attribution_governance`], [`GenesisConfig::attribution_treasury`]), the
//! registries' addresses, and OpenZeppelin's EIP-712 domain cache (chain id and the contract's own
//! address, in immutables). So genesis cannot copy `DEPLOYED_BYTECODE`; it runs each constructor
//! once, in revm, **at the predeploy address**:
//!
//! ```text
//! account(predeploy).code = creation code ‖ abi.encode(constructor args)
//!   └─ CALL predeploy with empty calldata (caller GENESIS_CALLER, gas price 0, chain id = L2 chain id)
//!        = the constructor, with address(this) = predeploy and block.chainid = the L2 chain id
//!        └─► returned bytes = runtime code (immutables filled) ─► genesis code
//!            storage written (owner, treasury, parameters, reentrancy guard) ─► genesis storage
//! ```
//!
//! A CALL runs the creation code exactly as a CREATE would (`CODECOPY` reads the appended
//! arguments); the code-size limit is checked here instead ([`MAX_CODE_SIZE`]). Events are
//! dropped. The contracts are built in order, each on the state left by the previous one, so a
//! constructor could read an earlier predeploy. The result is deterministic: the same config gives
//! the same accounts, byte for byte.

use std::collections::BTreeMap;

use alloy::sol_types::SolConstructor;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use revm::{
    Context, DatabaseCommit, ExecuteEvm, MainBuilder, MainContext,
    bytecode::Bytecode,
    context::{
        BlockEnv, CfgEnv, TxEnv,
        result::{ExecutionResult, Output},
    },
    database::{CacheDB, EmptyDB, WrapDatabaseRef},
    primitives::hardfork::SpecId,
    state::AccountInfo,
};
use tributary_contracts::{AttributionSettlement, DataNetRegistry, ModelRegistry};
use tributary_primitives::predeploys;

use crate::{GenesisAccount, GenesisConfig, GenesisError, Result};

/// The attribution predeploys, in construction order.
pub const PREDEPLOYS: [Address; 3] = [
    predeploys::DATANET_REGISTRY,
    predeploys::MODEL_REGISTRY,
    predeploys::ATTRIBUTION_SETTLEMENT,
];

/// The caller of the genesis constructor runs (`msg.sender` in the constructors, which do not use
/// it). An address nobody holds a key for; it is not part of the genesis state.
pub const GENESIS_CALLER: Address = address!("0x4200000000000000000000000000000000000000");

/// EIP-170's runtime code limit; a predeploy must also be deployable on any EVM chain.
pub const MAX_CODE_SIZE: usize = 24_576;

/// Gas given to each constructor run (they use well under 1M).
const CONSTRUCTOR_GAS: u64 = 30_000_000;

/// The genesis accounts of the three attribution predeploys for `config`: runtime code, the storage
/// their constructors wrote, nonce 1, no balance.
pub fn accounts(config: &GenesisConfig) -> Result<BTreeMap<Address, GenesisAccount>> {
    let governance = config.attribution_governance;
    let treasury = config.attribution_treasury;
    if governance.is_zero() {
        return Err(invalid("attribution governance is the zero address".into()));
    }
    if treasury.is_zero() {
        return Err(invalid("attribution treasury is the zero address".into()));
    }
    let runs = [
        (
            "DataNetRegistry",
            predeploys::DATANET_REGISTRY,
            creation_code(
                &DataNetRegistry::BYTECODE,
                DataNetRegistry::constructorCall {
                    governance,
                    treasury_: treasury,
                }
                .abi_encode(),
            ),
        ),
        (
            "ModelRegistry",
            predeploys::MODEL_REGISTRY,
            creation_code(
                &ModelRegistry::BYTECODE,
                ModelRegistry::constructorCall {
                    datanetRegistry_: predeploys::DATANET_REGISTRY,
                }
                .abi_encode(),
            ),
        ),
        (
            "AttributionSettlement",
            predeploys::ATTRIBUTION_SETTLEMENT,
            creation_code(
                &AttributionSettlement::BYTECODE,
                AttributionSettlement::constructorCall {
                    governance,
                    treasury_: treasury,
                    datanetRegistry_: predeploys::DATANET_REGISTRY,
                    modelRegistry_: predeploys::MODEL_REGISTRY,
                }
                .abi_encode(),
            ),
        ),
    ];

    let mut db = CacheDB::new(EmptyDB::default());
    let mut out = BTreeMap::new();
    for (nonce, (name, address, init)) in (0u64..).zip(runs) {
        let account = construct(&mut db, config, nonce, name, address, init)?;
        out.insert(address, account);
    }
    Ok(out)
}

fn creation_code(bytecode: &Bytes, args: Vec<u8>) -> Bytes {
    [bytecode.as_ref(), &args].concat().into()
}

/// Runs `init` as the code of `address` and installs the result in `db`. `nonce` is the caller's
/// (one run before this one per earlier contract).
fn construct(
    db: &mut CacheDB<EmptyDB>,
    config: &GenesisConfig,
    nonce: u64,
    name: &str,
    address: Address,
    init: Bytes,
) -> Result<GenesisAccount> {
    db.insert_account_info(address, account_info(init));
    let cfg = CfgEnv::new_with_spec(SpecId::PRAGUE).with_chain_id(config.chain_id);
    let block = BlockEnv {
        number: U256::ZERO,
        timestamp: U256::from(config.timestamp),
        gas_limit: CONSTRUCTOR_GAS,
        basefee: 0,
        ..Default::default()
    };
    let tx = TxEnv::builder()
        .caller(GENESIS_CALLER)
        .nonce(nonce)
        .kind(TxKind::Call(address))
        .gas_limit(CONSTRUCTOR_GAS)
        .gas_price(0)
        .chain_id(Some(config.chain_id))
        .build_fill();
    let mut evm = Context::mainnet()
        .with_cfg(cfg)
        .with_block(block)
        .with_db(WrapDatabaseRef(&*db))
        .build_mainnet();
    let outcome = evm
        .transact(tx)
        .map_err(|e| invalid(format!("{name} constructor: {e}")))?;
    drop(evm);

    let code = match outcome.result {
        ExecutionResult::Success {
            output: Output::Call(code),
            ..
        } => code,
        other => return Err(invalid(format!("{name} constructor failed: {other:?}"))),
    };
    if code.is_empty() || code.len() > MAX_CODE_SIZE {
        return Err(invalid(format!(
            "{name} runtime code is {} bytes (1..={MAX_CODE_SIZE})",
            code.len()
        )));
    }
    let storage: BTreeMap<B256, U256> = outcome
        .state
        .get(&address)
        .map(|account| {
            account
                .storage
                .iter()
                .filter(|(_, slot)| !slot.present_value.is_zero())
                .map(|(key, slot)| (B256::from(*key), slot.present_value))
                .collect()
        })
        .unwrap_or_default();
    db.commit(outcome.state);
    db.insert_account_info(address, account_info(code.clone()));
    Ok(GenesisAccount {
        balance: U256::ZERO,
        nonce: 1,
        code,
        storage,
    })
}

fn account_info(code: Bytes) -> AccountInfo {
    AccountInfo {
        balance: U256::ZERO,
        nonce: 1,
        code_hash: keccak256(&code),
        code: Some(Bytecode::new_raw(code)),
        ..Default::default()
    }
}

fn invalid(reason: String) -> GenesisError {
    GenesisError::Invalid { reason }
}
