using System.Collections.Generic;
using Edge.Linux;
using Edge.Oci.Json;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime.Lifecycle;

namespace Edge.Runtime.Seccomp;

/// <summary>
/// Hands a seccomp notify listener fd to the agent at linux.seccomp.listenerPath, as runc does: one message on
/// a unix stream socket whose payload is the container process state (runtime-spec "Container process
/// state": fds ["seccompFd"], pid, listenerMetadata, the container's state) with the fd attached.
/// </summary>
public static class SeccompAgent
{
    public static void Send(Oci.RuntimeSpec.Seccomp profile, int listenerFd, int pid, Oci.RuntimeSpec.State state)
    {
        try
        {
            var message = new ContainerProcessState
            {
                OciVersion = Spec.CurrentVersion,
                Fds = new List<string> { ContainerProcessState.SeccompFdName },
                Pid = pid,
                Metadata = string.IsNullOrEmpty(profile.ListenerMetadata) ? null : profile.ListenerMetadata,
                State = state,
            };
            byte[] payload = OciJson.ToUtf8(message, SpecWriter.ContainerProcessState);
            int socket = ConsoleSocket.Connect(profile.ListenerPath!, "seccomp listener");
            try
            {
                FdPassing.Send(socket, payload, listenerFd, $"send the seccomp fd to `{profile.ListenerPath}`");
            }
            finally
            {
                Libc.Close(socket);
            }
        }
        finally
        {
            Libc.Close(listenerFd);
        }
    }
}
