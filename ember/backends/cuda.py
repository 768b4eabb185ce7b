"""torch.backends.cuda flags (TF32 switches). ember's GPU matmuls follow CuPy's defaults;
the flags exist so torch code that sets them runs."""


class _Matmul:
    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _Matmul()


def is_built() -> bool:
    from ..device import cupy_module
    return cupy_module() is not None
