//! The whole Proof-of-Attribution flow on a real devnet, as its users drive it:
//!
//! DataNet created, a validator staked, three contributions accepted and one rejected (its
//! deposit goes to the reject voter), one left pending; a model linking the DataNet with the
//! gateway as provider; a user prepays and asks a question whose extractive answer quotes two of
//! the accepted contributions → exactly those two contributors are credited, by the evidence
//! weights, in the fee split the contract defines; the served evidence hashes to the hash on
//! chain; claims pay out native OPEN; a replayed signed request and every kind of bad request
//! fail with a clear error and change nothing.

use std::collections::BTreeMap;

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use serde_json::{Value, json};
use tributary_cli::gateway_api::ChatResponse;
use tributary_contracts::{AttributionSettlement, DataNetRegistry};
use tributary_primitives::predeploys::{ATTRIBUTION_SETTLEMENT, DATANET_REGISTRY};
use tributary_testkit::{Devnet, dev_signer, u256};

use crate::utils::{
    Cli, GatewayProc, error_code, evidence_weights, get, milli_open, paid_request, post, tx_cost,
};

const RHINE: &str = "The river Rhine rises in the Swiss Alps and flows north through Germany before it reaches the North Sea near Rotterdam. Barges have carried coal and grain along its banks for centuries. Several castles overlook the gorge between Bingen and Koblenz.";
const HARBOUR: &str = "Rotterdam harbour handles more cargo than any other port in Europe, about four hundred million tonnes in a typical year. Its container terminals are almost fully automated. Ships queue outside the breakwater when storms close the entrance channel.";
const BEES: &str = "Honey bees tell their hive mates where flowers grow by performing a waggle dance on the comb. The angle of the dance points relative to the sun. Foragers return with pollen packed into baskets on their hind legs.";
/// Rejected: it would be quoted if it were ever indexed.
const SPAM: &str = "Rotterdam river cargo harbour sea North Rhine: buy cheap tokens now at the best price ever offered to anyone anywhere.";
/// Left pending: its words appear in no accepted contribution.
const QUARKS: &str = "Quarks are bound together inside protons and neutrons by gluons, the carriers of the strong interaction described by quantum chromodynamics.";

const QUESTION: &str = "Where does the Rhine reach the North Sea, and how much cargo does the Rotterdam harbour handle?";

/// Fee per inference: 0.01 OPEN.
fn fee() -> U256 {
    milli_open(10)
}

/// The `tributary` JSON output's `id`.
fn id(v: &Value) -> u64 {
    v["id"].as_u64().unwrap_or_else(|| panic!("no id: {v}"))
}

