using Nabla.Diagnostics;
using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 13: handwritten digits end to end: training curves, the confusion matrix, the most confidently wrong digits.</summary>
public sealed class DigitsLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "13-digits";

    /// <inheritdoc/>
    public override string Title => "13. Handwritten digits, end to end";

    /// <inheritdoc/>
    public override string Summary => "Prepare the data, build LeNet-5, define the loss, optimize: training curves, the confusion matrix and the most confidently wrong test digits.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("The notes' recipe: 1. prepare the dataset, 2. build the model, 3. define the loss, 4. optimize, then test on data the " +
                  "model never saw. Here LeNet-5 learns MNIST digits with cross-entropy and Adam.");
        // <snippet digits>
        Generator.ManualSeed(42);
        var train = context.MnistTrain(context.Pick(3000, 60000));              // 1. prepare the dataset
        var test = context.MnistTest(context.Pick(1000, 10000));
        var model = ModelZoo.LeNet5();                                           // 2. build the model
        var trainer = new Trainer(model, new CrossEntropy(),                     // 3. define the loss
            new Adam(model.Parameters(), 1e-3));                                 // 4. optimize
        var history = trainer.Fit(train, epochs: context.Pick(2, 3), batchSize: 64, validation: test, seed: 42);
        var prediction = trainer.Predict(test.Features);                         // probabilities and classes
        var confusion = new ConfusionMatrix(prediction.Classes, test.Labels!, 10);
        // </snippet>
        page.Code("digits");
        var epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var loss = new LineChart("Loss per epoch", "epoch", "cross-entropy") { IntegerX = true, Width = 480, Height = 340 }
            .Add("training", epochs, history.Values("loss")).Add("test", epochs, history.Values("val_loss"));
        var accuracy = new LineChart("Accuracy per epoch", "epoch", "accuracy") { IntegerX = true, Width = 480, Height = 340 }
            .Add("training", epochs, history.Values("accuracy")).Add("test", epochs, history.Values("val_accuracy"));
        page.Figure(loss.ToSvg(), "Training and test loss after each epoch.");
        page.Figure(accuracy.ToSvg(), $"Test accuracy after the last epoch: {Fmt.F(confusion.Accuracy, 4)} on {Fmt.N(test.Count)} digits.");
        page.Figure(Heatmap.ToSvg(confusion.ToArray(), Nabla.Data.Mnist.ClassNames, Nabla.Data.Mnist.ClassNames, "Confusion matrix (test digits)"),
            "Rows are the true digits, columns the predicted ones; everything off the diagonal is a mistake.");
        // <snippet wrong>
        var probabilities = prediction.Probabilities.ToDoubleArray();
        var wrong = Enumerable.Range(0, test.Count)
            .Where(i => prediction.Classes[i] != test.Labels![i])
            .OrderByDescending(i => probabilities[i * 10 + prediction.Classes[i]])   // confidence in the wrong class
            .Take(12).ToList();
        // </snippet>
        page.Code("wrong");
        var images = wrong.Select(i => test.Features.Rows(i, 1).ToArray()).ToList();
        var captions = wrong.Select(i => $"{test.Labels![i]} → {prediction.Classes[i]} ({Fmt.F(probabilities[i * 10 + prediction.Classes[i]], 2)})").ToList();
        if (images.Count > 0)
            page.Figure(ImageGrid.ToSvg("The most confidently wrong test digits", images, 28, 28, captions, 6, 3),
                "true → predicted (probability given to the prediction). Many are ambiguous even to a person.");
        page.Implements("src/Nabla/Models/ModelZoo.cs", "src/Nabla/Training/Trainer.cs", "src/Nabla/Training/ConfusionMatrix.cs", "src/Nabla/Diagnostics/Heatmap.cs", "src/Nabla/Diagnostics/LineChart.cs");
    }
}
