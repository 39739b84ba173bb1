using Edge.Cli;
using Edge.Cli.Cli;

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
