using Nabla.Data;
using Nabla.IO;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

Generator.ManualSeed(42);                                  // one seed: weights, dropout masks, shuffling
var mnist = Mnist.Load();                                  // bundled MNIST, [N,1,28,28] in [0,1]

// Define: a model from the zoo (or build your own from Nabla.NN layers).
var model = ModelZoo.MLP();
var trainer = new Trainer(model, new CrossEntropy(), new Adam(model.Parameters(), 1e-3));

// Train and evaluate.
var history = trainer.Fit(mnist.Train, epochs: 1, batchSize: 64, validation: mnist.Test);
Console.WriteLine(history.Epochs[^1]);
var test = trainer.Evaluate(mnist.Test);
Console.WriteLine($"test accuracy {test.Accuracy:P2}");

// Save, load into a fresh model, predict: no trainer or optimizer needed.
Checkpoint.Save("mlp.safetensors", model);
var restored = ModelZoo.MLP();
Checkpoint.Load("mlp.safetensors", restored);
var prediction = restored.Predict(mnist.Test.Slice(0, 5).Features, OutputActivation.Softmax);
Console.WriteLine($"first five digits: {string.Join(" ", prediction.Classes)} (labels {string.Join(" ", mnist.Test.Labels![..5])})");
