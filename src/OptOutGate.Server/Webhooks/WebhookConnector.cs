using System.Net;
using System.Net.Sockets;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// The delivery client's <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the receiver's host itself and
/// connects only to the addresses <see cref="WebhookAddresses"/> allows, so the check is on the very address the socket
/// uses (a name re-resolved between the check and the connection could otherwise point elsewhere). A host with no
/// allowed address fails the delivery with an error that names the addresses and the setting (the delivery's
/// last_error; the handler adds host and port).
/// </summary>
internal sealed class WebhookConnector(WebhookOptions options)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        var allowedPrivate = WebhookAddresses.IsAllowedPrivate(endpoint.Host, options.AllowedPrivateHosts);
        List<IPAddress>? refused = null;
        Exception? failure = null;
        foreach (var address in addresses)
        {
            if (!allowedPrivate && !WebhookAddresses.IsPublic(address))
            {
                (refused ??= []).Add(address);
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, endpoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failure = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        if (failure is not null)
        {
            throw failure;
        }

        if (refused is not null)
        {
            throw new HttpRequestException(
                $"blocked: '{endpoint.Host}' resolves only to addresses that are not public ({string.Join(", ", refused)}); " +
                "a receiver on a private, loopback or link-local address must be listed in Webhooks:AllowedPrivateHosts");
        }

        throw new HttpRequestException($"'{endpoint.Host}' resolves to no address");
    }
}
