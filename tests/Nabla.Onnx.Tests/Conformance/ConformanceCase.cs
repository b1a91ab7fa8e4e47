namespace Nabla.Onnx.Tests.Conformance;

/// <summary>How one backend test case ended.</summary>
public enum ConformanceStatus { Pass, Fail, NotSupported }

/// <summary>One backend test case: its suite and folder, the operator it is counted under, and how it ended (with why).</summary>
public sealed record ConformanceCase(string Suite, string Name, string Operator, ConformanceStatus Status, string Reason);
