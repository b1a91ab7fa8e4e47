// MNIST read row by row: each image is a sequence of 28 steps of 28 pixels, an LSTM (hidden 128) reads it and a
// linear head classifies the last hidden state. Adam 1e-3, batch 64.
//   dotnet run -c Release -- [--epochs N] [--limit M] [--hidden H] [--batch B] [--lr LR] [--threads K]
// --limit M trains on the first M training images and tests on the first M/6 test images (a quick run).
using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Recurrent;
using Nabla.Optim;
using Nabla.Tensors;

int epochs = 3, limit = 0, hidden = 128, batchSize = 64;
double lr = 1e-3;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--limit": limit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--hidden": hidden = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--batch": batchSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--lr": lr = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--threads": Threads.Max = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 1;
    }
}

var data = Mnist.Load();
// [N, 1, 28, 28] → [N, 28, 28]: 28 steps (rows) of 28 features (pixels).
var train = data.Train.WithFeatures(data.Train.Features.Reshape(data.Train.Count, 28, 28));
var test = data.Test.WithFeatures(data.Test.Features.Reshape(data.Test.Count, 28, 28));
if (limit > 0)
{
    train = train.Slice(0, Math.Min(limit, train.Count));
    test = test.Slice(0, Math.Min(Math.Max(limit / 6, 1000), test.Count));
}
Console.WriteLine($"MNIST rows: {train.Count} training and {test.Count} test sequences of 28 steps × 28 features; {Threads.Max} threads");

var model = new Sequential(new LSTM(28, hidden, generator: new Generator(1)), new SequenceHead(hidden, 10, generator: new Generator(2)));
Console.WriteLine(model.Summary(batchSize, 28, 28));

var optimizer = new Adam(model.Parameters(), lr);
var loss = new CrossEntropy();
var loader = new DataLoader(train, batchSize, shuffle: true, seed: 3);

double Accuracy(TensorDataset set)
{
    model.Eval();
    int correct = 0;
    using (GradMode.NoGrad())
        for (int start = 0; start < set.Count; start += 1000)
        {
            var part = set.Slice(start, Math.Min(1000, set.Count - start));
            var predicted = model.Forward(part.Features).ArgMaxRows();
            for (int k = 0; k < predicted.Length; k++) if (predicted[k] == part.Labels![k]) correct++;
        }
    model.Train();
    return (double)correct / set.Count;
}

var total = Stopwatch.StartNew();
double finalAccuracy = 0;
for (int epoch = 1; epoch <= epochs; epoch++)
{
    var clock = Stopwatch.StartNew();
    double sum = 0;
    int batches = 0, seen = 0;
    foreach (var batch in loader)
    {
        optimizer.ZeroGrad();
        var l = loss.Forward(model.Forward(batch.Features), batch.Labels!);
        l.Backward();
        optimizer.Step();
        sum += l.Item();
        batches++;
        seen += batch.Count;
        if (batches % 100 == 0)
            Console.WriteLine($"  epoch {epoch} batch {batches}/{loader.BatchesPerEpoch}: loss {sum / batches:F4}, {seen / clock.Elapsed.TotalSeconds:F0} sequences/s");
    }
    double trainTime = clock.Elapsed.TotalSeconds;
    finalAccuracy = Accuracy(test);
    Console.WriteLine($"epoch {epoch}: train loss {sum / batches:F4}, test accuracy {finalAccuracy:P2}, {trainTime:F1} s training ({seen / trainTime:F0} sequences/s), {clock.Elapsed.TotalSeconds - trainTime:F1} s testing");
}
Console.WriteLine($"final test accuracy {finalAccuracy:P2} after {epochs} epoch(s), {total.Elapsed.TotalSeconds:F0} s in total");
return 0;
