"""The HTTP face of the fake: /bot<token>/<method> and /file/bot<token>/<path>."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .params import UploadedFile

if TYPE_CHECKING:
    from .server import FakeTelegram

_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


async def read_parameters(request: Request) -> dict[str, Any]:
    """Query string, then the body: form, multipart (files as UploadedFile) or JSON."""
    raw: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body.strip():
            data = json.loads(body)
            if isinstance(data, dict):
                raw.update(data)
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        async with request.form(max_part_size=64 * 1024 * 1024) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    content = await value.read()
                    mime = value.content_type
                    raw[name] = UploadedFile(name, value.filename, mime, content)
                else:
                    raw[name] = value
    return raw


def build_app(fake: FakeTelegram) -> Starlette:
    async def api(request: Request) -> Response:
        token = request.path_params["token"]
        method = request.path_params["method"]
        try:
            raw = await read_parameters(request)
        except ValueError:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: can't parse JSON"}
            return JSONResponse(body, status_code=400)
        status, body = await fake.handle(method, token, raw)
        return JSONResponse(body, status_code=status)

    async def download(request: Request) -> Response:
        if request.path_params["token"] != fake.token:
            return JSONResponse(_NOT_FOUND, status_code=404)
        stored = fake.files.by_path.get(request.path_params["path"])
        if stored is None:
            return JSONResponse(_NOT_FOUND, status_code=404)
        media_type = stored.mime_type or "application/octet-stream"
        return Response(stored.content, media_type=media_type)

    async def not_found(request: Request) -> Response:
        return JSONResponse(_NOT_FOUND, status_code=404)

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", api, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", download, methods=["GET"]),
            Route("/{rest:path}", not_found, methods=["GET", "POST"]),
        ]
    )
