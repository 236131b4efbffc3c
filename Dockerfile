# syntax=docker/dockerfile:1
#
#   docker build -t flex-agent-plugin .            (podman: podman build --format docker …, which keeps the HEALTHCHECK)
#   docker run --rm -p 5002:5002 --env-file .env -v flex-agent-data:/data flex-agent-plugin   # your Twilio account in .env
#   docker run --rm -p 5002:5002 -e SANDBOX=true flex-agent-plugin                            # try it without one
#
# The container listens on all interfaces, so without an account the sandbox runs only with SANDBOX=true, and its
# console then asks for the token printed at start.

# Build: restore first (cached while only code changes), then publish.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/FlexAgentPlugin/FlexAgentPlugin.csproj src/FlexAgentPlugin/
COPY src/FlexAgentPlugin.Sandbox/FlexAgentPlugin.Sandbox.csproj src/FlexAgentPlugin.Sandbox/
RUN dotnet restore --use-current-runtime src/FlexAgentPlugin/FlexAgentPlugin.csproj
COPY src/ src/
COPY wwwroot/ wwwroot/
COPY .well-known/ .well-known/
COPY openapi.yaml ./
# For the build machine's platform, so the code is compiled ahead of time (ReadyToRun; see the project file).
RUN dotnet publish src/FlexAgentPlugin/FlexAgentPlugin.csproj --configuration Release --no-restore --use-current-runtime --self-contained false --output /app

# Run: the ASP.NET Core runtime only, as the image's unprivileged "app" user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data \
    && chown "$APP_UID" /data
WORKDIR /app
COPY --from=build /app ./

# Listen on 5002 on all interfaces inside the container; keep SQLite on the /data volume.
ENV ASPNETCORE_HTTP_PORTS=5002 \
    DATABASE_PATH=/data/convs.db
VOLUME /data
EXPOSE 5002
USER $APP_UID

HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD curl --fail --silent --show-error http://127.0.0.1:5002/healthz || exit 1

ENTRYPOINT ["dotnet", "FlexAgentPlugin.dll"]
