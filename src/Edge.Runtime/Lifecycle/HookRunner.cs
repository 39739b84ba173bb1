using System;
using System.Collections.Generic;
using Edge.Linux;
using Edge.Oci.Json;
using Edge.Oci.RuntimeSpec;
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
    /// <summary>For poststart and poststop: the spec says a failing hook is logged (as a warning) and the
    /// remaining hooks and the lifecycle go on.</summary>
    public static void RunAndWarn(string phase, List<Hook>? hooks, Oci.RuntimeSpec.State state, Action<string>? warn) =>
        Run(phase, hooks, state, failure => warn?.Invoke(failure));

    /// <summary>Runs the hooks in order; the first failure throws (prestart, createRuntime).</summary>
    public static void Run(string phase, List<Hook>? hooks, Oci.RuntimeSpec.State state) =>
        Run(phase, hooks, state, failure => throw new RuntimeException(failure));

    private static unsafe void Run(string phase, List<Hook>? hooks, Oci.RuntimeSpec.State state, Action<string> failed)
    {
        if (hooks is null) return;
        string stateJson = System.Text.Encoding.UTF8.GetString(OciJson.ToUtf8(state, SpecWriter.State));
        for (int i = 0; i < hooks.Count; i++)
        {
            Hook hook = hooks[i];
            if (hook.Timeout is <= 0)
            {
                failed($"{phase} hook #{i} `{Printable.Short(hook.Path)}`: timeout must be greater than zero");
                continue;
            }
            using var arena = new NativeArena();
            byte** argv = arena.StringArray(hook.Args is { Count: > 0 } args ? args : new List<string> { hook.Path });
            byte** envp = hook.Env is null ? null : arena.StringArray(hook.Env);
            int result = NativeInit.RunHook(arena.String(hook.Path), argv, envp, arena.String(stateJson), hook.Timeout ?? 0);
            if (result == 0) continue;
            string why = result == InitProcess.HookTimedOut ? $"timed out after {hook.Timeout} s" : InitProcess.DescribeError(result);
            failed($"{phase} hook #{i} `{Printable.Short(hook.Path)}`: {why}");
        }
    }
}
