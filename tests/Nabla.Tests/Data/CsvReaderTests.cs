using Nabla.Errors;
using Nabla.Data;
using Xunit;

namespace Nabla.Tests.Data;

public class CsvReaderTests
{
    private static string Write(string text)
    {
        var p = Path.Combine(Path.GetTempPath(), $"nabla-{Guid.NewGuid():N}.csv");
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void HeaderAutoDetectedLabelByName()
    {
        var d = CsvReader.Read(Write("a,b,species,c\n1.5,2,setosa,-3e2\n\n4,5.25,virginica,6\n0.5,1,setosa,\"7\"\n"),
            new CsvOptions { LabelColumn = "species" });
        Assert.Equal(new[] { "a", "b", "c" }, d.FeatureNames);
        Assert.Equal(new[] { 3, 3 }, d.Features.Shape.ToArray());
        Assert.Equal(new[] { 1.5f, 2f, -300f, 4f, 5.25f, 6f, 0.5f, 1f, 7f }, d.Features.ToArray());
        Assert.Equal(new[] { "setosa", "virginica" }, d.ClassNames);
        Assert.Equal(new[] { 0, 1, 0 }, d.Labels);
        Assert.Equal("species", d.LabelName);
        Assert.Equal(3, d.ToDataset().Count);
    }

    [Fact]
    public void LargeIntegerLabelsBecomeClassNamesInNumericOrder()
    {
        // Codes such as 2147483647 or 90210 used as class indices would overflow or size a 90,211-way output layer.
        var d = CsvReader.Read(Write("x,code\n1,90210\n2,2147483647\n3,9\n4,90210\n"), new CsvOptions { LabelColumn = "code" });
        Assert.Equal(new[] { "9", "90210", "2147483647" }, d.ClassNames);
        Assert.Equal(new[] { 1, 2, 0, 1 }, d.Labels);
        var ds = d.ToDataset();
        Assert.Equal(3, ds.NumClasses);
        Assert.Equal(new[] { 1, 2, 1 }, ds.ClassCounts());
        // One class per value, in numeric order, whatever the spelling; codes past the int range too.
        var z = CsvReader.Read(Write("x,id\n1,0100\n2,200\n3,5000\n4,100\n5,12345678901\n"), new CsvOptions { LabelColumn = "id" });
        Assert.Equal(new[] { "100", "200", "5000", "12345678901" }, z.ClassNames);
        Assert.Equal(new[] { 0, 1, 2, 0, 3 }, z.Labels);
        // Just below the bound, integers stay class indices.
        var k = CsvReader.Read(Write($"x,y\n1,{CsvReader.MaxDirectClassIndex - 1}\n2,0\n"), new CsvOptions { LabelColumn = "y" });
        Assert.Null(k.ClassNames);
        Assert.Equal(new[] { CsvReader.MaxDirectClassIndex - 1, 0 }, k.Labels);
    }

    [Fact]
    public void DatasetRejectsALabelWhoseClassCountWouldOverflow()
    {
        var e = Assert.Throws<ValueException>(() => new TensorDataset(Nabla.Tensors.Tensor.Zeros([2, 1]), new[] { 0, int.MaxValue }));
        Assert.Contains("label 2147483647 at row 1", e.Message);
    }

    [Fact]
    public void NoHeaderLabelByIndexIntegerLabelsKept()
    {
        var d = CsvReader.Read(Write("0.1,0.2,7\n0.3,0.4,2\n"), new CsvOptions { LabelColumnIndex = -1 });
        Assert.Equal(new[] { "column0", "column1" }, d.FeatureNames);
        Assert.Equal(new[] { 7, 2 }, d.Labels);
        Assert.Null(d.ClassNames);
        Assert.Equal(new[] { 0.1f, 0.2f, 0.3f, 0.4f }, d.Features.ToArray());
        // The same first row read as a header when asked to.
        var h = CsvReader.Read(Write("0.1,0.2,7\n0.3,0.4,2\n"), new CsvOptions { LabelColumnIndex = 2, HasHeader = true });
        Assert.Equal(1, h.Count);
        Assert.Equal(new[] { "0.1", "0.2" }, h.FeatureNames);
    }

    [Fact]
    public void RegressionTargetsAndNoLabel()
    {
        var d = CsvReader.Read(Write("x;y\n1;2.5\n2;4.5\n"), new CsvOptions { Delimiter = ';', LabelColumn = "y", RegressionTarget = true });
        Assert.Equal(new[] { 2.5f, 4.5f }, d.Targets!.ToArray());
        Assert.Equal(new[] { 2, 1 }, d.Targets.Shape.ToArray());
        var all = CsvReader.Read(Write("1,2\n3,4\n"));
        Assert.Null(all.Labels);
        Assert.Equal(new[] { 2, 2 }, all.Features.Shape.ToArray());
    }

    [Fact]
    public void BadCellNamesLineAndColumn()
    {
        var path = Write("a,b,label\n1,2,0\n\n3,oops,1\n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "label" }));
        Assert.Contains("line 4, column 2 ('b')", e.Message);
        Assert.Contains("'oops'", e.Message);
        Assert.StartsWith(Path.GetFileName(path), e.Message);

        var ragged = Assert.Throws<DataFormatException>(() => CsvReader.Read(Write("1,2\n3\n")));
        Assert.Contains("line 2: 2 cells expected", ragged.Message);
        var missing = Assert.Throws<DataFormatException>(() => CsvReader.Read(Write("a,b\n1,2\n"), new CsvOptions { LabelColumn = "c" }));
        Assert.Contains("'c'", missing.Message);
    }
}
