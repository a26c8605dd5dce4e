using System.Linq;
using System.Text;

namespace ClaudePS.HelpBuilder;

/// <summary>Writes <see cref="CommandHelp"/> back as platyPS 1.0-style markdown (schema 2.0.0).</summary>
public static class MarkdownHelpWriter
{
    public const string CommonParametersText =
        "This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, " +
        "-OutBuffer, -OutVariable, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. " +
        "For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).";

    public static string Write(CommandHelp help)
    {
        var sb = new StringBuilder();
        sb.Append("---\n");
        foreach (var pair in help.Metadata) sb.Append(pair.Key).Append(": ").Append(pair.Value).Append('\n');
        sb.Append("---\n\n");
        sb.Append("# ").Append(help.Name).Append("\n\n");
        sb.Append("## SYNOPSIS\n").Append(help.Synopsis).Append("\n\n");
        sb.Append("## SYNTAX\n\n");
        foreach (var s in help.Syntax)
            sb.Append("### ").Append(s.SetName).Append("\n```\n").Append(s.Code).Append("\n```\n\n");
        sb.Append("## DESCRIPTION\n").Append(help.Description).Append("\n\n");
        sb.Append("## EXAMPLES\n\n");
        foreach (var e in help.Examples)
        {
            sb.Append("### ").Append(e.Title).Append('\n');
            foreach (var code in e.Code) sb.Append("```powershell\n").Append(code).Append("\n```\n\n");
            if (e.Remarks.Length > 0) sb.Append(e.Remarks).Append("\n\n");
        }
        sb.Append("## PARAMETERS\n\n");
        foreach (var p in help.Parameters)
        {
            sb.Append("### -").Append(p.Name).Append('\n').Append(p.Description).Append("\n\n");
            foreach (var f in p.Facts)
            {
                sb.Append("```yaml\n");
                sb.Append("Type: ").Append(f.Type).Append('\n');
                sb.Append("Parameter Sets: ").Append(string.Join(", ", f.ParameterSets)).Append('\n');
                sb.Append("Aliases:").Append(f.Aliases.Count > 0 ? " " + string.Join(", ", f.Aliases) : "").Append('\n');
                if (f.AcceptedValues.Count > 0) sb.Append("Accepted values: ").Append(string.Join(", ", f.AcceptedValues)).Append('\n');
                sb.Append('\n');
                sb.Append("Required: ").Append(f.Required ? "True" : "False").Append('\n');
                sb.Append("Position: ").Append(f.Position).Append('\n');
                sb.Append("Default value: ").Append(f.DefaultValue).Append('\n');
                sb.Append("Accept pipeline input: ").Append(f.PipelineInput).Append('\n');
                sb.Append("Accept wildcard characters: ").Append(f.Wildcard ? "True" : "False").Append('\n');
                sb.Append("```\n\n");
            }
        }
        sb.Append("### CommonParameters\n").Append(CommonParametersText).Append("\n\n");
        sb.Append("## INPUTS\n\n");
        foreach (var t in help.Inputs) sb.Append("### ").Append(t.TypeName).Append('\n').Append(t.Description).Append("\n\n");
        sb.Append("## OUTPUTS\n\n");
        foreach (var t in help.Outputs) sb.Append("### ").Append(t.TypeName).Append('\n').Append(t.Description).Append("\n\n");
        sb.Append("## NOTES\n").Append(help.Notes).Append("\n\n");
        sb.Append("## RELATED LINKS\n\n");
        foreach (var l in help.RelatedLinks)
            sb.Append(l.Uri.Length > 0 ? $"[{l.Text}]({l.Uri})" : l.Text).Append("\n\n");
        return sb.ToString().TrimEnd('\n') + "\n";
    }
}
