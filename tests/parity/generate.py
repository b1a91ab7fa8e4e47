#!/usr/bin/python3
"""Generates Nabla's PyTorch parity fixture: float64 reference cases computed by PyTorch 1.13.

    /usr/bin/python3 tests/parity/generate.py                 # rewrites tests/Nabla.Tests/Parity/torch_reference.json
    /usr/bin/python3 tests/parity/generate.py --output FILE   # writes elsewhere (the regeneration test does this)

Every case holds its inputs (parameters included), its options, PyTorch's outputs and the gradients of
L = sum over outputs of <output, upstream> with a random upstream gradient, or, for optimizers, schedules and clipping,
the values after every step. tests/Nabla.Tests/Parity replays each case through Nabla's public API in float64.

Determinism: every case seeds its own generator from a CRC of its name (adding a case changes no other case), inputs
are rounded to 6 decimals before use (short, and exactly what both sides compute from), and numbers are written with
repr (shortest round-trip) in sorted-key JSON, one case per line. PyTorch runs on one thread with its portable
(non-SIMD) kernels and OpenBLAS is pinned to one thread and one kernel set (Haswell: x86-64 with AVX2), so the file
comes out byte for byte the same on any such machine with Debian 12's python3-torch 1.13 and OpenBLAS 0.3.21.

A case whose Nabla result differs from PyTorch on purpose, or because of a known open difference, carries
"known_difference" (an open difference: an item of issue 16's list, or a bug this suite found; to be removed when it is
fixed) or "deliberate_difference" (a design choice documented in docs/pytorch-parity.md); the tests assert that such a
case does differ, so a fix shows up.
"""
import os

# Before torch and OpenBLAS are loaded: portable kernels, one thread, one BLAS kernel set.
os.environ["ATEN_CPU_CAPABILITY"] = "default"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OPENBLAS_CORETYPE"] = "Haswell"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
warnings.filterwarnings("ignore")  # e.g. the scheduler's "step(epoch)" deprecation inside SequentialLR

DEFAULT_OUTPUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Nabla.Tests", "Parity", "torch_reference.json"))
FORMAT = 1

CASES = []


# ---------------------------------------------------------------------------------------------------------------------
# Helpers


def seed_for(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def rounded(t):
    """t with every element rounded to 6 decimals (so inputs are short and exact in the file)."""
    flat = [round(v, 6) for v in t.reshape(-1).tolist()]
    return torch.tensor(flat, dtype=torch.float64).reshape(t.shape)


def rand(*shape, low=-1.0, high=1.0):
    return rounded(torch.rand(tuple(shape)) * (high - low) + low)


def rand_exact(*shape, low=-1.0, high=1.0):
    """Full-precision values (no rounding): for max-type operations, where rounding could create ties."""
    return torch.rand(tuple(shape)) * (high - low) + low


def away_from_zero(*shape, low=0.5, high=2.0):
    sign = torch.where(torch.rand(tuple(shape)) < 0.5, -1.0, 1.0)
    return rounded(sign * (torch.rand(tuple(shape)) * (high - low) + low))


def enc(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32, torch.bool):
        return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "data": [float(v) for v in t.to(torch.float64).reshape(-1).tolist()]}


def leaf(t):
    return t.clone().requires_grad_(True)


def add(case):
    names = [c["name"] for c in CASES]
    assert case["name"] not in names, case["name"]
    CASES.append(case)


def grads_of(named, outputs, upstream):
    """Backward of sum_k <outputs[k], upstream[k]>; returns {name: grad} for every named leaf."""
    torch.autograd.backward(outputs, upstream)
    out = {}
    for k, v in named.items():
        assert v.grad is not None, k
        out[k] = enc(v.grad)
    return out


def upstream_like(t):
    return rand(*t.shape)


# ---------------------------------------------------------------------------------------------------------------------
# Tensor operations: elementwise (with broadcasting), unary, reductions, matmul, shaping


def op_case(name, op, inputs, fn, args=None, grad=None, family="tensor_ops", known=None, deliberate=None):
    """inputs: {name: tensor}; fn(**leaves) -> output. grad: names of inputs to differentiate (default: all)."""
    grad = list(inputs) if grad is None else grad
    leaves = {k: (leaf(v) if k in grad else v) for k, v in inputs.items()}
    y = fn(*leaves.values())
    case = {"family": family, "name": name, "op": op, "args": args or {}, "inputs": {k: enc(v) for k, v in inputs.items()},
            "outputs": {"y": enc(y)}}
    if grad and y.dtype == torch.float64:
        gy = upstream_like(y)
        case["upstream"] = {"y": enc(gy)}
        case["grads"] = grads_of({k: leaves[k] for k in grad}, [y], [gy])
    if known:
        case["known_difference"] = known
    if deliberate:
        case["deliberate_difference"] = deliberate
    add(case)


