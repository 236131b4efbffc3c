namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>The repository the tests were built from, for tests of the files it ships (.env.example, docker-compose.yml).</summary>
public static class Repository
{
    public static string Root
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "FlexAgentPlugin.sln")))
                {
                    return folder.FullName;
                }
            }

            throw new InvalidOperationException("The repository's root was not found above the test's folder.");
        }
    }

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);
}
