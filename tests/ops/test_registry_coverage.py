"""Every tensor-math op the foundation requires exists and has a registry entry."""

from tests.ops.coverage import report


def test_every_required_op_exists():
    missing_fn, _ = report()
    assert missing_fn == []


def test_every_required_op_is_in_the_registry():
    _, missing_reg = report()
    assert missing_reg == []
