#!/usr/bin/python3
"""Makes the PyTorch weight fixtures of tests/Nabla.Tests/IO/Torch (issue 18) with Debian's python3-torch 1.13.

    /usr/bin/python3 tests/torch/make_weights.py            # rewrites tests/Nabla.Tests/IO/Torch/Fixtures
    /usr/bin/python3 tests/torch/make_weights.py --out DIR  # writes elsewhere

For every model below (PyTorch modules written to mirror Nabla's: the same nn.Sequential indices and attribute names,
so the state dicts carry the names Nabla gives the same architecture) it writes
  NAME.pt           torch.save(model.state_dict())  (the zip format)
  NAME.safetensors  the same tensors as safetensors, written here by hand following the published format (8-byte
                    little-endian header length, JSON header, raw data), since bookworm has no python3-safetensors
  NAME.json         an input and PyTorch's output for it in evaluation mode (numbers as repr, exact for the dtype)
Batch-norm models first run a few training batches so their running statistics and counters are not the defaults.
Also written: dtypes.pt/.safetensors/.json (float16, bfloat16, float64, int64 tensors, strided, offset views that
share one storage, and an nn.Parameter) and evil.pt, a torch-format zip whose data.pkl calls os.system (Nabla must refuse it, naming it).

tests/torch/check_weights.py imports the modules from here to load Nabla-written files back into PyTorch.
Everything is seeded; rerunning gives the same tensors (outputs may differ in the last bits on another BLAS).
"""
import argparse
import io
import json
import os
import pickle
import struct
import zipfile

import torch
import torch.nn as nn


class Residual(nn.Module):
    """Nabla's Residual: body(x) + (shortcut(x) or x), attributes body and shortcut."""

    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        return self.body(x) + (x if self.shortcut is None else self.shortcut(x))


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean((2, 3))


def outputs(kind):
    """A batch-first recurrent module returning its outputs only (so it fits in nn.Sequential); same parameter names."""

    class Outputs(kind):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, batch_first=True, **kwargs)

        def forward(self, x):
            return super().forward(x)[0]

    return Outputs


class SequenceHead(nn.Module):
    """Nabla's SequenceHead with pooling Last: the last step through a linear layer named linear."""

    def __init__(self, features, classes):
        super().__init__()
        self.linear = nn.Linear(features, classes)

    def forward(self, x):
        return self.linear(x[:, -1, :])


def mlp():  # Nabla: Sequential(Flatten, Linear(20,16), BatchNorm1d(16), PReLU(16), Linear(16,8), ReLU, Linear(8,4))
    return nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.BatchNorm1d(16), nn.PReLU(16), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4))


def lenet():  # Nabla: ModelZoo.LeNet5(classes: 10, channels: 1, height: 12, width: 12)
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def block(cin, cout, stride):
    body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
    if stride == 1 and cin == cout:
        return Residual(body)
    return Residual(body, nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)))


def resnet():  # Nabla: ModelZoo.ResNet(channels: [4, 8], classes: 3, inputChannels: 1)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                         block(4, 4, 1), nn.ReLU(), block(4, 8, 2), nn.ReLU(), GlobalAvgPool(), nn.Linear(8, 3))


def lstm():  # Nabla: Sequential(LSTM(5, 6, numLayers: 2, bidirectional: true), SequenceHead(12, 3))
    return nn.Sequential(outputs(nn.LSTM)(5, 6, num_layers=2, bidirectional=True), SequenceHead(12, 3))


def seq():  # Nabla: Sequential(Embedding(12, 5), GRU(5, 6, bidirectional: true), RNN(12, 4, nonlinearity: ReLU), SequenceHead(4, 3))
    return nn.Sequential(nn.Embedding(12, 5), outputs(nn.GRU)(5, 6, bidirectional=True),
                         outputs(nn.RNN)(12, 4, nonlinearity="relu"), SequenceHead(4, 3))


