#!/usr/bin/python3
"""Exports torchvision models to ONNX with PyTorch's own exporter: the files users bring.

    export.py MODEL OUT.onnx [--opset N] [--size H,W] [--batch N] [--dynamic batch|hw|all] [--seed S]

Weights are seeded random initialisations (nothing is downloaded); BatchNorm statistics are
perturbed so that folding them is exercised. MODEL is a torchvision builder name
(resnet18, mobilenet_v3_large, convnext_tiny, ...) or segmentation:NAME
(segmentation:fcn_resnet50, segmentation:lraspp_mobilenet_v3_large, ...) or quantization:NAME
(torchvision.models.quantization.NAME(quantize=True): post-training int8 with the qnnpack engine,
calibrated by torchvision on a seeded random batch; exported as QuantizeLinear/DequantizeLinear).
Needs Debian's python3-torch and python3-torchvision (run with /usr/bin/python3).
"""
import argparse
import sys

import torch
import torchvision


def build(name):
    if name.startswith("quantization:"):
        # Built in float; main() perturbs its BatchNorms, then quantizes it as quantize=True
        # does (a random-init model quantized as is collapses to a constant output).
        ctor = getattr(torchvision.models.quantization, name.split(":", 1)[1])
        return ctor(weights=None, quantize=False)
    if name.startswith("segmentation:"):
        ctor = getattr(torchvision.models.segmentation, name.split(":", 1)[1])
        kwargs = {"weights": None, "weights_backbone": None}
        if "aux_loss" in ctor.__code__.co_varnames:
            kwargs["aux_loss"] = False
        model = ctor(**kwargs)
        return SegmentationOut(model)
    ctor = getattr(torchvision.models, name)
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=True)
    return ctor(**kwargs)


class SegmentationOut(torch.nn.Module):
    """torchvision's segmentation models return a dict; exporters see its 'out' tensor."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


def perturb_batchnorm(model, gen):
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            if m.affine:
                m.weight.data.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
                m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("out")
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--size", default="224,224")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--dynamic", choices=["none", "batch", "hw", "all"], default="none")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    model = build(a.model).eval()
    with torch.no_grad():
        perturb_batchnorm(model, gen)
    if a.model.startswith("quantization:"):
        from torchvision.models.quantization.utils import quantize_model
        # fbgemm is not built into Debian's torch; qnnpack quantizes weights per tensor.
        engine = "qnnpack" if "qnnpack" in torch.backends.quantized.supported_engines else "onednn"
        quantize_model(model, engine)  # calibrates on a random batch (seeded above)
    h, w = (int(v) for v in a.size.split(","))
    x = torch.randn(a.batch, 3, h, w, generator=gen)
    axes = {}
    if a.dynamic in ("batch", "all"):
        axes[0] = "batch"
    if a.dynamic in ("hw", "all"):
        axes[2], axes[3] = "height", "width"
    dynamic_axes = {"input": axes, "output": {0: "batch"} if 0 in axes else {}} if axes else None
    with torch.no_grad():
        torch.onnx.export(model, x, a.out, opset_version=a.opset, input_names=["input"],
                          output_names=["output"], dynamic_axes=dynamic_axes,
                          do_constant_folding=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
