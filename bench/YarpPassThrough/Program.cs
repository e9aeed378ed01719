using Yarp.ReverseProxy.Configuration;

// One catch-all route to the fake vendor named by --vendor (e.g. http://127.0.0.1:9001/). Nothing else runs:
// no logging per request, no middleware but YARP's, so its figures are the floor for a .NET proxy.
var builder = WebApplication.CreateSlimBuilder(args);
var vendor = builder.Configuration["vendor"] ?? throw new InvalidOperationException("--vendor http://127.0.0.1:PORT/ is required.");
builder.Logging.ClearProviders();
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "vendor", Match = new RouteMatch { Path = "{**rest}" } }],
    [new ClusterConfig { ClusterId = "vendor", Destinations = new Dictionary<string, DestinationConfig> { ["fake"] = new() { Address = vendor } } }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
