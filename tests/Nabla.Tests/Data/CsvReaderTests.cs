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

    [Theory]
    [InlineData("NaN", "a finite number expected, found 'NaN'")]
    [InlineData("-Infinity", "a finite number expected, found '-Infinity'")]
    [InlineData("inf", "a number expected, found 'inf'")]
    [InlineData("1e309", "a finite number expected, found '1e309'")]
    [InlineData("1e39", "'1e39' is beyond float32's range")]
    [InlineData("", "a number expected, found ''")]
    public void NonFiniteAndMissingCellsAreRefused(string cell, string message)
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(Write($"a,b,label\n1,2,0\n3,{cell},1\n"), new CsvOptions { LabelColumn = "label" }));
        Assert.Contains("line 3, column 2 ('b')", e.Message);
        Assert.Contains(message, e.Message);
        var ok = CsvReader.Read(Write("a,label\n3.4e38,0\n-1e-45,1\n"), new CsvOptions { LabelColumn = "label" });
        Assert.Equal(3.4e38f, ok.Features[0, 0]);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData(',')]
    public void TheSeparatorIsDetectedFromTheFirstLine(char separator)
    {
        var d = CsvReader.Read(Write($"x{separator}y{separator}kind\n1.5{separator}2{separator}cat\n3{separator}4.25{separator}dog\n"), new CsvOptions { LabelColumn = "kind" });
        Assert.Equal(new[] { 1.5f, 2f, 3f, 4.25f }, d.Features.ToArray());
        Assert.Equal(new[] { "cat", "dog" }, d.ClassNames);
        // A semicolon file with decimal commas stays a semicolon file when its header has no comma.
        Assert.Equal(2, CsvReader.Read(Write("a;b\n1;2\n"), new CsvOptions { Delimiter = ';' }).Features.Shape[1]);
    }

    [Fact]
    public void LabelsThatAreNoClassesAreRefused()
    {
        var continuous = Assert.Throws<DataFormatException>(() => CsvReader.Read(Write("a,w\n1,0.2\n2,1\n3,1.5\n"), new CsvOptions { LabelColumnIndex = -1 }));
        Assert.Contains("the label column 'w' (column 2) holds numbers with fractional parts such as '0.2' (line 2)", continuous.Message);
        foreach (var bad in new[] { "NaN", "nan", "Infinity", "-inf", "" })
        {
            var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(Write($"a,kind\n1,cat\n2,{bad}\n"), new CsvOptions { LabelColumn = "kind" }));
            Assert.Contains($"line 3, column 2 ('kind'): a class label expected, found '{bad}'", e.Message);
        }
        // Whole numbers written with a decimal point are still classes; so are names that merely contain digits.
        Assert.Equal(new[] { 1, 0 }, CsvReader.Read(Write("a,k\n1,1.0\n2,0\n"), new CsvOptions { LabelColumnIndex = -1 }).Labels);
    }
}
