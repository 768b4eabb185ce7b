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

# ----- structural ops -----------------------------------------------------------------------

OpInfo("diagonal", lambda dt, rng: [
    S(arr((3, 4), dt, rng)), S(arr((3, 4), dt, rng), 1), S(arr((3, 4), dt, rng), -2),
    S(arr((2, 3, 4), dt, rng), 0, 0, 2), S(arr((2, 3, 4), dt, rng), -1, -1, 1),
    S(arr((2, 3), dt, rng), 5)], dtypes=NUM, method=True,
    errors=lambda: [(S(arr((3,))), IndexError), (S(arr((2, 3)), 0, 1, 1), RuntimeError)])
OpInfo("diag_embed", lambda dt, rng: [
    S(arr((3,), dt, rng)), S(arr((2, 3), dt, rng), 1), S(arr((2, 3), dt, rng), -1, 0, 2)],
    dtypes=NUM, errors=lambda: [(S(arr((2, 3)), 0, 1, 1), RuntimeError)])
OpInfo("diag", lambda dt, rng: [
    S(arr((3,), dt, rng)), S(arr((3,), dt, rng), 1), S(arr((3, 4), dt, rng)),
    S(arr((3, 4), dt, rng), -1)], dtypes=NUM, method=True,
    errors=lambda: [(S(arr((2, 2, 2))), RuntimeError)])
OpInfo("diagflat", lambda dt, rng: [S(arr((2, 2), dt, rng)), S(arr((3,), dt, rng), -1)],
       dtypes=NUM)
OpInfo("trace", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(arr((3, 3), dt, rng))],
       dtypes=NUM, method=True, errors=lambda: [(S(arr((3,))), RuntimeError)])
OpInfo("tril", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(arr((2, 3, 4), dt, rng), 1),
                                S(arr((3, 4), dt, rng), diagonal=-1)],
       dtypes=NUM, method=True, errors=lambda: [(S(arr((3,))), RuntimeError)])
OpInfo("triu", lambda dt, rng: [S(arr((3, 4), dt, rng)), S(arr((2, 3, 4), dt, rng), -1),
                                S(arr((0, 2), dt, rng))],
       dtypes=NUM, method=True, errors=lambda: [(S(arr((3,))), RuntimeError)])
OpInfo("tril_indices", lambda dt, rng: [S(3, 3), S(4, 3, 1), S(3, 5, -1), S(0, 0)],
       dtypes=("float64",), grad=False, gradcheck=False, gradgrad=False)
OpInfo("triu_indices", lambda dt, rng: [S(3, 3), S(4, 3, 1), S(3, 5, -1)],
       dtypes=("float64",), grad=False, gradcheck=False, gradgrad=False)


def _tril_inplace(lib):
    def f(x, *a):
        return x.clone().tril_(*a)
    return f


OpInfo("tril_", lambda dt, rng: [S(arr((3, 4), dt, rng), 1)],
       ember_fn=_tril_inplace(__import__("ember")), torch_fn=lambda x, *a: x.clone().tril_(*a))
OpInfo("triu_", lambda dt, rng: [S(arr((3, 4), dt, rng), -1)],
       ember_fn=lambda x, *a: x.clone().triu_(*a), torch_fn=lambda x, *a: x.clone().triu_(*a))

# ----- einsum / tensordot / kron / cross / cdist ---------------------------------------------


def _einsum_samples(dt, rng):
    return [S("ij,jk->ik", arr((2, 3), dt, rng), arr((3, 4), dt, rng)),
            S("ij,jk", arr((2, 3), dt, rng), arr((3, 4), dt, rng)),
            S("bij,bjk->bik", arr((2, 2, 3), dt, rng), arr((2, 3, 2), dt, rng)),
            S("ii->i", arr((3, 3), dt, rng)), S("ii", arr((3, 3), dt, rng)),
            S("ij->", arr((2, 3), dt, rng)), S("i,j->ij", arr((2,), dt, rng), arr((3,), dt, rng)),
            S("...ij,...jk->...ik", arr((2, 2, 3), dt, rng), arr((3, 2), dt, rng)),
            S("ij,jk,kl->il", arr((2, 3), dt, rng), arr((3, 2), dt, rng), arr((2, 2), dt, rng)),
            S("ij,ij->i", [arr((2, 3), dt, rng), arr((2, 3), dt, rng)]),
            S("bi,i->b", arr((2, 3), dt, rng), arr((3,), dt, rng)),
            S("ijk->kj", arr((2, 3, 2), dt, rng))]


