"""Registry entries for nn.functional.linear and bilinear."""

from tests.opinfo import OpInfo, S, arr

OpInfo("nn.functional.linear",
       lambda dt, rng: [S(arr((3, 4), dt, rng), arr((5, 4), dt, rng), arr((5,), dt, rng)),
                        S(arr((2, 3, 4), dt, rng), arr((5, 4), dt, rng), arr((5,), dt, rng)),
                        S(arr((4,), dt, rng), arr((5, 4), dt, rng)),
                        S(arr((2, 3, 4), dt, rng), arr((5, 4), dt, rng))],
       errors=lambda: [(S(arr((3, 4)), arr((5, 3))), RuntimeError)])
OpInfo("nn.functional.bilinear",
       lambda dt, rng: [S(arr((3, 2), dt, rng), arr((3, 4), dt, rng), arr((5, 2, 4), dt, rng),
                          arr((5,), dt, rng)),
                        S(arr((2, 3, 2), dt, rng), arr((2, 3, 4), dt, rng),
                          arr((5, 2, 4), dt, rng))],
       errors=lambda: [(S(arr((3, 2)), arr((2, 4)), arr((5, 2, 4))), RuntimeError)])
