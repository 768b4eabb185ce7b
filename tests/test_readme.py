"""The README's code runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    for code in blocks:
        namespace = {}
        exec(compile(code, str(README), "exec"), namespace)
        if "h" in namespace:  # the tour's second derivative of (x**3).sum() is 6x
            x, h = namespace["x"], namespace["h"]
            assert (h - 6 * x.detach()).abs().max().item() < 1e-5
