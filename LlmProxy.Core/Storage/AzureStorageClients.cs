using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace LlmProxy.Core.Storage;

/// <summary>
/// Builds Azure Storage clients from a named connection setting, the way the Functions host reads them:
/// <c>{name}</c> holds a connection string (Azurite, local), or <c>{name}__accountName</c> /
/// <c>{name}__queueServiceUri</c> / <c>{name}__tableServiceUri</c> name an account reached with managed identity
/// (<c>{name}__clientId</c> picks a user-assigned identity).
/// </summary>
public sealed class AzureStorageClients(IConfiguration configuration)
{
    private readonly Lazy<TokenCredential> _credential = new(() => new DefaultAzureCredential());

    /// <param name="configure">Changes to the client's options, such as a shorter retry policy.</param>
    public QueueClient Queue(string connectionName, string queueName, Action<QueueClientOptions>? configure = null)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        configure?.Invoke(options);
        var connectionString = configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
            return new QueueClient(connectionString, queueName, options);

        var section = configuration.GetSection(connectionName);
        return new QueueClient(new Uri(ServiceUri(connectionName, section, "queue"), queueName), Credential(section), options);
    }

    public TableClient Table(string connectionName, string tableName)
    {
        var connectionString = configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
            return new TableClient(connectionString, tableName);

        var section = configuration.GetSection(connectionName);
        return new TableClient(ServiceUri(connectionName, section, "table"), tableName, Credential(section));
    }

    private static Uri ServiceUri(string connectionName, IConfigurationSection section, string service) =>
        section[service + "ServiceUri"] is { Length: > 0 } uri ? new Uri(uri.TrimEnd('/') + "/")
            : section["accountName"] is { Length: > 0 } account ? new Uri($"https://{account}.{service}.core.windows.net/")
            : throw new InvalidOperationException(
                $"Storage connection '{connectionName}' is not configured: set '{connectionName}' to a connection string or '{connectionName}__accountName' for managed identity.");

    private TokenCredential Credential(IConfigurationSection section) =>
        section["clientId"] is { Length: > 0 } clientId ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)) : _credential.Value;
}
