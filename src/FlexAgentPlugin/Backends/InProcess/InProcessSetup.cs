using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.InProcess;

/// <summary>Signals and locks for one process, the embedded default beside SQLite.</summary>
public static class InProcessSetup
{
    public static IServiceCollection AddInProcessCoordination(this IServiceCollection services)
    {
        services.AddSingleton<InProcessSignals>();
        services.AddSingleton<IConversationSignals>(provider => provider.GetRequiredService<InProcessSignals>());
        services.AddSingleton<IKeyedLock, InProcessKeyedLock>();
        services.AddSingleton<IRateWindows, InProcessRateWindows>();
        return services;
    }
}
