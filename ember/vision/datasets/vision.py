"""VisionDataset: the base class of the image datasets (root, transforms, torchvision's repr)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ember.utils.data import Dataset

__all__ = ["StandardTransform", "VisionDataset"]


def _indent_tail(text: str, head: str) -> list[str]:
    """``head + text`` with the continuation lines of a multi-line ``text`` aligned under it."""
    first, *rest = text.splitlines() or [""]
    return [head + first] + [" " * len(head) + line for line in rest]


class StandardTransform:
    """Apply ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(
        self, transform: Callable | None = None, target_transform: Callable | None = None
    ) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input: Any, target: Any) -> tuple[Any, Any]:
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def __repr__(self) -> str:
        lines = [type(self).__name__]
        if self.transform is not None:
            lines += _indent_tail(repr(self.transform), "Transform: ")
        if self.target_transform is not None:
            lines += _indent_tail(repr(self.target_transform), "Target transform: ")
        return "\n".join(lines)


class VisionDataset(Dataset):
    """Base of ember's image datasets, as torchvision's ``VisionDataset``.

    ``root`` may be a str (``~`` is expanded) or a ``pathlib.Path``. Either pass
    ``transforms`` (a callable on ``(input, target)``) or the pair ``transform`` /
    ``target_transform``, not both. Subclasses implement ``__getitem__`` and ``__len__`` and
    may add lines to the repr through ``extra_repr``.
    """

    _repr_indent = 4

    def __init__(
        self,
        root: str | Path | None = None,
        transforms: Callable | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ) -> None:
        self.root = os.path.expanduser(root) if isinstance(root, str) else root
        has_separate = transform is not None or target_transform is not None
        if transforms is not None and has_separate:
            raise ValueError(
                "Only transforms or transform/target_transform can be passed as argument"
            )
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def _apply_transforms(self, sample: Any, target: Any) -> tuple[Any, Any]:
        """Apply ``transform``/``target_transform`` as they are now (users reassign them)."""
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def extra_repr(self) -> str:
        """Dataset-specific lines for the repr (e.g. ``Split: Train``)."""
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transforms is not None:
            # torchvision indents only the first line of the transforms' block; match it
            # so printed datasets look the same.
            body.append(repr(self.transforms))
        indent = " " * self._repr_indent
        return "\n".join([f"Dataset {type(self).__name__}"] + [indent + line for line in body])
