using Xunit;

namespace ClaudePS.Engine.Tests;

public class EngineBuildTests
{
    [Fact]
    public void The_engine_under_test_is_the_netstandard20_build()
    {
        var attribute = (System.Runtime.Versioning.TargetFrameworkAttribute?)System.Attribute.GetCustomAttribute(
            typeof(ClaudePS.Engine.Http.ClaudeClient).Assembly, typeof(System.Runtime.Versioning.TargetFrameworkAttribute));
        Assert.Equal(".NETStandard,Version=v2.0", attribute?.FrameworkName);
    }
}