# name -> (builder, input shape, dtype, batch-norm warm-up)
MODELS = {
    "mlp": (mlp, [3, 4, 5], torch.float32),
    "mlp64": (mlp, [3, 4, 5], torch.float64),
    "lenet": (lenet, [2, 1, 12, 12], torch.float32),
    "resnet": (resnet, [2, 1, 8, 8], torch.float32),
    "lstm": (lstm, [2, 4, 5], torch.float32),
    "lstm64": (lstm, [2, 4, 5], torch.float64),
    "seq": (seq, [2, 6], torch.int64),
}


def build(name):
    """The module of a fixture, in the fixture's dtype, in evaluation mode."""
    builder, _, dtype = MODELS[name]
    model = builder()
    if dtype == torch.float64:
        model = model.double()
    return model.eval()


def make_input(name, g):
    _, shape, dtype = MODELS[name]
    if dtype == torch.int64:
        return torch.randint(0, 12, shape, generator=g)
    return torch.randn(shape, generator=g, dtype=dtype)


DTYPE_TAGS = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach()
        data = t.contiguous().numpy().tobytes() if t.dtype != torch.bfloat16 else t.contiguous().view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": DTYPE_TAGS[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def flat(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().double().flatten().tolist()]}


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=None, separators=(",", ":"))
        f.write("\n")


def make_model(name, out):
    torch.manual_seed(sum(map(ord, name)))
    g = torch.Generator().manual_seed(len(name))
    model = build(name)
    if any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()):
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(make_input(name, g) * 2 + 0.5)
        model.eval()
    x = make_input(name, g)
    with torch.no_grad():
        y = model(x)
    sd = model.state_dict()
    torch.save(sd, os.path.join(out, name + ".pt"))
    save_safetensors(os.path.join(out, name + ".safetensors"), sd)
    write_json(os.path.join(out, name + ".json"), {"model": name, "torch": torch.__version__, "input": flat(x), "output": flat(y),
                                                   "keys": list(sd.keys())})


def make_dtypes(out):
    g = torch.Generator().manual_seed(18)
    base = torch.randn(4, 6, generator=g)
    sd = {
        "f32": torch.randn(2, 3, generator=g),
        "f64": torch.randn(3, generator=g, dtype=torch.float64),
        "f16": torch.randn(2, 2, generator=g).half(),
        "bf16": torch.randn(5, generator=g).bfloat16(),
        "i64": torch.tensor([3, -7, 1 << 40]),
        "scalar": torch.tensor(2.5),
        "rows": base[1:3],             # an offset view into base's storage
        "transposed": base.t(),        # strided, same storage
        "every_other": base[:, ::2],   # strided with an offset of 0
        "parameter": nn.Parameter(torch.randn(2, generator=g)),  # pickled through torch._utils._rebuild_parameter
    }
    torch.save(sd, os.path.join(out, "dtypes.pt"))
    save_safetensors(os.path.join(out, "dtypes.safetensors"), sd)
    write_json(os.path.join(out, "dtypes.json"), {k: flat(v) for k, v in sd.items()})


class Evil:
    def __reduce__(self):
        return (os.system, ("echo nabla-pwned",))


def make_evil(out):
    with zipfile.ZipFile(os.path.join(out, "evil.pt"), "w", zipfile.ZIP_STORED) as z:
        stamp = (1980, 1, 1, 0, 0, 0)  # fixed, so the file is the same on every run
        z.writestr(zipfile.ZipInfo("evil/data.pkl", stamp), pickle.dumps({"weight": Evil()}, protocol=2))
        z.writestr(zipfile.ZipInfo("evil/version", stamp), "3\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(here, "..", "Nabla.Tests", "IO", "Torch", "Fixtures"))
    out = p.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    for name in MODELS:
        make_model(name, out)
    make_dtypes(out)
    make_evil(out)


if __name__ == "__main__":
    main()