OpInfo("einsum", _einsum_samples, dtypes=NUM,
       errors=lambda: [(S("ij,jk", arr((2, 3)), arr((4, 5))), RuntimeError),
                       (S("ij", arr((2, 3, 4))), RuntimeError),
                       (S("ij->k", arr((2, 3))), RuntimeError)])
OpInfo("tensordot", lambda dt, rng: [
    S(arr((2, 3, 4), dt, rng), arr((3, 4, 2), dt, rng)),
    S(arr((2, 3), dt, rng), arr((3, 2), dt, rng), dims=1),
    S(arr((2, 3, 4), dt, rng), arr((4, 2, 3), dt, rng), dims=([1, 2], [2, 0])),
    S(arr((2,), dt, rng), arr((3,), dt, rng), dims=0)], dtypes=NUM,
    errors=lambda: [(S(arr((2, 3)), arr((4, 5)), dims=([1], [0])), RuntimeError)])
OpInfo("kron", lambda dt, rng: [S(arr((2, 2), dt, rng), arr((2, 3), dt, rng)),
                                S(arr((2,), dt, rng), arr((2, 3), dt, rng)),
                                S(arr((2, 1, 2), dt, rng), arr((3,), dt, rng))],
       dtypes=NUM, method=True)
OpInfo("cross", lambda dt, rng: [S(arr((3,), dt, rng), arr((3,), dt, rng)),
                                 S(arr((2, 3), dt, rng), arr((2, 3), dt, rng), dim=1),
                                 S(arr((3, 2), dt, rng), arr((3, 2), dt, rng), dim=0),
                                 S(arr((2, 3), dt, rng), arr((1, 3), dt, rng), dim=-1)],
       dtypes=NUM, errors=lambda: [(S(arr((2, 3)), arr((2, 4)), dim=1), RuntimeError)])
OpInfo("linalg.cross", lambda dt, rng: [S(arr((2, 3), dt, rng), arr((2, 3), dt, rng)),
                                        S(arr((3, 2), dt, rng), arr((3, 2), dt, rng), dim=0)],
       dtypes=NUM)
OpInfo("cdist", lambda dt, rng: [
    S(arr((3, 2), dt, rng), arr((4, 2), dt, rng)),
    S(arr((2, 3, 2), dt, rng), arr((2, 2, 2), dt, rng), p=1.0),
    S(arr((3, 2), dt, rng), arr((2, 2), dt, rng), p=3.0),
    S(arr((3, 2), dt, rng), arr((2, 2), dt, rng), p=float("inf"))],
    errors=lambda: [(S(arr((3, 2)), arr((2, 3))), RuntimeError)])
OpInfo("chain_matmul", lambda dt, rng: [
    S(arr((2, 3), dt, rng), arr((3, 4), dt, rng), arr((4, 2), dt, rng))], dtypes=NUM)
OpInfo("linalg.multi_dot", lambda dt, rng: [
    S([arr((3,), dt, rng), arr((3, 4), dt, rng), arr((4, 2), dt, rng)]),
    S([arr((2, 3), dt, rng), arr((3, 4), dt, rng), arr((4,), dt, rng)])], dtypes=NUM)
OpInfo("linalg.vecdot", lambda dt, rng: [S(arr((2, 3), dt, rng), arr((2, 3), dt, rng)),
                                         S(arr((3, 2), dt, rng), arr((2,), dt, rng), dim=0)])

# ----- norms ----------------------------------------------------------------------------------


