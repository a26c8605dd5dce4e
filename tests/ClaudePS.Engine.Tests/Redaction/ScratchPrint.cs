using ClaudePS.Engine.Redaction;
using Xunit;
using Xunit.Abstractions;
namespace ClaudePS.Engine.Tests.Redaction;
public sealed class ScratchPrint(ITestOutputHelper o)
{
    [Fact] public void Print() { var r = new Redactor(RedactionOptions.Strict); foreach (var s in StreamingTests.Samples) o.WriteLine(r.Redact(s).Text + "\n---"); }
}
