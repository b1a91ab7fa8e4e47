#!/usr/bin/python3
"""Loads weights Nabla wrote into the PyTorch twins of tests/torch/make_weights.py and prints PyTorch's outputs.

    /usr/bin/python3 tests/torch/check_weights.py JOBS.json OUT.json

JOBS.json is a list of {"model": NAME, "file": PATH, "input": {"shape": [...], "data": [...]}}. Each .pt file is read
with torch.load(path, weights_only=True) and each .safetensors file by hand (the published format; bookworm has no
python3-safetensors); the state dict goes through model.load_state_dict(strict=True), so every name, shape and
element type must be what PyTorch expects. OUT.json gets, per job, PyTorch's output in evaluation mode and the
element type of each tensor as loaded. Used by tests/Nabla.Tests/IO/Torch/TorchRoundTripTests.cs.
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_weights import MODELS, build, flat  # noqa: E402

TYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=TYPES[e["dtype"]]) if end > begin else torch.empty(0, dtype=TYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"])
    return out


def main():
    jobs = json.load(open(sys.argv[1]))
    results = []
    torch.set_num_threads(1)
    for job in jobs:
        model = build(job["model"])
        path = job["file"]
        sd = torch.load(path, weights_only=True) if path.endswith(".pt") else load_safetensors(path)
        model.load_state_dict(sd, strict=True)
        x = torch.tensor(job["input"]["data"], dtype=torch.float64).reshape(job["input"]["shape"])
        x = x.long() if MODELS[job["model"]][2] == torch.int64 else x.to(MODELS[job["model"]][2])
        with torch.no_grad():
            y = model(x)
        results.append({"output": flat(y), "dtypes": {k: str(v.dtype) for k, v in sd.items()}})
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