def _vnorm_samples(dt, rng):
    out = [S(arr((3, 4), dt, rng)), S(arr((3, 4), dt, rng), 1),
           S(arr((3, 4), dt, rng), 3, 1, True), S(arr((2, 3, 2), dt, rng), 2, (0, 2)),
           S(arr((3, 4), dt, rng), float("inf"), -1), S(arr((3, 4), dt, rng), -float("inf")),
           S(arr((3, 4), dt, rng), 0.5, 0), S(arr((), dt, rng))]
    z = arr((2, 3), dt, rng)
    z[0] = 0.0
    out.append(S(z, 2, 1))
    return out


OpInfo("linalg.vector_norm", _vnorm_samples, gradgrad=False,
       errors=lambda: [(S(arr((2,), "int64")), RuntimeError)])
OpInfo("linalg.vector_norm_gradgrad", lambda dt, rng: [
    S(arr((3, 4), dt, rng)), S(arr((3, 4), dt, rng), 3, 1), S(arr((3, 4), dt, rng), 1)],
    ember_fn=lambda *a: __import__("ember").linalg.vector_norm(*a),
    torch_fn=lambda *a: __import__("torch").linalg.vector_norm(*a))


def _mnorm_samples(dt, rng):
    return [S(arr((3, 4), dt, rng)), S(arr((3, 4), dt, rng), "nuc"),
            S(arr((2, 3, 3), dt, rng), 1), S(arr((3, 4), dt, rng), -1),
            S(arr((3, 4), dt, rng), float("inf")), S(arr((3, 4), dt, rng), -float("inf")),
            S(arr((3, 4), dt, rng), 2), S(arr((3, 4), dt, rng), -2),
            S(arr((3, 2, 4), dt, rng), "fro", (0, 2), True)]


OpInfo("linalg.matrix_norm", _mnorm_samples, gradgrad=False,
       errors=lambda: [(S(arr((3,))), RuntimeError)])
OpInfo("linalg.norm", lambda dt, rng: [
    S(arr((3, 4), dt, rng)), S(arr((4,), dt, rng), 1), S(arr((3, 4), dt, rng), "fro"),
    S(arr((3, 4), dt, rng), 2, 1), S(arr((2, 3, 4), dt, rng), None, (1, 2))], gradgrad=False)

# ----- decompositions ---------------------------------------------------------------------------


def _wellcond(shape, dt, rng):
    """Random square matrices with n*I added (well conditioned)."""
    a = arr(shape, "float64", rng, -1, 1)
    a = a + shape[-1] * np.eye(shape[-1])
    return a.astype(dt)


def _spd(shape, dt, rng):
    a = arr(shape, "float64", rng, -1, 1)
    a = a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])
    return a.astype(dt)


_SQ = [(3, 3), (2, 3, 3), (1, 1), (0, 0)]

OpInfo("linalg.inv", lambda dt, rng: [S(_wellcond(s, dt, rng)) for s in _SQ], atol=1e-4,
       errors=lambda: [(S(np.zeros((2, 2))), RuntimeError), (S(arr((2, 3))), RuntimeError),
                       (S(arr((2, 2), "int64")), RuntimeError)])
OpInfo("inverse", lambda dt, rng: [S(_wellcond((3, 3), dt, rng))], atol=1e-4, method=True)
OpInfo("linalg.det", lambda dt, rng: [S(_wellcond(s, dt, rng)) for s in _SQ] +
       [S(arr((3, 3), dt, rng))], atol=1e-4, errors=lambda: [(S(arr((2, 3))), RuntimeError)])
OpInfo("det", lambda dt, rng: [S(_wellcond((2, 3, 3), dt, rng))], atol=1e-4, method=True)
OpInfo("linalg.slogdet", lambda dt, rng: [S(_wellcond(s, dt, rng)) for s in _SQ[:3]] +
       [S(-_wellcond((3, 3), dt, rng))], atol=1e-4)
OpInfo("slogdet", lambda dt, rng: [S(_wellcond((2, 2, 2), dt, rng))], atol=1e-4)
OpInfo("logdet", lambda dt, rng: [S(_spd((3, 3), dt, rng)), S(_spd((2, 2, 2), dt, rng))],
       atol=1e-4)


