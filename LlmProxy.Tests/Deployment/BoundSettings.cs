using System.Collections;
using System.Reflection;
using LlmProxy.Core;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Providers.Mock;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Deployment;

/// <summary>One setting an Options class binds. <c>*</c> in <see cref="Key"/> stands for a dictionary key (a vendor name).</summary>
internal sealed record BoundSetting(string Key, PropertyInfo Property, object? Default, bool IsList)
{
    /// <summary>The app-setting / environment-variable form (<c>LlmProxy__Store__Kind</c>).</summary>
    public string EnvironmentName => Key.Replace(":", "__", StringComparison.Ordinal);

    public string EnvironmentNameFor(string dictionaryKey) => EnvironmentName.Replace("*", dictionaryKey, StringComparison.Ordinal);

    public bool IsPerVendor => Key.Contains('*', StringComparison.Ordinal);
}

/// <summary>
/// Every setting the code binds, found by reflection over the Options classes of LlmProxy.Core (each public type
/// with a <c>const string Section</c>), so a setting added to any of them is checked without touching the tests.
/// </summary>
internal static class BoundSettings
{
    public static IReadOnlyList<BoundSetting> All { get; } = Discover();

    /// <summary>The vendors the running code registers, mock excluded (it has no key).</summary>
    public static IReadOnlyList<string> Vendors { get; } = DiscoverVendors();

    public static bool Binds(string environmentName) =>
        All.Any(s => s.IsList
            ? environmentName.StartsWith(s.EnvironmentName + "__", StringComparison.OrdinalIgnoreCase)
            : Matches(s.EnvironmentName.Split("__"), environmentName.Split("__")));

    private static bool Matches(string[] pattern, string[] name) =>
        pattern.Length == name.Length && pattern.Zip(name).All(p => p.First == "*" || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));

    private static List<BoundSetting> Discover()
    {
        var settings = new List<BoundSetting>();
        foreach (var type in typeof(ProxyOptions).Assembly.GetExportedTypes())
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field || field.GetRawConstantValue() is not string section)
                continue;
            AddProperties(settings, section, type);
        }
        return settings;
    }

    private static void AddProperties(List<BoundSetting> settings, string prefix, Type type)
    {
        var instance = Activator.CreateInstance(type);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsDictionary(propertyType, out var valueType))
            {
                // A dictionary's Options class names the dictionary itself as its section (LlmProxy:Providers).
                var dictionaryPrefix = prefix.EndsWith(":" + property.Name, StringComparison.Ordinal) ? prefix : $"{prefix}:{property.Name}";
                AddProperties(settings, dictionaryPrefix + ":*", valueType);
            }
            else if (property.SetMethod is not { IsPublic: true })
            {
                continue;
            }
            else if (IsScalar(propertyType))
            {
                settings.Add(new BoundSetting($"{prefix}:{property.Name}", property, property.GetValue(instance), IsList: false));
            }
            else if (propertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                settings.Add(new BoundSetting($"{prefix}:{property.Name}", property, property.GetValue(instance), IsList: true));
            }
            else
            {
                AddProperties(settings, $"{prefix}:{property.Name}", propertyType);
            }
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Uri)
        || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(Guid);

    private static bool IsDictionary(Type type, out Type valueType)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        valueType = dictionary?.GetGenericArguments()[1] ?? typeof(object);
        return dictionary is not null && dictionary.GetGenericArguments()[0] == typeof(string);
    }

    private static List<string> DiscoverVendors()
    {
        using var services = new ServiceCollection()
            .AddLogging()
            .AddLlmProxyCore(new ConfigurationBuilder().Build(), HostKind.Standalone)
            .BuildServiceProvider();
        return services.GetServices<IChatProvider>().Select(p => p.Name).Where(n => n != MockProvider.ProviderName).Order().ToList();
    }
}