def tensor_ops():
    binary = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "maximum": torch.maximum,
        "minimum": torch.minimum,
        "pow": torch.pow,
    }
    shapes = [([3, 4], [3, 4]), ([2, 3, 4], [4]), ([2, 1, 4], [3, 1]), ([4, 1, 3], [1, 5, 1]), ([2, 3], []),
              ([], [2, 3]), ([3, 1, 2, 1], [4, 1, 3])]
    for op, fn in binary.items():
        for sa, sb in shapes:
            name = f"{op}_{'x'.join(map(str, sa)) or 'scalar'}_{'x'.join(map(str, sb)) or 'scalar'}"
            seed_for(name)
            if op == "pow":
                a, b = rand(*sa, low=0.5, high=2.0), rand(*sb, low=-2.0, high=2.0)
            elif op == "div":
                a, b = rand(*sa), away_from_zero(*sb)
            elif op in ("maximum", "minimum"):
                a, b = rand_exact(*sa), rand_exact(*sb)
            else:
                a, b = rand(*sa), rand(*sb)
            op_case(name, op, {"a": a, "b": b}, fn)
    # A tie: PyTorch splits the gradient between both inputs, Nabla gives it to the first.
    seed_for("maximum_ties")
    a = rand(6)
    b = a.clone()
    b[1::2] = rand(3)
    op_case("maximum_ties", "maximum", {"a": a, "b": b}, torch.maximum,
            deliberate="the max/min gate gives a tie's gradient to the first input; PyTorch splits it in half")

    scalar_ops = [
        ("add_scalar", lambda a: a + 1.75, {"s": 1.75}),
        ("rsub_scalar", lambda a: 1.75 - a, {"s": 1.75}),
        ("mul_scalar", lambda a: a * -2.5, {"s": -2.5}),
        ("rdiv_scalar", lambda a: 3.0 / a, {"s": 3.0}),
        ("div_scalar", lambda a: a / 3.0, {"s": 3.0}),
        ("pow_scalar", lambda a: a ** 2.5, {"p": 2.5}),
        ("pow_scalar_negative", lambda a: a ** -1.5, {"p": -1.5}),
        ("pow_scalar_integer", lambda a: a ** 3.0, {"p": 3.0}),
        ("pow_scalar_integer_negative_base", lambda a: a ** 3.0, {"p": 3.0}),
        ("pow_scalar_square_negative_base", lambda a: a ** 2.0, {"p": 2.0}),
        ("maximum_scalar", lambda a: torch.clamp(a, min=0.2), {"s": 0.2}),
        ("minimum_scalar", lambda a: torch.clamp(a, max=0.2), {"s": 0.2}),
    ]
    for name, fn, args in scalar_ops:
        seed_for(name)
        if name.endswith("negative_base"):
            a = rand(3, 4, low=-2.0, high=2.0)
        elif name.startswith(("pow", "rdiv")):
            a = rand(3, 4, low=0.2, high=2.0)
        else:
            a = rand_exact(3, 4)
        op_case(name, name, {"a": a}, fn, args)

    unary = [
        ("exp", torch.exp, {}, (-3, 3)),
        ("log", torch.log, {}, (0.05, 4)),
        ("sqrt", torch.sqrt, {}, (0.05, 4)),
        ("abs", torch.abs, {}, None),
        ("neg", torch.neg, {}, None),
        ("square", torch.square, {}, None),
        ("clamp", lambda a: torch.clamp(a, -0.3, 0.4), {"min": -0.3, "max": 0.4}, None),
        ("relu", torch.relu, {}, None),
        ("leaky_relu", lambda a: F.leaky_relu(a, 0.01), {"alpha": 0.01}, None),
        ("leaky_relu_0.2", lambda a: F.leaky_relu(a, 0.2), {"alpha": 0.2}, None),
        ("elu", lambda a: F.elu(a, 1.0), {"alpha": 1.0}, (-4, 4)),
        ("elu_0.5", lambda a: F.elu(a, 0.5), {"alpha": 0.5}, (-4, 4)),
        ("sigmoid", torch.sigmoid, {}, (-12, 12)),
        ("sigmoid_extreme", torch.sigmoid, {}, (-800, 800)),
        ("tanh", torch.tanh, {}, (-5, 5)),
        ("tanh_extreme", torch.tanh, {}, (-400, 400)),
        ("gelu", lambda a: F.gelu(a), {}, (-4, 4)),
        ("gelu_wide", lambda a: F.gelu(a), {}, (-12, 12)),
        ("gelu_tail", lambda a: F.gelu(a), {}, (-5, -2)),
        ("silu", F.silu, {}, (-8, 8)),
        ("softplus", F.softplus, {}, (-15, 15)),
        ("softplus_wide", F.softplus, {}, (-60, 60)),
    ]
    deliberate = {"softplus_wide": "softplus is exact above 20, where PyTorch's threshold returns x (gradient 1)"}
    # Found by this suite: Nabla's erf (a Maclaurin series below 3) loses about 7e-15 absolute near |x|/sqrt(2) = 2.8,
    # which GELU's 1 + erf(x/sqrt(2)) turns into a relative error of 1.7e-10 around x = -4 (PyTorch's: 4e-13).
    known = {"gelu": "GELU's erf near x = -4 (found by the parity suite)", "gelu_tail": "GELU's erf near x = -4 (found by the parity suite)"}
    for name, fn, args, rng in unary:
        seed_for(name)
        a = rand(4, 5) if rng is None else rand(4, 5, low=rng[0], high=rng[1])
        op = name.split("_")[0] if name not in ("leaky_relu", "leaky_relu_0.2") else "leaky_relu"
        op_case(name, op, {"a": a}, fn, args, known=known.get(name), deliberate=deliberate.get(name))
    # Kinks: the gradient PyTorch takes at exactly 0 (and at the bounds of clamp).
    kink = torch.tensor([-1.0, -0.0, 0.0, 0.5, -0.3, 0.4])
    for name, fn, args in [("relu", torch.relu, {}), ("leaky_relu", lambda a: F.leaky_relu(a, 0.1), {"alpha": 0.1}),
                           ("elu", F.elu, {"alpha": 1.0}), ("abs", torch.abs, {}),
                           ("clamp", lambda a: torch.clamp(a, -0.3, 0.4), {"min": -0.3, "max": 0.4})]:
        seed_for("kink_" + name)
        op_case("kink_" + name, name, {"a": kink}, fn, args)

    for axis in (-1, 0, 1):
        for op, fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
            name = f"{op}_axis{axis}"
            seed_for(name)
            op_case(name, op, {"a": rand(3, 4, 5, low=-4, high=4)}, lambda a: fn(a, dim=axis), {"axis": axis})
    for op, fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        name = f"{op}_extreme"
        seed_for(name)
        a = torch.tensor([[1e4, 0.0, -1e4, 5.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4 - 1, -3.0, 2.5], [3e3, -2e3, 1e3, 0.0]])
        op_case(name, op, {"a": a}, lambda a: fn(a, dim=-1), {"axis": -1})

    # Reductions over several axes.
    shape = [2, 3, 4, 5]
    axes_list = [[1], [0, 2], [1, 2, 3], [-1], [0, 1, 2, 3], [3, 0]]
    for axes in axes_list:
        for keep in (False, True):
            tag = f"{'_'.join(str(a) for a in axes)}{'_keep' if keep else ''}"
            for op in ("sum", "mean", "max", "min", "var", "var_unbiased"):
                name = f"{op}_axes{tag}"
                seed_for(name)
                a = rand_exact(*shape) if op in ("max", "min") else rand(*shape)
                if op == "sum":
                    fn = lambda a: a.sum(dim=axes, keepdim=keep)  # noqa: E731
                elif op == "mean":
                    fn = lambda a: a.mean(dim=axes, keepdim=keep)  # noqa: E731
                elif op == "max":
                    fn = lambda a: torch.amax(a, dim=axes, keepdim=keep)  # noqa: E731
                elif op == "min":
                    fn = lambda a: torch.amin(a, dim=axes, keepdim=keep)  # noqa: E731
                else:
                    unbiased = op == "var_unbiased"
                    fn = lambda a: torch.var(a, dim=axes, unbiased=unbiased, keepdim=keep)  # noqa: E731
                op_case(name, op, {"a": a}, fn, {"axes": axes, "keepdim": keep})
    for op, fn in (("sum", torch.sum), ("mean", torch.mean), ("max", torch.max), ("min", torch.min),
                   ("var", lambda a: torch.var(a, unbiased=False)), ("var_unbiased", lambda a: torch.var(a, unbiased=True))):
        name = f"{op}_all"
        seed_for(name)
        op_case(name, op, {"a": rand_exact(3, 4, 2)}, fn, {"axes": None, "keepdim": False})
    for axis in (0, 1, -1):
        for keep in (False, True):
            name = f"argmax_axis{axis}{'_keep' if keep else ''}"
            seed_for(name)
            op_case(name, "argmax", {"a": rand_exact(3, 4, 5)}, lambda a: torch.argmax(a, dim=axis, keepdim=keep),
                    {"axis": axis, "keepdim": keep}, grad=[])

    for sa, sb in [([3, 4], [4, 5]), ([2, 3, 4], [2, 4, 5]), ([2, 2, 3, 4], [2, 2, 4, 5]), ([2, 3, 4], [4, 5]),
                   ([4], [4, 5]), ([3, 4], [4]), ([1, 7], [7, 1]), ([5, 16], [16, 9])]:
        name = f"matmul_{'x'.join(map(str, sa))}_{'x'.join(map(str, sb))}"
        seed_for(name)
        op_case(name, "matmul", {"a": rand(*sa), "b": rand(*sb)}, torch.matmul)

    # Shaping and indexing (exact: they move values; their gradients scatter and add).
    seed_for("shaping")
    shaping = [
        ("reshape", [2, 3, 4], lambda a: a.reshape(4, 6), {"shape": [4, 6]}),
        ("reshape_infer", [2, 3, 4], lambda a: a.reshape(3, -1), {"shape": [3, -1]}),
        ("permute", [2, 3, 4], lambda a: a.permute(2, 0, 1), {"perm": [2, 0, 1]}),
        ("transpose", [2, 3, 4], lambda a: a.transpose(0, 2), {"axis0": 0, "axis1": 2}),
        ("flatten", [2, 3, 4, 5], lambda a: a.flatten(1, 2), {"start": 1, "end": 2}),
        ("squeeze", [2, 1, 4], lambda a: a.squeeze(1), {"axis": 1}),
        ("unsqueeze", [2, 4], lambda a: a.unsqueeze(1), {"axis": 1}),
        ("narrow", [4, 6], lambda a: a.narrow(1, 2, 3), {"axis": 1, "start": 2, "length": 3}),
        ("index_select", [5, 3], lambda a: a.index_select(0, torch.tensor([4, 0, 4, 2])), {"axis": 0, "indices": [4, 0, 4, 2]}),
        ("gather", [3, 4], lambda a: a.gather(1, torch.tensor([[0, 3], [2, 2], [1, 0]])), {"axis": 1, "index": [[0, 3], [2, 2], [1, 0]]}),
    ]
    for name, shp, fn, args in shaping:
        seed_for(name)
        op_case(name, "reshape" if name == "reshape_infer" else name, {"a": rand(*shp)}, fn, args)
    for axis in (0, 1):
        for op, fn in (("concat", lambda a, b: torch.cat([a, b], dim=axis)), ("stack", lambda a, b: torch.stack([a, b], dim=axis))):
            name = f"{op}_axis{axis}"
            seed_for(name)
            b_shape = [3, 4] if op == "stack" or axis == 1 else [2, 4]
            if op == "concat" and axis == 1:
                b_shape = [3, 2]
            op_case(name, op, {"a": rand(3, 4), "b": rand(*b_shape)}, fn, {"axis": axis})
    for op, fn in (("greater", torch.gt), ("greater_equal", torch.ge), ("less", torch.lt), ("less_equal", torch.le), ("equal", torch.eq)):
        name = op
        seed_for(name)
        a = rounded(torch.randint(-2, 3, (3, 4)) * 0.5)
        b = rounded(torch.randint(-2, 3, (4,)) * 0.5)
        op_case(name, op, {"a": a, "b": b}, lambda a, b, fn=fn: fn(a, b).to(torch.float64), grad=[])
    seed_for("one_hot")
    labels = torch.tensor([2, 0, 4, 4, 1])
    op_case("one_hot", "one_hot", {"labels": labels.to(torch.float64)}, lambda labels: F.one_hot(labels.long(), 5).to(torch.float64),
            {"classes": 5}, grad=[])
    seed_for("where")
    cond = (torch.rand(3, 4) < 0.5).to(torch.float64)
    op_case("where", "where", {"cond": cond, "a": rand(3, 4), "b": rand(1, 4)},
            lambda cond, a, b: torch.where(cond > 0, a, b), grad=["a", "b"])


