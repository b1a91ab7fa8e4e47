using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Nabla.Kernels;

namespace Nabla.Bench;

/// <summary>`isa` mode, and the headers of the other modes: the CPU model and the instruction sets this process uses.</summary>
internal static class IsaInfo
{
    public static int Run(string[] args)
    {
        Console.WriteLine($"CPU: {CpuModel()}");
        Console.WriteLine($"Nabla: {Describe()}");
        return 0;
    }

    /// <summary>The model name, family and model of the first processor in /proc/cpuinfo, and its vector extensions.</summary>
    public static string CpuModel()
    {
        try
        {
            var lines = File.ReadAllLines("/proc/cpuinfo");
            string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name + "\t", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
                ?.Split(':', 2)[1].Trim() ?? "?";
            var flags = Field("flags").Split(' ');
            string[] wanted = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "asimd"];
            return $"{Field("model name")} (family {Field("cpu family")}, model {Field("model")}), {Environment.ProcessorCount} logical CPUs, has {string.Join(' ', wanted.Where(flags.Contains))}";
        }
        catch (IOException)
        {
            return $"{RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical CPUs";
        }
    }

    /// <summary>What the .NET runtime enables (after DOTNET_EnableAVX2 / DOTNET_EnableAVX512F) and the SGEMM kernel in use.</summary>
    public static string Describe()
    {
        string level = Vector512.IsHardwareAccelerated ? "512-bit" : Vector256.IsHardwareAccelerated ? "256-bit" : Vector128.IsHardwareAccelerated ? "128-bit" : "scalar";
        string kernel = Gemm.UsesAvx512 ? "AVX-512 8x32" : Gemm.UsesAvx2 ? "AVX2/FMA 6x16" : "Vector128 4x8";
        var env = new[] { "DOTNET_EnableAVX2", "DOTNET_EnableAVX512F" }
            .Select(v => (v, Environment.GetEnvironmentVariable(v))).Where(p => p.Item2 is not null).Select(p => $"{p.v}={p.Item2}");
        string envText = string.Join(' ', env);
        return $".NET {Environment.Version}, {level} vectors (Vector<float> {Vector<float>.Count} lanes; AVX2 {Yes(Avx2.IsSupported)}, FMA {Yes(Fma.IsSupported)}, AVX-512F {Yes(Avx512F.IsSupported)}), SGEMM kernel {kernel}"
            + (envText.Length > 0 ? $" [{envText}]" : "");
    }

    private static string Yes(bool b) => b ? "yes" : "no";
}
