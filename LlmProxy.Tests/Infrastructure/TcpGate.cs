using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LlmProxy.Tests.Infrastructure;

/// <summary>
/// A loopback port in front of a real service: open, it forwards every connection to the service; closed, nothing
/// listens (connections are refused) and the connections it carried are cut. A test closes it to make the service
/// unreachable the way a network failure would, and opens it to heal.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly int _target;
    private readonly ConcurrentDictionary<TcpClient, bool> _carried = new();
    private TcpListener? _listener;
    private Task? _accepting;

    /// <summary>A closed gate on a free port, in front of <paramref name="targetPort"/> on loopback.</summary>
    public TcpGate(int targetPort)
    {
        _target = targetPort;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    public void Open()
    {
        if (_listener is not null) return;
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _accepting = AcceptAsync(listener);
    }

    public async Task CloseAsync()
    {
        if (_listener is not { } listener) return;
        _listener = null;
        listener.Stop();
        await _accepting!.ConfigureAwait(false);
        foreach (var client in _carried.Keys) client.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var server = new TcpClient();
        _carried[client] = true;
        _carried[server] = true;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target).ConfigureAwait(false);
            var up = client.GetStream().CopyToAsync(server.GetStream());
            var down = server.GetStream().CopyToAsync(client.GetStream());
            await Task.WhenAny(up, down).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Cut by CloseAsync, or by either side.
        }
        finally
        {
            _carried.TryRemove(client, out _);
            _carried.TryRemove(server, out _);
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);
}