def _solve_samples(dt, rng):
    return [S(_wellcond((3, 3), dt, rng), arr((3, 2), dt, rng)),
            S(_wellcond((3, 3), dt, rng), arr((3,), dt, rng)),
            S(_wellcond((2, 3, 3), dt, rng), arr((2, 3), dt, rng)),
            S(_wellcond((2, 3, 3), dt, rng), arr((3, 1), dt, rng)),
            S(_wellcond((3, 3), dt, rng), arr((2, 3, 2), dt, rng)),
            S(_wellcond((3, 3), dt, rng), arr((2, 3), dt, rng), left=False)]


OpInfo("linalg.solve", _solve_samples, atol=1e-4,
       errors=lambda: [(S(np.eye(3), arr((2,))), RuntimeError),
                       (S(np.zeros((2, 2)), arr((2,))), RuntimeError)])


def _sym(fn_name, lib_name):
    """Wrap a function of a Hermitian matrix so that it only sees A + A^T (gradcheck
    perturbs both triangles; the factorizations read one)."""
    def f(a, *args, **kwargs):
        lib = __import__(lib_name)
        fn = lib
        for part in fn_name.split("."):
            fn = getattr(fn, part)
        return fn(a + a.mT, *args, **kwargs)
    return f


OpInfo("linalg.cholesky", lambda dt, rng: [S(_spd((3, 3), dt, rng)), S(_spd((2, 2, 2), dt, rng)),
                                           S(_spd((3, 3), dt, rng), upper=True)],
       ember_fn=_sym("linalg.cholesky", "ember"), torch_fn=_sym("linalg.cholesky", "torch"),
       atol=1e-4)
OpInfo("linalg.cholesky_errors", lambda dt, rng: [], grad=False, gradcheck=False,
       gradgrad=False, ember_fn=lambda a: __import__("ember").linalg.cholesky(a),
       torch_fn=lambda a: __import__("torch").linalg.cholesky(a),
       errors=lambda: [(S(-np.eye(2)), RuntimeError), (S(arr((2, 3))), RuntimeError)])
OpInfo("cholesky", lambda dt, rng: [S(_spd((3, 3), dt, rng))], atol=1e-4,
       ember_fn=_sym("cholesky", "ember"), torch_fn=_sym("cholesky", "torch"))


def _qr_samples(dt, rng):
    return [S(arr((4, 3), dt, rng)), S(arr((3, 3), dt, rng)), S(arr((2, 4, 2), dt, rng)),
            S(arr((3, 3), dt, rng), mode="complete"), S(arr((2, 4), dt, rng)),
            S(arr((2, 2, 3), dt, rng), mode="complete")]


OpInfo("linalg.qr", _qr_samples, atol=1e-4,
       errors=lambda: [(S(arr((3, 3)), mode="bad"), RuntimeError)])
OpInfo("linalg.qr_r", lambda dt, rng: [S(arr((4, 3), dt, rng), mode="r"),
                                       S(arr((3, 5), dt, rng), mode="complete")],
       ember_fn=lambda *a, **k: __import__("ember").linalg.qr(*a, **k)[1],
       torch_fn=lambda *a, **k: __import__("torch").linalg.qr(*a, **k)[1],
       grad=False, gradcheck=False, gradgrad=False, atol=1e-4)
OpInfo("qr", lambda dt, rng: [S(arr((4, 3), dt, rng))], atol=1e-4)


def _sv_matrix(shape, dt, rng):
    """Matrices with well-separated singular values (and a fixed sign convention)."""
    m, n = shape[-2:]
    k = min(m, n)
    q1, _ = np.linalg.qr(arr(shape[:-2] + (m, m), "float64", rng))
    q2, _ = np.linalg.qr(arr(shape[:-2] + (n, n), "float64", rng))
    s = np.zeros(shape)
    idx = np.arange(k)
    s[..., idx, idx] = 1.0 + 1.5 * np.arange(k)[::-1]
    return (q1 @ s @ q2).astype(dt)


