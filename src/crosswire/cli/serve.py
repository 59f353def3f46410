"""``crosswire serve``: the web pages and JSON API over a database."""

from __future__ import annotations

import click

from crosswire.cli.common import db_option, err, main, open_store, safe, window_option
from crosswire.serve.settings import ENV_TOKEN
from crosswire.store.db import redact

DEFAULT_PORT = 8765


@main.command(name="serve")
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Only this machine can connect unless you give another "
    "(0.0.0.0 for every interface).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option(
    "--token",
    envvar=ENV_TOKEN,
    default=None,
    help="Token that POST /api/ingest must carry (Authorization: Bearer TOKEN); also "
    f"${ENV_TOKEN}. Without one the server is read-only.",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let POST /api/ingest fetch URLs on private, loopback and link-local addresses.",
)
@window_option
def serve_cmd(
    db: str, host: str, port: int, token: str | None, allow_private: bool, window: int | None
) -> None:
    """Browse the stored stories, articles and entities in a web browser, with a JSON API.

    \b
    Pages: /stories (filters, search), /story/ID (timeline, claims and disagreements, who said
    what, places), /article/ID (text with names, quotes and numbers drawn on it), /entity/ID.
    Every page has a JSON twin: add .json to its path. The API is described at /openapi.json.

    \b
      crosswire serve --db news.db                     # http://127.0.0.1:8765
      CROSSWIRE_TOKEN=s3cret crosswire serve --db news.db
      curl -H 'Authorization: Bearer s3cret' -H 'Content-Type: application/json' \\
           -d '{"url": "https://example.org/news"}' http://127.0.0.1:8765/api/ingest
    """
    import uvicorn

    from crosswire.connect.update import ensure_connected
    from crosswire.serve.app import create_app
    from crosswire.serve.settings import Settings

    with open_store(db) as store:
        result = ensure_connected(store, window=window)
        if result is not None:
            err.print(f"connected {result.new} new articles into {result.stories} stories")
    app = create_app(Settings(db, token=token, allow_private=allow_private, window=window))
    shown = f"[{host}]" if ":" in host else host
    err.print(f"serving {safe(redact(db))} at [bold]http://{shown}:{port}/[/bold] (Ctrl-C to stop)")
    if not token:
        err.print("read-only: give --token to allow POST /api/ingest")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
