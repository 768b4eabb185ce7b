"""Registry entries for the core arithmetic ops."""

from tests.opinfo import ALL_NUMERIC, OpInfo, S, arr, positive


def _binary(dt, rng):
    return [S(arr((3, 4), dt, rng), arr((3, 4), dt, rng)),
            S(arr((3, 1), dt, rng), arr((4,), dt, rng)),      # broadcasting
            S(arr((), dt, rng), arr((2, 3), dt, rng)),        # 0-d with n-d
            S(arr((2, 3), dt, rng), 2), S(arr((2, 3), dt, rng), 1.5),  # weak scalars
            S(arr((0, 3), dt, rng), arr((3,), dt, rng))]      # empty


OpInfo("add", _binary, dtypes=("float32", "float64", "int64", "int32"), method=True)
OpInfo("sub", _binary, dtypes=("float32", "float64", "int64"))
OpInfo("mul", _binary, dtypes=ALL_NUMERIC)
OpInfo("div", lambda dt, rng: [S(arr((3, 4), dt, rng), positive((3, 4), dt, rng)),
                               S(arr((3, 1), dt, rng), positive((4,), dt, rng)),
                               S(arr((2, 3), dt, rng), 4)],
       dtypes=("float32", "float64", "int64"))
OpInfo("exp", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(arr((), dt, rng))],
       dtypes=("float32", "float64", "int64"))
OpInfo("log", lambda dt, rng: [S(positive((3, 4), dt, rng))])
OpInfo("sum", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(arr((3, 4), dt, rng), 1),
                               S(arr((2, 3, 4), dt, rng), (0, 2), keepdim=True),
                               S(arr((), dt, rng))],
       dtypes=("float32", "float64", "int64", "bool"))
OpInfo("mean", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(arr((3, 4), dt, rng), -1),
                                S(arr((2, 3, 4), dt, rng), (0, 1), True)],
       errors=lambda: [(S(arr((2,), "int64")), RuntimeError)])
OpInfo("neg", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(arr((), dt, rng)),
                               S(arr((0, 2), dt, rng))],
       dtypes=("float32", "float64", "int64"),
       errors=lambda: [(S(arr((2,), "bool")), RuntimeError)])
