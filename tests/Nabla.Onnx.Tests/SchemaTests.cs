using Nabla.Onnx.Tests.Support;
using Xunit;

namespace Nabla.Onnx.Tests;

/// <summary>The committed schema is ONNX's own: the one ONNX's generator makes from Debian's python3-onnx.</summary>
public class SchemaTests
{
    [OnnxPythonFact]
    public void CommittedSchemaIsTheOneOnnxGenerates()
    {
        string root = Repo.Root;
        string fresh = Path.Combine(Path.GetTempPath(), $"onnx-{Guid.NewGuid():N}.proto3");
        try
        {
            var (code, stdout, stderr) = ExternalTools.Run("/bin/bash", Path.Combine(root, "src/Nabla.Onnx/Proto/regenerate.sh"), fresh);
            Assert.True(code == 0, stdout + stderr);
            Assert.Equal(File.ReadAllText(Path.Combine(root, "src/Nabla.Onnx/Proto/onnx.proto3")), File.ReadAllText(fresh));
        }
        finally { File.Delete(fresh); }
    }

    [Fact]
    public void GeneratedClassesCarryIrVersion8()
    {
        Assert.Equal(8, (int)Protobuf.Version.IrVersion);
        Assert.Equal(Onnx.IrVersion, (int)Protobuf.Version.IrVersion);
    }
}
