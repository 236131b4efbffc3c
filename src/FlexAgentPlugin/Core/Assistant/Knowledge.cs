using System.Text;

namespace FlexAgentPlugin.Core.Assistant;

/// <summary>The instructions and knowledge the model is given with every turn, read once from the settings' files.</summary>
public sealed class AssistantBrief
{
    /// <summary>More knowledge than this is refused at start: it would not fit a model's context with room to answer.</summary>
    public const int MaxKnowledgeCharacters = 400_000;

    private AssistantBrief(string instructions, string knowledge)
    {
        Instructions = instructions;
        Knowledge = knowledge;
    }

    public string Instructions { get; }

    public string Knowledge { get; }

    /// <summary>
    /// Reads the brief; throws <see cref="Configuration.StartFailureException"/> with a sentence naming the setting when a
    /// file cannot be read.
    /// </summary>
    public static AssistantBrief Read(AssistantOptions options)
    {
        var instructions = options.Instructions?.Trim() is { Length: > 0 } given ? given
            : options.InstructionsFile?.Trim() is { Length: > 0 } file ? ReadFile("AI_INSTRUCTIONS_FILE", file).Trim()
            : AssistantOptions.DefaultInstructions;
        var knowledge = options.KnowledgePath?.Trim() is { Length: > 0 } path ? ReadKnowledge(path) : "";
        return new AssistantBrief(instructions, knowledge);
    }

    /// <summary>What the model is told before the conversation: the instructions, how to hand off, and the knowledge.</summary>
    public string SystemText(string marker)
    {
        var text = new StringBuilder(Instructions)
            .Append("\n\nWhen the customer asks for a person, or you cannot answer from the knowledge you have, call the ")
            .Append(AssistantModel.HandoffTool)
            .Append(" tool with the reason and a short summary for the agent who takes over. If you cannot call tools, start your answer with ")
            .Append(marker)
            .Append(" instead; the customer never sees it.");
        if (Knowledge.Length > 0)
        {
            text.Append("\n\n# Knowledge\n\n").Append(Knowledge);
        }

        return text.ToString();
    }

    private static string ReadKnowledge(string path)
    {
        string[] files = Directory.Exists(path)
            ? [.. Directory.EnumerateFiles(path, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal)]
            : File.Exists(path) ? [path]
            : throw new Configuration.StartFailureException($"AI_KNOWLEDGE_PATH ({path}) is neither a Markdown file nor a folder; set it to e.g. knowledge/ or faq.md.");
        if (files.Length == 0)
        {
            throw new Configuration.StartFailureException($"AI_KNOWLEDGE_PATH ({path}) is a folder without Markdown (.md) files.");
        }

        var knowledge = string.Join("\n\n", files.Select(file => ReadFile("AI_KNOWLEDGE_PATH", file).Trim()));
        return knowledge.Length <= MaxKnowledgeCharacters ? knowledge
            : throw new Configuration.StartFailureException(
                $"AI_KNOWLEDGE_PATH ({path}) holds {knowledge.Length:N0} characters; at most {MaxKnowledgeCharacters:N0} fit a model's context.");
    }

    private static string ReadFile(string setting, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new Configuration.StartFailureException($"{setting} ({path}) cannot be read: {error.Message.TrimEnd('.')}.");
        }
    }
}
