using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Core.Routing;

/// <summary>
/// A customer as Flex routes them: a trait and a value (<c>phone:+15551234567</c>, <c>whatsapp:+15551234567</c>,
/// <c>email:ana@example.com</c>, <c>user_id:42</c>). A WhatsApp number makes a <c>whatsapp</c> interaction, a phone
/// number an <c>sms</c> one, anything else (a chat identity, an email…) a <c>chat</c> one.
/// </summary>
public sealed partial record Customer(string Trait, string Value)
{
    public string ChannelType => Trait switch
    {
        "whatsapp" => "whatsapp",
        "phone" => "sms",
        _ => "chat",
    };

    /// <summary>The TaskRouter task channel: SMS has its own, web chat and WhatsApp share "chat".</summary>
    public string TaskChannel => ChannelType == "sms" ? "sms" : FlexRouter.ChatTaskChannel;

    /// <summary>The address Flex shows and replies to: WhatsApp addresses keep their prefix, as in Twilio.</summary>
    public string Address => Trait == "whatsapp" ? $"whatsapp:{Value}" : Value;

    /// <summary>
    /// The customer who wrote a message, from its author as Twilio gives it: <c>whatsapp:+1…</c> for WhatsApp, <c>+1…</c>
    /// for SMS, a chat identity otherwise.
    /// </summary>
    public static Customer FromAuthor(string author) =>
        author.StartsWith("whatsapp:", StringComparison.OrdinalIgnoreCase) ? new("whatsapp", author["whatsapp:".Length..])
        : PhoneNumber().IsMatch(author) ? new("phone", author)
        : new("identity", author);

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    public static partial Regex PhoneNumber();
}
