using Azure.Storage.Queues;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Configuration;

namespace LlmProxy.Tests.Deployment;

/// <summary>Storage clients come from a connection string (Azurite, local) or an account name plus managed identity (Azure).</summary>
public sealed class AzureStorageClientsTests
{
    private static QueueClient Queue(Dictionary<string, string?> settings) =>
        new AzureStorageClients(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).Queue("AzureWebJobsStorage", "usage-events");

    [Fact]
    public void A_connection_string_addresses_that_account_with_its_key()
    {
        var queue = Queue(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
        Assert.Equal("devstoreaccount1", queue.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1/usage-events"), queue.Uri);
        Assert.True(queue.CanGenerateSasUri); // a shared key is in use
    }

    [Fact]
    public void An_account_name_addresses_the_public_queue_endpoint_with_a_token_credential()
    {
        // The form main.bicep sets; ':' is what '__' in an app setting becomes.
        var queue = Queue(new() { ["AzureWebJobsStorage:accountName"] = "llmproxyabc", ["AzureWebJobsStorage:credential"] = "managedidentity" });
        Assert.Equal(new Uri("https://llmproxyabc.queue.core.windows.net/usage-events"), queue.Uri);
        Assert.Equal("llmproxyabc", queue.AccountName);
        Assert.False(queue.CanGenerateSasUri); // no key: the identity signs every request
    }

    [Fact]
    public void A_queue_service_uri_wins_over_the_default_endpoint()
    {
        var queue = Queue(new()
        {
            ["AzureWebJobsStorage:queueServiceUri"] = "https://sovereign.queue.core.example/",
            ["AzureWebJobsStorage:accountName"] = "ignored",
        });
        Assert.Equal(new Uri("https://sovereign.queue.core.example/usage-events"), queue.Uri);
        Assert.False(queue.CanGenerateSasUri);
    }

    [Fact]
    public void A_missing_connection_names_both_ways_to_configure_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Queue([]));
        Assert.Contains("'AzureWebJobsStorage'", error.Message);
        Assert.Contains("AzureWebJobsStorage__accountName", error.Message);
    }
}
