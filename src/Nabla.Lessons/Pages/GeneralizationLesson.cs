using Nabla.Data;
using Nabla.Data.Augmentation;
using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 8: overfitting and what L2, dropout and early stopping do; k-fold scores; augmented digits.</summary>
public sealed class GeneralizationLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "08-generalization";

    /// <inheritdoc/>
    public override string Title => "8. Overfitting and generalization";

    /// <inheritdoc/>
    public override string Summary => "Training error falls while validation error rises: L2, dropout and early stopping against it; k-fold cross-validation; data augmentation.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("The notes: 'training error is going lower but testing error is not'. A large network trained on few examples memorizes " +
                  "them. Below, a 784-256-256-10 network learns from only a few hundred MNIST digits and is validated on a thousand others.");
        var train = context.MnistTrain(context.Pick(300, 1000)).Flatten();
        var validation = context.MnistTest(context.Pick(500, 2000)).Flatten();
        int epochs = context.Pick(15, 40);
        // <snippet overfit>
        History Train(double dropout, double weightDecay, EarlyStopping? stop = null)
        {
            Generator.ManualSeed(1);
            var model = ModelZoo.MLP([256, 256], dropout: dropout);
            var trainer = new Trainer(model, new CrossEntropy(), new Adam(model.Parameters(), 1e-3, weightDecay: weightDecay));
            if (stop is not null) trainer.Callbacks.Add(stop);
            return trainer.Fit(train, epochs, batchSize: 32, validation: validation, seed: 1);
        }
        var plain = Train(0, 0);
        var l2 = Train(0, 1e-3);
        var dropped = Train(0.5, 0);
        var early = new EarlyStopping("val_loss", patience: 3, restoreBestWeights: true);
        var stopped = Train(0, 0, early);
        // </snippet>
        page.Code("overfit");
        double[] E(History h) => h.Epochs.Select(e => (double)e.Epoch).ToArray();
        var curves = new Plot("Loss against epoch", "epoch", "cross-entropy loss") { Width = 600, Height = 400 }
            .Line("training, no regularization", E(plain), plain.Values("loss"), dashed: true)
            .Line("validation, no regularization", E(plain), plain.Values("val_loss"))
            .Line("validation, L2 (weight decay 1e-3)", E(l2), l2.Values("val_loss"))
            .Line("validation, dropout 0.5", E(dropped), dropped.Values("val_loss"))
            .VLine(early.BestEpoch, $"early stopping: best epoch {early.BestEpoch}", "#9467bd");
        page.Figure(curves.ToSvg(), "The training loss keeps falling; the unregularized validation loss turns up after a few epochs (overfitting). " +
            "L2 and dropout keep it lower; early stopping watches it and keeps the weights of the best epoch.");
        page.Table("overfit", "Final validation accuracy", ["variant", "epochs trained", "validation accuracy"],
            [
                ["no regularization", Fmt.G(plain.Epochs.Count), Fmt.F(plain.Epochs[^1].ValidationAccuracy, 3)],
                ["L2 (weight decay 1e-3)", Fmt.G(l2.Epochs.Count), Fmt.F(l2.Epochs[^1].ValidationAccuracy, 3)],
                ["dropout 0.5", Fmt.G(dropped.Epochs.Count), Fmt.F(dropped.Epochs[^1].ValidationAccuracy, 3)],
                [$"early stopping (patience 3; weights of epoch {early.BestEpoch})", Fmt.G(stopped.Epochs.Count), Fmt.F(stopped.Epochs[early.BestEpoch - 1].ValidationAccuracy, 3)],
            ]);

        page.Heading("k-fold cross-validation");
        page.Text("Instead of one validation split, k-fold cross-validation trains k models, each validated on a different fifth of the data, " +
                  "and reports the mean and spread of the k scores.");
        // <snippet kfold>
        var pool = context.MnistTrain(context.Pick(500, 2000)).Flatten();
        var cv = CrossValidation.Run(pool, k: 5, (fit, check) =>
        {
            Generator.ManualSeed(2);
            var model = ModelZoo.MLP([64]);
            var trainer = new Trainer(model, new CrossEntropy(), new Adam(model.Parameters(), 1e-3));
            trainer.Fit(fit, epochs: context.Pick(3, 5), batchSize: 32, seed: 2);
            return new Dictionary<string, double> { ["accuracy"] = trainer.Evaluate(check).Accuracy };
        }, seed: 3);
        // </snippet>
        page.Code("kfold");
        var scores = cv.FoldMetrics.Select(m => m["accuracy"]).ToArray();
        var kplot = new Plot($"5-fold accuracy: mean {Fmt.F(cv.Mean["accuracy"], 3)} ± {Fmt.F(cv.StandardDeviation["accuracy"], 3)}", "fold", "validation accuracy") { Width = 460, YRange = (0, 1) }
            .Bars(null, [0.6, 1.4, 1.6, 2.4, 2.6, 3.4, 3.6, 4.4, 4.6, 5.4], scores.SelectMany(s => new[] { s, 0 }).Take(9).ToArray());
        page.Figure(kplot.ToSvg(), "One bar per fold; the spread shows how much a single split's score can vary.");

        page.Heading("Data augmentation");
        page.Text("The notes: rotate, resize, shift, and the network sees 'new' examples a human would still label the same. Each row below " +
                  "is one training digit, first as stored, then five random augmentations.");
        // <snippet augment>
        var originals = context.MnistTrain(6).Features;
        var augment = new AugmentationPipeline(new RandomRotation(20, seed: 4), new RandomScale(0.85, 1.15, seed: 5), new RandomShift(3, seed: 6));
        var images = new List<float[]>();
        for (int i = 0; i < 6; i++)
        {
            images.Add(originals.Rows(i, 1).ToArray());
            for (int k = 0; k < 5; k++)
            {
                var copy = originals.Rows(i, 1).Clone();
                augment.Apply(copy);                    // in place, a fresh random transform each call
                images.Add(copy.ToArray());
            }
        }
        // </snippet>
        page.Code("augment");
        var captions = Enumerable.Range(0, images.Count).Select(i => i % 6 == 0 ? "original" : $"augmented {i % 6}").ToArray();
        page.Figure(ImageGrid.ToSvg("Six digits and five augmentations of each", images, 28, 28, captions, 6, 2), "Rotation up to ±20°, scaling 0.85–1.15, shifts up to 3 pixels.");
        page.Implements("src/Nabla/Training/EarlyStopping.cs", "src/Nabla/NN/Dropout.cs", "src/Nabla/Optim/Optimizer.cs", "src/Nabla/Data/CrossValidation.cs", "src/Nabla/Data/Augmentation/AugmentationPipeline.cs");
    }
}
