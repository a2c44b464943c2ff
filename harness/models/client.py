"""ChatClient: one chat call against any registered model, with retries, a concurrency bound and a
per-request timeout; `open_model` resolves a name and serves a local checkpoint for the duration."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import openai
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from codefront.harness.models.errors import EndpointError
from codefront.harness.models.provenance import ModelIdentity, checkpoint_identity, endpoint_identity
from codefront.harness.models.registry import Registry, load_registry
from codefront.harness.models.serve import serving
from codefront.harness.models.spec import ModelSpec

DEFAULT_TIMEOUT_S = 600.0
TRANSPORT_ERRORS = (openai.APIError, httpx.HTTPError, TimeoutError, OSError)


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments_json: str


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    """Time of the request that answered, not counting failed attempts and backoff."""
    cost_usd: float | None
    tool_calls: tuple[ToolCall, ...]
    model: str
    """The model id the endpoint reported (providers may name a dated version)."""
    attempts: int = 1


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    initial_s: float = 1.0
    max_s: float = 60.0
    jitter_s: float = 1.0


def is_retryable(error: BaseException) -> bool:
    """Rate limits, server errors, timeouts and dropped connections; never other 4xx."""
    if isinstance(error, openai.APIConnectionError | httpx.TransportError | TimeoutError | ConnectionError):
        return True
    status = getattr(error, "status_code", None)
    return isinstance(status, int) and (status in (408, 429) or status >= 500)


class ChatClient:
    def __init__(
        self,
        spec: ModelSpec,
        *,
        base_url: str | None = None,
        model: str | None = None,
        semaphore: asyncio.Semaphore | None = None,
        max_concurrency: int | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        retry: RetryPolicy = RetryPolicy(),
        identity: ModelIdentity | None = None,
    ) -> None:
        """`base_url`/`model` default to the spec's (a served checkpoint passes its server's);
        `max_concurrency` bounds all calls through this client, by default the model's own
        (`ModelSpec.request_concurrency`), whatever runs share it."""
        self.spec = spec
        self.model = model or spec.model or spec.name
        self.identity = identity
        self.timeout_s = timeout_s
        self.retry = retry
        self.semaphore = semaphore or asyncio.Semaphore(max_concurrency or spec.request_concurrency)
        self._api_key = spec.api_key()
        self._openai: openai.AsyncOpenAI | None = None
        self.base_url: str | None = None
        if spec.kind == "checkpoint" and base_url is None:
            raise ValueError(
                f"model {spec.name!r} is a local checkpoint: open it with open_model() to serve it"
            )
        if spec.kind != "litellm":
            url = self.base_url = base_url or spec.where
            # tenacity is the only retry layer, so the SDK's own retries are off.
            self._openai = openai.AsyncOpenAI(
                base_url=url, api_key=self._api_key or "none", max_retries=0, timeout=timeout_s
            )
            self._create_params = set(inspect.signature(self._openai.chat.completions.create).parameters)

    async def chat(
        self, messages: list[dict], tools: list[dict] | None = None, **overrides: Any
    ) -> Completion:
        """One completion. Raises EndpointError once retries are spent or the endpoint refuses the request."""
        request = self._request(messages, tools, overrides)
        attempts = 0

        async def once() -> Completion:
            nonlocal attempts
            attempts += 1
            return await self._attempt(request, attempts)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retry.max_attempts),
            wait=wait_exponential_jitter(
                multiplier=self.retry.initial_s, max=self.retry.max_s, jitter=self.retry.jitter_s
            ),
            retry=retry_if_exception(is_retryable),
            reraise=True,
        )
        try:
            return await retrying(once)
        except TRANSPORT_ERRORS as e:
            raise EndpointError(
                f"{self.spec.name}: {_describe(e)} (after {attempts} attempt{'s' * (attempts > 1)})",
                status_code=getattr(e, "status_code", None),
                attempts=attempts,
            ) from e

    async def aclose(self) -> None:
        if self._openai is not None:
            await self._openai.close()

    def _request(
        self, messages: list[dict], tools: list[dict] | None, overrides: dict[str, Any]
    ) -> dict[str, Any]:
        if tools and self.spec.tool_protocol != "native":
            raise ValueError(
                f"model {self.spec.name!r} uses tool_protocol text: describe the tools in the prompt"
            )
        if self.spec.system_prompt and (not messages or messages[0].get("role") != "system"):
            messages = [{"role": "system", "content": self.spec.system_prompt}, *messages]
        request: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            **self.spec.sampling(),
            **overrides,
        }
        if tools:
            request["tools"] = tools
        return request

    async def _attempt(self, request: dict[str, Any], attempt: int) -> Completion:
        async with self.semaphore:
            start = time.monotonic()
            async with asyncio.timeout(self.timeout_s):
                response = await self._send(request)
            latency = time.monotonic() - start
        return _completion(response, latency, self._cost(response), attempt)

    async def _send(self, request: dict[str, Any]) -> Any:
        if self._openai is None:
            # Without this litellm fetches its price list from the network on import.
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            import litellm

            # drop_params: a provider that takes no `seed` (or other setting) gets the request without it.
            return await litellm.acompletion(
                **request,
                api_key=self._api_key,
                timeout=self.timeout_s,
                num_retries=0,
                max_retries=0,
                drop_params=True,
            )
        # Parameters the SDK does not name (vLLM's top_k, min_p...) travel in the body as they are.
        known = {k: v for k, v in request.items() if k in self._create_params}
        extra = {k: v for k, v in request.items() if k not in self._create_params}
        if extra:
            known["extra_body"] = {**known.get("extra_body", {}), **extra}
        return await self._openai.chat.completions.create(**known)

    def _cost(self, response: Any) -> float | None:
        if self._openai is not None:
            return None
        cost = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
        return float(cost) if cost is not None else None


def _completion(response: Any, latency_s: float, cost_usd: float | None, attempts: int) -> Completion:
    if not response.choices:
        raise EndpointError("the endpoint returned no choices")
    choice = response.choices[0]
    message = choice.message
    calls = tuple(
        ToolCall(id=c.id or "", name=c.function.name, arguments_json=c.function.arguments or "{}")
        for c in (message.tool_calls or ())
    )
    usage = response.usage
    return Completion(
        text=message.content or "",
        finish_reason=choice.finish_reason,
        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        latency_s=latency_s,
        cost_usd=cost_usd,
        tool_calls=calls,
        model=response.model or "",
        attempts=attempts,
    )


def _describe(error: BaseException) -> str:
    status = getattr(error, "status_code", None)
    text = str(error).splitlines()[0][:300] if str(error) else type(error).__name__
    return f"HTTP {status}: {text}" if status else f"{type(error).__name__}: {text}"


@contextlib.asynccontextmanager
async def open_model(
    name: str, registry: Registry | None = None, **options: Any
) -> AsyncIterator[ChatClient]:
    """A client for a registered model; a local checkpoint is served (or its running server reused)
    until the block ends. `options` go to ChatClient (semaphore, timeout_s, retry...)."""
    spec = (registry or load_registry()).get(name)
    async with contextlib.AsyncExitStack() as stack:
        if spec.kind == "checkpoint":
            server = await stack.enter_async_context(serving(spec))
            identity = await asyncio.to_thread(checkpoint_identity, spec, Path(server.checkpoint))
            if server.dtype:  # chosen for this machine's CPU, so not in models.yaml's vllm_args
                identity = replace(identity, dtype=server.dtype)
            client = ChatClient(
                spec, base_url=server.base_url, model=server.served_name, identity=identity, **options
            )
        else:
            identity = await endpoint_identity(spec)
            client = ChatClient(spec, identity=identity, **options)
        stack.push_async_callback(client.aclose)
        yield client
