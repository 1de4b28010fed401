#!/usr/bin/python3
"""A small conv net exported by torch.onnx.export with dynamic batch, height and width.

    export_dynamic.py OUT.onnx

Its forward reads x.shape: the attention-like step reshapes to [n, c, h*w] and back,
and the classifier flattens with x.view(x.size(0), -1), so the file holds
Shape -> Gather -> Mul -> Unsqueeze -> Concat -> Reshape chains that fold only once
`kiln compile --input-shape` (or --dim) makes the input static. Two outputs: the
feature map [n, 16, h/2, w/2] and the logits [n, 10]. Seeded; nothing is downloaded.
Needs Debian's python3-torch (run with /usr/bin/python3).
"""
import os
import sys

import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(16)
        self.conv2 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.fc = torch.nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.nn.functional.max_pool2d(x, 2)
        n, c, h, w = x.shape
        # Softmax over the positions of each channel, through [n, c, h*w].
        a = torch.softmax(x.reshape(n, c, h * w), dim=2).reshape(n, c, h, w)
        features = torch.relu(self.conv2(x * a * 64.0) + x)
        pooled = torch.nn.functional.adaptive_avg_pool2d(features, 1)
        logits = self.fc(pooled.view(pooled.size(0), -1))
        return features, logits


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: export_dynamic.py OUT.onnx")
    os.makedirs(os.path.dirname(os.path.abspath(sys.argv[1])), exist_ok=True)
    torch.manual_seed(0)
    model = Net().eval()
    with torch.no_grad():
        model.bn1.running_mean.copy_(torch.randn(16) * 0.1)
        model.bn1.running_var.copy_(torch.rand(16) * 0.5 + 0.75)
    x = torch.randn(2, 3, 32, 48)
    axes = {0: "batch", 2: "height", 3: "width"}
    with torch.no_grad():
        torch.onnx.export(model, x, sys.argv[1], opset_version=13, input_names=["x"],
                          output_names=["features", "logits"],
                          dynamic_axes={"x": axes, "features": axes, "logits": {0: "batch"}})


if __name__ == "__main__":
    main()
