using Nabla.Onnx.Protobuf;

namespace Nabla.Onnx.Import;

/// <summary>The ONNX element types the importer computes with, and their names in messages.</summary>
internal static class ElementTypes
{
    /// <summary>FLOAT or DOUBLE (held as Nabla tensors).</summary>
    public static bool IsFloat(DataType t) => t is DataType.Float or DataType.Double;

    /// <summary>INT64, INT32 or BOOL (held as longs; narrower integer types are refused, their wrap-around is not modeled).</summary>
    public static bool IsInt(DataType t) => t is DataType.Int64 or DataType.Int32 or DataType.Bool;

    /// <summary>A type the importer computes with.</summary>
    public static bool IsSupported(DataType t) => IsFloat(t) || IsInt(t);

    /// <summary>The ONNX spelling, e.g. FLOAT, INT64.</summary>
    public static string Name(DataType t) => t switch
    {
        DataType.Undefined => "UNDEFINED",
        DataType.Float16 => "FLOAT16",
        DataType.Bfloat16 => "BFLOAT16",
        DataType.Complex64 => "COMPLEX64",
        DataType.Complex128 => "COMPLEX128",
        _ => t.ToString().ToUpperInvariant(),
    };

    /// <summary>Converts a long to the value range of an integer type (BOOL: 0/1; INT32: wraps like a C cast).</summary>
    public static long Narrow(long v, DataType t) => t switch
    {
        DataType.Bool => v != 0 ? 1 : 0,
        DataType.Int32 => (int)v,
        _ => v,
    };
}