def _svd_invariant(lib_name):
    """Gauge-invariant functions of the SVD (singular vectors are defined up to sign)."""
    def f(a, full_matrices=False):
        lib = __import__(lib_name)
        U, S, Vh = lib.linalg.svd(a, full_matrices=full_matrices)
        k = S.shape[-1]
        U, Vh = U[..., :k], Vh[..., :k, :]
        return S, (U * S.unsqueeze(-2)) @ U.mT, (Vh.mT * S.unsqueeze(-2)) @ Vh, \
            (U * S.unsqueeze(-2)) @ Vh
    return f


_SVS = [(3, 3), (4, 2), (2, 4), (2, 3, 2)]
OpInfo("linalg.svd", lambda dt, rng: [S(_sv_matrix(s, dt, rng)) for s in _SVS],
       ember_fn=_svd_invariant("ember"), torch_fn=_svd_invariant("torch"), atol=1e-4)
OpInfo("linalg.svdvals", lambda dt, rng: [S(_sv_matrix(s, dt, rng)) for s in _SVS],
       atol=1e-4)


def _torch_svd_inv(lib_name):
    def f(a, some=True):
        U, S, V = __import__(lib_name).svd(a, some=some)
        k = S.shape[-1]
        return S, (U[..., :k] * S.unsqueeze(-2)) @ V[..., :k].mT
    return f


OpInfo("svd", lambda dt, rng: [S(_sv_matrix((4, 3), dt, rng)),
                               S(_sv_matrix((3, 3), dt, rng), some=False)],
       ember_fn=_torch_svd_inv("ember"), torch_fn=_torch_svd_inv("torch"), atol=1e-4)


def _eig_matrix(shape, dt, rng):
    n = shape[-1]
    q, _ = np.linalg.qr(arr(shape, "float64", rng))
    w = np.arange(n) * 1.0 - n / 2 + 0.25
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2) / 2


def _eigh_invariant(lib_name):
    def f(a, UPLO="L"):
        lib = __import__(lib_name)
        w, V = lib.linalg.eigh(a + a.mT, UPLO)
        return w, (V * (w * w).unsqueeze(-2)) @ V.mT
    return f


OpInfo("linalg.eigh", lambda dt, rng: [S(_eig_matrix((3, 3), "float64", rng).astype(dt)),
                                       S(_eig_matrix((2, 3, 3), "float64", rng).astype(dt), "U")],
       ember_fn=_eigh_invariant("ember"), torch_fn=_eigh_invariant("torch"), atol=1e-4)
OpInfo("linalg.eigvalsh", lambda dt, rng: [S(_eig_matrix((3, 3), "float64", rng).astype(dt))],
       ember_fn=_sym("linalg.eigvalsh", "ember"), torch_fn=_sym("linalg.eigvalsh", "torch"),
       atol=1e-4)


def _sorted_eigvals(e_out, t_out):
    import torch
    e = np.sort_complex(np.asarray(e_out).reshape(-1))
    t = np.sort_complex(t_out.numpy().reshape(-1))
    assert str(e_out.dtype) == str(t_out.dtype)
    np.testing.assert_allclose(e, t, atol=1e-4, rtol=1e-4)
    del torch


OpInfo("linalg.eigvals", lambda dt, rng: [S(arr((3, 3), dt, rng)), S(_eig_matrix((3, 3), dt,
                                                                                  rng))],
       grad=False, gradcheck=False, gradgrad=False, compare=_sorted_eigvals)


def _eig_check(lib_name):
    def f(a):
        lib = __import__(lib_name)
        w, V = lib.linalg.eig(a)
        ac = a.to(w.dtype)
        return (ac @ V - V * w.unsqueeze(-2)).abs().amax() < 1e-4
    return f


OpInfo("linalg.eig", lambda dt, rng: [S(arr((3, 3), dt, rng))], grad=False, gradcheck=False,
       gradgrad=False, ember_fn=lambda a: bool(_eig_resid(a)),
       torch_fn=lambda a: True)