# ---------------------------------------------------------------------------------------------------------------------
# Layers


def module_case(name, family, layer, args, module, inputs, forward, params=None, extra=None, grad_inputs=None, known=None):
    """Runs forward(module, **leaves) -> tuple of outputs and records outputs, parameter and input gradients.

    params: Nabla's parameter names -> the torch parameter tensors (already set to rounded random values).
    """
    grad_inputs = list(inputs) if grad_inputs is None else grad_inputs
    leaves = {k: (leaf(v) if k in grad_inputs else v) for k, v in inputs.items()}
    outs = forward(module, **leaves)
    if isinstance(outs, torch.Tensor):
        outs = {"y": outs}
    ups = {k: upstream_like(v) for k, v in outs.items()}
    named = {"input." + k: leaves[k] for k in grad_inputs}
    for k, p in (params or {}).items():
        named[k] = p
    grads = grads_of(named, list(outs.values()), [ups[k] for k in outs])
    case = {"family": family, "name": name, "layer": layer, "args": args,
            "inputs": {k: enc(v) for k, v in inputs.items()},
            "params": {k: enc(p) for k, p in (params or {}).items()},
            "outputs": {k: enc(v) for k, v in outs.items()}, "upstream": {k: enc(v) for k, v in ups.items()}, "grads": grads}
    if extra:
        case.update(extra)
    if known:
        case["known_difference"] = known
    add(case)


def set_params(module, names):
    """Fills every parameter with rounded random values; returns {nabla name: torch parameter}."""
    out = {}
    for (tname, p) in module.named_parameters():
        with torch.no_grad():
            p.copy_(rand(*p.shape, low=-0.8, high=0.8))
        out[names.get(tname, tname)] = p
    return out


def layers():
    # Linear
    for name, fin, fout, bias, shape in [("linear", 4, 3, True, [5, 4]), ("linear_nobias", 4, 3, False, [5, 4]),
                                         ("linear_3d", 6, 2, True, [2, 3, 6]), ("linear_wide", 17, 9, True, [8, 17])]:
        seed_for(name)
        m = nn.Linear(fin, fout, bias=bias)
        params = set_params(m, {})
        module_case(name, "layers", "Linear", {"in": fin, "out": fout, "bias": bias}, m, {"x": rand(*shape)},
                    lambda m, x: m(x), params)

    # Conv2d: (in, out, kernel, stride, padding, dilation, groups, bias, H, W)
    convs = [
        ("conv2d_basic", 3, 4, (3, 3), (1, 1), (0, 0), (1, 1), 1, True, 7, 7),
        ("conv2d_rect_strided_padded", 3, 6, (3, 2), (2, 1), (1, 2), (1, 1), 1, True, 8, 7),
        ("conv2d_dilated_grouped", 4, 6, (3, 3), (1, 1), (1, 1), (2, 2), 2, True, 9, 9),
        ("conv2d_depthwise", 6, 6, (3, 3), (2, 2), (1, 1), (1, 1), 6, False, 8, 8),
        ("conv2d_depthwise_multiplier", 3, 6, (3, 3), (1, 1), (1, 1), (1, 1), 3, True, 6, 5),
        ("conv2d_everything", 4, 8, (5, 3), (3, 2), (2, 1), (2, 1), 2, True, 13, 10),
        ("conv2d_1x1", 5, 4, (1, 1), (1, 1), (0, 0), (1, 1), 1, True, 5, 5),
        ("conv2d_groups3", 6, 9, (3, 3), (1, 1), (1, 1), (1, 1), 3, True, 6, 6),
        ("conv2d_stride_gt_kernel", 2, 3, (2, 2), (3, 3), (0, 0), (1, 1), 1, True, 9, 8),
        ("conv2d_nobias_padded", 3, 5, (4, 4), (1, 1), (2, 2), (1, 1), 1, False, 6, 6),
    ]
    for name, cin, cout, k, s, p, d, g, bias, h, w in convs:
        seed_for(name)
        m = nn.Conv2d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias)
        params = set_params(m, {})
        args = {"in": cin, "out": cout, "kernel": list(k), "stride": list(s), "padding": list(p), "dilation": list(d),
                "groups": g, "bias": bias}
        module_case(name, "layers", "Conv2d", args, m, {"x": rand(2, cin, h, w)}, lambda m, x: m(x), params)

    # Depthwise separable: a depthwise conv (groups = C, no bias) and a pointwise 1x1 conv.
    for name, cin, cout, k, s, p, mult, bias, h, w in [("depthwise_separable", 3, 5, 3, 2, 1, 2, True, 7, 7),
                                                       ("depthwise_separable_nobias", 4, 6, 3, 1, 0, 1, False, 6, 6),
                                                       ("depthwise_separable_5x5", 3, 4, 5, 1, 2, 1, True, 8, 8)]:
        seed_for(name)
        m = nn.Sequential(nn.Conv2d(cin, cin * mult, k, stride=s, padding=p, groups=cin, bias=False),
                          nn.Conv2d(cin * mult, cout, 1, bias=bias))
        params = set_params(m, {"0.weight": "depthwise.weight", "1.weight": "pointwise.weight", "1.bias": "pointwise.bias"})
        args = {"in": cin, "out": cout, "kernel": k, "stride": s, "padding": p, "depth_multiplier": mult, "bias": bias}
        module_case(name, "layers", "DepthwiseSeparableConv2d", args, m, {"x": rand(2, cin, h, w)}, lambda m, x: m(x), params)

    # Pooling
    for name, k, s, p, h, w in [("maxpool2d_2", (2, 2), (2, 2), (0, 0), 6, 6), ("maxpool2d_3_s2_p1", (3, 3), (2, 2), (1, 1), 7, 7),
                                ("maxpool2d_rect", (3, 2), (1, 2), (1, 0), 6, 7), ("maxpool2d_overlap", (3, 3), (1, 1), (0, 0), 5, 6),
                                ("maxpool2d_odd", (2, 2), (2, 2), (0, 0), 7, 5)]:
        seed_for(name)
        m = nn.MaxPool2d(k, s, p)
        module_case(name, "layers", "MaxPool2d", {"kernel": list(k), "stride": list(s), "padding": list(p)}, m,
                    {"x": rand_exact(2, 3, h, w)}, lambda m, x: m(x))
    for name, k, s, p, cip, h, w in [("avgpool2d_2", (2, 2), (2, 2), (0, 0), True, 6, 6),
                                     ("avgpool2d_3_s2_p1", (3, 3), (2, 2), (1, 1), True, 7, 7),
                                     ("avgpool2d_3_s2_p1_exclude_pad", (3, 3), (2, 2), (1, 1), False, 7, 7),
                                     ("avgpool2d_rect_exclude_pad", (2, 3), (2, 1), (1, 1), False, 6, 5),
                                     ("avgpool2d_overlap", (3, 3), (1, 1), (0, 0), True, 5, 6)]:
        seed_for(name)
        m = nn.AvgPool2d(k, s, p, count_include_pad=cip)
        module_case(name, "layers", "AvgPool2d", {"kernel": list(k), "stride": list(s), "padding": list(p), "count_include_pad": cip},
                    m, {"x": rand(2, 3, h, w)}, lambda m, x: m(x))
    seed_for("global_avgpool2d")
    module_case("global_avgpool2d", "layers", "GlobalAvgPool2d", {}, nn.AdaptiveAvgPool2d(1), {"x": rand(2, 3, 5, 4)},
                lambda m, x: m(x).flatten(1))

    # Flatten, Dropout (identity cases), PReLU, activation modules
    for name, start, end, shape in [("flatten_default", 1, -1, [2, 3, 4, 2]), ("flatten_1_2", 1, 2, [2, 3, 4, 2]), ("flatten_0", 0, -1, [2, 3, 2])]:
        seed_for(name)
        module_case(name, "layers", "Flatten", {"start": start, "end": end}, nn.Flatten(start, end), {"x": rand(*shape)}, lambda m, x: m(x))
    seed_for("dropout_p0_train")
    module_case("dropout_p0_train", "layers", "Dropout", {"p": 0.0, "train": True}, nn.Dropout(0.0).train(), {"x": rand(3, 5)}, lambda m, x: m(x))
    seed_for("dropout_eval")
    module_case("dropout_eval", "layers", "Dropout", {"p": 0.5, "train": False}, nn.Dropout(0.5).eval(), {"x": rand(3, 5)}, lambda m, x: m(x))
    for name, n, shape in [("prelu_shared", 1, [2, 3, 4]), ("prelu_channels", 3, [2, 3, 4, 2]), ("prelu_channels_2d", 4, [5, 4])]:
        seed_for(name)
        m = nn.PReLU(n)
        params = set_params(m, {})
        module_case(name, "layers", "PReLU", {"num_parameters": n}, m, {"x": rand(*shape)}, lambda m, x: m(x), params)
    for name, m, args in [("module_relu", nn.ReLU(), {}), ("module_leaky_relu", nn.LeakyReLU(0.05), {"alpha": 0.05}),
                          ("module_elu", nn.ELU(0.7), {"alpha": 0.7}), ("module_sigmoid", nn.Sigmoid(), {}), ("module_tanh", nn.Tanh(), {}),
                          ("module_gelu", nn.GELU(), {}), ("module_silu", nn.SiLU(), {}), ("module_softmax", nn.Softmax(dim=1), {"axis": 1}),
                          ("module_log_softmax", nn.LogSoftmax(dim=1), {"axis": 1})]:
        seed_for(name)
        module_case(name, "layers", name[len("module_"):], args, m, {"x": rand(3, 4, 2, low=-3, high=3)}, lambda m, x: m(x))

    # Embedding
    for name, v, d, pad, idx in [("embedding", 7, 3, None, [[0, 2, 6], [2, 2, 5]]), ("embedding_padding", 6, 4, 1, [[1, 3, 1, 0], [5, 1, 3, 3]]),
                                 ("embedding_1d", 5, 2, None, [4, 4, 0, 1])]:
        seed_for(name)
        m = nn.Embedding(v, d, padding_idx=pad)
        params = set_params(m, {})
        module_case(name, "layers", "Embedding", {"num_embeddings": v, "dim": d, "padding_idx": pad}, m,
                    {"indices": torch.tensor(idx, dtype=torch.float64)}, lambda m, indices: m(indices.long()), params, grad_inputs=[])

    # A small CNN end to end (Sequential names).
    seed_for("cnn_sequential")
    # (No bias before the batch norm: its gradient is exactly 0 in theory, rounding noise of 1e-16 in practice.)
    m = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 3, 3, groups=1),
                      nn.Tanh(), nn.Flatten(), nn.Linear(12, 5), nn.LogSoftmax(dim=1))
    params = set_params(m, {})
    module_case("cnn_sequential", "layers", "CnnSequential", {}, m, {"x": rand(3, 2, 8, 8)}, lambda m, x: m(x), params)


