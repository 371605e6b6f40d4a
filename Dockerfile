# OptOutGate: multi-stage build. Restore is its own layer (only project files and package pins copied first), so
# source edits do not re-download packages.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json NuGet.config Directory.Build.props Directory.Packages.props .editorconfig OptOutGate.sln ./
COPY src/OptOutGate.Contracts/OptOutGate.Contracts.csproj src/OptOutGate.Contracts/
COPY src/OptOutGate.Engine/OptOutGate.Engine.csproj src/OptOutGate.Engine/
COPY src/OptOutGate.Server/OptOutGate.Server.csproj src/OptOutGate.Server/
RUN dotnet restore src/OptOutGate.Server/OptOutGate.Server.csproj
COPY protos/ protos/
COPY src/ src/
RUN dotnet publish src/OptOutGate.Server/OptOutGate.Server.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The durable log, checkpoints and index live here; mount a volume so they outlive the container.
RUN mkdir -p /var/lib/optoutgate && chown -R app:app /var/lib/optoutgate
VOLUME ["/var/lib/optoutgate"]
USER app
# Inside a container the gate must listen beyond loopback, which requires API keys (the Tenancy section; README, "API keys").
ENV Gate__ListenAddress=0.0.0.0 \
    Gate__Port=50051 \
    Gate__MetricsPort=9090 \
    Gate__HttpPort=8080 \
    Gate__DataDirectory=/var/lib/optoutgate
EXPOSE 50051 8080 9090
ENTRYPOINT ["dotnet", "OptOutGate.Server.dll"]
