using Microsoft.AspNetCore.Diagnostics;

namespace FlexAgentPlugin.Hosting.Problems;

/// <summary>
/// Errors as ProblemDetails, mapped in <see cref="ProblemMapping"/>; a failure it handles is not logged again as an error.
/// Every problem is written as application/problem+json, whatever the request's Accept header (<see cref="ProblemJsonWriter"/>).
/// </summary>
public static class ProblemsSetup
{
    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ExplainStatus);
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddExceptionHandler<ProblemMapping>();
        services.Configure<ExceptionHandlerOptions>(options =>
            options.SuppressDiagnosticsCallback = context => context.ExceptionHandledBy == ExceptionHandledType.ExceptionHandlerService);
        return services;
    }

    /// <summary>
    /// A sentence for the problems the framework writes with a status alone (no endpoint for the path or method, a body
    /// type an endpoint does not take), so every problem says what to do.
    /// </summary>
    private static void ExplainStatus(ProblemDetailsContext context) => context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
    {
        StatusCodes.Status404NotFound => "There is nothing at this path; the API's endpoints are described at /openapi.yaml.",
        StatusCodes.Status405MethodNotAllowed => $"This path does not take {context.HttpContext.Request.Method}; the API's endpoints and their methods are described at /openapi.yaml.",
        StatusCodes.Status415UnsupportedMediaType => "This endpoint does not take a body of this type: send JSON, with the header Content-Type: application/json.",
        _ => null,
    };
}
