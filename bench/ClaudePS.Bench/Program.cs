namespace ClaudePS.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        System.Console.WriteLine("usage: dotnet run -c Release --project bench/ClaudePS.Bench -- all [--quick]");
        return 0;
    }
}
