"""Fuzzing ember.load with truncated and byte-flipped copies of real checkpoints: every load
either raises CheckpointError or returns exactly the saved object -- never another
exception, a crash, a hang or a different object."""

from __future__ import annotations

import io
import random
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.serialization import CheckpointError
from tests.test_serialization import assert_same


def _checkpoint():
    ember.manual_seed(3)
    base = ember.randn(4, 5)
    return {
        "model": OrderedDict([("w", ember.nn.Parameter(ember.randn(3, 2))),
                              ("b", ember.zeros(2, dtype=ember.bfloat16)),
                              ("n", ember.tensor(7))]),
        "optimizer": {"state": {0: {"step": ember.tensor(2.0), "m": base[1:]}},
                      "param_groups": [{"lr": 0.1, "betas": (0.9, 0.99), "params": [0]}]},
        "views": (base, base.t()),
        "c": ember.tensor([1 + 1j]),
        "np": np.arange(3, dtype=np.int16),
        "epoch": 12, "best": 0.5, "tag": "run-1", "flags": [True, None],
    }


def _fuzz(data: bytes, expected, cases: int, seed: int, fmt: str) -> dict:
    rng = random.Random(seed)
    outcomes = {"error": 0, "same": 0}
    for i in range(cases):
        broken = bytearray(data)
        if i % 3 == 0:
            broken = broken[:rng.randrange(len(data))]
        else:
            for _ in range(rng.choice((1, 1, 2, 3))):
                broken[rng.randrange(len(broken))] ^= rng.randrange(1, 256)
        try:
            got = ember.load(io.BytesIO(bytes(broken)))
        except CheckpointError:
            outcomes["error"] += 1
            continue
        # anything that still loads must be exactly the saved object
        assert_same(got, expected, f"{fmt} case {i}")
        outcomes["same"] += 1
    return outcomes


def test_fuzz_ember_checkpoints():
    obj = _checkpoint()
    buf = io.BytesIO()
    ember.save(obj, buf)
    outcomes = _fuzz(buf.getvalue(), obj, 600, seed=0, fmt="ember")
    assert outcomes["error"] > 550  # the checksum and header checks catch almost all


def test_fuzz_torch_format_checkpoints():
    obj = _checkpoint()
    obj.pop("np")  # torch's safe loader refuses NumPy arrays
    buf = io.BytesIO()
    ember.save(obj, buf, format="torch")
    outcomes = _fuzz(buf.getvalue(), obj, 400, seed=1, fmt="torch")
    assert outcomes["error"] > 300  # zip CRCs catch flipped data


@pytest.mark.parametrize("cut", [0, 1, 7, 8, 9, 50])
def test_every_short_prefix_is_an_error(cut):
    buf = io.BytesIO()
    ember.save({"w": ember.ones(3)}, buf)
    with pytest.raises(CheckpointError, match="not a valid checkpoint"):
        ember.load(io.BytesIO(buf.getvalue()[:cut]))
