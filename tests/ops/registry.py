"""Imports every op-definition module so tests/opinfo.REGISTRY is complete."""

import importlib
import pkgutil

import tests.ops as _pkg

for _m in pkgutil.iter_modules(_pkg.__path__):
    if _m.name.startswith("defs_"):
        importlib.import_module(f"tests.ops.{_m.name}")
