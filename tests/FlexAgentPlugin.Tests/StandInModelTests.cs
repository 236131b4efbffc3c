using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Sandbox.StandIn;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The sandbox's stand-in model answers only what its knowledge really answers (a section sharing enough of the
/// question's meaningful words), and hands off otherwise, as README says.
/// </summary>
public sealed class StandInModelTests
{
    private static readonly string Instructions = "Answer from the knowledge.\n# Knowledge\n" + File.ReadAllText(SandboxSession.SampleKnowledgePath);

    [Theory]
    [InlineData("Do you sell gift wrapping for birthdays?")]
    [InlineData("Do you repair bicycles?")]
    [InlineData("Is it possible for you to deliver to the moon?")]
    public void AQuestionTheKnowledgeDoesNotAnswerIsHandedOff(string question)
    {
        var decision = StandInModel.Decide(Instructions, [question]);

        Assert.Null(decision.Text);
        Assert.Equal(StandInModel.NoAnswer, decision.HandoffReason);
        Assert.Equal($"The customer asked: {question}", decision.HandoffSummary);
    }

    [Theory]
    [InlineData("What are your opening hours?", "Monday to Saturday")]
    [InlineData("How long does shipping take?", "Standard shipping takes 3 to 5 business days")]
    [InlineData("Can I return shoes that do not fit and get a refund?", "within 30 days")]
    [InlineData("How do I track my order?", "tracking link")]
    [InlineData("Do your shoes run true to size?", "true to size")]
    [InlineData("Which payment methods do you accept?", "PayPal")]
    [InlineData("Can I pay with PayPal?", "PayPal")]
    [InlineData("Returns?", "within 30 days")]
    [InlineData("Hi, I ordered shoes last week and they have not arrived. How long does shipping take?", "Standard shipping")]
    [InlineData("And if they do not fit, can I return them for a refund?", "within 30 days")]
    public void AQuestionTheKnowledgeAnswersGetsItsSection(string question, string expected)
    {
        var decision = StandInModel.Decide(Instructions, [question]);

        Assert.Null(decision.HandoffReason);
        Assert.Contains(expected, decision.Text, StringComparison.Ordinal);
    }
}
