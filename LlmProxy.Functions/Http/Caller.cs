using LlmProxy.Core.Auth;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Http;

/// <summary>Reads the caller's key headers for <see cref="CallerAuthenticator"/>.</summary>
public static class Caller
{
    public static Task<CallerIdentity> AuthenticateAsync(this CallerAuthenticator authenticator, HttpRequest request) =>
        authenticator.AuthenticateAsync(request.Headers.Authorization.FirstOrDefault(), request.Headers["x-api-key"].FirstOrDefault(),
            request.HttpContext.RequestAborted);

    public static void RequireAdmin(this CallerAuthenticator authenticator, HttpRequest request) =>
        authenticator.RequireAdmin(request.Headers.Authorization.FirstOrDefault(), request.Headers["x-api-key"].FirstOrDefault());
}
