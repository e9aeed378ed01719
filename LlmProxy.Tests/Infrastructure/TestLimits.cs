using LlmProxy.Core.Quotas;

namespace LlmProxy.Tests.Infrastructure;

/// <summary>The limits of a call's tenant and user as store tests name them: tokens, and money in nano-dollars (null = unlimited).</summary>
public static class TestLimits
{
    public static CallLimits Of(long? tenantTokens, long? userTokens, long? tenantCost = null, long? userCost = null) =>
        new(new EffectiveLimits(tenantTokens, null, tenantCost), new EffectiveLimits(userTokens, null, userCost));
}
