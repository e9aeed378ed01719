using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: AllocationSummary <trace.nettrace> [requests] [--under TEXT]
// The runtime raises GCAllocationTick about every 100 KB allocated, naming the type that crossed the line and
// carrying the bytes since the previous tick, so summing ticks by type (and by the nearest frame of our own code)
// estimates where the bytes go. With the request count it also prints bytes per request. --under TEXT breaks down
// the ticks whose nearest LlmProxy frame contains TEXT by type and by the frame that allocated.
if (args.Length < 1) { Console.Error.WriteLine("usage: AllocationSummary <trace.nettrace> [requests]"); return 2; }
var requests = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
var under = Option("--under");
var depth = Option("--depth") is { } d ? int.Parse(d, System.Globalization.CultureInfo.InvariantCulture) : 1;

using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>();
var byOwnFrame = new Dictionary<string, long>();
var underByType = new Dictionary<string, long>();
var underBySite = new Dictionary<string, long>();
long total = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick) continue;
    var bytes = tick.AllocationAmount64;
    total += bytes;
    Add(byType, tick.TypeName ?? "?", bytes);
    var own = OwnFrame(e.CallStack());
    Add(byOwnFrame, own ?? "(no LlmProxy frame: ASP.NET Core, HttpClient, runtime)", bytes);
    if (under is not null && own?.Contains(under, StringComparison.Ordinal) == true)
    {
        Add(underByType, tick.TypeName ?? "?", bytes);
        Add(underBySite, AllocatingFrame(e.CallStack()) ?? "?", bytes);
    }
}

Console.WriteLine($"sampled allocations: {total / 1048576.0:F1} MiB{(requests > 0 ? $", {total / (double)requests / 1024:F1} KiB per request over {requests} requests" : "")}");
Print("by type", byType);
Print("by nearest LlmProxy frame on the stack", byOwnFrame);
if (under is not null)
{
    Print($"by type, under {under}", underByType);
    Print($"by allocating frame, under {under}", underBySite);
}
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

string? Option(string name) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;

// The first frame that is not the runtime's allocator itself, and --depth - 1 of its callers.
string? AllocatingFrame(TraceCallStack? stack)
{
    var frames = new List<string>();
    for (var frame = stack; frame is not null && frames.Count < depth; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName;
        if (frames.Count > 0 || (name.Length > 0 && !name.StartsWith("coreclr", StringComparison.OrdinalIgnoreCase)
            && !name.Contains("JIT_", StringComparison.Ordinal) && !name.Contains("Allocate", StringComparison.Ordinal)))
            frames.Add(frame.CodeAddress.ModuleName + "!" + name);
    }
    return frames.Count == 0 ? null : string.Join("\n        < ", frames);
}

void Print(string title, Dictionary<string, long> figures)
{
    Console.WriteLine($"\ntop 25 {title}:");
    foreach (var (key, bytes) in figures.OrderByDescending(p => p.Value).Take(25))
        Console.WriteLine($"  {bytes * 100.0 / total,5:F1}%  {(requests > 0 ? $"{bytes / (double)requests,8:F0} B/req  " : "")}{key}");
}
