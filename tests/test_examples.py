"""The main job (examples/fit.py) trains: its loss falls well below the start."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fit_example_loss_falls(capsys):
    final = _load("fit").main(["--steps", "400", "--seed", "0"])
    out = capsys.readouterr().out.splitlines()
    first = float(out[0].split("loss")[1])
    assert final < 0.1 < first or final < first / 3, (first, final)
    assert final < 0.1
