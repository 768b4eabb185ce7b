"""ResNet (He et al., 2015) with torchvision's architecture and state_dict layout.

``resnet18()`` ... ``resnet152()``, ``resnext50_32x4d()``, ``wide_resnet50_2()`` build the
same modules under the same names as torchvision's, so a torchvision checkpoint loads
with ``model.load_state_dict(ember.load("resnet18-f37072fd.pth"))``.

Pretrained weights: ember never downloads them (and never unpickles code). With
``weights="IMAGENET1K_V1"`` / ``"DEFAULT"`` (or the deprecated ``pretrained=True``) the
builder looks for torchvision's file in torch's hub cache
(``$TORCH_HOME/hub/checkpoints``, default ``~/.cache/torch/hub/checkpoints``) and loads
it through ember's restricted reader; when it is not there, the error names the file
and where to put it.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import ember
from ember import nn

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50",
           "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2"]


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1,
            dilation: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=dilation,
                     groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, 1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual connection (ResNet-18/34)."""

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample=None,
                 groups: int = 1, base_width: int = 64, dilation: int = 1, norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (stride here, as torchvision's "ResNet V1.5"), 1x1 expand by 4."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample=None,
                 groups: int = 1, base_width: int = 64, dilation: int = 1, norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    """The ResNet trunk: stem, four stages of ``block``, global pooling, classifier."""

    def __init__(self, block, layers: list[int], num_classes: int = 1000,
                 zero_init_residual: bool = False, groups: int = 1, width_per_group: int = 64,
                 replace_stride_with_dilation: list[bool] | None = None, norm_layer=None):
        super().__init__()
        self._norm_layer = norm_layer or nn.BatchNorm2d
        self.inplanes, self.dilation = 64, 1
        replace_stride_with_dilation = replace_stride_with_dilation or [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element "
                             f"tuple, got {replace_stride_with_dilation}")
        self.groups, self.base_width = groups, width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], 2, replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], 2, replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], 2, replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:  # each residual branch starts as zero: the block is identity
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock):
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes: int, blocks: int, stride: int = 1,
                    dilate: bool = False) -> nn.Sequential:
        norm_layer, downsample = self._norm_layer, None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups,
                        self.base_width, previous_dilation, norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups,
                                base_width=self.base_width, dilation=self.dilation,
                                norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(ember.flatten(self.avgpool(x), 1))


# torchvision's file names of the ImageNet weights (the hash prefix is part of the name)
_WEIGHT_FILES = {
    "resnet18": "resnet18-f37072fd.pth",
    "resnet34": "resnet34-b627a593.pth",
    "resnet50": "resnet50-0676ba61.pth",
    "resnet101": "resnet101-63fe2227.pth",
    "resnet152": "resnet152-394f9c45.pth",
    "resnext50_32x4d": "resnext50_32x4d-7cdf4587.pth",
    "wide_resnet50_2": "wide_resnet50_2-95faca4d.pth",
}


def hub_checkpoint_dir() -> Path:
    """Where torch keeps downloaded weights: ``$TORCH_HOME/hub/checkpoints``."""
    torch_home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "torch")
    return Path(torch_home) / "hub" / "checkpoints"


def _pretrained_state_dict(arch: str, weights) -> dict:
    name = getattr(weights, "name", weights)
    if name not in ("DEFAULT", "IMAGENET1K_V1"):
        raise ValueError(f"{arch}: unknown weights {weights!r}; ember knows 'IMAGENET1K_V1' "
                         f"(also 'DEFAULT')")
    path = hub_checkpoint_dir() / _WEIGHT_FILES[arch]
    if not path.is_file():
        raise RuntimeError(
            f"{arch}: pretrained weights not found at {path}. ember does not download "
            f"weights: get torchvision's {_WEIGHT_FILES[arch]} (IMAGENET1K_V1) and put it "
            f"there (or set TORCH_HOME), or load a file yourself with "
            f"model.load_state_dict(ember.load(path)).")
    return ember.load(path)


def _resnet(arch: str, block, layers, weights, pretrained, progress, **kwargs) -> ResNet:
    if pretrained:
        warnings.warn("The parameter 'pretrained' is deprecated, please use 'weights' "
                      "instead.", UserWarning, stacklevel=3)
        weights = weights or "IMAGENET1K_V1"
    if weights is not None:
        kwargs.setdefault("num_classes", 1000)
        if kwargs["num_classes"] != 1000:
            raise ValueError(f"The parameter 'num_classes' expected value 1000 but got "
                             f"{kwargs['num_classes']} instead.")
    model = ResNet(block, layers, **kwargs)
    if weights is not None:
        model.load_state_dict(_pretrained_state_dict(arch, weights))
    return model


def resnet18(*, weights=None, progress: bool = True, pretrained: bool = False, **kwargs):
    """ResNet-18 (11.7 M parameters)."""
    return _resnet("resnet18", BasicBlock, [2, 2, 2, 2], weights, pretrained, progress,
                   **kwargs)


def resnet34(*, weights=None, progress: bool = True, pretrained: bool = False, **kwargs):
    """ResNet-34."""
    return _resnet("resnet34", BasicBlock, [3, 4, 6, 3], weights, pretrained, progress,
                   **kwargs)


def resnet50(*, weights=None, progress: bool = True, pretrained: bool = False, **kwargs):
    """ResNet-50 (25.6 M parameters)."""
    return _resnet("resnet50", Bottleneck, [3, 4, 6, 3], weights, pretrained, progress,
                   **kwargs)


def resnet101(*, weights=None, progress: bool = True, pretrained: bool = False, **kwargs):
    """ResNet-101."""
    return _resnet("resnet101", Bottleneck, [3, 4, 23, 3], weights, pretrained, progress,
                   **kwargs)


def resnet152(*, weights=None, progress: bool = True, pretrained: bool = False, **kwargs):
    """ResNet-152."""
    return _resnet("resnet152", Bottleneck, [3, 8, 36, 3], weights, pretrained, progress,
                   **kwargs)


def resnext50_32x4d(*, weights=None, progress: bool = True, pretrained: bool = False,
                    **kwargs):
    """ResNeXt-50 32x4d."""
    kwargs.update(groups=32, width_per_group=4)
    return _resnet("resnext50_32x4d", Bottleneck, [3, 4, 6, 3], weights, pretrained,
                   progress, **kwargs)


def wide_resnet50_2(*, weights=None, progress: bool = True, pretrained: bool = False,
                    **kwargs):
    """Wide ResNet-50-2."""
    kwargs.update(width_per_group=128)
    return _resnet("wide_resnet50_2", Bottleneck, [3, 4, 6, 3], weights, pretrained,
                   progress, **kwargs)
