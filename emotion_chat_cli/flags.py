"""Expose a pydantic-settings model as argparse flags (one flag per field).

`add_settings_flags` adds `--field-name` for every field with the field's docstring as help;
`settings_from_args` builds the settings object with the flags that were given overriding the
environment (flags left out fall back to env, then to the defaults).
"""

from __future__ import annotations

import argparse
import json
import types
import typing
from typing import Any, TypeVar

from pydantic_settings import BaseSettings

SettingsT = TypeVar("SettingsT", bound=BaseSettings)

_DEST_PREFIX = "setting__"


def _is_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return bool in typing.get_args(annotation)
    return False


def _is_structured(annotation: Any) -> bool:
    """Lists, dicts and nested models are given as JSON on the command line."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_structured(a) for a in typing.get_args(annotation) if a is not type(None))
    return origin in (list, dict, tuple, set) or annotation in (list, dict)


def add_settings_flags(
    parser: argparse.ArgumentParser, settings_cls: type[BaseSettings], skip: tuple[str, ...] = ()
) -> None:
    prefix = settings_cls.model_config.get("env_prefix", "")
    group = parser.add_argument_group(f"settings (also from env {prefix}*)")
    for name, field in settings_cls.model_fields.items():
        if name in skip:
            continue
        flag = "--" + name.replace("_", "-")
        env = f"{prefix}{name}".upper()
        default = field.default if field.default_factory is None else field.default_factory()  # type: ignore[call-arg]
        help_text = f"{field.description or ''} [env {env}; default {default!r}]".strip()
        dest = _DEST_PREFIX + name
        if _is_bool(field.annotation):
            group.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction,
                               default=None, help=help_text)
        elif _is_structured(field.annotation):
            group.add_argument(flag, dest=dest, type=json.loads, default=None,
                               metavar="JSON", help=help_text)
        else:
            group.add_argument(flag, dest=dest, default=None, metavar=name.upper(),
                               help=help_text)


def given_flags(args: argparse.Namespace) -> set[str]:
    """The settings given as flags on the command line (the rest come from env or defaults)."""
    return {key[len(_DEST_PREFIX):] for key, value in vars(args).items()
            if key.startswith(_DEST_PREFIX) and value is not None}


def settings_from_args(settings_cls: type[SettingsT], args: argparse.Namespace,
                       **extra: Any) -> SettingsT:
    overrides = {name: getattr(args, _DEST_PREFIX + name) for name in given_flags(args)}
    overrides.update({k: v for k, v in extra.items() if v is not None})
    return settings_cls(**overrides)
