"""The web app: server-rendered pages, each with a JSON twin at the same path plus ``.json``,
an OpenAPI description at ``/openapi.json``, and ``POST /api/ingest`` behind a token.

Page text is untrusted. Templates escape everything (Jinja autoescape); the only markup built in
Python (annotated text, charts, snippets) escapes its text itself. Every response carries a
strict Content-Security-Policy: scripts, styles and images from this host only, no inline
script, nothing framed, no form posting elsewhere. Nothing is loaded from a CDN (FastAPI's own
docs pages would be, so they are off).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from crosswire import __version__
from crosswire.serve import api, errors, views
from crosswire.serve.charts import land_svg
from crosswire.serve.settings import MAX_PER_PAGE, Settings
from crosswire.serve.stores import Stores
from crosswire.store.store import Store

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _json_href(request: Request) -> str:
    """The footer's link to the page's JSON twin."""
    # The path is what the client asked for: "//evil.example/x" (or "/\\evil…", or a tab,
    # which browsers read as a slash or drop) would link to another site. One leading slash,
    # the rest percent-encoded (escapes Starlette already made are kept).
    path = quote(request.url.path.lstrip("/\\"), safe="/%")
    query = request.url.query
    return f"/{path}.json" + (f"?{query}" if query else "")


def _store(request: Request) -> Store:
    stores: Stores = request.app.state.crosswire["stores"]
    return stores.get()


def _paging(
    request: Request,
    page: Annotated[int, Query(ge=1, description="Page number, from 1.")] = 1,
    per_page: Annotated[
        int | None, Query(ge=1, le=MAX_PER_PAGE, description="Items per page.")
    ] = None,
) -> views.Paging:
    settings: Settings = request.app.state.crosswire["settings"]
    return views.Paging(page, per_page or settings.per_page)


Db = Annotated[Store, Depends(_store)]
Pages = Annotated[views.Paging, Depends(_paging)]
Since = Annotated[
    str | None, Query(description="Stories with an article on or after (YYYY-MM-DD).")
]
Until = Annotated[
    str | None, Query(description="Stories with an article on or before (YYYY-MM-DD).")
]
Source = Annotated[str | None, Query(description="Stories a site published in.")]
Entity = Annotated[str | None, Query(description="Stories naming this corpus entity id.")]
Q = Annotated[str, Query(max_length=200, description="Words that must all match.")]


def create_app(settings: Settings) -> FastAPI:
    stores = Stores(settings.db)
    app_state = {"stores": stores, "settings": settings}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        yield
        stores.close()

    app = FastAPI(
        title="crosswire",
        version=__version__,
        description="Stories, claims, quotes and entities read from news pages.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.crosswire = app_state
    package = resources.files("crosswire.serve")
    templates = Jinja2Templates(directory=str(package.joinpath("templates")))
    templates.env.globals["version"] = __version__
    templates.env.globals["json_href"] = _json_href
    app.mount("/static", StaticFiles(directory=str(package.joinpath("static"))), name="static")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def render_error(request: Request, status: int, message: str) -> Response:
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    errors.install(app, render_error, _HEADERS)

    def html(request: Request, template: str, page: views.Page, **extra: Any) -> HTMLResponse:
        context = {"data": page.data, "drawn": page.drawn, **extra}
        return templates.TemplateResponse(request, template, context)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/stories")

    # JSON twins are declared before their pages: "/story/{id}" would also match "s1.json".
    @app.get("/stories.json", tags=["stories"], summary="Stories, largest first")
    def stories_json(
        db: Db,
        pages: Pages,
        since: Since = None,
        until: Until = None,
        source: Source = None,
        entity: Entity = None,
    ) -> dict[str, Any]:
        return views.stories_page(
            db, pages, since=since, until=until, source=source, entity=entity, suffix=".json"
        ).data

    @app.get("/stories", include_in_schema=False)
    def stories_html(
        request: Request,
        db: Db,
        pages: Pages,
        since: Since = None,
        until: Until = None,
        source: Source = None,
        entity: Entity = None,
    ) -> HTMLResponse:
        page = views.stories_page(db, pages, since=since, until=until, source=source, entity=entity)
        return html(request, "stories.html", page)

    @app.get("/story/{story_id}.json", tags=["stories"], summary="One story")
    def story_json(story_id: str, db: Db) -> dict[str, Any]:
        return views.story_page(db, story_id).data

    @app.get("/story/{story_id}", include_in_schema=False)
    def story_html(request: Request, story_id: str, db: Db) -> HTMLResponse:
        return html(request, "story.html", views.story_page(db, story_id))

    @app.get("/article/{article_id}.json", tags=["articles"], summary="One article")
    def article_json(
        article_id: str,
        db: Db,
        hl: Annotated[str | None, Query(description="START-END offsets to highlight.")] = None,
    ) -> dict[str, Any]:
        return views.article_page(db, article_id, hl).data

    @app.get("/article/{article_id}", include_in_schema=False)
    def article_html(
        request: Request, article_id: str, db: Db, hl: str | None = None
    ) -> HTMLResponse:
        return html(request, "article.html", views.article_page(db, article_id, hl))

    @app.get("/entity/{entity_id}.json", tags=["entities"], summary="One corpus entity")
    def entity_json(entity_id: str, db: Db) -> dict[str, Any]:
        return views.entity_page(db, entity_id).data

    @app.get("/entity/{entity_id}", include_in_schema=False)
    def entity_html(request: Request, entity_id: str, db: Db) -> HTMLResponse:
        return html(request, "entity.html", views.entity_page(db, entity_id))

    @app.get("/entities.json", tags=["entities"], summary="Corpus entities")
    def entities_json(db: Db, pages: Pages) -> dict[str, Any]:
        return views.entities_page(db, pages, suffix=".json").data

    @app.get("/entities", include_in_schema=False)
    def entities_html(request: Request, db: Db, pages: Pages) -> HTMLResponse:
        return html(request, "entities.html", views.entities_page(db, pages))

    @app.get("/search.json", tags=["search"], summary="Full-text search of articles and quotes")
    def search_json(db: Db, pages: Pages, q: Q = "") -> dict[str, Any]:
        return views.search_page(db, q, pages, suffix=".json").data

    @app.get("/search", include_in_schema=False)
    def search_html(request: Request, db: Db, pages: Pages, q: Q = "") -> HTMLResponse:
        return html(request, "search.html", views.search_page(db, q, pages))

    @app.get("/map/land.svg", include_in_schema=False)
    def land() -> Response:
        return Response(
            land_svg(),
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    api.install(app, settings, stores)
    return app
