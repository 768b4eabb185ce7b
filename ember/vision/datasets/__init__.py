"""Datasets that read the standard distribution files, plus Digits (bundled, no download).

Signatures and behaviour follow torchvision.datasets: ``root`` (str or Path), ``train`` or
``split``, ``transform``, ``target_transform``, ``download``; items are ``(PIL image, int)``.
"""

from .cifar import CIFAR10, CIFAR100
from .digits import Digits
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from .svhn import SVHN
from .vision import VisionDataset

__all__ = [
    "CIFAR10", "CIFAR100", "Digits", "DatasetFolder", "EMNIST", "FakeData", "FashionMNIST",
    "ImageFolder", "KMNIST", "MNIST", "SVHN", "VisionDataset",
]
