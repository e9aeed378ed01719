using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using LlmProxy.Core.Storage;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace LlmProxy.Tests.Deployment;

/// <summary>The host.json choices explained in docs/operations.md, pinned so a change is deliberate.</summary>
public sealed class HostJsonTests
{
    private static readonly JsonNode Host = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "LlmProxy.Functions", "host.json")))!;

    private static JsonNode Queues => Host["extensions"]!["queues"]!;

    [Fact]
    public async Task Queue_message_encoding_matches_what_the_usage_publisher_writes()
    {
        // The publisher's client, pointed at a loopback stand-in for the queue service, shows what goes on the wire.
        var bodies = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var service = builder.Build();
        service.MapPost("/devstoreaccount1/usage-events/messages", async (HttpRequest request) =>
        {
            await bodies.Writer.WriteAsync(await new StreamReader(request.Body).ReadToEndAsync());
            return Results.Content(PutMessageAnswer, "application/xml", statusCode: 201);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await service.StartAsync(timeout.Token);
        var address = service.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};QueueEndpoint={address}/devstoreaccount1";
        var publisher = new AzureStorageClients(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage"] = connection }).Build())
            .Queue("Storage", "usage-events");
        const string message = "{\"id\":\"usage-1\"}";
        await publisher.SendMessageAsync(message, timeout.Token);

        var body = XDocument.Parse(await bodies.Reader.ReadAsync(timeout.Token));
        var text = body.Root!.Element("MessageText")!.Value;
        Assert.Equal(message, Encoding.UTF8.GetString(Convert.FromBase64String(text)));
        Assert.Equal("base64", Queues["messageEncoding"]!.GetValue<string>());
        await service.StopAsync(timeout.Token);
    }

    private const string PutMessageAnswer =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList><QueueMessage><MessageId>1</MessageId>"
        + "<InsertionTime>Thu, 26 Nov 2026 10:00:00 GMT</InsertionTime><ExpirationTime>Thu, 03 Dec 2026 10:00:00 GMT</ExpirationTime>"
        + "<PopReceipt>r</PopReceipt><TimeNextVisible>Thu, 26 Nov 2026 10:00:00 GMT</TimeNextVisible></QueueMessage></QueueMessagesList>";

    [Fact]
    public void Queue_polling_and_retries_are_bounded()
    {
        var batchSize = Queues["batchSize"]!.GetValue<int>();
        var threshold = Queues["newBatchThreshold"]!.GetValue<int>();
        Assert.InRange(batchSize, 1, 32); // the extension's maximum
        Assert.InRange(threshold, 0, batchSize);
        Assert.InRange(Queues["maxDequeueCount"]!.GetValue<int>(), 3, 10);
        Assert.InRange(TimeSpan.Parse(Queues["visibilityTimeout"]!.GetValue<string>()), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2));
        // Usage must reach the quota counters within seconds, so an idle listener may not back off to the 1-minute default.
        Assert.InRange(TimeSpan.Parse(Queues["maxPollingInterval"]!.GetValue<string>()), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Function_timeout_fits_every_offered_plan()
    {
        // Flex Consumption and Elastic Premium both allow any bound; 10 minutes ends a stuck vendor stream.
        Assert.Equal(TimeSpan.FromMinutes(10), TimeSpan.Parse(Host["functionTimeout"]!.GetValue<string>()));
    }

    [Fact]
    public void Logs_of_function_code_are_kept_at_information_and_never_sampled_away()
    {
        var levels = Host["logging"]!["logLevel"]!;
        Assert.Equal("Information", levels["Function"]!.GetValue<string>());
        Assert.Equal("Information", levels["Host.Results"]!.GetValue<string>());
        Assert.Equal("Trace", levels["Host.Aggregator"]!.GetValue<string>());

        var sampling = Host["logging"]!["applicationInsights"]!["samplingSettings"]!;
        var excluded = sampling["excludedTypes"]!.GetValue<string>().Split(';');
        // Requests (one per call), traces (usage, quota and vendor logs), exceptions and events are all kept;
        // only dependency telemetry (storage polling, vendor HTTP calls) is sampled.
        Assert.Equal(["Event", "Exception", "Request", "Trace"], excluded.Order());
    }
}