def batchnorm():
    configs = [
        ("batchnorm2d", nn.BatchNorm2d, 3, 0.1, 1e-5, True, [4, 3, 3, 2]),
        ("batchnorm2d_momentum_eps", nn.BatchNorm2d, 2, 0.3, 1e-3, True, [3, 2, 2, 3]),
        ("batchnorm2d_no_affine", nn.BatchNorm2d, 3, 0.1, 1e-5, False, [2, 3, 2, 2]),
        ("batchnorm1d", nn.BatchNorm1d, 4, 0.1, 1e-5, True, [6, 4]),
        ("batchnorm1d_sequence", nn.BatchNorm1d, 3, 0.2, 1e-4, True, [2, 3, 5]),
        ("batchnorm1d_momentum1", nn.BatchNorm1d, 2, 1.0, 1e-5, True, [5, 2]),
    ]
    for name, cls, c, mom, eps, affine, shape in configs:
        seed_for(name)
        m = cls(c, eps=eps, momentum=mom, affine=affine)
        params = set_params(m, {})
        with torch.no_grad():
            m.running_mean.copy_(rand(c))
            m.running_var.copy_(rand(c, low=0.5, high=2.0))
        steps = []
        init = {"running_mean": enc(m.running_mean), "running_var": enc(m.running_var)}
        for i, train in enumerate([True, True, True, False]):
            m.train(train)
            x = leaf(rand(*shape, low=-2, high=3))
            for p in params.values():
                p.grad = None
            y = m(x)
            gy = upstream_like(y)
            named = {"input.x": x}
            named.update(params)
            grads = grads_of(named, [y], [gy])
            steps.append({"train": train, "inputs": {"x": enc(x)}, "upstream": {"y": enc(gy)}, "outputs": {"y": enc(y)}, "grads": grads,
                          "running_mean": enc(m.running_mean), "running_var": enc(m.running_var),
                          "num_batches_tracked": int(m.num_batches_tracked)})
        add({"family": "batchnorm", "name": name, "layer": cls.__name__,
             "args": {"num_features": c, "momentum": mom, "eps": eps, "affine": affine},
             "params": {k: enc(p) for k, p in params.items()}, "initial": init, "steps": steps})


def recurrent():
    # (kind, input, hidden, layers, bidirectional, batch_first, nonlinearity, initial states)
    configs = [
        ("rnn_tanh", "RNN", 3, 4, 1, False, True, "tanh", False),
        ("rnn_relu_stacked_bidirectional", "RNN", 3, 4, 2, True, False, "relu", True),
        ("rnn_tanh_3layers_h0", "RNN", 2, 3, 3, False, True, "tanh", True),
        ("lstm", "LSTM", 3, 4, 1, False, True, None, False),
        ("lstm_stacked_bidirectional_h0_c0", "LSTM", 3, 5, 2, True, True, None, True),
        ("lstm_time_major_h0_c0", "LSTM", 4, 3, 1, False, False, None, True),
        ("lstm_bidirectional_time_major", "LSTM", 2, 3, 2, True, False, None, False),
        ("gru", "GRU", 3, 4, 1, False, True, None, False),
        ("gru_3layers_h0", "GRU", 3, 4, 3, False, True, None, True),
        ("gru_stacked_bidirectional_time_major_h0", "GRU", 2, 3, 2, True, False, None, True),
    ]
    n, t = 2, 5
    for name, kind, fin, hid, nl, bidir, bf, nonlin, states in configs:
        seed_for(name)
        cls = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[kind]
        kw = {"nonlinearity": nonlin} if kind == "RNN" else {}
        m = cls(fin, hid, num_layers=nl, bidirectional=bidir, batch_first=bf, **kw)
        params = set_params(m, {})
        dirs = 2 if bidir else 1
        inputs = {"x": rand(*([n, t, fin] if bf else [t, n, fin]))}
        if states:
            inputs["h0"] = rand(nl * dirs, n, hid)
            if kind == "LSTM":
                inputs["c0"] = rand(nl * dirs, n, hid)

        def forward(m, x, h0=None, c0=None, kind=kind):
            if kind == "LSTM":
                out, (h, c) = m(x, None if h0 is None else (h0, c0))
                return {"output": out, "h_n": h, "c_n": c}
            out, h = m(x, h0)
            return {"output": out, "h_n": h}

        args = {"kind": kind, "input_size": fin, "hidden_size": hid, "num_layers": nl, "bidirectional": bidir,
                "batch_first": bf, "nonlinearity": nonlin}
        module_case(name, "recurrent", kind, args, m, inputs, forward, params)


