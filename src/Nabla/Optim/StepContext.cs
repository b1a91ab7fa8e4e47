namespace Nabla.Optim;

/// <summary>What an update rule needs besides the spans: the group's current rate, the penalties that apply to this parameter (zero for an excluded bias) and the parameter's update count t (from 1).</summary>
internal readonly record struct StepContext(double LearningRate, double WeightDecay, double L1, long T);
