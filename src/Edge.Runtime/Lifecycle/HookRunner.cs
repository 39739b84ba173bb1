using System;
using System.Collections.Generic;
using Edge.Oci.Json;
using Edge.Oci.Runtime;
using Edge.Runtime.Init;

namespace Edge.Runtime.Lifecycle;

/// <summary>
/// Runs runtime-spec hooks in the runtime's namespaces (prestart, createRuntime, poststart, poststop): the
/// container state as JSON on stdin, exactly the hook's args as its argv (args[0] included: docker's network
/// hook is dockerd itself, which picks its code by argv[0]), its env (or, without one, edge's own, as runc and
/// crun pass theirs), a timeout in seconds. The spawning is native (Native/init.c, edge_run_hook), as for the
/// hooks the init runs: .NET's Process cannot set argv[0].
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

    public static unsafe void Run(string phase, List<Hook>? hooks, Oci.Runtime.State state)
    {
        if (hooks is null) return;
        string stateJson = System.Text.Encoding.UTF8.GetString(OciJson.ToUtf8(state, OciJsonContext.Default.State));
        for (int i = 0; i < hooks.Count; i++)
        {
            Hook hook = hooks[i];
            if (hook.Timeout is <= 0)
                throw new RuntimeException($"{phase} hook #{i} `{hook.Path}`: timeout must be greater than zero");
            using var arena = new NativeArena();
            byte** argv = arena.StringArray(hook.Args is { Count: > 0 } args ? args : new List<string> { hook.Path });
            byte** envp = hook.Env is null ? null : arena.StringArray(hook.Env);
            int result = NativeInit.RunHook(arena.String(hook.Path), argv, envp, arena.String(stateJson), hook.Timeout ?? 0);
            if (result == 0) continue;
            string why = result == InitProcess.HookTimedOut ? $"timed out after {hook.Timeout} s" : InitProcess.DescribeError(result);
            throw new RuntimeException($"{phase} hook #{i} `{hook.Path}`: {why}");
        }
    }
}
