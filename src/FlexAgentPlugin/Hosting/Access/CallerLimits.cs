using FlexAgentPlugin.Core.Limits;
using FlexAgentPlugin.Core.State;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// The per-caller limit (RATE_LIMIT_PER_ADDRESS a minute, per API key or client address) for calls that are not HTTP
/// requests of their own: MCP tool calls, many of which share one MCP session. HTTP endpoints use the
/// <see cref="AccessPolicies.PerCaller"/> rate-limiter policy with the same numbers.
/// </summary>
public sealed class CallerLimits(IRateWindows windows, IOptions<AccessOptions> options) : PerMinuteLimits(windows, options.Value.PerAddressPerMinute, "caller or address");
