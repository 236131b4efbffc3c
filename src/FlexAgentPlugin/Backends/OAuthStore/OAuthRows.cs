namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>
/// A client application as stored (<c>oauth_applications</c>): a pre-registered client (OAUTH_CLIENTS), one registered
/// by itself (RFC 7591) or one known by its metadata document's URL. Lists and maps are JSON text; <see cref="ConcurrencyToken"/>
/// changes with every update, so two updates of one row cannot both win.
/// </summary>
public sealed class OAuthApplication
{
    public string Id { get; set; } = StoredValues.NewId();

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string? ClientType { get; set; }

    public string? ApplicationType { get; set; }

    public string? ConsentType { get; set; }

    public string? DisplayName { get; set; }

    public string RedirectUris { get; set; } = "[]";

    public string Permissions { get; set; } = "[]";

    public string Requirements { get; set; } = "[]";

    public string Settings { get; set; } = "{}";

    public string Properties { get; set; } = "{}";

    public long CreatedAt { get; set; }

    public string ConcurrencyToken { get; set; } = StoredValues.NewId();
}

/// <summary>A person's grant to a client (<c>oauth_authorizations</c>): the tokens issued under it go when it is revoked.</summary>
public sealed class OAuthAuthorization
{
    public string Id { get; set; } = StoredValues.NewId();

    public string? ApplicationId { get; set; }

    public string? Subject { get; set; }

    public string? Status { get; set; }

    public string? Type { get; set; }

    public string Scopes { get; set; } = "[]";

    public long? CreationDate { get; set; }

    public string Properties { get; set; } = "{}";

    public string ConcurrencyToken { get; set; } = StoredValues.NewId();
}

/// <summary>
/// A token OpenIddict keeps track of (<c>oauth_tokens</c>): authorization codes (with their payload, found by the hash
/// of the code), refresh tokens and the identifiers of access tokens, so a code is redeemed once and a revoked grant
/// stops at once.
/// </summary>
public sealed class OAuthToken
{
    public string Id { get; set; } = StoredValues.NewId();

    public string? ApplicationId { get; set; }

    public string? AuthorizationId { get; set; }

    public string? Subject { get; set; }

    public string? Type { get; set; }

    public string? Status { get; set; }

    public string? Payload { get; set; }

    public string? ReferenceId { get; set; }

    public long? CreationDate { get; set; }

    public long? ExpirationDate { get; set; }

    public long? RedemptionDate { get; set; }

    public string Properties { get; set; } = "{}";

    public string ConcurrencyToken { get; set; } = StoredValues.NewId();
}

/// <summary>A scope as OpenIddict's store knows it. Scopes are registered in the server's options, so none is stored.</summary>
public sealed class OAuthScope
{
    public string Id { get; set; } = StoredValues.NewId();

    public string? Name { get; set; }
}
