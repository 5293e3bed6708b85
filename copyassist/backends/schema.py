"""Output JSON schemas in the shapes different servers accept."""

from __future__ import annotations

from typing import Any

# OpenAI's strict mode accepts a subset of JSON Schema; string length bounds are not in it,
# so they are dropped there (pydantic still enforces them when the answer is validated).
_STRICT_DROPPED = frozenset({"minLength", "maxLength", "default", "title"})


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` for strict structured outputs: every property required, nothing extra."""
    result: dict[str, Any] = _walk(schema, strict=True, drop=_STRICT_DROPPED)
    return result


def grammar_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` for llama.cpp's grammar: long string bounds removed.

    llama.cpp unrolls ``maxLength`` into nested optional rules: bounds of a few thousand
    characters make a grammar it refuses (and have crashed the process), while bounds up to
    1,000 work and keep small models from looping inside a string. Longer bounds are dropped
    here and checked when the answer is validated.
    """
    result: dict[str, Any] = _cap_lengths(_walk(schema, strict=False, drop=frozenset({"title"})))
    return result


GRAMMAR_MAX_LENGTH = 1000


def _cap_lengths(node: Any) -> Any:
    if isinstance(node, list):
        return [_cap_lengths(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _cap_lengths(value) for key, value in node.items()}
    if isinstance(result.get("maxLength"), int) and result["maxLength"] > GRAMMAR_MAX_LENGTH:
        del result["maxLength"]
    return result


def _walk(node: Any, *, strict: bool, drop: frozenset[str]) -> Any:
    if isinstance(node, list):
        return [_walk(item, strict=strict, drop=drop) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in drop:
            continue
        if key in ("properties", "$defs"):
            result[key] = {name: _walk(sub, strict=strict, drop=drop) for name, sub in value.items()}
        else:
            result[key] = _walk(value, strict=strict, drop=drop)
    if strict and result.get("type") == "object" and "properties" in result:
        result["required"] = list(result["properties"])
        result["additionalProperties"] = False
    return result


def describe_fields(schema: dict[str, Any], *, descriptions: bool = True) -> str:
    """The top-level fields as ``- name (type): description`` lines, for the prompt.

    Small models copy whatever JSON they see; a plain field list gets the shape across without
    giving them a sample to echo. Where a grammar already enforces the shape, leave the
    (English) descriptions out too: small models write them back as if they were copy.
    """
    definitions = schema.get("$defs", {})
    lines = []
    for name, spec in schema.get("properties", {}).items():
        line = f"- {name} ({_type_label(spec, definitions)})"
        if descriptions and spec.get("description"):
            line += f": {spec['description']}"
        lines.append(line)
    return "\n".join(lines)


def _type_label(spec: dict[str, Any], definitions: dict[str, Any]) -> str:
    if "$ref" in spec:
        target = definitions.get(spec["$ref"].rsplit("/", 1)[-1], {})
        return "object with " + ", ".join(target.get("properties", {}))
    if "anyOf" in spec:  # a nullable field: "text or null"
        return " or ".join(
            "null" if option.get("type") == "null" else _type_label(option, definitions)
            for option in spec["anyOf"]
        )
    kind = spec.get("type", "value")
    if kind == "array":
        items = spec.get("items", {})
        bounds = ""
        if "minItems" in spec or "maxItems" in spec:
            bounds = f", {spec.get('minItems', 0)} to {spec.get('maxItems', 'n')} items"
        return f"list of {_type_label(items, definitions)}{bounds}"
    return {
        "string": "text",
        "integer": "integer",
        "number": "number",
        "boolean": "true/false",
    }.get(kind, str(kind))
