//! The settle workload: paid inferences settled through `AttributionSettlement.settle`, each
//! attributing the fee to 8 Accepted contributions (docs/attribution.md).
//!
//! ```text
//! where the contracts are (AttributionAddrs)
//!   sequencer: the genesis predeploys 0x4200…0100 / …0101 / …0102
//!   anvil:     account 0 deploys DataNetRegistry(a0, a0), ModelRegistry(registry),
//!              AttributionSettlement(a0, a0, registry, models) with its nonces 0, 1, 2
//!              (governance = treasury = a0, the roles `sequencer --dev` has in genesis)
//!   (setup stage 1: the deployments on anvil, nothing on the sequencer; then both nodes must have
//!   code at the three addresses)
//! then, identical on both nodes (every stage confirmed, status 1, before the next):
//!   stage 2, a0: createDataNet(deposit 0.01 OPEN, quorum 50 %) → DataNet 1; stake 10 OPEN in it
//!                (the only validator); registerModel(linked to DataNet 1, fee 0.001 OPEN) → model 1;
//!                setProvider(1, a1…a9)
//!   stage 3, a1…a9: one submitContribution each (with the deposit) → contributions 1…9
//!   stage 4, a0: vote(1…9, accept) → all Accepted (one validator holds the whole stake)
//! timed: settle{value: fee}(model 1, distinct request hash, 8 of the 9 contributions, weights
//!        2500 2000 1500 1200 1000 800 600 400 bps) from the ten accounts, round-robin
//! ```
//!
//! Each settlement names 8 consecutive ids (mod 9) of the 9 contributions, so its 8 contributors
//! are distinct whatever order the node included the submissions in, and the work of a settlement
//! does not depend on the node: credits to the model owner (= treasury, a0) and to 8 contributors,
//! one `distributeValidatorReward` call, a fresh `inferenceOfRequest` slot. The first settlement
//! executed writes the credit slots from zero; from the second or third on they are all warm
//! (steady state).

use alloy::sol_types::{SolCall, SolConstructor};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use tributary_contracts::{AttributionSettlement, DataNetRegistry, ModelRegistry};
use tributary_genesis::{DEFAULT_ATTRIBUTION_ADMIN, attribution::PREDEPLOYS};

use crate::{
    node::NodeKind,
    plan::{Plan, creation_code},
    tx::{DevAccounts, Nonces, SENDERS, TxSpec},
};

/// One OPEN, in wei.
const OPEN: u64 = 1_000_000_000_000_000_000;
/// Deposit a contribution carries (returned as a credit once Accepted).
const CONTRIBUTION_DEPOSIT: u64 = OPEN / 100;
/// The validator's stake.
const VALIDATOR_STAKE: u64 = 10 * OPEN;
/// The model's fee per inference (the value of every settle).
const FEE: u64 = OPEN / 1_000;
/// Quorum of the DataNet, basis points.
const QUORUM_BPS: u64 = 5_000;
/// Contributions submitted (by accounts 1…9, one each).
const CONTRIBUTIONS: usize = SENDERS - 1;
/// Weights of the 8 contributions of every settlement (basis points, summing to 10,000).
const WEIGHTS_BPS: [u64; 8] = [2_500, 2_000, 1_500, 1_200, 1_000, 800, 600, 400];
/// The DataNet and the model the setup creates (first ids on a fresh chain).
const DATANET_ID: u64 = 1;
const MODEL_ID: u64 = 1;
/// Gas limit of each attribution contract's deployment (anvil).
const DEPLOY_GAS: u64 = 10_000_000;
/// Gas limit of a setup call (DataNet, stake, model, provider, contribution, vote).
const SETUP_CALL_GAS: u64 = 1_000_000;
/// Gas limit of a settle with 8 contributions (223k in steady state, 429k for the first one, which
/// writes its credit slots from zero; the sequencer packs blocks by gas limit).
const SETTLE_GAS: u64 = 500_000;
/// Tag of the bench's hashes.
const TAG: &str = "tributary-bench/settle";

/// Addresses of the three attribution contracts on a node. Everything after their discovery (setup,
/// settlements, the code check) uses only these, identically on both nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AttributionAddrs {
    /// DataNetRegistry.
    pub(crate) datanets: Address,
    /// ModelRegistry.
    pub(crate) models: Address,
    /// AttributionSettlement.
    pub(crate) settlement: Address,
}

impl AttributionAddrs {
    /// Tributary's genesis predeploys.
    pub(crate) fn predeployed() -> Self {
        let [datanets, models, settlement] = PREDEPLOYS;
        Self {
            datanets,
            models,
            settlement,
        }
    }

