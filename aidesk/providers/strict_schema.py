"""OpenAI strict structured output: adapt a JSON schema to strict mode, and read the answer back.

Strict mode (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas)
requires `additionalProperties: false` on every object and every property listed in `required`;
an optional property is expressed as required-but-nullable. This follows the openai SDK's own
adapter (openai/lib/_pydantic.py `_ensure_strict_json_schema`, which expects pydantic to have
made optional fields nullable already) and adds that nullable step for a plain dict schema.
The answer then carries `null` for an optional property the model left out: `drop_added_nulls`
removes exactly those, so the data validates against the caller's original schema.
"""

from __future__ import annotations

import copy
from typing import Any

_NULL = {"type": "null"}


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A strict-mode copy of `schema` (the original is not changed)."""
    root = copy.deepcopy(schema)
    _strict(root)
    return root


def _strict(node: Any) -> None:
    if not isinstance(node, dict):
        return
    for key in ("$defs", "definitions"):
        defs = node.get(key)
        if isinstance(defs, dict):
            for sub in defs.values():
                _strict(sub)
    props = node.get("properties")
    if node.get("type") == "object" or isinstance(props, dict):
        node["additionalProperties"] = False
        props = props if isinstance(props, dict) else {}
        required = set(node.get("required") or [])
        for name, sub in props.items():
            _strict(sub)
            if name not in required:
                props[name] = _nullable(sub)
        node["properties"] = props
        node["required"] = list(props)
    items = node.get("items")
    if isinstance(items, dict):
        _strict(items)
    for key in ("anyOf", "allOf"):
        for sub in node.get(key) or []:
            _strict(sub)


def _nullable(sub: Any) -> Any:
    if not isinstance(sub, dict):
        return sub
    typ = sub.get("type")
    if typ == "null" or (isinstance(typ, list) and "null" in typ):
        return sub
    if any(v == _NULL for v in sub.get("anyOf") or []):
        return sub
    if isinstance(typ, str) and "enum" not in sub and "const" not in sub:
        return {**sub, "type": [typ, "null"]}
    return {"anyOf": [sub, _NULL]}


def drop_added_nulls(data: Any, schema: Any, root: Any = None) -> Any:
    """Remove the `null`s strict mode put in properties the original schema left optional."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if isinstance(data, dict) and isinstance(schema, dict):
        raw_props = schema.get("properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        required = set(schema.get("required") or [])
        out: dict[str, Any] = {}
        for key, value in data.items():
            if value is None and key in props and key not in required and not _allows_null(
                    _resolve(props[key], root)):
                continue
            out[key] = drop_added_nulls(value, props.get(key, {}), root)
        return out
    if isinstance(data, list) and isinstance(schema, dict):
        items = schema.get("items", {})
        return [drop_added_nulls(v, items, root) for v in data]
    return data


def _allows_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return True
    typ = schema.get("type")
    if typ == "null" or (isinstance(typ, list) and "null" in typ):
        return True
    return any(v == _NULL for v in schema.get("anyOf") or [])


def _resolve(schema: Any, root: Any) -> Any:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if not isinstance(ref, str) or not ref.startswith("#"):
        return schema
    node = root
    for part in ref[1:].split("/"):
        if part:
            node = node.get(part, {}) if isinstance(node, dict) else {}
    return node
