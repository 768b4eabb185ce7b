"""Registry entries for movement ops (views, reshapes, concatenation, splitting, flips)."""

import numpy as np

from tests.opinfo import ALL_NUMERIC, FLOATS, OpInfo, S, arr, method_of

I64 = np.int64


def _shapes(dt, rng, *shapes):
    return [arr(s, dt, rng) for s in shapes]


OpInfo("reshape", lambda dt, rng: [S(arr((2, 3), dt, rng), (3, 2)),
                                   S(arr((2, 3), dt, rng), (-1,)),
                                   S(arr((), dt, rng), (1, 1)), S(arr((0, 3), dt, rng), (3, 0)),
                                   S(arr((2, 3), dt, rng).T, (6,))],
       dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((2, 3)), (4, 2)), RuntimeError),
                       (S(arr((2, 3)), (-1, -1)), RuntimeError)])
OpInfo("view", lambda dt, rng: [S(arr((2, 3), dt, rng), 3, 2), S(arr((2, 3), dt, rng), -1),
                                S(arr((), dt, rng), 1), S(arr((2, 3, 2), dt, rng), (6, -1))],
       ember_fn=method_of("view"), torch_fn=method_of("view"), dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((2, 3)), 4), RuntimeError)])
OpInfo("view_as", lambda dt, rng: [S(arr((2, 3), dt, rng), arr((3, 2), dt, rng))],
       ember_fn=method_of("view_as"), torch_fn=method_of("view_as"))
OpInfo("reshape_as", lambda dt, rng: [S(arr((2, 3), dt, rng), arr((6,), dt, rng))],
       ember_fn=method_of("reshape_as"), torch_fn=method_of("reshape_as"))
OpInfo("flatten", lambda dt, rng: [S(arr((2, 3, 2), dt, rng)), S(arr((2, 3, 2), dt, rng), 1),
                                   S(arr((2, 3, 2), dt, rng), 0, -2), S(arr((), dt, rng)),
                                   S(arr((2, 0, 2), dt, rng), 1)],
       dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((2, 3)), 1, 0), RuntimeError), (S(arr((2, 3)), 2), IndexError)])
OpInfo("unflatten", lambda dt, rng: [S(arr((2, 6), dt, rng), 1, (2, 3)),
                                     S(arr((2, 6), dt, rng), -1, (-1, 2)),
                                     S(arr((4,), dt, rng), 0, (2, 2))],
       errors=lambda: [(S(arr((2, 6)), 1, (4, 2)), RuntimeError)])
OpInfo("ravel", lambda dt, rng: [S(arr((2, 3), dt, rng)), S(arr((), dt, rng))])
OpInfo("squeeze", lambda dt, rng: [S(arr((2, 1, 3, 1), dt, rng)), S(arr((2, 1, 3), dt, rng), 1),
                                   S(arr((2, 1, 1), dt, rng), (1, -1)),
                                   S(arr((2, 3), dt, rng), 0), S(arr((), dt, rng))],
       dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((2, 3)), 2), IndexError)])
OpInfo("unsqueeze", lambda dt, rng: [S(arr((2, 3), dt, rng), 0), S(arr((2, 3), dt, rng), -1),
                                     S(arr((), dt, rng), 0)],
       dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((2, 3)), 3), IndexError)])
OpInfo("permute", lambda dt, rng: [S(arr((2, 3, 4), dt, rng), (2, 0, 1)),
                                   S(arr((2, 3), dt, rng), (-1, 0)), S(arr((), dt, rng), ())],
       dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((2, 3)), (0,)), RuntimeError),
                       (S(arr((2, 3)), (0, 0)), RuntimeError)])
OpInfo("transpose", lambda dt, rng: [S(arr((2, 3, 4), dt, rng), 0, 2),
                                     S(arr((2, 3), dt, rng), -1, 0), S(arr((), dt, rng), 0, -1)],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((2, 3)), 0, 2), IndexError)])