    /// Where `deployer` creates them with three consecutive nonces from `first_nonce`.
    pub(crate) fn created_by(deployer: Address, first_nonce: u64) -> Self {
        Self {
            datanets: deployer.create(first_nonce),
            models: deployer.create(first_nonce + 1),
            settlement: deployer.create(first_nonce + 2),
        }
    }

    /// The contracts with their names, for the code check.
    pub(crate) fn contracts(&self) -> Vec<(&'static str, Address)> {
        vec![
            ("DataNetRegistry", self.datanets),
            ("ModelRegistry", self.models),
            ("AttributionSettlement", self.settlement),
        ]
    }

    /// The deployments by `deployer` (with the next three nonces) creating the contracts at
    /// [`Self::created_by`] addresses, with governance = treasury = [`DEFAULT_ATTRIBUTION_ADMIN`].
    fn deploy(deployer: usize, accounts: &DevAccounts, nonces: &mut Nonces) -> (Self, Vec<TxSpec>) {
        let addrs = Self::created_by(accounts.address(deployer), nonces.next(deployer));
        let admin = DEFAULT_ATTRIBUTION_ADMIN;
        let inits = [
            creation_code(
                &DataNetRegistry::BYTECODE,
                DataNetRegistry::constructorCall {
                    governance: admin,
                    treasury_: admin,
                }
                .abi_encode(),
            ),
            creation_code(
                &ModelRegistry::BYTECODE,
                ModelRegistry::constructorCall {
                    datanetRegistry_: addrs.datanets,
                }
                .abi_encode(),
            ),
            creation_code(
                &AttributionSettlement::BYTECODE,
                AttributionSettlement::constructorCall {
                    governance: admin,
                    treasury_: admin,
                    datanetRegistry_: addrs.datanets,
                    modelRegistry_: addrs.models,
                }
                .abi_encode(),
            ),
        ];
        let specs = inits
            .into_iter()
            .map(|init| nonces.spec(deployer, TxKind::Create, U256::ZERO, init, DEPLOY_GAS))
            .collect();
        (addrs, specs)
    }
}

/// The settle plan for `kind` with `count` measured settlements (see the module docs).
pub(crate) fn plan(kind: NodeKind, accounts: &DevAccounts, count: usize) -> Plan {
    let mut nonces = Nonces::default();
    let owner = 0;
    let (addrs, deployments) = match kind {
        NodeKind::Anvil => AttributionAddrs::deploy(owner, accounts, &mut nonces),
        NodeKind::Sequencer => (AttributionAddrs::predeployed(), Vec::new()),
    };
    let call = |nonces: &mut Nonces, sender: usize, to: Address, value: u64, input: Vec<u8>| {
        nonces.spec(
            sender,
            TxKind::Call(to),
            U256::from(value),
            input.into(),
            SETUP_CALL_GAS,
        )
    };

    let datanet = U256::from(DATANET_ID);
    let model = U256::from(MODEL_ID);
    let mut registrations = Vec::new();
    registrations.push(call(
        &mut nonces,
        owner,
        addrs.datanets,
        0,
        DataNetRegistry::createDataNetCall {
            name: "bench".into(),
            metadataURI: "ipfs://tributary-bench".into(),
            contributionDeposit: U256::from(CONTRIBUTION_DEPOSIT),
            quorumBps: U256::from(QUORUM_BPS),
        }
        .abi_encode(),
    ));
    registrations.push(call(
        &mut nonces,
        owner,
        addrs.datanets,
        VALIDATOR_STAKE,
        DataNetRegistry::stakeCall { datanetId: datanet }.abi_encode(),
    ));
    registrations.push(call(
        &mut nonces,
        owner,
        addrs.models,
        0,
        ModelRegistry::registerModelCall {
            artifactHash: hash("model", 0),
            parentModelId: U256::ZERO,
            datanetIds: vec![datanet],
            feePerInference: U256::from(FEE),
            metadataURI: "ipfs://tributary-bench/model".into(),
        }
        .abi_encode(),
    ));
    for provider in 1..SENDERS {
        registrations.push(call(
            &mut nonces,
            owner,
            addrs.models,
            0,
            ModelRegistry::setProviderCall {
                modelId: model,
                provider: accounts.address(provider),
                authorised: true,
            }
            .abi_encode(),
        ));
    }
    let contributions: Vec<TxSpec> = (1..=CONTRIBUTIONS)
        .map(|contributor| {
            call(
                &mut nonces,
                contributor,
                addrs.datanets,
                CONTRIBUTION_DEPOSIT,
                DataNetRegistry::submitContributionCall {
                    datanetId: datanet,
                    contentHash: hash("content", contributor),
                    size: U256::from(1_000 + contributor),
                    uri: format!("ipfs://tributary-bench/content/{contributor}"),
                    license: "CC-BY-4.0".into(),
                }
                .abi_encode(),
            )
        })
        .collect();
    let votes: Vec<TxSpec> = (1..=CONTRIBUTIONS)
        .map(|id| {
            call(
                &mut nonces,
                owner,
                addrs.datanets,
                0,
                DataNetRegistry::voteCall {
                    contributionId: U256::from(id),
                    accept: true,
                }
                .abi_encode(),
            )
        })
        .collect();

    let timed = (0..count)
        .map(|i| {
            nonces.spec(
                i % SENDERS,
                TxKind::Call(addrs.settlement),
                U256::from(FEE),
                settle_call(i),
                SETTLE_GAS,
            )
        })
        .collect();
    Plan {
        setup: vec![deployments, registrations, contributions, votes],
        contracts: addrs.contracts(),
        timed,
    }
}

