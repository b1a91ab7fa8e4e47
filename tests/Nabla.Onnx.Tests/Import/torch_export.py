# Exports small PyTorch models (a residual CNN, LSTM, GRU and ReLU-RNN sequence models) with torch.onnx.export
# (opset 13, dynamic batch) plus one input and PyTorch's output as TensorProto files, for TorchModelTests.
import sys, os, torch, torch.nn as nn, onnx
from onnx import numpy_helper
out = sys.argv[1]
torch.manual_seed(0)

class Block(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False); s.bn1 = nn.BatchNorm2d(c)
        s.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False); s.bn2 = nn.BatchNorm2d(c)
    def forward(s, x):
        y = torch.relu(s.bn1(s.conv1(x)))
        return torch.relu(s.bn2(s.conv2(y)) + x)

class ResNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        s.block = Block(8)
        s.pool = nn.AdaptiveAvgPool2d(1)
        s.drop = nn.Dropout(0.3)
        s.fc = nn.Linear(8, 5)
    def forward(s, x):
        return s.fc(s.drop(torch.flatten(s.pool(s.block(s.stem(x))), 1)))

class Seq(nn.Module):
    def __init__(s, cell):
        super().__init__()
        s.rnn = cell
        s.fc = nn.Linear(cell.hidden_size * (2 if cell.bidirectional else 1), 3)
    def forward(s, x):
        y, _ = s.rnn(x)
        return s.fc(y[:, -1, :])

def export(name, model, x):
    model.eval()
    # Non-trivial running statistics, so evaluation differs from training.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 2.0)
    with torch.no_grad():
        y = model(x)
    path = os.path.join(out, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    onnx.save_tensor(numpy_helper.from_array(x.numpy()), os.path.join(out, name + ".input.pb"))
    onnx.save_tensor(numpy_helper.from_array(y.numpy()), os.path.join(out, name + ".output.pb"))

export("resnet", ResNet(), torch.randn(2, 3, 16, 16))
export("lstm", Seq(nn.LSTM(4, 6, num_layers=2, batch_first=True, bidirectional=True)), torch.randn(3, 5, 4))
export("gru", Seq(nn.GRU(4, 5, batch_first=True)), torch.randn(3, 7, 4))
export("rnn", Seq(nn.RNN(4, 5, batch_first=True, nonlinearity="relu")), torch.randn(3, 7, 4))
