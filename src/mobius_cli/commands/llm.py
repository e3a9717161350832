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


def status(app: AppContext, *, probe: bool = True) -> dict[str, Any]:
    """Endpoint, model, where the key comes from, and (probing) whether tools work."""
    from mobius_cli.providers.urls import mask_url
    from mobius_cli.secrets import secret_source

    url, model = app.settings.get("llm_url"), app.settings.get("llm_model")
    info: dict[str, Any] = {"configured": bool(url and model),
                            "base_url": mask_url(url) if url else None,
                            "model": model or None, "key": secret_source("llm"),
                            "tools": None, "error": None}
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
        model: Annotated[str | None, typer.Option("--model", "-m",
                                                  help="The model (default: the preset's).")]
        = None,
        url: Annotated[str | None, typer.Option("--url", help="Another base URL.")] = None,
        ) -> None:
    """Point Mobius at an endpoint: writes llm_url and llm_model to config.toml.

    Examples: `mobius llm use ollama`, `mobius llm use groq -m llama-3.1-8b-instant`,
    `mobius llm use vllm --url http://gpu-box:8000/v1 -m qwen2.5`.
    """
    from mobius_cli.errors import UsageError
    from mobius_cli.providers.llm import PRESETS
    from mobius_cli.secrets import secret_source
    from mobius_cli.settings import Paths, parse_value, read_raw_config, write_config

    name = preset.strip().lower()
    if name not in PRESETS:
        raise UsageError(f"unknown preset {preset!r}", hint="one of " + ", ".join(PRESETS))
    base, default_model, needs_key = PRESETS[name]
    values = {"llm_url": parse_value("llm_url", url or base),
              "llm_model": parse_value("llm_model", model or default_model)}
    path = Paths.resolve().config_file
    config = read_raw_config(path)
    config.update(values)
    write_config(path, config)
    typer.echo(f"LLM: {values['llm_model']} at {values['llm_url']}", err=True)
    if needs_key and secret_source("llm") is None:
        typer.echo("next: store its API key with `mobius keys set llm` "
                   "(or export OPENAI_API_KEY)", err=True)


@llm_app.command("models")
def models(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List the models the configured endpoint offers.

    Example: `mobius llm models --json`.
    """
    from mobius_cli.errors import UsageError
    from mobius_cli.render.output import emit, new_table

    app = app_context(ctx, json=json)
    if app.llm is None:
        raise UsageError("no LLM is configured", hint="e.g. `mobius llm use ollama`")
    with app.spinner("Asking the endpoint…"):
        names = app.llm.models()

    def table() -> Any:
        view = new_table(f"Models at {app.llm.base_url}", "Model", "In use")
        for name in names:
            view.add_row(name, "✓" if name == app.llm.model else "")
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