/// Calldata of the `i`-th measured settlement: model 1, request/output/evidence hashes of `i`,
/// contributions `i % 9 + 1` and the next 7 (mod 9), [`WEIGHTS_BPS`].
fn settle_call(i: usize) -> Bytes {
    let s = AttributionSettlement::Settlement {
        modelId: U256::from(MODEL_ID),
        requestHash: hash("request", i),
        outputHash: hash("output", i),
        evidenceHash: hash("evidence", i),
        contributions: (0..WEIGHTS_BPS.len())
            .map(|k| U256::from((i + k) % CONTRIBUTIONS + 1))
            .collect(),
        weightsBps: WEIGHTS_BPS.iter().map(|&w| U256::from(w)).collect(),
    };
    AttributionSettlement::settleCall { s }.abi_encode().into()
}

/// `keccak256("tributary-bench/settle/<what>/<i>")`.
fn hash(what: &str, i: usize) -> B256 {
    keccak256(format!("{TAG}/{what}/{i}"))
}

#[cfg(test)]
mod tests {
    use alloy::sol_types::SolCall;

    use super::*;

    #[test]
    fn weights_sum_to_one_whole() {
        assert_eq!(WEIGHTS_BPS.iter().sum::<u64>(), 10_000);
        assert!(WEIGHTS_BPS.len() <= CONTRIBUTIONS);
    }

    #[test]
    fn settlements_name_distinct_contributions_and_requests() {
        let mut requests = Vec::new();
        for i in 0..30 {
            let call = AttributionSettlement::settleCall::abi_decode(&settle_call(i)).unwrap();
            let mut ids: Vec<U256> = call.s.contributions.clone();
            assert_eq!(ids.len(), 8);
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 8, "settlement {i}");
            assert!(
                ids.iter()
                    .all(|id| *id >= U256::from(1) && *id <= U256::from(CONTRIBUTIONS))
            );
            requests.push(call.s.requestHash);
        }
        requests.sort();
        requests.dedup();
        assert_eq!(requests.len(), 30);
    }

    #[test]
    fn anvil_deploys_where_the_plan_calls_and_nonces_are_consecutive() {
        let accounts = DevAccounts::derive().unwrap();
        let anvil = plan(NodeKind::Anvil, &accounts, 20);
        let sequencer = plan(NodeKind::Sequencer, &accounts, 20);
        assert_eq!((anvil.setup[0].len(), sequencer.setup[0].len()), (3, 0));
        assert_eq!(anvil.setup[1].len(), sequencer.setup[1].len());
        assert!(anvil.setup[0].iter().all(|s| s.to == TxKind::Create));
        let deployed = AttributionAddrs::created_by(accounts.address(0), 0);
        assert_eq!(anvil.contracts, deployed.contracts());
        assert_eq!(
            sequencer.contracts,
            AttributionAddrs::predeployed().contracts()
        );
        assert_eq!(anvil.timed[0].to, TxKind::Call(deployed.settlement));
        // Account 0: 3 deploys + DataNet + stake + model + 9 providers + 9 votes before its first
        // settlement on anvil; the contributors: their one submission.
        assert_eq!(anvil.timed[0].nonce, 3 + 3 + 9 + 9);
        assert_eq!(sequencer.timed[0].nonce, 3 + 9 + 9);
        assert_eq!(sequencer.timed[1].nonce, 1);
        assert_eq!(sequencer.timed[11].nonce, 2);
        // Same settlements (calldata, fee) on both nodes.
        for (a, s) in anvil.timed.iter().zip(&sequencer.timed) {
            assert_eq!((&a.input, a.value), (&s.input, U256::from(FEE)));
        }
        assert_eq!(sequencer.setup[2].len(), CONTRIBUTIONS);
        assert!(
            sequencer.setup[2]
                .iter()
                .all(|s| s.value == U256::from(CONTRIBUTION_DEPOSIT) && s.nonce == 0)
        );
    }
}
