using Edge.Cli;
using Edge.Cli.CommandLine;

Output output = Output.Standard();
try
{
    return EdgeCli.Run(args, output);
}
catch (UsageException ex)
{
    output.Error("edge: " + ex.Message);
    return 1;
}
