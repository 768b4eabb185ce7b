"""torchvision-compatible ResNets: architecture facts (parameter counts, state_dict names
and shapes torchvision checkpoints use), forward shapes, and the pretrained-weights path."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.vision import models

# parameter counts of torchvision's ImageNet models (from its model documentation)
PARAMS = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032,
          "resnet101": 44_549_160, "resnet152": 60_192_808,
          "resnext50_32x4d": 25_028_904, "wide_resnet50_2": 68_883_240}


@pytest.mark.parametrize("arch", sorted(PARAMS))
def test_parameter_count(arch):
    model = getattr(models, arch)()
    assert sum(p.numel() for p in model.parameters()) == PARAMS[arch]


def test_resnet18_state_dict_layout():
    sd = models.resnet18().state_dict()
    assert len(sd) == 122
    assert list(sd)[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                            "bn1.running_var", "bn1.num_batches_tracked"]
    assert tuple(sd["layer2.0.downsample.0.weight"].shape) == (128, 64, 1, 1)
    assert tuple(sd["layer4.1.bn2.running_var"].shape) == (512,)
    assert tuple(sd["fc.weight"].shape) == (1000, 512)
    assert "layer1.0.downsample.0.weight" not in sd


def test_resnet50_bottleneck_layout():
    sd = models.resnet50().state_dict()
    assert tuple(sd["layer1.0.conv3.weight"].shape) == (256, 64, 1, 1)
    assert tuple(sd["layer1.0.downsample.0.weight"].shape) == (256, 64, 1, 1)
    assert tuple(sd["layer3.0.conv2.weight"].shape) == (256, 256, 3, 3)  # stride on the 3x3
    assert tuple(sd["fc.weight"].shape) == (1000, 2048)


def test_forward_and_freeze_backbone_recipe():
    # the lecture notes' recipe: freeze everything, replace the head, train only the head
    ember.manual_seed(0)
    model = models.resnet18(num_classes=10)
    for p in model.parameters():
        p.requires_grad = False
    model.fc = ember.nn.Linear(512, 100)
    out = model(ember.randn(2, 3, 32, 32))
    assert out.shape == (2, 100)
    out.sum().backward()
    assert model.fc.weight.grad is not None
    assert all(p.grad is None for n, p in model.named_parameters() if not n.startswith("fc."))


def test_zero_init_residual_makes_blocks_identity_branches():
    model = models.resnet18(zero_init_residual=True)
    assert all(float(b.bn2.weight.abs().sum()) == 0 for layer in
               (model.layer1, model.layer2, model.layer3, model.layer4) for b in layer)


def test_pretrained_weights_come_from_the_hub_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(RuntimeError, match="resnet18-f37072fd.pth"):
        models.resnet18(weights="IMAGENET1K_V1")
    source = models.resnet18()
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    ember.save(source.state_dict(), tmp_path / "hub" / "checkpoints" / "resnet18-f37072fd.pth")
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        model = models.resnet18(pretrained=True)
    for (k, a), b in zip(source.state_dict().items(), model.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), k
    with pytest.raises(ValueError, match="'num_classes' expected value 1000 but got 10"):
        models.resnet18(weights="DEFAULT", num_classes=10)
    with pytest.raises(ValueError, match="unknown weights 'IMAGENET1K_V9'"):
        models.resnet18(weights="IMAGENET1K_V9")
