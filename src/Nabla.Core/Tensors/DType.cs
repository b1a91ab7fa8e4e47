namespace Nabla.Tensors;

/// <summary>The element type of a tensor. Float32 is the default; Float64 exists for gradient checks and precise work.</summary>
public enum DType
{
    /// <summary>32-bit IEEE 754 floating point (<see cref="float"/>).</summary>
    Float32,
    /// <summary>64-bit IEEE 754 floating point (<see cref="double"/>).</summary>
    Float64,
}
