namespace LlmProxy.Core;

/// <summary>Which host runs the app; decides defaults such as the usage queue.</summary>
public enum HostKind { Functions, Standalone }

/// <summary>The running host, as a service.</summary>
public sealed record HostInfo(HostKind Kind);
