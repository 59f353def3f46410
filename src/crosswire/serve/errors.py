"""One error shape for every error, mapped to HTTP in one place.

A JSON request (a path ending in ``.json``, or under ``/api/``) gets
``{"error": {"status": 404, "code": "not_found", "message": "…"}}``; a page gets the same words
in the site's error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    500: "internal",
    502: "bad_gateway",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "error")


def error_body(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    code = code or _CODES.get(status, "error")
    return {"error": {"status": status, "code": code, "message": message}}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.endswith(".json") or path.startswith("/api/")


def install(app: FastAPI, render_error: Any, headers: Mapping[str, str] | None = None) -> None:
    """Route every error through one shape; ``render_error(request, status, message)`` makes
    the HTML page. ``headers`` go on every error response: a crash's answer is made outside
    the app's middleware, which would otherwise add them."""

    def respond(request: Request, status: int, message: str, code: str | None = None) -> Response:
        response: Response
        if wants_json(request):
            response = JSONResponse(error_body(status, message, code), status_code=status)
        else:
            response = render_error(request, status, message)
        for name, value in (headers or {}).items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.status, exc.message, exc.code)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        return respond(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body"))
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return respond(request, 422, "; ".join(parts) or "invalid request")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        # The detail stays in the server log; the client learns only that it failed.
        return respond(request, 500, "internal error; see the server log")