/// The AttributionSettlement `Credited` events of a receipt: (account, kind, ref, amount).
fn credited(receipt: &TransactionReceipt) -> Vec<(Address, u8, U256, U256)> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|log| log.address() == ATTRIBUTION_SETTLEMENT)
        .filter_map(|log| {
            AttributionSettlement::Credited::decode_log(&log.inner)
                .ok()
                .map(|e| e.data)
        })
        .map(|e| (e.account, e.kind, e.r#ref, e.amount))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paid_inference_is_attributed_settled_and_claimed() {
    let devnet = Devnet::start(&[]);
    let l2 = ProviderBuilder::new().connect_http(devnet.get("l2_rpc").parse().unwrap());
    let chain_id = l2.get_chain_id().await.unwrap();
    let (owner, validator, alice, bob, provider, carol, mallory, model_owner, user, treasury) = (
        dev_signer(1),
        dev_signer(2),
        dev_signer(3),
        dev_signer(4),
        dev_signer(5),
        dev_signer(6),
        dev_signer(7),
        dev_signer(8),
        dev_signer(9),
        dev_signer(0),
    );
    let gateway = GatewayProc::start(&devnet, &provider, devnet.dir.path());
    let cli = Cli {
        devnet_json: devnet.path("devnet.json"),
        gateway: gateway.url.clone(),
    };
    let registry = DataNetRegistry::new(DATANET_REGISTRY, &l2);
    let settlement = AttributionSettlement::new(ATTRIBUTION_SETTLEMENT, &l2);

    // ---- a DataNet with a 0.5 OPEN deposit and one validator holding all the stake
    let datanet = id(&cli
        .ok(
            &owner,
            &[
                "datanet",
                "create",
                "--name",
                "rivers",
                "--deposit",
                "0.5",
                "--quorum-bps",
                "5000",
            ],
        )
        .await);
    cli.ok(
        &validator,
        &[
            "datanet",
            "stake",
            "--datanet",
            &datanet.to_string(),
            "--amount",
            "10",
        ],
    )
    .await;

    // ---- five contributions, uploaded to the gateway as they are submitted
    let files = devnet.dir.path().join("contributions");
    std::fs::create_dir_all(&files).unwrap();
    let mut contributions = BTreeMap::new();
    for (name, who, text) in [
        ("rhine", &alice, RHINE),
        ("harbour", &bob, HARBOUR),
        ("bees", &carol, BEES),
        ("spam", &mallory, SPAM),
        ("quarks", &owner, QUARKS),
    ] {
        let path = files.join(format!("{name}.txt"));
        std::fs::write(&path, text).unwrap();
        let out = cli
            .ok(
                who,
                &[
                    "contribute",
                    &path.display().to_string(),
                    "--datanet",
                    &datanet.to_string(),
                ],
            )
            .await;
        assert_eq!(out["upload"]["status"], "pending", "{out}");
        assert_eq!(
            u256(&out["upload"]["content_hash"]),
            U256::from_be_bytes(keccak256(text).0)
        );
        contributions.insert(name, id(&out));
    }
    let c = |name: &str| contributions[name];

    // ---- the validator decides: three accepted, the spam rejected, the quarks left pending
    for name in ["rhine", "harbour", "bees"] {
        let out = cli
            .ok(&validator, &["vote", &c(name).to_string(), "accept"])
            .await;
        assert!(
            out["summary"].as_str().unwrap().ends_with("it is accepted"),
            "{out}"
        );
    }
    let out = cli
        .ok(&validator, &["vote", &c("spam").to_string(), "reject"])
        .await;
    assert!(
        out["summary"].as_str().unwrap().ends_with("it is rejected"),
        "{out}"
    );
    // The rejected deposit goes to the reject voter (the only one: all of it, no dust); the
    // accepted deposits go back to their contributors.
    let deposit = milli_open(500);
    assert_eq!(
        registry.credits(validator.address()).call().await.unwrap(),
        deposit
    );
    assert_eq!(
        registry.credits(mallory.address()).call().await.unwrap(),
        U256::ZERO
    );
    assert_eq!(
        registry.credits(alice.address()).call().await.unwrap(),
        deposit
    );
    assert_eq!(
        registry
            .contributionByHash(keccak256(SPAM))
            .call()
            .await
            .unwrap(),
        U256::ZERO
    );

    // ---- the gateway indexes the accepted ones, drops the rejected one, keeps the pending one
    let status_of = |text: &'static str| {
        let url = format!("{}/v1/contributions/{}", gateway.url, keccak256(text));
        async move {
            let (code, body) = get(&url).await;
            match code {
                200 => serde_json::from_slice::<Value>(&body).unwrap()["status"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                _ => error_code(&body),
            }
        }
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let states = [
            status_of(RHINE).await,
            status_of(HARBOUR).await,
            status_of(BEES).await,
            status_of(SPAM).await,
            status_of(QUARKS).await,
        ];
        if states
            == [
                "indexed",
                "indexed",
                "indexed",
                "contribution_not_found",
                "pending",
            ]
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gateway never synced: {states:?}\n{}",
            gateway.logs()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // ---- a model linking the DataNet, served by the gateway; the user prepays
    let model = cli.register_model(&model_owner, datanet, "weights").await;
    cli.ok(
        &model_owner,
        &[
            "model",
            "provider",
            "add",
            "--model",
            &model.to_string(),
            "--provider",
            &provider.address().to_string(),
        ],
    )
    .await;
    cli.ok(&user, &["prepay", "--amount", "1"]).await;
    let prepaid_before = settlement.prepaid(user.address()).call().await.unwrap();

    // ---- the paid question, through the CLI
    let model_arg = model.to_string();
    let paid_query = ["query", QUESTION, "--model", &model_arg, "--nonce", "7"];
    let answer: ChatResponse = serde_json::from_value(cli.ok(&user, &paid_query).await).unwrap();
    let text = &answer.choices[0].message.content;
    let receipt = &answer.tributary;
    println!(
        "answer: {text}\nreceipt: {}",
        serde_json::to_string_pretty(receipt).unwrap()
    );
    assert!(receipt.settled && receipt.outcome == "attributed");
    assert!(
        text.contains("reaches the North Sea near Rotterdam")
            && text.contains("Rotterdam harbour handles more cargo"),
        "{text}"
    );
    let credited_ids: Vec<u64> = receipt.contributions.iter().map(|c| c.id).collect();
    assert_eq!(
        credited_ids,
        [c("rhine"), c("harbour")],
        "exactly the two quoted contributions"
    );
    assert_eq!(
        receipt
            .contributions
            .iter()
            .map(|c| u32::from(c.weight_bps))
            .sum::<u32>(),
        10_000
    );
    assert_eq!(
        receipt
            .contributions
            .iter()
            .map(|c| c.contributor)
            .collect::<Vec<_>>(),
        [alice.address(), bob.address()]
    );
    assert!(receipt.spans.iter().all(|s| s.tokens >= 8));
    assert_eq!(receipt.fee, fee());
    assert_eq!(
        settlement.prepaid(user.address()).call().await.unwrap(),
        prepaid_before - fee()
    );

    // ---- the evidence: the served bytes hash to the hash the settlement recorded
    let (code, evidence) = get(&format!("{}{}", gateway.url, receipt.evidence_url)).await;
    assert_eq!(code, 200);
    assert_eq!(keccak256(&evidence), receipt.evidence_hash);
    let parsed: Value = serde_json::from_slice(&evidence).unwrap();
    assert_eq!(
        evidence_weights(&parsed),
        receipt
            .contributions
            .iter()
            .map(|c| (c.id, u64::from(c.weight_bps)))
            .collect::<Vec<_>>()
    );
    let (_, rpc) = post(
        &gateway.url,
        json!({"jsonrpc": "2.0", "id": 1, "method": "tributary_getAttribution", "params": [receipt.evidence_hash]}).to_string(),
    )
    .await;
    let rpc: Value = serde_json::from_slice(&rpc).unwrap();
    assert_eq!(
        rpc["result"],
        format!("0x{}", alloy::primitives::hex::encode(&evidence))
    );

    // ---- on chain: InferenceSettled records the hashes, Credited events follow the fee split
    let tx = receipt.settlement_tx.unwrap();
    let mined = l2.get_transaction_receipt(tx).await.unwrap().unwrap();
    let settled = mined
        .decoded_log::<AttributionSettlement::InferenceSettled>()
        .unwrap();
    assert_eq!(settled.evidenceHash, receipt.evidence_hash);
    assert_eq!(settled.requestHash, receipt.request_hash);
    assert_eq!(settled.outputHash, keccak256(text.as_bytes()));
    assert_eq!(
        (settled.fee, settled.payer, settled.provider),
        (fee(), user.address(), provider.address())
    );
    let f = fee();
    let bps = |n: u64| U256::from(n);
    let owner_share = f * bps(3_000) / bps(10_000);
    let validator_share = f * bps(1_000) / bps(10_000);
    let pool = f - owner_share - validator_share - f * bps(500) / bps(10_000);
    let weight = |i: usize| bps(u64::from(receipt.contributions[i].weight_bps));
    let (to_alice, to_bob) = (
        pool * weight(0) / bps(10_000),
        pool * weight(1) / bps(10_000),
    );
    let events = credited(&mined);
    let to_treasury = f - owner_share - to_alice - to_bob - validator_share;
    assert_eq!(
        events,
        vec![
            (model_owner.address(), 1, U256::from(model), owner_share),
            (alice.address(), 2, U256::from(c("rhine")), to_alice),
            (bob.address(), 2, U256::from(c("harbour")), to_bob),
            (treasury.address(), 0, U256::ZERO, to_treasury),
        ],
        "credits: model owner, the two contributors by weight, the treasury (protocol + dust)"
    );
    assert!(
        events.iter().all(|(who, ..)| *who != carol.address()),
        "the third contribution earns nothing"
    );
    println!(
        "fee {f} wei: model owner {owner_share}, alice {to_alice} ({} bps), bob {to_bob} ({} bps), validators {validator_share}, treasury {to_treasury}; settleSigned gas {}",
        weight(0),
        weight(1),
        mined.gas_used
    );

    // ---- the same signed request again: refused, nothing charged
    let stderr = cli.fails(&user, &paid_query).await;
    assert!(
        stderr.contains("nonce_used") && stderr.contains("already used"),
        "{stderr}"
    );

    // ---- a script's request: built with the library, sent as plain HTTP, then replayed verbatim
    let sign = |signer: &PrivateKeySigner, model: u64, max_fee: U256, nonce: u64, deadline: u64| {
        let (nonce, deadline) = (U256::from(nonce), U256::from(deadline));
        paid_request(signer, chain_id, model, QUESTION, max_fee, nonce, deadline)
    };
    let completions = format!("{}/v1/chat/completions", gateway.url);
    let far = u64::MAX / 2;
    let body = serde_json::to_string(&sign(&user, model, fee(), 8, far)).unwrap();
    let (code, second) = post(&completions, body.clone()).await;
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&second));
    let (code, replay) = post(&completions, body).await;
    assert_eq!((code, error_code(&replay)), (409, "nonce_used".to_string()));

    // ---- bad requests: clear errors, nothing charged
    let prepaid = settlement.prepaid(user.address()).call().await.unwrap();
    let mut forged = sign(&carol, model, fee(), 9, far);
    forged.tributary.as_mut().unwrap().user = user.address();
    for (what, body, status, code) in [
        (
            "bad signature",
            serde_json::to_string(&forged).unwrap(),
            401,
            "invalid_signature",
        ),
        (
            "expired",
            serde_json::to_string(&sign(&user, model, fee(), 10, 1)).unwrap(),
            401,
            "request_expired",
        ),
        (
            "fee over max",
            serde_json::to_string(&sign(&user, model, fee() - U256::from(1), 11, far)).unwrap(),
            402,
            "fee_above_max",
        ),
        (
            "not prepaid",
            serde_json::to_string(&sign(&carol, model, fee(), 12, far)).unwrap(),
            402,
            "insufficient_prepaid",
        ),
        (
            "unknown model",
            serde_json::to_string(&sign(&user, 999, fee(), 13, far)).unwrap(),
            404,
            "model_not_found",
        ),
        (
            "malformed JSON",
            "{\"model\": ".to_string(),
            400,
            "invalid_json",
        ),
        (
            "wrong types",
            json!({"model": 1, "messages": "hi"}).to_string(),
            400,
            "invalid_json",
        ),
        (
            "no payment",
            json!({"model": "1", "messages": [{"role": "user", "content": "hi"}]}).to_string(),
            402,
            "payment_required",
        ),
    ] {
        let (got, body) = post(&completions, body).await;
        assert_eq!(
            (got, error_code(&body)),
            (status, code.to_string()),
            "{what}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    assert_eq!(
        settlement.prepaid(user.address()).call().await.unwrap(),
        prepaid
    );

    // Content whose hash is not a registered contribution is refused.
    let (code, body) = post(
        &format!("{}/v1/contributions", gateway.url),
        "nobody registered this text",
    )
    .await;
    assert_eq!(
        (code, error_code(&body)),
        (422, "content_not_registered".to_string())
    );
    // The pending (and the rejected) contribution cannot be credited: only the pending one's
    // words answer this, and it is not indexed; the contract would refuse it too.
    let stderr = cli
        .fails(
            &user,
            &[
                "query",
                "quarks gluons chromodynamics",
                "--model",
                &model.to_string(),
            ],
        )
        .await;
    assert!(stderr.contains("no_answer"), "{stderr}");
    let accepted = registry
        .acceptedContributors(vec![U256::from(c("quarks"))])
        .call()
        .await
        .unwrap();
    assert_eq!(accepted.contributors, [Address::ZERO]);
    // A model that did not authorise this gateway.
    let other = cli.register_model(&model_owner, datanet, "other").await;
    let stderr = cli
        .fails(&user, &["query", QUESTION, "--model", &other.to_string()])
        .await;
    assert!(stderr.contains("provider_not_authorised"), "{stderr}");

    // ---- earnings and claims: native OPEN, balances up by the claimed amounts minus the fees
    let out = cli.ok(&carol, &["earnings"]).await;
    assert_eq!(u256(&out["settlement_credits"]), U256::ZERO, "{out}");
    for (who, inference_credits, datanet_credits) in [
        (&alice, to_alice * U256::from(2), deposit),
        (&bob, to_bob * U256::from(2), deposit),
    ] {
        let out = cli.ok(who, &["earnings"]).await;
        assert_eq!(u256(&out["settlement_credits"]), inference_credits, "{out}");
        assert_eq!(u256(&out["registry_credits"]), datanet_credits, "{out}");
        let before = l2.get_balance(who.address()).await.unwrap();
        let out = cli.ok(who, &["claim"]).await;
        let total = u256(&out["total"]);
        assert_eq!(total, inference_credits + datanet_credits, "{out}");
        let mut cost = U256::ZERO;
        for claim in out["claims"].as_array().unwrap() {
            cost += tx_cost(&l2, claim["tx"].as_str().unwrap().parse::<B256>().unwrap()).await;
        }
        let after = l2.get_balance(who.address()).await.unwrap();
        assert_eq!(after, before + total - cost, "{out}");
        println!(
            "{} claimed {total} wei (paid {cost} wei in fees)",
            who.address()
        );
    }
    // The validator: the rejected deposit and its share of two inferences' validator parts.
    let out = cli.ok(&validator, &["earnings"]).await;
    let pending = &out["pending_rewards"][0];
    assert_eq!(pending["datanet_id"], datanet);
    assert_eq!(
        u256(&pending["amount"]),
        validator_share * U256::from(2),
        "{out}"
    );
    let out = cli.ok(&validator, &["claim"]).await;
    assert_eq!(
        u256(&out["total"]),
        deposit + validator_share * U256::from(2),
        "{out}"
    );
    let stderr = cli.fails(&validator, &["claim"]).await;
    assert!(stderr.contains("nothing to claim"), "{stderr}");
}