# ---------------------------------------------------------------------------------------------------------------------
# Losses


def loss_case(name, loss, args, pred, target, fn, target_grad=False, labels=None, known=None, formula=None):
    p = leaf(pred)
    t = leaf(target) if target_grad else target
    y = fn(p, t) if labels is None else fn(p, labels)
    gy = upstream_like(y) if y.dim() > 0 else torch.tensor(1.0)
    named = {"prediction": p}
    if target_grad:
        named["target"] = t
    grads = grads_of(named, [y], [gy])
    case = {"family": "losses", "name": name, "loss": loss, "args": args, "inputs": {"prediction": enc(pred)},
            "outputs": {"y": enc(y)}, "upstream": {"y": enc(gy)}, "grads": grads}
    if labels is not None:
        case["inputs"]["labels"] = enc(labels)
    else:
        case["inputs"]["target"] = enc(target)
    if formula:
        case["torch"] = formula
    if known:
        case["known_difference"] = known
    add(case)


def reduction_difference(shape, red):
    """Nabla's Sum adds per-sample means (PyTorch: all elements), its None gives [N] (PyTorch: every element)."""
    m = 1 if len(shape) == 1 else math.prod(shape[1:])
    return None  # fixed: Nabla's Reduction.SumAll / PerElement are PyTorch's 'sum' / 'none' (the replay maps them)


