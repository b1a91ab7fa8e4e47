using Nabla.NN;

namespace Nabla.Onnx.Export;

/// <summary>Sequential → its layers in order; Residual → body (and shortcut projection) + Add.</summary>
internal static class ContainerEmitters
{
    public static string Sequential(ExportContext cx, Module layer, string path, string x)
    {
        foreach (var child in ((Sequential)layer).Layers) x = cx.Emit(child, x);
        return x;
    }

    public static string Residual(ExportContext cx, Module layer, string path, string x)
    {
        var r = (Residual)layer;
        var fx = cx.Emit(r.Body, x);
        var gx = r.Shortcut is null ? x : cx.Emit(r.Shortcut, x);
        return cx.Graph.Node("Add", path, [gx, fx]);
    }
}
