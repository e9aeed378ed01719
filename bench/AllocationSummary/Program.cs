using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: AllocationSummary <trace.nettrace> [requests]
// The runtime raises GCAllocationTick about every 100 KB allocated, naming the type that crossed the line and
// carrying the bytes since the previous tick, so summing ticks by type (and by the nearest frame of our own code)
// estimates where the bytes go. With the request count it also prints bytes per request.
if (args.Length < 1) { Console.Error.WriteLine("usage: AllocationSummary <trace.nettrace> [requests]"); return 2; }
var requests = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;

using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>();
var byOwnFrame = new Dictionary<string, long>();
long total = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick) continue;
    var bytes = tick.AllocationAmount64;
    total += bytes;
    Add(byType, tick.TypeName ?? "?", bytes);
    Add(byOwnFrame, OwnFrame(e.CallStack()) ?? "(no LlmProxy frame: ASP.NET Core, HttpClient, runtime)", bytes);
}

Console.WriteLine($"sampled allocations: {total / 1048576.0:F1} MiB{(requests > 0 ? $", {total / (double)requests / 1024:F1} KiB per request over {requests} requests" : "")}");
Print("by type", byType);
Print("by nearest LlmProxy frame on the stack", byOwnFrame);
return 0;

void Add(Dictionary<string, long> into, string key, long bytes) => into[key] = into.GetValueOrDefault(key) + bytes;

string? OwnFrame(TraceCallStack? stack)
{
    for (var frame = stack; frame is not null; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName;
        if (name.StartsWith("LlmProxy.", StringComparison.Ordinal)) return name;
    }
    return null;
}

void Print(string title, Dictionary<string, long> figures)
{
    Console.WriteLine($"\ntop 25 {title}:");
    foreach (var (key, bytes) in figures.OrderByDescending(p => p.Value).Take(25))
        Console.WriteLine($"  {bytes * 100.0 / total,5:F1}%  {(requests > 0 ? $"{bytes / (double)requests,8:F0} B/req  " : "")}{key}");
}
