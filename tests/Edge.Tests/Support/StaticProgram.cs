namespace Edge.Tests.Support;

/// <summary>Small C probes that run inside containers: compiled static, so any rootfs can run them.</summary>
public static class StaticProgram
{
    /// <summary>Compiles PATH.c into PATH.</summary>
    public static void Compile(string path)
    {
        ProcessResult cc = EdgeProcess.Run("cc", new[] { "-static", "-O2", "-o", path, path + ".c" });
        if (cc.ExitCode != 0) throw new System.InvalidOperationException("cc failed: " + cc);
    }
}
