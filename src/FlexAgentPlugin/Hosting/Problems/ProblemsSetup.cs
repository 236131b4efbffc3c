using Microsoft.AspNetCore.Diagnostics;

namespace FlexAgentPlugin.Hosting.Problems;

/// <summary>Errors as ProblemDetails, mapped in <see cref="ProblemMapping"/>; a failure it handles is not logged again as an error.</summary>
public static class ProblemsSetup
{
    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemMapping>();
        services.Configure<ExceptionHandlerOptions>(options =>
            options.SuppressDiagnosticsCallback = context => context.ExceptionHandledBy == ExceptionHandledType.ExceptionHandlerService);
        return services;
    }
}
