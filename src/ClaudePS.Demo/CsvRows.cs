using System.Text;
using ClaudePS.Engine.Batching;

namespace ClaudePS.Demo;

/// <summary>Reads a CSV file (header row, quoted fields with "" escapes) as batch rows, one at a time, as Import-Csv would.</summary>
internal static class CsvRows
{
    public static IEnumerable<BatchRow> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        string[]? header = null;
        while (ReadRecord(reader) is { } fields)
        {
            if (header is null) { header = fields.ToArray(); continue; }
            var columns = new List<KeyValuePair<string, object?>>(header.Length);
            for (int i = 0; i < header.Length; i++)
                columns.Add(new KeyValuePair<string, object?>(header[i], i < fields.Count ? fields[i] : null));
            yield return new BatchRow(columns, columns);
        }
    }

    private static List<string>? ReadRecord(TextReader reader)
    {
        int c = reader.Peek();
        if (c < 0) return null;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        while ((c = reader.Read()) >= 0)
        {
            char ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (ch == '\r') { }
            else if (ch == '\n') break;
            else field.Append(ch);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