OpInfo("swapaxes", lambda dt, rng: [S(arr((2, 3, 4), dt, rng), 0, 2)])
OpInfo("swapdims", lambda dt, rng: [S(arr((2, 3), dt, rng), 1, 0)])
OpInfo("movedim", lambda dt, rng: [S(arr((2, 3, 4), dt, rng), 0, 2),
                                   S(arr((2, 3, 4), dt, rng), (0, 1), (-1, 0)),
                                   S(arr((), dt, rng), 0, 0)],
       dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((2, 3)), (0, 1), (0,)), RuntimeError),
                       (S(arr((2, 3)), (0, 0), (0, 1)), RuntimeError)])
OpInfo("moveaxis", lambda dt, rng: [S(arr((2, 3, 4), dt, rng), -1, 0)])
OpInfo("expand", lambda dt, rng: [S(arr((3, 1), dt, rng), 3, 4), S(arr((3, 1), dt, rng), 2, -1, 2),
                                  S(arr((), dt, rng), (2, 2)), S(arr((1,), dt, rng), 0)],
       ember_fn=method_of("expand"), torch_fn=method_of("expand"), dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((3, 2)), 3, 4), RuntimeError), (S(arr((3, 2)), 2), RuntimeError)])
OpInfo("expand_as", lambda dt, rng: [S(arr((3, 1), dt, rng), arr((2, 3, 4), dt, rng))],
       ember_fn=method_of("expand_as"), torch_fn=method_of("expand_as"))
OpInfo("broadcast_to", lambda dt, rng: [S(arr((3, 1), dt, rng), (2, 3, 4)),
                                        S(arr((), dt, rng), (2,))],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((3, 2)), (3, 3)), RuntimeError)])
OpInfo("broadcast_tensors", lambda dt, rng: [S(arr((3, 1), dt, rng), arr((4,), dt, rng)),
                                             S(arr((), dt, rng), arr((2, 2), dt, rng))],
       errors=lambda: [(S(arr((3,)), arr((2,))), RuntimeError)])
OpInfo("broadcast_shapes", lambda dt, rng: [S((3, 1), (4,)), S((2,), ()), S(2, (3, 1))],
       grad=False, gradcheck=False, gradgrad=False, dtypes=("float32",),
       errors=lambda: [(S((3,), (2,)), RuntimeError)])
OpInfo("repeat", lambda dt, rng: [S(arr((2, 3), dt, rng), 2, 1), S(arr((2,), dt, rng), 2, 1, 2),
                                  S(arr((), dt, rng), 3), S(arr((2, 0), dt, rng), 2, 2)],
       ember_fn=method_of("repeat"), torch_fn=method_of("repeat"), dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((2, 3)), 2), RuntimeError)])
OpInfo("tile", lambda dt, rng: [S(arr((2, 3), dt, rng), (2,)), S(arr((2,), dt, rng), (2, 2)),
                                S(arr((), dt, rng), (2,))], dtypes=ALL_NUMERIC)
OpInfo("repeat_interleave",
       lambda dt, rng: [S(arr((2, 3), dt, rng), 2), S(arr((2, 3), dt, rng), 2, dim=1),
                        S(arr((2, 3), dt, rng), np.array([1, 0], I64), dim=0),
                        S(arr((2, 3), dt, rng), np.array([2], I64), dim=-1, output_size=6),
                        S(arr((), dt, rng), 3)],
       dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((2, 3)), np.array([1, 2, 3], I64), dim=0), RuntimeError),
                       (S(arr((2, 3)), -1), RuntimeError)])
OpInfo("cat", lambda dt, rng: [S([arr((2, 3), dt, rng), arr((1, 3), dt, rng)]),
                               S((arr((2, 3), dt, rng), arr((2, 1), dt, rng)), dim=-1),
                               S([arr((2, 3), dt, rng), arr((0,), dt, rng)]),
                               S([arr((0, 3), dt, rng), arr((2, 3), dt, rng)]),
                               S([arr((2,), dt, rng)], 0),
                               S([arr((2, 2), dt, rng), arr((2, 2), "int64", rng)], 1)],
       dtypes=ALL_NUMERIC,
       errors=lambda: [(S([arr((2, 3)), arr((2, 2))]), RuntimeError),
                       (S([arr((2, 3)), arr((3,))]), RuntimeError),
                       (S([arr(())]), RuntimeError), (S([]), ValueError),
                       (S([arr((2, 3))], 2), IndexError)])
