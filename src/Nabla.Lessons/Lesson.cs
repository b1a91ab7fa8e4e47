namespace Nabla.Lessons;

/// <summary>
/// One page of the course: a topic of the lecture notes made live. <see cref="Build"/> computes every figure and number
/// with Nabla while the site is generated and writes them, with the code that produced them, into a <see cref="LessonPage"/>.
/// </summary>
public abstract class Lesson
{
    /// <summary>The file name without extension, e.g. "05-optimization"; pages are ordered by it.</summary>
    public abstract string Slug { get; }

    /// <summary>The page heading.</summary>
    public abstract string Title { get; }

    /// <summary>One sentence for the index.</summary>
    public abstract string Summary { get; }

    /// <summary>The page's file name (<see cref="Slug"/>.html).</summary>
    public string FileName => Slug + ".html";

    /// <summary>Computes the lesson and writes its text, figures, tables and code into <paramref name="page"/>.</summary>
    public abstract void Build(LessonPage page, LessonContext context);
}
