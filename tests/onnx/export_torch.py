#!/usr/bin/python3
"""Exports three PyTorch models with torch.onnx.export and stores them as fixtures for Nabla's ONNX importer.

    /usr/bin/python3 tests/onnx/export_torch.py            # rewrites tests/Nabla.Onnx.Tests/Fixtures/torch/
    /usr/bin/python3 tests/onnx/export_torch.py --out DIR  # writes elsewhere

Models (Debian's python3-torch 1.13, opset 17, a dynamic batch axis):
  lenet   LeNet-5 for 28x28 MNIST (Conv, MaxPool, Gemm, Relu), briefly trained here (40 Adam steps on 2,000 bundled MNIST
          training images, about 60% test accuracy) so that the fine-tuning test starts from a real but weak model;
  resnet  a small ResNet: stem conv + BatchNorm, two basic blocks (the second with a stride-2 projection shortcut),
          global average pooling, a linear head; BatchNorm running statistics made non-trivial by a few training batches,
          exported with TrainingMode.PRESERVE so the BatchNormalization nodes stay (EVAL would fold them into Conv);
  lstm    an LSTM classifier reading the 28 rows of an image (batch_first, 2 layers) with a linear head on the last step.
Each folder holds model.onnx and test_data_set_0/input_0.pb + output_0.pb (ONNX TensorProto, as in ONNX's own backend
tests): a batch of 4 MNIST test images and PyTorch's outputs for them.
"""
import argparse
import gzip
import os
import struct

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnx.numpy_helper  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def idx(name):
    with gzip.open(os.path.join(ROOT, "data", "mnist", name), "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.block1 = Block(8, 8, 1)
        self.block2 = Block(8, 16, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.block2(self.block1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


class RowLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 32, num_layers=2, batch_first=True)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        y, _ = self.lstm(x.reshape(x.shape[0], 28, 28))
        return self.fc(y[:, -1, :])


def train(model, images, labels, steps, batch=50, lr=1e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for s in range(steps):
        i = (s * batch) % len(images)
        x, y = images[i:i + batch], labels[i:i + batch]
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()


def save(model, name, sample, out, **export_options):
    folder = os.path.join(out, name)
    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(model, sample, path, opset_version=17, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **export_options)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    with torch.no_grad():
        expected = model(sample)
    for kind, tensor in (("input_0", sample), ("output_0", expected)):
        proto = onnx.numpy_helper.from_array(tensor.numpy().astype(np.float32), kind.split("_")[0])
        with open(os.path.join(folder, "test_data_set_0", kind + ".pb"), "wb") as f:
            f.write(proto.SerializeToString())
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print(f"{name}: {os.path.getsize(path)} bytes, operators {' '.join(ops)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "tests", "Nabla.Onnx.Tests", "Fixtures", "torch"))
    args = parser.parse_args()
    torch.manual_seed(0)
    train_x = torch.from_numpy(idx("train-images-idx3-ubyte.gz")[:2000].astype(np.float32) / 255).unsqueeze(1)
    train_y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz")[:2000].astype(np.int64))
    sample = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz")[:4].astype(np.float32) / 255).unsqueeze(1)

    lenet = LeNet()
    train(lenet, train_x, train_y, steps=40)
    save(lenet, "lenet", sample, args.out)

    resnet = ResNet()
    train(resnet, train_x, train_y, steps=20)
    # PRESERVE keeps the BatchNormalization nodes (EVAL would fold them into the convolutions).
    save(resnet, "resnet", sample, args.out, training=torch.onnx.TrainingMode.PRESERVE)

    lstm = RowLstm()
    train(lstm, train_x, train_y, steps=20)
    save(lstm, "lstm", sample, args.out)


if __name__ == "__main__":
    main()
