using System;
using System.IO;
using Edge.Linux;
using Xunit;

namespace Edge.Tests.Linux;

/// <summary>How exceptions become the one line a user reads.</summary>
public class ErrorTextTests
{
    /// <summary>edge's own sentences are given as written: cgroup file names such as net_cls.classid and user
    /// input that looks like a resource key ("net_x", "IO_y") stay as they are.</summary>
    [Theory]
    [InlineData("config.json: $.linux.resources.network.classID: the net_cls controller (file net_cls.classid) is not available in this cgroup")]
    [InlineData("bundle `/tmp/IO_PathNotFound_Path`: no such directory")]
    public void EdgesOwnMessagesAreVerbatim(string message) =>
        Assert.Equal(message, ErrorText.Describe(new Edge.Runtime.RuntimeException(message)));

    /// <summary>The framework's resource keys are words.</summary>
    [Fact]
    public void FrameworkResourceKeysBecomeWords()
    {
        Assert.Equal("permission denied: /x", ErrorText.Describe(new InvalidOperationException("UnauthorizedAccess_IODenied_Path, /x")));
        Assert.Equal("no such file or directory", ErrorText.Describe(new FileNotFoundException("IO_FileNotFound_FileName, /y")));
    }
}
