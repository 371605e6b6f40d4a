using System.Net.Sockets;

namespace OptOutGate.Server.Tests.Infrastructure;

internal static class PeerClose
{
    /// <summary>True once the peer has closed the connection (end of stream or a reset) before the timeout.</summary>
    public static async Task<bool> WaitAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[256];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
            {
                // Whatever the peer says before it closes (nothing, or a GOAWAY) is not the point.
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
