using System.Text.Json;
using System.Text.Json.Serialization;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Auth.Platform;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Admin;
using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Status;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Serialization;

/// <summary>Source-generated JSON for everything on the wire: OpenAI's snake_case, nulls left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(List<ChatCompletionChunk>))]
[JsonSerializable(typeof(List<ContentPart>))]
[JsonSerializable(typeof(IReadOnlyList<ChatMessage>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(ContentPart))]
[JsonSerializable(typeof(ChatModelList))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(EmbeddingList))]
[JsonSerializable(typeof(ChatModelInfo))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
[JsonSerializable(typeof(long))]
public sealed partial class ProxyJsonContext : JsonSerializerContext;

/// <summary>JSON for the proxy's own documents (usage events, quota and status answers): camelCase.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(UsageEvent))]
[JsonSerializable(typeof(QuotaStatus))]
[JsonSerializable(typeof(ProxyStatus))]
[JsonSerializable(typeof(ProxyLiveness))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(List<ApiKeyInfo>))]
[JsonSerializable(typeof(NewApiKey))]
[JsonSerializable(typeof(PublishableKeyPolicy))]
[JsonSerializable(typeof(EndUserToken))]
[JsonSerializable(typeof(NewEndUserToken))]
[JsonSerializable(typeof(IssuedEndUserToken))]
[JsonSerializable(typeof(PlatformKeyPolicy))]
[JsonSerializable(typeof(NewPlatformKey))]
[JsonSerializable(typeof(QuotaOverride))]
[JsonSerializable(typeof(QuotaOverrideView))]
[JsonSerializable(typeof(UsageReport))]
[JsonSerializable(typeof(PoisonReplay))]
[JsonSerializable(typeof(UsageOverview))]
[JsonSerializable(typeof(ScopeTable))]
[JsonSerializable(typeof(IReadOnlyList<QuotaAuditEntry>))]
[JsonSerializable(typeof(IReadOnlyList<RequestLogEntry>))]
[JsonSerializable(typeof(RequestLogEntry))]
[JsonSerializable(typeof(AdminSessionInfo))]
[JsonSerializable(typeof(AdminSignIn))]
public sealed partial class ProxyDocumentsJsonContext : JsonSerializerContext;
