"""The OpenAPI document as the server really behaves: hand-parsed request bodies, this server's limits,
"exactly one of text or texts", and links from a created job to its status (schemathesis reads them)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from tomtat.service.settings import Settings

REF = "#/components/schemas/{model}"
_EXTRA_COMPONENTS: dict[str, Any] = {}  # models named only in hand-written request bodies
TEXTS_REQUESTS = ("TextsRequest", "SummarizeRequest", "TranslateRequest")


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """A ``$ref`` to ``model``, registering it (and the models it nests) as components."""
    schema = model.model_json_schema(ref_template=REF)
    _EXTRA_COMPONENTS.update(schema.pop("$defs", {}))
    _EXTRA_COMPONENTS[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def request_body(content: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its body itself: one schema per content type."""
    return {"requestBody": {"required": True, "content": {ct: {"schema": s} for ct, s in content.items()}}}


def _limit_texts(components: dict[str, Any], settings: Settings) -> None:
    """Interactive requests: text length and text count as this server's settings enforce them."""
    document = copy.deepcopy(components["Document"])
    document["properties"]["text"]["maxLength"] = settings.max_chars
    document["title"] = "DocumentIn"  # two components titled alike make generators drop both
    components["DocumentIn"] = document
    text = {"type": "string", "maxLength": settings.max_chars}
    for name in TEXTS_REQUESTS:
        properties = components[name]["properties"]
        properties["text"]["anyOf"] = [text, {"type": "null"}]
        properties["texts"]["anyOf"] = [
            {
                "type": "array",
                "minItems": 1,
                "maxItems": settings.max_texts,
                "items": {"anyOf": [text, {"$ref": REF.format(model="DocumentIn")}]},
            },
            {"type": "null"},
        ]
        # null and absent mean the same; exactly one of the two carries the input. Written as "not
        # (both or neither)": an object-level oneOf makes openapi-python-client drop the operation
        text_property: dict[str, Any] = {"text": {"type": "string"}}
        texts_property: dict[str, Any] = {"texts": {"type": "array"}}
        carries_text = {"required": ["text"], "properties": text_property}
        carries_texts = {"required": ["texts"], "properties": texts_property}
        both = {"required": ["text", "texts"], "properties": {**text_property, **texts_property}}
        neither = {"not": {"anyOf": [carries_text, carries_texts]}}
        components[name]["not"] = {"anyOf": [both, neither]}


def _link_jobs(paths: dict[str, Any]) -> None:
    job_id = {"job_id": "$response.body#/id"}
    paths["/v1/jobs"]["post"]["responses"]["202"]["links"] = {
        name: {"operationId": operation, "parameters": job_id}
        for name, operation in (
            ("GetJob", "get_job_v1_jobs__job_id__get"),
            ("JobResults", "job_results_v1_jobs__job_id__results_get"),
            ("CancelJob", "cancel_job_v1_jobs__job_id__delete"),
        )
    }


SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "an API key from `tomtat keys add`"},
    "api_key": {
        "type": "apiKey",
        "in": "query",
        "name": "api_key",
        "description": "LibreTranslate's way (also accepted as a form or JSON field of the body)",
    },
}
KEYED_ERRORS = {"401": "no valid API key", "429": "over the key's requests or characters per minute"}


def _secure(schema: dict[str, Any], keyed: Sequence[APIRouter], libretranslate: APIRouter) -> None:
    """With keys required: the security schemes, and on each keyed operation the schemes it accepts and
    the errors a key brings, so a generated client needs no header wired by hand."""
    schema["components"]["securitySchemes"] = SECURITY_SCHEMES
    api: dict[str, Any] = {"security": [{"bearer": []}], "errors": KEYED_ERRORS}
    # LibreTranslate's answers: 400 without a key, 403 with a wrong one
    lt_errors = {"400": "no API key", "403": "Invalid API key", "429": "Slowdown: over the key's limits"}
    lt: dict[str, Any] = {"security": [{"bearer": []}, {"api_key": []}], "errors": lt_errors}
    for routers, scheme in ((keyed, api), ([libretranslate], lt)):
        for router in routers:
            for route in router.routes:
                if not isinstance(route, APIRoute) or not route.include_in_schema:
                    continue
                for method in route.methods or ():
                    operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                    if operation is None:
                        continue
                    operation["security"] = scheme["security"]
                    responses = operation.setdefault("responses", {})
                    for status, description in scheme["errors"].items():
                        responses.setdefault(status, {"description": description})


def install_openapi(
    app: FastAPI, settings: Settings, keyed: Sequence[APIRouter] = (), libretranslate: APIRouter | None = None
) -> None:
    """``keyed``: the routers whose routes need the caller's key (with keys required); ``libretranslate``:
    the one that takes LibreTranslate's ``api_key`` too."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, component in _EXTRA_COMPONENTS.items():
                components.setdefault(name, component)
            _limit_texts(components, settings)
            _link_jobs(schema["paths"])
            if settings.require_api_keys:
                _secure(schema, keyed, libretranslate or APIRouter())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
