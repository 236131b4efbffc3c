using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Conversations;
using FlexAgentPlugin.Replies;
using FlexAgentPlugin.Twilio;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Relay;

/// <summary><c>POST /send/{username}</c>: hand the user's message to a Flex agent and return the answer.</summary>
public static class RelayEndpoints
{
    /// <summary>Tag carried by the endpoints that make up the public API (the ones openapi.yaml describes).</summary>
    public const string ApiTag = "Agent";

    public static IServiceCollection AddRelay(this IServiceCollection services)
    {
        services.AddOptions<RelayOptions>()
            .BindEnvironment()
            .Validate(o => o.MaxMessageLength is >= 1 and <= RelayOptions.TwilioMaxMessageLength,
                "MAX_MESSAGE_LENGTH must be a whole number of characters from 1 to 1600 (Twilio's limit).")
            .ValidateOnStart();
        services.AddConversations().AddReplies();
        services.AddTransient<MessageRelay>();
        return services;
    }

    public static IEndpointRouteBuilder MapRelay(this IEndpointRouteBuilder app)
    {
        app.MapPost("/send/{username}", SendAsync)
            .WithName("sendMsg");
        return app;
    }

    private static async Task<Results<Ok<AgentReplies>, ProblemHttpResult>> SendAsync(
        string username,
        HttpRequest request,
        MessageRelay relay,
        IOptions<TwilioOptions> twilioOptions,
        IOptions<RelayOptions> relayOptions,
        CancellationToken cancellationToken)
    {
        if (RequestInput.CheckUsername(username) is { } badUsername)
        {
            return badUsername;
        }

        var (message, problem) = await RequestInput.ReadMessageAsync(request, relayOptions.Value.MaxMessageLength, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (!twilioOptions.Value.IsConfigured)
        {
            return TwilioProblemHandler.NotConfigured();
        }

        return TypedResults.Ok(await relay.SendAsync(username, message!, cancellationToken));
    }
}