OpInfo("concat", lambda dt, rng: [S([arr((2, 3), dt, rng), arr((2, 1), dt, rng)], 1)])
OpInfo("concatenate", lambda dt, rng: [S([arr((2, 3), dt, rng), arr((1, 3), dt, rng)])])
OpInfo("stack", lambda dt, rng: [S([arr((2, 3), dt, rng), arr((2, 3), dt, rng)]),
                                 S([arr((2, 3), dt, rng), arr((2, 3), dt, rng)], -1),
                                 S([arr((), dt, rng), arr((), dt, rng)]),
                                 S([arr((0, 2), dt, rng)], 1)],
       dtypes=ALL_NUMERIC,
       errors=lambda: [(S([arr((2, 3)), arr((2, 2))]), RuntimeError), (S([]), RuntimeError),
                       (S([arr((2, 3))], 3), IndexError)])
for _n in ("hstack", "vstack", "dstack", "column_stack", "row_stack"):
    OpInfo(_n, lambda dt, rng: [S([arr((2, 3), dt, rng), arr((2, 3), dt, rng)]),
                                S([arr((3,), dt, rng), arr((3,), dt, rng)]),
                                S([arr((), dt, rng), arr((), dt, rng)]),
                                S((arr((2, 3, 2), dt, rng), arr((2, 3, 2), dt, rng)))],
           dtypes=ALL_NUMERIC)
OpInfo("split", lambda dt, rng: [S(arr((5, 2), dt, rng), 2), S(arr((5, 2), dt, rng), [1, 4]),
                                 S(arr((2, 5), dt, rng), 3, -1), S(arr((0, 2), dt, rng), 2),
                                 S(arr((4,), dt, rng), 4)],
       dtypes=ALL_NUMERIC, method=True,
       errors=lambda: [(S(arr((5, 2)), [1, 2]), RuntimeError), (S(arr(()), 1), RuntimeError)])
OpInfo("chunk", lambda dt, rng: [S(arr((5, 2), dt, rng), 2), S(arr((6, 2), dt, rng), 4),
                                 S(arr((2, 5), dt, rng), 3, 1), S(arr((0, 2), dt, rng), 2)],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((5, 2)), 0), RuntimeError)])
OpInfo("tensor_split", lambda dt, rng: [S(arr((7, 2), dt, rng), 3), S(arr((7, 2), dt, rng), [1, 5]),
                                        S(arr((2, 7), dt, rng), (2, -1, 9), dim=1),
                                        S(arr((7,), dt, rng), np.array([2, 3], I64))],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((5, 2)), 0), RuntimeError)])
OpInfo("hsplit", lambda dt, rng: [S(arr((2, 4), dt, rng), 2), S(arr((6,), dt, rng), [1, 3])],
       errors=lambda: [(S(arr((2, 3)), 2), RuntimeError)])
OpInfo("vsplit", lambda dt, rng: [S(arr((4, 2), dt, rng), 2), S(arr((4, 2), dt, rng), [1])],
       errors=lambda: [(S(arr((4,)), 2), RuntimeError)])
OpInfo("dsplit", lambda dt, rng: [S(arr((1, 2, 4), dt, rng), 2)],
       errors=lambda: [(S(arr((4, 2)), 2), RuntimeError)])
OpInfo("unbind", lambda dt, rng: [S(arr((3, 2), dt, rng)), S(arr((3, 2), dt, rng), -1),
                                  S(arr((0, 2), dt, rng))],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr(())), IndexError)])
OpInfo("narrow", lambda dt, rng: [S(arr((5, 2), dt, rng), 0, 1, 3),
                                  S(arr((2, 5), dt, rng), -1, -2, 2),
                                  S(arr((2, 5), dt, rng), 1, 5, 0)],
       dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((5, 2)), 0, 3, 3), RuntimeError),
                       (S(arr((5, 2)), 0, 6, 0), IndexError)])
