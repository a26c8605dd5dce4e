using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace ClaudePS.HelpBuilder;

/// <summary>
/// build  &lt;docs/en-US&gt; &lt;out/ClaudePS/en-US&gt;          markdown -> MAML + about_*.help.txt (run by the build)
/// update &lt;ClaudePS.dll&gt; &lt;docs/en-US&gt; [refDir...]   refresh/create markdown from the cmdlet metadata
/// </summary>
public static class Program
{
    public const string DefaultHelpFile = "ClaudePS.dll-Help.xml";

    public static int Main(string[] args)
    {
        try
        {
            if (args.Length == 3 && args[0] == "build") { Build(args[1], args[2], Console.Out); return 0; }
            if (args.Length >= 3 && args[0] == "update") { Update(args[1], args[2], args.Skip(3), Console.Out); return 0; }
            Console.Error.WriteLine("usage: ClaudePS.HelpBuilder build <docsDir> <outDir> | update <ClaudePS.dll> <docsDir> [referenceDir...]");
            return 2;
        }
        catch (HelpFormatException ex)
        {
            // MSBuild's canonical error format, so the build log points at the file and line.
            Console.Error.WriteLine($"{ex.FilePath}({ex.Line}): error HELP001: {ex.Message.Substring(ex.Message.IndexOf(": ", StringComparison.Ordinal) + 2)}");
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error HELP002: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Writes one MAML file per "external help file" and one text file per about_*.md; returns the files written.</summary>
    public static IReadOnlyList<string> Build(string docsDir, string outDir, TextWriter log)
    {
        if (!Directory.Exists(docsDir)) throw new ArgumentException($"The help folder '{docsDir}' does not exist.");
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var commands = Directory.GetFiles(docsDir, "*.md")
            .Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => MarkdownHelpReader.ReadFile(f))
            .ToList();
        foreach (var duplicate in commands.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            throw new HelpFormatException(duplicate.Last().SourcePath!, 1, $"'{duplicate.Key}' is documented in more than one file.");

        foreach (var group in commands.GroupBy(c => c.MetadataValue("external help file") is { Length: > 0 } f ? f : DefaultHelpFile, StringComparer.OrdinalIgnoreCase))
        {
            var path = Path.Combine(outDir, group.Key);
            WriteAtomically(path, stream =>
            {
                using var writer = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
                MamlWriter.Write(group).Save(writer);
            });
            written.Add(path);
            log.WriteLine($"{path}: {group.Count()} commands");
        }
        foreach (var about in Directory.GetFiles(docsDir, "about_*.md").OrderBy(f => f, StringComparer.Ordinal))
        {
            var text = AboutTopicWriter.Write(File.ReadAllText(about), about);
            var path = Path.Combine(outDir, Path.GetFileNameWithoutExtension(about) + ".help.txt");
            WriteAtomically(path, stream => { var bytes = new UTF8Encoding(false).GetBytes(text); stream.Write(bytes, 0, bytes.Length); });
            written.Add(path);
            log.WriteLine(path);
        }
        return written;
    }

    public static void Update(string assemblyPath, string docsDir, IEnumerable<string> referenceDirs, TextWriter log)
    {
        Directory.CreateDirectory(docsDir);
        // Several assemblies (';'-separated) merge by cmdlet name: drafting help for branches not merged yet.
        var references = referenceDirs.ToList();
        IReadOnlyList<CmdletModel> Read(string dll) =>
            CmdletMetadata.ReadAssembly(dll, references.Append(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dll))!, "Dependencies", "netstandard2.0")));
        var cmdlets = CmdletMetadata.Merge(assemblyPath.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(Read));
        foreach (var cmdlet in cmdlets)
        {
            var path = Path.Combine(docsDir, cmdlet.Name + ".md");
            CommandHelp help;
            List<string> changes;
            if (File.Exists(path)) help = MarkdownHelpUpdater.Update(MarkdownHelpReader.ReadFile(path, lenient: true), cmdlet, out changes);
            else { help = MarkdownHelpUpdater.CreateNew(cmdlet, "ClaudePS", DefaultHelpFile, "https://github.com/claudeps/ClaudePS/blob/main/docs/en-US/"); changes = new List<string> { "created" }; }
            var text = MarkdownHelpWriter.Write(help);
            if (File.Exists(path) && File.ReadAllText(path) == text) continue;
            File.WriteAllText(path, text, new UTF8Encoding(false));
            log.WriteLine($"{path}: {string.Join("; ", changes.DefaultIfEmpty("syntax or facts refreshed"))}");
        }
        var names = new HashSet<string>(cmdlets.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        foreach (var md in Directory.GetFiles(docsDir, "*.md").Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase)))
            if (!names.Contains(Path.GetFileNameWithoutExtension(md))) log.WriteLine($"{md}: no such cmdlet in {assemblyPath} (stale?)");
    }

    /// <summary>Parallel builds may run this twice at once: a reader never sees a half-written file.</summary>
    private static void WriteAtomically(string path, Action<Stream> write)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write)) write(stream);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
