using System.Collections.Generic;
using System.Text;

namespace Edge.Cli.CommandLine;

/// <summary>Renders `edge help` and `edge help VERB` in runc's layout.</summary>
internal static class Help
{
    public static string Overview(IReadOnlyList<CommandSpec> commands, IReadOnlyList<OptionSpec> globals)
    {
        var text = new StringBuilder();
        text.Append("NAME:\n   edge - a small, fast OCI container runtime\n\n");
        text.Append("USAGE:\n   edge [global options] command [command options] [arguments...]\n\n");
        text.Append("VERSION:\n   ").Append(BuildInfo.Version).Append("\n\n");
        text.Append("COMMANDS:\n");
        foreach (CommandSpec command in commands)
        {
            if (command.Hidden) continue;
            string summary = command.Run is null ? command.Summary + " (not implemented yet)" : command.Summary;
            text.Append("   ").Append(command.Name.PadRight(12)).Append(summary).Append('\n');
        }
        text.Append("\nGLOBAL OPTIONS:\n");
        AppendOptions(text, globals);
        text.Append("   --help, -h".PadRight(31)).Append("show help\n");
        text.Append("   --version, -v".PadRight(31)).Append("print the version\n");
        return text.ToString();
    }

    public static string ForCommand(CommandSpec command)
    {
        var text = new StringBuilder();
        text.Append("NAME:\n   edge ").Append(command.Name).Append(" - ").Append(command.Summary).Append("\n\n");
        text.Append("USAGE:\n   edge ").Append(command.Name).Append(" [command options] ").Append(command.Usage).Append("\n");
        if (command.Description is not null)
            text.Append("\nDESCRIPTION:\n").Append(command.Description.TrimEnd()).Append('\n');
        if (command.Run is null)
            text.Append("\nThis command is not implemented yet in edge ").Append(BuildInfo.Version).Append(".\n");
        bool any = false;
        foreach (OptionSpec option in command.Options) any |= !option.Hidden;
        if (any)
        {
            text.Append("\nOPTIONS:\n");
            AppendOptions(text, command.Options);
        }
        return text.ToString();
    }

    private static void AppendOptions(StringBuilder text, IReadOnlyList<OptionSpec> options)
    {
        foreach (OptionSpec option in options)
        {
            if (option.Hidden) continue;
            string left = "   --" + option.Name + (option.ValueName is null ? "" : " " + option.ValueName)
                + (option.Short is null ? "" : ", -" + option.Short + (option.ValueName is null ? "" : " " + option.ValueName));
            text.Append(left.PadRight(31)).Append(left.Length >= 31 ? "  " : "").Append(option.Help).Append('\n');
        }
    }
}
