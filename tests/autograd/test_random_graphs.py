"""Randomly generated programs (fixed seeds) mixing ops, shared subexpressions, views and
in-place updates: gradients and second derivatives must match torch."""

from __future__ import annotations

import random

import pytest

from .helpers import same_as_torch

DATA = [[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]


def program(seed: int, lib, second_order: bool = False):
    rnd = random.Random(seed)
    x = lib.tensor(DATA, dtype=lib.float64, requires_grad=True)
    w = lib.tensor([0.7, -0.3, 0.2], dtype=lib.float64, requires_grad=True)
    pool = [x, w, x * 1]
    for _ in range(8):
        a = rnd.choice(pool)
        b = rnd.choice(pool)
        k = rnd.randrange(11)
        if k == 0:
            r = a + b
        elif k == 1:
            r = a * b
        elif k == 2:
            r = a - b * 0.5
        elif k == 3:
            r = a / (b * b + 1)
        elif k == 4:
            r = (a * 0.3).exp()
        elif k == 5:
            r = (a * a + 1).log()
        elif k == 6:
            r = a.clone()
            if r.dim() == 2:
                r[rnd.randrange(2)].mul_(b if b.dim() == 1 else 2.0)
            else:
                r.add_(b.sum(0) if b.dim() == 2 else b)
        elif k == 7:
            r = a.transpose(0, 1).reshape(-1).view(a.shape[::-1]).transpose(0, 1) \
                if a.dim() == 2 else a.expand(2, 3) * 1
        elif k == 8:
            r = a * 1
            r.mul_(b.mean())
        elif k == 9 and a.dim() == 2:  # a view taken before its base is written through
            base = a * 1                # another view, then used
            early = base[rnd.randrange(2)]
            base[:, rnd.randrange(3)].add_(b.sum())
            pool.append(early * 1)
            r = base
        else:
            r = a * 1
            r.t().mul_(2.0) if r.dim() == 2 else r.mul_(2.0)
            r = r.exp() if rnd.random() < 0.5 else r
        pool.append(r)
    out = sum(((t * t).sum() for t in pool[2:]), lib.tensor(0.0, dtype=lib.float64))
    if second_order:
        gx, gw = lib.autograd.grad(out, [x, w], create_graph=True)
        return lib.autograd.grad((gx * gx).sum() + (gw * gw).sum(), [x, w],
                                 allow_unused=True)
    return lib.autograd.grad(out, [x, w], allow_unused=True)


@pytest.mark.parametrize("seed", range(60))
def test_random_program_gradients(seed):
    same_as_torch(lambda lib: program(seed, lib), atol=1e-9, rtol=1e-7)


@pytest.mark.parametrize("seed", range(0, 25, 3))
def test_random_program_second_order(seed):
    same_as_torch(lambda lib: program(seed, lib, second_order=True), atol=1e-8, rtol=1e-6)
