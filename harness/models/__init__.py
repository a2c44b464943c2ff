"""Models by name: the registry, provenance, the embedded model, vLLM serving and the chat client."""

from codefront.harness.models.client import ChatClient, Completion, RetryPolicy, ToolCall, open_model
from codefront.harness.models.embedded import ensure_smollm2
from codefront.harness.models.errors import (
    CheckpointMissingError,
    EndpointError,
    MissingApiKeyError,
    ModelConfigError,
    ModelError,
    ServeError,
    UnknownModelError,
)
from codefront.harness.models.provenance import (
    Lineage,
    ModelIdentity,
    checkpoint_identity,
    endpoint_identity,
    weights_hash,
)
from codefront.harness.models.registry import Registry, load_registry, register_local_checkpoint
from codefront.harness.models.serve import ServerInfo, serving
from codefront.harness.models.spec import ModelSpec

__all__ = [
    "ChatClient",
    "CheckpointMissingError",
    "Completion",
    "EndpointError",
    "Lineage",
    "MissingApiKeyError",
    "ModelConfigError",
    "ModelError",
    "ModelIdentity",
    "ModelSpec",
    "Registry",
    "RetryPolicy",
    "ServeError",
    "ServerInfo",
    "ToolCall",
    "UnknownModelError",
    "checkpoint_identity",
    "endpoint_identity",
    "ensure_smollm2",
    "load_registry",
    "open_model",
    "register_local_checkpoint",
    "serving",
    "weights_hash",
]
