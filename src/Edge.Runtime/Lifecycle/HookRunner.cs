using System;
using System.Collections.Generic;
using System.Diagnostics;
using Edge.Oci.Json;
using Edge.Oci.Runtime;
using Process = System.Diagnostics.Process;

namespace Edge.Runtime.Lifecycle;

/// <summary>
/// Runs runtime-spec hooks: the container state as JSON on stdin, the hook's own env (replacing ours),
/// a timeout in seconds. Hooks run in the runtime's namespaces.
/// </summary>
public static class HookRunner
{
    /// <summary>For poststart and poststop: the spec says a failure is logged and the lifecycle goes on.</summary>
    public static void RunAndWarn(string phase, List<Hook>? hooks, Oci.Runtime.State state, Action<string>? warn)
    {
        try
        {
            Run(phase, hooks, state);
        }
        catch (RuntimeException ex)
        {
            warn?.Invoke(ex.Message);
        }
    }

    public static void Run(string phase, List<Hook>? hooks, Oci.Runtime.State state)
    {
        if (hooks is null) return;
        byte[] stateJson = OciJson.ToUtf8(state, OciJsonContext.Default.State);
        for (int i = 0; i < hooks.Count; i++)
        {
            Hook hook = hooks[i];
            if (hook.Timeout is <= 0)
                throw new RuntimeException($"{phase} hook #{i} `{hook.Path}`: timeout must be greater than zero");
            var info = new ProcessStartInfo(hook.Path)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = false,
                RedirectStandardError = false,
                UseShellExecute = false,
            };
            // args[0] is argv[0] by the spec; .NET names the program itself, so only the rest is passed.
            if (hook.Args is { Count: > 1 } args)
                for (int a = 1; a < args.Count; a++) info.ArgumentList.Add(args[a]);
            info.Environment.Clear();
            foreach (string entry in hook.Env ?? new List<string>())
            {
                int eq = entry.IndexOf('=');
                if (eq > 0) info.Environment[entry[..eq]] = entry[(eq + 1)..];
            }
            Process process;
            try
            {
                process = Process.Start(info) ?? throw new RuntimeException($"{phase} hook `{hook.Path}`: could not start");
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                throw new RuntimeException($"{phase} hook #{i} `{hook.Path}`: {Edge.Linux.ErrorText.Describe(ex)}");
            }
            using (process)
            {
                try
                {
                    process.StandardInput.BaseStream.Write(stateJson);
                    process.StandardInput.Close();
                }
                catch (System.IO.IOException)
                {
                    // A hook that does not read its stdin is fine.
                }
                int timeoutMs = hook.Timeout is int seconds ? checked(seconds * 1000) : -1;
                if (!process.WaitForExit(timeoutMs))
                {
                    process.Kill(entireProcessTree: true);
                    throw new RuntimeException($"{phase} hook #{i} `{hook.Path}`: timed out after {hook.Timeout} s");
                }
                if (process.ExitCode != 0)
                    throw new RuntimeException($"{phase} hook #{i} `{hook.Path}`: exit status {process.ExitCode}");
            }
        }
    }
}