def losses():
    # Regression losses on [N, M]: Mean agrees; Sum and None agree only when M = 1 (Nabla reduces each sample by its mean).
    for loss, fn in (("MSE", F.mse_loss), ("MAE", F.l1_loss)):
        for shape in ([5, 3], [6], [4, 1], [2, 3, 2]):
            for red in ("mean", "sum", "none"):
                name = f"{loss.lower()}_{'x'.join(map(str, shape))}_{red}"
                seed_for(name)
                pred, target = rand(*shape), rand(*shape)
                known = reduction_difference(shape, red)
                loss_case(name, loss, {"reduction": red}, pred, target, lambda p, t: fn(p, t, reduction=red), target_grad=True, known=known)

    # MSLE, hinge and squared hinge have no PyTorch class: their formula, written with torch operations.
    for shape, red in (([5, 3], "mean"), ([6], "sum"), ([4, 1], "none"), ([6], "mean")):
        name = f"msle_{'x'.join(map(str, shape))}_{red}"
        seed_for(name)
        pred, target = rand(*shape, low=-0.5, high=3), rand(*shape, low=-0.5, high=3)
        loss_case(name, "MSLE", {"reduction": red}, pred, target,
                  lambda p, t: _reduce((torch.log1p(p) - torch.log1p(t)) ** 2, red), target_grad=True, known=reduction_difference(shape, red),
                  formula="(log1p(p) - log1p(t))**2, then the reduction")
    for loss, formula, fn in (("Hinge", "relu(1 - t*p)", lambda p, t: torch.relu(1 - t * p)),
                              ("SquaredHinge", "relu(1 - t*p)**2", lambda p, t: torch.relu(1 - t * p) ** 2)):
        for shape, red in (([5, 3], "mean"), ([6], "sum"), ([4, 1], "none"), ([6], "mean")):
            name = f"{loss.lower()}_{'x'.join(map(str, shape))}_{red}"
            seed_for(name)
            pred = rand(*shape, low=-2, high=2)
            target = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0)
            loss_case(name, loss, {"reduction": red}, pred, target, lambda p, t, fn=fn: _reduce(fn(p, t), red), known=reduction_difference(shape, red),
                      formula=formula + ", then the reduction")

    # Cross-entropy on logits with class labels: weights, label smoothing, reductions, extreme logits.
    ce_configs = [
        ("ce_labels", 5, 4, None, 0.0), ("ce_weights", 6, 3, [0.2, 1.0, 2.5], 0.0), ("ce_smoothing", 5, 4, None, 0.1),
        ("ce_weights_smoothing", 7, 5, [1.0, 0.5, 2.0, 0.1, 3.0], 0.3), ("ce_binary", 4, 2, None, 0.05),
        ("ce_many_classes", 3, 11, None, 0.0),
    ]
    for base, n, k, w, eps in ce_configs:
        for red in ("mean", "sum", "none"):
            name = f"{base}_{red}"
            seed_for(name)
            logits = rand(n, k, low=-3, high=3)
            labels = torch.randint(0, k, (n,))
            weight = None if w is None else torch.tensor(w)
            args = {"reduction": red, "label_smoothing": eps, "class_weights": w}
            loss_case(name, "CrossEntropy", args, logits, None,
                      lambda p, y: F.cross_entropy(p, y, weight=weight, reduction=red, label_smoothing=eps), labels=labels)
    for red in ("mean", "sum"):
        name = f"ce_extreme_logits_{red}"
        seed_for(name)
        logits = torch.tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 1e4], [0.5, -1e4, 1e4], [-1e4, -1e4, -1e4], [1e4, -1e4, 0.0]])
        labels = torch.tensor([0, 2, 0, 1, 2])
        loss_case(name, "CrossEntropy", {"reduction": red, "label_smoothing": 0.1, "class_weights": None}, logits, None,
                  lambda p, y: F.cross_entropy(p, y, reduction=red, label_smoothing=0.1), labels=labels)
    # Soft (probability) targets, with gradients to the targets too.
    for name, n, k, w, eps, red in [("ce_soft_targets", 4, 3, None, 0.0, "mean"), ("ce_soft_targets_weights_smoothing", 5, 4, [0.5, 1.5, 1.0, 2.0], 0.2, "mean"),
                                    ("ce_soft_targets_sum", 3, 5, None, 0.1, "sum"), ("ce_soft_targets_none", 3, 4, [1.0, 2.0, 0.5, 1.0], 0.0, "none")]:
        seed_for(name)
        logits = rand(n, k, low=-3, high=3)
        target = rounded(torch.softmax(torch.rand(n, k) * 4, dim=1))
        weight = None if w is None else torch.tensor(w)
        loss_case(name, "CrossEntropy", {"reduction": red, "label_smoothing": eps, "class_weights": w}, logits, target,
                  lambda p, t: F.cross_entropy(p, t, weight=weight, reduction=red, label_smoothing=eps), target_grad=True)
    # The Keras-named cross-entropies on logits: categorical (distributions) and sparse (labels).
    for red in ("mean", "sum", "none"):
        name = f"categorical_ce_logits_{red}"
        seed_for(name)
        logits = rand(4, 5, low=-3, high=3)
        target = rounded(torch.softmax(torch.rand(4, 5) * 3, dim=1))
        loss_case(name, "CategoricalCrossEntropy", {"reduction": red, "from_logits": True}, logits, target,
                  lambda p, t: F.cross_entropy(p, t, reduction=red), target_grad=True)
        name = f"sparse_categorical_ce_logits_{red}"
        seed_for(name)
        logits = rand(6, 3, low=-3, high=3)
        labels = torch.randint(0, 3, (6,))
        loss_case(name, "SparseCategoricalCrossEntropy", {"reduction": red, "from_logits": True}, logits, None,
                  lambda p, y: F.cross_entropy(p, y, reduction=red), labels=labels)
    # Cross-entropies on probabilities (away from the clamp δ = 1e-7): PyTorch's NLLLoss of log p, or the formula.
    for name, loss, n, k, w, red in [("ce_probabilities", "CrossEntropy", 5, 4, None, "mean"),
                                     ("ce_probabilities_weights_sum", "CrossEntropy", 6, 3, [0.5, 2.0, 1.0], "sum"),
                                     ("ce_probabilities_weights_mean", "CrossEntropy", 6, 3, [0.5, 2.0, 1.0], "mean"),
                                     ("sparse_categorical_ce_probabilities", "SparseCategoricalCrossEntropy", 5, 4, None, "mean"),
                                     ("sparse_categorical_ce_probabilities_none", "SparseCategoricalCrossEntropy", 4, 3, None, "none")]:
        seed_for(name)
        prob = rounded(torch.softmax(torch.rand(n, k) * 5 - 2, dim=1))
        labels = torch.randint(0, k, (n,))
        weight = None if w is None else torch.tensor(w)
        args = {"reduction": red, "from_logits": False, "class_weights": w, "label_smoothing": 0.0}
        loss_case(name, loss, args, prob, None, lambda p, y: F.nll_loss(torch.log(p), y, weight=weight, reduction=red), labels=labels,
                  formula="nll_loss(log(p), labels)")
    for red in ("mean", "sum"):
        name = f"categorical_ce_probabilities_{red}"
        seed_for(name)
        prob = rounded(torch.softmax(torch.rand(4, 5) * 5 - 2, dim=1))
        target = rounded(torch.softmax(torch.rand(4, 5) * 3, dim=1))
        loss_case(name, "CategoricalCrossEntropy", {"reduction": red, "from_logits": False}, prob, target,
                  lambda p, t: _reduce(-(t * torch.log(p)).sum(dim=1), red), target_grad=True,
                  formula="-(t * log p).sum(1), then the reduction")
    name = "ce_probabilities_smoothing_weights"
    seed_for(name)
    prob = rounded(torch.softmax(torch.rand(5, 3) * 5 - 2, dim=1))
    labels = torch.randint(0, 3, (5,))
    w = torch.tensor([1.0, 0.25, 2.0])

    def smoothed_nll(p, y, eps=0.2, w=w):
        t = F.one_hot(y, 3).to(torch.float64) * (1 - eps) + eps / 3
        return -(w * t * torch.log(p)).sum() / w[y].sum()

    loss_case(name, "CrossEntropy", {"reduction": "mean", "from_logits": False, "class_weights": w.tolist(), "label_smoothing": 0.2},
              prob, None, smoothed_nll, labels=labels, formula="PyTorch's smoothed, weighted cross-entropy on log p")

    # Binary cross-entropy on probabilities. PyTorch clamps each log at -100; Nabla clamps p to [1e-7, 1 - 1e-7].
    for shape, red in (([5, 3], "mean"), ([6], "sum"), ([4, 1], "none"), ([3, 2, 2], "mean"), ([5, 3], "sum")):
        name = f"bce_{'x'.join(map(str, shape))}_{red}"
        seed_for(name)
        pred = rand(*shape, low=0.02, high=0.98)
        target = rand(*shape, low=0, high=1) if shape != [6] else (torch.rand(*shape) < 0.5).to(torch.float64)
        loss_case(name, "BinaryCrossEntropy", {"reduction": red, "from_logits": False}, pred, target,
                  lambda p, t: F.binary_cross_entropy(p, t, reduction=red), target_grad=True, known=reduction_difference(shape, red))
    name = "bce_near_0_and_1_inside_clamp"
    seed_for(name)
    pred = torch.tensor([[1e-6, 1 - 1e-6, 3e-7], [0.999999, 2e-6, 1 - 5e-7]])
    target = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 0.5]])
    loss_case(name, "BinaryCrossEntropy", {"reduction": "mean", "from_logits": False}, pred, target,
              lambda p, t: F.binary_cross_entropy(p, t), target_grad=True)
    for name, pred, target in [("bce_exact_0_and_1", [[0.0, 1.0, 0.0, 1.0]], [[1.0, 0.0, 0.0, 1.0]]),
                               ("bce_near_0_and_1_outside_clamp", [[1e-12, 1 - 1e-12, 1e-9, 1 - 1e-9]], [[1.0, 0.0, 0.0, 1.0]])]:
        seed_for(name)
        loss_case(name, "BinaryCrossEntropy", {"reduction": "mean", "from_logits": False}, torch.tensor(pred), torch.tensor(target),
                  lambda p, t: F.binary_cross_entropy(p, t))
    name = "bce_positive_weight"
    seed_for(name)
    pred, target = rand(4, 3, low=0.05, high=0.95), rand(4, 3, low=0, high=1)
    loss_case(name, "BinaryCrossEntropy", {"reduction": "mean", "from_logits": False, "positive_weight": 2.5}, pred, target,
              lambda p, t: (-(2.5 * t * torch.log(p) + (1 - t) * torch.log(1 - p))).mean(), target_grad=True,
              formula="-(w*t*log p + (1-t)*log(1-p)).mean()")

    # Binary cross-entropy on logits (BCEWithLogitsLoss), with pos_weight and extreme logits.
    for shape, red, pw in (([5, 3], "mean", None), ([6], "sum", None), ([4, 1], "none", None), ([4, 3], "mean", 3.0),
                           ([6], "sum", 0.5), ([2, 3, 2], "mean", 1.5), ([5, 3], "sum", None), ([3, 4], "none", 2.0)):
        name = f"bce_logits_{'x'.join(map(str, shape))}_{red}{'' if pw is None else '_pw' + str(pw)}"
        seed_for(name)
        pred, target = rand(*shape, low=-6, high=6), rand(*shape, low=0, high=1)
        known = reduction_difference(shape, red)
        pos = None if pw is None else torch.tensor([pw])
        loss_case(name, "BinaryCrossEntropyWithLogits", {"reduction": red, "positive_weight": pw}, pred, target,
                  lambda p, t: F.binary_cross_entropy_with_logits(p, t, reduction=red, pos_weight=pos), target_grad=True, known=known)
    name = "bce_logits_extreme"
    seed_for(name)
    pred = torch.tensor([[1e4, -1e4, 1e4, -1e4, 0.0, 40.0], [-40.0, 1e4, -1e4, 750.0, -750.0, 1e-4]])
    target = torch.tensor([[1.0, 0.0, 0.0, 1.0, 0.5, 0.0], [1.0, 0.3, 0.7, 1.0, 0.0, 1.0]])
    for pw in (None, 2.0):
        nm = name + ("" if pw is None else "_pw2")
        pos = None if pw is None else torch.tensor([pw])
        loss_case(nm, "BinaryCrossEntropyWithLogits", {"reduction": "mean", "positive_weight": pw}, pred, target,
                  lambda p, t: F.binary_cross_entropy_with_logits(p, t, pos_weight=pos), target_grad=True)

    # KL divergence: Nabla's Mean is PyTorch's "batchmean"; "none" is elementwise in PyTorch.
    for name, logq, logp, red, shape in [("kl_log_prediction_batchmean", True, False, "mean", [4, 5]),
                                         ("kl_log_prediction_sum", True, False, "sum", [3, 4]),
                                         ("kl_log_both_batchmean", True, True, "mean", [4, 3]),
                                         ("kl_probabilities_batchmean", False, False, "mean", [5, 3]),
                                         ("kl_probabilities_log_target_sum", False, True, "sum", [3, 6]),
                                         ("kl_log_prediction_none", True, False, "none", [3, 4]),
                                         ("kl_log_prediction_3d_batchmean", True, False, "mean", [2, 3, 4])]:
        seed_for(name)
        q = torch.softmax(torch.rand(*shape) * 4, dim=-1)
        p = torch.softmax(torch.rand(*shape) * 4, dim=-1)
        pred = rounded(torch.log(q)) if logq else rounded(q)
        target = rounded(torch.log(p)) if logp else rounded(p)
        tred = {"mean": "batchmean", "sum": "sum", "none": "none"}[red]
        known = None  # 'none' is replayed as Reduction.PerElement
        loss_case(name, "KLDivergence", {"reduction": red, "log_prediction": logq, "log_target": logp}, pred, target,
                  lambda a, b: F.kl_div(a if logq else torch.log(a), b, reduction=tred, log_target=logp), target_grad=True,
                  known=known, formula=None if logq else "kl_div(log(q), p)")


