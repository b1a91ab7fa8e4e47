// The lectures' handwritten-digit recognition end to end with the high-level API:
// prepare the data set, build the model, define the loss, optimize, test.
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

int epochs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
Generator.ManualSeed(1);
var mnist = Mnist.Load(flatten: true);                                   // [N, 784], pixels / 255
var model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
var trainer = new Trainer(model, new CrossEntropy(), new Adam(model.Parameters(), 1e-3));
trainer.Callbacks.Add(new PrintEpochs());
trainer.Fit(mnist.Train, epochs, batchSize: 64, validation: mnist.Test, seed: 1);
var result = trainer.Evaluate(mnist.Test);
Console.WriteLine($"test accuracy {result.Accuracy:P2}, test loss {result.Loss:F4}");

sealed class PrintEpochs : Callback
{
    public override void OnEpochEnd(TrainingContext context, EpochRecord record) => Console.WriteLine(record);
}
