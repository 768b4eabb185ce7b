"""The `ember` command: `ember train`, `ember eval CHECKPOINT`, `ember info`.

`ember train` with no arguments trains a small CNN on the bundled Digits dataset (no
download needed). The training loop itself lives in `ember.training`, usable from Python.
"""

from __future__ import annotations

import argparse
import platform
import sys

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``ember train: error: ... (see ember train --help)``."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    from ember.training import DATASETS, SCHEDULES, TrainConfig
    from ember.vision.models import MODELS
    defaults = TrainConfig()
    parser = _Parser(prog="ember", description="ember: a readable PyTorch-API framework.")
    commands = parser.add_subparsers(dest="command", metavar="{train,eval,info}",
                                     parser_class=_Parser)

    p = commands.add_parser("train", help="train an image classifier (default: CNN on Digits)",
                            description="Train an image classifier and write a run directory "
                                        "with checkpoints, metrics.csv and curves.png.")
    p.add_argument("--model", choices=sorted(MODELS), default=defaults.model)
    p.add_argument("--dataset", choices=DATASETS, default=defaults.dataset)
    p.add_argument("--data-dir", default=defaults.data_dir,
                   help="where MNIST/Fashion-MNIST/CIFAR-10 files are (default: %(default)s)")
    p.add_argument("--download", action="store_true", help="download the dataset if missing")
    p.add_argument("--epochs", type=int, default=defaults.epochs)
    p.add_argument("--batch-size", type=int, default=defaults.batch_size)
    p.add_argument("--lr", type=float, default=defaults.lr, help="peak learning rate")
    p.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    p.add_argument("--schedule", choices=SCHEDULES, default=defaults.schedule)
    p.add_argument("--device", default=defaults.device)
    p.add_argument("--num-workers", type=int, default=defaults.num_workers)
    p.add_argument("--patience", type=int, default=defaults.patience,
                   help="epochs without validation improvement before stopping")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--out", default=defaults.out, help="parent of run directories")
    p.add_argument("--name", default=None, help="run directory name (default: generated)")
    p.add_argument("--resume", metavar="RUN_DIR", default=None,
                   help="continue an interrupted run (other options are taken from it)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")

    p = commands.add_parser("eval", help="test accuracy and confusion matrix of a checkpoint")
    p.add_argument("checkpoint")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--device", default="cpu")

    commands.add_parser("info", help="versions, devices, BLAS library and threads")
    return parser


def _cmd_train(args) -> int:
    from ember.training import TrainConfig, resume, train
    progress = not args.no_progress and sys.stderr.isatty()
    if args.resume:
        resume(args.resume, progress=progress)
    else:
        config = TrainConfig(
            model=args.model, dataset=args.dataset, data_dir=args.data_dir,
            download=args.download, epochs=args.epochs, batch_size=args.batch_size,
            lr=args.lr, weight_decay=args.weight_decay, schedule=args.schedule,
            patience=args.patience, device=args.device, num_workers=args.num_workers,
            seed=args.seed, out=args.out, name=args.name)
        train(config, progress=progress)  # its last line reports the test accuracy
    return 0


def format_confusion(confusion, classes: list[str]) -> str:
    """The confusion matrix as a text table, rows = true class, columns = predicted."""
    width = max(5, *(len(c) + 1 for c in classes), len(str(int(confusion.max().item()))) + 1)
    lines = ["true\\pred".ljust(10) + "".join(c.rjust(width) for c in classes)]
    for name, row in zip(classes, confusion.tolist()):
        lines.append(name.ljust(10) + "".join(str(v).rjust(width) for v in row))
    return "\n".join(lines)


def _cmd_eval(args) -> int:
    from ember.training import evaluate_checkpoint
    loss, acc, confusion, classes = evaluate_checkpoint(args.checkpoint, data_dir=args.data_dir,
                                                        device=args.device)
    print(f"{args.checkpoint}: test loss {loss:.4f}, test accuracy {acc:.2%} "
          f"({int(confusion.sum().item())} images)")
    print(format_confusion(confusion, classes))
    return 0


def _blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (install threadpoolctl to see it)"
    blas = [f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} threads)"
            for p in threadpool_info() if p.get("user_api") == "blas"]
    return ", ".join(blas) or "none found"


def _cmd_info(args) -> int:
    import importlib.metadata as md

    import numpy

    import ember
    lines = [f"ember       {ember.__version__}",
             f"python      {platform.python_version()} ({sys.executable})",
             f"platform    {platform.platform()}",
             f"numpy       {numpy.__version__}",
             f"BLAS        {_blas_info()}",
             f"threads     {ember.get_num_threads()}",
             f"cuda        {'available, ' + str(ember.cuda.device_count()) + ' device(s)' if ember.cuda.is_available() else 'not available'}"]  # noqa: E501
    for package in ("cupy", "safetensors", "tqdm", "Pillow", "matplotlib", "scipy", "torch"):
        try:
            version = md.version(package)
        except md.PackageNotFoundError:
            version = "not installed"
        lines.append(f"{package:<11} {version}")
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `ember` console script; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    handler = {"train": _cmd_train, "eval": _cmd_eval, "info": _cmd_info}[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("ember: interrupted", file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError, RuntimeError, ImportError, OSError) as exc:
        # one clear line instead of a traceback: these are the user's to fix
        message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        print(f"ember {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
