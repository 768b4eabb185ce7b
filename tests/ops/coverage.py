"""Print the op registry's coverage: every registered op, what the generic tests check
for it, and which ops the foundation issue requires but the registry lacks.

    python -m tests.ops.coverage
"""

from __future__ import annotations

import ember
from tests.opinfo import REGISTRY
from tests.ops import registry  # noqa: F401 - fills REGISTRY

# Ops the foundation asks for that are pure tensor math (tested through the registry).
REQUIRED = """
abs absolute acos arccos acosh arccosh asin arcsin asinh arcsinh atan arctan atanh arctanh
atan2 arctan2 ceil floor round trunc fix frac clamp clip cos cosh sin sinh tan tanh
deg2rad rad2deg exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square pow float_power
reciprocal sigmoid logit erf erfc erfinv lgamma digamma sign sgn lerp addcmul addcdiv
maximum minimum fmax fmin fmod remainder hypot copysign xlogy nan_to_num where
eq ne lt le gt ge logical_and logical_or logical_xor logical_not bitwise_and bitwise_or
bitwise_xor bitwise_not isnan isinf isfinite isclose allclose equal neg add sub mul div
sum mean prod std var std_mean var_mean max min amax amin aminmax argmax argmin logsumexp
norm cumsum cumprod cummax cummin median nanmedian mode quantile topk sort argsort all any
count_nonzero unique unique_consecutive bincount histc nansum nanmean
matmul mm mv bmm dot vdot outer addmm addmv addbmm baddbmm einsum tensordot kron trace
diag diagonal diag_embed tril triu cross cdist
linalg.inv linalg.det linalg.slogdet linalg.solve linalg.cholesky linalg.qr linalg.svd
linalg.svdvals linalg.eig linalg.eigh linalg.eigvalsh linalg.lstsq linalg.pinv
linalg.matrix_norm linalg.vector_norm linalg.norm linalg.matrix_rank linalg.matrix_power
linalg.cross
reshape flatten unflatten squeeze unsqueeze permute transpose swapaxes movedim
broadcast_to repeat_interleave tile cat concat stack hstack vstack dstack split chunk
tensor_split unbind narrow flip fliplr flipud roll rot90 index_select gather scatter
scatter_add scatter_reduce index_add index_copy index_fill index_put masked_fill
masked_select masked_scatter take take_along_dim nonzero argwhere meshgrid
""".split()


def _exists(name: str) -> bool:
    obj = ember
    for part in name.split("."):
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def report() -> tuple[list[str], list[str]]:
    registered = {op.name for op in REGISTRY}
    missing_fn = [n for n in REQUIRED if not _exists(n)]
    missing_reg = [n for n in REQUIRED if n not in registered]
    return missing_fn, missing_reg


def main() -> None:
    print(f"{'op':<28} {'dtypes':<40} grad gradcheck gradgrad errors")
    for op in sorted(REGISTRY, key=lambda o: o.name):
        flags = ["yes" if op.grad else "-", "yes" if op.gradcheck else "-",
                 "yes" if op.gradgrad else "-", "yes" if op.errors else "-"]
        print(f"{op.name:<28} {','.join(op.dtypes):<40} {flags[0]:<4} {flags[1]:<9} "
              f"{flags[2]:<8} {flags[3]}")
    missing_fn, missing_reg = report()
    n_grad = sum(op.grad for op in REGISTRY)
    print(f"\n{len(REGISTRY)} ops in the registry, every one compared with torch "
          f"(forward); {n_grad} also on gradients; "
          f"{sum(op.gradgrad for op in REGISTRY)} with gradgradcheck; "
          f"{sum(op.errors is not None for op in REGISTRY)} with error inputs.")
    print(f"required ops missing from ember: {missing_fn or 'none'}")
    print(f"required ops missing from the registry: {missing_reg or 'none'}")


if __name__ == "__main__":
    main()
