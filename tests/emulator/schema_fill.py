"""Deterministic JSON instance from a JSON schema (also Gemini's OpenAPI-style uppercase types)."""

from __future__ import annotations

from typing import Any

_MAX_DEPTH = 8
_FORMATS: dict[str, str] = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
    "hostname": "example.com",
}


def fill(schema: Any, root: Any = None) -> Any:
    """Return a deterministic instance valid against `schema`.

    Objects get every property, strings "text" (or the first enum value / const), integers 1,
    numbers 1.5, booleans true, arrays one item; bounds are respected.
    """
    return _fill(schema, schema if root is None else root, 0)


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any, default: int) -> int:
    number = _num(value)
    return default if number is None else int(number)


def _resolve(ref: str, root: Any) -> Any:
    if not ref.startswith("#"):
        return {}
    node = root
    for part in ref[1:].split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(part, {})
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return {}
    return node


def _type_of(schema: dict[str, Any]) -> str | None:
    typ = schema.get("type")
    if isinstance(typ, list):
        non_null = [t for t in typ if str(t).lower() != "null"]
        typ = non_null[0] if non_null else "null"
    if isinstance(typ, str):
        return typ.lower()
    if "properties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return None


def _fill(schema: Any, root: Any, depth: int) -> Any:
    if schema is True or not isinstance(schema, dict):
        return "text"
    if "$ref" in schema:
        return _fill(_resolve(schema["$ref"], root), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return _fill(options[0], root, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for sub in schema["allOf"]:
            sub = _resolve(sub["$ref"], root) if isinstance(sub, dict) and "$ref" in sub else sub
            if isinstance(sub, dict):
                props = {**merged.get("properties", {}), **sub.get("properties", {})}
                merged = {**sub, **merged, "properties": props}
        return _fill(merged, root, depth + 1)
    typ = _type_of(schema)
    if typ == "object":
        return _object(schema, root, depth)
    if typ == "array":
        return _array(schema, root, depth)
    if typ == "string":
        return _string(schema)
    if typ == "integer":
        return int(_number(schema, 1.0, integer=True))
    if typ == "number":
        return _number(schema, 1.5, integer=False)
    if typ == "boolean":
        return True
    if typ == "null":
        return None
    return "text"


def _object(schema: dict[str, Any], root: Any, depth: int) -> dict[str, Any]:
    props: dict[str, Any] = schema.get("properties") or {}
    if depth >= _MAX_DEPTH:
        required = set(schema.get("required") or [])
        props = {k: v for k, v in props.items() if k in required}
    order = schema.get("propertyOrdering") or []
    keys = [k for k in order if k in props] + [k for k in props if k not in order]
    return {k: _fill(props[k], root, depth + 1) for k in keys}


def _array(schema: dict[str, Any], root: Any, depth: int) -> list[Any]:
    min_items = _int(schema.get("minItems"), 0)
    max_items = _int(schema.get("maxItems"), 10**6)
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list) and prefix:
        out = [_fill(item, root, depth + 1) for item in prefix]
        return out[: max(max_items, 0)]
    wanted = min_items if depth >= _MAX_DEPTH else max(min_items, 1)
    count = max(min(wanted, max_items), 0)
    items = schema.get("items", {})
    if isinstance(items, list):  # draft-4 tuple form
        return [_fill(item, root, depth + 1) for item in items][:count]
    return [_fill(items, root, depth + 1) for _ in range(count)]


def _string(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    value = _FORMATS.get(fmt, "text") if isinstance(fmt, str) else "text"
    min_len = _int(schema.get("minLength"), 0)
    max_len = _int(schema.get("maxLength"), 10**6)
    if len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    return value[:max_len]


def _number(schema: dict[str, Any], value: float, *, integer: bool) -> float:
    step = 1.0 if integer else 0.5
    low = _num(schema.get("minimum"))
    high = _num(schema.get("maximum"))
    ex_low = _num(schema.get("exclusiveMinimum"))
    ex_high = _num(schema.get("exclusiveMaximum"))
    if low is not None and value < low:
        value = float(int(low) + (low > int(low))) if integer else low
    if ex_low is not None and value <= ex_low:
        value = float(int(ex_low) + 1) if integer else ex_low + step
    if high is not None and value > high:
        value = float(int(high) - (high < int(high))) if integer else high
    if ex_high is not None and value >= ex_high:
        if integer:
            value = float(int(ex_high) - 1 if ex_high == int(ex_high) else int(ex_high))
        else:
            floor = [b for b in (low, ex_low) if b is not None]
            value = (max(floor) + ex_high) / 2 if floor else ex_high - step
    multiple = _num(schema.get("multipleOf"))
    if multiple and integer and value % multiple:
        value = multiple * max(1, int(value // multiple) + 1)
    return value
