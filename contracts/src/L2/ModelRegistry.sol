// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DataNetRegistry} from "./DataNetRegistry.sol";

/// @custom:predeploy 0x4200000000000000000000000000000000000101
/// @title ModelRegistry
/// @notice Models and LoRA adapters, each linked to the DataNets it was trained on or retrieves from, with a fee
///         per inference, an owner and the inference providers the owner authorises (docs/attribution.md).
///
///         - Anyone registers a model and becomes its owner. `parentModelId == 0` registers a base model; a
///           non-zero parent registers a LoRA adapter of that (active) model.
///         - The owner updates the fee, the linked DataNets and the metadata, authorises providers, and may
///           retire the model for good. Only active models settle inferences.
///         - The owner is always an authorised provider of its own models.
///         - No governance: the registry has no owner and no parameters.
contract ModelRegistry {
    /// @notice A model or adapter. The first slot (owner, parentModelId, active) is what settlement reads.
    /// @param owner           Registrant; receives the model-owner share of every fee.
    /// @param parentModelId   0 for a base model, else the model this LoRA adapter extends.
    /// @param active          False once retired.
    /// @param feePerInference Wei charged per settled inference.
    /// @param artifactHash    Hash of the weights (or adapter) artifact.
    /// @param metadataURI     Off-chain metadata (model card).
    /// @param datanetIds      The linked DataNets.
    struct Model {
        address owner;
        uint64 parentModelId;
        bool active;
        uint256 feePerInference;
        bytes32 artifactHash;
        string metadataURI;
        uint256[] datanetIds;
    }

    /// @notice Semantic version.
    /// @custom:semver 1.0.0-beta.1
    string public constant version = "1.0.0-beta.1";

    /// @notice Most DataNets one model may link.
    uint256 public constant MAX_DATANETS = 16;

    /// @notice The DataNet registry linked DataNets are checked against.
    DataNetRegistry public immutable datanetRegistry;

    /// @notice Number of models (ids are 1..modelCount).
    uint256 public modelCount;

    /// @notice Whether a DataNet is linked to a model.
    mapping(uint256 modelId => mapping(uint256 datanetId => bool)) public isLinked;

    mapping(uint256 => Model) internal _models;
    mapping(uint256 => mapping(address => bool)) internal _providers;

    /// @notice A model was registered.
    /// @param modelId         Its id.
    /// @param owner           Its owner (the registrant).
    /// @param parentModelId   0 for a base model, else the parent of this adapter.
    /// @param artifactHash    Artifact hash.
    /// @param feePerInference Fee per inference.
    /// @param datanetIds      Linked DataNets.
    /// @param metadataURI     Metadata URI.
    event ModelRegistered(
        uint256 indexed modelId,
        address indexed owner,
        uint256 indexed parentModelId,
        bytes32 artifactHash,
        uint256 feePerInference,
        uint256[] datanetIds,
        string metadataURI
    );

    /// @notice A model's owner updated it.
    /// @param modelId         The model.
    /// @param feePerInference The new fee.
    /// @param datanetIds      The new linked DataNets (replacing the old ones).
    /// @param metadataURI     The new metadata URI.
    event ModelUpdated(uint256 indexed modelId, uint256 feePerInference, uint256[] datanetIds, string metadataURI);

    /// @notice A provider was authorised or deauthorised.
    /// @param modelId    The model.
    /// @param provider   The provider.
    /// @param authorised Its new state.
    event ProviderSet(uint256 indexed modelId, address indexed provider, bool authorised);

    /// @notice A model was retired.
    /// @param modelId The model.
    event ModelRetired(uint256 indexed modelId);

    /// @notice An address argument is zero.
    error ZeroAddress();
    /// @notice The artifact hash is zero.
    error ZeroArtifactHash();
    /// @notice No model with this id.
    /// @param modelId The id.
    error ModelNotFound(uint256 modelId);
    /// @notice The model is retired.
    /// @param modelId The model.
    error ModelNotActive(uint256 modelId);
    /// @notice The caller does not own the model.
    /// @param modelId The model.
    /// @param caller  The caller.
    error NotModelOwner(uint256 modelId, address caller);
    /// @notice The parent model does not exist or is retired.
    /// @param parentModelId The parent.
    error InvalidParent(uint256 parentModelId);
    /// @notice More than MAX_DATANETS DataNets.
    /// @param count The count given.
    /// @param max   MAX_DATANETS.
    error TooManyDataNets(uint256 count, uint256 max);
    /// @notice A linked DataNet does not exist.
    /// @param datanetId The id.
    error DataNetNotFound(uint256 datanetId);
    /// @notice A DataNet appears twice in the list.
    /// @param datanetId The id.
    error DuplicateDataNet(uint256 datanetId);

    /// @notice Deploys the registry (a predeploy at genesis).
    /// @param datanetRegistry_ The DataNet registry.
    constructor(DataNetRegistry datanetRegistry_) {
        if (address(datanetRegistry_) == address(0)) revert ZeroAddress();
        datanetRegistry = datanetRegistry_;
    }

    /// @notice Registers a model or adapter owned by the caller.
    /// @param artifactHash    Hash of the artifact (non-zero).
    /// @param parentModelId   0 for a base model; else an existing, active model this LoRA adapter extends.
    /// @param datanetIds      Linked DataNets: existing, distinct, at most MAX_DATANETS (may be empty).
    /// @param feePerInference Wei per inference (may be zero).
    /// @param metadataURI     Metadata URI.
    /// @return modelId The new model's id (from 1).
    function registerModel(
        bytes32 artifactHash,
        uint256 parentModelId,
        uint256[] calldata datanetIds,
        uint256 feePerInference,
        string calldata metadataURI
    ) external returns (uint256 modelId) {
        if (artifactHash == bytes32(0)) revert ZeroArtifactHash();
        if (parentModelId != 0 && !_models[parentModelId].active) revert InvalidParent(parentModelId);
        modelId = ++modelCount;
        Model storage m = _models[modelId];
        m.owner = msg.sender;
        // forge-lint: disable-next-line(unsafe-typecast)
        m.parentModelId = uint64(parentModelId); // an existing id, <= modelCount
        m.active = true;
        m.feePerInference = feePerInference;
        m.artifactHash = artifactHash;
        m.metadataURI = metadataURI;
        _link(modelId, m, datanetIds);
        emit ModelRegistered(modelId, msg.sender, parentModelId, artifactHash, feePerInference, datanetIds, metadataURI);
    }

    /// @notice Replaces an active model's fee, linked DataNets and metadata. Owner only.
    /// @param modelId         The model.
    /// @param feePerInference The new fee (applies to the next settlement).
    /// @param datanetIds      The new linked DataNets (same rules as registerModel).
    /// @param metadataURI     The new metadata URI.
    function updateModel(
        uint256 modelId,
        uint256 feePerInference,
        uint256[] calldata datanetIds,
        string calldata metadataURI
    ) external {
        Model storage m = _owned(modelId);
        if (!m.active) revert ModelNotActive(modelId);
        uint256[] storage old = m.datanetIds;
        for (uint256 i = 0; i < old.length; ++i) {
            delete isLinked[modelId][old[i]];
        }
        delete m.datanetIds;
        _link(modelId, m, datanetIds);
        m.feePerInference = feePerInference;
        m.metadataURI = metadataURI;
        emit ModelUpdated(modelId, feePerInference, datanetIds, metadataURI);
    }

    /// @notice Authorises or deauthorises an inference provider of a model. Owner only.
    /// @param modelId    The model.
    /// @param provider   The provider (non-zero).
    /// @param authorised True to authorise.
    function setProvider(uint256 modelId, address provider, bool authorised) external {
        _owned(modelId);
        if (provider == address(0)) revert ZeroAddress();
        _providers[modelId][provider] = authorised;
        emit ProviderSet(modelId, provider, authorised);
    }

    /// @notice Retires a model for good: it settles no more inferences and cannot be a new adapter's parent.
    ///         Owner only.
    /// @param modelId The model (active).
    function retireModel(uint256 modelId) external {
        Model storage m = _owned(modelId);
        if (!m.active) revert ModelNotActive(modelId);
        m.active = false;
        emit ModelRetired(modelId);
    }

    // ---------------------------------------------------------------- views

    /// @notice A model; reverts with ModelNotFound when it does not exist.
    /// @param modelId The model.
    /// @return The model.
    function model(uint256 modelId) external view returns (Model memory) {
        return _model(modelId);
    }

    /// @notice Whether an account may settle inferences of a model: its owner or an authorised provider.
    /// @param modelId  The model.
    /// @param provider The account.
    /// @return True when authorised (regardless of the model being active).
    function isProvider(uint256 modelId, address provider) public view returns (bool) {
        address owner = _models[modelId].owner;
        return owner != address(0) && (provider == owner || _providers[modelId][provider]);
    }

    /// @notice The DataNets linked to a model.
    /// @param modelId The model.
    /// @return The DataNet ids, in registration order.
    function linkedDataNets(uint256 modelId) external view returns (uint256[] memory) {
        return _model(modelId).datanetIds;
    }

    /// @notice What settlement needs about a model, in one call.
    /// @param modelId  The model.
    /// @param provider The account settling.
    /// @return owner           The owner (address(0) when the model does not exist).
    /// @return feePerInference The fee.
    /// @return active          Whether the model is active.
    /// @return authorised      isProvider(modelId, provider).
    function settlementTerms(uint256 modelId, address provider)
        external
        view
        returns (address owner, uint256 feePerInference, bool active, bool authorised)
    {
        Model storage m = _models[modelId];
        owner = m.owner;
        active = m.active;
        feePerInference = m.feePerInference;
        authorised = owner != address(0) && (provider == owner || _providers[modelId][provider]);
    }

    // ---------------------------------------------------------------- internals

    function _model(uint256 modelId) internal view returns (Model storage m) {
        m = _models[modelId];
        if (m.owner == address(0)) revert ModelNotFound(modelId);
    }

    function _owned(uint256 modelId) internal view returns (Model storage m) {
        m = _model(modelId);
        if (msg.sender != m.owner) revert NotModelOwner(modelId, msg.sender);
    }

    function _link(uint256 modelId, Model storage m, uint256[] calldata datanetIds) internal {
        uint256 n = datanetIds.length;
        if (n > MAX_DATANETS) revert TooManyDataNets(n, MAX_DATANETS);
        for (uint256 i = 0; i < n; ++i) {
            uint256 datanetId = datanetIds[i];
            if (!datanetRegistry.datanetExists(datanetId)) revert DataNetNotFound(datanetId);
            if (isLinked[modelId][datanetId]) revert DuplicateDataNet(datanetId);
            isLinked[modelId][datanetId] = true;
            m.datanetIds.push(datanetId);
        }
    }
}
