"""Writing through the API: ``POST /api/ingest`` takes a URL to fetch or an uploaded page, and
stores, reads and connects it like ``crosswire ingest``. It needs the server's token
(``Authorization: Bearer TOKEN``); a server started without one accepts no writes.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool

from crosswire.ingest.fetcher import Fetched, Fetcher, Policy
from crosswire.pipeline import Options, ingest_documents
from crosswire.records import Article, Document, Failure
from crosswire.serve.errors import ApiError
from crosswire.serve.settings import Settings
from crosswire.serve.stores import Stores


def _authorise(settings: Settings, authorization: str | None) -> None:
    if not settings.token:
        raise ApiError(
            403, "writing is disabled: start the server with --token or $CROSSWIRE_TOKEN"
        )
    scheme, _, given = (authorization or "").partition(" ")
    # Compared as bytes: compare_digest raises on non-ASCII str (a 500, not a 401). Headers
    # arrive decoded as latin-1, so encoding back gives the bytes the client sent.
    sent = given.strip().encode("latin-1")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent, settings.token.encode()):
        raise ApiError(401, "a valid token is needed: Authorization: Bearer TOKEN")


def install(app: FastAPI, settings: Settings, stores: Stores) -> None:
    @app.post(
        "/api/ingest",
        tags=["write"],
        summary="Ingest a page by URL or upload",
        status_code=201,
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"url": {"type": "string", "format": "uri"}},
                            "required": ["url"],
                        }
                    },
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {"file": {"type": "string", "format": "binary"}},
                            "required": ["file"],
                        }
                    },
                }
            }
        },
    )
    async def ingest_page(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        """Fetch ``{"url": ...}`` (JSON) or take ``file`` (multipart), then extract, read,
        store and connect it. Gives the article id, whether it was new, and its story."""
        _authorise(settings, authorization)
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            try:
                body = await request.json()
            except ValueError as exc:
                raise ApiError(400, "the body is not valid JSON") from exc
            url = body.get("url") if isinstance(body, dict) else None
            if not isinstance(url, str) or not url:
                raise ApiError(400, 'give {"url": "https://..."}')
            doc: Document | Failure = await run_in_threadpool(_fetch, settings, url)
        elif ctype.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise ApiError(400, "attach the page as the form field 'file'")
            content = await upload.read(settings.max_bytes + 1)
            if len(content) > settings.max_bytes:
                raise ApiError(413, f"the page is larger than {settings.max_bytes} bytes")
            name = upload.filename or "upload"
            doc = Document(source=f"upload:{name}", content=content)
        else:
            raise ApiError(415, "send application/json with a url, or multipart/form-data")
        return await run_in_threadpool(_ingest, stores, settings, doc)


def _fetch(settings: Settings, url: str) -> Document | Failure:
    policy = Policy(
        timeout=settings.fetch_timeout,
        max_bytes=settings.max_bytes,
        allow_private=settings.allow_private,
        retries=1,
        delay=0.0,
    )
    with Fetcher(policy) as fetcher:
        result = fetcher.fetch(url)
    if isinstance(result, Fetched):
        if result.document is None:
            return Failure(url, f"HTTP {result.status} gave no page")
        return result.document
    return result


def _ingest(stores: Stores, settings: Settings, doc: Document | Failure) -> dict[str, Any]:
    from crosswire.connect.update import connect

    if isinstance(doc, Failure):
        raise ApiError(422, doc.error, "not_ingested")
    with stores.write:
        store = stores.get()
        results: list[Article | Failure] = []
        summary = ingest_documents(
            [doc],
            store,
            Options(read=True, max_bytes=settings.max_bytes),
            on_result=lambda result, _outcome: results.append(result),
        )
        (result,) = results
        if isinstance(result, Failure):
            raise ApiError(422, result.error, "not_ingested")
        connect(store, window=settings.window)
        return {
            "id": result.id,
            "new": summary.new == 1,
            "title": result.title,
            "story": store.connections.story_of(result.id),
            "href": f"/article/{result.id}",
        }