OpInfo("select", lambda dt, rng: [S(arr((5, 2), dt, rng), 0, 1), S(arr((2, 5), dt, rng), -1, -2)],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((5, 2)), 1, 2), IndexError)])
OpInfo("flip", lambda dt, rng: [S(arr((2, 3), dt, rng), (0,)), S(arr((2, 3, 2), dt, rng), (0, -1)),
                                S(arr((), dt, rng), (0,)), S(arr((0, 2), dt, rng), (1,)),
                                S(arr((2, 3), dt, rng), ())],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((2, 3)), (0, 0)), RuntimeError),
                                           (S(arr((2, 3)), (2,)), IndexError)])
OpInfo("fliplr", lambda dt, rng: [S(arr((2, 3), dt, rng))], dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((3,))), RuntimeError)])
OpInfo("flipud", lambda dt, rng: [S(arr((2, 3), dt, rng)), S(arr((3,), dt, rng))],
       errors=lambda: [(S(arr(())), RuntimeError)])
OpInfo("roll", lambda dt, rng: [S(arr((2, 3), dt, rng), 1), S(arr((2, 3), dt, rng), -4, 1),
                                S(arr((2, 3), dt, rng), (1, 2), (0, 1)),
                                S(arr((), dt, rng), 1), S(arr((0, 2), dt, rng), 1, 1)],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((2, 3)), (1, 2), 0), RuntimeError),
                                           (S(arr(()), 1, 0), IndexError)])
OpInfo("rot90", lambda dt, rng: [S(arr((2, 3), dt, rng)), S(arr((2, 3), dt, rng), 2),
                                 S(arr((2, 3, 2), dt, rng), -1, (2, 0)),
                                 S(arr((2, 3), dt, rng), 4)],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((3,))), RuntimeError),
                                           (S(arr((2, 3)), 1, (0, 0)), RuntimeError)])
OpInfo("unfold", lambda dt, rng: [S(arr((5, 2), dt, rng), 0, 2, 1),
                                  S(arr((2, 7), dt, rng), -1, 3, 2),
                                  S(arr((4,), dt, rng), 0, 4, 1), S(arr((), dt, rng), 0, 1, 1),
                                  S(arr((3,), dt, rng), 0, 0, 1)],
       ember_fn=method_of("unfold"), torch_fn=method_of("unfold"), dtypes=ALL_NUMERIC,
       errors=lambda: [(S(arr((3,)), 0, 4, 1), RuntimeError),
                       (S(arr((3,)), 0, 2, 0), RuntimeError)])
OpInfo("meshgrid", lambda dt, rng: [S(arr((2,), dt, rng), arr((3,), dt, rng), indexing="ij"),
                                    S(arr((2,), dt, rng), arr((3,), dt, rng), indexing="xy"),
                                    S([arr((2,), dt, rng), arr((), dt, rng), arr((3,), dt, rng)],
                                      indexing="xy")],
       dtypes=FLOATS + ("int64",),
       errors=lambda: [(S(arr((2,)), indexing="yx"), RuntimeError),
                       (S(arr((2, 2)), indexing="ij"), RuntimeError)])
for _n in ("atleast_1d", "atleast_2d", "atleast_3d"):
    OpInfo(_n, lambda dt, rng: [S(arr((), dt, rng)), S(arr((3,), dt, rng)),
                                S(arr((2, 3), dt, rng)), S(arr((2, 1, 2), dt, rng)),
                                S(arr((), dt, rng), arr((2,), dt, rng))],
           dtypes=ALL_NUMERIC)
OpInfo("narrow_copy", lambda dt, rng: [S(arr((5, 2), dt, rng), 0, 1, 3),
                                       S(arr((2, 5), dt, rng), -1, 0, 0)],
       dtypes=ALL_NUMERIC, errors=lambda: [(S(arr((5, 2)), 0, 3, 3), RuntimeError)])
