"""Apple MPS is not supported by ember."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
