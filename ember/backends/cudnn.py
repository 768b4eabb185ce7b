"""cuDNN flags. ember does not use cuDNN; the flags exist so torch code that sets them
runs. ``deterministic`` is honoured through ember.use_deterministic_algorithms."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version():
    return None
