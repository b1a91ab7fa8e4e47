using Nabla.Onnx.Protobuf;

namespace Nabla.Onnx.Import;

/// <summary>The ONNX element types the importer computes with, and their names in messages.</summary>
internal static class ElementTypes
{
    /// <summary>FLOAT or DOUBLE (held as Nabla tensors).</summary>
    public static bool IsFloat(DataType t) => t is DataType.Float or DataType.Double;

    /// <summary>An integer type up to 64 bits (UINT64 excluded: its values need not fit a long) or BOOL, held as longs.</summary>
    public static bool IsInt(DataType t) => t is DataType.Int64 or DataType.Int32 or DataType.Int16 or DataType.Int8
        or DataType.Uint32 or DataType.Uint16 or DataType.Uint8 or DataType.Bool;

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

    /// <summary>Converts a long to the value range of an integer type (BOOL: 0/1; narrower types wrap like a C cast).</summary>
    public static long Narrow(long v, DataType t) => t switch
    {
        DataType.Bool => v != 0 ? 1 : 0,
        DataType.Int32 => (int)v,
        DataType.Int16 => (short)v,
        DataType.Int8 => (sbyte)v,
        DataType.Uint32 => (uint)v,
        DataType.Uint16 => (ushort)v,
        DataType.Uint8 => (byte)v,
        _ => v,
    };

    /// <summary>The integer types, for RequireTypes lists.</summary>
    public static readonly DataType[] Integers =
        [DataType.Int64, DataType.Int32, DataType.Int16, DataType.Int8, DataType.Uint32, DataType.Uint16, DataType.Uint8];
}
