"""Check that every REST request the bot sent is one Discord would accept.

Each request SimCord recorded is matched to an operation in Discord's official OpenAPI
description (path template and method) and its JSON body is validated against that operation's
request schema. The spec's location comes from ``DISCORD_OPENAPI_SPEC``.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_ENV = "DISCORD_OPENAPI_SPEC"
SPEC_URI = "urn:discord-openapi"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    schema: dict[str, Any] | None


def spec_path() -> Path | None:
    value = os.environ.get(SPEC_ENV)
    return Path(value) if value else None


@functools.cache
def _load(path: str) -> tuple[list[Operation], Registry]:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    operations = []
    for template, item in spec["paths"].items():
        regex = "^" + re.sub(r"\\\{[^/]+?\\\}", r"[^/]+", re.escape(template)) + "$"
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            content = (op.get("requestBody") or {}).get("content") or {}
            media = content.get("application/json") or content.get("multipart/form-data")
            schema = media.get("schema") if media else None
            operations.append(Operation(method.upper(), template, re.compile(regex), schema))
    # Literal segments beat parameters: "/applications/@me" before "/applications/{id}".
    operations.sort(key=lambda o: o.template.count("{"))
    return operations, registry


@functools.cache
def _validator(path: str, method: str, template: str) -> jsonschema.Draft202012Validator:
    operations, registry = _load(path)
    operation = next(o for o in operations if o.method == method and o.template == template)
    return jsonschema.Draft202012Validator(_rebase(operation.schema), registry=registry)


def _rebase(schema: Any) -> Any:
    """Point the spec's local $refs at the registered spec document."""
    if isinstance(schema, dict):
        return {
            k: (SPEC_URI + v if k == "$ref" and v.startswith("#") else _rebase(v)) for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


def _ids_as_strings(body: Any) -> Any:
    """Discord accepts ids (snowflakes) as integers too; discord.py sends some that way
    (``recipient_id`` when opening a DM, an upload's attachment ``id``). The description types
    them as strings, so present integer ids as strings before validating."""
    if isinstance(body, dict):
        return {
            key: str(value)
            if isinstance(value, int) and not isinstance(value, bool) and (key == "id" or key.endswith("_id"))
            else [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
            if isinstance(value, list) and (key.endswith("_ids") or key in ("users", "roles"))
            else _ids_as_strings(value)
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [_ids_as_strings(item) for item in body]
    return body


def _strip_files(body: Any) -> Any:
    """discord.py sends attachment metadata alongside uploaded files; keep the JSON part."""
    if isinstance(body, dict) and "payload_json" in body:
        return json.loads(body["payload_json"])
    return body


def violations(requests: list[Any], spec: Path) -> list[str]:
    operations, _registry = _load(str(spec))
    problems: list[str] = []
    for record in requests:
        path = record.path.split("?", 1)[0]
        if path.startswith("/api/v"):
            path = "/" + path.split("/", 3)[3]
        candidates = [o for o in operations if o.pattern.match(path)]
        if not candidates:
            problems.append(f"{record.method} {path}: no such route in Discord's API")
            continue
        operation = next((o for o in candidates if o.method == record.method), None)
        if operation is None:
            problems.append(f"{record.method} {path}: method not allowed on {candidates[0].template}")
            continue
        body = _ids_as_strings(_strip_files(record.json))
        if body is None or operation.schema is None:
            continue
        validator = _validator(str(spec), operation.method, operation.template)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        for error in errors[:3]:
            where = "/".join(str(p) for p in error.absolute_path) or "(body)"
            problems.append(f"{record.method} {operation.template} {where}: {error.message[:300]}")
    return problems
