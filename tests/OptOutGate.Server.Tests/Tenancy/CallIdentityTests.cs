using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class CallIdentityTests
{
    [Fact]
    public void CallIdentityOf_OutsideTheInterceptor_Throws_RatherThanDefaulting()
    {
        // Health runs without a key, so it has no identity; a handler asking anyway gets an error, never "default".
        var context = new DefaultHttpContextCall();

        Assert.False(CallIdentity.TryGet(context, out _));
        Assert.Throws<InvalidOperationException>(() => CallIdentity.Of(context));
    }
}
