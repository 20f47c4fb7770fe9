using System.CommandLine;
using Server.Cli;

namespace Server;

/// <summary>The host: <c>serve</c>, <c>bench</c> and <c>trace</c> verbs.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Remote-display codec host: serve a desktop trace over RFB and SPICE, benchmark codecs, and capture or inspect traces.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(TraceCommands.Create());
        return root.Parse(args).Invoke();
    }
}
