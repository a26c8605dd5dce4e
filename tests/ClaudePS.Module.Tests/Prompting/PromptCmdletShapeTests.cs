using Xunit;

namespace ClaudePS.Module.Tests.Prompting;

/// <summary>The prompt-feature cmdlets' specific shape (the generic checks are in CmdletShapeTests and
/// ManifestTests): rows bind by property name where they flow in, and what spends or writes supports -WhatIf.</summary>
public class PromptCmdletShapeTests
{
    [Theory]
    [InlineData("Measure-ClaudeToken", "Prompt")]
    [InlineData("Measure-ClaudeToken", "System")]
    [InlineData("Measure-ClaudeToken", "Model")]
    [InlineData("Measure-ClaudeToken", "Attachment")]
    [InlineData("Invoke-ClaudePrompt", "Attachment")]
    [InlineData("Import-ClaudeConversation", "Path")]
    [InlineData("Get-ClaudeModel", "Id")]
    public void Rows_bind_by_property_name(string cmdlet, string parameter)
    {
        var p = ModuleUnderTest.Cmdlet(cmdlet).Parameters.Single(x => x.Name == parameter);
        Assert.Contains(p.Sets, s => s.FromPipelineByPropertyName);
    }

    [Theory]
    [InlineData("Invoke-ClaudePrompt")]
    [InlineData("Export-ClaudeConversation")]
    public void Cmdlets_that_spend_or_write_files_support_WhatIf(string cmdlet) =>
        Assert.True(ModuleUnderTest.Cmdlet(cmdlet).SupportsShouldProcess);

    [Theory]
    [InlineData("Invoke-ClaudePrompt", "Model")]
    [InlineData("Measure-ClaudeToken", "Model")]
    [InlineData("New-ClaudeConversation", "Model")]
    [InlineData("Get-ClaudeModel", "Id")]
    public void Model_parameters_complete_from_the_model_list(string cmdlet, string parameter)
    {
        var p = ModuleUnderTest.Cmdlet(cmdlet).Parameters.Single(x => x.Name == parameter);
        var completer = p.Property.GetCustomAttributesData().Single(a => a.AttributeType.Name == "ArgumentCompleterAttribute");
        Assert.Equal("ClaudePS.Hosting.ModelCompleter", ((Type)completer.ConstructorArguments[0].Value!).FullName);
    }
}
