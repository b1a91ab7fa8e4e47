#!/usr/bin/python3
"""The PyTorch side of bench/compare.sh: the same workloads as Nabla's `bench` mode, one case per run.

Prints one JSON object per line: {"case":..,"metric":..,"value":..,"unit":..}.
Threads are fixed by the caller through OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS,
which must be set before torch is imported (compare.sh does it).
"""
import argparse, gzip, json, os, resource, struct, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(folder):
    x_train = read_idx(os.path.join(folder, "train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y_train = read_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    x_test = read_idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y_test = read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    return (torch.from_numpy(x_train).unsqueeze(1), torch.from_numpy(y_train),
            torch.from_numpy(x_test).unsqueeze(1), torch.from_numpy(y_test))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


class RowLstm(nn.Module):
    """MNIST rows as 28 steps of 28 pixels, LSTM(28 -> 128), last hidden state, dense to 10 (Nabla's ModelZoo.RowLSTM)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x.reshape(x.shape[0], 28, 28))
        return self.head(out[:, -1])


MODELS = {"mlp": mlp, "lenet": lenet, "cnn": cnn, "lstm": RowLstm}


def emit(case, metric, value, unit):
    print(json.dumps({"case": case, "metric": metric, "value": value, "unit": unit}), flush=True)


def accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x)


def train(name, data, epochs, max_batches, seed):
    x, y, xt, yt = data
    torch.manual_seed(seed)
    model = MODELS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    times = []
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        # With --max-batches the first tenth of the batches are a warm-up (not timed), as on Nabla's side.
        warmup = max_batches // 10
        start = time.perf_counter()
        batches = 0
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            batches += 1
            if max_batches and batches == warmup:
                start = time.perf_counter()
            if max_batches and batches >= max_batches:
                break
        times.append((time.perf_counter() - start) * (len(x) / 64 / (batches - warmup) if max_batches else 1))
    return model, times, accuracy(model, xt, yt)


def inference(name, data, case):
    _, _, xt, _ = data
    torch.manual_seed(0)
    model = MODELS[name]().eval()
    with torch.no_grad():
        batch = xt[:1000]
        settle = time.perf_counter()  # half a second of warm-up, as on Nabla's side
        while time.perf_counter() - settle < 0.5:
            model(batch)
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < 2.0:
            model(batch)
            runs += 1
        emit(case, "batch1000_throughput", runs * 1000 / (time.perf_counter() - start), "samples/s")
        one = xt[:1]
        warm = time.perf_counter()  # half a second of single-sample warm-up, as on Nabla's side
        while time.perf_counter() - warm < 0.5:
            model(one)
        lat = []
        for i in range(2000):
            s = time.perf_counter()
            model(xt[i % 1000:i % 1000 + 1])
            lat.append((time.perf_counter() - s) * 1e6)
        lat.sort()
        emit(case, "latency_median", lat[len(lat) // 2], "us")
        emit(case, "latency_p90", lat[int(len(lat) * 0.9)], "us")


CONV_LAYERS = [("lenet_conv1", 1, 6, 28, 5, 2), ("lenet_conv2", 6, 16, 14, 5, 0),
               ("cnn_conv1", 1, 32, 28, 3, 0), ("cnn_conv2", 32, 64, 26, 3, 0),
               ("bncnn_conv2", 16, 32, 28, 3, 1), ("bncnn_conv3", 32, 32, 14, 3, 1), ("bncnn_conv4", 32, 64, 14, 3, 1)]


def timed(fn):
    for _ in range(3):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < 1.0 and len(times) < 200):
        s = time.perf_counter()
        fn()
        times.append((time.perf_counter() - s) * 1000)
    times.sort()
    return times[len(times) // 2]


def conv_layers():
    torch.manual_seed(1)
    for name, c, k, h, f, pad in CONV_LAYERS:
        x = torch.randn(64, c, h, h, requires_grad=True)
        conv = nn.Conv2d(c, k, f, padding=pad)
        def fwd():
            with torch.no_grad():
                conv(x)
        def both():
            y = conv(x)
            y.backward(torch.ones_like(y))
            x.grad = None
            conv.zero_grad(set_to_none=True)
        emit(name, "forward_ms", timed(fwd), "ms")
        emit(name, "forward_backward_ms", timed(both), "ms")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=["mlp_train", "lenet_train", "cnn_train", "lstm_train", "mlp_infer", "lenet_infer", "conv_layers"])
    p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mnist"))
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-batches", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    if a.case == "conv_layers":
        conv_layers()
        return
    data = load_mnist(a.data)
    name = a.case.split("_")[0]
    if a.case.endswith("_train"):
        _, times, acc = train(name, data, a.epochs, a.max_batches, a.seed)
        # The median epoch; of an even number, the mean of the middle two (of 2 epochs: their mean, not the slower one).
        t = sorted(times)
        emit(a.case, "epoch_seconds", (t[(len(t) - 1) // 2] + t[len(t) // 2]) / 2, "s")
        if not a.max_batches:
            emit(a.case, "test_accuracy", acc, "fraction")
    else:
        inference(name, data, a.case)
    emit(a.case, "peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, "MiB")


if __name__ == "__main__":
    main()