def _reduce(v, red):
    if red == "mean":
        return v.mean()
    if red == "sum":
        return v.sum()
    return v


# ---------------------------------------------------------------------------------------------------------------------
# Optimizers, schedules, clipping


def mlp():
    m = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    params = set_params(m, {})
    return m, params


def trajectory(name, opt_name, opt_args, make_opt, problem="mlp", steps=5, schedule=None, clip=None, known=None, deliberate=None,
               groups=None):
    """groups: [{"params": [names], "lr": ..., "weight_decay": ...}] for parameter groups (torch dicts, Nabla ParamGroups)."""
    seed_for(name)
    if problem == "mlp":
        m, params = mlp()
        x, y = rand(6, 4), rand(6, 3)
        data = {"x": enc(x), "y": enc(y)}

        def loss_fn():
            return F.mse_loss(m(x), y)
    else:  # an ill-conditioned quadratic 0.5 * sum(a x^2) - b.x
        theta = nn.Parameter(rand(6))
        params = {"theta": theta}
        a = torch.tensor([0.1, 0.5, 1.0, 2.0, 5.0, 10.0])
        b = rand(6)
        data = {"a": enc(a), "b": enc(b)}

        def loss_fn():
            return 0.5 * (a * theta * theta).sum() - (b * theta).sum()
    initial = {k: enc(p) for k, p in params.items()}
    if groups:
        opt = make_opt([dict({k: v for k, v in g.items() if k != "params"}, params=[params[n] for n in g["params"]]) for g in groups])
    else:
        opt = make_opt(list(params.values()))
    sched = schedule[1](opt) if schedule else None
    record = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        norm = None
        if clip:
            if clip[0] == "norm":
                norm = float(torch.nn.utils.clip_grad_norm_(list(params.values()), clip[1]))
            else:
                torch.nn.utils.clip_grad_value_(list(params.values()), clip[1])
        lr = opt.param_groups[0]["lr"]
        opt.step()
        if sched:
            sched.step()
        step = {"loss": float(loss), "lr": lr, "params": {k: enc(p) for k, p in params.items()}}
        if norm is not None:
            step["grad_norm"] = norm
        record.append(step)
    case = {"family": "optimizers", "name": name, "problem": problem, "optimizer": opt_name, "args": opt_args, "data": data,
            "initial": initial, "steps": record}
    if schedule:
        case["schedule"] = schedule[0]
    if groups:
        case["groups"] = groups
    if clip:
        case["clip"] = {"kind": clip[0], "value": clip[1]}
    if known:
        case["known_difference"] = known
    if deliberate:
        case["deliberate_difference"] = deliberate
    add(case)


def optimizers():
    O = torch.optim
    configs = [
        ("sgd", "SGD", {"lr": 0.1}, lambda p: O.SGD(p, lr=0.1)),
        ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, lambda p: O.SGD(p, lr=0.05, momentum=0.9)),
        ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, lambda p: O.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
        ("sgd_weight_decay", "SGD", {"lr": 0.1, "weight_decay": 0.05}, lambda p: O.SGD(p, lr=0.1, weight_decay=0.05)),
        ("sgd_momentum_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1},
         lambda p: O.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.1)),
        ("sgd_nesterov_weight_decay", "SGD", {"lr": 0.03, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
         lambda p: O.SGD(p, lr=0.03, momentum=0.9, nesterov=True, weight_decay=0.01)),
        ("adam", "Adam", {"lr": 0.01}, lambda p: O.Adam(p, lr=0.01)),
        ("adam_options", "Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.05},
         lambda p: O.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
        ("adamw", "AdamW", {"lr": 0.01}, lambda p: O.AdamW(p, lr=0.01)),
        ("adamw_strong_decay", "AdamW", {"lr": 0.02, "betas": [0.85, 0.95], "eps": 1e-7, "weight_decay": 0.3},
         lambda p: O.AdamW(p, lr=0.02, betas=(0.85, 0.95), eps=1e-7, weight_decay=0.3)),
        ("adagrad", "AdaGrad", {"lr": 0.1, "eps": 1e-10}, lambda p: O.Adagrad(p, lr=0.1)),
        ("adagrad_weight_decay", "AdaGrad", {"lr": 0.05, "eps": 1e-7, "weight_decay": 0.1},
         lambda p: O.Adagrad(p, lr=0.05, eps=1e-7, weight_decay=0.1)),
        ("adadelta", "AdaDelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6}, lambda p: O.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6)),
        ("adadelta_options", "AdaDelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.01},
         lambda p: O.Adadelta(p, lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01)),
        ("rmsprop", "RMSProp", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}, lambda p: O.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8)),
        ("rmsprop_momentum", "RMSProp", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "momentum": 0.9, "weight_decay": 0.01},
         lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, momentum=0.9, weight_decay=0.01)),
    ]
    for name, opt_name, args, make in configs:
        trajectory(name, opt_name, args, make)  # RMSProp is replayed with PyTorch's form (epsilonInsideRoot: false)
    for name, opt_name, args, make in [c for c in configs if c[0] in ("sgd", "sgd_momentum", "sgd_nesterov", "adam", "adagrad", "adadelta")]:
        trajectory("quadratic_" + name, opt_name, args, make, problem="quadratic", steps=6)
    # With a schedule stepped after every optimizer step, and with clipping.
    trajectory("sgd_steplr", "SGD", {"lr": 0.2}, lambda p: O.SGD(p, lr=0.2), steps=6,
               schedule=({"kind": "StepLR", "step_size": 2, "gamma": 0.5}, lambda o: O.lr_scheduler.StepLR(o, 2, 0.5)))
    trajectory("sgd_momentum_steplr", "SGD", {"lr": 0.1, "momentum": 0.9}, lambda p: O.SGD(p, lr=0.1, momentum=0.9), steps=6,
               schedule=({"kind": "StepLR", "step_size": 2, "gamma": 0.5}, lambda o: O.lr_scheduler.StepLR(o, 2, 0.5)),
               deliberate="SGD momentum in the lectures' velocity form: a new rate applies to new gradients only")
    trajectory("adam_cosine", "Adam", {"lr": 0.05}, lambda p: O.Adam(p, lr=0.05), steps=6,
               schedule=({"kind": "CosineAnnealingLR", "T_max": 6, "eta_min": 0.001}, lambda o: O.lr_scheduler.CosineAnnealingLR(o, 6, 0.001)))
    # Parameter groups: weights and biases with their own rate and weight decay.
    groups = [{"params": ["0.weight", "2.weight"], "weight_decay": 0.02}, {"params": ["0.bias", "2.bias"], "lr": 0.005, "weight_decay": 0.0}]
    trajectory("adam_param_groups_steplr", "Adam", {"lr": 0.02}, lambda g: O.Adam(g, lr=0.02), steps=6, groups=groups,
               schedule=({"kind": "StepLR", "step_size": 2, "gamma": 0.5}, lambda o: O.lr_scheduler.StepLR(o, 2, 0.5)))
    trajectory("sgd_param_groups", "SGD", {"lr": 0.1, "momentum": 0.5}, lambda g: O.SGD(g, lr=0.1, momentum=0.5), groups=groups)
    trajectory("adam_param_groups_cosine_min", "Adam", {"lr": 0.02}, lambda g: O.Adam(g, lr=0.02), steps=6, groups=groups,
               schedule=({"kind": "CosineAnnealingLR", "T_max": 6, "eta_min": 0.004}, lambda o: O.lr_scheduler.CosineAnnealingLR(o, 6, 0.004)),
               deliberate="a group's rate is a fixed ratio of the scheduled base rate, so the ratio scales η_min too")
    trajectory("sgd_clip_norm_inactive", "SGD", {"lr": 0.1}, lambda p: O.SGD(p, lr=0.1), clip=("norm", 1000.0))
    trajectory("sgd_clip_norm", "SGD", {"lr": 0.1}, lambda p: O.SGD(p, lr=0.1), clip=("norm", 0.05))
    trajectory("adam_clip_value", "Adam", {"lr": 0.01}, lambda p: O.Adam(p, lr=0.01), clip=("value", 0.02))


