//! The attribution predeploys on the genesis state: constructed at their fixed addresses with the
//! configured governance and treasury, and working end to end through `tributary-execution`
//! (DataNet, stake, contributions, votes, model, prepaid deposit, `settle` and `settleSigned` with
//! an EIP-712 signature over the domain of the predeploy address and the L2 chain id).

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::{SolCall, SolStruct, eip712_domain},
};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, b256, keccak256};
use revm::{bytecode::Bytecode, database::InMemoryDB, state::AccountInfo};
use tributary_contracts::{
    AttributionSettlement, DataNetRegistry, InferenceRequest, ModelRegistry,
};
use tributary_execution::{BlockContext, BlockExecutor, BlockOutput, BlockTx};
use tributary_genesis::{
    DEFAULT_ATTRIBUTION_ADMIN, DEV_ACCOUNTS, GenesisConfig, GenesisError, L2Genesis, attribution,
    build,
};
use tributary_primitives::predeploys::{ATTRIBUTION_SETTLEMENT, DATANET_REGISTRY, MODEL_REGISTRY};

/// anvil's dev keys 0..7 (accounts 0..7 of the dev mnemonic).
const KEYS: [B256; 8] = [
    b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
    b256!("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
    b256!("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"),
    b256!("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"),
    b256!("0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"),
    b256!("0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"),
    b256!("0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"),
    b256!("0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"),
];
const GOVERNANCE: usize = 0; // also the DataNet owner and the default treasury
const VALIDATOR: usize = 1;
/// Contribution `i` (1-based) is submitted by key `(i - 1) % 8`: every settlement below credits 8
/// distinct contributors, as the forge gas tests do.
const CONTRIBUTOR: usize = 2;
const MODEL_OWNER: usize = 3;
const PROVIDER: usize = 4;
const USER: usize = 5;
const GWEI: u128 = 1_000_000_000;
const OPEN: u128 = 1_000_000_000_000_000_000;

fn db_of(genesis: &L2Genesis) -> InMemoryDB {
    let mut db = InMemoryDB::default();
    for (address, a) in &genesis.alloc {
        let code = (!a.code.is_empty()).then(|| Bytecode::new_raw(a.code.clone()));
        db.insert_account_info(
            *address,
            AccountInfo {
                balance: a.balance,
                nonce: a.nonce,
                code_hash: a.code_hash(),
                code,
                ..Default::default()
            },
        );
        for (slot, value) in &a.storage {
            db.insert_account_storage(*address, (*slot).into(), *value)
                .unwrap();
        }
    }
    db
}

/// Signs transactions from the dev keys, tracking each key's nonce.
struct Txs {
    chain_id: u64,
    nonces: [u64; 8],
    txs: Vec<BlockTx>,
}

impl Txs {
    fn new(chain_id: u64) -> Self {
        Self {
            chain_id,
            nonces: [0; 8],
            txs: Vec::new(),
        }
    }

    /// Appends a call and returns its index in the block.
    fn call(&mut self, key: usize, to: Address, value: u128, input: Vec<u8>) -> usize {
        let tx = TxEip1559 {
            chain_id: self.chain_id,
            nonce: self.nonces[key],
            gas_limit: 3_000_000,
            max_fee_per_gas: 2 * GWEI,
            max_priority_fee_per_gas: GWEI,
            to: TxKind::Call(to),
            value: U256::from(value),
            access_list: Default::default(),
            input: input.into(),
        };
        self.nonces[key] += 1;
        let signer = PrivateKeySigner::from_bytes(&KEYS[key]).unwrap();
        let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
        let envelope: TxEnvelope = tx.into_signed(sig).into();
        self.txs.push(BlockTx::signed(envelope, signer.address()));
        self.txs.len() - 1
    }
}

fn address_of(key: usize) -> Address {
    PrivateKeySigner::from_bytes(&KEYS[key]).unwrap().address()
}

fn run(genesis: &L2Genesis, txs: &Txs) -> BlockOutput {
    let block = BlockContext::new(
        1,
        genesis.config.timestamp + 2,
        genesis.header.gas_limit,
        genesis.config.base_fee,
    );
    let out = BlockExecutor::new(genesis.config.chain_id)
        .execute(&db_of(genesis), &block, &txs.txs)
        .unwrap();
    assert!(out.all_included(), "{:?}", out.rejected);
    for (i, tx) in out.transactions.iter().enumerate() {
        assert!(
            tx.receipt.status(),
            "tx {i} reverted: {}",
            tributary_contracts::ContractRevert::decode(&tx.output)
        );
    }
    out
}

#[test]
fn predeploys_are_constructed_with_code_and_storage() {
    let genesis = build(&GenesisConfig::dev()).unwrap();
    for address in attribution::PREDEPLOYS {
        let account = &genesis.alloc[&address];
        assert!(!account.code.is_empty(), "{address}");
        assert!(account.code.len() <= attribution::MAX_CODE_SIZE);
        assert_eq!(account.nonce, 1);
        assert!(account.balance.is_zero());
    }
    // Constructor state: the registries' owner and treasury are set (the model registry has none).
    assert!(!genesis.alloc[&DATANET_REGISTRY].storage.is_empty());
    assert!(!genesis.alloc[&ATTRIBUTION_SETTLEMENT].storage.is_empty());
    // ModelRegistry's only constructor state is an immutable: its runtime code embeds the registry.
    let model = &genesis.alloc[&MODEL_REGISTRY];
    assert!(model.storage.is_empty());
    assert!(
        model
            .code
            .windows(20)
            .any(|w| w == DATANET_REGISTRY.as_slice())
    );
    // The runtime code is the compiled code with the immutables filled in: same length.
    assert_eq!(
        genesis.alloc[&ATTRIBUTION_SETTLEMENT].code.len(),
        AttributionSettlement::DEPLOYED_BYTECODE.len()
    );
    assert_eq!(
        genesis.alloc[&DATANET_REGISTRY].code,
        DataNetRegistry::DEPLOYED_BYTECODE,
        "no immutables"
    );
}

#[test]
fn roles_come_from_the_config() {
    let dev = build(&GenesisConfig::dev()).unwrap();
    assert_eq!(dev.config.attribution_governance, DEFAULT_ATTRIBUTION_ADMIN);
    assert_eq!(DEFAULT_ATTRIBUTION_ADMIN, DEV_ACCOUNTS[0]);

    let governance = Address::repeat_byte(0x60);
    let treasury = Address::repeat_byte(0x7e);
    let config = GenesisConfig::dev().with_attribution_roles(governance, treasury);
    let g = build(&config).unwrap();
    assert_ne!(g.hash, dev.hash);
    let word = |a: Address| U256::from_be_slice(a.as_slice());
    let registry = &g.alloc[&DATANET_REGISTRY].storage;
    assert!(registry.values().any(|v| *v == word(governance)), "owner");
    assert!(registry.values().any(|v| *v == word(treasury)), "treasury");

    // Round trip through genesis.json keeps the roles and the hash.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("genesis.json");
    g.write_json(&path).unwrap();
    let read = L2Genesis::read_json(&path).unwrap();
    assert_eq!(read.hash, g.hash);
    assert_eq!(read.config.attribution_governance, governance);
    assert_eq!(read.config.attribution_treasury, treasury);
    assert_eq!(read.alloc, g.alloc);

    // Zero roles are refused with a clear error.
    for config in [
        GenesisConfig::dev().with_attribution_roles(Address::ZERO, treasury),
        GenesisConfig::dev().with_attribution_roles(governance, Address::ZERO),
    ] {
        let err = build(&config).unwrap_err();
        assert!(
            matches!(&err, GenesisError::Invalid { reason } if reason.contains("zero address")),
            "{err}"
        );
    }
}

#[test]
fn construction_is_deterministic_and_follows_the_chain_id() {
    let a = attribution::accounts(&GenesisConfig::dev()).unwrap();
    assert_eq!(a, attribution::accounts(&GenesisConfig::dev()).unwrap());
    let other = GenesisConfig {
        chain_id: 1,
        ..GenesisConfig::dev()
    };
    let b = attribution::accounts(&other).unwrap();
    // The EIP-712 domain cache (an immutable) holds the chain id: only AttributionSettlement changes.
    assert_ne!(
        a[&ATTRIBUTION_SETTLEMENT].code,
        b[&ATTRIBUTION_SETTLEMENT].code
    );
    assert_eq!(a[&DATANET_REGISTRY], b[&DATANET_REGISTRY]);
    assert_eq!(a[&MODEL_REGISTRY], b[&MODEL_REGISTRY]);
}

/// The whole flow on the dev genesis, in block 1. Also reports the gas of `settle` and
/// `settleSigned` with 8 contributions as full L2 transactions (intrinsic gas and calldata included).
#[test]
fn attribution_flow_runs_on_genesis() {
    let genesis = build(&GenesisConfig::dev()).unwrap();
    let chain_id = genesis.config.chain_id;
    for (key, account) in DEV_ACCOUNTS.iter().enumerate().take(KEYS.len()) {
        assert_eq!(
            address_of(key),
            *account,
            "key {key} is a funded dev account"
        );
    }
    let mut txs = Txs::new(chain_id);

    // Views first: owner(), treasury(), domainSeparator().
    let owner_dn = txs.call(
        PROVIDER,
        DATANET_REGISTRY,
        0,
        DataNetRegistry::ownerCall {}.abi_encode(),
    );
    let owner_as = txs.call(
        PROVIDER,
        ATTRIBUTION_SETTLEMENT,
        0,
        AttributionSettlement::ownerCall {}.abi_encode(),
    );
    let treasury_as = txs.call(
        PROVIDER,
        ATTRIBUTION_SETTLEMENT,
        0,
        AttributionSettlement::treasuryCall {}.abi_encode(),
    );
    let domain_tx = txs.call(
        PROVIDER,
        ATTRIBUTION_SETTLEMENT,
        0,
        AttributionSettlement::domainSeparatorCall {}.abi_encode(),
    );

    // A DataNet (deposit 0.1 OPEN, quorum 50%) with one validator staking 10 OPEN.
    let deposit = OPEN / 10;
    txs.call(
        GOVERNANCE,
        DATANET_REGISTRY,
        0,
        DataNetRegistry::createDataNetCall {
            name: "medical".into(),
            metadataURI: "ipfs://medical".into(),
            contributionDeposit: U256::from(deposit),
            quorumBps: U256::from(5_000),
        }
        .abi_encode(),
    );
    txs.call(
        VALIDATOR,
        DATANET_REGISTRY,
        10 * OPEN,
        DataNetRegistry::stakeCall {
            datanetId: U256::from(1),
        }
        .abi_encode(),
    );
    // 16 contributions from 8 contributors, each accepted by the validator's vote.
    for i in 0..16u64 {
        txs.call(
            (i % 8) as usize,
            DATANET_REGISTRY,
            deposit,
            DataNetRegistry::submitContributionCall {
                datanetId: U256::from(1),
                contentHash: keccak256(format!("contribution {i}")),
                size: U256::from(1_000 + i),
                uri: format!("ipfs://c/{i}"),
                license: "CC-BY-4.0".into(),
            }
            .abi_encode(),
        );
        txs.call(
            VALIDATOR,
            DATANET_REGISTRY,
            0,
            DataNetRegistry::voteCall {
                contributionId: U256::from(i + 1),
                accept: true,
            }
            .abi_encode(),
        );
    }
    // A model linked to the DataNet, fee 1 OPEN, served by PROVIDER.
    let fee = OPEN;
    txs.call(
        MODEL_OWNER,
        MODEL_REGISTRY,
        0,
        ModelRegistry::registerModelCall {
            artifactHash: keccak256("weights"),
            parentModelId: U256::ZERO,
            datanetIds: vec![U256::from(1)],
            feePerInference: U256::from(fee),
            metadataURI: "ipfs://model".into(),
        }
        .abi_encode(),
    );
    txs.call(
        MODEL_OWNER,
        MODEL_REGISTRY,
        0,
        ModelRegistry::setProviderCall {
            modelId: U256::from(1),
            provider: address_of(PROVIDER),
            authorised: true,
        }
        .abi_encode(),
    );
    txs.call(
        USER,
        ATTRIBUTION_SETTLEMENT,
        10 * OPEN,
        AttributionSettlement::depositCall {}.abi_encode(),
    );

    let settlement = |request: u64, first: u64| AttributionSettlement::Settlement {
        modelId: U256::from(1),
        requestHash: keccak256(format!("request {request}")),
        outputHash: keccak256(format!("output {request}")),
        evidenceHash: keccak256(format!("evidence {request}")),
        contributions: (first..first + 8).map(U256::from).collect(),
        weightsBps: vec![U256::from(1_250); 8],
    };
    // The first settlement ever (every credit slot zero), then a steady-state one.
    let settle_first = txs.call(
        PROVIDER,
        ATTRIBUTION_SETTLEMENT,
        fee,
        AttributionSettlement::settleCall {
            s: settlement(1, 1),
        }
        .abi_encode(),
    );
    let settle_steady = txs.call(
        PROVIDER,
        ATTRIBUTION_SETTLEMENT,
        fee,
        AttributionSettlement::settleCall {
            s: settlement(2, 1),
        }
        .abi_encode(),
    );
    // Signed settlements paid from USER's prepaid balance (nonces 0 and 1 share a bitmap word).
    let domain = eip712_domain! {
        name: "Tributary Attribution",
        version: "1",
        chain_id: chain_id,
        verifying_contract: ATTRIBUTION_SETTLEMENT,
    };
    let user = PrivateKeySigner::from_bytes(&KEYS[USER]).unwrap();
    let mut signed = Vec::new();
    for (request, nonce, first) in [(3u64, 0u64, 9u64), (4, 1, 9)] {
        let s = settlement(request, first);
        let r = AttributionSettlement::UserRequest {
            user: user.address(),
            modelId: s.modelId,
            requestHash: s.requestHash,
            maxFee: U256::from(fee),
            nonce: U256::from(nonce),
            deadline: U256::from(genesis.config.timestamp + 3_600),
        };
        let typed = InferenceRequest {
            modelId: r.modelId,
            requestHash: r.requestHash,
            maxFee: r.maxFee,
            nonce: r.nonce,
            deadline: r.deadline,
        };
        let sig = user
            .sign_hash_sync(&typed.eip712_signing_hash(&domain))
            .unwrap();
        let signature = Bytes::from(sig.as_bytes().to_vec());
        signed.push(txs.call(
            PROVIDER,
            ATTRIBUTION_SETTLEMENT,
            0,
            AttributionSettlement::settleSignedCall { s, r, signature }.abi_encode(),
        ));
    }
    let credits_tx = txs.call(
        PROVIDER,
        ATTRIBUTION_SETTLEMENT,
        0,
        AttributionSettlement::creditsCall(address_of(CONTRIBUTOR)).abi_encode(),
    );
    let prepaid_tx = txs.call(
        PROVIDER,
        ATTRIBUTION_SETTLEMENT,
        0,
        AttributionSettlement::prepaidCall(user.address()).abi_encode(),
    );

    let out = run(&genesis, &txs);
    let output = |i: usize| &out.transactions[i].output;

    assert_eq!(
        DataNetRegistry::ownerCall::abi_decode_returns(output(owner_dn)).unwrap(),
        DEFAULT_ATTRIBUTION_ADMIN
    );
    assert_eq!(
        AttributionSettlement::ownerCall::abi_decode_returns(output(owner_as)).unwrap(),
        DEFAULT_ATTRIBUTION_ADMIN
    );
    assert_eq!(
        AttributionSettlement::treasuryCall::abi_decode_returns(output(treasury_as)).unwrap(),
        DEFAULT_ATTRIBUTION_ADMIN
    );
    assert_eq!(
        AttributionSettlement::domainSeparatorCall::abi_decode_returns(output(domain_tx)).unwrap(),
        domain.separator(),
        "EIP-712 domain of the predeploy address and the L2 chain id"
    );
    // 4 settlements, each crediting this contributor 1250 bps of the 55% contributor pool of 1 OPEN.
    assert_eq!(
        AttributionSettlement::creditsCall::abi_decode_returns(output(credits_tx)).unwrap(),
        U256::from(4 * 55 * OPEN / 100 / 8)
    );
    assert_eq!(
        AttributionSettlement::prepaidCall::abi_decode_returns(output(prepaid_tx)).unwrap(),
        U256::from(8 * OPEN)
    );

    let gas = |i: usize| out.transactions[i].gas_used;
    println!(
        "L2 tx gas, 8 contributions: settle first-ever {} / steady {}; settleSigned new nonce word {} / same word {}",
        gas(settle_first),
        gas(settle_steady),
        gas(signed[0]),
        gas(signed[1])
    );
    assert!(gas(settle_steady) < 400_000);
    assert!(gas(signed[1]) < 400_000);
}
