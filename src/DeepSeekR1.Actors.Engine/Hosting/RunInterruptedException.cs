namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// The node stopped (it left the cluster, or its ActorSystem terminated) before the run it was waiting for completed.
/// Nothing is lost: the run's journal and checkpoints are as the entities left them, and the same command resumes it.
/// </summary>
/// <param name="message">What happened, for the user.</param>
public sealed class RunInterruptedException(string message) : Exception(message);

/// <summary>
/// An entity of the run met a fault it cannot get past (<see cref="Contracts.RunFaulted"/>): a corrupt or missing
/// checkpoint, a journal that cannot be written. The journal is as it was; the same command resumes once it is fixed.
/// </summary>
/// <param name="message">What failed, naming the path.</param>
public sealed class RunFaultedException(string message) : Exception(message);
