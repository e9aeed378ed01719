using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Tests.Usage;

/// <summary>
/// The standalone host on a SQLite file, killed with SIGKILL while 16 callers keep it busy, then started again on the
/// same file: every call whose caller got the complete answer (a whole JSON answer, or a stream up to <c>[DONE]</c>) is
/// recorded, none twice, and the counters hold exactly the recorded tokens.
/// </summary>
public sealed class KilledHostTests
{
    private const string AdminKey = ProxyHost.TestAdminKey;
    private const int Callers = 16;
    private const int AnsweredBeforeTheKill = 400;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_call_answered_before_a_SIGKILL_is_recorded_once_after_the_restart()
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["LlmProxy:Store:SqlitePath"] = Path.Combine(data.Path, "proxy.db"),
            ["LlmProxy:Admin:ApiKey"] = AdminKey,
            ["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key,
            ["LlmProxy:Providers:openai:BaseUrl"] = vendor.ProxyBaseUrl.ToString(),
            ["LlmProxy:Cache:Enabled"] = "false",
            ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
            // Limits, so every call takes a reservation of tokens and money as in production.
            ["LlmProxy:Quota:DefaultUserTokens"] = "1000000",
            ["LlmProxy:Quota:DefaultUserCostLimitUsd"] = "1000",
        };

        var answered = new ConcurrentBag<string>();
        var answeredCount = 0;
        var next = 0;
        await using (var first = await ProxyProcess.StartAsync(data.Path, settings))
        {
            using var client = await ClientAsync(first.BaseAddress);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            stop.CancelAfter(TimeSpan.FromSeconds(120));
            var callers = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref next);
                    var user = "u" + n;
                    try
                    {
                        if (!(await ChatCalls.CallAsync(client, user, stream: n % 2 == 0, stop.Token)).Complete) continue;
                        answered.Add(user);
                        // The kill follows the answer at once, from the caller that got it: the worst moment for a
                        // host that would make the event durable only after answering.
                        if (Interlocked.Increment(ref answeredCount) != AnsweredBeforeTheKill) continue;
                        first.Kill();
                        await stop.CancelAsync();
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                    {
                        // Cut by the kill: not answered.
                    }
                }
            })).ToList();
            await Task.WhenAll(callers);
            Assert.True(answeredCount >= AnsweredBeforeTheKill, $"Only {answeredCount} calls were answered in two minutes.");
        }

        var recordedAtTheKill = (await UsageRows.ReadAsync(Path.Combine(data.Path, "proxy.db"))).Count;
        var waitingInTheOutbox = await CountAsync(Path.Combine(data.Path, "usage-outbox.db"), "SELECT COUNT(*) FROM usage_outbox");
        await using (var second = await ProxyProcess.StartAsync(data.Path, settings))
        {
            using var client = new HttpClient { BaseAddress = second.BaseAddress };
            await OutboxStatus.WhenEmptyAsync(client, Ct);
        }

        var rows = await UsageRows.ReadAsync(Path.Combine(data.Path, "proxy.db"));
        var recordedUsers = rows.GroupBy(r => r.UserId).ToDictionary(g => g.Key, g => g.Count());
        var lost = answered.Where(u => !recordedUsers.ContainsKey(u)).ToList();
        var twice = recordedUsers.Where(u => u.Value > 1).Select(u => u.Key).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"SIGKILL under load: {next} calls started, {answered.Count} answered completely; at the kill {recordedAtTheKill} recorded and " +
            $"{waitingInTheOutbox} in the outbox; {rows.Count} recorded after the restart " +
            $"({lost.Count} answered but not recorded, {rows.Count - (answered.Count - lost.Count)} recorded without a complete answer, {twice.Count} recorded twice)");

        Assert.Empty(lost);
        Assert.Empty(twice);
        Assert.All(answered, u => Assert.Equal("ok", rows.Single(r => r.UserId == u).Status));
        Assert.Equal(rows.Sum(r => (long)r.PromptTokens + r.CompletionTokens),
            await CountAsync(Path.Combine(data.Path, "proxy.db"), "SELECT COALESCE(SUM(used_tokens), 0) FROM quota_counters WHERE scope LIKE 'user/acme/%'"));
        // Money is settled in the same commit: the counters hold the recorded costs (each rounded up to a whole
        // nano-dollar; the rows keep them as REAL, hence the tolerance of one per row).
        Assert.All(answered, u => Assert.True(rows.Single(r => r.UserId == u).CostUsd > 0));
        var money = await CountAsync(Path.Combine(data.Path, "proxy.db"), "SELECT COALESCE(SUM(used_nanodollars), 0) FROM quota_counters WHERE scope LIKE 'user/acme/%'");
        var costs = (long)rows.Sum(r => Math.Round((r.CostUsd ?? 0) * 1e9));
        Assert.InRange(money, costs - rows.Count, costs + rows.Count);
    }

    private static async Task<HttpClient> ClientAsync(Uri baseAddress)
    {
        using var admin = new HttpClient { BaseAddress = baseAddress };
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/admin/tenants/acme/keys");
        create.Headers.Add("X-Admin-Key", AdminKey);
        var created = await admin.SendAsync(create, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["key"]!.GetValue<string>();
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<long> CountAsync(string databasePath, string sql)
    {
        if (!File.Exists(databasePath)) return 0;
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
