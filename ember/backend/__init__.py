"""Backend helpers: the pieces the NumPy/CuPy array API lacks."""
