"""Registry entries for linear algebra: the matmul family, einsum, structural matrix ops
and ember.linalg decompositions."""

import numpy as np

from tests.opinfo import OpInfo, S, arr

NUM = ("float32", "float64", "int64")
_ = np


def _matmul_samples(dt, rng):
    shapes = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
              ((2, 2, 3), (3, 4)), ((2, 3), (2, 3, 4)), ((2, 2, 3), (2, 3, 2)),
              ((2, 1, 2, 3), (3, 3, 2)), ((2, 2, 3), (3,)), ((3,), (2, 3, 4)),
              ((0, 3), (3, 2)), ((2, 0), (0, 3))]
    return [S(arr(a, dt, rng), arr(b, dt, rng)) for a, b in shapes]


def _matmul_errors():
    return [(S(arr((2, 3)), arr((4, 5))), RuntimeError),
            (S(arr((3,)), arr((4,))), RuntimeError),
            (S(arr((2, 3)), arr((4,))), RuntimeError),
            (S(arr((2, 3)), arr((3, 4), "float32")), RuntimeError),
            (S(arr(()), arr((3,))), RuntimeError),
            (S(arr((2, 2, 3)), arr((3, 3, 2))), RuntimeError)]


OpInfo("matmul", _matmul_samples, dtypes=NUM, method=True, errors=_matmul_errors)
OpInfo("mm", lambda dt, rng: [S(arr((2, 3), dt, rng), arr((3, 4), dt, rng)),
                              S(arr((0, 3), dt, rng), arr((3, 2), dt, rng))],
       dtypes=NUM, errors=lambda: [(S(arr((3,)), arr((3, 3))), RuntimeError),
                                   (S(arr((2, 3)), arr((4, 5))), RuntimeError)])
OpInfo("mv", lambda dt, rng: [S(arr((2, 3), dt, rng), arr((3,), dt, rng))], dtypes=NUM,
       errors=lambda: [(S(arr((2, 3)), arr((4,))), RuntimeError)])
OpInfo("bmm", lambda dt, rng: [S(arr((2, 2, 3), dt, rng), arr((2, 3, 4), dt, rng))],
       dtypes=NUM, errors=lambda: [(S(arr((2, 3, 4)), arr((3, 4, 5))), RuntimeError),
                                   (S(arr((2, 3)), arr((3, 4))), RuntimeError)])
OpInfo("dot", lambda dt, rng: [S(arr((3,), dt, rng), arr((3,), dt, rng)),
                               S(arr((0,), dt, rng), arr((0,), dt, rng))], dtypes=NUM,
       errors=lambda: [(S(arr((3,)), arr((4,))), RuntimeError),
                       (S(arr((2, 3)), arr((3,))), RuntimeError)])
OpInfo("vdot", lambda dt, rng: [S(arr((3,), dt, rng), arr((3,), dt, rng))], dtypes=NUM)
OpInfo("inner", lambda dt, rng: [S(arr((3,), dt, rng), arr((3,), dt, rng)),
                                 S(arr((2, 3), dt, rng), arr((4, 3), dt, rng)),
                                 S(arr((2, 3), dt, rng), arr((3,), dt, rng)),
                                 S(arr((), dt, rng), arr((2, 3), dt, rng))], dtypes=NUM)
OpInfo("outer", lambda dt, rng: [S(arr((3,), dt, rng), arr((4,), dt, rng))], dtypes=NUM)
OpInfo("ger", lambda dt, rng: [S(arr((3,), dt, rng), arr((2,), dt, rng))])
OpInfo("addmm", lambda dt, rng: [
    S(arr((2, 4), dt, rng), arr((2, 3), dt, rng), arr((3, 4), dt, rng)),
    S(arr((4,), dt, rng), arr((2, 3), dt, rng), arr((3, 4), dt, rng), beta=0.5, alpha=2.0),
    S(arr((2, 4), dt, rng), arr((2, 3), dt, rng), arr((3, 4), dt, rng), beta=0)])
OpInfo("addmv", lambda dt, rng: [
    S(arr((2,), dt, rng), arr((2, 3), dt, rng), arr((3,), dt, rng), beta=2.0, alpha=0.5)])
OpInfo("addr", lambda dt, rng: [
    S(arr((2, 3), dt, rng), arr((2,), dt, rng), arr((3,), dt, rng)),
    S(arr((3,), dt, rng), arr((2,), dt, rng), arr((3,), dt, rng), alpha=3.0)])
OpInfo("addbmm", lambda dt, rng: [
    S(arr((2, 4), dt, rng), arr((3, 2, 3), dt, rng), arr((3, 3, 4), dt, rng), beta=0.5)])
OpInfo("baddbmm", lambda dt, rng: [
    S(arr((3, 2, 4), dt, rng), arr((3, 2, 3), dt, rng), arr((3, 3, 4), dt, rng), alpha=2.0)])
