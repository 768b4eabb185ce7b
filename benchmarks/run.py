"""Run the same workloads in ember and torch, in one process, and print ember/torch.

Rounds alternate between the two frameworks so machine noise hits both alike; the
reported ratio is the median over rounds. ratio < 1 means ember is faster (for the
matmul workload the ratio is of GFLOP/s, so > 1 means ember is faster).

    python benchmarks/run.py                 # all workloads
    python benchmarks/run.py overhead matmul # some
    python benchmarks/run.py --rounds 9
"""

from __future__ import annotations

import argparse
import importlib
import pathlib
import statistics
import sys

import numpy as np
from harness import WORKLOADS  # run.py's own folder is on sys.path when run as a script

# every benchmarks/workloads_*.py registers its workloads on import
for _path in sorted(pathlib.Path(__file__).resolve().parent.glob("workloads_*.py")):
    importlib.import_module(_path.stem)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="workloads to run (default: all)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=None,
                   help="threads for both frameworks (default: torch's default)")
    args = p.parse_args(argv)
    import ember
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        threads = args.threads or torch.get_num_threads()
        torch.set_num_threads(threads)
        ember.set_num_threads(threads)  # BLAS threads, through threadpoolctl
    names = args.names or list(WORKLOADS)
    print(f"ember {ember.__version__}" + (f", torch {torch.__version__} "
                                          f"({torch.get_num_threads()} threads)" if torch else
                                          " (torch not installed: no ratios)"))
    print(f"{'workload':<20} {'unit':>8} {'ember':>10} {'torch':>10} {'ember/torch':>12}")
    for name in names:
        fn, unit, higher = WORKLOADS[name]
        e_vals, t_vals, ratios = [], [], []
        for _ in range(args.rounds):
            e = fn(ember)
            e_vals.append(e)
            if torch is not None:
                t = fn(torch)
                t_vals.append(t)
                ratios.append(e / t)
        e_med = statistics.median(e_vals)
        if torch is None:
            print(f"{name:<20} {unit:>8} {e_med:>10.3f}")
            continue
        print(f"{name:<20} {unit:>8} {e_med:>10.3f} {statistics.median(t_vals):>10.3f} "
              f"{statistics.median(ratios):>12.2f}")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
