"""Reading scenario files: YAML in, a checked :class:`~flighttrace.scenario.model.Scenario` out, every problem listed at once."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from flighttrace.kinds import claim_test_models
from flighttrace.scenario.base import Problem, ScenarioError
from flighttrace.scenario.crossref import crossref_problems, fmt_loc
from flighttrace.scenario.model import Aircraft, Airports, Claim, CustomSite, Event, Fleet, Meta, Route, Scenario, Selector, Source, Subject, Window

__all__ = ["load_scenario", "parse_scenario"]


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the discriminator tags pydantic puts in union locations."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if i > 0 and loc[i - 1] == "test" and part in claim_test_models():
            continue
        out.append(part)
    return tuple(out)


def _pydantic_problems(err: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    out = []
    for e in err.errors():
        loc, kind, msg = _clean_loc(tuple(e["loc"])), e["type"], e["msg"]
        ctx = e.get("ctx") or {}
        if kind == "missing":
            msg = "field required"
        elif kind == "extra_forbidden":
            msg = "unknown field (a typo?)"
        elif kind == "literal_error":
            msg = f"{e['input']!r} is not one of {ctx.get('expected', '')}"
        elif kind == "union_tag_invalid":
            msg = f"unknown test kind {ctx.get('tag')!r}; known: {', '.join(claim_test_models())}"
        elif kind == "union_tag_not_found":
            msg = f"give the test's kind: one of {', '.join(claim_test_models())}"
        elif kind == "value_error":
            msg = str(ctx.get("error", msg))
        else:
            msg = msg[:1].lower() + msg[1:]
            if not isinstance(e.get("input"), dict | list):
                msg += f" (got {e.get('input')!r})"
        out.append((loc, msg))
    return out


@functools.lru_cache(maxsize=1)
def _field_rank() -> dict[str, int]:
    """Field names in declaration order across the models (``id`` first), for sorting problems."""
    rank: dict[str, int] = {"id": 0}
    models: list[type[BaseModel]] = [Scenario, Meta, Source, Fleet, Aircraft, Selector, Airports, CustomSite]
    models += [Event, Route, Claim, Window, Subject, *claim_test_models().values()]
    for model in models:
        for name, f in model.model_fields.items():
            rank.setdefault(f.alias or name, len(rank))
    return rank


def _sort_key(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    rank = _field_rank()
    return tuple((p, 0, "") if isinstance(p, int) else (rank.get(str(p), len(rank)), 1, str(p)) for p in loc)


def _yaml_loader(libyaml: bool = True) -> type:
    """The scenario's YAML loader class: on libyaml's parser when PyYAML has it and ``libyaml``, else PyYAML's own.

    Both give the same documents (libyaml is the C library PyYAML's parser follows);
    PyYAML's own words a syntax error with the offending line shown.
    """
    import yaml

    base = yaml.CSafeLoader if libyaml and getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

    class Loader(base):  # type: ignore[valid-type,misc]
        """Safe loader: dates stay strings (parsed by the models with clear errors),
        only true/false are booleans, and duplicate keys are recorded."""

        duplicates: list[tuple[int, str]]

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, str(key)))
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    resolvers = {}
    for ch, items in yaml.SafeLoader.yaml_implicit_resolvers.items():
        keep = [(tag, rx) for tag, rx in items if tag != "tag:yaml.org,2002:timestamp" and tag != "tag:yaml.org,2002:bool"]
        if keep:
            resolvers[ch] = keep
    Loader.yaml_implicit_resolvers = resolvers
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    return Loader


def _load_yaml(text: str, name: str) -> tuple[Any, list[tuple[int, str]]]:
    """The document of a YAML text and its duplicate keys (line, key); invalid YAML is refused in PyYAML's own words.

    libyaml reads first (fast); a text it refuses is read again by PyYAML's own
    parser, which words the error (with the offending line) as it always has.
    """
    import yaml

    try:
        fast = _yaml_loader()(text) if getattr(yaml, "__with_libyaml__", False) else None
    except UnicodeError:  # a lone surrogate, which libyaml cannot be given
        fast = None
    if fast is not None:
        fast.duplicates = []
        try:
            return fast.get_single_data(), fast.duplicates
        except (yaml.YAMLError, UnicodeError):
            pass
        finally:
            fast.dispose()
    loader = _yaml_loader(libyaml=False)(text)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader.duplicates
    except yaml.YAMLError as exc:
        raise ScenarioError(name, [("", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()


def parse_scenario(data: str | Mapping[str, Any], *, name: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text or as a mapping.

    Parameters
    ----------
    data
        YAML text, or the mapping it would load to.
    name
        What to call it in error messages (the file name).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem: schema errors and cross-reference errors.
    """
    problems: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(data, str):
        raw, duplicates = _load_yaml(data, name)
        for line, key in duplicates:
            problems.append(((), f"line {line}: duplicate key {key!r} (the later value would silently win)"))
    else:
        raw = data
    if not isinstance(raw, Mapping):
        raise ScenarioError(name, [("", "a scenario file must be a mapping with meta, fleet, airports, events, routes, claims")])
    try:
        scenario = Scenario.model_validate(raw, context={"skip_crossref": True})
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc))
        scenario = None
    problems.extend(crossref_problems(raw))
    if problems:
        ordered: list[Problem] = []
        for loc, msg in sorted(problems, key=lambda p: _sort_key(p[0])):
            item = (fmt_loc(loc), msg)
            if item not in ordered:
                ordered.append(item)
        raise ScenarioError(name, ordered)
    assert scenario is not None
    return scenario


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        A YAML file (usually in ``seeds/``).

    Returns
    -------
    Scenario
        Immutable; ``scenario.path`` is the file.

    Raises
    ------
    ScenarioError
        When the file cannot be read, is not YAML, or has problems; the message
        lists every problem as ``path.to.field: what is wrong``.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(p), [("", f"cannot read the file: {exc.strerror or exc}")]) from None
    scenario = parse_scenario(text, name=str(p))
    scenario._path = str(p)
    return scenario
