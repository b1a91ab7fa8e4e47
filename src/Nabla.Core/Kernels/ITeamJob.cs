namespace Nabla.Kernels;

/// <summary>A job run by a team of threads: every member runs <see cref="Execute"/> once, at the same time.</summary>
internal interface ITeamJob
{
    /// <summary>Runs the part of the job that belongs to <paramref name="member"/> (0 is the calling thread).</summary>
    void Execute(int member, int teamSize);

    /// <summary>
    /// True when the caller's <see cref="Execute"/> completes the whole job whatever the other members do (members take
    /// work from a shared counter), so members that have not started when it returns may be skipped.
    /// </summary>
    bool MembersOptional => false;
}
