using Microsoft.Extensions.Hosting;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// The lifetime of the engine's generic host when a command owns the process: starting and stopping happen when the
/// command says (<see cref="EngineHost.StartAsync"/>, <see cref="EngineHost.DisposeAsync"/>), and the process's signals
/// stay with the command. The host's default, the console lifetime, would take SIGINT and SIGTERM itself and stop the
/// node before <c>r1 train</c> could print how to resume, or before its supervisor could tell a crash from a stop.
/// </summary>
internal sealed class CommandOwnedLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
