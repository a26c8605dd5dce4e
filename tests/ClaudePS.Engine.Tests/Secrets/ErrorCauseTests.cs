using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Secrets;

/// <summary>An error keeps the exception underneath it (for $Error[0].Exception.InnerException), and
/// that exception's chain never carries a credential out.</summary>
public class ErrorCauseTests
{
    private const string Key = "sk-ant-api03-Q9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPsTtUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz0AA";

    [Fact]
    public void A_ClaudeException_with_an_inner_exception_gives_its_error_that_cause()
    {
        var socket = new SocketException((int)SocketError.ConnectionRefused);
        var http = new HttpRequestException("Connection refused (127.0.0.1:9)", socket);
        var ex = new ClaudeException(new ClaudeError("ClaudePS.ConnectionFailed", ClaudeErrorCategory.ConnectionError, "could not connect"), http);

        Assert.Same(http, ex.Error.Cause);
        Assert.Same(http, ex.InnerException);
        // Copies for a row or a partial reply keep it, and a new exception over the error gets it back.
        var row = ex.Error.WithTarget("row 7").WithPartial("partial", null);
        Assert.Same(http, row.Cause);
        Assert.Same(socket, new ClaudeException(row).InnerException!.InnerException);
    }

    [Fact]
    public void A_cause_without_credentials_is_kept_as_it_is()
    {
        var io = new IOException("The disk is full.");
        var error = new ClaudeError("ClaudePS.X", ClaudeErrorCategory.WriteError, "write failed") { Cause = io };
        Assert.Same(error, SecretScrubber.Scrub(error));
    }

    [Fact]
    public void A_credential_anywhere_in_the_cause_chain_is_scrubbed_and_the_types_are_named()
    {
        var inner = new InvalidOperationException("header x-api-key: " + Key);
        var outer = new HttpRequestException("request failed", inner);
        var error = new ClaudeError("ClaudePS.X", ClaudeErrorCategory.ConnectionError, "failed") { Cause = outer, RequestId = "req_1" };

        var scrubbed = SecretScrubber.Scrub(error);

        Assert.NotSame(error, scrubbed);
        Assert.Equal("req_1", scrubbed.RequestId);
        var cause = scrubbed.Cause!;
        Assert.Contains("System.Net.Http.HttpRequestException: request failed", cause.Message);
        Assert.Contains("System.InvalidOperationException", cause.InnerException!.Message);
        for (Exception? e = cause; e is not null; e = e.InnerException) Assert.DoesNotContain("Q9vLk2ZpT7xR4mWn8sYd", e.Message);
    }

    [Fact]
    public void Every_derived_error_keeps_the_request_id_the_cause_and_the_rest()
    {
        var io = new IOException("reset");
        var usage = new ClaudeUsage();
        var error = new ClaudeError("ClaudePS.X", ClaudeErrorCategory.ConnectionError, "failed with " + Key)
        { Cause = io, RequestId = "req_9", HttpStatus = 529, ErrorType = "overloaded_error", IsTransient = true, Target = "row 3", PartialText = "so far", PartialUsage = usage };

        foreach (var copy in new[] { error.WithMessage("told again"), error.WithTarget("row 3"), error.WithPartial("so far", usage), error.WithCause(io), SecretScrubber.Scrub(error) })
        {
            Assert.Equal((error.ErrorId, error.Category, "req_9", 529, "overloaded_error", true), (copy.ErrorId, copy.Category, copy.RequestId, copy.HttpStatus, copy.ErrorType, copy.IsTransient));
            Assert.Same(io, copy.Cause);
            Assert.Equal(("row 3", "so far"), (copy.Target, copy.PartialText));
            Assert.Same(usage, copy.PartialUsage);
        }
        Assert.DoesNotContain("Q9vLk2ZpT7xR4mWn8sYd", SecretScrubber.Scrub(error).Message);
        Assert.Equal("req_1", error.WithRequestId("req_1").RequestId);
        Assert.True(ApiErrors.Canceled().IsCanceled);
        Assert.False(error.IsCanceled);
    }
}
