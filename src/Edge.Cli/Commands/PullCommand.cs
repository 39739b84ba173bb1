using System.Collections.Generic;
using System.Globalization;
using Edge.Cli.CommandLine;
using Edge.Image;
using Edge.Image.Pull;
using Edge.Image.Registry;
using Edge.Linux;

namespace Edge.Cli.Commands;

/// <summary>`edge pull IMAGE`: a registry image into the content store (docs/images.md).</summary>
internal static class PullCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "pull",
        Summary = "pull an image from a registry into the content store",
        Usage = "IMAGE",
        Description = "   IMAGE is a reference as docker reads it: busybox, host:port/name:tag, name@sha256:...\n" +
                      "   Credentials come from $REGISTRY_AUTH_FILE or ~/.docker/config.json (auths).\n",
        MinArgs = 1,
        MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("platform", "OS/ARCH[/VARIANT]", "the platform to pull from a multi-platform image (default: this machine's)"),
            OptionSpec.List("insecure-registry", "HOST[:PORT]", "allow plain HTTP to this registry (loopback registries always may)"),
            OptionSpec.Value("max-concurrent-downloads", "N", "layers downloaded at once (default: 3)"),
            OptionSpec.Value("stall-timeout", "SECONDS", "a connection that sends nothing for this long is retried (default: 30)"),
            OptionSpec.Value("min-rate", "BYTES", "a connection slower than this many bytes a second over a stall-timeout is retried (default: 1024)"),
            OptionSpec.Value("request-timeout", "SECONDS", "the longest one request may take, a blob then resumes (default: 3600)"),
            OptionSpec.Flag("quiet", "print only the image name", "q"),
        },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        ImageReference reference = ImageReference.Parse(context.Args[0]);
        PlatformSpec platform = context.Options.Get("platform") is string p ? PlatformSpec.Parse(p) : PlatformSpec.Host();
        int concurrency = 3;
        if (context.Options.Get("max-concurrent-downloads") is string c && (!int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out concurrency) || concurrency < 1))
            throw new UsageException($"invalid --max-concurrent-downloads \"{c}\": expected a positive number");
        bool quiet = context.Options.Flag("quiet");
        int stall = 30;
        if (context.Options.Get("stall-timeout") is string t && (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out stall) || stall < 1))
            throw new UsageException($"invalid --stall-timeout \"{t}\": expected a positive number of seconds");
        long minRate = 1024;
        if (context.Options.Get("min-rate") is string m && (!long.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out minRate)))
            throw new UsageException($"invalid --min-rate \"{m}\": expected a number of bytes a second");
        int requestTimeout = 3600;
        if (context.Options.Get("request-timeout") is string rt && (!int.TryParse(rt, NumberStyles.None, CultureInfo.InvariantCulture, out requestTimeout) || requestTimeout < 1))
            throw new UsageException($"invalid --request-timeout \"{rt}\": expected a positive number of seconds");
        var options = new RegistryOptions
        {
            StallTimeout = System.TimeSpan.FromSeconds(stall),
            MinimumRate = minRate,
            RequestTimeout = System.TimeSpan.FromSeconds(requestTimeout),
            Credentials = CredentialStore.Load(),
            InsecureHosts = context.Options.GetAll("insecure-registry"),
            Trace = context.Global.Debug ? message => context.Log.DebugMessage(message) : null,
        };
        using var display = !quiet && Libc.IsATty(1) == 1 ? new PullProgressDisplay(context.Output) : null;
        var puller = new ImagePuller(context.ImageStore, options)
        {
            Concurrency = concurrency,
            Progress = display ?? IPullProgress.Silent,
        };
        ImageRecord record = puller.PullAsync(reference, platform, context.Options.Has("platform")).GetAwaiter().GetResult();
        if (!quiet) context.Output.WriteLine($"Digest: {record.Digest}");
        context.Output.WriteLine(record.Name);
        return 0;
    }
}
