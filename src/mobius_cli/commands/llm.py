"""`mobius llm`: choose an OpenAI-compatible endpoint and model, and see what it offers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobius_cli.commands._common import JsonOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext

llm_app = typer.Typer(
    help="The optional LLM: any OpenAI-compatible endpoint (OpenAI, Groq, OpenRouter, Ollama, "
    "LM Studio, vLLM). Mobius works without one.\n\n"
    "Examples: `mobius llm use ollama --model llama3.1`, `mobius keys set llm`, "
    "`mobius llm status`.",
    no_args_is_help=True)


NO_MODEL = "no model set: `mobius config set llm_model NAME` (see `mobius llm models`)"


def status(app: AppContext, *, probe: bool = True) -> dict[str, Any]:
    """Endpoint, model, where the key comes from, and (probing) whether tools work."""
    from mobius_cli.providers.urls import mask_url
    from mobius_cli.secrets import secret_source

    url, model = app.settings.get("llm_url"), app.settings.get("llm_model")
    info: dict[str, Any] = {"configured": bool(url and model),
                            "base_url": mask_url(url) if url else None,
                            "model": model or None, "key": secret_source("llm"),
                            "tools": None, "error": None}
    if url and not model:
        info["error"] = NO_MODEL
    client = app.llm
    if probe and client is not None:
        from mobius_cli.errors import MobiusError

        try:
            info["tools"] = client.supports_tools()
        except MobiusError as exc:
            info["error"] = exc.message
    return info


@llm_app.command("use")
def use(ctx: typer.Context,
        preset: Annotated[str, typer.Argument(
            metavar="PRESET", help="openai, groq, openrouter, ollama, lmstudio or vllm.")],
        model: Annotated[str | None, typer.Option(
            "--model", "-m", help="The model (default: the preset's; vllm and lmstudio: the "
            "one model the server lists).")] = None,
        url: Annotated[str | None, typer.Option("--url", help="Another base URL.")] = None,
        ) -> None:
    """Point Mobius at an endpoint: writes llm_url and llm_model to config.toml.

    Examples: `mobius llm use ollama`, `mobius llm use groq -m llama-3.1-8b-instant`,
    `mobius llm use vllm --url http://gpu-box:8000/v1` (the model it serves).
    Without -m, vllm and lmstudio take the one model the server lists; when it lists
    several or cannot be reached, no model is set: `mobius config set llm_model NAME`.
    """
    from mobius_cli.errors import UsageError
    from mobius_cli.providers.llm import PRESETS
    from mobius_cli.secrets import secret_source
    from mobius_cli.settings import Paths, parse_value, read_raw_config, write_config

    name = preset.strip().lower()
    if name not in PRESETS:
        raise UsageError(f"unknown preset {preset!r}", hint="one of " + ", ".join(PRESETS))
    base, default_model, needs_key = PRESETS[name]
    endpoint = parse_value("llm_url", url or base)
    chosen, why = model or default_model, ""
    if not chosen:  # vLLM, LM Studio: the model the server offers, when it lists one
        chosen, why = _served_model(endpoint)
    path = Paths.resolve().config_file
    config = read_raw_config(path)
    config["llm_url"] = endpoint
    if chosen:
        config["llm_model"] = parse_value("llm_model", chosen)
    else:
        config.pop("llm_model", None)
    write_config(path, config)
    if chosen:
        typer.echo(f"LLM: {chosen} at {endpoint}{why}", err=True)
    else:
        typer.echo(f"LLM: {endpoint}, {NO_MODEL}{why}", err=True)
    if needs_key and secret_source("llm") is None:
        typer.echo("next: store its API key with `mobius keys set llm` "
                   "(or export OPENAI_API_KEY)", err=True)


def _served_model(url: str) -> tuple[str | None, str]:
    """The endpoint's model when it lists exactly one (else None), and a note saying why."""
    from mobius_cli.errors import MobiusError
    from mobius_cli.providers.llm import LlmClient
    from mobius_cli.secrets import get_secret

    try:
        names = LlmClient(url, "", get_secret("llm"), timeout=5.0).models()
    except MobiusError as exc:
        return None, f" (could not list its models: {exc.message})"
    if len(names) == 1:
        return names[0], " (the one model it serves)"
    if not names:
        return None, " (it lists no models)"
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return None, f" (it offers {len(names)}: {shown})"


def _client(app: AppContext) -> Any:
    """The configured client, or one without a model when only the endpoint is set."""
    if app.llm is not None:
        return app.llm
    url = app.settings.get("llm_url")
    if not url:
        return None
    from mobius_cli.providers.llm import LlmClient
    from mobius_cli.secrets import get_secret

    return LlmClient(url, "", get_secret("llm"), timeout=app.settings.get("timeout"),
                     max_retry_wait=app.settings.get("max_retry_wait"))


@llm_app.command("models")
def models(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List the models the configured endpoint offers.

    Example: `mobius llm models --json`.
    """
    from mobius_cli.errors import UsageError
    from mobius_cli.render.output import emit, new_table

    app = app_context(ctx, json=json)
    client = _client(app)
    if client is None:
        raise UsageError("no LLM is configured", hint="e.g. `mobius llm use ollama`")
    with app.spinner("Asking the endpoint…"):
        names = client.models()

    def table() -> Any:
        view = new_table(f"Models at {client.base_url}", "Model", "In use")
        for name in names:
            view.add_row(name, "✓" if name == client.model else "")
        if not client.model:
            view.caption = NO_MODEL
        return view

    emit(app, names, table)


@llm_app.command("status")
def show_status(ctx: typer.Context, json: JsonOpt = False) -> None:
    """The endpoint, the model, where its key comes from, and whether it takes tools.

    Example: `mobius llm status`.
    """
    from mobius_cli.render.output import emit, new_table

    app = app_context(ctx, json=json)
    with app.spinner("Checking the endpoint…"):
        info = status(app)

    def table() -> Any:
        view = new_table("LLM", "Field", "Value")
        tools = {True: "yes", False: "no (JSON mode, then the rules)", None: "unknown"}
        rows = [("endpoint", info["base_url"] or "not configured"),
                ("model", info["model"] or "-"), ("key", info["key"] or "none"),
                ("tools", tools[info["tools"]])]
        if info["error"]:
            rows.append(("error", info["error"]))
        for row in rows:
            view.add_row(*row)
        return view

    emit(app, info, table)