def schedules():
    S = torch.optim.lr_scheduler
    base = 0.1
    configs = [
        ("steplr", {"kind": "StepLR", "step_size": 3, "gamma": 0.5}, lambda o: S.StepLR(o, 3, 0.5), 12, None),
        ("steplr_every_step", {"kind": "StepLR", "step_size": 1, "gamma": 0.9}, lambda o: S.StepLR(o, 1, 0.9), 12, None),
        ("exponentiallr", {"kind": "ExponentialLR", "gamma": 0.8}, lambda o: S.ExponentialLR(o, 0.8), 12, None),
        ("cosine_within_tmax", {"kind": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.001}, lambda o: S.CosineAnnealingLR(o, 10, 0.001), 10, None),
        ("cosine_within_tmax_zero_min", {"kind": "CosineAnnealingLR", "T_max": 7, "eta_min": 0.0}, lambda o: S.CosineAnnealingLR(o, 7), 7, None),
        ("cosine_after_tmax", {"kind": "CosineAnnealingLR", "T_max": 5, "eta_min": 0.01}, lambda o: S.CosineAnnealingLR(o, 5, 0.01), 14,
         None),  # replayed with CosineDecay(holdMinimum: false)
        ("linearlr_decay", {"kind": "LinearLR", "start_factor": 1.0, "end_factor": 0.1, "total_iters": 8},
         lambda o: S.LinearLR(o, 1.0, 0.1, 8), 12, None),
        ("linearlr_warmup", {"kind": "LinearLR", "start_factor": 0.25, "end_factor": 1.0, "total_iters": 4},
         lambda o: S.LinearLR(o, 0.25, 1.0, 4), 10, None),
        ("warmup_then_exponential", {"kind": "SequentialLR", "warmup": {"start_factor": 0.1, "total_iters": 3}, "then": {"kind": "ExponentialLR", "gamma": 0.9}},
         lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, 1.0, 3), S.ExponentialLR(o, 0.9)], [3]), 10, None),
        ("warmup_then_cosine", {"kind": "SequentialLR", "warmup": {"start_factor": 0.2, "total_iters": 2}, "then": {"kind": "CosineAnnealingLR", "T_max": 6, "eta_min": 0.0}},
         lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.2, 1.0, 2), S.CosineAnnealingLR(o, 6)], [2]), 8, None),
        ("lambda_inverse_time", {"kind": "LambdaLR", "formula": "1/(1+0.5t)", "decay_rate": 0.5},
         lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.5 * t)), 10, None),
        ("lambda_inverse_sqrt", {"kind": "LambdaLR", "formula": "1/sqrt(t+1)"}, lambda o: S.LambdaLR(o, lambda t: 1 / math.sqrt(t + 1)), 10, None),
    ]
    for name, sched_args, make, steps, known in configs:
        seed_for(name)
        p = nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=base)
        sched = make(opt)
        rates = [opt.param_groups[0]["lr"]]
        for _ in range(steps):
            opt.step()
            sched.step()
            rates.append(opt.param_groups[0]["lr"])
        case = {"family": "schedules", "name": name, "base_lr": base, "schedule": sched_args, "rates": rates}
        if known:
            case["known_difference"] = known
        add(case)
    # ReduceLROnPlateau on given metric sequences (threshold_mode "abs").
    metrics_a = [1.0, 0.9, 0.85, 0.86, 0.849, 0.85, 0.84, 0.845, 0.846, 0.847, 0.9, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75]
    metrics_b = [0.5, 0.6, 0.6, 0.61, 0.605, 0.7, 0.7, 0.69, 0.7, 0.71, 0.72, 0.7, 0.7, 0.7]
    for name, mode, factor, patience, thr, cooldown, min_lr, metrics in [
            ("plateau_min", "min", 0.5, 2, 0.01, 0, 0.0, metrics_a),
            ("plateau_min_cooldown_floor", "min", 0.3, 1, 0.001, 2, 0.004, metrics_a),
            ("plateau_max", "max", 0.5, 1, 0.005, 1, 0.0, metrics_b)]:
        p = nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=base)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=factor, patience=patience, threshold=thr,
                                                           threshold_mode="abs", cooldown=cooldown, min_lr=min_lr)
        rates = []
        for v in metrics:
            sched.step(v)
            rates.append(opt.param_groups[0]["lr"])
        add({"family": "schedules", "name": name, "base_lr": base,
             "schedule": {"kind": "ReduceLROnPlateau", "mode": mode, "factor": factor, "patience": patience, "threshold": thr,
                          "cooldown": cooldown, "min_lr": min_lr}, "metrics": metrics, "rates": rates})


def clipping():
    for name, kind, value, scale in [("clip_norm_active", "norm", 1.0, 3.0), ("clip_norm_inactive", "norm", 50.0, 3.0),
                                     ("clip_norm_tiny_max", "norm", 1e-3, 1.0), ("clip_value", "value", 0.4, 1.0),
                                     ("clip_value_inactive", "value", 5.0, 1.0)]:
        seed_for(name)
        shapes = [[3, 4], [4], [2, 2, 3]]
        params = [nn.Parameter(torch.zeros(*s)) for s in shapes]
        grads = [rand(*s) * scale for s in shapes]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        case = {"family": "clipping", "name": name, "kind": kind, "value": value, "grads": [enc(g) for g in grads]}
        if kind == "norm":
            case["total_norm"] = float(torch.nn.utils.clip_grad_norm_(params, value))
        else:
            torch.nn.utils.clip_grad_value_(params, value)
        case["clipped"] = [enc(p.grad) for p in params]
        add(case)


def init():
    """Initializer arithmetic: nn.init.calculate_gain and the fans of weight shapes."""
    gains = [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
             ("leaky_relu", math.sqrt(5)), ("selu", None)]
    add({"family": "init", "name": "calculate_gain", "gains": [{"nonlinearity": n, "param": p, "gain": nn.init.calculate_gain(n, p)} for n, p in gains]})
    shapes = [[5, 3], [4, 3, 2, 2], [6, 2, 3], [8, 1, 5, 5], [2, 7]]
    fans = []
    for s in shapes:
        fi, fo = nn.init._calculate_fan_in_and_fan_out(torch.empty(*s))
        fans.append({"shape": s, "fan_in": fi, "fan_out": fo})
    add({"family": "init", "name": "fan_in_and_fan_out", "fans": fans})


# ---------------------------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write the fixture (default: %(default)s)")
    args = ap.parse_args()
    if not torch.__version__.startswith("1.13"):
        print(f"warning: PyTorch {torch.__version__}; the committed fixture comes from 1.13", file=sys.stderr)
    tensor_ops()
    layers()
    batchnorm()
    recurrent()
    losses()
    optimizers()
    schedules()
    clipping()
    init()
    lines = [json.dumps(c, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False) for c in CASES]
    meta = json.dumps({"format": FORMAT, "generator": "tests/parity/generate.py", "torch": torch.__version__.split("+")[0]},
                      sort_keys=True, separators=(",", ":"))
    text = '{"cases":[\n' + ",\n".join(lines) + '\n],\n"meta":' + meta + "}\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    families = {}
    for c in CASES:
        families[c["family"]] = families.get(c["family"], 0) + 1
    print(f"{len(CASES)} cases ({', '.join(f'{k} {v}' for k, v in families.items())}), {len(text.encode('utf-8'))} bytes -> {args.output}")


if __name__ == "__main__":
    main()
