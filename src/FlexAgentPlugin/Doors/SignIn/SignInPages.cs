using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace FlexAgentPlugin.Doors.SignIn;

/// <summary>
/// The sign-in pages, rendered on the server: plain HTML forms that work without JavaScript, with their labels, errors
/// announced (<c>role="alert"</c>, tied to the field), the step named in the title and heading, and nothing loaded from
/// elsewhere. Every value shown is HTML-encoded; the pages may not be framed by another site.
/// </summary>
internal static class SignInPages
{
    private const string Style = """
        body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f4f6;color:#121c2d}
        main{max-width:26rem;margin:3rem auto;padding:1.5rem 1.75rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
        h1{font-size:1.35rem;margin:0 0 1rem}label{display:block;font-weight:600;margin:.75rem 0 .25rem}
        input{font:inherit;width:100%;box-sizing:border-box;padding:.55rem .7rem;border:1px solid #8891aa;border-radius:8px}
        input[aria-invalid=true]{border-color:#d61f1f}
        button{font:inherit;padding:.55rem 1.1rem;border-radius:8px;border:1px solid #0263e0;background:#0263e0;color:#fff;margin-top:1rem;cursor:pointer}
        button.secondary{background:#fff;color:#0263e0}button:focus,input:focus,a:focus{outline:3px solid #99cdff;outline-offset:1px}
        .error{color:#b00;font-weight:600}.hint{color:#4b5671;font-size:.9rem}.client{font-weight:700}
        .actions{display:flex;gap:.75rem;flex-wrap:wrap}ul{padding-left:1.2rem}
        """;

    /// <summary>A whole page: <paramref name="title"/> names the step, <paramref name="body"/> is already encoded HTML.</summary>
    public static IResult Page(HttpContext context, int status, string title, string body)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers["Referrer-Policy"] = "no-referrer";
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encode(title)} · Human agent sign-in</title><style>{Style}</style></head>
            <body><main>
            <h1>{Encode(title)}</h1>
            {body}
            </main></body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>A paragraph, encoded.</summary>
    public static string Paragraph(string text, string? className = null) => $"<p{(className is null ? "" : $" class=\"{className}\"")}>{Encode(text)}</p>";

    /// <summary>An error tied to the field <paramref name="field"/> (its id + "-error"), announced when the page loads.</summary>
    public static string Error(string? field, string? error) =>
        error is null ? "" : $"<p id=\"{field}-error\" class=\"error\" role=\"alert\">{Encode(error)}</p>";

    /// <summary>A form posting to <paramref name="action"/> with the antiforgery token and hidden values.</summary>
    public static string Form(HttpContext context, string action, IEnumerable<KeyValuePair<string, string>> hidden, string fields)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var inputs = new StringBuilder();
        inputs.Append($"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken)}\">");
        foreach (var (name, value) in hidden)
        {
            inputs.Append($"<input type=\"hidden\" name=\"{Encode(name)}\" value=\"{Encode(value)}\">");
        }

        return $"<form method=\"post\" action=\"{Encode(action)}\">{inputs}{fields}</form>";
    }

    /// <summary>A labelled text field; with an error, marked invalid and described by it.</summary>
    public static string Field(string id, string label, string? value, string? error, string attributes, string? hint = null) =>
        $"<label for=\"{id}\">{Encode(label)}</label>"
        + (hint is null ? "" : $"<p id=\"{id}-hint\" class=\"hint\">{Encode(hint)}</p>")
        + $"<input id=\"{id}\" name=\"{id}\" value=\"{Encode(value)}\" {attributes} required"
        + (error is null ? "" : " aria-invalid=\"true\"")
        + $" aria-describedby=\"{(hint is null ? "" : $"{id}-hint ")}{(error is null ? "" : $"{id}-error")}\">"
        + Error(id, error);
}
