"""The Bot API's HTTP interface: method dispatch, parameter decoding in every encoding, file
downloads and error answers."""

from __future__ import annotations

import inspect
import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from demo.telegram.limits import ApiError
from demo.telegram.params import Params
from demo.telegram.records import ApiCall, Described, Upload


def _error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.payload(), status_code=error.code)


class HttpInterface:
    """Starlette endpoints; the method table itself is built by ``StandIn.__init__``."""

    async def _handle_method(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        found = self._methods.get(request.path_params["method"].lower())
        if found is None:
            return _error_response(ApiError(404, "Not Found"))
        name, handler = found
        try:
            params = await self._read_params(request)
            self._calls.append(ApiCall(name, dict(params.values), tuple(sorted(params.files))))
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            if error.code == 429:
                self.rate_limited_count += 1
            return _error_response(error)
        if isinstance(result, Described):
            return JSONResponse(
                {"ok": True, "result": result.value, "description": result.description}
            )
        return JSONResponse({"ok": True, "result": result})

    async def _read_params(self, request: Request) -> Params:
        values: dict[str, Any] = dict(request.query_params)
        files: dict[str, Upload] = {}
        if request.method != "POST":
            return Params(values, files)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/json":
            body = await request.body()
            if body.strip():
                try:
                    decoded = json.loads(body)
                except ValueError:
                    decoded = None
                if not isinstance(decoded, dict):
                    raise ApiError.bad_request("can't parse JSON encoded request parameters")
                values.update(decoded)
        elif content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
            async with request.form() as form:
                for key, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        data = await value.read()
                        if len(data) > self.limits.max_upload_bytes:
                            raise ApiError(413, "Request Entity Too Large")
                        files[key] = Upload(data, value.filename, value.content_type)
                    else:
                        values[key] = value
        return Params(values, files)

    async def _handle_file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self._files_by_path.get(request.path_params["file_path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return Response(stored.data, media_type=stored.mime_type or "application/octet-stream")

    async def _handle_http_exception(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return _error_response(ApiError(status, "Not Found" if status == 404 else str(exc)))
