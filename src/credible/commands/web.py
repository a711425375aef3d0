"""`credible user`, `credible token` and `credible serve`: the web application's
accounts and server."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from credible.commands._common import app, console, context, err_console

user_app = typer.Typer(help="Accounts of the web application: add, list, disable.")
token_app = typer.Typer(help="API tokens for scripts (Authorization: Bearer TOKEN).")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return str(password)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    role: Annotated[
        str,
        typer.Option(
            help="admin, analyst, reviewer or viewer (viewer sees no witness or contact)."
        ),
    ],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
) -> None:
    """Add a user (the password is hashed with argon2id; the change is audited)."""
    from credible.accounts import add_user
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="user add")
    password = _read_password(password_stdin)
    add_user(store, settings.actor, name, role, password)
    console.print(f"user {name} added with the role {role}")


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """List the users, their roles and whether they are active."""
    from rich.table import Table

    from credible.accounts import list_users
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="user list")
    table = Table("name", "role", "active", "since")
    for u in list_users(store):
        table.add_row(u.name, u.role, "no" if u.disabled else "yes", u.created_at)
    console.print(table)


@user_app.command("disable")
def user_disable(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The user to disable.")]
) -> None:
    """Disable a user: their sessions and tokens stop working at once (audited)."""
    from credible.accounts import disable_user
    from credible.store import open_store

    settings = context(ctx).settings()
    disable_user(open_store(settings, label="user disable"), settings.actor, name)
    console.print(f"user {name} disabled")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
) -> None:
    """Create an API token for a user. It is printed once, alone on the last line; only
    its hash is stored."""
    from credible.accounts import create_token
    from credible.store import open_store

    settings = context(ctx).settings()
    token = create_token(open_store(settings, label="token create"), settings.actor, name, label)
    err_console.print(f"API token for {name} (shown once; keep it secret):")
    print(token)


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
) -> None:
    """List API tokens (never the tokens themselves)."""
    from rich.table import Table

    from credible.accounts import list_tokens
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="token list")
    table = Table("id", "user", "label", "created", "revoked")
    for t in list_tokens(store, name):
        table.add_row(str(t.id), t.user, t.label or "", t.created_at, t.revoked_at or "")
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context, token_id: Annotated[int, typer.Argument(help="The token's id.")]
) -> None:
    """Revoke an API token (audited)."""
    from credible.accounts import revoke_token
    from credible.store import open_store

    settings = context(ctx).settings()
    revoke_token(open_store(settings, label="token revoke"), settings.actor, token_id)
    console.print(f"token {token_id} revoked")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (PostgreSQL for more than 1).")
    ] = 1,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies/--no-secure-cookies",
            help="Mark cookies Secure and send HSTS: on behind an HTTPS proxy.",
        ),
    ] = False,
    max_upload_mb: Annotated[int, typer.Option(help="Largest upload accepted, in MB.")] = 200,
) -> None:
    """Run the web application (pages and the JSON API under /api/v1) on the store."""
    import os

    import uvicorn

    from credible.errors import ConfigError
    from credible.store import open_store

    settings = context(ctx).settings()
    if workers < 1 or not 0 < port < 65536:
        raise ConfigError("--workers must be 1 or more and --port between 1 and 65535")
    store = open_store(settings, label="serve")  # a wrong store or key fails here, once
    try:
        # A name index behind the rows or written under older naming rules is brought up
        # to date here, before the first request, not inside it.
        from credible.search import refresh_name_index

        written = refresh_name_index(store, settings.actor)
        if written:
            console.print(f"search index: names of {written:,} records written again")
    finally:
        store.close()
    # The worker processes build the app from these (uvicorn's factory mode).
    os.environ["CREDIBLE_DB"] = settings.db_url
    os.environ["CREDIBLE_ACTOR"] = settings.actor
    os.environ["CREDIBLE_WEB_SECURE_COOKIES"] = "1" if secure_cookies else "0"
    os.environ["CREDIBLE_WEB_MAX_UPLOAD_MB"] = str(max_upload_mb)
    console.print(f"serving {settings.db_url.split('@')[-1]} on http://{host}:{port}")
    uvicorn.run(
        "credible.web:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        log_level="warning",
    )