def _eig_resid(a):
    import ember
    w, V = ember.linalg.eig(a)
    an = np.asarray(a).astype(np.asarray(w).dtype)
    r = an @ np.asarray(V) - np.asarray(V) * np.asarray(w)[None, :]
    del ember
    return np.abs(r).max() < 1e-4


OpInfo("linalg.pinv", lambda dt, rng: [S(_sv_matrix(s, dt, rng)) for s in _SVS], atol=1e-4)
OpInfo("pinverse", lambda dt, rng: [S(_sv_matrix((3, 2), dt, rng))], atol=1e-4)
OpInfo("linalg.pinv_rankdef", lambda dt, rng: [S(np.ones((3, 3), dt))], grad=False,
       gradcheck=False, gradgrad=False, atol=1e-4,
       ember_fn=lambda a: __import__("ember").linalg.pinv(a),
       torch_fn=lambda a: __import__("torch").linalg.pinv(a))
OpInfo("linalg.lstsq", lambda dt, rng: [
    S(_sv_matrix((4, 3), dt, rng), arr((4, 2), dt, rng)),
    S(_sv_matrix((3, 3), dt, rng), arr((3, 1), dt, rng)),
    S(_sv_matrix((2, 4, 3), dt, rng), arr((2, 4, 2), dt, rng))], atol=1e-4)
OpInfo("linalg.matrix_rank", lambda dt, rng: [
    S(arr((3, 3), dt, rng)), S(np.ones((3, 4), dt)), S(arr((2, 3, 2), dt, rng)),
    S(np.ones((3, 3), dt), atol=0.5)], grad=False, gradcheck=False, gradgrad=False)
OpInfo("linalg.matrix_power", lambda dt, rng: [
    S(_wellcond((3, 3), dt, rng) / 3, 3), S(_wellcond((2, 2, 2), dt, rng) / 2, 0),
    S(_wellcond((3, 3), dt, rng) / 3, -2), S(_wellcond((2, 2), dt, rng) / 2, 1)], atol=1e-4,
    errors=lambda: [(S(arr((2, 3)), 2), RuntimeError)])
OpInfo("matrix_power", lambda dt, rng: [S(_wellcond((3, 3), dt, rng) / 3, 2)], method=True,
       atol=1e-4)


def _lstsq_drivers(dt, rng):
    return [S(_sv_matrix((4, 2), dt, rng), arr((4, 2), dt, rng), driver="gelsd"),
            S(_sv_matrix((4, 3), dt, rng), arr((4,), dt, rng), driver="gelss"),
            S(_sv_matrix((3, 3), dt, rng), arr((3, 2), dt, rng), driver="gels")]


def _lstsq_parts(lib_name):
    """(solution, residuals, rank) plus detached singular values: torch does not
    differentiate singular_values, so gradcheck must not see them as outputs."""
    def f(*a, **k):
        r = __import__(lib_name).linalg.lstsq(*a, **k)
        return r.solution, r.residuals, r.rank, r.singular_values.detach().tolist()
    return f


OpInfo("linalg.lstsq_drivers", _lstsq_drivers, atol=1e-4, ember_fn=_lstsq_parts("ember"),
       torch_fn=_lstsq_parts("torch"), compare=lambda e, t: _cmp_lstsq(e, t))


def _cmp_lstsq(e, t):
    from tests.ops.test_opinfo import assert_same
    assert_same(e[:3], t[:3], 1e-4, 1e-4)
    np.testing.assert_allclose(np.asarray(e[3]), np.asarray(t[3]), atol=1e-4, rtol=1e-4)


def _tri_samples(dt, rng):
    return [S(_wellcond((3, 3), dt, rng), arr((3, 2), dt, rng), upper=True),
            S(_wellcond((2, 3, 3), dt, rng), arr((2, 3, 2), dt, rng), upper=False),
            S(_wellcond((3, 3), dt, rng), arr((2, 3), dt, rng), upper=True, left=False),
            S(_wellcond((3, 3), dt, rng), arr((3, 1), dt, rng), upper=False,
              unitriangular=True)]


OpInfo("linalg.solve_triangular", _tri_samples, atol=1e-4)
