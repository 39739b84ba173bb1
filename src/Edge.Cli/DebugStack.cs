using System;
using System.Diagnostics;
using System.Text;
using Edge.Linux;

namespace Edge.Cli;

/// <summary>--debug's account of a failure: every exception of the chain, outermost first, with its frames as
/// code addresses ("at 0x9e1008"). The binary carries no method names (StackTraceSupport=false,
/// toolchain/NativeAot.props), where Exception.ToString would print "at &lt;unknown&gt;"; edge is linked at a
/// fixed address (not PIE), so toolchain/symbolize.py names the addresses with the link map of the same build
/// (build.sh writes out/edge.map).</summary>
internal static class DebugStack
{
    public static string Describe(Exception exception)
    {
        var text = new StringBuilder();
        for (Exception? ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex != exception) text.Append('\n').Append("caused by ");
            // Messages quote images, registries and configs: one printable line each.
            text.Append(ex.GetType().FullName).Append(": ").Append(Printable.Short(ex.Message, 1024));
            foreach (StackFrame frame in new StackTrace(ex, false).GetFrames())
            {
                nint ip = frame.GetNativeIP();
                text.Append("\n   at ").Append(ip == 0 ? "<unknown>" : "0x" + ((ulong)ip).ToString("x"));
            }
        }
        return text.ToString();
    }
}
