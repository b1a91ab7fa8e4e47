// A 2-4-1 network learns XOR with plain tensors and autograd: the lowest-level training loop.
using Nabla.Autograd;
using Nabla.Tensors;

var gen = new Generator(7);
var x = Tensor.FromArray([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], 4, 2);
var y = Tensor.FromArray([0f, 1f, 1f, 0f], 4, 1);

Tensor Param(int[] shape, double scale)
{
    var p = Tensor.Uniform(shape, -scale, scale, gen);
    p.RequiresGrad = true;
    return p;
}
var w1 = Param([2, 4], 1.0); var b1 = Param([4], 0.1);
var w2 = Param([4, 1], 1.0); var b2 = Param([1], 0.1);
Tensor[] parameters = [w1, b1, w2, b2];

const double learningRate = 0.5;
for (int epoch = 0; epoch <= 2000; epoch++)
{
    var hidden = (x.Matmul(w1) + b1).Tanh();
    var output = (hidden.Matmul(w2) + b2).Sigmoid();
    var loss = (output - y).Square().Mean();          // MSE
    foreach (var p in parameters) p.ZeroGrad();
    loss.Backward();
    using (GradMode.NoGrad())
        foreach (var p in parameters)                   // θ ← θ − η ∇L
        {
            var step = p.Grad!.AsSpan<float>();
            var value = p.AsSpan<float>();
            for (int i = 0; i < value.Length; i++) value[i] -= (float)learningRate * step[i];
        }
    if (epoch % 250 == 0) Console.WriteLine($"epoch {epoch,5}  loss {loss.Item():F6}");
}

using (GradMode.NoGrad())
{
    var prediction = ((x.Matmul(w1) + b1).Tanh().Matmul(w2) + b2).Sigmoid();
    for (int i = 0; i < 4; i++)
        Console.WriteLine($"{x[i, 0]} XOR {x[i, 1]} = {prediction[i, 0]:F3} (target {y[i, 0]})");
}
